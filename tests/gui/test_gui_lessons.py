"""Guided lessons in the window (issue 6): the Lessons menu, the lesson panel, each lesson run
from start to end through its Next button, and each step's claim confirmed on the live engine
by an independent computation (the seed's printed matrices, a numpy forward pass, a
hand-written gradient descent, numpy's own random draw), not by the lesson's own checks.
Deviating (an edit, a step, a structure change, a rewound timeline) is tested as a learner
would do it, and so are Back, Set up again, Undo and the unsaved-work question."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
from gui_helpers import (
    REPO,
    SEED_000,
    SEED_001_TIED,
    W1,
    W2,
    W3,
    W4,
    W5,
    W6,
    engine_parameters,
    reference_descent,
    reference_pass,
    sigmoid,
    wait_refreshed,
    window_factory,
)
from PySide6.QtWidgets import QDockWidget, QMenu, QPushButton

from engine import lessons
from engine.core.network import ParameterAddress
from engine.io import fileformat
from gui.parts.lesson_panel import TOPIC_DOCKS

# seed 000's printed numbers (tests/data holds a copy of ../shared/reference/)
REFERENCE = json.loads((REPO / "tests" / "data" / "seed-000-first-iteration.json").read_text(
    encoding="utf-8"))
TITLES = ["All weights equal", "w5 = w6", "Zero initialisation", "Why fix the random seed"]


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot)


def panel(window):
    return window.lessons.panel


def button(window, name: str) -> QPushButton:
    return window.findChild(QPushButton, name)


def start(qtbot, window, key: str) -> None:
    action = window.lessons.start_actions[key]
    action.trigger()
    assert window.lessons.lesson is not None and window.lessons.lesson.key == key


def press_next(qtbot, window) -> None:
    button(window, "lesson_next").click()
    wait_refreshed(qtbot, window)


def checks_shown(window) -> list[tuple[str, bool]]:
    """The claims the panel shows and whether each holds (after the live check)."""
    window.lessons.check_now()
    return [(claim.text, verdict.holds) for claim, verdict in window.lessons.verdicts or []]


def hidden_columns(weights, biases, layer: int) -> np.ndarray:
    """Each neuron of hidden ``layer``: its incoming weights and bias, one row per neuron."""
    return np.vstack([weights[layer - 1], biases[layer - 1][np.newaxis, :]]).T


def forward(window) -> list[np.ndarray]:
    """Every layer's activations at the live parameters, by the test's own numpy pass."""
    stepper = window.controller.stepper
    weights, biases = engine_parameters(stepper)
    _, activations, _, _ = reference_pass(weights, biases, stepper.inputs, stepper.targets,
                                          stepper.config.loss)
    return activations


def trajectory(window, address: ParameterAddress) -> np.ndarray:
    """A weight's recorded values, as the weights plot has them."""
    stepper = window.controller.stepper
    return stepper.history.snapshots[:, stepper.network.flat_index(address)]


# ------------------------------------------------------------------- the menu
def test_lessons_menu_lists_the_four_lessons_and_the_panel_waits(open_window):
    window = open_window()
    menu = window.findChild(QMenu, "menu_lessons")
    assert menu is not None
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts[:4] == TITLES
    assert all(action.toolTip() for action in menu.actions() if not action.isSeparator())
    assert not window.lessons.dock.isVisibleTo(window)
    assert not window.lessons.action_next.isEnabled()
    assert not window.lessons.action_back.isEnabled()
    panel = window.lessons.panel  # (built when first needed, in a scroll area)
    assert window.findChild(QDockWidget, "lesson_dock").widget().widget() is panel
    assert panel.objectName() == "lesson_panel"


def test_starting_a_lesson_shows_the_panel_beside_the_app(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "all-equal")
    dock = window.findChild(QDockWidget, "lesson_dock")
    assert dock.isVisible()
    assert "Step 1 of 7" in panel(window).heading.text()
    assert "seed 000" in panel(window).text.toPlainText()
    assert not button(window, "lesson_back").isEnabled()
    assert window.lessons.action_next.isEnabled()
    assert window.controller.path is None  # a lesson is never saved over the learner's file
    assert not window.files.is_modified()


