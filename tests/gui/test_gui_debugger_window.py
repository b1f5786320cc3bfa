"""The debugger panels inside the main window: where they are, how they follow the graph's
selection and the timeline, what a breakpoint or a non-finite value does to the window, and
the question before going on from an earlier iteration. The panels' numbers are tested
against the seeds' references in test_gui_debugger_panels.py, test_gui_matrix_view.py and
test_gui_compare.py; here the references are an independent stepper's run."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import (
    SEED_000,
    SEED_001_FREE,
    W5,
    W6,
    answer_next_question,
    check_gradients,
    wait_refreshed,
    window_factory,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QMessageBox,
    QSlider,
    QTabBar,
    QWidget,
)

from engine.analysis.breakpoints import IterationReaches, SymmetryChange, WeightCrosses
from engine.core.init import InitSpec
from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.io import fileformat
from engine.io.fileformat import Document


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot)


def wait_paused(qtbot, window, timeout=10_000) -> None:
    qtbot.waitUntil(lambda: not window.controller.running, timeout=timeout)


def test_every_panel_is_in_the_window_by_its_name(open_window):
    window = open_window(show=True)
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert window.debugger.toolbar.toggleViewAction() in view_menu.actions()
    # the matrix view's dock carries the widget's name too (the issue names it a dock)
    assert window.findChild(QDockWidget, "matrix_view").widget() is window.debugger.matrix_view
    for name in ("inspector_dock", "matrix_view", "compare_dock",
                 "gradcheck_dock", "breakpoints_dock"):
        dock = window.findChild(QDockWidget, name)
        assert dock is not None, name
        # each can be shown and hidden from the View menu
        assert dock.toggleViewAction() in view_menu.actions(), name
    for name in ("matrix_view", "chain_rule_panel", "compare_panel", "breakpoints_panel"):
        assert window.findChild(QWidget, name) is not None, name
    assert window.findChild(QWidget, "gradcheck_button").toolTip()
    slider = window.findChild(QSlider, "timeline_slider")
    assert slider is not None and slider.toolTip()
    # the debugger docks share the right-hand area with the settings; in the Debug
    # workspace the inspector is in front
    assert window.tabifiedDockWidgets(window.settings_dock)
    assert not window.inspector_dock.visibleRegion().isEmpty()
    # one tab bar per tabbed area: none left over drawn across the toolbars (the Debug
    # workspace: the data table is in Data's; the workspaces' own tabs are the selector)
    bars = [bar for bar in window.findChildren(QTabBar) if bar.isVisible()
            and bar is not window.workspaces.selector]
    tabs = sorted(tuple(bar.tabText(i) for i in range(bar.count())) for bar in bars)
    assert tabs == [("Matrices", "Compare", "Gradient check"),
                    ("Network", "Inspector", "Breakpoints")]


def test_a_gradient_check_says_when_it_no_longer_describes_the_state(open_window, qtbot):
    window = open_window(show=True)
    panel = window.debugger.gradcheck
    window.debugger.docks["gradcheck"].raise_()
    result = check_gradients(qtbot, panel)
    assert result is not None and "agree" in panel.summary.text()
    window.action_step_iteration.trigger()
    window.refresh()
    assert panel.stale and panel.summary.text().startswith("Made at iteration 0")
    window.action_step_back.trigger()
    window.refresh()
    assert not panel.stale and panel.summary.text().startswith("All ")


def test_the_panels_follow_the_graphs_selection(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    debugger = window.debugger
    view = window.network_view
    debugger.docks["inspector"].raise_()
    view.select_neuron((1, 1))
    assert debugger.inspector.neuron == (1, 1)
    assert "Neuron 1 of layer 1" in debugger.inspector.title.text()
    view.select_parameters([W5, W6])
    assert debugger.inspector.parameter == W5
    assert len(debugger.chain_rule.rules) == 2
    # a breakpoint on a weight starts from the weight in view
    assert debugger.breakpoints_panel.parameter.currentText() == "w¹₀,₀ (w5)"


def test_a_symmetry_breakpoint_pauses_selects_the_neuron_and_says_why(open_window, qtbot):
    window = open_window(show=True)
    debugger = window.debugger
    debugger.breakpoints.add(SymmetryChange())
    window.controller.run()
    wait_paused(qtbot, window)
    # seed 000: the two outputs have equal weights but different targets, so layer 3's
    # symmetry breaks in the first update (the engine's own test derives it independently)
    assert window.controller.stepper.iteration == 1
    assert window.network_view.selected_neuron() == (3, 1)
    message = window.statusBar().currentMessage()
    assert message.startswith("Paused at iteration 1:") and "layer 3's symmetry broke" in message
    assert window.last_break in message


def test_a_weight_breakpoint_selects_the_weight(open_window, qtbot):
    window = open_window(show=True)
    # where w^2_{0,0} first falls below 0.99, from a plain run of the same file
    address = ParameterAddress.weight(2, 0, 0)
    reference = fileformat.load(SEED_000).make_stepper()
    index = reference.network.flat_index(address)
    while reference.network.theta[index] >= 0.99:
        reference.run(1)
        assert reference.iteration < 5000
    window.debugger.breakpoints.add(WeightCrosses(address, 0.99))
    window.controller.run()
    wait_paused(qtbot, window)
    assert window.controller.stepper.iteration == reference.iteration
    assert window.network_view.selected_parameters() == [address]
    assert "crosses" in window.statusBar().currentMessage() or "0.99" in \
        window.statusBar().currentMessage()


def test_a_run_with_breakpoints_switched_off_runs_to_the_end(open_window, qtbot):
    window = open_window()
    breakpoints = window.debugger.breakpoints
    breakpoint = breakpoints.add(IterationReaches(5))
    breakpoints.set_enabled(breakpoint, False)
    window.controller.run(40)
    wait_paused(qtbot, window)
    assert window.controller.stepper.iteration == 40 and window.last_break is None


def diverging() -> Document:
    network = Network([2, 3, 1], ["relu", "linear"])
    network.theta[...] = np.random.default_rng(0).normal(size=network.theta.size)
    rng = np.random.default_rng(1)
    return Document(network, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)),
                    TrainingConfig(loss="sse", learning_rate=1e5), InitSpec("normal", 0))


def test_a_non_finite_value_selects_where_it_appeared_and_stepping_back_works(open_window,
                                                                             qtbot):
    window = open_window(show=True)
    window.controller.load(diverging())
    window.controller.run()
    wait_paused(qtbot, window)
    fault = window.controller.stepper.fault
    assert fault is not None
    # the loss overflows first (a single number: nothing in the graph to select)
    assert fault.quantity == "loss"
    assert window.statusBar().currentMessage().startswith(f"Stopped: iteration {fault.iteration}")
    stopped_at = window.controller.stepper.iteration
    window.controller.step_back()
    # back to the start of the iteration that overflowed: every number finite again
    assert window.controller.stepper.iteration == stopped_at > 0
    assert window.controller.stepper.phase == 0 and window.controller.stepper.fault is None
    assert np.all(np.isfinite(window.controller.network.theta))


def test_scrubbing_restores_the_exact_weights_and_moves_every_cursor(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    reference = fileformat.load(SEED_001_FREE).make_stepper()
    thetas = [reference.network.theta.copy()]
    for _ in range(3000):
        reference.run(1)
        thetas.append(reference.network.theta.copy())
    window.controller.run(3000)
    wait_paused(qtbot, window)
    window.refresh()
    slider = window.debugger.timeline.slider
    assert slider.maximum() == 3000
    debugger = window.debugger
    debugger.docks["inspector"].raise_()
    window.network_view.select_parameters([W5])
    for position in (2999, 0, 1234, 17, 2500, 3000):
        slider.setValue(position)
        window.refresh()
        assert window.controller.stepper.iteration == position
        assert np.array_equal(window.controller.network.theta, thetas[position]), position
        # the plots keep the whole history in view; the cursor marks the position
        assert window.loss_plot.curve.getOriginalDataset()[0][-1] == 2999  # C of each one
        w5_iterations, _ = window.weights_plot.trajectory(
            window.controller.network.flat_index(W5))
        assert w5_iterations[-1] >= 2900
        for plot in (window.loss_plot, window.weights_plot, window.symmetry_plot):
            assert plot.cursor.isVisible() == (position < 3000)
            if position < 3000:
                assert plot.cursor.value() == position
        value = float(debugger.inspector.details.text().split("value: ")[1].split("\n")[0])
        assert value == pytest.approx(thetas[position][window.controller.network.flat_index(
            W5)], rel=1e-6)
        assert debugger.timeline.label.text() == (
            f"at {position} of 3000" if position < 3000 else "3000 iterations")


def test_an_edit_at_an_earlier_iteration_asks_and_no_keeps_the_history(open_window, qtbot):
    """Stepping on from an earlier iteration replays the history and asks nothing (see
    test_gui_first_edit.py); an edit there would discard what follows, so it asks."""
    window = open_window(show=True)
    window.debugger.ask_before_discarding = True
    controller = window.controller
    controller.run(50)
    wait_paused(qtbot, window)
    window.refresh()  # the timeline's range follows the redraws; bring it up to date
    window.debugger.timeline.slider.setValue(20)
    assert controller.stepper.iteration == 20
    seen = []
    # an edit of the past asks, and No leaves the weight as it was
    before = controller.network.theta.copy()
    window.network_view.select_parameters([ParameterAddress.weight(0, 0, 0)])
    answer_next_question(QMessageBox.StandardButton.No, seen)
    assert not window.set_selected_to("0.5")
    assert len(seen) == 1 and "the 30 later iterations of history" in seen[0]
    assert "You are at iteration 20, rewound from iteration 50" in seen[0]
    assert np.array_equal(controller.network.theta, before)
    assert controller.stepper.head_iteration == 50 and not controller.undo_stack.count()
    assert "the later history is kept" in window.statusBar().currentMessage()
    answer_next_question(QMessageBox.StandardButton.Yes, seen)
    assert window.set_selected_to("0.5")
    assert len(seen) == 2
    assert (controller.stepper.iteration, controller.stepper.head_iteration) == (20, 20)
    assert controller.network.get(ParameterAddress.weight(0, 0, 0)) == 0.5
    window.refresh()
    assert window.debugger.timeline.slider.maximum() == 20


def test_panels_wait_for_the_pause_while_running(open_window, qtbot, monkeypatch):
    window = open_window(show=True)
    debugger = window.debugger
    debugger.docks["inspector"].raise_()
    window.network_view.select_neuron((1, 0))
    calls = []
    monkeypatch.setattr(window.scheduler.views["inspector"], "refresh",  # what it calls
                        lambda: calls.append(window.controller.running))
    window.controller.run(3000)
    wait_paused(qtbot, window)
    wait_refreshed(qtbot, window)
    assert window.plot_refreshes > 1
    assert calls and not any(calls)  # refreshed after the pause, never during the run


def test_an_overflowing_neuron_is_selected(open_window, qtbot):
    window = open_window(show=True)
    network = Network([2, 3, 1], ["sigmoid", "sigmoid"])
    network.weights[0][1, 2] = 1e308  # x_1 = 2 times this overflows n^1_2
    window.controller.load(Document(network, np.array([[0.5, 0.25], [0.5, 2.0]]),
                                    np.array([[0.0], [1.0]]), TrainingConfig(loss="sse"),
                                    InitSpec("normal", 0)))
    window.action_step_phase.trigger()
    fault = window.controller.stepper.fault
    assert fault is not None and fault.where.endswith("observation 1, neuron 2")
    assert window.network_view.selected_neuron() == (1, 2)
    assert "n^1" in window.statusBar().currentMessage()


def test_a_slow_matrix_view_waits_for_the_end_of_a_drag(open_window, qtbot):
    window = open_window(show=True)
    debugger = window.debugger
    matrix_view = debugger.matrix_view
    window.controller.run(40)
    wait_paused(qtbot, window)
    window.refresh()
    slider = debugger.timeline.slider
    assert not matrix_view.visibleRegion().isEmpty()
    window.scheduler.views["matrix_view"].cost = 1.0  # as slow as a large network's
    slider.setSliderDown(True)
    slider.setValue(10)
    window.refresh()
    assert window.controller.stepper.iteration == 10
    assert "iteration 10" not in matrix_view.heading.text()  # deferred while dragging
    slider.setSliderDown(False)  # released: brought up to date
    assert "iteration 10" in matrix_view.heading.text()
    # a jump (not a drag) refreshes it at once, however slow
    window.scheduler.views["matrix_view"].cost = 1.0
    slider.setValue(20)
    window.refresh()
    assert "iteration 20" in matrix_view.heading.text()


def test_undo_of_the_past_asks_before_discarding_the_later_history(open_window, qtbot):
    """Undoing an edit goes back to where it was made, which discards the iterations after
    it: it asks first, naming how many (found in review: Ctrl+Z erased the later iterations
    without a word)."""
    window = open_window()
    controller = window.controller
    address = ParameterAddress.weight(0, 0, 0)
    old = controller.network.get(address)
    window.network_view.select_parameters([address])
    assert window.set_selected_to("0.5")
    controller.run(200)
    wait_paused(qtbot, window)
    window.refresh()  # the timeline's range follows the redraws; bring it up to date
    window.debugger.timeline.slider.setValue(50)
    assert controller.stepper.iteration == 50
    asked = []
    window.discard_question.answer = lambda iterations: asked.append(iterations) or False
    window.action_undo.trigger()
    assert asked == [200] and controller.stepper.head_iteration == 200
    assert controller.undo_stack.canUndo()  # nothing undone
    assert controller.stepper.iteration == 50
    window.discard_question.answer = lambda iterations: True
    window.action_undo.trigger()
    assert not controller.undo_stack.canUndo()
    # back at iteration 0, where the edit was made, with the old value
    assert (controller.stepper.iteration, controller.stepper.head_iteration) == (0, 0)
    assert controller.network.get(address) == old
    # a structure edit keeps its own history: undoing it asks nothing
    window.settings.structure.add_neuron()
    window.discard_question.answer = lambda iterations: asked.append(iterations) or False
    window.action_undo.trigger()
    assert asked == [200]
