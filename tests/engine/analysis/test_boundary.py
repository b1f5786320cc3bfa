"""engine.boundary: the grid around the training points and a neuron's map over it, checked
against hand calculation and a separate numpy forward pass written here (σ through tanh, so
not the engine's formula)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.analysis import boundary
from engine.analysis.boundary import (
    grid,
    neuron_map,
    output_levels,
    resolution_for,
    two_input_message,
    value_levels,
)
from engine.core.network import Network


def sigma(n):
    # σ(n) = (1 + tanh(n / 2)) / 2: the same function by another formula
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(n, dtype=float)))


def hand_net() -> Network:
    """2-2-1 sigmoid: W^0 = [[1, −1], [2, 0.5]], b^0 = [0, 0.5], W^1 = [[1], [−2]], b^1 = [0.25]."""
    net = Network([2, 2, 1], ["sigmoid", "sigmoid"])
    net.weights[0][:] = [[1.0, -1.0], [2.0, 0.5]]
    net.biases[0][:] = [0.0, 0.5]
    net.weights[1][:] = [[1.0], [-2.0]]
    net.biases[1][:] = [0.25]
    return net


def reference_forward(net: Network, points: np.ndarray, functions) -> list[np.ndarray]:
    """Every layer's activations for ``points``, one plain matrix product per layer."""
    a = [points]
    for l, f in enumerate(functions):
        a.append(f(a[-1] @ net.weights[l] + net.biases[l]))
    return a


