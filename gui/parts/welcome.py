"""The welcome panel in the window (issue 14, point 10): shown at start unless the learner
turned it off (remembered in the settings), and from Help ▸ Welcome. Its buttons start the
first lesson, open the w5 = w6 example, a file or a recent file; once one of them has opened
something the panel steps aside, as it does when a lesson starts from the Lessons menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from engine import lessons

from . import settings as store
from .files import EXAMPLES

W5_W6_EXAMPLE = EXAMPLES / "seed-001-tied.json"  # seed 001 with w1 = w3, w2 = w4, w5 = w6


class Welcome(QObject):
    """Given the dock ``layout`` (the panel is built with its dock when first shown), the
    window's ``files`` and ``lessons``."""

    message = Signal(str, int)  # for the status bar, shown for that many ms

    def __init__(self, layout, files, lessons_part, parent=None) -> None:
        super().__init__(parent)
        self.layout = layout
        self.files = files
        self.lessons = lessons_part
        self.dock = layout.docks["welcome"]
        layout.on_built.append(self._built)
        files.recent_changed.connect(self._fill_recent)
        lessons_part.step_entered.connect(lambda _index: self.dock.hide())

    def show(self) -> None:
        """The panel in view, with the recent files and the "show at start" choice as they
        are now."""
        self.layout.show_dock("welcome")
        panel = self.layout.part("welcome_panel")
        panel.set_show_at_start(store.show_welcome())
        self._fill_recent()

    def _built(self, row, parts: dict) -> None:
        panel = parts.get("welcome_panel")
        if panel is None:
            return
        panel.lesson_requested.connect(self.start_first_lesson)
        panel.example_requested.connect(
            lambda: self._stepping_aside(self.files.open_file(W5_W6_EXAMPLE)))
        panel.open_requested.connect(lambda: self._stepping_aside(self.files.open_dialog()))
        panel.recent_chosen.connect(
            lambda path: self._stepping_aside(self.files.open_file(path)))
        panel.show_at_start_toggled.connect(self._show_at_start)

    def start_first_lesson(self) -> None:
        self.lessons.start(lessons.HEADERS[0].key)  # the panel hides when its step shows

    def _stepping_aside(self, opened: bool) -> None:
        if opened:
            self.dock.hide()

    def _fill_recent(self) -> None:
        panel = self.layout.built_part("welcome_panel")
        if panel is not None:
            panel.set_recent(self.files.recent_files())

    def _show_at_start(self, shown: bool) -> None:
        try:
            store.store_show_welcome(shown)
        except OSError as error:
            self.message.emit(f"The choice could not be kept ({error})", 8000)
