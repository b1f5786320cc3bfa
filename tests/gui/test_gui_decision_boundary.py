"""The decision boundary view built from a controller: its image against a separate numpy
forward pass written here, fixed levels, a hidden neuron's map, the message for networks
without two inputs, the training points, the output chooser, refreshing while running."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import (
    EXAMPLES,
    SEED_000,
    SEED_001_FREE,
    make_controller,
    scheduled,
    wait_refreshed,
)

from engine.analysis.boundary import neuron_map
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io import fileformat
from engine.io.fileformat import Document

XOR = EXAMPLES / "xor.json"


@pytest.fixture
def make(qtbot):
    """make(path) -> (controller, view): the view shown, so that it refreshes while running,
    with a scheduler that refreshes it as the window's does (``controller.scheduler``);
    ``controller.settle()`` waits for the refresh a change makes due."""
    from gui.views.decision_boundary import DecisionBoundaryView

    made = []

    def build(path=SEED_001_FREE, document=None):
        controller = make_controller(qtbot, document or fileformat.load(path), path)
        view = DecisionBoundaryView(controller)
        qtbot.addWidget(view)
        scheduler = scheduled(controller, {"decision_boundary": view})
        controller.scheduler = scheduler
        controller.settle = lambda: wait_refreshed(qtbot, scheduler)
        view.resize(420, 340)
        view.show()
        qtbot.waitExposed(view)
        made.append(controller)
        return controller, view

    yield build
    for controller in made:
        controller.pause()


def sigma(n):
    return 0.5 * (1.0 + np.tanh(0.5 * n))  # σ by another formula than the engine's


def reference(network: Network, points: np.ndarray, layer: int | None = None) -> np.ndarray:
    """Every layer's activations by plain matrix products: sigmoid or tanh hidden layers."""
    functions = {"sigmoid": sigma, "tanh": np.tanh}
    a = points
    last = network.layer_count if layer is None else layer
    for l in range(last):
        a = functions[network.activation_names[l]](a @ network.weights[l] + network.biases[l])
    return a


def shown(view) -> np.ndarray:
    return np.asarray(view.image.image)


def expected_image(view, layer=None, column=0) -> np.ndarray:
    values = reference(view.controller.network, view.points, layer)[:, column]
    return values.reshape(len(view.ys), len(view.xs))


def test_the_image_is_the_output_over_the_input_plane(make):
    c, view = make(SEED_001_FREE)
    image = shown(view)
    assert image.shape == (view.resolution, view.resolution) == (len(view.ys), len(view.xs))
    assert np.allclose(image, expected_image(view), rtol=0, atol=1e-12)
    # rows are x_1, columns x_0: the grid spans the inputs 0.1 … 0.8, 0.2 … 0.9 with 10 %
    assert view.xs[0] == pytest.approx(0.1 - 0.07) and view.xs[-1] == pytest.approx(0.8 + 0.07)
    assert view.ys[0] == pytest.approx(0.2 - 0.07) and view.ys[-1] == pytest.approx(0.9 + 0.07)
    assert np.array_equal(image.ravel(), neuron_map(c.network, view.points))
    # the image item covers the grid: pixel centres on the grid points
    rect = view.image.mapRectToParent(view.image.boundingRect())
    dx = view.xs[1] - view.xs[0]
    assert rect.left() == pytest.approx(view.xs[0] - dx / 2)
    assert rect.right() == pytest.approx(view.xs[-1] + dx / 2)
    assert "output a²₀ (sigmoid)" in view.title()
    plot = view.getPlotItem()
    assert plot.getAxis("bottom").labelText == "x₀" and plot.getAxis("left").labelText == "x₁"


def test_the_image_follows_training_with_fixed_levels(make):
    c, view = make(SEED_001_FREE)
    before = shown(view).copy()
    assert view.image.getLevels() == pytest.approx((0.0, 1.0))
    c.stepper.run(50)
    c.position_changed.emit()
    c.settle()
    after = shown(view)
    assert not np.allclose(after, before, atol=1e-3)
    assert np.allclose(after, expected_image(view), rtol=0, atol=1e-12)
    assert view.image.getLevels() == pytest.approx((0.0, 1.0))
    assert view.colour_bar.levels() == pytest.approx((0.0, 1.0))
    c.seek(10)  # the timeline: the map of iteration 10's parameters
    c.settle()
    assert c.stepper.iteration == 10
    assert np.allclose(shown(view), expected_image(view), rtol=0, atol=1e-12)
    assert view.image.getLevels() == pytest.approx((0.0, 1.0))