# ------------------------------------------------------- each lesson, end to end
def confirm_all_equal(window, index: int) -> None:
    stepper = window.controller.stepper
    trace = stepper.trace
    if index == 0:
        assert np.all(stepper.network.theta == 1.0)
        assert stepper.iteration == 0
    elif index == 1:  # forward through layers 1 and 2 of iteration 0: the seed's numbers
        assert str(stepper.next_phase) == "forward layer 3"
        tolerance = REFERENCE["tolerance"]
        for layer in (1, 2):
            a = trace.activations[layer]
            np.testing.assert_allclose(a, REFERENCE[f"activation_layer_{layer}"], atol=tolerance)
            assert np.all(a == a[:, :1])  # identical columns
        blocks = window.debugger.matrix_view.blocks()
        assert blocks[0].title.startswith("n^2 = [1 | a^1]")
    elif index == 2:  # back through the output layer: ∂C/∂W^2 as printed, identical rows
        assert str(stepper.next_phase) == "backward layer 2"
        augmented = np.vstack([trace.bias_gradients[2][np.newaxis, :], trace.weight_gradients[2]])
        printed = np.array(REFERENCE["weight_gradient_2_augmented"]["value"])
        np.testing.assert_allclose(augmented, printed, atol=REFERENCE["tolerance"])
        assert np.all(printed[1:] == printed[1])  # the seed's own rows 1–3: identical
        assert printed[1, 0] != printed[1, 1]  # and its two columns differ
        weights, biases = engine_parameters(stepper)
        _, _, ours, _ = reference_pass(weights, biases, stepper.inputs, stepper.targets, "sse")
        np.testing.assert_allclose(trace.weight_gradients[2], ours[2], rtol=1e-12)
        assert np.allclose(ours[2], ours[2][:1], rtol=1e-12, atol=0)
        block = next(w for w in window.debugger.matrix_view.block_widgets
                     if "∂C/∂W^2]" in w.block.title)
        assert block.isVisible()
    elif index == 3:
        assert (stepper.iteration, stepper.phase) == (1, 0)
        weights, biases = engine_parameters(stepper)
        for layer in (1, 2):
            rows = hidden_columns(weights, biases, layer)
            assert np.all(rows == rows[:1])
        outputs = hidden_columns(weights, biases, 3)  # incoming weights and bias per output
        assert not np.allclose(outputs[0], outputs[1])  # parted: other targets
    elif index == 4:
        assert stepper.iteration == 2000
        outputs = forward(window)[-1]
        assert np.max(np.abs(outputs - np.array([0.6, 0.2]))) < 0.01
    elif index == 5:
        assert stepper.iteration == 6000
        start = fileformat.load(SEED_000)  # the text's figure, by a hand-written descent
        _, _, losses = reference_descent(start.network.weights, start.network.biases,
                                         start.inputs, start.targets, "sse", 0.5, 6000)
        assert int(np.argmax(np.array(losses) < 0.01)) == 5660
        np.testing.assert_allclose(stepper.history.losses, losses, rtol=1e-9)
        weights, biases = engine_parameters(stepper)
        loss, _, _, _ = reference_pass(weights, biases, stepper.inputs, stepper.targets, "sse")
        assert loss < 0.01
        for layer in (1, 2):
            rows = hidden_columns(weights, biases, layer)
            assert np.all(rows == rows[:1])
    elif index == 6:
        assert stepper.iteration == 2000
        origin = stepper.history.snapshots[0]
        rng = np.random.default_rng(0)  # uniform(−1, 1), seed 0: W^0, b^0, W^1, b^1, …
        draws = np.concatenate([np.concatenate([rng.uniform(-1, 1, (i, o)).ravel(),
                                                rng.uniform(-1, 1, o)])
                                for i, o in ((2, 3), (3, 3), (3, 2))])
        network = stepper.network
        ordered = np.concatenate([np.concatenate([
            origin[[network.flat_index(ParameterAddress.weight(l, i, j))
                    for i in range(network.sizes[l]) for j in range(network.sizes[l + 1])]],
            origin[[network.flat_index(ParameterAddress.bias(l, j))
                    for j in range(network.sizes[l + 1])]]]) for l in range(3)])
        np.testing.assert_array_equal(ordered, draws)
        weights, biases = engine_parameters(stepper)
        for layer in (1, 2):
            rows = hidden_columns(weights, biases, layer)
            assert not np.any([np.allclose(rows[j], rows[k]) for j in range(3)
                               for k in range(j)])
        assert np.max(np.abs(forward(window)[-1] - stepper.targets)) < 0.03
        start = [np.array(w) for w in network.layout(origin)[0]]
        biases = [np.array(b) for b in network.layout(origin)[1]]
        _, _, losses = reference_descent(start, biases, stepper.inputs, stepper.targets, "sse",
                                         0.5, 2000)
        assert int(np.argmax(np.array(losses) < 0.01)) == 571  # the text's figure


