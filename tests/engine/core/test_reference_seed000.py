"""Seed 000, number by number.

The learner's 2-3-3-2 sigmoid network with every weight and bias 1, two observations and the
sse cost printed every matrix of its first iteration; those numbers (rounded to 7-8 decimals)
are in ../shared/reference/seed-000-first-iteration.json and copied below, so this file
checks the engine against the seed itself, not against the engine's own earlier output.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from paths import DATA, SHARED

from engine import InitSpec, Network, Phase, Stepper, TrainingConfig, initialise
from engine.analysis.symmetry import symmetry_groups

# ---------------------------------------------------------------- the seed's numbers
# seed-000-first-iteration.json: "The seed rounds to 7-8 decimals, so compare with an
# absolute tolerance of 2e-7."
TOLERANCE = 2e-7
INPUTS = [[0.8, 0.4], [0.3, 0.3]]
TARGETS = [[0.2, 0.4], [1.0, 0.0]]
PRE_ACTIVATION_1 = [[2.2, 2.2, 2.2], [1.6, 1.6, 1.6]]
ACTIVATION_1 = [[0.9002495, 0.9002495, 0.9002495], [0.8320184, 0.8320184, 0.8320184]]
ACTIVATION_2 = [[0.9758906, 0.9758906, 0.9758906], [0.9705753, 0.9705753, 0.9705753]]
ACTIVATION_3 = [[0.9806908, 0.9806908], [0.9803864, 0.9803864]]
DCOST_DACTIVATION_3 = [[1.5613816, 1.1613816], [-0.0392272, 1.9607728]]
DACTIVATION_DPRE_3 = [[0.01893635, 0.01893635], [0.01922891, 0.01922891]]
DELTA_3 = [[0.02956687, 0.02199233], [-0.0007543, 0.03770352]]
# Row 0 the bias gradient, row i+1 the gradient of the weights leaving neuron i of layer 2.
WEIGHT_GRADIENT_2_AUGMENTED = [
    [0.0288126, 0.0596958],
    [0.028122, 0.0580562],
    [0.028122, 0.0580562],
    [0.028122, 0.0580562],
]
# "it produces the output for the above example after 1000 iterations"
OUTPUT_AFTER_1000 = [[0.5992708, 0.1997655], [0.5993174, 0.2004307]]
LEARNING_RATE = 0.5


def seed_000_stepper(theta_init: InitSpec | None = None) -> Stepper:
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, bias=True)
    if theta_init is None:
        network.theta[...] = 1.0  # "I'll initialise both weights, and biases with 1."
    else:
        initialise(network, theta_init)
    config = TrainingConfig(loss="sse", optimizer="gd", learning_rate=LEARNING_RATE)
    return Stepper(network, INPUTS, TARGETS, config)


def assert_seed(actual, expected, tolerance: float = TOLERANCE) -> None:
    actual = np.asarray(actual)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tolerance)


def test_the_copied_numbers_are_the_seeds():
    """Guards against a typo in the copy above: the seed's numbers agree with each other
    (by plain arithmetic) and with tests/data's JSON copy, itself compared with
    ../shared/reference/ where the team's shared folder is present."""
    x, y = np.array(INPUTS), np.array(TARGETS)
    sigmoid = lambda n: 1.0 / (1.0 + np.exp(-n))  # noqa: E731
    assert_seed(1.0 + x.sum(axis=1, keepdims=True) * np.ones((1, 3)), PRE_ACTIVATION_1)
    assert_seed(sigmoid(np.array(PRE_ACTIVATION_1)), ACTIVATION_1)
    assert_seed(sigmoid(1.0 + np.array(ACTIVATION_1).sum(axis=1, keepdims=True)) * np.ones(3),
                ACTIVATION_2)
    a3 = np.array(ACTIVATION_3)
    assert_seed(2.0 * (a3 - y), DCOST_DACTIVATION_3, 4 * TOLERANCE)
    assert_seed(a3 * (1.0 - a3), DACTIVATION_DPRE_3, 4 * TOLERANCE)
    assert_seed(np.array(DCOST_DACTIVATION_3) * np.array(DACTIVATION_DPRE_3), DELTA_3)
    augmented_a2 = np.hstack([np.ones((2, 1)), np.array(ACTIVATION_2)])
    assert_seed(augmented_a2.T @ np.array(DELTA_3), WEIGHT_GRADIENT_2_AUGMENTED, 4 * TOLERANCE)

    shared = SHARED / "reference/seed-000-first-iteration.json"
    copy = DATA / "seed-000-first-iteration.json"
    if shared.exists():  # the team's shared folder beside the repository: the copy is exact
        assert json.loads(shared.read_text()) == json.loads(copy.read_text())
    for path in (copy,):
        reference = json.loads(path.read_text())
        assert reference["tolerance"] == TOLERANCE
        assert reference["data"] == {"inputs": INPUTS, "targets": TARGETS}
        for key, value in {
            "pre_activation_layer_1": PRE_ACTIVATION_1,
            "activation_layer_1": ACTIVATION_1,
            "activation_layer_2": ACTIVATION_2,
            "activation_layer_3": ACTIVATION_3,
            "dcost_dactivation_layer_3": DCOST_DACTIVATION_3,
            "dactivation_dpre_layer_3": DACTIVATION_DPRE_3,
            "delta_layer_3": DELTA_3,
        }.items():
            assert reference[key] == value, key
        assert reference["weight_gradient_2_augmented"]["value"] == WEIGHT_GRADIENT_2_AUGMENTED


