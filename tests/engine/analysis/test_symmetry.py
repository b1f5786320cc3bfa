"""Seed 001: why two neurons that see the same data still come apart, and how to stop them.

The 2-2-1 sigmoid network without biases, in the seed's plain numbering:
w1 = w^0_{0,0}, w2 = w^0_{1,0} (into hidden neuron 1 from x1, x2), w3 = w^0_{0,1},
w4 = w^0_{1,1} (into hidden neuron 2), w5 = w^1_{0,0}, w6 = w^1_{1,0} (hidden → output).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Network, ParameterAddress, Stepper, TrainingConfig
from engine.analysis.symmetry import (
    DEFAULT_RTOL,
    distinct_counts,
    distinct_counts_over_history,
    group_rows,
    symmetry_groups,
)

W = ParameterAddress.weight
W1, W2, W3, W4, W5, W6 = W(0, 0, 0), W(0, 1, 0), W(0, 0, 1), W(0, 1, 1), W(1, 0, 0), W(1, 1, 0)

# Seed 001 shows its data only as a picture; any data with x1 ≠ x2 will do.
INPUTS = [[1.0, 2.0], [2.0, -1.0], [-1.5, 0.5], [0.5, 1.5]]
TARGETS = [[1.0], [0.0], [1.0], [0.0]]
TIED_GROUPS = [[[0], [1]], [[0, 1]], [[0]]]
SEPARATE_GROUPS = [[[0], [1]], [[0], [1]], [[0]]]


def seed_001(w1, w2, w3, w4, w5, w6, loss="bce") -> Stepper:
    network = Network([2, 2, 1], ["sigmoid", "sigmoid"], bias=False)
    # set through the systematic addresses, in the seed's numbering
    for address, value in zip((W1, W2, W3, W4, W5, W6), (w1, w2, w3, w4, w5, w6), strict=True):
        network.theta[network.flat_index(address)] = value
    return Stepper(network, INPUTS, TARGETS, TrainingConfig(loss=loss, learning_rate=0.5))


def plain(stepper: Stepper) -> dict[str, float]:
    network = stepper.network
    return {name: network.get(a) for name, a in zip(
        ("w1", "w2", "w3", "w4", "w5", "w6"), (W1, W2, W3, W4, W5, W6), strict=True)}


def hidden_gap(activations: np.ndarray) -> float:
    """max_o |a1 − a2| relative to the larger of the two."""
    a1, a2 = activations[:, 0], activations[:, 1]
    return float(np.max(np.abs(a1 - a2) / np.maximum(np.abs(a1), np.abs(a2))))


def test_plain_numbering_is_the_seeds():
    network = Network([2, 2, 1], ["sigmoid", "sigmoid"], bias=False)
    names = network.plain_weight_names()
    assert names == {W1: "w1", W2: "w2", W3: "w3", W4: "w4", W5: "w5", W6: "w6"}
    # w1 goes from x1 into hidden neuron 1; w4 from x2 into hidden neuron 2
    network.theta[network.flat_index(W4)] = 7.0
    assert network.weights[0][1, 1] == 7.0
    network.theta[network.flat_index(W6)] = 3.0
    assert network.weights[1][1, 0] == 3.0


def test_tied_neurons_stay_identical_for_1000_iterations():
    """w1 = w3, w2 = w4, w5 = w6: the seed's snippet that keeps the neurons together."""
    stepper = seed_001(0.2, -0.3, 0.2, -0.3, 0.5, 0.5)
    assert symmetry_groups(stepper.network) == TIED_GROUPS
    start = stepper.network.theta.copy()
    for _ in range(1000):
        stepper.step_iteration()
        activations = stepper.trace.activations[1]
        assert hidden_gap(activations) <= 1e-12
    assert stepper.iteration == 1000
    assert symmetry_groups(stepper.network) == TIED_GROUPS
    w = plain(stepper)
    assert abs(w["w1"] - w["w3"]) <= 1e-12 * abs(w["w1"])
    assert abs(w["w2"] - w["w4"]) <= 1e-12 * abs(w["w2"])
    assert abs(w["w5"] - w["w6"]) <= 1e-12 * abs(w["w5"])
    # and they did train: every weight moved
    assert np.all(np.abs(stepper.network.theta - start) > 1e-3)
    assert stepper.history.losses[-1] < stepper.history.losses[0]