def confirm_w5_w6(window, index: int) -> None:
    stepper = window.controller.stepper
    network = stepper.network
    if index == 0:
        assert network.get(W1) == network.get(W3) and network.get(W2) == network.get(W4)
        assert network.get(W5) == network.get(W6)
        assert window.network_view.selected_parameters() == [W1, W3]
        assert window.debugger.chain_rule.isVisible()
    elif index == 1:  # the trajectories lie on each other, and a hand-written descent agrees
        assert stepper.iteration == 500
        for u, v in ((W1, W3), (W2, W4), (W5, W6)):
            np.testing.assert_array_equal(trajectory(window, u), trajectory(window, v))
        start = fileformat.load(SEED_001_TIED)
        weights, biases, _ = reference_descent(
            start.network.weights, [np.zeros(2), np.zeros(1)], start.inputs, start.targets,
            "bce", 0.5, 500, bias=False)
        np.testing.assert_allclose(network.weights[0], weights[0], rtol=1e-9)
        np.testing.assert_allclose(network.weights[1], weights[1], rtol=1e-9)
    elif index == 2:  # the nudge at iteration 500: equal before, parted after
        assert stepper.iteration == 1000
        w1, w3 = trajectory(window, W1), trajectory(window, W3)
        iterations = stepper.history.snapshot_iterations
        np.testing.assert_array_equal(w1[iterations <= 500], w3[iterations <= 500])
        assert abs(w1[-1] - w3[-1]) > 0.01
        assert abs(network.get(W5) - network.get(W6)) > 0.1
        assert "w5" in window.controller.undo_stack.undoText()
    elif index == 3:
        assert stepper.iteration == 1500
        assert network.get(W1) == network.get(W3) and network.get(W5) == network.get(W6)
        iterations = stepper.history.snapshot_iterations
        later = iterations > 1000
        np.testing.assert_array_equal(trajectory(window, W2)[later],
                                      trajectory(window, W4)[later])


def confirm_zeros(window, index: int) -> None:
    stepper = window.controller.stepper
    network = stepper.network
    if index in (0, 2):
        assert np.all(network.theta == 0.0)
        assert np.all(forward(window)[-1] == 0.5)
    if index == 1:  # logistic regression learnt: a hand-written descent from zeros agrees
        weights, biases, losses = reference_descent(
            [np.zeros((2, 1))], [np.zeros(1)], stepper.inputs, stepper.targets, "bce", 0.5,
            2000)
        np.testing.assert_allclose(network.weights[0], weights[0], rtol=1e-9)
        assert losses[-1] < 0.2
        assert np.all((forward(window)[-1] > 0.5) == (stepper.targets > 0.5))
        assert window.decision_boundary_dock.isVisible()
    elif index == 3:  # four identical neurons: the outputs of one neuron with 4× its weight
        weights, biases = engine_parameters(stepper)
        rows = hidden_columns(weights, biases, 1)
        assert np.all(rows == rows[:1])
        w, b, u = weights[0][:, 0], biases[0][0], weights[1].sum()
        single = sigmoid(sigmoid(stepper.inputs @ w + b)[:, np.newaxis] * u + biases[1])
        np.testing.assert_allclose(forward(window)[-1], single, rtol=1e-12)
        right = np.sum((forward(window)[-1] > 0.5) == (stepper.targets > 0.5))
        assert right <= 12
    elif index == 4:
        right = np.sum((forward(window)[-1] > 0.5) == (stepper.targets > 0.5))
        assert right == 15


def confirm_seed(window, index: int) -> None:
    stepper = window.controller.stepper
    losses = stepper.history.losses
    reference = window.loss_plot.reference_losses
    if index == 0:
        assert reference is None
        assert len(losses) == 2000
        first_layer = stepper.history.snapshots[0][:8]  # W^0 comes first in θ
        np.testing.assert_array_equal(
            first_layer, np.random.default_rng(1).uniform(-1, 1, (2, 4)).ravel())
    elif index == 1:  # the grey curve is run A's, and this run lies on it exactly
        np.testing.assert_array_equal(reference, losses)
        assert "run A" in window.loss_plot.getPlotItem().titleLabel.text
        x, y = window.loss_plot.reference.getOriginalDataset()
        assert len(x) > 0
    elif index == 2:
        assert reference is not None and len(reference) == len(losses) == 2000
        assert losses[0] != reference[0]
        first_layer = stepper.history.snapshots[0][:8]
        np.testing.assert_array_equal(
            first_layer, np.random.default_rng(2).uniform(-1, 1, (2, 4)).ravel())


