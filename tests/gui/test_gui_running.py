"""Running, pausing, stepping back and restarting, and the plots that follow them."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import (
    SEED_000,
    SEED_000_RANDOM,
    SEED_001_FREE,
    W5,
    activate,
    reference_descent,
    trigger,
    wait_refreshed,
)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from engine.core.network import ParameterAddress

SEED_000_ONES = ([np.ones((2, 3)), np.ones((3, 3)), np.ones((3, 2))],
                 [np.ones(3), np.ones(3), np.ones(2)])


def run_and_wait(qtbot, controller, iterations: int) -> None:
    controller.run(iterations)
    qtbot.waitUntil(lambda: not controller.running, timeout=20000)


def plain(text: str) -> str:
    return text.replace("&", "")


# ------------------------------------------------------------------------ run, pause
def test_run_then_pause(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    assert plain(window.action_run_pause.text()) == "Run"
    with qtbot.waitSignal(controller.run_state_changed, timeout=2000) as started:
        window.action_run_pause.trigger()
    assert started.args == [True]
    assert controller.running
    assert plain(window.action_run_pause.text()) == "Pause"
    qtbot.waitUntil(lambda: controller.stepper.iteration > 0, timeout=5000)
    qtbot.waitUntil(lambda: window.iteration_label.text() != "iteration 0", timeout=5000)
    with qtbot.waitSignal(controller.run_state_changed, timeout=2000) as stopped:
        window.action_run_pause.trigger()
    assert stopped.args == [False]
    assert controller.running is False
    assert plain(window.action_run_pause.text()) == "Run"
    paused_at = controller.stepper.iteration
    theta = controller.network.theta.copy()
    for _ in range(20):
        QApplication.processEvents()  # a timer still running would step now
    assert controller.stepper.iteration == paused_at
    assert np.array_equal(controller.network.theta, theta)
    wait_refreshed(qtbot, window)
    assert window.iteration_label.text() == f"iteration {paused_at}"
    # the run is the same gradient descent as stepping: compare with the reference
    weights, biases, _ = reference_descent(*SEED_000_ONES, controller.stepper.inputs,
                                           controller.stepper.targets, "sse", 0.5, paused_at)
    for actual, expected in zip(controller.network.weights, weights, strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_f5_runs_and_pauses(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    controller = window.controller
    qtbot.keyClick(window.network_view, Qt.Key.Key_F5)
    assert controller.running
    qtbot.waitUntil(lambda: controller.stepper.iteration > 0, timeout=5000)
    qtbot.keyClick(window.network_view, Qt.Key.Key_F5)
    assert not controller.running


def test_stepping_while_running_pauses(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    window.action_run_pause.trigger()
    qtbot.waitUntil(lambda: controller.stepper.iteration > 0, timeout=5000)
    window.action_step_phase.trigger()
    assert not controller.running
    assert controller.stepper.phase == 1
    assert plain(window.action_run_pause.text()) == "Run"


def test_run_n_stops_exactly(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    for iterations in (1, 37, 300):
        window.action_restart.trigger()
        window.action_step_phase.trigger()  # a run first finishes the iteration in progress
        run_and_wait(qtbot, controller, iterations)
        assert controller.stepper.iteration == iterations
        assert controller.stepper.phase == 0


def test_run_n_action_asks_for_a_count(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    seen = []

    def answer(attempt=0):
        """The dialog is modal: answer it from inside its own event loop (never leave it
        open, or the test would hang)."""
        dialog = QApplication.activeModalWidget()
        if dialog is None and attempt < 100:
            QTimer.singleShot(10, lambda: answer(attempt + 1))
            return
        seen.append(type(dialog).__name__)
        if isinstance(dialog, QInputDialog):
            dialog.setIntValue(25)
            dialog.accept()
        elif dialog is not None:
            dialog.reject()

    QTimer.singleShot(0, answer)
    window.action_run_n.trigger()
    assert seen == ["QInputDialog"]
    qtbot.waitUntil(lambda: not controller.running, timeout=20000)
    assert controller.stepper.iteration == 25


# --------------------------------------------------------------- step back, restart
def test_step_back_restores_the_exact_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM)
    controller = window.controller
    trigger(window.action_step_iteration, 3)
    remembered = controller.network.theta.copy()
    trigger(window.action_step_iteration, 4)
    assert controller.stepper.iteration == 7
    assert not np.array_equal(controller.network.theta, remembered)
    trigger(window.action_step_back, 4)
    assert controller.stepper.iteration == 3
    assert controller.stepper.phase == 0
    assert np.array_equal(controller.network.theta, remembered)
    wait_refreshed(qtbot, window)
    assert window.iteration_label.text() == "iteration 3"


def test_step_back_in_the_middle_of_an_iteration(open_window):
    window = open_window(SEED_000_RANDOM)
    controller = window.controller
    trigger(window.action_step_iteration, 2)
    start = controller.network.theta.copy()
    trigger(window.action_step_phase, 8)  # the whole iteration, update included
    assert controller.stepper.iteration == 3
    trigger(window.action_step_phase, 5)
    trigger(window.action_step_back)
    assert (controller.stepper.iteration, controller.stepper.phase) == (3, 0)
    trigger(window.action_step_back)
    assert (controller.stepper.iteration, controller.stepper.phase) == (2, 0)
    assert np.array_equal(controller.network.theta, start)


def test_step_back_after_a_long_run_is_exact(open_window, qtbot):
    """Past the engine's checkpoint stride (256) a rewind replays from a checkpoint."""
    window = open_window(SEED_000_RANDOM)
    controller = window.controller
    run_and_wait(qtbot, controller, 599)
    remembered = controller.network.theta.copy()
    trigger(window.action_step_iteration, 2)
    trigger(window.action_step_back, 2)
    assert controller.stepper.iteration == 599
    assert np.array_equal(controller.network.theta, remembered)


