"""The welcome panel (issue 14, point 10): what the app is for, in the seeds' terms, and where
to begin: the first lesson, the w5 = w6 example, a file of one's own or a recent one. Shown
at start until the learner unticks "Show at start"; Help ▸ Welcome brings it back.

The panel only says what was asked (its signals); the window opens the file or the lesson."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from engine import lessons

from .panels import named_button

ABOUT = (
    "Backprop Lab steps through backpropagation like a debugger: one phase at a time "
    "(forward layer by layer, the loss, backward, the update), with every n, a, δ and "
    "∂C/∂W of a small network in the notation of the seeds' own tables. "
    "See on the live network why seed 000's network, every weight 1, never parts its "
    "neurons, and why seed 001's with w5 = w6 keeps its two hidden neurons identical."
)


class WelcomePanel(QWidget):
    lesson_requested = Signal()  # start the first lesson
    example_requested = Signal()  # open the w5 = w6 example
    open_requested = Signal()  # File ▸ Open…
    recent_chosen = Signal(Path)
    show_at_start_toggled = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        heading = QLabel("<h3>Welcome to Backprop Lab</h3>")
        about = QLabel(html.escape(ABOUT))
        about.setObjectName("welcome_about")
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.RichText)
        first = lessons.HEADERS[0]
        self.lesson_button = named_button(
            "welcome_lesson", f"First lesson: {first.title}",
            f"Start the first lesson: {first.summary}", self.lesson_requested)
        self.example_button = named_button(
            "welcome_example", "Open the w5 = w6 example",
            "seed-001-tied.json: seed 001's 2-2-1 network with w1 = w3, w2 = w4 and w5 = w6, "
            "whose two hidden neurons stay identical", self.example_requested)
        self.open_button = named_button("welcome_open", "Open a file…",
                                        "Open a Backprop Lab file of your own",
                                        self.open_requested)
        for widget in (heading, about, self.lesson_button, self.example_button,
                       self.open_button):
            layout.addWidget(widget)
        recent_heading = QLabel("<b>Recent files</b>")
        layout.addSpacing(6)
        layout.addWidget(recent_heading)
        self.recent_box = QVBoxLayout()
        self.recent_box.setSpacing(0)
        layout.addLayout(self.recent_box)
        keys = QLabel("F11: a phase · F10: an iteration · F5: run · F1: every shortcut. "
                      "Learn, Debug, Data (top right): the workspaces.")
        keys.setWordWrap(True)
        keys.setObjectName("welcome_keys")
        layout.addSpacing(6)
        layout.addWidget(keys)
        layout.addStretch(1)
        self.show_at_start = QCheckBox("Show at start")
        self.show_at_start.setObjectName("welcome_show_at_start")
        self.show_at_start.setToolTip("Show this panel when Backprop Lab starts "
                                      "(Help ▸ Welcome shows it any time)")
        self.show_at_start.setChecked(True)
        self.show_at_start.toggled.connect(self.show_at_start_toggled)
        layout.addWidget(self.show_at_start)
        self.recent_buttons: list[QPushButton] = []
        self.set_recent([])

    def set_recent(self, paths: list[Path]) -> None:
        """The recent files, newest first, each a button that opens it."""
        while self.recent_box.count():
            item = self.recent_box.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # (gone at once, deleted later)
                item.widget().deleteLater()
        self.recent_buttons = []
        for index, path in enumerate(paths):
            button = named_button(f"welcome_recent_{index}", path.name, str(path),
                                  lambda _=False, p=path: self.recent_chosen.emit(p))
            button.setFlat(True)
            button.setStyleSheet("text-align: left; padding: 2px 6px")
            self.recent_box.addWidget(button)
            self.recent_buttons.append(button)
        if not paths:
            none = QLabel("<i>none yet</i>")
            none.setObjectName("welcome_no_recent")
            self.recent_box.addWidget(none)

    def set_show_at_start(self, shown: bool) -> None:
        self.show_at_start.blockSignals(True)
        self.show_at_start.setChecked(shown)
        self.show_at_start.blockSignals(False)