def confirm_hidden_bias(window, index: int) -> None:
    """One sigmoid neuron, w = (0.5, −0.5), b = 0.5 (then none), on (0, 0) → 0.9 and
    (1, 0), (0, 1) → 0.1: n^1 by hand, the outputs by the test's own numpy."""
    stepper = window.controller.stepper
    network = stepper.network
    x = stepper.inputs
    b = network.biases[0] if network.bias else np.zeros(1)
    outputs = sigmoid(x @ network.weights[0] + b)
    if index in (0, 1, 2):
        assert network.bias
    else:
        assert not network.bias
    if index == 0:
        assert outputs[0, 0] == sigmoid(0.5) and stepper.phase == 0
        assert window.network_view.selected_parameters() == [ParameterAddress.bias(0, 0)]
    elif index == 1:  # [1 | a^0] × [b^0; W^0]: 1·0.5 + 0·0.5 + 0·(−0.5), 0.5 + 0.5, 0.5 − 0.5
        np.testing.assert_allclose(stepper.trace.pre_activations[1].ravel(), [0.5, 1.0, 0.0])
    elif index == 2:
        assert stepper.iteration == 1000
        assert np.max(np.abs(outputs - stepper.targets)) < 0.01
    elif index == 4:  # a^0 × W^0 without the column of ones
        np.testing.assert_allclose(stepper.trace.pre_activations[1].ravel(), [0.0, 0.5, -0.5])
    elif index in (5, 6):
        assert stepper.iteration == (1000 if index == 5 else 1500)
        assert outputs[0, 0] == 0.5
        assert np.sum((outputs - stepper.targets) ** 2) >= 0.16


def confirm_mazur(window, index: int) -> None:
    """Mazur's 2-2-2 network: his forward pass by the test's own numpy at every step before
    the update, the update waiting at step 6, his w5 = 0.35891648 after it (the biases as
    they were), and his E = 0.0000351085 at iteration 9,999."""
    stepper = window.controller.stepper
    network = stepper.network
    x, y = np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]])
    outputs = sigmoid(sigmoid(x @ network.weights[0] + network.biases[0]) @ network.weights[1]
                      + network.biases[1])
    np.testing.assert_array_equal(network.biases[0], [0.35, 0.35])
    np.testing.assert_array_equal(network.biases[1], [0.6, 0.6])
    if index <= 5:
        assert stepper.iteration == 0
        np.testing.assert_array_equal(network.weights[1], [[0.4, 0.5], [0.45, 0.55]])
        assert f"{outputs[0, 0]:.8f}" == "0.75136507"
        assert f"{0.5 * np.sum((outputs - y) ** 2):.9f}" == "0.298371109"
        assert str(stepper.next_phase) == ("update" if index == 5 else "forward layer 1")
    elif index == 6:
        assert stepper.iteration == 1 and stepper.phase == 0
        assert f"{network.weights[1][0, 0]:.8f}" == "0.35891648"
        assert f"{network.weights[0][0, 0]:.9f}" == "0.149780716"
    else:
        assert stepper.iteration == 9999
        assert f"{0.5 * np.sum((outputs - y) ** 2):.10f}" == "0.0000351085"


CONFIRM = {"all-equal": confirm_all_equal, "w5-w6": confirm_w5_w6, "zeros": confirm_zeros,
           "seed": confirm_seed, "hidden-bias": confirm_hidden_bias, "mazur": confirm_mazur}


@pytest.mark.parametrize("key", [lesson.key for lesson in lessons.LESSONS])
def test_each_lesson_runs_from_start_to_end(open_window, qtbot, key):
    window = open_window(show=True)
    lesson = lessons.lesson(key)
    start(qtbot, window, key)
    for index in range(len(lesson.steps)):
        if index:
            press_next(qtbot, window)
        heading = panel(window).heading.text()
        assert f"Step {index + 1} of {len(lesson.steps)}" in heading
        assert lesson.steps[index].title in heading
        shown = checks_shown(window)
        assert shown and all(holds for _, holds in shown), shown
        assert panel(window).checks.toPlainText().count("✓") == len(shown)
        for topic in lesson.steps[index].show:
            assert window.findChild(QDockWidget, TOPIC_DOCKS[topic]).isVisible(), topic
        CONFIRM[key](window, index)
    assert button(window, "lesson_next").text() == "Finish"
    press_next(qtbot, window)
    assert window.lessons.lesson is None
    assert not window.lessons.dock.isVisible()
    assert "Lesson finished" in window.statusBar().currentMessage()
    assert window.loss_plot.reference_losses is None


