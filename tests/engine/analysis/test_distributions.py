"""engine/analysis/distributions.py: histograms against numpy.histogram, dead ReLUs and
saturated sigmoids on hand-made networks (the counts worked out in the comments), the
heatmap's rows from a stepper's history (against passes written here with tests/reference.py),
and the weight images of layer 1."""

from __future__ import annotations

import numpy as np
import pytest
import reference

from engine import Network, Stepper, TrainingConfig
from engine.analysis.distributions import (
    MAX_ROWS,
    DistributionHistory,
    Histogram,
    dead_neurons,
    diverging_rgb,
    evaluate,
    histogram,
    histograms,
    image_side,
    layer_values,
    neuron_counts,
    no_image_message,
    rebin,
    row_iterations,
    rule,
    saturated_neurons,
    weight_images,
)
from engine.core.network import ParameterAddress


# ------------------------------------------------------------------- histograms
@pytest.mark.parametrize("bins", [1, 7, 40, 64])
def test_histogram_bins_and_counts_are_numpys(bins):
    values = np.random.default_rng(bins).normal(size=(37, 11)) * 3.0
    ours = histogram(values, bins)
    counts, edges = np.histogram(values.ravel(), bins=bins)
    np.testing.assert_array_equal(ours.counts, counts)
    np.testing.assert_array_equal(ours.edges, edges)
    assert ours.total == values.size and ours.non_finite == 0


def test_histogram_leaves_out_non_finite_values_and_counts_them():
    values = np.array([0.0, 1.0, np.inf, 2.0, np.nan, -np.inf, 3.0])
    ours = histogram(values, 3)
    counts, edges = np.histogram([0.0, 1.0, 2.0, 3.0], bins=3)  # numpy refuses inf itself
    np.testing.assert_array_equal(ours.counts, counts)
    np.testing.assert_array_equal(ours.edges, edges)
    assert ours.non_finite == 3 and ours.total == 7
    empty = histogram([np.nan, np.nan], 4)
    assert empty.counts.tolist() == [0, 0, 0, 0] and empty.non_finite == 2


def test_a_constant_histogram_is_numpys_unit_wide_one():
    ours = histogram(np.full(10, 2.5), 5)
    counts, edges = np.histogram(np.full(10, 2.5), bins=5)
    np.testing.assert_array_equal(ours.counts, counts)
    np.testing.assert_array_equal(ours.edges, edges)  # 2 … 3
    assert ours.low == 2.0 and ours.high == 3.0


@pytest.mark.parametrize("bins", [0, -1, 2.5, True])
def test_histogram_refuses_a_bad_bin_count(bins):
    with pytest.raises(ValueError, match="bins"):
        histogram([1.0, 2.0], bins)


def test_rebin_spreads_each_bin_over_the_bins_it_overlaps():
    source = Histogram(np.array([1, 2, 3, 4]), np.array([0.0, 1.0, 2.0, 3.0, 4.0]))
    # onto [0, 2), [2, 4]: 1 + 2 and 3 + 4
    np.testing.assert_allclose(rebin(source, np.array([0.0, 2.0, 4.0])), [3, 7])
    # onto a wider range [−4, 0), [0, 4), [4, 8]: everything in the middle bin
    np.testing.assert_allclose(rebin(source, np.array([-4.0, 0.0, 4.0, 8.0])), [0, 10, 0])
    # onto [0, 0.5), [0.5, 2.5), [2.5, 4]: half of bin 0; its other half, bin 1, half of
    # bin 2; the other half of bin 2 and bin 3
    np.testing.assert_allclose(rebin(source, np.array([0.0, 0.5, 2.5, 4.0])),
                               [0.5, 0.5 + 2 + 1.5, 1.5 + 4])
    # onto its own edges: unchanged; onto a part of it: the rest left out
    np.testing.assert_allclose(rebin(source, source.edges), source.counts)
    np.testing.assert_allclose(rebin(source, np.array([1.0, 3.0])), [5])


# -------------------------------------------------------------- dead and saturated
def relu_net() -> tuple[Network, np.ndarray]:
    """2-3-1, relu hidden layer. Inputs are ≥ 0, so
    neuron 0: n = x0 + x1 − 0.5 (positive for (1, 1), zero at (0.25, 0.25): alive);
    neuron 1: n = −x0 − x1 − 0.1 < 0 on every observation: dead;
    neuron 2: n = −2 x0 + 0 x1 + 0 ≤ 0 everywhere (0 at x0 = 0): dead too (a = 0)."""
    net = Network([2, 3, 1], ["relu", "linear"])
    net.weights[0][:] = [[1.0, -1.0, -2.0], [1.0, -1.0, 0.0]]
    net.biases[0][:] = [-0.5, -0.1, 0.0]
    net.weights[1][:] = [[1.0], [1.0], [1.0]]
    x = np.array([[1.0, 1.0], [0.0, 0.0], [0.25, 0.25], [2.0, 0.0]])
    return net, x


