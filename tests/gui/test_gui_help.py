"""Help (issue 14, point 13): F1 lists every shortcut, read from the window's own actions (so
the list cannot go stale); the notation, the file format and the lessons open in the app's
own viewer, never a browser. Keys go to the focused widget; links are clicked where they
are drawn."""

from __future__ import annotations

import html
import re

import pytest
from gui_helpers import REPO, activate, press_in_focus, window_factory
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QTextDocument
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QTextBrowser

from engine import lessons
from gui.parts.actions import make_action
from gui.parts.help import markdown_section

NATIVE = QKeySequence.SequenceFormat.NativeText


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot)


def viewer_text(window) -> str:
    viewer = window.findChild(QDialog, "help_viewer")
    assert viewer is not None and viewer.isVisible()
    return viewer.findChild(QTextBrowser, "help_text").toPlainText()


def shown_rows(window) -> list[list[str]]:
    """The rows of the tables the viewer shows, as the text of their cells."""
    browser = window.findChild(QTextBrowser, "help_text")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", browser.toHtml(), flags=re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)] for row in rows]


def close_viewer(window) -> None:
    window.findChild(QDialog, "help_viewer").close()


def help_menu(window) -> QMenu:
    return window.findChild(QMenu, "menu_help")


def press_f1(qtbot, window) -> None:
    activate(qtbot, window)
    window.network_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    press_in_focus(qtbot, Qt.Key.Key_F1)


def keyed_actions(window) -> list[QAction]:
    return [a for a in window.findChildren(QAction) if any(not k.isEmpty()
                                                          for k in a.shortcuts())]


def test_f1_lists_every_shortcut_of_the_window(open_window, qtbot):
    window = open_window(show=True)
    assert window.help.action_shortcuts in help_menu(window).actions()
    press_f1(qtbot, window)
    text = viewer_text(window)
    rows = [(what, keys) for _where, what, keys in (row for row in shown_rows(window)
                                                    if len(row) == 3)]
    actions = keyed_actions(window)
    assert len(actions) >= 20
    for action in actions:
        name = re.sub(r"&(.)", r"\1", action.text()).rstrip("…").strip()
        keys = " or ".join(k.toString(NATIVE) for k in action.shortcuts() if not k.isEmpty())
        assert (name, keys) in rows, (name, keys)
    for expected in ("Step phase", "F11", "Step iteration", "F10", "Keyboard shortcuts",
                     "F1", "Debug", "Ctrl+2", "Undo", "Ctrl+Z", "Escape", "Ctrl+click"):
        assert expected in text
    close_viewer(window)


def test_a_new_action_with_a_shortcut_is_listed_without_more_work(open_window, qtbot):
    window = open_window(show=True)
    make_action(window, "action_probe", "&Probe the network", "Ctrl+Alt+P", lambda: None,
                "A probe")
    press_f1(qtbot, window)
    text = viewer_text(window)
    assert "Probe the network" in text and "Ctrl+Alt+P" in text
    close_viewer(window)


def test_help_shows_the_notation_from_the_readme(open_window):
    window = open_window(show=True)
    window.help.action_notation.trigger()  # Help ▸ Notation
    text = viewer_text(window)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = markdown_section(readme, "Notation")
    assert section.startswith("## Notation") and "## File format" not in section
    assert "Notation" in text
    assert "is the weight from neuron i of layer l to neuron j of layer l+1" in text
    assert "w^l_{i,j}" in text
    assert "Command line" not in text  # that section only
    close_viewer(window)


def test_help_shows_the_file_format(open_window):
    window = open_window(show=True)
    window.help.action_file_format.trigger()  # Help ▸ File format
    text = viewer_text(window)
    assert "Backprop Lab file format" in text
    assert "Unknown keys are refused everywhere" in text
    browser = window.findChild(QTextBrowser, "help_text")
    assert not browser.openExternalLinks() and not browser.openLinks()  # no browser
    close_viewer(window)


def test_help_lists_the_lessons_and_a_click_on_a_link_starts_one(open_window, qtbot):
    window = open_window(show=True)
    window.help.action_lessons.trigger()  # Help ▸ Lessons
    text = viewer_text(window)
    for lesson in lessons.LESSONS:
        assert lesson.title in text and lesson.steps[0].title in text
    browser = window.findChild(QTextBrowser, "help_text")
    document = browser.document()
    cursor = document.find("Start this lesson", 0, QTextDocument.FindFlag.FindCaseSensitively)
    cursor = document.find("Start this lesson", cursor)  # the second lesson's: w5 = w6
    assert not cursor.isNull()
    cursor.setPosition(cursor.selectionStart() + 3)
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    point = browser.cursorRect(cursor).center()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.lessons.lesson is not None, timeout=3000)
    assert window.lessons.lesson.key == lessons.LESSONS[1].key
    close_viewer(window)


def test_help_menu_has_the_documents_and_the_welcome(open_window):
    window = open_window(show=True)
    texts = [re.sub(r"&(.)", r"\1", a.text()) for a in help_menu(window).actions()
             if not a.isSeparator()]
    assert texts == ["Keyboard shortcuts", "Notation", "File format", "Lessons", "Welcome",
                     "About Backprop Lab"]
    window.help.action_welcome.trigger()
    assert window.welcome.dock.isVisible()


def test_no_two_actions_share_a_shortcut_with_the_new_ones(open_window):
    window = open_window()
    seen = {}
    for action in keyed_actions(window):
        for key in action.shortcuts():
            text = key.toString(NATIVE)
            assert text not in seen, (text, seen.get(text), action.objectName())
            seen[text] = action.objectName()
    assert {"F1", "Ctrl+1", "Ctrl+2", "Ctrl+3"} <= set(seen)