# ------------------------------------------------------------------ deviating
def test_a_deviation_shows_in_the_checks_and_the_lesson_goes_on_from_it(open_window, qtbot):
    from gui.commands import SetParametersCommand

    window = open_window(show=True)
    start(qtbot, window, "w5-w6")
    press_next(qtbot, window)  # "They move as one": 500 iterations, tied
    c = window.controller
    c.push(SetParametersCommand(c, [W3], [c.network.get(W3) + 0.25]))  # the learner's edit
    c.run_now(100)
    wait_refreshed(qtbot, window)
    shown = dict((text, holds) for text, holds in
                 [(claim.text, verdict.holds) for claim, verdict in window.lessons.verdicts])
    assert not all(shown.values())
    assert "✗" in panel(window).checks.toPlainText()
    w5_before = c.network.get(W5)
    press_next(qtbot, window)  # goes on from the learner's network
    assert not c._agreed  # the question asked up front stood for the step only
    assert "Step 3 of 4" in panel(window).heading.text()
    assert c.stepper.iteration == 1000  # ran on to 1000 from 600
    assert c.network.get(W5) != w5_before
    lessons_own = lessons.build(lessons.lesson("w5-w6"), 2).stepper.network
    assert not np.allclose(c.network.theta, lessons_own.theta)  # the edit carried on
    at_600 = c.stepper.history.snapshot_iterations == 600
    row = c.stepper.history.snapshots[at_600][0]
    w1, w3 = row[c.network.flat_index(W1)], row[c.network.flat_index(W3)]
    assert w3 - w1 > 0.2  # the learner's +0.25, still there (the lesson's own: w3 = w1)
    edits = [c.undo_stack.text(i) for i in range(c.undo_stack.count())]
    assert any("Set w3 = " in text for text in edits)  # the learner's edit is still there
    assert any("Lesson: w5" in text for text in edits)


def test_set_up_again_gives_the_lessons_state_and_undo_the_learners(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "w5-w6")
    press_next(qtbot, window)
    c = window.controller
    lesson_theta = c.network.theta.copy()
    c.run_now(250)
    mine = c.network.theta.copy()
    assert not np.array_equal(mine, lesson_theta)
    button(window, "lesson_again").click()
    np.testing.assert_array_equal(c.network.theta, lesson_theta)
    assert c.stepper.iteration == 500
    assert all(holds for _, holds in checks_shown(window))
    c.undo()
    np.testing.assert_array_equal(c.network.theta, mine)  # the learner's run, given back
    assert c.stepper.iteration == 750


def test_back_sets_the_previous_step_up_as_the_lesson_does(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "all-equal")
    for _ in range(4):
        press_next(qtbot, window)
    assert window.controller.stepper.iteration == 2000
    button(window, "lesson_back").click()
    stepper = window.controller.stepper
    assert "Step 4 of 7" in panel(window).heading.text()
    assert (stepper.iteration, stepper.phase) == (1, 0)
    built = lessons.build(lessons.lesson("all-equal"), 3).stepper
    np.testing.assert_array_equal(stepper.network.theta, built.network.theta)
    np.testing.assert_array_equal(stepper.history.losses, built.history.losses)
    window.lessons.action_back.trigger()
    window.lessons.action_back.trigger()
    assert "Step 2 of 7" in panel(window).heading.text()
    assert str(window.controller.stepper.next_phase) == "forward layer 3"
    window.controller.undo()
    window.controller.undo()
    window.controller.undo()  # the three set-ups undone: the 2000 iterations are back
    assert window.controller.stepper.iteration == 2000


def test_a_structure_change_is_named_and_next_sets_the_step_up_afresh(open_window, qtbot):
    from engine.core import structure

    window = open_window(show=True)
    start(qtbot, window, "all-equal")
    c = window.controller
    c.replace_stepper("Add a neuron", structure.add_neuron(c.network, 1, c.init_spec))
    window.lessons.check_now()
    assert window.lessons.verdicts is None
    assert "not the lesson's network" in panel(window).checks.toPlainText()
    press_next(qtbot, window)
    assert c.network.sizes == [2, 3, 3, 2]
    assert str(c.stepper.next_phase) == "forward layer 3"
    assert "afresh" in window.statusBar().currentMessage()
    assert all(holds for _, holds in checks_shown(window))


def test_next_from_a_rewound_timeline_asks_once(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "w5-w6")
    press_next(qtbot, window)  # 500 iterations
    c = window.controller
    asked = []
    window.discard_question.answer = lambda iterations: asked.append(iterations) or False
    c.seek(200)
    press_next(qtbot, window)  # declined: nothing changes
    assert asked == [300]
    assert "Step 2 of 4" in panel(window).heading.text()
    assert c.stepper.head_iteration == 500
    window.discard_question.answer = lambda iterations: asked.append(iterations) or True
    press_next(qtbot, window)
    assert asked == [300, 300]  # once, for the nudge and the run together
    assert "Step 3 of 4" in panel(window).heading.text()
    assert c.stepper.iteration == 1000
    assert abs(c.network.get(W5) - c.network.get(W6)) > 0.1