def test_first_iteration_phase_by_phase_matches_every_printed_matrix():
    stepper = seed_000_stepper()
    expected_phases = [
        Phase("forward", 1), Phase("forward", 2), Phase("forward", 3), Phase("loss"),
        Phase("backward", 3), Phase("backward", 2), Phase("backward", 1), Phase("update"),
    ]

    # forward 1: n^1 = [1 | a^0] @ [[b^0], [W^0]], a^1 = σ(n^1)
    assert stepper.step_phase() == expected_phases[0]
    trace = stepper.trace
    assert_seed(trace.pre_activations[1], PRE_ACTIVATION_1)
    assert_seed(trace.activations[1], ACTIVATION_1)
    assert trace.activations[2] is None  # nothing beyond the phase just done
    assert trace.loss is None

    assert stepper.step_phase() == expected_phases[1]
    assert_seed(trace.activations[2], ACTIVATION_2)
    assert trace.activations[3] is None

    assert stepper.step_phase() == expected_phases[2]
    assert_seed(trace.activations[3], ACTIVATION_3)
    assert trace.dcost_dactivations[3] is None

    # loss: ∂ΣC/∂a^3 = 2 (a^3 − y)
    assert stepper.step_phase() == expected_phases[3]
    assert_seed(trace.dcost_dactivations[3], DCOST_DACTIVATION_3)
    assert trace.deltas[3] is None
    # the cost itself, by hand from the seed's a^3 and y: Σ (a − y)²
    hand_cost = sum(
        (ACTIVATION_3[o][k] - TARGETS[o][k]) ** 2 for o in range(2) for k in range(2)
    )
    assert trace.loss == pytest.approx(hand_cost, abs=4 * TOLERANCE)

    # backward 3: ∂a^3/∂n^3 = a^3 (1 − a^3); δ^3 = ∂C/∂a^3 ⊙ ∂a^3/∂n^3; ∂C/∂W^2 = [1|a^2]ᵀ δ^3
    assert stepper.step_phase() == expected_phases[4]
    assert_seed(trace.dactivation_dpre[3], DACTIVATION_DPRE_3)
    assert_seed(trace.deltas[3], DELTA_3)
    augmented = np.vstack([trace.bias_gradients[2][np.newaxis, :], trace.weight_gradients[2]])
    assert_seed(augmented, WEIGHT_GRADIENT_2_AUGMENTED)
    assert trace.deltas[2] is None and trace.weight_gradients[1] is None

    assert stepper.step_phase() == expected_phases[5]
    assert stepper.step_phase() == expected_phases[6]
    # Seed 000's complaint, visible in its own table: the three rows of ∂C/∂W^2 that belong to
    # the three identical neurons of layer 2 are identical, and so are δ^2's columns.
    assert np.all(trace.deltas[2] == trace.deltas[2][:, :1])
    assert np.all(trace.weight_gradients[2] == trace.weight_gradients[2][:1, :])

    # update: θ ← θ − η ∂C/∂θ, checked on W^2, b^2 against the seed's gradient table
    assert stepper.step_phase() == expected_phases[7]
    assert (stepper.iteration, stepper.phase) == (1, 0)
    seed_gradient = np.array(WEIGHT_GRADIENT_2_AUGMENTED)
    assert_seed(stepper.network.biases[2], 1.0 - LEARNING_RATE * seed_gradient[0])
    assert_seed(stepper.network.weights[2], 1.0 - LEARNING_RATE * seed_gradient[1:])


def test_the_augmented_form_of_the_forward_pass_gives_the_seeds_n1():
    """The seed's own picture: [1 | a^0] @ [[b^0], [W^0]] with everything 1."""
    stepper = seed_000_stepper()
    network = stepper.network
    augmented_inputs = np.hstack([np.ones((2, 1)), np.array(INPUTS)])
    augmented_weights = network.augmented_weights(0)
    assert augmented_weights.shape == (3, 3)
    assert np.all(augmented_weights == 1.0)
    assert_seed(augmented_inputs @ augmented_weights, PRE_ACTIVATION_1)
    assert_seed(stepper.evaluate().pre_activations[1], PRE_ACTIVATION_1)


