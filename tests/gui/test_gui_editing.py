"""Editing weights in the graph: double-click an edge, type, Enter; seed 001's story (w5 = w6
does not tie the hidden neurons when w1 ≠ w3; tied neurons stay tied until an edit parts them);
undo and redo; refused input; Set equal on a Ctrl+click selection."""

from __future__ import annotations

import numpy as np
from gui_helpers import (
    SEED_000,
    SEED_001_FREE,
    SEED_001_TIED,
    W1,
    W2,
    W3,
    W4,
    W5,
    W6,
    activate,
    edge_point,
    edit_by_mouse,
    engine_parameters,
    reference_descent,
    trigger,
    wait_refreshed,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from engine.analysis.symmetry import symmetry_groups
from engine.core.network import ParameterAddress

W1_00 = ParameterAddress.weight(1, 0, 0)  # seed 000's w^1_{0,0}


def editor_of(window) -> QLineEdit:
    return window.network_view.findChild(QLineEdit, "inline_editor")


def message_of(window) -> QLabel:
    return window.network_view.findChild(QLabel, "inline_editor_message")


def layer_1_groups(window):
    return symmetry_groups(window.controller.network)[1]


def check_against_reference(window, start_weights, steps):
    """The engine's parameters after ``steps`` iterations equal an independent numpy
    gradient descent from ``start_weights`` (bias-free seed 001 networks, bce)."""
    stepper = window.controller.stepper
    weights, _, _ = reference_descent(
        start_weights, [np.zeros(2), np.zeros(1)], stepper.inputs, stepper.targets, "bce",
        stepper.config.learning_rate, steps, bias=False)
    actual, _ = engine_parameters(stepper)
    for a, e in zip(actual, weights, strict=True):
        np.testing.assert_allclose(a, e, rtol=0, atol=1e-13)


# ------------------------------------------------------------------ seed 001's story
def test_w5_equal_w6_does_not_tie_neurons_when_w1_differs_from_w3(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    network = window.controller.network
    assert network.get(W1) != network.get(W3)
    start = [w.copy() for w in network.weights]

    line_edit = edit_by_mouse(qtbot, window, W5, "0.7")
    assert not line_edit.isVisible()  # Enter applied and closed the editor
    assert network.get(W5) == 0.7
    edit_by_mouse(qtbot, window, W6, "0.7")
    assert network.get(W6) == 0.7
    assert window.controller.undo_stack.count() == 2
    wait_refreshed(qtbot, window)
    # the view shows seed 001's plain names with the new values
    assert window.network_view.edges[W5].label_text.text() == "w5 = 0.7"
    assert window.network_view.edges[W6].label_text.text() == "w6 = 0.7"
    # w5 = w6 alone does not make the hidden neurons interchangeable: w1 ≠ w3
    assert layer_1_groups(window) == [[0], [1]]

    trigger(window.action_step_iteration, 6)
    stepper = window.controller.stepper
    assert stepper.iteration == 6
    # what was set: θ at the start of iteration 0 has w5 = w6 = 0.7
    first = stepper.history.snapshots[0]
    assert first[network.flat_index(W5)] == first[network.flat_index(W6)] == 0.7
    # the hidden neurons still differ, and so do w5 and w6 now (a1 ≠ a2)
    assert layer_1_groups(window) == [[0], [1]]
    assert network.get(W5) != network.get(W6)
    start[1][:, 0] = 0.7
    check_against_reference(window, start, 6)
    wait_refreshed(qtbot, window)
    assert "layer 1: 2 neurons, 2 distinct" in window.symmetry_label.text()


def test_tied_neurons_stay_tied_until_an_edit_parts_them(open_window, qtbot):
    window = open_window(SEED_001_TIED, show=True)
    activate(qtbot, window)
    controller = window.controller
    network = controller.network
    start = [w.copy() for w in network.weights]

    trigger(window.action_step_iteration, 10)
    controller.run(290)
    qtbot.waitUntil(lambda: not controller.running, timeout=20000)
    assert controller.stepper.iteration == 300
    # w1 = w3, w2 = w4, w5 = w6 still hold, to the last bit: gradient descent cannot part them
    assert network.get(W1) == network.get(W3)
    assert network.get(W2) == network.get(W4)
    assert network.get(W5) == network.get(W6)
    assert network.get(W1) != start[0][0, 0]  # ... although they did move
    assert layer_1_groups(window) == [[0, 1]]
    check_against_reference(window, start, 300)
    wait_refreshed(qtbot, window)
    view = window.network_view
    outline = view.neurons[(1, 0)].pen().color()
    assert view.neurons[(1, 1)].pen().color() == outline
    assert "layer 1: 2 neurons, 1 distinct" in window.symmetry_label.text()

    # break the tie by hand: w5 gets another value
    parted_from = [w.copy() for w in network.weights]
    edit_by_mouse(qtbot, window, W5, "0.9")
    assert network.get(W5) == 0.9
    parted_from[1][0, 0] = 0.9
    controller.run(50)
    qtbot.waitUntil(lambda: not controller.running, timeout=20000)
    assert controller.stepper.iteration == 350
    # now the incoming weights part too, and layer 1 has two distinct neurons
    assert network.get(W1) != network.get(W3)
    assert network.get(W2) != network.get(W4)
    assert layer_1_groups(window) == [[0], [1]]
    check_against_reference(window, parted_from, 50)
    wait_refreshed(qtbot, window)
    assert "layer 1: 2 neurons, 2 distinct" in window.symmetry_label.text()
    assert view.neurons[(1, 0)].pen().color() != outline


# ----------------------------------------------------------------------- undo, redo
def test_undo_and_redo_of_an_edit(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    network = window.controller.network
    assert network.get(W1_00) == 1.0
    edit_by_mouse(qtbot, window, W1_00, "0.5")
    assert network.get(W1_00) == 0.5
    assert window.action_undo.isEnabled()
    assert window.action_undo.text().replace("&", "") == "Undo Set w¹₀,₀ = 0.5"

    qtbot.keyClick(window.network_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert network.get(W1_00) == 1.0
    assert window.action_redo.text().replace("&", "") == "Redo Set w¹₀,₀ = 0.5"
    qtbot.keyClick(window.network_view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert network.get(W1_00) == 0.5
    view = window.network_view
    assert "value = 0.5\n" in view.tooltip_for(view.edges[W1_00])


def test_undo_redo_exact_values_over_several_edits(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    network = window.controller.network
    original = network.theta.copy()
    second = ParameterAddress.weight(0, 1, 2)
    edit_by_mouse(qtbot, window, W1_00, "0.1234567890123456")
    edit_by_mouse(qtbot, window, second, "-2.5e-7")
    edit_by_mouse(qtbot, window, W1_00, "3")
    assert network.get(W1_00) == 3.0
    assert network.get(second) == -2.5e-7
    trigger(window.action_undo)
    assert network.get(W1_00) == 0.1234567890123456
    trigger(window.action_undo, 2)
    assert np.array_equal(network.theta, original)
    assert not window.action_undo.isEnabled()
    trigger(window.action_redo, 3)
    assert network.get(W1_00) == 3.0
    assert network.get(second) == -2.5e-7
    assert window.action_undo.text().replace("&", "") == "Undo Set w¹₀,₀ = 3"


def test_undo_after_steps_goes_back_to_where_the_edit_was_made(open_window, qtbot):
    """Undo means "as it was just before my edit": the iteration where it was made, the old
    value there (the two iterations after it discarded); redo makes it again there."""
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    network, stepper = window.controller.network, window.controller.stepper
    original = network.theta.copy()
    edit_by_mouse(qtbot, window, W1_00, "0.5")
    trigger(window.action_step_iteration, 2)
    trigger(window.action_undo)
    assert (stepper.iteration, stepper.phase, stepper.head_iteration) == (0, 0, 0)
    assert np.array_equal(network.theta, original)
    assert stepper.history.loss_count == 0
    trigger(window.action_redo)
    assert (stepper.iteration, stepper.phase) == (0, 0)
    assert network.get(W1_00) == 0.5
    edited = original.copy()
    edited[network.flat_index(W1_00)] = 0.5
    assert np.array_equal(network.theta, edited)


def test_editor_opens_on_the_double_clicked_edge_with_its_value(open_window, qtbot):
    from gui_helpers import double_click_edge

    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    for address, fraction in ((W3, 0.7), (W2, 0.7), (W6, 0.5)):
        double_click_edge(qtbot, window.network_view, address, fraction)
        editor = editor_of(window)
        qtbot.waitUntil(editor.isVisible, timeout=2000)
        assert window.network_view.editor.address == address
        assert float(editor.text()) == window.controller.network.get(address)
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
        assert not editor.isVisible()
    assert window.controller.undo_stack.count() == 0


# -------------------------------------------------------------------- refused input
REFUSED = ["abc", "nan", "inf", "1e400", "-inf", "1,5", "2*3", ""]


def test_inline_editor_refuses_non_numbers(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    network = window.controller.network
    old = network.get(W5)
    theta = network.theta.copy()
    message = message_of(window)
    for text in REFUSED:
        line_edit = edit_by_mouse(qtbot, window, W5, text or None)
        assert np.array_equal(network.theta, theta), text
        assert window.controller.undo_stack.count() == 0
        assert line_edit.isVisible(), "the editor stays open on refused text"
        assert message.isVisible(), text
        assert repr(text) in message.text()
        assert "kept" in message.text()
        # Escape gives up: the editor goes away, nothing changed
        qtbot.keyClick(line_edit, Qt.Key.Key_Escape)
        assert not line_edit.isVisible()
        assert network.get(W5) == old
    wait_refreshed(qtbot, window)
    assert window.network_view.edges[W5].label_text.text() == "w5 = 0.4"


def test_refusal_message_goes_with_the_editor(open_window, qtbot):
    """Escape closes the editor: its red message must not stay behind over the graph."""
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    line_edit = edit_by_mouse(qtbot, window, W5, "abc")
    assert message_of(window).isVisible()
    qtbot.keyClick(line_edit, Qt.Key.Key_Escape)
    assert not line_edit.isVisible()
    assert not message_of(window).isVisible(), "the refusal message outlives its editor"


def test_refused_text_then_a_number_applies(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    line_edit = edit_by_mouse(qtbot, window, W5, "abc")
    assert message_of(window).isVisible()
    # the refused text is selected: typing replaces it
    qtbot.keyClicks(line_edit, "-0.25")
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)
    assert window.controller.network.get(W5) == -0.25
    assert not line_edit.isVisible()
    assert not message_of(window).isVisible()


def set_field(qtbot, field: QLineEdit, text: str) -> None:
    """Click into a line edit, select all, type, press Enter (editingFinished commits)."""
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


LEARNING_RATE_REFUSALS = [
    ("abc", "'abc' is not a number"),
    ("nan", "'nan' is not a finite number"),
    ("inf", "'inf' is not a finite number"),
    ("1e400", "'1e400' is too large"),
    ("-1", "learning_rate: must be greater than 0"),
    ("0", "learning_rate: must be greater than 0"),
]


def test_learning_rate_input_refuses_bad_text(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    field = window.findChild(QLineEdit, "learning_rate_input")
    window.settings_dock.raise_()
    stepper = window.controller.stepper
    assert stepper.config.learning_rate == 0.5
    for text, reason in LEARNING_RATE_REFUSALS:
        set_field(qtbot, field, text)
        assert stepper.config.learning_rate == 0.5, text
        assert window.controller.undo_stack.count() == 0
        assert field.text() == "0.5"
        assert reason in window.statusBar().currentMessage()
    # and the old rate is the one training uses
    window.action_step_iteration.trigger()
    expected, _, _ = reference_descent(*_seed_000_parameters(), stepper.inputs, stepper.targets,
                                       "sse", 0.5, 1)
    np.testing.assert_allclose(stepper.network.weights[0], expected[0], rtol=0, atol=1e-14)


def _seed_000_parameters():
    return ([np.ones((2, 3)), np.ones((3, 3)), np.ones((3, 2))],
            [np.ones(3), np.ones(3), np.ones(2)])


def test_learning_rate_input_applies_a_number_without_touching_weights(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    trigger(window.action_step_iteration, 2)
    stepper = window.controller.stepper
    theta = stepper.network.theta.copy()
    field = window.findChild(QLineEdit, "learning_rate_input")
    set_field(qtbot, field, "0.25")
    assert stepper.config.learning_rate == 0.25
    assert np.array_equal(stepper.network.theta, theta)
    assert stepper.iteration == 2
    assert window.action_undo.text().replace("&", "") == "Undo Set learning_rate = 0.25"
    trigger(window.action_step_iteration)
    # the iteration used the new rate: compare with 2 steps at 0.5 then 1 at 0.25
    w, b, _ = reference_descent(*_seed_000_parameters(), stepper.inputs, stepper.targets, "sse",
                                0.5, 2)
    w, b, _ = reference_descent(w, b, stepper.inputs, stepper.targets, "sse", 0.25, 1)
    for actual, expected in zip(stepper.network.weights, w, strict=True):
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-14)
    trigger(window.action_undo)
    assert stepper.config.learning_rate == 0.5
    wait_refreshed(qtbot, window)
    assert field.text() == "0.5"


# ------------------------------------------------------------------------ set equal
def test_set_equal_on_a_ctrl_click_selection(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    view = window.network_view
    network = window.controller.network
    original = network.theta.copy()
    viewport = view.viewport()
    left = Qt.MouseButton.LeftButton
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.mouseClick(viewport, left, pos=edge_point(view, W3, 0.7))
    qtbot.mouseClick(viewport, left, ctrl, pos=edge_point(view, W1, 0.5))
    qtbot.mouseClick(viewport, left, ctrl, pos=edge_point(view, W6, 0.5))
    assert view.selected_parameters() == [W3, W1, W6]
    assert all(view.edges[a].isSelected() for a in (W3, W1, W6))
    window.action_set_equal.trigger()
    first = original[network.flat_index(W3)]
    assert first == -0.5
    assert network.get(W1) == network.get(W6) == network.get(W3) == first
    untouched = [network.flat_index(a) for a in (W2, W4, W5)]
    assert np.array_equal(network.theta[untouched], original[untouched])
    assert window.action_undo.text().replace("&", "") == (
        "Undo Set 3 parameters equal to w3 = -0.5")
    trigger(window.action_undo)
    assert np.array_equal(network.theta, original)


def test_set_equal_needs_two_parameters(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    view = window.network_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=edge_point(view, W5))
    assert view.selected_parameters() == [W5]
    theta = window.controller.network.theta.copy()
    window.action_set_equal.trigger()
    assert np.array_equal(window.controller.network.theta, theta)
    assert window.controller.undo_stack.count() == 0
    assert "Select two or more" in window.statusBar().currentMessage()


# ------------------------------------------------------------------- other ways to edit
def test_double_click_on_a_bias_edits_it(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    view = window.network_view
    bias = ParameterAddress.bias(1, 2)  # b^1_2: neuron 2 of layer 2
    item = view.bias_items[bias]
    position = view.mapFromScene(item.mapToScene(item.rect().center()))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    line_edit = editor_of(window)
    qtbot.waitUntil(line_edit.isVisible, timeout=2000)
    assert view.editor.address == bias
    qtbot.keyClicks(line_edit, "-0.125")
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)
    assert window.controller.network.biases[1][2] == -0.125
    assert window.action_undo.text().replace("&", "") == "Undo Set b¹₂ = -0.125"
    wait_refreshed(qtbot, window)
    assert item.text.text() == "b -0.125"
    # neuron 2 of layer 2 is no longer interchangeable with the other two
    assert "layer 2: 3 neurons, 2 distinct" in window.symmetry_label.text()


def test_f2_edits_the_selected_weight(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    view = window.network_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=edge_point(view, W6))
    assert view.selected_parameters() == [W6]
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    line_edit = editor_of(window)
    assert line_edit.isVisible()
    assert view.editor.address == W6
    qtbot.keyClicks(line_edit, "2")
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)
    assert window.controller.network.get(W6) == 2.0


def test_set_value_refuses_bad_text(open_window, qtbot):
    window = open_window(SEED_001_FREE)
    view = window.network_view
    view.select_parameters([W5, W6])
    theta = window.controller.network.theta.copy()
    assert window.set_selected_to("1e400") is False
    assert np.array_equal(window.controller.network.theta, theta)
    assert "'1e400' is too large" in window.statusBar().currentMessage()
    assert window.set_selected_to("0.3") is True
    assert window.controller.network.get(W5) == window.controller.network.get(W6) == 0.3


def test_weights_plot_shows_an_edit_that_keeps_the_sum(open_window, qtbot):
    """Setting w^0_{0,0} = 0.5 and w^0_{0,1} = 1 both to 0.75 leaves Σθ unchanged; the plot
    must still show the new values."""
    window = open_window(SEED_000)
    view = window.network_view
    a, b = ParameterAddress.weight(0, 0, 0), ParameterAddress.weight(0, 0, 1)
    view.select_parameters([a])
    assert window.set_selected_to("0.5")
    wait_refreshed(qtbot, window)
    view.select_parameters([a, b])
    assert window.set_selected_to("0.75")
    wait_refreshed(qtbot, window)
    plot = window.weights_plot
    network = window.controller.network
    assert len(plot.curves) < len(plot.indices)  # seed 000's 21 weights share 8 curves
    for address in (a, b):
        _, y = plot.trajectory(network.flat_index(address))
        assert y[-1] == 0.75, f"the weights plot still shows {address} = {y[-1]}"