def test_a_lesson_asks_before_replacing_unsaved_work(open_window, qtbot):
    from gui.commands import SetParametersCommand

    window = open_window(show=True)
    c = window.controller
    address = ParameterAddress.weight(0, 0, 0)
    c.push(SetParametersCommand(c, [address], [0.25]))
    window.files.ask_unsaved = lambda: "cancel"
    window.lessons.start_actions["zeros"].trigger()
    assert window.lessons.lesson is None
    assert c.network.get(address) == 0.25 and c.network.sizes == [2, 3, 3, 2]
    window.files.ask_unsaved = lambda: "discard"
    window.lessons.start_actions["zeros"].trigger()
    assert window.lessons.lesson.key == "zeros"
    assert c.network.sizes == [2, 1]


def test_learners_stepping_updates_the_checks(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "all-equal")
    press_next(qtbot, window)  # forward through layers 1 and 2
    window.action_step_phase.trigger()  # forward layer 3: the columns are still identical
    wait_refreshed(qtbot, window)
    assert all(holds for _, holds in (
        (claim.text, verdict.holds) for claim, verdict in window.lessons.verdicts))
    c = window.controller
    c.apply_theta(c.network.theta + np.linspace(0, 0.1, c.network.theta.size))
    wait_refreshed(qtbot, window)
    window.action_step_iteration.trigger()
    window.action_step_phase.trigger()
    window.action_step_phase.trigger()
    window.lessons.check_now()
    assert not any(verdict.holds for _, verdict in window.lessons.verdicts)


def test_lesson_shortcuts_and_close(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "seed")
    assert window.lessons.action_next.shortcut().toString() == "Alt+Right"
    assert window.lessons.action_back.shortcut().toString() == "Alt+Left"
    window.lessons.action_next.trigger()
    assert window.loss_plot.reference_losses is not None
    assert window.lessons.action_back.isEnabled()
    window.lessons.action_close.trigger()
    assert window.lessons.lesson is None
    assert not window.lessons.dock.isVisible()
    assert window.loss_plot.reference_losses is None
    assert window.controller.stepper.iteration == 2000  # the network stays


