"""The Help menu (issue 14, point 13): every keyboard shortcut (F1), read from the window's own
actions so that the list cannot go stale; the notation (the README's Notation section), the
file format (docs/file-format.md) and the lessons, shown in the app (a Markdown viewer: the
app works offline and opens no browser); the welcome panel again; About."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine import lessons

from .actions import make_action

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
FILE_FORMAT = REPO / "docs" / "file-format.md"
NATIVE = QKeySequence.SequenceFormat.NativeText
# keys that are not actions of the window (the graph's and the timeline's own)
OTHER_KEYS = (
    ("Graph", "Edit the selected weight or bias", "F2 or Enter (double-click: the same)"),
    ("Graph", "Cancel an edit", "Escape"),
    ("Graph", "Select a second weight (the chain rule side by side)", "Ctrl+click"),
    ("Graph", "Zoom / pan", "Wheel / middle button"),
    ("Timeline", "One iteration / a twentieth (the slider focused)",
     "← → / Page Up, Page Down"),
)


def plain(text: str) -> str:
    """A menu text without its mnemonic (``&Save`` → ``Save``; ``&&`` stays one ``&``)."""
    return re.sub(r"&(.)", r"\1", text)


def menu_paths(bar: QMenuBar) -> dict[QAction, str]:
    """Where each action is in the menus: ``File ▸ Export ▸ NumPy script…``."""
    found: dict[QAction, str] = {}

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{path} ▸ {plain(action.text())}")
            elif not action.isSeparator():
                found.setdefault(action, path)

    for top in bar.actions():
        if top.menu() is not None:
            walk(top.menu(), plain(top.text()))
    return found


def shortcut_rows(owner: QWidget, bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(where, what, keys) of every action of ``owner`` that has a shortcut, in the order
    of the menus (actions in no menu last, as "Window")."""
    paths = menu_paths(bar)
    rows = []
    for action in owner.findChildren(QAction):
        keys = [key.toString(NATIVE) for key in action.shortcuts() if not key.isEmpty()]
        if keys:
            text = plain(action.text()).rstrip("…").strip() or action.objectName()
            rows.append((paths.get(action, "Window"), text, " or ".join(keys)))
    order = {path: index for index, path in enumerate(dict.fromkeys(paths.values()))}
    rows.sort(key=lambda row: (order.get(row[0], len(order)), row[0]))
    return rows


def shortcuts_html(rows: list[tuple[str, str, str]]) -> str:
    def table(entries) -> str:
        return ("<table cellspacing='0' cellpadding='3'>" + "".join(
            f"<tr><td>{html.escape(where)}</td><td>{html.escape(what)}</td>"
            f"<td><b>{html.escape(keys)}</b></td></tr>" for where, what, keys in entries)
            + "</table>")

    return ("<h3>Keyboard shortcuts</h3><p>Every action of the window that has keys, where "
            "it is in the menus:</p>" + table(rows)
            + "<h4>In the graph and the timeline</h4>" + table(OTHER_KEYS))


def markdown_section(text: str, heading: str) -> str:
    """The section of Markdown ``text`` under ``## heading`` (to the next heading of its
    level or higher), heading included; "" when there is none."""
    match = re.search(rf"^## {re.escape(heading)}\s*$", text, flags=re.MULTILINE)
    if match is None:
        return ""
    end = re.search(r"^#{1,2} ", text[match.end():], flags=re.MULTILINE)
    return text[match.start(): match.end() + (end.start() if end else len(text))].strip()


def lessons_markdown() -> str:
    """The lessons from the lessons' own data: title, summary, steps, and a link that
    starts each."""
    parts = ["# Lessons", "Each lesson sets the network up step by step beside the live app "
             "and checks its claims on the engine as you go (Lessons menu; Alt+Right and "
             "Alt+Left for the next and previous step).",
             "A lesson is a file anyone can write: *Lessons ▸ Open lesson file…* starts "
             "one, and [the lesson format](lesson-format.md) says how to write it "
             "(`python -m engine.lessons check FILE` checks it). The lessons below are "
             "the files in `resources/lessons`."]
    for header in lessons.HEADERS:
        parts.append(f"## {header.title}\n\n{header.summary}\n\n[Start this lesson]"
                     f"(lesson:{header.key})\n")
        try:
            steps = lessons.lesson(header.key).steps
        except (OSError, ValueError) as error:  # the menu names it too
            parts.append(f"*This file cannot be read: {error}*")
            continue
        parts.append("\n".join(f"{k + 1}. {step.title}" for k, step in enumerate(steps)))
    return "\n\n".join(parts)


