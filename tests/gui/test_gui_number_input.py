"""Numbers as a person enters them into the real widgets (issue 12, points 9 and 17): typed key
by key into the widget that has the focus, pasted with Ctrl+V, or imported from a file. Text
that only Python's float() would take (1_000, full-width or Arabic-Indic digits) and literals
that a float cannot keep (1e-400 would be stored as 0) are refused: the old value stays and a
message names the problem. The jog scale refuses a negative scale the same way, and Jog then
raises nothing: with the app's exception hook installed, an exception escaping the slot would
open its "Something went wrong" dialog (and without it pytest-qt fails the test)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from gui_helpers import (
    SEED_000,
    SEED_001_FREE,
    W5,
    activate,
    double_click_edge,
    press_in_focus,
    type_into_focus,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
)

ZEROS_THEN_ONE = "0." + "0" * 400 + "1"
REFUSED = [
    ("1_000", "'1_000' is not a number"),
    ("１２", "'１２' is not a number"),  # full-width digits
    ("١٢", "'١٢' is not a number"),  # Arabic-Indic digits
    ("1e-400", "'1e-400' is too small: it would be stored as 0"),
    ("-1e-400", "'-1e-400' is too small: it would be stored as 0"),
    (ZEROS_THEN_ONE, repr(ZEROS_THEN_ONE[:40]) + "… is too small: it would be stored as 0"),
]
SEED_000_INPUTS = [[0.8, 0.4], [0.3, 0.3]]
CTRL = Qt.KeyboardModifier.ControlModifier


def no_error_dialogs(window) -> None:
    assert not window.findChildren(QMessageBox, "exception_dialog")
    assert not window.findChildren(QMessageBox, "error_dialog")


@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_the_inline_weight_editor(open_window, qtbot, text, problem):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    network, view = window.controller.network, window.network_view
    theta = network.theta.copy()
    double_click_edge(qtbot, view, W5)  # press, release, double-click, release
    editor = view.findChild(QLineEdit, "inline_editor")
    qtbot.waitUntil(editor.isVisible, timeout=2000)
    assert QApplication.focusWidget() is editor and editor.selectedText() == "0.4"
    type_into_focus(qtbot, text)  # replaces the selected old value
    assert editor.text() == text
    press_in_focus(qtbot, Qt.Key.Key_Return)
    assert np.array_equal(network.theta, theta) and window.controller.undo_stack.count() == 0
    message = view.findChild(QLabel, "inline_editor_message")
    assert editor.isVisible() and message.isVisible()
    assert message.text().startswith(f"{W5}: ") and problem in message.text()
    assert message.text().endswith("; the old value is kept")
    press_in_focus(qtbot, Qt.Key.Key_Escape)
    assert not editor.isVisible() and network.get(W5) == 0.4
    no_error_dialogs(window)


@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_a_panel_number_field(open_window, qtbot, text, problem):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    window.settings_dock.raise_()
    field = window.findChild(QLineEdit, "learning_rate_input")
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is field
    press_in_focus(qtbot, Qt.Key.Key_A, CTRL)
    type_into_focus(qtbot, text)
    press_in_focus(qtbot, Qt.Key.Key_Return)
    assert window.controller.stepper.config.learning_rate == 0.5
    assert window.controller.undo_stack.count() == 0
    assert field.text() == "0.5" and "#fdecea" in field.styleSheet()  # old value, in red
    status = window.statusBar().currentMessage()
    assert status.startswith("learning rate: ") and problem in status
    assert status.endswith("; kept 0.5")
    no_error_dialogs(window)


@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_a_data_table_cell(open_window, qtbot, text, problem):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    window.dataset_dock.show()
    window.dataset_dock.raise_()
    table = window.dataset_editor.table
    table.setCurrentIndex(table.model().index(0, 1))
    table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table, timeout=2000)
    press_in_focus(qtbot, Qt.Key.Key_F2)  # opens the cell's editor, its text selected
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit), timeout=2000)
    assert QApplication.focusWidget().text() == "0.4"
    press_in_focus(qtbot, Qt.Key.Key_A, CTRL)
    type_into_focus(qtbot, text)
    press_in_focus(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: problem in window.statusBar().currentMessage(), timeout=2000)
    status = window.statusBar().currentMessage()
    assert status.startswith("_0 x_1: ") and status.endswith("; kept 0.4")
    assert table.state() != QAbstractItemView.State.EditingState
    assert window.controller.stepper.inputs.tolist() == SEED_000_INPUTS
    assert window.controller.undo_stack.count() == 0
    assert table.model().index(0, 1).data() == "0.4"
    no_error_dialogs(window)


@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_a_compare_paste(open_window, qtbot, text, problem):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    dock = window.debugger.docks["compare"]
    dock.show()
    dock.raise_()
    panel = window.debugger.compare
    panel.quantity_box.setCurrentIndex(panel.quantity_box.findData("a^0"))  # the inputs
    pasted = f"0.8 0.4\n0.3 {text}"
    QApplication.clipboard().setText(pasted)
    qtbot.mouseClick(panel.input.viewport(), Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is panel.input
    press_in_focus(qtbot, Qt.Key.Key_V, CTRL)
    qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    message = panel.message.text()
    assert message.startswith("Could not read your a⁰: row 2, column 2: ")
    assert problem in message
    assert panel.input.toPlainText() == pasted  # what was pasted stays, to be corrected
    assert panel.result.rowCount() == 0
    no_error_dialogs(window)


@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_a_csv_file_import(open_window, qtbot, monkeypatch, tmp_path, text, problem):
    window = open_window(SEED_000, show=True, workspace="data")  # the data table's
    path = tmp_path / "points.csv"
    path.write_text(f"x_0,x_1,y_0,y_1\n0.5,0.5,1,0\n0.1,{text},0,1\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(path), ""))
    stepper = window.controller.stepper
    qtbot.mouseClick(window.findChild(QPushButton, "dataset_import"), Qt.MouseButton.LeftButton)
    status = window.statusBar().currentMessage()
    assert status.startswith("Nothing imported: points.csv: line 3, column x_1: ")
    assert problem in status
    assert window.controller.stepper is stepper and window.controller.undo_stack.count() == 0
    assert stepper.inputs.tolist() == SEED_000_INPUTS
    no_error_dialogs(window)


# ------------------------------------------------------------------------- the jog scale
def test_a_negative_jog_scale_is_refused_and_jog_raises_nothing(open_window, qtbot):
    from gui.main_window import install_exception_hook

    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    window.settings_dock.raise_()
    field = window.findChild(QLineEdit, "jog_scale")
    assert "≥ 0" in field.toolTip()
    theta = window.controller.network.theta.copy()
    original = sys.excepthook
    install_exception_hook(window)  # an exception escaping a slot opens its dialog
    try:
        qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
        assert QApplication.focusWidget() is field
        press_in_focus(qtbot, Qt.Key.Key_A, CTRL)
        type_into_focus(qtbot, "-1")
        press_in_focus(qtbot, Qt.Key.Key_Return)
        refusal = window.statusBar().currentMessage()
        refused_theta = window.controller.network.theta.copy()
        refused_style = field.styleSheet()
        qtbot.mouseClick(window.findChild(QPushButton, "jog_button"),
                         Qt.MouseButton.LeftButton)
    finally:
        sys.excepthook = original
    no_error_dialogs(window)  # no "Something went wrong"
    assert refusal == "jog scale: must be ≥ 0, not -1; kept 0.01"
    assert np.array_equal(refused_theta, theta)  # the refusal changed nothing
    assert "#fdecea" in refused_style  # shown in red until the field is left
    assert field.text() == "0.01" and field.value() == 0.01
    # Jog used the scale the field shows
    jogged = window.controller.network.theta
    assert 0 < np.max(np.abs(jogged - theta)) < 0.1  # N(0, 0.01²) noise
    assert window.controller.undo_stack.undoText() == "Jog (scale 0.01, seed 0)"


def test_a_negative_jog_scale_given_another_way_is_a_message(open_window, qtbot):
    """Even a scale that bypassed the field (set in code) never escapes as an exception."""
    window = open_window(SEED_000)
    theta = window.controller.network.theta.copy()
    window.settings.init.jog_scale._value = -1.0
    window.settings.init.jog()
    assert np.array_equal(window.controller.network.theta, theta)
    assert window.statusBar().currentMessage() == \
        "Nothing jogged: jog scale: must be a finite number ≥ 0"
    assert window.controller.undo_stack.count() == 0


def test_a_negative_init_std_is_refused_by_its_field(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    window.settings_dock.raise_()
    init = window.settings.init
    init.scheme.setCurrentText("normal")
    field = window.findChild(QLineEdit, "init_std")
    assert field.isEnabled() and "≥ 0" in field.toolTip()
    spec = window.controller.init_spec
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    press_in_focus(qtbot, Qt.Key.Key_A, CTRL)
    type_into_focus(qtbot, "-0.5")
    press_in_focus(qtbot, Qt.Key.Key_Return)
    assert window.controller.init_spec == spec and field.text() == "1"
    assert window.statusBar().currentMessage() == "init std: must be ≥ 0, not -0.5; kept 1"