def test_step_back_keeps_an_edit_made_at_that_iteration(open_window, qtbot):
    window = open_window(SEED_001_FREE)
    controller = window.controller
    trigger(window.action_step_iteration, 2)
    controller.apply_values([W5], [1.5])
    edited = controller.network.theta.copy()
    trigger(window.action_step_iteration, 3)
    trigger(window.action_step_back, 3)
    assert controller.stepper.iteration == 2
    assert np.array_equal(controller.network.theta, edited)
    wait_refreshed(qtbot, window)
    assert window.network_view.edges[W5].label_text.text() == "w5 = 1.5"


def test_step_back_over_an_edit_made_between_phases(open_window):
    """An edit in the middle of an iteration is replayed at the same phase on rewind."""
    window = open_window(SEED_000_RANDOM)
    controller = window.controller
    trigger(window.action_step_iteration, 1)
    trigger(window.action_step_phase, 4)  # forward 1-3 and the loss of iteration 1
    controller.apply_values([ParameterAddress.weight(1, 2, 0)], [-3.0])
    trigger(window.action_step_iteration)  # finish iteration 1 with the edited weight
    trigger(window.action_step_iteration)
    remembered = controller.network.theta.copy()
    assert controller.stepper.iteration == 3
    trigger(window.action_step_iteration, 3)
    trigger(window.action_step_back, 3)
    assert np.array_equal(controller.network.theta, remembered)
    trigger(window.action_step_back, 2)  # back to the start of iteration 1: before the edit
    assert controller.stepper.iteration == 1
    assert controller.network.get(ParameterAddress.weight(1, 2, 0)) != -3.0


def test_step_back_at_iteration_0_says_why(open_window):
    window = open_window(SEED_000)
    theta = window.controller.network.theta.copy()
    window.action_step_back.trigger()
    assert window.controller.stepper.iteration == 0
    assert np.array_equal(window.controller.network.theta, theta)
    assert "iteration 0" in window.statusBar().currentMessage()


def test_restart_goes_back_to_the_initial_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM)
    controller = window.controller
    initial = controller.network.theta.copy()
    trigger(window.action_step_iteration, 3)
    trigger(window.action_step_phase, 2)
    run_and_wait(qtbot, controller, 10)
    window.action_restart.trigger()
    assert (controller.stepper.iteration, controller.stepper.phase) == (0, 0)
    assert np.array_equal(controller.network.theta, initial)
    wait_refreshed(qtbot, window)
    assert window.iteration_label.text() == "iteration 0"


# ------------------------------------------------------------------------- the plots
SEED_000_FIRST_LOSS = float(np.sum(
    (np.array([[0.9806908, 0.9806908], [0.9803864, 0.9803864]]) - [[0.2, 0.4], [1.0, 0.0]]) ** 2))


def loss_curve(window):
    x, y = window.loss_plot.curve.getOriginalDataset()
    return (np.empty(0) if x is None else x), (np.empty(0) if y is None else y)