class DocumentViewer(QDialog):
    """One window that shows the help documents (Markdown), reused by each."""

    lesson_requested = Signal(str)  # a "Start this lesson" link: the lesson's key

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("help_viewer")
        self.resize(760, 620)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setObjectName("help_text")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.shown_path: Path | None = None

    def show_markdown(self, title: str, text: str, path: Path | None = None) -> None:
        self.setWindowTitle(f"{title} — Backprop Lab")
        self.shown_path = path
        self.browser.setMarkdown(text)
        self._present()

    def show_html(self, title: str, text: str) -> None:
        self.setWindowTitle(f"{title} — Backprop Lab")
        self.shown_path = None
        self.browser.setHtml(text)
        self._present()

    def show_file(self, title: str, path: Path, section: str | None = None) -> None:
        """A Markdown file (or one ``## section`` of it); a missing file says so."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            text = (f"# {title}\n\n{path.name} could not be read here ({error.strerror or error})"
                    ": it comes with the source of Backprop Lab.")
        else:
            if section is not None:
                text = markdown_section(text, section) or f"# {title}\n\n(no such section)"
        self.show_markdown(title, text, path)

    def _present(self) -> None:
        self.browser.verticalScrollBar().setValue(0)
        if self.isVisible():  # behind the main window, perhaps: to the front
            self.raise_()
            self.activateWindow()
        else:
            self.show()

    def _link(self, url: QUrl) -> None:
        """A lesson link starts it; a link to another Markdown file beside this one opens it
        here; an anchor scrolls; other links (the web) are not followed."""
        if url.scheme() == "lesson":
            self.lesson_requested.emit(url.path())
            return
        if not url.scheme() and url.path().endswith(".md") and self.shown_path is not None:
            target = (self.shown_path.parent / url.path()).resolve()
            if target.is_relative_to(REPO):
                self.show_file(target.stem, target)
                return
        if url.hasFragment() and not url.path():
            self.browser.scrollToAnchor(url.fragment())


class Help(QObject):
    """The Help menu for one window: given ``owner`` (whose actions are listed and whose
    shortcuts the Help actions share), its menu ``bar``, ``start_lesson(key)`` and
    ``show_welcome()``."""

    def __init__(self, owner: QWidget, bar: QMenuBar, start_lesson: Callable[[str], object],
                 show_welcome: Callable[[], None]) -> None:
        super().__init__(owner)
        self.owner = owner
        self.bar = bar
        self.viewer: DocumentViewer | None = None
        self.start_lesson = start_lesson
        self.action_shortcuts = make_action(
            owner, "action_shortcuts", "&Keyboard shortcuts", "F1", self.show_shortcuts,
            "Every keyboard shortcut of the window")
        self.action_notation = make_action(
            owner, "action_notation", "&Notation", None, self.show_notation,
            "n, a, w and b, layers and observations: the seeds' notation")
        self.action_file_format = make_action(
            owner, "action_file_format", "&File format", None, self.show_file_format,
            "Every key of a Backprop Lab file, its defaults and limits")
        self.action_lessons = make_action(
            owner, "action_help_lessons", "&Lessons", None, self.show_lessons,
            "The lessons and their steps")
        self.action_welcome = make_action(
            owner, "action_welcome", "&Welcome", None, show_welcome,
            "The welcome panel: the first lesson, the examples, the recent files")
        self.action_about = make_action(owner, "action_about", "&About Backprop Lab", None,
                                        self.about, "What this is")

    def fill_menu(self, menu) -> None:
        for action in (self.action_shortcuts, None, self.action_notation,
                       self.action_file_format, self.action_lessons, None,
                       self.action_welcome, self.action_about):
            menu.addSeparator() if action is None else menu.addAction(action)

    def _viewer(self) -> DocumentViewer:
        if self.viewer is None:
            self.viewer = DocumentViewer(self.owner)
            self.viewer.lesson_requested.connect(self.start_lesson)
        return self.viewer

    def show_shortcuts(self) -> None:
        self._viewer().show_html("Keyboard shortcuts",
                                 shortcuts_html(shortcut_rows(self.owner, self.bar)))

    def show_notation(self) -> None:
        self._viewer().show_file("Notation", README, "Notation")

    def show_file_format(self) -> None:
        self._viewer().show_file("File format", FILE_FORMAT)

    def show_lessons(self) -> None:
        # as if it stood in docs/, so that its link to the lesson format opens it here
        self._viewer().show_markdown("Lessons", lessons_markdown(),
                                     FILE_FORMAT.with_name("lessons.md"))

    def about(self) -> None:
        QMessageBox.about(self.owner, "About Backprop Lab",
                          "Backprop Lab: step through backpropagation like a debugger.\n"
                          "Numbers in the notation of seed 000: n, a, ∂C/∂a, ∂a/∂n, δ, ∂C/∂W.")

