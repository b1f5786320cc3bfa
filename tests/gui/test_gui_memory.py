"""No MemoryError escapes the window (issue 12, point 8): data or structure that would not
fit the memory budget is refused with the figures and the work stays; a step that runs out
of memory anyway pauses with a message; an escaped MemoryError gets a dialog that says what
happened, not "something went wrong". (Opening such a file: test_gui_files.py's bad files.)
The budget is set to 8 GiB so that the figures are the same on every machine."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SEED_000, make_controller
from PySide6.QtWidgets import QMessageBox

from engine.core.init import InitSpec, initialise
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io.fileformat import Document


@pytest.fixture(autouse=True)
def budget(monkeypatch):
    monkeypatch.setenv("BACKPROP_LAB_MEMORY_BUDGET", "8G")


def wide(observations: int) -> Document:
    """1-4096-300-1: fits 8 GiB with a thousand observations, not with a hundred thousand."""
    network = Network([1, 4096, 300, 1], ["tanh", "tanh", "linear"])
    initialise(network, InitSpec("he_normal", 0))
    rng = np.random.default_rng(0)
    return Document(network, rng.normal(size=(observations, 1)),
                    rng.normal(size=(observations, 1)), TrainingConfig(learning_rate=0.01))


def test_importing_data_that_would_not_fit_is_refused_and_nothing_changes(qtbot, tmp_path):
    from gui.views.dataset_editor import DatasetEditor

    controller = make_controller(qtbot, wide(1000))
    editor = DatasetEditor(controller)
    qtbot.addWidget(editor)
    messages: list[str] = []
    controller.message_posted.connect(messages.append)
    stepper, inputs = controller.stepper, controller.stepper.inputs.copy()
    path = tmp_path / "many.csv"
    path.write_text("x,y\n" + "0.5,1\n" * 100_000)
    assert not editor.import_file(path)
    assert controller.stepper is stepper and np.array_equal(stepper.inputs, inputs)
    assert controller.undo_stack.count() == 0
    assert "100,000 observations through 4,398 neurons" in messages[-1]
    assert "more than the 8.0 GiB this app allows itself" in messages[-1]


def test_a_step_that_runs_out_of_memory_pauses_with_a_message(open_window, qtbot, monkeypatch):
    window = open_window(SEED_000)
    controller = window.controller
    messages: list[str] = []
    controller.message_posted.connect(messages.append)
    trigger_count = []

    def starved(*args, **kwargs):
        trigger_count.append(1)
        raise MemoryError

    monkeypatch.setattr(controller.stepper, "step_iteration", starved)
    window.action_step_iteration.trigger()
    assert trigger_count == [1]
    assert messages[-1].startswith("Not enough memory for that step: paused")
    assert not controller.running
    assert window.findChild(QMessageBox, "exception_dialog") is None
    monkeypatch.undo()
    window.action_step_iteration.trigger()  # and the work goes on
    assert controller.stepper.iteration == 1


def test_an_escaped_memory_error_is_named_as_such(open_window, qtbot):
    window = open_window(SEED_000)
    try:
        raise MemoryError
    except MemoryError as error:
        window.show_exception(MemoryError, error, "details")
    box = window.findChild(QMessageBox, "exception_dialog")
    assert box.windowTitle() == "Not enough memory"
    assert "not enough memory" in box.text() and "Your work is untouched" in box.text()
    box.close()