def test_output_after_1000_iterations_matches_the_seed():
    """Which evaluation did the seed print? Its loop did forward, backward, update 1000
    times and printed a^3 of the last forward pass. That pass ran at the parameters after
    999 updates: the 1000th evaluation. So the seed's matrix is ``evaluate()`` after
    ``run(999)`` (equivalently, iteration 999's forward phases), not after ``run(1000)``
    (which is the 1001st evaluation).

    The seed used float32 (TensorFlow) and printed 7 decimals, so a few 1e-8 of float32
    rounding come on top of the 5e-8 of printing; 1e-7 separates the two candidates: after
    999 updates every entry is within about 6e-8, after 1000 updates the furthest is
    about 2.3e-7 off, and after 998 about 2.2e-7.
    """
    expected = np.array(OUTPUT_AFTER_1000)
    stepper = seed_000_stepper()
    stepper.run(999)
    after_999 = stepper.evaluate().outputs
    np.testing.assert_allclose(after_999, expected, rtol=0, atol=1e-7)

    # The same numbers as the forward phases of iteration 999, the seed's 1000th loop.
    for _ in range(3):
        stepper.step_phase()
    np.testing.assert_array_equal(stepper.trace.outputs, after_999)

    stepper.run(1)  # finishes iteration 999: 1000 updates done
    assert stepper.iteration == 1000
    after_1000 = stepper.evaluate().outputs
    np.testing.assert_allclose(after_1000, expected, rtol=0, atol=1e-6)  # the brief's ~1e-6
    assert np.abs(after_1000 - expected).max() > 1e-7  # but the seed printed the 1000th pass

    stepper.seek(998)
    assert np.abs(stepper.evaluate().outputs - expected).max() > 1e-7


def test_long_run_settles_on_the_column_averages_of_the_targets():
    """The seed's symmetric failure: with every neuron of a hidden layer identical, the
    network spends thousands of iterations on the plateau where each output is the average
    of its column of targets, [0.6, 0.2], for both observations.

    The plateau is not the end of the story: the three identical neurons act as one, and a
    2-1-1-2 network can still fit two observations, so after about 5000 iterations the loss
    leaves the plateau. The test checks the plateau (iterations 1000 and 2000), where the
    seed's learner saw it.
    """
    column_averages = np.mean(np.array(TARGETS), axis=0)
    np.testing.assert_allclose(column_averages, [0.6, 0.2])
    # The plateau loss by hand: Σ_o Σ_k (y − column average)² = 2 (0.4² + 0.2²) = 0.4
    plateau_loss = 2 * (0.4**2 + 0.2**2)

    stepper = seed_000_stepper()
    for iterations in (1000, 2000):
        stepper.run(iterations - stepper.iteration)
        trace = stepper.evaluate()
        np.testing.assert_allclose(trace.outputs, np.tile(column_averages, (2, 1)), atol=2e-3)
        assert trace.loss == pytest.approx(plateau_loss, abs=2e-3)
        # still three identical neurons in each hidden layer
        groups = symmetry_groups(stepper.network)
        assert groups[1] == [[0, 1, 2]] and groups[2] == [[0, 1, 2]]
        for layer in (1, 2):
            activations = trace.activations[layer]
            assert np.all(activations == activations[:, :1])


def test_random_initialisation_gets_closer_to_the_targets():
    """Oxbowerce's answer: random weights break the symmetry. uniform(−1, 1), seed 0."""
    targets = np.array(TARGETS)
    symmetric = seed_000_stepper()
    random = seed_000_stepper(InitSpec("uniform", seed=0, parameters={"low": -1, "high": 1}))
    groups = symmetry_groups(random.network)
    assert groups[1] == [[0], [1], [2]] and groups[2] == [[0], [1], [2]]
    symmetric.run(2000)
    random.run(2000)
    symmetric_trace, random_trace = symmetric.evaluate(), random.evaluate()
    symmetric_error = np.abs(symmetric_trace.outputs - targets).max()
    random_error = np.abs(random_trace.outputs - targets).max()
    assert random_error < 0.1 < 0.35 < symmetric_error
    assert random_trace.loss < symmetric_trace.loss / 100
    # its loss history is the same cost, computed along the way
    assert random.history.losses.shape == (2000,)
    assert random.history.losses[-1] > random_trace.loss  # gradient descent kept descending