def test_tied_neurons_checked_with_the_fast_path_at_every_iteration():
    stepper = seed_001(0.2, -0.3, 0.2, -0.3, 0.5, 0.5, loss="sse")
    for _ in range(1000):
        stepper.run(1)
        assert hidden_gap(stepper.evaluate().activations[1]) <= 1e-12
    assert symmetry_groups(stepper.network) == TIED_GROUPS


def test_free_neurons_separate():
    """w1 ≠ w3, w2 ≠ w4 (even with w5 = w6): different starts, different neurons."""
    stepper = seed_001(0.2, -0.3, -0.1, 0.4, 0.5, 0.5)
    assert symmetry_groups(stepper.network) == SEPARATE_GROUPS
    stepper.run(1000)
    assert symmetry_groups(stepper.network) == SEPARATE_GROUPS
    assert hidden_gap(stepper.evaluate().activations[1]) > 1e-2


def test_tied_inputs_but_different_outputs_separate():
    """Seed 001: ∂J/∂w1 and ∂J/∂w3 are different because w5 and w6 are different.

    With w1 = w3 and w2 = w4 the neurons have z1 = z2 for every observation, so by hand
        ∂J/∂w1 = Σ_o ∂J/∂z3 · w5 · σ'(z1) · x1,   ∂J/∂w3 = Σ_o ∂J/∂z3 · w6 · σ'(z2) · x1
    and ∂J/∂w1 / ∂J/∂w3 = w5 / w6 (likewise ∂J/∂w2 / ∂J/∂w4).
    """
    w5, w6 = 0.5, -0.8
    stepper = seed_001(0.2, -0.3, 0.2, -0.3, w5, w6)
    # the incoming weights agree, the outgoing ones do not: not interchangeable
    assert symmetry_groups(stepper.network) == SEPARATE_GROUPS
    trace = stepper.evaluate()
    assert hidden_gap(trace.activations[1]) == 0.0  # same z, same a, for now
    gradient = trace.weight_gradients[0]  # ∂J/∂W^0: [[∂J/∂w1, ∂J/∂w3], [∂J/∂w2, ∂J/∂w4]]
    assert abs(gradient[0, 0] - gradient[0, 1]) > 1e-3
    np.testing.assert_allclose(gradient[0, 0] / gradient[0, 1], w5 / w6, rtol=1e-12)
    np.testing.assert_allclose(gradient[1, 0] / gradient[1, 1], w5 / w6, rtol=1e-12)

    stepper.run(300)
    w = plain(stepper)
    assert abs(w["w1"] - w["w3"]) > 1e-2
    assert abs(w["w2"] - w["w4"]) > 1e-2
    assert hidden_gap(stepper.evaluate().activations[1]) > 1e-2


def test_symmetry_tolerance():
    """Neurons whose parameters differ by a relative 1e-12 are grouped, by 1e-6 not."""
    assert 1e-12 < DEFAULT_RTOL < 1e-6
    for factor, expected in ((1 + 1e-12, TIED_GROUPS), (1 + 1e-6, SEPARATE_GROUPS)):
        for changed in (W3, W4, W6):  # an incoming or the outgoing weight of neuron 2
            stepper = seed_001(0.2, -0.3, 0.2, -0.3, 0.5, 0.5)
            network = stepper.network
            network.theta[network.flat_index(changed)] *= factor
            assert network.get(changed) != network.get({W3: W1, W4: W2, W6: W5}[changed])
            assert symmetry_groups(network) == expected


def test_seed_000_counts_one_distinct_neuron_per_hidden_layer():
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, bias=True)
    network.theta[...] = 1.0
    groups = symmetry_groups(network)
    assert groups == [[[0], [1]], [[0, 1, 2]], [[0, 1, 2]], [[0, 1]]]
    assert distinct_counts(groups) == [2, 1, 1, 1]
    # a bias that differs is enough to tell two neurons apart
    network.biases[0][2] = 1.5
    assert symmetry_groups(network)[1] == [[0, 1], [2]]