def test_lesson_from_the_command_line_makes_a_screenshot(tmp_path):
    out = tmp_path / "lesson.png"
    result = subprocess.run(
        [sys.executable, "app.py", "--lesson", "w5-w6", "--lesson-step", "3",
         "--screenshot", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=90, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 300


def test_an_unknown_lesson_on_the_command_line_is_named(tmp_path):
    result = subprocess.run(
        [sys.executable, "app.py", "--lesson", "nope", "--screenshot", str(tmp_path / "x.png")],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2
    assert "nope" in result.stderr and "all-equal" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_the_panel_without_a_lesson_lists_them(open_window, qtbot):
    window = open_window(show=True)
    window.lessons.dock.toggleViewAction().trigger()  # View ▸ Lesson, no lesson open
    assert window.lessons.dock.isVisible()
    text = panel(window).text.toPlainText()
    assert all(title in text for title in TITLES)
    assert not any(button(window, name).isEnabled()
                   for name in ("lesson_back", "lesson_again", "lesson_next"))
    start(qtbot, window, "zeros")
    assert button(window, "lesson_next").isEnabled()
    window.lessons.action_close.trigger()
    assert "No lesson open" in panel(window).heading.text()


def test_a_remembered_layout_does_not_bring_back_an_empty_lesson_dock(qtbot, tmp_path):
    from gui.main_window import MainWindow

    first = MainWindow(remember_layout=True)
    qtbot.addWidget(first)
    first.files.ask_unsaved = lambda: "discard"
    first.show()
    first.lessons.start("w5-w6")
    assert first.lessons.dock.isVisible()
    first.close()  # the layout is saved with the lesson dock shown
    second = MainWindow(remember_layout=True)
    qtbot.addWidget(second)
    second.files.ask_unsaved = lambda: "discard"
    second.show()
    assert not second.lessons.dock.isVisible()
    assert second.lessons.lesson is None
    second.close()


# ------------------------------------------------ what the review of the lessons found
def test_opening_other_work_ends_the_lesson(open_window, qtbot, tmp_path):
    from gui_helpers import SEED_001_FREE

    window = open_window(show=True)
    start(qtbot, window, "seed")
    press_next(qtbot, window)  # run A's curve in grey
    mine = tmp_path / "mine.json"
    mine.write_bytes(SEED_001_FREE.read_bytes())
    assert window.open_file(mine)
    assert window.lessons.lesson is None
    assert not window.lessons.dock.isVisible()
    assert window.loss_plot.reference_losses is None
    assert not window.lessons.action_back.isEnabled()
    assert window.controller.network.sizes == [2, 2, 1]  # the opened file, untouched
    start(qtbot, window, "w5-w6")
    window.files.new_file()
    assert window.lessons.lesson is None


def test_starting_a_lesson_leaves_no_unsaved_mark(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "w5-w6")
    assert not window.files.is_modified()
    assert "•" not in window.windowTitle()
    press_next(qtbot, window)
    assert "•" in window.windowTitle()  # trained since: unsaved work


def test_matrices_scroll_to_the_block_the_step_names(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "all-equal")
    view = window.debugger.matrix_view
    assert view.isVisible()
    press_next(qtbot, window)
    press_next(qtbot, window)  # backward: ∂C/∂W^2, below three other blocks
    block = next(w for w in view.block_widgets if "∂C/∂W^2]" in w.block.title)
    bar = view.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2000)
    assert bar.value() == min(block.y(), bar.maximum())


def test_next_while_running_pauses_first(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "w5-w6")
    c = window.controller
    c.run()
    qtbot.waitUntil(lambda: c.stepper.iteration > 600, timeout=5000)  # past the step's 500
    press_next(qtbot, window)
    assert not c.running
    iteration = c.stepper.iteration
    qtbot.wait(100)
    assert c.stepper.iteration == iteration  # paused, not running behind the step
    assert all(holds for _, holds in checks_shown(window))


def test_undoing_a_set_up_asks_nothing_and_the_panel_follows(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "w5-w6")
    press_next(qtbot, window)
    press_next(qtbot, window)  # step 3, iteration 1000
    c = window.controller
    asked = []
    window.discard_question.answer = lambda iterations: asked.append(iterations) or True
    c.seek(700)
    button(window, "lesson_back").click()  # step 2 as the lesson sets it up
    assert "Step 2 of 4" in panel(window).heading.text()
    assert c.stepper.iteration == 500
    c.seek(200)
    assert c.undo()
    assert asked == []  # the set-up discards nothing: nothing to ask
    assert "Step 3 of 4" in panel(window).heading.text()
    assert c.stepper.iteration == 700 and c.stepper.head_iteration == 1000
    assert c.redo()
    assert "Step 2 of 4" in panel(window).heading.text()


def test_next_onto_a_step_that_loads_asks_nothing_when_rewound(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "zeros")
    press_next(qtbot, window)  # 2000 iterations of logistic regression
    c = window.controller
    asked = []
    window.discard_question.answer = lambda iterations: asked.append(iterations) or True
    c.seek(1000)
    press_next(qtbot, window)  # loads the 2-4-1 network: nothing of the old run is lost
    assert asked == []
    assert c.network.sizes == [2, 4, 1]
    c.undo()
    assert c.network.sizes == [2, 1] and c.stepper.head_iteration == 2000


def test_closing_the_dock_ends_the_lesson(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "seed")
    press_next(qtbot, window)
    iteration = window.controller.stepper.iteration
    window.lessons.dock.close()  # its close button
    assert window.lessons.lesson is None
    assert window.loss_plot.reference_losses is None
    assert not window.lessons.action_next.isEnabled()
    window.lessons.action_next.trigger()
    assert window.controller.stepper.iteration == iteration
    start(qtbot, window, "seed")
    window.lessons.dock.toggleViewAction().trigger()  # View ▸ Lesson, unticked
    assert window.lessons.lesson is None
    assert not window.lessons.action_next.isEnabled()


def test_closing_the_window_stops_the_lesson_check(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "w5-w6")
    window.controller.run_now(3)  # a change: the check is due at the scheduler's next frame
    assert "lesson_checks" in window.scheduler.stale_views()
    assert window.scheduler.active
    window.close()
    assert not window.scheduler.active


def test_a_rewound_run_a_is_still_run_a(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "seed")
    press_next(qtbot, window)
    window.controller.seek(1500)
    verdicts = dict((claim.text, verdict) for claim, verdict in
                    lessons.check(lessons.lesson("seed").steps[1], window.controller.stepper,
                                  window.lessons.memo))
    assert all(verdict.holds for verdict in verdicts.values()), verdicts
    window.controller.apply_theta(window.controller.network.theta * 1.001)  # not run A now
    window.lessons.check_now()
    assert not window.lessons.verdicts[0][1].holds


def test_the_reference_curve_belongs_to_the_steps_that_name_it(open_window, qtbot):
    window = open_window(show=True)
    start(qtbot, window, "seed")
    press_next(qtbot, window)
    assert window.loss_plot.reference_losses is not None
    window.lessons.action_back.trigger()  # run A's own step: nothing to compare with
    assert window.loss_plot.reference_losses is None
    press_next(qtbot, window)
    start(qtbot, window, "w5-w6")  # another lesson
    assert window.loss_plot.reference_losses is None


def test_the_initialisation_scheme_follows_the_step(open_window, qtbot):
    from engine.core.init import InitSpec

    window = open_window(show=True)
    start(qtbot, window, "all-equal")
    c = window.controller
    assert c.init_spec.scheme == "constant"
    for _ in range(6):
        press_next(qtbot, window)
    assert c.init_spec == InitSpec("uniform", 0)  # the text says: try another seed there
    assert window.findChild(QDockWidget, "settings_dock").isVisible()
    window.lessons.action_back.trigger()
    assert c.init_spec.scheme == "constant"


def test_the_step_list_goes_to_any_step(open_window, qtbot):
    from PySide6.QtWidgets import QComboBox

    window = open_window(show=True)
    start(qtbot, window, "all-equal")
    steps = window.findChild(QComboBox, "lesson_steps")
    assert steps.count() == 7 and steps.currentIndex() == 0
    assert steps.itemText(4) == "5. The outputs settle on the averages"
    steps.activated.emit(4)  # as a pick from the list does
    assert "Step 5 of 7" in panel(window).heading.text()
    assert window.controller.stepper.iteration == 2000
    assert all(holds for _, holds in checks_shown(window))
    assert steps.currentIndex() == 4
    press_next(qtbot, window)
    assert steps.currentIndex() == 5
    assert window.controller.undo()  # runs are history, not edits: this undoes the jump
    assert window.controller.stepper.iteration == 0
    assert steps.currentIndex() == 0



def test_a_live_check_keeps_the_learners_place_in_the_list(open_window, qtbot, monkeypatch):
    from gui.views import lesson_view

    # the checks take the room they need (issue 14, point 6); in a short dock, and with a
    # box allowed to be this short, three checks are more than it shows
    monkeypatch.setattr(lesson_view, "CHECKS_ROOM", 40)
    window = open_window(show=True)
    window.resize(1000, 560)
    start(qtbot, window, "w5-w6")
    for _ in range(2):
        press_next(qtbot, window)  # three checks with their figures: more than the box shows
    bar = panel(window).checks.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    bar.setValue(bar.maximum())
    window.controller.run_now(5)
    window.lessons.check_now()
    assert bar.value() == bar.maximum() > 0


def test_every_topic_a_lesson_names_has_a_dock_in_the_window(open_window):
    """Lessons name topics, not docks (issue 13): the window knows which dock shows each."""
    from PySide6.QtWidgets import QDockWidget

    from engine.lessons import LESSONS
    window = open_window()
    named = {topic for lesson in LESSONS for step in lesson.steps for topic in step.show}
    assert named <= set(TOPIC_DOCKS)
    for topic, name in TOPIC_DOCKS.items():
        assert window.findChild(QDockWidget, name) is not None, topic


def test_a_lesson_does_not_take_the_open_files_description(open_window, qtbot, tmp_path):
    """The one-line description belongs to the file opened; a lesson's network is another,
    and saving it must not write the old file's line into it: starting a lesson, or a step
    that swaps in its own network (one undoable edit), leaves no description, and undoing
    the swap gives the line back."""
    from gui_helpers import EXAMPLES

    from engine.io import fileformat

    mazur = EXAMPLES / "mazur-2-2-2.json"
    window = open_window(mazur)
    controller = window.controller
    assert controller.description and "Mazur" in controller.description
    lesson_network = fileformat.load(EXAMPLES / "seed-001-tied.json").make_stepper()
    controller.swap_in(lesson_network, None, "Set up a step")
    assert controller.stepper is lesson_network and controller.description is None
    path = tmp_path / "lesson-network.json"
    assert window.files.save_file(path)
    assert fileformat.load(path).description is None
    controller.undo_stack.undo()
    assert controller.description == fileformat.load(mazur).description
    window.files.open_file(mazur, ask=False)
    start(qtbot, window, "w5-w6")  # a lesson replaces the work as File ▸ New does
    assert controller.description is None
