"""Structure edits through the StructurePanel buttons keep every weight whose two neurons
survive; undo gives back the old network exactly; training settings never reset weights."""

from __future__ import annotations

import numpy as np
from gui_helpers import (
    SEED_000_RANDOM,
    activate,
    reference_descent,
    trigger,
    wait_refreshed,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
)


def panel_button(window, name: str) -> QPushButton:
    button = window.findChild(QPushButton, f"structure_{name}")
    assert button is not None, name
    return button


def select_layer(qtbot, window, layer: int) -> None:
    """Click the layer's row in the structure table, as a user would."""
    table = window.findChild(QTableWidget, "structure_table")
    window.settings_dock.raise_()
    rect = table.visualItemRect(table.item(layer, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.selectionModel().selectedRows()[0].row() == layer


def click(qtbot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def parameters(window):
    network = window.controller.network
    return ([w.copy() for w in network.weights], [b.copy() for b in network.biases],
            network.theta.copy(), list(network.sizes))


def check_undo_redo(window, old_theta, old_sizes, new_theta, new_sizes, text):
    controller = window.controller
    assert window.action_undo.text().replace("&", "") == f"Undo {text}"
    window.action_undo.trigger()
    assert controller.network.sizes == old_sizes
    assert np.array_equal(controller.network.theta, old_theta)
    assert len(window.network_view.neurons) == sum(old_sizes)
    window.action_redo.trigger()
    assert controller.network.sizes == new_sizes
    assert np.array_equal(controller.network.theta, new_theta)
    assert len(window.network_view.neurons) == sum(new_sizes)


def check_trains_like_the_reference(qtbot, window, steps: int = 3):
    """The edited network trains: the engine's steps equal the independent reference."""
    controller = window.controller
    weights, biases, _, _ = parameters(window)
    trigger(window.action_step_iteration, steps)
    expected, expected_biases, _ = reference_descent(
        weights, biases, controller.stepper.inputs, controller.stepper.targets, "sse",
        controller.stepper.config.learning_rate, steps)
    for actual, reference in zip(controller.network.weights, expected, strict=True):
        np.testing.assert_allclose(actual, reference, rtol=1e-12, atol=1e-13)
    for actual, reference in zip(controller.network.biases, expected_biases, strict=True):
        np.testing.assert_allclose(actual, reference, rtol=1e-12, atol=1e-13)


# ------------------------------------------------------------------------- neurons
def test_add_neuron_keeps_the_surviving_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    old_w, old_b, old_theta, old_sizes = parameters(window)
    assert old_sizes == [2, 3, 3, 2]
    select_layer(qtbot, window, 1)
    click(qtbot, panel_button(window, "add_neuron"))
    w, b, theta, sizes = parameters(window)
    assert sizes == [2, 4, 3, 2]
    np.testing.assert_array_equal(w[0][:, :3], old_w[0])
    np.testing.assert_array_equal(b[0][:3], old_b[0])
    np.testing.assert_array_equal(w[1][:3, :], old_w[1])
    np.testing.assert_array_equal(w[2], old_w[2])
    np.testing.assert_array_equal(b[1], old_b[1])
    np.testing.assert_array_equal(b[2], old_b[2])
    # the new neuron's parameters come from the file's scheme: uniform on [-1, 1]
    new = np.concatenate([w[0][:, 3], b[0][3:], w[1][3, :]])
    assert np.all(np.abs(new) <= 1.0)
    # the view shows the new network
    assert len(window.network_view.neurons) == 11
    assert len(window.network_view.edges) == 2 * 4 + 4 * 3 + 3 * 2
    wait_refreshed(qtbot, window)
    assert "layer 1: 4 neurons, 4 distinct" in window.symmetry_label.text()
    check_undo_redo(window, old_theta, old_sizes, theta, sizes, "Add a neuron to layer 1")
    check_trains_like_the_reference(qtbot, window)


def test_remove_neuron_keeps_the_surviving_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    old_w, old_b, old_theta, old_sizes = parameters(window)
    select_layer(qtbot, window, 2)
    click(qtbot, panel_button(window, "remove_neuron"))
    w, b, theta, sizes = parameters(window)
    assert sizes == [2, 3, 2, 2]  # the last neuron of layer 2 went
    np.testing.assert_array_equal(w[0], old_w[0])
    np.testing.assert_array_equal(b[0], old_b[0])
    np.testing.assert_array_equal(w[1], old_w[1][:, :2])
    np.testing.assert_array_equal(b[1], old_b[1][:2])
    np.testing.assert_array_equal(w[2], old_w[2][:2, :])
    np.testing.assert_array_equal(b[2], old_b[2])
    # every new parameter is an old one: nothing re-drawn
    assert set(theta.tolist()) <= set(old_theta.tolist())
    check_undo_redo(window, old_theta, old_sizes, theta, sizes, "Remove a neuron from layer 2")
    check_trains_like_the_reference(qtbot, window)


# -------------------------------------------------------------------------- layers
def test_add_layer_keeps_the_surviving_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    old_w, old_b, old_theta, old_sizes = parameters(window)
    select_layer(qtbot, window, 1)
    click(qtbot, panel_button(window, "add_layer"))
    w, b, theta, sizes = parameters(window)
    assert sizes == [2, 3, 3, 3, 2]  # a new layer 2 of 3 neurons after layer 1
    np.testing.assert_array_equal(w[0], old_w[0])  # layer 0 → 1 survives
    np.testing.assert_array_equal(b[0], old_b[0])
    np.testing.assert_array_equal(b[2], old_b[1])  # old layer 2 is now layer 3
    np.testing.assert_array_equal(w[3], old_w[2])  # old layer 2 → output survives
    np.testing.assert_array_equal(b[3], old_b[2])
    assert window.controller.network.activation_names == ["sigmoid"] * 4
    check_undo_redo(window, old_theta, old_sizes, theta, sizes, "Insert hidden layer 2")
    check_trains_like_the_reference(qtbot, window)


def test_remove_layer_keeps_the_surviving_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    old_w, old_b, old_theta, old_sizes = parameters(window)
    select_layer(qtbot, window, 1)
    click(qtbot, panel_button(window, "remove_layer"))
    w, b, theta, sizes = parameters(window)
    assert sizes == [2, 3, 2]  # old layers 0, 2, 3
    np.testing.assert_array_equal(b[0], old_b[1])  # old layer 2's biases
    np.testing.assert_array_equal(w[1], old_w[2])  # old layer 2 → output
    np.testing.assert_array_equal(b[1], old_b[2])
    check_undo_redo(window, old_theta, old_sizes, theta, sizes, "Remove layer 1")
    check_trains_like_the_reference(qtbot, window)


def test_output_layer_cannot_lose_a_neuron(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    _, _, old_theta, old_sizes = parameters(window)
    select_layer(qtbot, window, 3)
    click(qtbot, panel_button(window, "remove_neuron"))
    assert window.controller.network.sizes == old_sizes
    assert np.array_equal(window.controller.network.theta, old_theta)
    assert window.controller.undo_stack.count() == 0
    assert "not a hidden layer" in window.statusBar().currentMessage()


def test_structure_edit_after_training_keeps_trained_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    controller = window.controller
    trigger(window.action_step_iteration, 5)
    trained_w, trained_b, trained_theta, _ = parameters(window)
    old_stepper = controller.stepper
    select_layer(qtbot, window, 2)
    click(qtbot, panel_button(window, "add_neuron"))
    w, b, _, sizes = parameters(window)
    assert sizes == [2, 3, 4, 2]
    np.testing.assert_array_equal(w[0], trained_w[0])
    np.testing.assert_array_equal(w[1][:, :3], trained_w[1])
    np.testing.assert_array_equal(w[2][:3, :], trained_w[2])
    np.testing.assert_array_equal(b[2], trained_b[2])
    # undo gives back the trained network, its position and its history
    window.action_undo.trigger()
    assert controller.stepper is old_stepper
    assert controller.stepper.iteration == 5
    assert np.array_equal(controller.network.theta, trained_theta)
    window.action_step_back.trigger()
    assert controller.stepper.iteration == 4
    wait_refreshed(qtbot, window)
    assert window.iteration_label.text() == "iteration 4"
    assert window.loss_plot.point_count >= 4


def test_biases_off_and_undo(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    old_w, _, old_theta, old_sizes = parameters(window)
    box = window.findChild(QCheckBox, "bias_checkbox")
    assert box.isChecked()
    window.settings_dock.raise_()
    # click the indicator, at the left (the box is stretched wider than its label)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked()
    assert not window.controller.network.bias
    w, _, theta, _ = parameters(window)
    for new, old in zip(w, old_w, strict=True):
        np.testing.assert_array_equal(new, old)
    assert window.network_view.bias_items == {}
    window.action_undo.trigger()
    assert window.controller.network.bias
    assert np.array_equal(window.controller.network.theta, old_theta)
    assert len(window.network_view.bias_items) == 8
    wait_refreshed(qtbot, window)
    assert box.isChecked()


# ------------------------------------------------------------- training settings
def test_training_settings_never_reset_the_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    activate(qtbot, window)
    controller = window.controller
    trigger(window.action_step_iteration, 4)
    theta = controller.network.theta.copy()
    field = window.findChild(QLineEdit, "learning_rate_input")
    window.settings_dock.raise_()
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, "0.125")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert controller.stepper.config.learning_rate == 0.125
    assert np.array_equal(controller.network.theta, theta)
    assert controller.stepper.iteration == 4
    optimizer = window.findChild(QComboBox, "optimizer_selector")
    optimizer.setCurrentText("momentum")
    assert controller.stepper.config.optimizer == "momentum"
    assert np.array_equal(controller.network.theta, theta)
    loss = window.findChild(QComboBox, "loss_selector")
    loss.setCurrentText("mse")
    assert controller.stepper.config.loss == "mse"
    assert np.array_equal(controller.network.theta, theta)
    assert controller.stepper.iteration == 4
    # undoing the settings does not touch the weights either
    trigger(window.action_undo, 3)
    assert controller.stepper.config.learning_rate == 0.5
    assert controller.stepper.config.optimizer == "gd"
    assert controller.stepper.config.loss == "sse"
    assert np.array_equal(controller.network.theta, theta)


def test_add_then_remove_neuron_is_the_identity_on_old_weights(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    _, _, old_theta, old_sizes = parameters(window)
    for layer in (1, 2):
        select_layer(qtbot, window, layer)
        click(qtbot, panel_button(window, "add_neuron"))
        select_layer(qtbot, window, layer)
        click(qtbot, panel_button(window, "remove_neuron"))
        _, _, theta, sizes = parameters(window)
        assert sizes == old_sizes
        assert np.array_equal(theta, old_theta)


def test_init_settings_change_nothing_until_reinitialise(open_window, qtbot):
    window = open_window(SEED_000_RANDOM, show=True)
    controller = window.controller
    trigger(window.action_step_iteration, 2)
    trained = controller.network.theta.copy()
    window.settings_dock.raise_()
    seed = window.findChild(QSpinBox, "init_seed")
    seed.setValue(7)
    assert controller.init_spec.seed == 7
    assert np.array_equal(controller.network.theta, trained)  # a setting, not a re-draw
    click(qtbot, window.findChild(QPushButton, "reinitialise_button"))
    drawn = controller.network.theta.copy()
    assert not np.array_equal(drawn, trained)
    assert np.all(np.abs(drawn) <= 1.0)  # uniform on [-1, 1]
    from engine.core.init import initial_theta

    assert np.array_equal(drawn, initial_theta(controller.network, controller.init_spec))
    click(qtbot, window.findChild(QPushButton, "jog_button"))
    jogged = controller.network.theta.copy()
    assert 0 < np.max(np.abs(jogged - drawn)) < 0.1  # N(0, 0.01²) noise
    trigger(window.action_undo, 2)
    assert np.array_equal(controller.network.theta, trained)
    trigger(window.action_undo)
    assert controller.init_spec.seed == 0
    assert np.array_equal(controller.network.theta, trained)


def test_the_loss_and_batch_tooltips_state_the_conventions(open_window, qtbot):
    """bce averages over the observations only (k times PyTorch's mean with k outputs), and
    mini-batches are drawn by default_rng([seed, epoch]).permutation with a short last batch:
    the settings panel says both where the learner picks them."""
    window = open_window(SEED_000_RANDOM)
    loss = window.findChild(QComboBox, "loss_selector")
    bce = loss.findText("bce")
    item_tip = loss.itemData(bce, Qt.ItemDataRole.ToolTipRole)
    assert "observations only" in item_tip and "k times" in item_tip
    assert "softplus" in item_tip
    assert "Σ (a − y)²" in loss.toolTip()  # sse, the file's loss, shown for the current one
    assert "summed" in loss.toolTip()
    batch = window.findChild(QSpinBox, "batch_size_input")
    assert "default_rng([shuffle_seed, epoch]).permutation" in batch.toolTip()
    assert "shorter" in batch.toolTip()
