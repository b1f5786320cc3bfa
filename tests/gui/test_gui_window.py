"""The main window's contract: the default network, the stable object names and shortcuts,
network_state() against the headless CLI, the status labels, opening files, the symmetry
highlight, the observation selector and the --screenshot command line."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
from gui_helpers import (
    EXAMPLES,
    REPO,
    SEED_000,
    SEED_001_FREE,
    activate,
    press_in_focus,
    running_timers,
    sigmoid,
    trigger,
    wait_refreshed,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QMessageBox, QWidget

from engine.core.network import ParameterAddress

DEFAULT_OUTLINE = QColor(90, 90, 90)

# seed 000's own numbers (the question's tables, 7 decimals)
SEED_000_A1 = [0.9002495, 0.8320184]  # a^1 for observations 0 and 1 (every neuron alike)
SEED_000_A3 = [[0.9806908, 0.9806908], [0.9803864, 0.9803864]]
SEED_000_TARGETS = [[0.2, 0.4], [1.0, 0.0]]


def assert_same_state(actual, expected, path="state"):
    """Equal structure; numbers equal to ~1e-12; strings ("inf", "nan") exactly."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert set(actual) == set(expected), f"{path}: keys {set(actual) ^ set(expected)}"
        for key in expected:
            assert_same_state(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for k, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same_state(a, e, f"{path}[{k}]")
    elif isinstance(expected, float) and not isinstance(actual, str):
        assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12), (
            f"{path}: {actual!r} != {expected!r}")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def cli_state(path, steps: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "engine", str(path), "--json", "--trace", "--steps", str(steps)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --------------------------------------------------------------------------- default
def test_default_window_is_seed_000(open_window):
    window = open_window()
    state = window.network_state()
    assert state["iteration"] == 0
    assert [np.shape(w) for w in state["weights"]] == [(2, 3), (3, 3), (3, 2)]
    assert all(np.all(np.array(w) == 1.0) for w in state["weights"])
    assert all(np.all(np.array(b) == 1.0) for b in state["biases"])
    # the seed's forward pass: a^3 and the sse loss Σ (a − y)²
    np.testing.assert_allclose(state["outputs"], SEED_000_A3, atol=5e-8)
    expected_loss = float(np.sum((np.array(SEED_000_A3) - SEED_000_TARGETS) ** 2))
    assert state["loss"] == pytest.approx(expected_loss, abs=5e-7)
    # the view shows that network: 2 + 3 + 3 + 2 neurons, 6 + 9 + 6 edges, 8 bias tags
    view = window.network_view
    assert len(view.neurons) == 10
    assert len(view.edges) == 21
    assert len(view.bias_items) == 8
    assert window.controller.path.name == "seed-000.json"
    assert "seed-000.json" in window.windowTitle()


# ----------------------------------------------------------------- names and shortcuts
WIDGET_NAMES = {
    "network_view": QWidget, "loss_plot": QWidget, "weights_plot": QWidget,
    "symmetry_plot": QWidget, "iteration_label": QLabel, "phase_label": QLabel,
    "learning_rate_input": QLineEdit, "observation_selector": QComboBox,
}
SHORTCUTS = {
    "action_step_phase": "F11",
    "action_step_iteration": "F10",
    "action_run_pause": "F5",
    "action_step_back": "Shift+F10",
    "action_restart": "Ctrl+Shift+F5",
    "action_undo": "Ctrl+Z",
    "action_redo": "Ctrl+Shift+Z",
    "action_run_n": None,
}


def test_object_names_exist(open_window):
    window = open_window()
    for name, kind in WIDGET_NAMES.items():
        assert window.findChild(kind, name) is not None, name
    assert window.findChild(QWidget, "network_view") is window.network_view
    for name in SHORTCUTS:
        assert window.findChild(QAction, name) is not None, name


def test_shortcuts(open_window):
    window = open_window()
    for name, key in SHORTCUTS.items():
        if key is not None:
            action = window.findChild(QAction, name)
            assert QKeySequence(key) in action.shortcuts(), name


def test_f10_key_steps_an_iteration(open_window, qtbot):
    window = open_window(show=True)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert window.controller.stepper.iteration == 1
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.controller.stepper.phase == 1
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert (window.controller.stepper.iteration, window.controller.stepper.phase) == (1, 0)


# --------------------------------------------------------------- network_state vs CLI
@pytest.mark.parametrize(("name", "steps"), [
    ("seed-000.json", 3), ("seed-001-free.json", 5), ("xor.json", 4)])
def test_network_state_matches_cli_after_stepping(open_window, name, steps):
    window = open_window(EXAMPLES / name)
    trigger(window.action_step_iteration, steps)
    assert window.controller.stepper.iteration == steps
    state = window.network_state()
    assert set(state) >= {"iteration", "loss", "outputs", "weights", "biases", "symmetry",
                          "trace"}
    assert_same_state(state, cli_state(EXAMPLES / name, steps))


def test_network_state_matches_cli_after_run(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    controller.run(40)
    qtbot.waitUntil(lambda: not controller.running, timeout=10000)
    assert controller.stepper.iteration == 40
    assert_same_state(window.network_state(), cli_state(SEED_000, 40))


def test_network_state_is_read_only(open_window):
    window = open_window(SEED_000)
    trigger(window.action_step_phase, 3)
    position = (window.controller.stepper.iteration, window.controller.stepper.phase)
    theta = window.controller.network.theta.copy()
    window.network_state()
    assert (window.controller.stepper.iteration, window.controller.stepper.phase) == position
    assert np.array_equal(window.controller.network.theta, theta)


def test_close_stops_every_timer(open_window, qtbot):
    """Closing the window stops everything it started: the run, the refresh timer, and the
    status bar's message timer (a status message was just shown with a timeout)."""
    window = open_window(SEED_000)
    window.controller.run()
    qtbot.waitUntil(lambda: window.controller.stepper.iteration > 0, timeout=5000)
    assert window.open_file(SEED_001_FREE)  # shows "Opened …" for 5 s
    window.controller.run()
    window.close()
    assert not window.controller.running
    assert running_timers(window) == []


def test_no_two_actions_share_a_shortcut(open_window):
    """An ambiguous shortcut triggers nothing (Qt only warns), so every key must be unique."""
    window = open_window()
    seen = {}
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            key = sequence.toString()
            assert key not in seen, f"{key}: {seen.get(key)} and {action.objectName()}"
            seen[key] = action.objectName()


def test_closing_with_unsaved_edits_raises_nothing(qtbot):
    """Deleting a window whose undo stack is not clean must not raise: QUndoStack's
    destructor emits cleanChanged after the controller is gone."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from gui.commands import SetParametersCommand
    from gui.main_window import MainWindow

    window = MainWindow(SEED_000)
    window.controller.undo_stack.push(SetParametersCommand(
        window.controller, [ParameterAddress.weight(0, 0, 1)], [0.25]))
    assert not window.controller.undo_stack.isClean()
    asked = []
    window.files.ask_unsaved = lambda: asked.append(True) or "discard"
    window.close()
    assert asked == [True]  # the unsaved edit was noticed; discarding it let the window go
    with qtbot.captureExceptions() as exceptions:
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert [str(error) for _, error, _ in exceptions] == []


def test_title_marks_unsaved_edits_and_save_round_trips(open_window, qtbot, tmp_path):
    window = open_window(SEED_001_FREE)
    assert window.windowTitle() == "seed-001-free.json — Backprop Lab"
    from gui.commands import SetParametersCommand

    w5 = ParameterAddress.weight(1, 0, 0)
    window.controller.undo_stack.push(SetParametersCommand(window.controller, [w5], [0.75]))
    assert window.windowTitle() == "seed-001-free.json • — Backprop Lab"
    window.action_undo.trigger()
    assert window.windowTitle() == "seed-001-free.json — Backprop Lab"
    window.action_redo.trigger()
    trigger(window.action_step_iteration, 3)
    saved = tmp_path / "trained.json"
    assert window.save_file(saved) is True
    assert window.windowTitle() == "trained.json — Backprop Lab"
    # the file holds the parameters shown: the headless engine reads back the same state
    state = window.network_state()
    from_file = cli_state(saved, 0)
    assert from_file["iteration"] == 3  # the file carries where the run stands
    assert_same_state(from_file, state)


# --------------------------------------------------------------------------- labels
def test_labels_follow_stepping(open_window, qtbot):
    window = open_window(SEED_000)
    assert window.iteration_label.text() == "iteration 0"
    assert window.phase_label.text() == "next: forward layer 1"
    expected = [
        "done: forward layer 1 · next: forward layer 2",
        "done: forward layer 2 · next: forward layer 3",
        "done: forward layer 3 · next: loss",
        "done: loss · next: backward layer 3",
        "done: backward layer 3 · next: backward layer 2",
        "done: backward layer 2 · next: backward layer 1",
        "done: backward layer 1 · next: update",
        "done: update · next: forward layer 1",
    ]
    for text in expected:
        window.action_step_phase.trigger()
        qtbot.waitUntil(lambda text=text: window.phase_label.text() == text, timeout=2000)
    assert window.iteration_label.text() == "iteration 1"
    trigger(window.action_step_iteration, 2)
    qtbot.waitUntil(lambda: window.iteration_label.text() == "iteration 3", timeout=2000)
    window.action_restart.trigger()
    qtbot.waitUntil(lambda: window.iteration_label.text() == "iteration 0", timeout=2000)
    assert window.phase_label.text() == "next: forward layer 1"


def test_the_observation_box_stays_in_place_as_the_phases_pass(open_window, qtbot):
    """Issue 14, point 8: the box jumped sideways as the phase text changed width."""
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    window.network_view.setFocus()
    box = window.observation_selector

    def where() -> int:
        QApplication.processEvents()
        return box.mapTo(window, QPoint()).x()

    first = where()
    texts = set()
    for _ in range(2 * len(window.controller.stepper.phases) + 1):
        press_in_focus(qtbot, Qt.Key.Key_F11)  # Step phase, from the focused graph
        wait_refreshed(qtbot, window)
        texts.add(window.phase_label.text())
        assert where() == first, window.phase_label.text()
    assert len(texts) == len(window.controller.stepper.phases)
    label = window.phase_label  # its longest text fits
    assert all(label.fontMetrics().horizontalAdvance(text) <= label.width() for text in texts)


def test_a_pause_message_goes_once_the_run_moves_on(open_window, qtbot):
    """Issue 14, point 8: "Paused at iteration 1: …" was still in the status bar at 999."""
    from engine.analysis.breakpoint_kinds import IterationReaches

    window = open_window(SEED_000, show=True)
    window.controller.add_breakpoint(IterationReaches(1))
    activate(qtbot, window)
    window.network_view.setFocus()
    press_in_focus(qtbot, Qt.Key.Key_F5)  # Run
    qtbot.waitUntil(lambda: not window.controller.running, timeout=5000)
    assert window.controller.stepper.iteration == 1
    wait_refreshed(qtbot, window)
    assert window.statusBar().currentMessage().startswith("Paused at iteration 1")
    press_in_focus(qtbot, Qt.Key.Key_F11)  # a phase further: the message no longer holds
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "", timeout=2000)
    # a message with a timeout of its own is left to it
    window.show_message("Saved somewhere", 60_000)
    press_in_focus(qtbot, Qt.Key.Key_F11)
    wait_refreshed(qtbot, window)
    assert window.statusBar().currentMessage() == "Saved somewhere"


def test_neuron_labels_show_the_phase_path_values(open_window, qtbot):
    """While an iteration is in progress the graph shows the layers computed so far."""
    window = open_window(SEED_000)
    trigger(window.action_step_phase, 1)
    wait_refreshed(qtbot, window)
    view = window.network_view
    assert view.neurons[(1, 0)].label.text() == f"{SEED_000_A1[0]:.3f}"
    assert view.neurons[(2, 0)].label.text() == ""  # not computed yet
    trigger(window.action_step_phase, 1)
    wait_refreshed(qtbot, window)
    assert view.neurons[(2, 0)].label.text() == "0.976"  # the seed's a^2 = 0.9758906


# -------------------------------------------------------------------------- opening
MALFORMED = {
    "not_json.json": "{ this is not json",
    "wrong_shape.json": json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": [2, 1], "activations": ["sigmoid"], "bias": False,
                    "weights": [[[1.0, 2.0], [3.0, 4.0]]]},
        "data": {"inputs": [[0.0, 1.0]], "targets": [[1.0]]},
        "training": {"loss": "sse", "optimizer": "gd", "learning_rate": 0.5}}),
    "empty.json": "",
}


def test_open_malformed_file_keeps_the_work(open_window, qtbot, tmp_path):
    window = open_window(SEED_000, show=True)
    trigger(window.action_step_iteration, 2)
    window.controller.apply_values([ParameterAddress.weight(0, 0, 0)], [0.25])
    before = window.network_state()
    undo_count = window.controller.undo_stack.count()
    stepper = window.controller.stepper
    for name in sorted(MALFORMED) + ["missing.json"]:
        path = tmp_path / name
        if name in MALFORMED:
            path.write_text(MALFORMED[name])
        assert window.open_file(path) is False, name
        box = window.findChild(QMessageBox, "error_dialog")
        assert box is not None and box.isVisible(), name
        assert name in box.text()
        assert window.last_error and name in window.last_error
        # the current work is untouched
        assert window.controller.stepper is stepper
        assert window.controller.path == SEED_000
        assert window.controller.undo_stack.count() == undo_count
        assert_same_state(window.network_state(), before)
        box.close()
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "error_dialog") is None,
                        timeout=2000)  # closed and deleted (WA_DeleteOnClose)
    wait_refreshed(qtbot, window)
    assert window.iteration_label.text() == "iteration 2"


def test_open_valid_file_replaces_the_network(open_window, qtbot):
    window = open_window(SEED_000)
    trigger(window.action_step_iteration, 2)
    assert window.open_file(SEED_001_FREE) is True
    assert window.controller.stepper.iteration == 0
    assert window.controller.undo_stack.count() == 0
    assert_same_state(window.network_state(), cli_state(SEED_001_FREE, 0))
    assert len(window.network_view.neurons) == 5
    assert len(window.network_view.edges) == 6
    wait_refreshed(qtbot, window)
    assert window.iteration_label.text() == "iteration 0"
    assert "seed-001-free.json" in window.windowTitle()
    assert window.observation_selector.count() == 7  # "all" and six observations
    assert "layer 1: 2 neurons, 2 distinct" in window.symmetry_label.text()


# ----------------------------------------------------------------- symmetry highlight
def test_symmetry_highlight_on_seed_000(open_window, qtbot):
    window = open_window(SEED_000)
    wait_refreshed(qtbot, window)
    view = window.network_view
    for layer in (1, 2):
        colours = {view.neurons[(layer, j)].pen().color().name() for j in range(3)}
        assert len(colours) == 1, f"layer {layer} outlines differ: {colours}"
        assert colours != {DEFAULT_OUTLINE.name()}
    # the output neurons are also interchangeable in seed 000 (same weights in and bias)
    outputs = {view.neurons[(3, j)].pen().color().name() for j in range(2)}
    assert len(outputs) == 1 and outputs != {DEFAULT_OUTLINE.name()}
    # input neurons carry the data: never grouped
    assert view.neurons[(0, 0)].pen().color() == DEFAULT_OUTLINE
    label = window.findChild(QLabel, "symmetry_label")
    assert "layer 1: 3 neurons, 1 distinct" in label.text()
    assert "layer 2: 3 neurons, 1 distinct" in label.text()


def test_no_symmetry_highlight_on_seed_001_free(open_window, qtbot):
    window = open_window(SEED_001_FREE)
    wait_refreshed(qtbot, window)
    view = window.network_view
    assert view.neurons[(1, 0)].pen().color() == DEFAULT_OUTLINE
    assert view.neurons[(1, 1)].pen().color() == DEFAULT_OUTLINE
    assert "layer 1: 2 neurons, 2 distinct" in window.symmetry_label.text()


def test_highlight_follows_an_edit_that_breaks_symmetry(open_window, qtbot):
    window = open_window(SEED_000)
    window.controller.apply_values([ParameterAddress.weight(0, 0, 2)], [0.5])
    wait_refreshed(qtbot, window)
    view = window.network_view
    assert view.neurons[(1, 0)].pen().color() == view.neurons[(1, 1)].pen().color()
    assert view.neurons[(1, 2)].pen().color() == DEFAULT_OUTLINE
    assert "layer 1: 3 neurons, 2 distinct" in window.symmetry_label.text()


# --------------------------------------------------------------- observation selector
def test_observation_selector_changes_the_fill(open_window, qtbot):
    from gui.views.graph_items import activation_colour

    window = open_window(SEED_000, show=True)
    wait_refreshed(qtbot, window)
    neuron = window.network_view.neurons[(1, 0)]
    a1 = [sigmoid(1 + 0.8 + 0.4), sigmoid(1 + 0.3 + 0.3)]  # n^1 = 2.2 and 1.6
    np.testing.assert_allclose(a1, SEED_000_A1, atol=5e-8)
    assert neuron.brush().color() == activation_colour(a1[0])
    assert neuron.label.text() == f"{a1[0]:.3f}"
    selector = window.findChild(QComboBox, "observation_selector")
    assert selector.count() == 3  # "all" and the two observations
    selector.setFocus()
    qtbot.keyClick(selector, Qt.Key.Key_Down)
    qtbot.keyClick(selector, Qt.Key.Key_Down)
    assert selector.currentIndex() == 2
    assert neuron.brush().color() == activation_colour(a1[1])
    assert neuron.brush().color() != activation_colour(a1[0])
    assert neuron.label.text() == f"{a1[1]:.3f}"
    # the choice survives the next redraw
    window.action_step_iteration.trigger()
    wait_refreshed(qtbot, window)
    value = window.controller.display_trace().activations[1][1, 0]
    assert neuron.brush().color() == activation_colour(value)


# ------------------------------------------------------------------------ screenshot
def test_screenshot_command_line(tmp_path):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "app.py", str(SEED_000), "--screenshot", str(out), "--steps", "5"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 300


def test_app_without_its_gui_packages_says_what_is_missing(tmp_path):
    # a PySide6 that cannot be imported, ahead of the installed one on the path
    (tmp_path / "PySide6").mkdir()
    (tmp_path / "PySide6" / "__init__.py").write_text(
        'raise ImportError("No module named PySide6 (hidden by the test)")\n', encoding="utf-8")
    out = tmp_path / "x.png"
    result = subprocess.run(
        [sys.executable, str(REPO / "app.py"), "--screenshot", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 2
    assert "cannot start" in result.stderr and "PySide6" in result.stderr
    assert "pip install -e ." in result.stderr
    assert not out.exists()


def test_selection_marks_neurons_and_biases(open_window):
    from gui.views.graph_items import BIAS_PEN, SELECTED_BIAS_PEN

    view = open_window().network_view
    neuron = view.neurons[(1, 0)]
    bias = next(iter(view.bias_items.values()))
    assert neuron.childItems() == [] or all(
        child.pen().style() != Qt.PenStyle.DashLine for child in neuron.childItems())
    neuron.setSelected(True)
    bias.setSelected(True)
    rings = [child for child in neuron.childItems()
             if hasattr(child, "pen") and child.pen().style() == Qt.PenStyle.DashLine]
    assert len(rings) == 1 and rings[0].rect().width() > neuron.rect().width()
    assert bias.pen() == SELECTED_BIAS_PEN
    neuron.setSelected(False)
    bias.setSelected(False)
    assert not any(hasattr(child, "pen") and child.pen().style() == Qt.PenStyle.DashLine
                   for child in neuron.childItems())
    assert bias.pen() == BIAS_PEN