def test_distinct_neurons_over_seed_000s_history():
    """Seed 000 at iterations 0 … 40: the hidden layers stay at one distinct neuron each;
    the two output neurons start identical (same weights in, same bias) and come apart
    after the first update, because their targets differ."""
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, bias=True)
    network.theta[...] = 1.0
    stepper = Stepper(network, [[0.8, 0.4], [0.3, 0.3]], [[0.2, 0.4], [1.0, 0.0]],
                      TrainingConfig(loss="sse", learning_rate=0.5))
    stepper.run(41)
    history = stepper.history
    assert history.snapshot_iterations.tolist() == list(range(41))
    counts = distinct_counts_over_history(network, history.snapshots)
    assert counts.shape == (41, 3)
    assert counts[0].tolist() == [1, 1, 1]
    assert np.all(counts[1:] == [1, 1, 2])


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**31 - 1), patterns=st.integers(1, 8),
       width=st.integers(17, 40), rtol=st.sampled_from([1e-12, 1e-9, 1e-6]))
def test_wide_layers_are_grouped_by_their_patterns(seed, patterns, width, rtol):
    """A layer of more than 16 neurons built from a few random patterns, each neuron a copy
    of one pattern changed by a relative 1e-3·rtol: exactly `patterns` groups, the members
    of each known by construction (the many-neuron path of the grouping)."""
    rng = np.random.default_rng(seed)
    network = Network([3, width, 2], ["tanh", "sigmoid"], bias=True)
    base = rng.normal(0.0, 1.0, (patterns, 3 + 1 + 2))  # in-weights, bias, out-weights
    which = np.concatenate([np.arange(patterns), rng.integers(0, patterns, width - patterns)])
    rng.shuffle(which)
    for j, k in enumerate(which):
        row = base[k] * (1.0 + 1e-3 * rtol * rng.uniform(-1, 1, base.shape[1]))
        network.weights[0][:, j] = row[:3]
        network.biases[0][j] = row[3]
        network.weights[1][j, :] = row[4:]
    expected = {}
    for j, k in enumerate(which):
        expected.setdefault(int(k), []).append(j)
    expected_groups = sorted(expected.values())
    groups = symmetry_groups(network, rtol=rtol)
    assert sorted(groups[1]) == expected_groups
    snapshots = np.vstack([network.theta, network.theta])
    counts = distinct_counts_over_history(network, snapshots, rtol=rtol)
    assert counts[:, 0].tolist() == [patterns, patterns]
    # the unchanged patterns themselves group the same way
    assert len(group_rows(np.array([base[k] for k in which]), rtol)) == patterns


@settings(deadline=None, max_examples=40)
@given(
    seed=st.integers(0, 2**31 - 1),
    hidden=st.sampled_from(["sigmoid", "tanh", "linear", "leaky_relu"]),
    optimizer=st.sampled_from(["gd", "momentum", "adam"]),
    bias=st.booleans(),
    width=st.integers(2, 4),
)
def test_copied_neurons_stay_interchangeable_under_every_optimiser(
    seed, hidden, optimizer, bias, width
):
    """Give neuron 1 of the hidden layer exactly neuron 0's incoming weights, bias and
    outgoing weights: the network cannot tell them apart, whatever the update rule."""
    rng = np.random.default_rng(seed)
    network = Network([2, width, 2], [hidden, "sigmoid"], bias=bias)
    network.theta[...] = rng.normal(0.0, 0.7, network.theta.size)
    network.weights[0][:, 1] = network.weights[0][:, 0]
    network.weights[1][1, :] = network.weights[1][0, :]
    if bias:
        network.biases[0][1] = network.biases[0][0]
    inputs = rng.uniform(-1, 1, (5, 2))
    targets = rng.uniform(0, 1, (5, 2))
    config = TrainingConfig(loss="mse", optimizer=optimizer, learning_rate=0.05)
    stepper = Stepper(network, inputs, targets, config)
    stepper.run(50)
    groups = symmetry_groups(stepper.network)
    assert [0, 1] in groups[1]
    assert len(groups[1]) == width - 1  # the other (random) neurons stay apart
    activations = stepper.evaluate().activations[1]
    np.testing.assert_allclose(activations[:, 1], activations[:, 0], rtol=1e-12, atol=1e-15)