# ------------------------------------------------------------------------ grid
def test_grid_covers_the_data_with_a_margin_row_by_row():
    inputs = np.array([[0.0, 1.0], [2.0, 5.0], [1.0, 3.0]])
    xs, ys, points = grid(inputs, 5, margin=0.1)
    # x_0 from 0 to 2, 10 % of 2 beyond each end; x_1 from 1 to 5, 10 % of 4 beyond
    assert np.allclose(xs, [-0.2, 0.4, 1.0, 1.6, 2.2])
    assert np.allclose(ys, [0.6, 1.8, 3.0, 4.2, 5.4])
    assert points.shape == (25, 2)
    for k in (0, 3, 7, 24):
        assert np.allclose(points[k], [xs[k % 5], ys[k // 5]])


def test_a_constant_input_gets_a_unit_width():
    inputs = np.array([[1.0, 3.0], [1.0, 4.0]])
    xs, ys, _ = grid(inputs, 3, margin=0.1)
    assert np.allclose(xs, [0.4, 1.0, 1.6])  # 1 ± 0.5, then ± 0.1
    assert np.allclose(ys, [2.9, 3.5, 4.1])
    xs, ys, _ = grid(np.array([[2.0, -1.0]]), 2, margin=0.0)  # one observation
    assert np.allclose(xs, [1.5, 2.5]) and np.allclose(ys, [-1.5, -0.5])


@pytest.mark.parametrize(("inputs", "resolution", "margin", "words"), [
    (np.zeros((4, 3)), 8, 0.1, "two input columns"),
    (np.zeros((0, 2)), 8, 0.1, "no observations"),
    (np.array([[0.0, np.nan]]), 8, 0.1, "finite"),
    (np.zeros((2, 2)), 1, 0.1, "resolution"),
    (np.zeros((2, 2)), 2.5, 0.1, "resolution"),
    (np.zeros((2, 2)), 8, -0.1, "margin"),
])
def test_grid_refuses_bad_input_by_name(inputs, resolution, margin, words):
    with pytest.raises(ValueError, match=words):
        grid(inputs, resolution, margin)


# ------------------------------------------------------------------- neuron_map
def test_output_map_of_a_hand_set_2_2_1_network():
    net = hand_net()
    # at (1, 0): n^1 = (1·1 + 0·2 + 0, 1·(−1) + 0·0.5 + 0.5) = (1, −0.5)
    a1 = (1 / (1 + math.exp(-1.0)), 1 / (1 + math.exp(0.5)))
    n2 = a1[0] - 2 * a1[1] + 0.25
    at_1_0 = 1 / (1 + math.exp(-n2))
    assert at_1_0 == pytest.approx(0.556255, abs=1e-6)  # 0.7310586 − 0.7550813 + 0.25
    # at (0, 0): a^1 = (σ(0), σ(0.5)) = (0.5, 0.6224593)
    at_0_0 = 1 / (1 + math.exp(-(0.5 - 2 / (1 + math.exp(-0.5)) + 0.25)))
    values = neuron_map(net, np.array([[1.0, 0.0], [0.0, 0.0]]))
    assert np.allclose(values, [at_1_0, at_0_0], rtol=0, atol=1e-12)


def test_output_map_over_a_grid_matches_a_separate_forward_pass():
    net = hand_net()
    inputs = np.array([[0.2, 0.9], [0.7, 0.2], [0.1, 0.3]])
    xs, ys, points = grid(inputs, 7)
    values = neuron_map(net, points)
    expected = reference_forward(net, points, [sigma, sigma])[2][:, 0]
    assert values.shape == (49,)
    assert np.allclose(values, expected, rtol=0, atol=1e-12)
    image = values.reshape(len(ys), len(xs))  # rows are x_1, columns x_0
    row, column = 5, 2
    assert image[row, column] == pytest.approx(
        float(reference_forward(net, np.array([[xs[column], ys[row]]]), [sigma, sigma])[2][0, 0]),
        abs=1e-12)


def test_a_hidden_neurons_map_is_its_own_sigmoid_by_hand():
    net = hand_net()
    points = np.array([[0.0, 0.0], [1.0, 2.0], [-0.5, 0.25]])
    # a^1_1 = σ(x_0·w^0_{0,1} + x_1·w^0_{1,1} + b^0_1) = σ(−x_0 + 0.5·x_1 + 0.5)
    expected = [1 / (1 + math.exp(-(-x0 + 0.5 * x1 + 0.5))) for x0, x1 in points]
    assert np.allclose(neuron_map(net, points, neuron=(1, 1)), expected, rtol=0, atol=1e-12)
    # a^1_0 = σ(x_0 + 2·x_1)
    expected = [1 / (1 + math.exp(-(x0 + 2 * x1))) for x0, x1 in points]
    assert np.allclose(neuron_map(net, points, neuron=(1, 0)), expected, rtol=0, atol=1e-12)
    # layer 0 is the input itself; the output neuron as (L, j) is the output map
    assert np.array_equal(neuron_map(net, points, neuron=(0, 1)), points[:, 1])
    assert np.allclose(neuron_map(net, points, neuron=(2, 0)), neuron_map(net, points))


def test_a_chosen_output_of_a_tanh_relu_softmax_network():
    rng = np.random.default_rng(3)
    net = Network([2, 5, 4, 3], ["tanh", "relu", "softmax"])
    net.theta[:] = rng.normal(size=net.theta.size)

    def softmax(n):
        e = np.exp(n - n.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    points = rng.uniform(-2, 2, size=(30, 2))
    a = reference_forward(net, points, [np.tanh, lambda n: np.where(n > 0, n, 0.0), softmax])
    for k in range(3):
        assert np.allclose(neuron_map(net, points, output=k), a[3][:, k], atol=1e-12)
    assert np.allclose(neuron_map(net, points, neuron=(2, 3)), a[2][:, 3], atol=1e-12)
    assert np.allclose(neuron_map(net, points, neuron=(1, 4)), a[1][:, 4], atol=1e-12)


def test_points_keep_their_shape_and_wide_layers_are_mapped_in_chunks(monkeypatch):
    rng = np.random.default_rng(5)
    net = Network([2, 40, 1], ["sigmoid", "linear"])
    net.theta[:] = rng.normal(size=net.theta.size)
    points = rng.uniform(-1, 1, size=(3, 4, 2))
    expected = reference_forward(net, points.reshape(-1, 2), [sigma, lambda n: n])[2][:, 0]
    monkeypatch.setattr(boundary, "CHUNK_VALUES", 100)  # 2 points at a time
    values = neuron_map(net, points)
    assert values.shape == (3, 4)
    assert np.allclose(values.ravel(), expected, rtol=0, atol=1e-12)


def test_a_network_without_biases():
    net = Network([2, 2, 1], ["sigmoid", "sigmoid"], bias=False)
    net.weights[0][:] = [[0.2, -0.5], [-0.3, 0.6]]  # seed 001, free
    net.weights[1][:] = [[0.4], [0.4]]
    x0, x1 = 0.2, 0.9
    h = (1 / (1 + math.exp(-(0.2 * x0 - 0.3 * x1))), 1 / (1 + math.exp(-(-0.5 * x0 + 0.6 * x1))))
    expected = 1 / (1 + math.exp(-(0.4 * h[0] + 0.4 * h[1])))
    assert neuron_map(net, np.array([[x0, x1]]))[0] == pytest.approx(expected, abs=1e-12)


def test_overflow_gives_the_sigmoids_limits_without_warnings():
    net = Network([2, 1], ["sigmoid"])
    net.weights[0][:] = [[1e4], [0.0]]
    values = neuron_map(net, np.array([[-1.0, 0.0], [1.0, 0.0]]))  # n = ∓10,000
    assert values.tolist() == [0.0, 1.0]


def test_only_two_input_networks_have_a_map():
    net = Network([3, 2, 1], ["sigmoid", "sigmoid"])
    assert two_input_message(net) == (
        "The decision boundary needs a network with two inputs; this one has 3.")
    assert two_input_message(hand_net()) is None
    with pytest.raises(ValueError, match="two inputs; this one has 3"):
        neuron_map(net, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="this one has 1"):
        neuron_map(Network([1, 1], ["sigmoid"]), np.zeros((4, 2)))


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"output": 1}, "outputs 0 … 0, not 1"),
    ({"neuron": (3, 0)}, "layer 3 does not exist"),
    ({"neuron": (1, 2)}, "layer 1 has no neuron 2"),
    ({"neuron": "a"}, "expected \\(layer, index\\)"),
])
def test_neurons_and_outputs_that_do_not_exist_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        neuron_map(hand_net(), np.zeros((1, 2)), **kwargs)


