"""A watchable run (issue 14, point 11): the run toolbar's speed (iterations a second, 1 to
full) and its "phases" option; at low speeds the graph and the plots show every iteration,
phase by phase the graph tints each layer in turn; pause is prompt and breakpoints stop the
run at every speed; the speed is remembered between sessions.

No timing assertions: time passes in qtbot.waitUntil on what the window shows, and the
speeds are high enough (but not full) to keep each test short."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_helpers import (
    SEED_000,
    activate,
    press_in_focus,
    reference_descent,
    reference_pass,
    type_into_focus,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QSpinBox, QToolBar

from engine.analysis.breakpoints import IterationReaches
from gui.parts import settings
from gui.scheduler import Change, Policy
from gui.views.network_view import BACKWARD_TINT, FORWARD_TINT

SEED_000_ONES = ([np.ones((2, 3)), np.ones((3, 3)), np.ones((3, 2))],
                 [np.ones(3), np.ones(3), np.ones(2)])
# seed 000 (2-3-3-2): an iteration's 2L + 2 phases, written out by hand, and the layer band
# the graph tints in each (green forward, red backward: the loss tints the output layer)
PHASES = [("forward layer 1", 1, FORWARD_TINT), ("forward layer 2", 2, FORWARD_TINT),
          ("forward layer 3", 3, FORWARD_TINT), ("loss", 3, BACKWARD_TINT),
          ("backward layer 3", 3, BACKWARD_TINT), ("backward layer 2", 2, BACKWARD_TINT),
          ("backward layer 1", 1, BACKWARD_TINT), ("update", None, None)]


def plain(text: str) -> str:
    return text.replace("&", "")


def set_speed_by_keyboard(qtbot, window, text: str) -> None:
    """Click into the speed box, select what it shows, type ``text`` and press Enter, all
    to the widget that has the focus."""
    box = window.run_speed
    qtbot.mouseClick(box.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QApplication.focusWidget() in (box, box.lineEdit()), timeout=2000)
    press_in_focus(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_into_focus(qtbot, text)
    press_in_focus(qtbot, Qt.Key.Key_Return)


def spy(window, name: str, policy: Policy, record) -> list:
    """Register a view with the window's scheduler (after the graph, the plots and the
    labels, so it sees what they show in the same frame); returns what it recorded."""
    seen = []
    window.scheduler.register(name, lambda: seen.append(record()), changes=Change.POSITION,
                              policy=policy)
    window.scheduler.views[name].stale = False
    return seen


def band_tints(window) -> list:
    tints = []
    for band in window.network_view.layer_bands:
        brush = band.brush()
        tints.append(None if brush.style() == Qt.BrushStyle.NoBrush else brush.color())
    return tints


# ------------------------------------------------------------------------ the control
def test_the_speed_box_is_in_the_run_toolbar_and_takes_what_is_typed(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    toolbar = window.findChild(QToolBar, "run_toolbar")
    box = toolbar.findChild(QSpinBox, "run_speed")
    phases = toolbar.findChild(QCheckBox, "run_phases")
    assert box is window.run_speed and phases is window.run_phases
    assert box.isVisible() and phases.isVisible()
    assert "iterations a second" in box.toolTip() and "phase" in phases.toolTip()
    widest = box.fontMetrics().horizontalAdvance("999 it/s")
    assert box.lineEdit().width() >= widest  # the widest speed fits, not only "full"
    controller = window.controller
    assert box.text() == "full" and controller.pace.per_second is None  # a fresh start
    set_speed_by_keyboard(qtbot, window, "30")
    assert box.text() == "30 it/s"
    assert controller.pace.per_second == 30
    press_in_focus(qtbot, Qt.Key.Key_Up)  # the arrows step 1, 2, 5, 10, 20, 50 … full
    assert box.text() == "50 it/s" and controller.pace.per_second == 50
    press_in_focus(qtbot, Qt.Key.Key_Down)
    press_in_focus(qtbot, Qt.Key.Key_Down)
    assert box.text() == "10 it/s" and controller.pace.per_second == 10
    set_speed_by_keyboard(qtbot, window, "f")  # full, typed as its first letter
    assert box.text() == "full" and controller.pace.per_second is None
    set_speed_by_keyboard(qtbot, window, "1")
    assert box.text() == "1 it/s" and controller.pace.per_second == 1
    press_in_focus(qtbot, Qt.Key.Key_Down)  # 1 is the least
    assert box.text() == "1 it/s"
    set_speed_by_keyboard(qtbot, window, "0")  # not a speed: refused, the last one kept
    assert box.text() == "1 it/s" and controller.pace.per_second == 1
    qtbot.mouseClick(phases, Qt.MouseButton.LeftButton)
    assert phases.isChecked() and controller.pace.phases


# ---------------------------------------------------------------- every iteration shown
def test_at_a_low_speed_the_graph_and_the_plots_show_every_iteration(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    window.run_speed.setValue(40)  # the fastest speed at which every iteration is drawn
    output = window.network_view.neurons[(3, 0)].label
    graph = spy(window, "every_frame_spy", Policy.EVERY_FRAME,
                lambda: (window.iteration_label.text(), output.text()))
    plots = spy(window, "plots_spy", Policy.LIKE_PLOTS,
                lambda: (controller.stepper.iteration, window.loss_plot.point_count))
    controller.run(12)
    qtbot.waitUntil(lambda: not controller.running, timeout=10000)
    assert controller.stepper.iteration == 12
    # each iteration drawn once, in order, the plots with the graph
    assert plots == [(i, i) for i in range(1, 13)]
    # the graph's output neuron shows each iteration's value (an independent reference)
    expected = []
    for i in range(1, 13):
        weights, biases, _ = reference_descent(*SEED_000_ONES, controller.stepper.inputs,
                                               controller.stepper.targets, "sse", 0.5, i)
        _, activations, _, _ = reference_pass(weights, biases, controller.stepper.inputs,
                                              controller.stepper.targets, "sse")
        expected.append((f"iteration {i}", f"{activations[3][0, 0]:.3f}"))
    assert graph == expected


def test_phase_by_phase_each_phase_is_shown_its_layer_tinted(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    window.run_phases.setChecked(True)
    window.run_speed.setValue(40)  # 320 phases a second
    seen = spy(window, "phase_spy", Policy.EVERY_FRAME,
               lambda: (window.phase_label.text(), band_tints(window)))
    plots = spy(window, "plots_spy", Policy.LIKE_PLOTS,
                lambda: (controller.stepper.iteration, controller.stepper.phase,
                         window.loss_plot.point_count))
    controller.run(2)
    qtbot.waitUntil(lambda: not controller.running, timeout=10000)
    assert (controller.stepper.iteration, controller.stepper.phase) == (2, 0)
    assert plots == [(1, 0, 1), (2, 0, 2)]  # the plots at each iteration's end
    assert len(seen) == 2 * len(PHASES)  # every phase, one frame each
    for (label, tints), (name, layer, tint) in zip(seen, PHASES * 2, strict=True):
        assert label.startswith(f"done: {name} ·")
        expected = [None] * 4
        if layer is not None:
            expected[layer] = tint
        assert tints == expected, name


def test_phase_by_phase_from_the_middle_of_an_iteration_counts_it_as_one(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    for _ in range(3):
        window.action_step_phase.trigger()
    window.run_phases.setChecked(True)
    window.run_speed.setValue(40)
    controller.run(2)  # the rest of iteration 0, then iteration 1, as a run at full speed
    qtbot.waitUntil(lambda: not controller.running, timeout=10000)
    assert (controller.stepper.iteration, controller.stepper.phase) == (2, 0)


# ------------------------------------------------------------------ pause, breakpoints
@pytest.mark.parametrize("phases", [False, True])
def test_pause_at_a_low_speed_stops_at_once(open_window, qtbot, phases):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    controller = window.controller
    window.run_phases.setChecked(phases)
    window.run_speed.setValue(1)
    window.network_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.network_view, timeout=2000)
    press_in_focus(qtbot, Qt.Key.Key_F5)
    assert controller.running
    # the first step comes at once, the next one a second later (an eighth, phase by phase)
    qtbot.waitUntil(lambda: (controller.stepper.iteration, controller.stepper.phase)
                    != (0, 0), timeout=2000)
    press_in_focus(qtbot, Qt.Key.Key_F5)
    assert not controller.running  # the run's timer is stopped: no later step will come
    assert plain(window.action_run_pause.text()) == "Run"
    position = (controller.stepper.iteration, controller.stepper.phase)
    assert position == ((0, 1) if phases else (1, 0))
    for _ in range(20):
        QApplication.processEvents()
    assert (controller.stepper.iteration, controller.stepper.phase) == position


@pytest.mark.parametrize("phases", [False, True])
def test_a_slow_run_stops_at_a_breakpoint(open_window, qtbot, phases):
    window = open_window(SEED_000)
    controller = window.controller
    controller.add_breakpoint(IterationReaches(3))
    window.run_phases.setChecked(phases)
    window.run_speed.setValue(40)
    with qtbot.waitSignal(controller.breakpoint_hit, timeout=10000) as hit:
        controller.run()
    assert not controller.running
    assert (controller.stepper.iteration, controller.stepper.phase) == (3, 0)
    assert hit.args[0].iteration == 3
    assert window.statusBar().currentMessage().startswith("Paused at iteration 3")


def test_a_batched_speed_runs_whole_iterations_and_stops_at_n(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    window.run_speed.setValue(500)  # above the frame rate: the iterations due every tick
    controller.run(60)
    qtbot.waitUntil(lambda: not controller.running, timeout=10000)
    assert (controller.stepper.iteration, controller.stepper.phase) == (60, 0)
    weights, _, _ = reference_descent(*SEED_000_ONES, controller.stepper.inputs,
                                      controller.stepper.targets, "sse", 0.5, 60)
    for actual, expected in zip(controller.network.weights, weights, strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_a_new_speed_takes_effect_while_running(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    controller = window.controller
    set_speed_by_keyboard(qtbot, window, "1")
    window.action_run_pause.trigger()
    qtbot.waitUntil(lambda: controller.stepper.iteration == 1, timeout=2000)
    set_speed_by_keyboard(qtbot, window, "f")  # full speed: no waiting out the second
    qtbot.waitUntil(lambda: controller.stepper.iteration > 100, timeout=5000)
    assert controller.running
    window.action_run_pause.trigger()
    assert not controller.running


# ----------------------------------------------------------------------- remembered
def test_the_speed_is_remembered_for_the_next_window(open_window, qtbot, own_config_dir):
    first = open_window(SEED_000, show=True)
    activate(qtbot, first)
    set_speed_by_keyboard(qtbot, first, "7")
    qtbot.mouseClick(first.run_phases, Qt.MouseButton.LeftButton)
    first.close()
    stored = json.loads((own_config_dir / "settings.json").read_text(encoding="utf-8"))
    assert stored["run_speed"] == {"per_second": 7, "phases": True}
    second = open_window(SEED_000)
    assert second.run_speed.text() == "7 it/s" and second.run_phases.isChecked()
    assert (second.controller.pace.per_second, second.controller.pace.phases) == (7, True)
    second.run_speed.setValue(second.run_speed.maximum())  # full speed is remembered too
    second.run_phases.setChecked(False)
    assert settings.run_speed() == (None, False)
    third = open_window(SEED_000)
    assert third.run_speed.text() == "full" and not third.run_phases.isChecked()


@pytest.mark.parametrize("value", [
    {"per_second": 0, "phases": "yes"}, {"per_second": 1000, "phases": 1},
    {"per_second": True, "phases": None}, {"per_second": 5.5}, {"per_second": "fast"},
    {"per_second": -3}, [12, True], "12", 12, None])
def test_a_bad_remembered_speed_is_full_speed(qtbot, own_config_dir, value):
    own_config_dir.mkdir(parents=True, exist_ok=True)
    (own_config_dir / "settings.json").write_text(json.dumps({"run_speed": value}),
                                                  encoding="utf-8")
    assert settings.run_speed() == (None, False)


def test_each_part_of_the_remembered_speed_is_checked_on_its_own(own_config_dir):
    own_config_dir.mkdir(parents=True, exist_ok=True)
    path = own_config_dir / "settings.json"
    path.write_text(json.dumps({"run_speed": {"per_second": 999, "phases": "x"}}),
                    encoding="utf-8")
    assert settings.run_speed() == (999, False)
    path.write_text(json.dumps({"run_speed": {"per_second": 1e9, "phases": True}}),
                    encoding="utf-8")
    assert settings.run_speed() == (None, True)


def test_a_speed_that_cannot_be_remembered_is_still_used_and_said(open_window, qtbot,
                                                                  own_config_dir,
                                                                  monkeypatch):
    window = open_window(SEED_000)

    def refuse(values):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(settings, "_update", refuse)
    window.run_speed.setValue(5)
    assert window.controller.pace.per_second == 5
    assert "could not be remembered" in window.statusBar().currentMessage()
    assert "Permission denied" in window.statusBar().currentMessage()


# ------------------------------------------------------------------- the pacing rules
def test_one_step_at_a_time_is_spaced_to_the_speed_and_never_bursts():
    """gui/pacing.py on a clock the test sets (seconds): no real time passes."""
    from gui.pacing import Pace

    pace = Pace(10)  # 10 iterations a second: one a tick, 0.1 s apart
    pace.start(0.0)
    assert pace.each_shown and pace.steps_now(0.0) == 1
    assert pace.wait_after(0.02, 8) == pytest.approx(0.08)  # the step and its drawing: 20 ms
    assert pace.steps_now(0.1) == 1
    assert pace.wait_after(0.11, 8) == pytest.approx(0.09)
    # a drawing that took 0.5 s: the next step comes at once, then the beat goes on from
    # there (no burst of the steps missed: each one is still drawn)
    assert pace.steps_now(0.2) == 1
    assert pace.wait_after(0.7, 8) == 0
    assert pace.steps_now(0.7) == 1
    assert pace.wait_after(0.7, 8) == pytest.approx(0.1)


def test_phase_by_phase_an_iterations_phases_share_its_time():
    from gui.pacing import Pace

    pace = Pace(2, phases=True)  # 2 iterations a second of 8 phases: 16 phases a second
    pace.start(0.0)
    assert pace.each_shown and pace.steps_now(0.0) == 1
    assert pace.wait_after(0.0, 8) == pytest.approx(1 / 16)
    full = Pace(None, phases=True)  # as fast as the phases are drawn
    full.start(0.0)
    assert not full.full and full.each_shown and full.wait_after(0.0, 8) == 0


def test_a_batched_speed_does_what_is_due_and_makes_up_a_stall_only_so_far():
    from gui.pacing import BATCH_TICK_SECONDS, CATCH_UP_SECONDS, Pace

    pace = Pace(500)
    pace.start(0.0)
    assert not pace.each_shown and not pace.full
    assert pace.steps_now(0.0) == 1  # the first at once
    assert pace.wait_after(0.0, 8) == BATCH_TICK_SECONDS
    assert pace.steps_now(0.02) == 10
    assert pace.steps_now(0.021) == 0  # half an iteration due: none yet
    assert pace.steps_now(0.023) == 1  # one and a half: one, the half kept
    pace.give_back(4)  # four did not fit in their tick: still owed
    assert pace.steps_now(0.023) == 4
    assert pace.steps_now(5.0) == int(1 + 500 * CATCH_UP_SECONDS)  # a 5 s stall: 51, not 2489


@pytest.mark.parametrize("speed", [0, 1000, -1, 2.5, True, "10"])
def test_a_speed_out_of_range_is_refused_saying_why(open_window, speed):
    window = open_window(SEED_000)
    with pytest.raises(ValueError, match="run speed"):
        window.controller.set_run_speed(speed)
    assert window.controller.pace.per_second is None  # the speed it had
