"""The data set editor over a LabController: cell edits, rows, CSV import and export and
generators all become named, undoable data edits; refusals post a message and change
nothing. Expected numbers are the example files' data and hand-written tables."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SEED_000, SEED_001_FREE, make_controller, scheduled
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from engine.io import fileformat, generators

SEED_000_INPUTS = [[0.8, 0.4], [0.3, 0.3]]
SEED_000_TARGETS = [[0.2, 0.4], [1.0, 0.0]]
SEED_001_INPUTS = [[0.2, 0.9], [0.3, 0.7], [0.4, 0.8], [0.8, 0.9], [0.7, 0.2], [0.1, 0.3]]
SEED_001_TARGETS = [[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]]


@pytest.fixture
def make_editor(qtbot):
    """``make_editor(path) -> (controller, editor, messages)``."""
    from gui.views.dataset_editor import DatasetEditor

    def make(path=SEED_000):
        controller = make_controller(qtbot, fileformat.load(path), path)
        editor = DatasetEditor(controller)
        qtbot.addWidget(editor)
        scheduled(controller, {"dataset_editor": editor})  # reloads it as the window does
        messages: list[str] = []
        controller.message_posted.connect(messages.append)
        return controller, editor, messages
    return make


def data(controller) -> tuple[list, list]:
    return controller.stepper.inputs.tolist(), controller.stepper.targets.tolist()


def shown(editor, row: int, column: int) -> str:
    return editor.model.index(row, column).data()


def select_rows(editor, rows) -> None:
    selection = editor.table.selectionModel()
    for row in rows:
        selection.select(editor.model.index(row, 1), QItemSelectionModel.SelectionFlag.Select)


# ------------------------------------------------------------------------- the table
def test_the_table_shows_the_data_in_the_seed_notation(make_editor):
    controller, editor, _ = make_editor()
    model = editor.model
    assert editor.findChild(QTableView, "dataset_table") is editor.table
    assert (model.rowCount(), model.columnCount()) == (2, 4)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == \
        ["x_0", "x_1", "y_0", "y_1"]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(2)] == \
        ["o = 0", "o = 1"]
    table = [[shown(editor, r, c) for c in range(4)] for r in range(2)]
    assert table == [["0.8", "0.4", "0.2", "0.4"], ["0.3", "0.3", "1", "0"]]
    assert model.index(1, 2).data(Qt.ItemDataRole.EditRole) == "1.0"
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).startswith("_0 x_1 = 0.4")
    assert editor.summary.text() == "2 observations · 2 inputs · 2 targets"


def test_every_control_has_a_tooltip(make_editor):
    _, editor, _ = make_editor()
    for name in ("dataset_add_row", "dataset_remove_rows", "dataset_import", "dataset_export",
                 "dataset_generate"):
        button = editor.findChild(QPushButton, name)
        assert button is not None and button.toolTip(), name
    for widget in (editor.generator, editor.points, editor.seed, editor.table):
        assert widget.toolTip()


# ------------------------------------------------------------------------- cell edits
def test_edit_a_cell_and_undo_it(make_editor):
    controller, editor, _ = make_editor()
    assert editor.model.setData(editor.model.index(0, 1), "0.5")
    assert data(controller) == ([[0.8, 0.5], [0.3, 0.3]], SEED_000_TARGETS)
    assert controller.undo_stack.undoText() == "Set _0 x_1 = 0.5"
    assert shown(editor, 0, 1) == "0.5"
    controller.undo_stack.undo()
    assert data(controller) == (SEED_000_INPUTS, SEED_000_TARGETS)
    assert shown(editor, 0, 1) == "0.4"
    controller.undo_stack.redo()
    assert data(controller) == ([[0.8, 0.5], [0.3, 0.3]], SEED_000_TARGETS)


def test_edit_a_target_cell(make_editor):
    controller, editor, _ = make_editor()
    assert editor.model.setData(editor.model.index(1, 3), "−0.25")  # y_1 of o = 1
    assert data(controller) == (SEED_000_INPUTS, [[0.2, 0.4], [1.0, -0.25]])
    assert controller.undo_stack.undoText() == "Set _1 y_1 = -0.25"


def test_edit_through_the_view_with_the_keyboard(make_editor, qtbot):
    controller, editor, _ = make_editor()
    editor.show()
    qtbot.waitExposed(editor)
    index = editor.model.index(1, 0)
    editor.table.setCurrentIndex(index)
    editor.table.edit(index)
    line_edit = editor.table.findChild(QLineEdit)
    assert line_edit is not None and line_edit.text() == "0.3"
    line_edit.selectAll()
    qtbot.keyClicks(line_edit, "1.25")
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)  # the delegate commits in a queued call
    qtbot.waitUntil(lambda: controller.undo_stack.count() == 1, timeout=2000)
    assert data(controller) == ([[0.8, 0.4], [1.25, 0.3]], SEED_000_TARGETS)
    assert controller.undo_stack.undoText() == "Set _1 x_0 = 1.25"
    assert editor.table.state() != QAbstractItemView.State.EditingState
    assert shown(editor, 1, 0) == "1.25"


@pytest.mark.parametrize("text, reason", [
    ("abc", "'abc' is not a number"),
    ("nan", "'nan' is not a finite number"),
    ("1e13", "'1e13' is too large"),
    ("2*3", "'2*3' is not a number"),
])
def test_a_bad_entry_is_refused_and_the_old_value_kept(make_editor, text, reason):
    controller, editor, messages = make_editor()
    stepper = controller.stepper
    assert not editor.model.setData(editor.model.index(0, 1), text)
    assert controller.stepper is stepper and controller.undo_stack.count() == 0
    assert data(controller) == (SEED_000_INPUTS, SEED_000_TARGETS)
    assert shown(editor, 0, 1) == "0.4"
    assert len(messages) == 1
    assert messages[0].startswith(f"_0 x_1: {reason}") and messages[0].endswith("; kept 0.4")


def test_the_same_value_makes_no_edit(make_editor):
    controller, editor, messages = make_editor()
    assert editor.model.setData(editor.model.index(0, 0), " 0.80 ")
    assert controller.undo_stack.count() == 0 and messages == []


# ------------------------------------------------------------------------- rows
def test_add_a_row_and_undo_it(make_editor):
    controller, editor, _ = make_editor()
    assert editor.add_row()
    assert controller.undo_stack.undoText() == "Add observation 2"
    assert data(controller) == (SEED_000_INPUTS + [[0.0, 0.0]], SEED_000_TARGETS + [[0, 0]])
    assert editor.model.rowCount() == 3 and editor.table.currentIndex().row() == 2
    assert editor.summary.text() == "3 observations · 2 inputs · 2 targets"
    controller.undo_stack.undo()
    assert data(controller) == (SEED_000_INPUTS, SEED_000_TARGETS)
    assert editor.model.rowCount() == 2


def test_add_row_by_the_button(make_editor, qtbot):
    controller, editor, _ = make_editor(SEED_001_FREE)
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert len(controller.stepper.inputs) == 7
    assert controller.undo_stack.undoText() == "Add observation 6"


def test_remove_the_selected_rows(make_editor):
    controller, editor, _ = make_editor(SEED_001_FREE)
    select_rows(editor, [2, 1])
    assert editor.selected_rows() == [1, 2]
    assert editor.remove_rows()
    assert controller.undo_stack.undoText() == "Remove observations 1, 2"
    kept = [0, 3, 4, 5]
    assert data(controller) == ([SEED_001_INPUTS[o] for o in kept],
                                [SEED_001_TARGETS[o] for o in kept])
    assert editor.model.rowCount() == 4
    controller.undo_stack.undo()
    assert data(controller) == (SEED_001_INPUTS, SEED_001_TARGETS)


def test_remove_one_row_names_it_in_the_singular(make_editor):
    controller, editor, _ = make_editor(SEED_001_FREE)
    assert editor.remove_rows([5])
    assert controller.undo_stack.undoText() == "Remove observation 5"
    assert data(controller) == (SEED_001_INPUTS[:5], SEED_001_TARGETS[:5])


def test_removing_every_row_is_refused(make_editor):
    controller, editor, messages = make_editor()
    editor.table.selectAll()
    assert not editor.remove_rows()
    assert messages == ["Nothing removed: the data needs at least one observation"]
    assert data(controller) == (SEED_000_INPUTS, SEED_000_TARGETS)
    assert controller.undo_stack.count() == 0


def test_remove_with_nothing_selected_says_so(make_editor):
    controller, editor, messages = make_editor()
    assert not editor.remove_rows()
    assert messages == ["Select a cell of each observation to remove"]
    assert controller.undo_stack.count() == 0


# ------------------------------------------------------------------------- import
def test_import_a_good_csv(make_editor):
    controller, editor, _ = make_editor(SEED_001_FREE)
    assert editor.import_text("x1,x2,y\n0.1,0.2,1\n0.3,0.4,0\n0.5,0.6,1\n", "good.csv")
    assert data(controller) == ([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[1.0], [0.0], [1.0]])
    assert controller.undo_stack.undoText() == "Import good.csv (3 observations)"
    assert editor.model.rowCount() == 3
    controller.undo_stack.undo()
    assert data(controller) == (SEED_001_INPUTS, SEED_001_TARGETS)
    assert editor.model.rowCount() == 6


def test_import_a_ragged_csv_changes_nothing(make_editor):
    controller, editor, messages = make_editor(SEED_001_FREE)
    stepper = controller.stepper
    assert not editor.import_text("x1,x2,y\n0.1,0.2,1\n0.3,0.4\n", "ragged.csv")
    assert messages == ["Nothing imported: ragged.csv: line 3 has 2 cells, the header has 3"]
    assert controller.stepper is stepper and controller.undo_stack.count() == 0


def test_import_a_bad_number_names_line_and_column(make_editor):
    controller, editor, messages = make_editor(SEED_001_FREE)
    assert not editor.import_text("x1,x2,y\n0.1,0.2,1\n0.3,zero,0\n", "bad.csv")
    assert messages == ["Nothing imported: bad.csv: line 3, column x2: 'zero' is not a number"]
    assert controller.undo_stack.count() == 0


def test_import_of_other_widths_answering_yes_resizes_the_network(make_editor):
    controller, editor, _ = make_editor(SEED_000)
    old = controller.network.copy()
    asked = []
    editor.confirm_resize = lambda inputs, targets: asked.append((inputs, targets)) or True
    assert editor.import_text("a,b,c,y\n1,2,3,0\n4,5,6,1\n", "three.csv")
    assert asked == [(3, 1)]
    network = controller.network
    assert network.sizes == [3, 3, 3, 1]
    assert data(controller) == ([[1, 2, 3], [4, 5, 6]], [[0], [1]])
    # seed 000's weights are all 1: the kept ones stay 1 (hidden layer untouched)
    np.testing.assert_array_equal(network.weights[0][:2], old.weights[0])
    np.testing.assert_array_equal(network.weights[1], old.weights[1])
    np.testing.assert_array_equal(network.weights[2], old.weights[2][:, :1])
    assert controller.undo_stack.undoText() == \
        "Import three.csv (2 observations), network resized to 3-3-3-1"
    assert editor.model.columnCount() == 4
    assert [editor.model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == \
        ["x_0", "x_1", "x_2", "y_0"]
    controller.undo_stack.undo()
    assert controller.network.sizes == [2, 3, 3, 2]
    np.testing.assert_array_equal(controller.network.theta, old.theta)
    assert data(controller) == (SEED_000_INPUTS, SEED_000_TARGETS)
    assert editor.model.columnCount() == 4 and editor.model.rowCount() == 2


def test_import_of_other_widths_answering_no_changes_nothing(make_editor):
    controller, editor, messages = make_editor(SEED_000)
    stepper = controller.stepper
    editor.confirm_resize = lambda inputs, targets: False
    assert not editor.import_text("a,b,c,y\n1,2,3,0\n", "three.csv")
    assert controller.stepper is stepper and controller.undo_stack.count() == 0
    assert controller.network.sizes == [2, 3, 3, 2]
    assert messages == ["Nothing changed: the data has 3 inputs and 1 target, the network "
                        "2 inputs and 2 outputs"]


def test_import_a_file_from_disk(make_editor, tmp_path):
    controller, editor, messages = make_editor(SEED_001_FREE)
    path = tmp_path / "points.csv"
    path.write_bytes("\ufeffx_0,x_1,y_0\r\n−1,2,1\r\n".encode())
    assert editor.import_file(path)
    assert data(controller) == ([[-1.0, 2.0]], [[1.0]])
    assert controller.undo_stack.undoText() == "Import points.csv (1 observation)"
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"x,y\n\xe9,1\n")
    assert not editor.import_file(bad)
    assert messages[-1] == (f"Nothing imported: {bad}: not UTF-8 text (byte 0xe9 at "
                            "offset 4)")
    assert not editor.import_file(tmp_path / "missing.csv")
    assert messages[-1].startswith(f"Nothing imported: {tmp_path / 'missing.csv'}: ")
    assert data(controller) == ([[-1.0, 2.0]], [[1.0]])


# ------------------------------------------------------------- import: which columns are targets
PEOPLE = "age,years,salary\n30,5,1000\n40,15,2000\n"


def answer_roles_dialog(qtbot, choices: dict, accept: bool, seen: list) -> None:
    """Answer the modal roles dialog from inside its event loop: record what it shows, set
    ``choices`` ({column: role}) and press OK (``accept``) or Cancel."""
    from gui.views.column_roles import ColumnRolesDialog

    def answer(attempt=0):
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ColumnRolesDialog):
            if attempt < 200:
                QTimer.singleShot(10, lambda: answer(attempt + 1))
            return
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.append({"name": dialog.objectName(), "roles": dialog.roles(),
                     "question": dialog.findChild(QLabel, "column_roles_question").text(),
                     "note": dialog.note.text(), "ok": ok.isEnabled()})
        for name, role in choices.items():
            dialog.combos[name].setCurrentText(role)
        seen.append({"note": dialog.note.text(), "ok": ok.isEnabled()})
        button = ok if accept else dialog.buttons.button(
            QDialogButtonBox.StandardButton.Cancel)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def import_by_the_button(qtbot, window, monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(path), ""))
    qtbot.mouseClick(window.findChild(QPushButton, "dataset_import"), Qt.MouseButton.LeftButton)


def test_an_ambiguous_column_is_asked_about_and_salary_made_the_target(
        open_window, qtbot, monkeypatch, tmp_path):
    window = open_window(SEED_001_FREE, show=True, workspace="data")
    controller = window.controller
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    seen: list = []
    answer_roles_dialog(qtbot, {"salary": "target"}, True, seen)
    import_by_the_button(qtbot, window, monkeypatch, path)
    asked, chosen = seen
    assert asked["name"] == "column_roles_dialog"
    assert "people.csv" in asked["question"] and "years" in asked["question"]
    # years is preset to input (a y-word); with no target yet, OK waits
    assert asked["roles"] == {"age": "input", "years": "input", "salary": "input"}
    assert asked["note"] == "Choose at least one target column." and not asked["ok"]
    assert chosen == {"note": "", "ok": True}
    assert data(controller) == ([[30, 5], [40, 15]], [[1000], [2000]])
    assert controller.undo_stack.undoText() == "Import people.csv (2 observations)"
    controller.undo_stack.undo()
    assert data(controller) == (SEED_001_INPUTS, SEED_001_TARGETS)


def test_cancelling_the_roles_question_changes_nothing(open_window, qtbot, monkeypatch,
                                                       tmp_path):
    window = open_window(SEED_001_FREE, show=True, workspace="data")
    controller = window.controller
    stepper = controller.stepper
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    seen: list = []
    answer_roles_dialog(qtbot, {"years": "target"}, False, seen)
    import_by_the_button(qtbot, window, monkeypatch, path)
    assert len(seen) == 2  # it was asked
    assert controller.stepper is stepper and controller.undo_stack.count() == 0
    assert data(controller) == (SEED_001_INPUTS, SEED_001_TARGETS)
    assert window.statusBar().currentMessage() == \
        "Nothing imported: people.csv: no roles chosen for years"


def test_years_chosen_as_the_target(make_editor, qtbot):
    controller, editor, _ = make_editor(SEED_001_FREE)
    seen: list = []
    answer_roles_dialog(qtbot, {"years": "target"}, True, seen)
    assert editor.import_text(PEOPLE, "people.csv")
    assert data(controller) == ([[30, 1000], [40, 2000]], [[5], [15]])


def test_roles_chosen_then_the_network_resized(make_editor):
    controller, editor, _ = make_editor(SEED_001_FREE)
    asked = []
    editor.choose_roles = lambda error, label: asked.append((error.columns, label)) or {
        "age": "input", "years": "target", "salary": "target"}
    editor.confirm_resize = lambda inputs, targets: asked.append((inputs, targets)) or True
    assert editor.import_text(PEOPLE, "people.csv")
    assert asked == [(["years"], "people.csv"), (1, 2)]
    assert controller.network.sizes == [1, 2, 2]
    assert data(controller) == ([[30], [40]], [[5, 1000], [15, 2000]])


def test_clear_names_are_not_asked_about(make_editor):
    controller, editor, _ = make_editor(SEED_001_FREE)
    editor.choose_roles = lambda error, label: pytest.fail("asked about clear names")
    assert editor.import_text("x_0,x_1,Y\n1,2,3\n", "clear.csv")
    assert data(controller) == ([[1, 2]], [[3]])


# ------------------------------------------------------------------------- export
def test_export_writes_the_data_exactly(make_editor, tmp_path):
    controller, editor, messages = make_editor(SEED_000)
    editor.model.setData(editor.model.index(0, 0), "0.1")
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    assert editor.export_to(path)
    assert path.read_text() == "x_0,x_1,y_0,y_1\n0.1,0.4,0.2,0.4\n0.3,0.3,1.0,0.0\n"
    assert messages[-1] == f"Exported 2 observations to {path}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_export_to_a_missing_folder_says_so(make_editor, tmp_path):
    _, editor, messages = make_editor()
    path = tmp_path / "no" / "out.csv"
    assert not editor.export_to(path)
    assert messages[-1].startswith(f"Could not export to {path}: ")


# ------------------------------------------------------------------------- generate
def test_generate_a_spiral(make_editor):
    controller, editor, _ = make_editor(SEED_001_FREE)
    editor.generator.setCurrentText("spiral")
    editor.points.setValue(50)
    editor.seed.setValue(3)
    assert editor.generate()
    assert controller.undo_stack.undoText() == "Generate spiral (seed 3, 50 points)"
    inputs, targets = controller.stepper.inputs, controller.stepper.targets
    assert inputs.shape == (50, 2) and targets[:, 0].tolist() == [0.0, 1.0] * 25
    expected = generators.spiral(50, 3)  # the engine's generator is tested in test_datasets
    assert np.array_equal(inputs, expected[0])
    assert editor.model.rowCount() == 50
    controller.undo_stack.undo()
    assert data(controller) == (SEED_001_INPUTS, SEED_001_TARGETS)


def test_generate_xor_on_seed_000_resizes_the_output_after_asking(make_editor):
    controller, editor, _ = make_editor(SEED_000)
    editor.generator.setCurrentText("xor")
    assert not editor.points.isEnabled() and not editor.seed.isEnabled()
    asked = []
    editor.confirm_resize = lambda inputs, targets: asked.append((inputs, targets)) or True
    assert editor.generate()
    assert asked == [(2, 1)]
    assert controller.network.sizes == [2, 3, 3, 1]
    assert data(controller) == ([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]])
    assert controller.undo_stack.undoText() == \
        "Generate xor (4 points), network resized to 2-3-3-1"


def test_generate_seed_000_data(make_editor):
    controller, editor, _ = make_editor(SEED_000)
    editor.model.setData(editor.model.index(0, 0), "5")
    editor.generator.setCurrentText("seed 000")
    assert editor.generate()
    assert data(controller) == (SEED_000_INPUTS, SEED_000_TARGETS)


def test_generate_button_is_wired(make_editor, qtbot):
    controller, editor, _ = make_editor(SEED_001_FREE)
    editor.generator.setCurrentText("circles")
    assert editor.points.isEnabled() and editor.seed.isEnabled()
    editor.points.setValue(10)
    qtbot.mouseClick(editor.generate_button, Qt.MouseButton.LeftButton)
    assert controller.stepper.inputs.shape == (10, 2)
    assert controller.undo_stack.undoText() == "Generate circles (seed 0, 10 points)"


# ------------------------------------------------------------------- following the controller
def test_the_table_follows_a_loaded_document(make_editor):
    controller, editor, _ = make_editor(SEED_000)
    controller.load(fileformat.load(SEED_001_FREE), SEED_001_FREE)
    assert (editor.model.rowCount(), editor.model.columnCount()) == (6, 3)
    assert [shown(editor, 3, c) for c in range(3)] == ["0.8", "0.9", "0"]
    assert editor.summary.text() == "6 observations · 2 inputs · 1 target"


def test_ten_thousand_rows_need_no_widgets(make_editor, qtbot):
    controller, editor, _ = make_editor(SEED_001_FREE)
    editor.show()
    qtbot.waitExposed(editor)
    before = len(editor.findChildren(QWidget))
    inputs = np.column_stack([np.arange(10_000) / 10, -np.arange(10_000) / 100])
    targets = (np.arange(10_000) % 2)[:, None].astype(float)
    assert controller.replace_stepper("Big data", inputs=inputs, targets=targets)
    assert editor.model.rowCount() == 10_000
    assert [shown(editor, 9_999, c) for c in range(3)] == ["999.9", "-99.99", "1"]
    editor.table.scrollToBottom()
    assert len(editor.findChildren(QWidget)) == before