def test_points_need_two_coordinates():
    with pytest.raises(ValueError, match="points"):
        neuron_map(hand_net(), np.zeros((4, 3)))


# ----------------------------------------------------------------- levels, cost
def test_levels_are_the_activations_range_or_the_targets_with_a_margin():
    assert output_levels("sigmoid") == (0.0, 1.0)
    assert output_levels("softmax") == (0.0, 1.0)
    assert output_levels("tanh") == (-1.0, 1.0)
    low, high = output_levels("linear", np.array([0.0, 2.0, 1.5]))
    assert (low, high) == pytest.approx((-0.2, 2.2))
    assert output_levels("relu", np.array([3.0, 3.0])) == pytest.approx((2.5, 3.5))
    assert value_levels(np.array([np.inf, 1.0, np.nan, 3.0]), 0.0) == (1.0, 3.0)
    assert value_levels(np.array([np.nan])) == (0.0, 1.0)


def test_bigger_networks_get_coarser_grids():
    small = resolution_for(Network([2, 3, 3, 2], ["sigmoid"] * 3))
    middling = resolution_for(Network([2, 64, 64, 1], ["sigmoid"] * 3))
    big = resolution_for(Network([2, 1024, 1024, 1], ["relu", "relu", "linear"]))
    assert small == boundary.MAX_RESOLUTION
    assert boundary.MIN_RESOLUTION == big < middling < small
    assert middling % 4 == 0
    # a layer-1 neuron's map needs only the first layer: a finer grid
    assert resolution_for(Network([2, 64, 64, 1], ["sigmoid"] * 3), layer=1) > middling
    # a smaller time budget, fewer points
    assert resolution_for(Network([2, 64, 64, 1], ["sigmoid"] * 3), seconds=0.001) < middling