def test_loss_plot_has_one_point_per_iteration(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    wait_refreshed(qtbot, window)
    assert window.loss_plot.point_count == 0
    trigger(window.action_step_iteration, 3)
    wait_refreshed(qtbot, window)
    assert window.loss_plot.point_count == controller.stepper.iteration == 3
    x, y = loss_curve(window)
    assert x.tolist() == [0.0, 1.0, 2.0]
    assert y[0] == pytest.approx(SEED_000_FIRST_LOSS, abs=5e-7)  # the seed's own numbers
    _, _, losses = reference_descent(*SEED_000_ONES, controller.stepper.inputs,
                                     controller.stepper.targets, "sse", 0.5, 3)
    np.testing.assert_allclose(y, losses, rtol=1e-13)
    run_and_wait(qtbot, controller, 120)
    wait_refreshed(qtbot, window)
    assert window.loss_plot.point_count == controller.stepper.iteration == 123
    np.testing.assert_array_equal(loss_curve(window)[1], controller.stepper.history.losses)


def test_loss_plot_keeps_the_history_after_step_back_with_a_cursor(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    trigger(window.action_step_iteration, 6)
    trigger(window.action_step_back, 2)
    wait_refreshed(qtbot, window)
    assert controller.stepper.iteration == 4
    # rewound: the whole history stays in view (it can be returned to exactly), and the
    # cursor marks where the engine stands
    plot = window.loss_plot
    assert plot.point_count == 6
    assert plot.cursor.isVisible() and plot.cursor.value() == 4
    trigger(window.action_step_iteration)  # going on replays the history: all of it stays
    wait_refreshed(qtbot, window)
    assert plot.point_count == 6
    assert plot.cursor.isVisible() and plot.cursor.value() == 5
    # an edit at 5 discards the iteration after it
    window.network_view.select_parameters([ParameterAddress.weight(0, 0, 0)])
    assert window.set_selected_to("0.5")
    wait_refreshed(qtbot, window)
    assert plot.point_count == 5 and not plot.cursor.isVisible()


def test_loss_plot_after_restart_and_open(open_window, qtbot):
    window = open_window(SEED_000)
    trigger(window.action_step_iteration, 4)
    window.action_restart.trigger()
    trigger(window.action_step_iteration, 1)  # stepping from 0 replays: the history stays
    wait_refreshed(qtbot, window)
    assert window.loss_plot.point_count == 4
    assert window.loss_plot.cursor.isVisible() and window.loss_plot.cursor.value() == 1
    assert window.open_file(SEED_001_FREE)
    wait_refreshed(qtbot, window)
    assert window.loss_plot.point_count == 0


def test_weights_plot_follows_the_parameters(open_window, qtbot):
    window = open_window(SEED_001_FREE)
    controller = window.controller
    trigger(window.action_step_iteration, 4)
    wait_refreshed(qtbot, window)
    plot = window.weights_plot
    assert len(plot.curves) == 6  # every weight of the 2-2-1 network
    network = controller.network
    for curve, index in zip(plot.curves, plot.indices, strict=True):
        x, y = curve.getOriginalDataset()
        assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
        assert y[-1] == network.theta[index]
        assert y[0] == controller.stepper.history.snapshots[0][index]


@pytest.mark.parametrize(("path", "distinct"), [(SEED_000, 1), (SEED_000_RANDOM, 3)])
def test_symmetry_plot_counts_distinct_neurons(open_window, qtbot, path, distinct):
    """Seed 000's complaint in one curve: with every weight 1, layer 1 stays at 1 distinct
    neuron however long it trains; random weights give 3 from the start."""
    window = open_window(path)
    run_and_wait(qtbot, window.controller, 30)
    wait_refreshed(qtbot, window)
    x, y = window.symmetry_plot.curves[0].getOriginalDataset()
    assert (x[0], x[-1]) == (0, 30)  # the step curve's corners span every iteration
    assert set(y.tolist()) == {float(distinct)}


def test_neuron_values_follow_the_current_iteration(open_window, qtbot):
    window = open_window(SEED_000_RANDOM)
    controller = window.controller
    trigger(window.action_step_iteration, 5)
    wait_refreshed(qtbot, window)
    label = window.network_view.neurons[(3, 1)].label.text()
    output = window.network_state()["outputs"][0][1]
    assert label == f"{output:.3f}"
    bias = window.network_view.bias_items[ParameterAddress.bias(0, 0)]
    assert bias.text.text() == f"b {controller.network.biases[0][0]:.4g}"


# ---------------------------------------------------------- the run loop's time slices
def test_a_chunk_that_turns_slow_stops_after_its_time(open_window, qtbot, monkeypatch):
    """Iterations can suddenly cost far more than the last ones (a busy machine: BLAS's
    threads waiting for a processor): the chunk stops after the slice that passes its time,
    not after the iterations it was sized for, so a click waits little. The clock is a fake
    one that each iteration moves by 1 ms, 33 times the cost the sizing knew."""
    import gui.run_loop

    window = open_window(SEED_000)
    controller = window.controller
    stepper = controller.stepper
    clock = [100.0]
    monkeypatch.setattr(gui.run_loop.time, "perf_counter", lambda: clock[0])
    real_run = stepper.run

    def slow_run(count, until=None):
        done = real_run(count, until=until)
        clock[0] += 0.001 * done
        return done

    monkeypatch.setattr(stepper, "run", slow_run)
    sizing = controller.chunk_sizing
    sizing.chunk, sizing.chunk_seconds, sizing.iteration_seconds = 400, 0.012, 30e-6
    controller._run_full(None)
    # slices of 0.012 / 4 / 30 µs = 100 iterations: the first took 100 ms, past the 12 ms
    assert stepper.iteration == 100
    assert sizing.iteration_seconds == pytest.approx(0.001)  # a slower cost counts at once
    assert sizing.chunk == 50  # and the next chunk is halved (at most) towards 12 ms
    controller._run_full(None)
    assert stepper.iteration == 100 + 12  # slices of 3 iterations until 12 ms have passed