def test_tanh_levels_and_a_linear_outputs_levels_from_its_targets(make):
    c, view = make(XOR)
    view.show_neuron((1, 2))  # a tanh hidden neuron: −1 … 1
    assert view.levels == (-1.0, 1.0)
    assert np.allclose(shown(view), expected_image(view, layer=1, column=2), atol=1e-12)
    # a linear output trained by mse on targets 0 … 2: their range and 10 % of it beyond
    xor = fileformat.load(XOR)
    linear = Network([2, 4, 1], ["tanh", "linear"], theta=xor.network.theta)
    targets = np.array([[0.0], [2.0], [2.0], [1.0]])
    c, view = make(document=Document(linear, xor.inputs, targets,
                                      TrainingConfig(loss="mse", learning_rate=0.1)))
    assert view.levels == pytest.approx((-0.2, 2.2))
    before = shown(view).copy()
    c.stepper.run(40)
    c.position_changed.emit()
    c.settle()
    assert not np.allclose(shown(view), before, atol=1e-3)
    assert view.levels == pytest.approx((-0.2, 2.2))
    assert view.image.getLevels() == pytest.approx((-0.2, 2.2))
    network = c.network
    by_hand = (np.tanh(view.points @ network.weights[0] + network.biases[0])
               @ network.weights[1][:, 0] + network.biases[1][0])
    assert np.allclose(shown(view).ravel(), by_hand, rtol=0, atol=1e-12)
    # new data: new levels
    assert c.replace_stepper("targets", targets=np.array([[0.0], [4.0], [4.0], [0.0]]))
    assert view.levels == pytest.approx((-0.4, 4.4))
    c.undo_stack.undo()
    assert view.levels == pytest.approx((-0.2, 2.2))


def test_show_neuron_switches_to_that_neurons_map_and_back(make):
    c, view = make(SEED_001_FREE)
    c.stepper.run(20)
    c.position_changed.emit()
    c.settle()
    view.show_neuron((1, 1))
    # a^1_1 = σ(x_0·w^0_{0,1} + x_1·w^0_{1,1}): seed 001 has no biases
    w = c.network.weights[0][:, 1]
    by_hand = 1 / (1 + np.exp(-(view.points[:, 0] * w[0] + view.points[:, 1] * w[1])))
    assert np.allclose(shown(view).ravel(), by_hand, rtol=0, atol=1e-12)
    assert "hidden neuron a¹₁ (sigmoid)" in view.title()
    assert "a¹₁" in view.getPlotItem().titleLabel.text
    c.stepper.run(5)
    c.position_changed.emit()  # still that neuron, at the new parameters
    c.settle()
    w = c.network.weights[0][:, 1]
    by_hand = 1 / (1 + np.exp(-(view.points @ w)))
    assert np.allclose(shown(view).ravel(), by_hand, rtol=0, atol=1e-12)
    view.show_neuron(None)
    assert np.allclose(shown(view), expected_image(view), atol=1e-12)
    assert "output a²₀" in view.getPlotItem().titleLabel.text
    with pytest.raises(ValueError, match="layer 1 has no neuron 5"):
        view.show_neuron((1, 5))


def test_three_inputs_show_the_message_until_the_network_has_two_again(make):
    c, view = make(SEED_001_FREE)
    three = Network([3, 2, 1], ["sigmoid", "sigmoid"])
    inputs = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0]])
    assert c.replace_stepper("three inputs", network=three, inputs=inputs,
                             targets=np.array([[0.0], [1.0]]))
    assert view.message.isVisible()
    assert view.message.text() == (
        "The decision boundary needs a network with two inputs; this one has 3.")
    assert not view.getPlotItem().isVisible()
    assert not view.image.isVisible()
    c.stepper.run(5)
    c.position_changed.emit()  # nothing to map, nothing raised
    c.settle()
    view.show_neuron((1, 0))
    assert view.message.isVisible()
    c.undo_stack.undo()  # back to seed 001's two inputs, its output shown
    assert not view.message.isVisible()
    assert view.image.isVisible() and view.neuron is None
    assert np.allclose(shown(view), expected_image(view), rtol=0, atol=1e-12)
    assert view.title() == "output a²₀ (sigmoid)"


