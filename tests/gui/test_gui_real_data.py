"""Real data in the window: Import labelled CSV… (an MNIST-style file, through the editor's
path hook and the real options dialog, answered by clicks) and the digits generator. The
expected numbers are the file written in each test, the digits file read with gzip here."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from gui_helpers import SEED_001_FREE, window_factory
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QPushButton, QSpinBox

from engine.io import generators

SEED_001_INPUTS = [[0.2, 0.9], [0.3, 0.7], [0.4, 0.8], [0.8, 0.9], [0.7, 0.2], [0.1, 0.3]]
SEED_001_TARGETS = [[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]]
MNIST_STYLE = ("label,1x1,1x2,2x1,2x2\n"
               "5,0,0,255,51\n"
               "0,255,255,0,0\n"
               "4,0,102,0,0\n"
               "1,0,0,0,255\n"
               "9,204,0,0,0\n")
PIXELS = [[0, 0, 255, 51], [255, 255, 0, 0], [0, 102, 0, 0], [0, 0, 0, 255], [204, 0, 0, 0]]
LABELS = [5, 0, 4, 1, 9]


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot, workspace="data")


def data(controller) -> tuple[list, list]:
    return controller.stepper.inputs.tolist(), controller.stepper.targets.tolist()


def answer_labelled_dialog(qtbot, seen: list, observations=None, seed=None, accept=True):
    """Answer the modal options dialog from its own event loop, as a person: read it, type
    the observations and seed into their boxes, click OK or Cancel."""
    from gui.views.column_roles import LabelledImportDialog

    def answer(attempt=0):
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LabelledImportDialog):
            if attempt < 200:
                QTimer.singleShot(10, lambda: answer(attempt + 1))
            return
        label = dialog.findChild(QComboBox, "labelled_label")
        classes = dialog.findChild(QSpinBox, "labelled_classes")
        seen.append({"observations": dialog.findChild(QSpinBox, "labelled_observations").value(),
                     "label": label.currentText(), "classes": classes.text(),
                     "scale": dialog.scale_box.isChecked()})
        for name, value in (("labelled_observations", observations), ("labelled_seed", seed)):
            if value is not None:
                box = dialog.findChild(QSpinBox, name)
                box.lineEdit().selectAll()
                qtbot.keyClicks(box.lineEdit(), str(value))
        button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok if accept else
                                       QDialogButtonBox.StandardButton.Cancel)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def test_import_labelled_csv_through_its_dialog(open_window, qtbot, tmp_path):
    window = open_window(SEED_001_FREE, show=True)
    controller, editor = window.controller, window.dataset_editor
    path = tmp_path / "mnist-small.csv"
    path.write_text(MNIST_STYLE)
    editor.ask_labelled_path = lambda: str(path)
    asked: list = []
    editor.confirm_resize = lambda inputs, targets: asked.append((inputs, targets)) or True
    seen: list = []
    answer_labelled_dialog(qtbot, seen, observations=3, seed=2)
    qtbot.mouseClick(window.findChild(QPushButton, "dataset_import_labelled"),
                     Qt.MouseButton.LeftButton)
    assert seen == [{"observations": 5, "label": "label", "classes": "from the labels",
                     "scale": True}]
    assert asked == [(4, 10)]  # 4 pixels; labels up to 9: 10 classes
    rows = sorted(np.random.default_rng(2).choice(5, 3, replace=False).tolist())
    inputs, targets = data(controller)
    assert inputs == [[value / 255 for value in PIXELS[r]] for r in rows]
    assert targets == [[1.0 if j == LABELS[r] else 0.0 for j in range(10)] for r in rows]
    assert controller.network.sizes[0] == 4 and controller.network.sizes[-1] == 10
    assert controller.undo_stack.undoText().startswith(
        "Import mnist-small.csv (3 of 5 observations, seed 2, label label, 10 classes, "
        "pixels scaled to 0–1), network resized to 4-")
    assert editor.summary.text() == "3 observations · 4 inputs · 10 targets"
    controller.undo_stack.undo()
    assert data(controller) == (SEED_001_INPUTS, SEED_001_TARGETS)
    assert controller.network.sizes == [2, 2, 1]


def test_all_rows_unscaled_with_the_options_hook(open_window, tmp_path):
    window = open_window(SEED_001_FREE)
    controller, editor = window.controller, window.dataset_editor
    from gui.views.column_roles import LabelledOptions
    editor.choose_labelled = lambda peek, label: LabelledOptions(0, 12, False, None, 0)
    editor.confirm_resize = lambda inputs, targets: True
    path = tmp_path / "m.csv"
    path.write_text(MNIST_STYLE)
    assert editor.import_labelled_file(path)
    inputs, targets = data(controller)
    assert inputs == PIXELS
    assert targets == np.eye(12)[LABELS].tolist()
    assert controller.undo_stack.undoText().startswith(
        "Import m.csv (5 observations, label label, 12 classes), network resized to 4-")


def test_a_refused_labelled_file_names_line_and_column_and_changes_nothing(
        open_window, qtbot, tmp_path):
    window = open_window(SEED_001_FREE, show=True)
    controller, editor = window.controller, window.dataset_editor
    stepper = controller.stepper
    path = tmp_path / "bad.csv"
    path.write_text(MNIST_STYLE.replace("4,0,102", "4,0,1O2"))
    editor.ask_labelled_path = lambda: str(path)
    seen: list = []
    answer_labelled_dialog(qtbot, seen)
    qtbot.mouseClick(window.findChild(QPushButton, "dataset_import_labelled"),
                     Qt.MouseButton.LeftButton)
    assert len(seen) == 1
    assert window.statusBar().currentMessage() == \
        "Nothing imported: bad.csv: line 4, column 1x2: '1O2' is not a number"
    assert controller.stepper is stepper and controller.undo_stack.count() == 0
    assert data(controller) == (SEED_001_INPUTS, SEED_001_TARGETS)
    # cancelled: asked, nothing changed
    path.write_text(MNIST_STYLE)
    answer_labelled_dialog(qtbot, seen, accept=False)
    qtbot.mouseClick(window.findChild(QPushButton, "dataset_import_labelled"),
                     Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and controller.undo_stack.count() == 0
    assert window.statusBar().currentMessage() == "Nothing imported: bad.csv: cancelled"


def test_generate_the_digits(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    controller, editor = window.controller, window.dataset_editor
    editor.confirm_resize = lambda inputs, targets: True
    editor.generator.setCurrentText("digits")
    assert editor.points.maximum() == 1797 and editor.points.isEnabled()
    for box, value in ((editor.points, 120), (editor.seed, 8)):
        box.lineEdit().selectAll()
        qtbot.keyClicks(box.lineEdit(), str(value))
    qtbot.mouseClick(window.findChild(QPushButton, "dataset_generate"),
                     Qt.MouseButton.LeftButton)
    inputs, targets = controller.stepper.inputs, controller.stepper.targets
    assert inputs.shape == (120, 64) and targets.shape == (120, 10)
    assert controller.network.sizes[0] == 64 and controller.network.sizes[-1] == 10
    # every row is one of the file's images, 0–16 scaled to [0, 1], with its digit
    with gzip.open(generators.DIGITS_CSV, "rt") as file:
        table = np.array([[float(c) for c in line.split(",")] for line in file if line.strip()])
    for image, target in zip(inputs, targets, strict=True):
        match = np.flatnonzero((table[:, :64] == image * 16).all(axis=1))
        assert len(match) >= 1 and table[match[0], 64] == target.argmax()
        assert target.sum() == 1.0
    assert controller.undo_stack.undoText().startswith(
        "Generate digits (seed 8, 120 points), network resized to 64-")
    editor.generator.setCurrentText("spiral")
    assert editor.points.maximum() == 100_000