def test_dead_relus_of_a_hand_made_network():
    net, x = relu_net()
    trace = evaluate(net, x, np.zeros((4, 1)), "sse")
    (hidden, output) = neuron_counts(net, trace)
    assert hidden.kind == "dead" and hidden.neurons.tolist() == [1, 2]
    assert hidden.count == 2 and hidden.describe() == "2 dead ReLUs of 3"
    assert output.kind is None and output.describe() == "—"  # linear: no rule
    # the rule itself: a column of zeros, and only that
    a = np.array([[0.0, 0.0, 1.0], [0.0, 2.0, 0.0]])
    assert dead_neurons(a).tolist() == [0]


def sigmoid_net() -> tuple[Network, np.ndarray]:
    """1-4-1, sigmoid hidden layer, x in {0, 0.5, 1}:
    neuron 0: n = 10 x + 5 ∈ {5, 10, 15}: saturated (|n| > 4 everywhere, a ≥ 0.993);
    neuron 1: n = −10 x − 4.5 ∈ {−4.5, −9.5, −14.5}: saturated (a ≤ 0.011);
    neuron 2: n = x − 0.5 ∈ {−0.5, 0, 0.5}: not;
    neuron 3: n = 2 x + 4 ∈ {4, 5, 6}: not (|n| = 4 at x = 0 is on the edge, not beyond)."""
    net = Network([1, 4, 1], ["sigmoid", "sigmoid"])
    net.weights[0][:] = [[10.0, -10.0, 1.0, 2.0]]
    net.biases[0][:] = [5.0, -4.5, -0.5, 4.0]
    net.weights[1][:] = [[1.0], [1.0], [1.0], [1.0]]
    x = np.array([[0.0], [0.5], [1.0]])
    return net, x


def test_saturated_sigmoids_of_a_hand_made_network():
    net, x = sigmoid_net()
    trace = evaluate(net, x, np.zeros((3, 1)), "sse")
    hidden, output = neuron_counts(net, trace)
    assert hidden.kind == "saturated" and hidden.neurons.tolist() == [0, 1]
    assert hidden.describe() == "2 saturated sigmoids of 4"
    a = 1.0 / (1.0 + np.exp(-(x @ net.weights[0] + net.biases[0])))  # written out here
    edge = 1.0 / (1.0 + np.exp(-4.0))  # σ(4) = 0.98201…: the rule read on a
    saturated = np.all((a < 1.0 - edge) | (a > edge), axis=0)
    assert np.flatnonzero(saturated).tolist() == [0, 1]
    # rounded to 0.982, a ≥ 0.982 would take neuron 3's n = 4 (a = 0.98201) in: the rule is n's
    rounded = np.all((a <= 0.018) | (a >= 0.982), axis=0)
    assert np.flatnonzero(rounded).tolist() == [0, 1, 3]
    # the output: n = Σ a + 0 ≈ 1 + 0 + (0.38 … 0.62) + (0.98 … 1.0) ≈ 2.4 … 2.6: not saturated
    assert output.kind == "saturated" and output.count == 0
    assert rule("sigmoid") == "saturated: |n| > 4 on every observation"
    assert rule("relu") == "dead: a = 0 on every observation" and rule("softmax") is None


def test_tanh_saturates_at_two_the_sigmoids_four():
    n = np.array([[2.5, -3.0, 2.0, 0.1], [-2.1, -2.01, 5.0, 9.0]])
    assert saturated_neurons(n, 2.0).tolist() == [0, 1]
    net = Network([1, 2, 1], ["tanh", "linear"])
    net.weights[0][:] = [[4.0, 0.5]]
    net.biases[0][:] = [3.0, 0.0]
    trace = evaluate(net, np.array([[0.0], [1.0]]), np.zeros((2, 1)), "sse")
    assert neuron_counts(net, trace)[0].neurons.tolist() == [0]  # n = 3, 7; n = 0, 0.5


def test_counts_wait_for_a_trace_that_has_not_reached_the_layer():
    net, _ = relu_net()
    counts = neuron_counts(net, None)
    assert counts[0].neurons is None and counts[0].describe() == "not computed yet"