def test_the_training_points_sit_at_their_inputs_coloured_by_target(make):
    c, view = make(SEED_001_FREE)
    x, y = view.scatter.getData()
    inputs = c.stepper.inputs
    assert len(x) == len(inputs) == 6
    assert np.array_equal(x, inputs[:, 0]) and np.array_equal(y, inputs[:, 1])
    colours = [spot.brush().color().getRgb() for spot in view.scatter.points()]
    targets = c.stepper.targets[:, 0]  # 1, 1, 1, 0, 0, 0
    ones = {colours[k] for k in np.flatnonzero(targets == 1)}
    zeros = {colours[k] for k in np.flatnonzero(targets == 0)}
    assert len(ones) == 1 and len(zeros) == 1 and ones != zeros
    # the ends of the colour map: a target of 1 has the colour of a = 1
    top = view.colour_map.mapToQColor([1.0])[0].getRgb()
    assert ones == {top}


def test_several_outputs_get_a_chooser(make, qtbot):
    from PySide6.QtWidgets import QComboBox

    c, view = make(SEED_000)
    box = view.findChild(QComboBox, "decision_boundary_output")
    assert box is not None and box.isVisible()
    assert [box.itemText(k) for k in range(box.count())] == ["output 0", "output 1"]
    c.stepper.run(30)
    c.position_changed.emit()
    c.settle()
    network = c.network
    a = reference(network, view.points)
    assert np.allclose(shown(view).ravel(), a[:, 0], atol=1e-12)
    brushes_before = [spot.brush().color().getRgb() for spot in view.scatter.points()]
    box.setCurrentIndex(1)
    assert view.output == 1
    assert np.allclose(shown(view).ravel(), a[:, 1], atol=1e-12)
    assert "output a³₁" in view.title()
    # seed 000's targets: (0.2, 1.0) for output 0, (0.4, 0.0) for output 1
    assert [spot.brush().color().getRgb() for spot in view.scatter.points()] != brushes_before
    _, single = make(XOR)
    assert not single.findChild(QComboBox, "decision_boundary_output").isVisible()


def test_running_refreshes_the_map_and_pausing_shows_the_last_state(make, qtbot):
    c, view = make(SEED_001_FREE)
    first = shown(view).copy()
    c.run()
    qtbot.waitUntil(lambda: c.stepper.iteration > 200, timeout=10_000)
    qtbot.waitUntil(lambda: not np.allclose(shown(view), first, atol=1e-3), timeout=10_000)
    c.pause()
    c.settle()  # the last state, at the pause
    assert not c.scheduler.views["decision_boundary"].stale
    assert np.allclose(shown(view), expected_image(view), rtol=0, atol=1e-12)
    assert view.image.getLevels() == pytest.approx((0.0, 1.0))


def test_while_running_refreshes_wait_for_the_interval_and_pausing_flushes(make, qtbot,
                                                                          monkeypatch):
    import gui.scheduler as module

    monkeypatch.setattr(module, "PLOT_SECONDS", 1000.0)  # no second map during this run
    c, view = make(SEED_001_FREE)
    first = shown(view).copy()
    c.run()
    qtbot.waitUntil(lambda: c.stepper.iteration > 200, timeout=10_000)
    assert np.array_equal(shown(view), first)  # throttled: waiting for its turn
    assert "decision_boundary" in c.scheduler.stale_views()
    c.pause()
    c.settle()  # the pause brings it up to date
    assert not c.scheduler.views["decision_boundary"].stale
    assert np.allclose(shown(view), expected_image(view), rtol=0, atol=1e-12)
    # paused, every change shows at once
    c.stepper.run(3)
    c.position_changed.emit()
    c.settle()
    assert np.allclose(shown(view), expected_image(view), rtol=0, atol=1e-12)
