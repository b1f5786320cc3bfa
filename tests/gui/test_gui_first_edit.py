"""The first thing a newcomer tries (issue 14, point 1): double-click w5, type 0.7, Enter.

Acted as a person acts: the double-click is a press, a release, the second press (which Qt
delivers as a double-click) and its release, on the edge; keys go to whatever widget has
the keyboard focus. (QTest.mouseDClick alone sends only the double-click event, with no
press before it, so the edge was never selected and the bug stayed hidden.)"""

from __future__ import annotations

import numpy as np
from gui_helpers import (
    SEED_001_FREE,
    W5,
    W6,
    activate,
    edge_point,
    press_in_focus,
    type_into_focus,
    wait_refreshed,
)
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def double_click(view, address) -> None:
    """Press, release, double-click, release on the middle of the edge of ``address``."""
    viewport, point = view.viewport(), edge_point(view, address)
    QTest.mousePress(viewport, LEFT, NONE, point)
    QTest.mouseRelease(viewport, LEFT, NONE, point)
    QTest.mouseDClick(viewport, LEFT, NONE, point)  # Qt 6: the double-click event alone
    QTest.mouseRelease(viewport, LEFT, NONE, point)


def editor_of(window) -> QLineEdit:
    return window.network_view.findChild(QLineEdit, "inline_editor")


def message_of(window) -> QLabel:
    return window.network_view.findChild(QLabel, "inline_editor_message")


def open_on(qtbot, window, address) -> QLineEdit:
    view = window.network_view
    double_click(view, address)
    editor = editor_of(window)
    qtbot.waitUntil(editor.isVisible, timeout=2000)
    assert view.selected_parameters() == [address], "the double-click selects the weight"
    assert QApplication.focusWidget() is editor
    return editor


def settle() -> None:
    """Let every event posted by the key press be delivered (a reopening editor would be)."""
    for _ in range(3):
        QApplication.processEvents()


def test_enter_applies_the_value_and_closes_the_editor(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    view, network = window.network_view, window.controller.network
    editor = open_on(qtbot, window, W5)
    assert editor.selectedText() == "0.4"  # seed 001's w5, selected: typing replaces it
    type_into_focus(qtbot, "0.7")
    press_in_focus(qtbot, Qt.Key.Key_Return)
    settle()
    assert network.get(W5) == 0.7
    assert not editor.isVisible(), "Enter applied the value and opened the editor again"
    assert view.editor.address is None
    assert window.controller.undo_stack.count() == 1
    # the focus is back on the graph, which still has w5 selected
    assert QApplication.focusWidget() is view
    assert view.selected_parameters() == [W5]
    wait_refreshed(qtbot, window)
    assert view.edges[W5].label_text.text() == "w5 = 0.7"
    # Enter on the graph (a second, separate press) edits the selected weight, as F2 does
    press_in_focus(qtbot, Qt.Key.Key_Return)
    assert editor.isVisible() and view.editor.address == W5
    assert editor.selectedText() == "0.7"
    press_in_focus(qtbot, Qt.Key.Key_Escape)
    assert not editor.isVisible()


def test_keypad_enter_closes_the_editor_too(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    editor = open_on(qtbot, window, W6)
    type_into_focus(qtbot, "-1.5")
    press_in_focus(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    settle()
    assert window.controller.network.get(W6) == -1.5
    assert not editor.isVisible()


def test_text_that_is_not_a_number_is_refused_with_a_message_and_kept_for_correcting(
        open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    network = window.controller.network
    theta = network.theta.copy()
    editor = open_on(qtbot, window, W5)
    type_into_focus(qtbot, "abc")
    press_in_focus(qtbot, Qt.Key.Key_Return)
    settle()
    # nothing changed, and the learner is told why, under the field
    assert np.array_equal(network.theta, theta)
    assert window.controller.undo_stack.count() == 0
    message = message_of(window)
    assert editor.isVisible() and message.isVisible()
    assert "'abc' is not a number" in message.text() and "old value is kept" in message.text()
    assert message.geometry().top() >= editor.geometry().bottom()  # under the field
    # the editor stays open with the refused text, selected, and keeps the focus
    assert editor.text() == "abc" and editor.selectedText() == "abc"
    assert QApplication.focusWidget() is editor
    # typing a number replaces it; Enter applies it and closes both
    type_into_focus(qtbot, "0.75")
    press_in_focus(qtbot, Qt.Key.Key_Return)
    settle()
    assert network.get(W5) == 0.75
    assert not editor.isVisible() and not message.isVisible()


def test_escape_cancels(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    view, network = window.network_view, window.controller.network
    theta = network.theta.copy()
    editor = open_on(qtbot, window, W5)
    type_into_focus(qtbot, "0.9")
    press_in_focus(qtbot, Qt.Key.Key_Escape)
    settle()
    assert not editor.isVisible()
    assert np.array_equal(network.theta, theta) and window.controller.undo_stack.count() == 0
    assert QApplication.focusWidget() is view
    # after a refusal too: the message goes with the editor
    editor = open_on(qtbot, window, W5)
    type_into_focus(qtbot, "1,5")
    press_in_focus(qtbot, Qt.Key.Key_Return)
    settle()
    assert message_of(window).isVisible()
    press_in_focus(qtbot, Qt.Key.Key_Escape)
    settle()
    assert not editor.isVisible() and not message_of(window).isVisible()
    assert np.array_equal(network.theta, theta)
