"""The training settings' dtype chooser: float32 chosen with the keyboard is an undoable
edit, the parameters go to float32 and back, and a saved file keeps the choice."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_helpers import SEED_000_RANDOM, activate, press_in_focus, trigger, wait_refreshed
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox

from engine.io import fileformat


@pytest.fixture
def open_window(qtbot):
    from gui_helpers import window_factory

    yield from window_factory(qtbot)


def test_choosing_float32_in_the_settings_is_an_undoable_edit(open_window, qtbot, tmp_path):
    window = open_window(SEED_000_RANDOM, show=True)
    activate(qtbot, window)
    controller = window.controller
    trigger(window.action_step_iteration, 2)
    theta = controller.network.theta.copy()
    assert theta.dtype == np.float64
    window.settings_dock.raise_()
    chooser = window.findChild(QComboBox, "dtype_selector")
    assert chooser.currentText() == "float64"
    assert [chooser.itemText(i) for i in range(chooser.count())] == ["float64", "float32"]
    chooser.setFocus(Qt.FocusReason.MouseFocusReason)  # as a click on it gives
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chooser, timeout=2000)
    press_in_focus(qtbot, Qt.Key.Key_Down)  # the next item: float32
    assert controller.stepper.config.dtype == "float32"
    assert controller.network.theta.dtype == np.float32
    assert np.array_equal(controller.network.theta, theta.astype(np.float32))
    assert controller.undo_stack.undoText() == "Set dtype = float32"
    trigger(window.action_step_iteration)
    trace = controller.stepper.trace  # the step computed in float32
    assert trace.activations[1].dtype == trace.gradient.dtype == np.float32
    losses = controller.stepper.history.losses
    assert losses.size == 3 and float(np.float32(losses[2])) == losses[2]
    wait_refreshed(qtbot, window)
    # saved, the file says float32 and reads back as the same float32 numbers
    saved = tmp_path / "float32.json"
    assert window.files.save_file(saved) is True
    written = json.loads(saved.read_text("utf-8"))
    assert written["training"]["dtype"] == "float32"
    document = fileformat.load(saved)
    assert np.array_equal(document.make_stepper().network.theta, controller.network.theta)
    # undo takes the choice back where it was made (the iteration after it with it):
    # float64 again, the parameters as they were
    trigger(window.action_undo)
    assert controller.stepper.config.dtype == "float64"
    assert controller.stepper.iteration == 2
    assert controller.network.theta.dtype == np.float64
    assert np.array_equal(controller.network.theta, theta)
    wait_refreshed(qtbot, window)
    assert chooser.currentText() == "float64"  # the panel shows the setting in force
    trigger(window.action_redo)
    assert controller.stepper.config.dtype == "float32"
    wait_refreshed(qtbot, window)
    assert chooser.currentText() == "float32"