# ------------------------------------------------------------------- the values
def seed_like() -> tuple[Network, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    net = Network([3, 4, 2], ["sigmoid", "sigmoid"])
    net.theta[:] = rng.normal(size=net.theta.size)
    return net, rng.random((5, 3)), rng.random((5, 2))


def test_the_quantities_are_the_reference_passes():
    net, x, y = seed_like()
    trace = evaluate(net, x, y, "sse")
    W = [np.array(w) for w in net.weights]
    b = [np.array(v) for v in net.biases]
    expected = reference.backprop(W, b, x, y, "sse")
    for l in (1, 2):
        np.testing.assert_array_equal(layer_values(net, trace, "weights", l), W[l - 1])
        np.testing.assert_allclose(layer_values(net, trace, "gradients", l),
                                   expected.dW[l - 1], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer_values(net, trace, "activations", l), expected.a[l],
                                   rtol=1e-12)
    every = histograms(net, trace, 8)
    counts, edges = np.histogram(expected.a[1].ravel(), bins=8)
    np.testing.assert_array_equal(every["activations", 1].counts, counts)
    np.testing.assert_allclose(every["activations", 1].edges, edges, rtol=1e-12)
    assert set(every) == {(q, l) for q in ("weights", "gradients", "activations")
                          for l in (1, 2)}
    with pytest.raises(ValueError, match="quantity"):
        layer_values(net, trace, "biases", 1)
    with pytest.raises(ValueError, match="layer"):
        layer_values(net, trace, "weights", 3)


# --------------------------------------------------------------- over the iterations
def test_row_iterations_are_powers_of_two_apart_and_stay_rows_as_the_run_grows():
    chosen, k = row_iterations(np.arange(0, 50), upto=49, max_rows=64)
    assert k == 1 and chosen.tolist() == list(range(50))
    chosen, k = row_iterations(np.arange(0, 300), upto=299, max_rows=64)
    assert k == 8 and len(chosen) == 38 and chosen[0] == 0 and chosen[-1] == 296
    later, k_later = row_iterations(np.arange(0, 600), upto=599, max_rows=64)
    assert k_later == 16 and set(later) <= set(chosen) | set(range(300, 600))
    # up to where the timeline stands only
    chosen, _ = row_iterations(np.arange(0, 300), upto=20, max_rows=64)
    assert chosen.tolist() == list(range(21))


def make_stepper(iterations: int = 0) -> Stepper:
    net, x, y = seed_like()
    stepper = Stepper(net, x, y, TrainingConfig(loss="sse", learning_rate=0.5))
    stepper.run(iterations)
    return stepper


def test_rows_come_from_the_snapshots_and_equal_passes_written_here():
    stepper = make_stepper(200)
    rows = DistributionHistory(max_rows=MAX_ROWS, bins=16)
    rows.sync(stepper)
    assert len(rows.iterations) <= MAX_ROWS and rows.spacing == 4  # 200 snapshots, k = 4
    assert rows.iterations[-1] == 196 and len(rows.missing) == 50
    assert rows.compute(stepper, limit=3) == 47  # newest first
    assert sorted(rows.rows) == [188, 192, 196]
    partial = rows.heatmap("weights", 2, bins=10)
    assert partial.image.shape == (50, 10) and partial.iterations[-1] == 196
    assert np.isnan(partial.image[:47]).all() and not np.isnan(partial.image[47:]).any()
    assert rows.compute(stepper) == 0 and rows.missing == []
    # row 100 against the reference: θ at the start of iteration 100 is 100 gd steps from θ_0
    origin = Network(stepper.network.sizes, stepper.network.activation_names, True,
                     stepper.history.origin.theta)
    W = [np.array(w) for w in origin.weights]
    b = [np.array(v) for v in origin.biases]
    reference.train(W, b, stepper.inputs, stepper.targets, "sse", 0.5, 100)
    expected = reference.backprop(W, b, stepper.inputs, stepper.targets, "sse")
    row = rows.rows[100].histograms
    for l in (1, 2):
        for quantity, values in (("weights", W[l - 1]), ("gradients", expected.dW[l - 1]),
                                 ("activations", expected.a[l])):
            counts, edges = np.histogram(values.ravel(), bins=16)
            np.testing.assert_allclose(row[quantity, l].edges, edges, rtol=1e-9, atol=1e-12)
            assert abs(row[quantity, l].counts - counts).sum() <= 2, (quantity, l)
    heat = rows.heatmap("activations", 1, bins=12)
    assert heat.image.shape == (50, 12) and heat.iterations[0] == 0
    assert np.allclose(heat.image.max(axis=1), 1.0)  # each row scaled to its own peak
    assert heat.edges[0] <= min(h.low for h in (r.histograms["activations", 1]
                                                for r in rows.rows.values()))
    assert rows.nbytes < 200_000


def test_the_current_position_is_the_last_row_until_its_snapshot_is_taken():
    stepper = make_stepper(10)  # at iteration 10: snapshots 0 … 9
    rows = DistributionHistory(bins=8)
    rows.sync(stepper)
    rows.compute(stepper)
    trace = evaluate(stepper.network, stepper.inputs, stepper.targets, "sse")
    rows.set_now(stepper.iteration, histograms(stepper.network, trace, 8))
    assert rows.shown_iterations.tolist() == list(range(11))
    heat = rows.heatmap("gradients", 2, bins=8)
    assert heat.iterations[-1] == 10 and heat.image.shape == (11, 8)
    counts, _ = np.histogram(trace.weight_gradients[1].ravel(), bins=8)
    assert rows.now.histograms["gradients", 2].counts.tolist() == counts.tolist()
    # iteration 10 begins: its snapshot is taken, but its row stays the current position's
    # (what the caller shows of it: predict mode hides a phase not yet checked)
    stepper.step_phase()
    rows.sync(stepper)
    assert 10 in stepper.history.snapshot_iterations and 10 not in rows.missing
    assert rows.shown_iterations.tolist() == list(range(11))


def test_rows_follow_a_seek_and_an_edit_recomputes_the_rows_it_changed():
    stepper = make_stepper(40)
    rows = DistributionHistory(max_rows=64, bins=8)
    rows.sync(stepper)
    rows.compute(stepper)
    assert len(rows.rows) == 40
    before = rows.rows[10].histograms["weights", 1]
    stepper.seek(20)
    rows.sync(stepper)
    assert rows.iterations[-1] == 19 and max(rows.rows) == 19  # the rest dropped
    stepper.seek(10)
    w00 = float(stepper.network.weights[0][0, 0])
    stepper.set_values([ParameterAddress.weight(0, 0, 0)], [w00 + 5.0])
    stepper.run(5)
    rows.sync(stepper)
    assert 10 not in rows.rows  # its snapshot was recorded again after the edit
    rows.compute(stepper)
    after = rows.rows[10].histograms["weights", 1]
    snapshot = stepper.history.snapshots[list(stepper.history.snapshot_iterations).index(10)]
    edited = Network(stepper.network.sizes, stepper.network.activation_names, True, snapshot)
    assert edited.weights[0][0, 0] == w00 + 5.0
    counts, edges = np.histogram(edited.weights[0].ravel(), bins=8)
    np.testing.assert_array_equal(after.counts, counts)
    np.testing.assert_array_equal(after.edges, edges)
    assert after.high > before.high


# ------------------------------------------------------------------- weight images
def test_image_side_takes_perfect_squares_of_sixteen_or_more():
    assert image_side(784) == 28 and image_side(64) == 8 and image_side(16) == 4
    assert image_side(9) is None and image_side(2) is None and image_side(785) is None
    assert no_image_message(784) is None
    message = no_image_message(2)
    assert "2 incoming weights" in message and "784 = 28²" in message


def test_weight_images_are_the_columns_of_w0_row_by_row():
    W = np.arange(16 * 3, dtype=float).reshape(16, 3)  # w^0_{i,j} = 3 i + j
    images = weight_images(W, 4)
    assert images.shape == (3, 4, 4)
    for j in range(3):
        for r in range(4):
            for c in range(4):
                assert images[j, r, c] == 3 * (4 * r + c) + j
    with pytest.raises(ValueError, match="expected 16 rows"):
        weight_images(np.zeros((15, 3)), 4)


def test_the_colour_map_is_white_at_zero_red_positive_blue_negative():
    rgb = diverging_rgb(np.array([0.0, 1.0, -1.0, 0.5, -2.0, 3.0]), 1.0)
    assert rgb.dtype == np.uint8
    assert rgb.tolist() == [[255, 255, 255], [255, 0, 0], [0, 0, 255], [255, 128, 128],
                            [0, 0, 255], [255, 0, 0]]
    # one scale per image
    per = diverging_rgb(np.array([[1.0, 2.0], [1.0, 2.0]]), np.array([2.0, 4.0]))
    assert per[0, 0].tolist() == per[1, 1].tolist() == [255, 128, 128]
    assert diverging_rgb(np.array([0.3]), 0.0).tolist() == [[255, 255, 255]]
