"""Backprop's gradients against finite differences and against a backprop written by hand.

engine.gradcheck compares every ∂C/∂θ with a Richardson-extrapolated central difference of
the cost; the hypothesis test runs it over every activation × loss × bias combination on
small random networks. The seed-000 tests below use no engine code for the expected numbers:
a forward and backward pass written out with plain loops (tests/reference.py), itself
checked here against finite differences of its own cost.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from reference import SEED_000_INPUTS, SEED_000_SIZES, SEED_000_TARGETS, hand_backprop

from engine import InitSpec, Network, ParameterAddress, Stepper, TrainingConfig, initialise
from engine.analysis.gradcheck import gradient_check

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUT_FOR_LOSS = {
    "sse": ["sigmoid", "tanh", "linear", "relu", "leaky_relu", "softmax"],
    "mse": ["sigmoid", "tanh", "linear", "relu", "leaky_relu", "softmax"],
    "bce": ["sigmoid"],
    "cross_entropy": ["softmax"],
}
KINKED = {"relu", "leaky_relu"}


@st.composite
def networks_and_data(draw):
    loss = draw(st.sampled_from(sorted(OUTPUT_FOR_LOSS)))
    output = draw(st.sampled_from(OUTPUT_FOR_LOSS[loss]))
    hidden_layers = draw(st.integers(0, 2))
    sizes = [draw(st.integers(1, 4)) for _ in range(hidden_layers + 2)]
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in range(hidden_layers)]
    bias = draw(st.booleans())
    init_seed = draw(st.integers(0, 2**32 - 1))
    std = draw(st.floats(0.5, 1.0))
    observations = draw(st.integers(1, 5))
    data_seed = draw(st.integers(0, 2**32 - 1))
    return loss, sizes, hidden + [output], bias, init_seed, std, observations, data_seed


def make_data(loss: str, sizes, observations: int, seed: int):
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(-1.0, 1.0, (observations, sizes[0]))
    if loss == "bce":
        targets = rng.uniform(0.0, 1.0, (observations, sizes[-1]))
    elif loss == "cross_entropy":
        targets = np.eye(sizes[-1])[rng.integers(0, sizes[-1], observations)]
    else:
        targets = rng.uniform(-1.0, 1.0, (observations, sizes[-1]))
    return inputs, targets


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.filter_too_much])
@given(networks_and_data())
# Cases the random search found where the check flagged correct gradients (see the two
# deterministic tests below for why): a cost of 12 (rounding in C swamps a gradient of 1e-6),
# and bce outputs at 0.9986 and 0.9997 (ln(1 − a) keeps few digits of 1 − a).
@example(("sse", [2, 2, 1, 4], ["sigmoid", "sigmoid", "softmax"], True, 828633263,
          0.9799136199414078, 5, 1315459476))
@example(("bce", [3, 2, 3, 2], ["leaky_relu", "relu", "sigmoid"], True, 73067677,
          0.9163208613134859, 3, 158617189))
@example(("bce", [2, 4, 4, 1], ["relu", "linear", "sigmoid"], True, 1651606890,
          0.8984567024278798, 2, 560631951))
def test_backprop_agrees_with_finite_differences(case):
    loss, sizes, activations, bias, init_seed, std, observations, data_seed = case
    network = Network(sizes, activations, bias=bias)
    initialise(network, InitSpec("normal", seed=init_seed, parameters={"std": std}))
    inputs, targets = make_data(loss, sizes, observations, data_seed)
    stepper = Stepper(network, inputs, targets, TrainingConfig(loss=loss))
    trace = stepper.evaluate()
    for l, name in enumerate(activations, start=1):
        if name in KINKED:
            # relu's kink at n = 0: finite differences straddling it disagree, genuinely
            assume(np.min(np.abs(trace.pre_activations[l])) > 1e-3)
    check = gradient_check(stepper)
    assert check.backprop.shape == network.theta.shape
    assert np.all(np.isfinite(check.numeric))
    assert check.max_relative_error < 1e-6, (check.worst, check.max_relative_error)
    assert check.flagged() == []
    # the check measured the engine's gradient, not something else
    np.testing.assert_array_equal(check.backprop, trace.gradient)


def test_a_confidently_wrong_sigmoid_output_is_not_flagged():
    """bce with a = σ(20) = 1 − 2e-9 and y = 0, early training's typical mistake. By hand
    ∂C/∂w = (a − y) x = a and ∂C/∂b = a − y = a (one observation, x = 1). Computed from a,
    ln(1 − a) keeps only the digits of 1 − a that a kept (about 7 of them here), and the
    difference quotient divides that rounding by h: a correct gradient must not be flagged."""
    network = Network([1, 1], ["sigmoid"], bias=True)
    network.weights[0][0, 0] = 19.0
    network.biases[0][0] = 1.0
    stepper = Stepper(network, [[1.0]], [[0.0]], TrainingConfig(loss="bce"))
    a = 1.0 / (1.0 + math.exp(-20.0))
    np.testing.assert_allclose(stepper.evaluate().gradient, [a, a], rtol=1e-15)
    check = gradient_check(stepper)
    assert check.max_relative_error < 1e-6, check.relative_error
    assert check.flagged() == []


def test_a_saturated_softmax_with_cross_entropy_is_not_flagged():
    """W = [[0, 30]], x = 1, y = (1, 0): softmax (σ(−30), σ(30)), so the cost is
    ln(1 + e³⁰) ≈ 30 and by hand ∂C/∂w_0 = (a_0 − 1) x ≈ −1, ∂C/∂w_1 = a_1 x ≈ 1. A clipped
    ln a_0 is flat there (a_0 = 9.4e-14 < 1e-12), so finite differences of it would read 0
    and flag both parameters; the check differentiates the log-softmax form."""
    network = Network([1, 2], ["softmax"], bias=False)
    network.weights[0][0, :] = [0.0, 30.0]
    stepper = Stepper(network, [[1.0]], [[1.0, 0.0]], TrainingConfig(loss="cross_entropy"))
    a0 = 1.0 / (1.0 + math.exp(30.0))
    np.testing.assert_allclose(stepper.evaluate().gradient, [a0 - 1.0, 1.0 - a0], rtol=1e-14)
    check = gradient_check(stepper)
    np.testing.assert_allclose(check.numeric, [a0 - 1.0, 1.0 - a0], rtol=1e-8)
    assert check.flagged() == [], check.relative_error


def test_a_saturated_sigmoid_with_bce_is_not_flagged():
    """w = 40, x = 1, y = 0: C = softplus(40) and ∂C/∂w = σ(40) = 1 (to 4e-18)."""
    network = Network([1, 1], ["sigmoid"], bias=False)
    network.weights[0][0, 0] = 40.0
    stepper = Stepper(network, [[1.0]], [[0.0]], TrainingConfig(loss="bce"))
    check = gradient_check(stepper)
    np.testing.assert_allclose(check.numeric, [1.0], rtol=1e-9)
    assert check.flagged() == []


def test_a_large_cost_does_not_make_a_small_correct_gradient_look_wrong():
    """Two linear outputs: one far off (its cost 1e4), one nearly right. By hand
    ∂C/∂w^0_{0,1} = 2 (a_1 − y_1) x = 2 · 5e-8. Rounding in C ≈ 1e4 is about 1e-12, which the
    difference quotient turns into ~1e-8: no finite difference can resolve 1e-7 there, so the
    check must compare such a gradient on the scale of the cost, not flag it."""
    network = Network([1, 2], ["linear"], bias=False)
    network.weights[0][0, :] = [100.0, 0.5 + 5e-8]
    stepper = Stepper(network, [[1.0]], [[0.0, 0.5]], TrainingConfig(loss="sse"))
    trace = stepper.evaluate()
    assert trace.loss == pytest.approx(1e4 + 2.5e-15, rel=1e-12)
    np.testing.assert_allclose(trace.gradient, [200.0, 1e-7], rtol=1e-8)
    check = gradient_check(stepper)
    assert check.max_relative_error < 1e-6, check.relative_error
    # the large gradient is still checked to full precision
    assert abs(check.numeric[0] - 200.0) < 1e-6


# ------------------------------------------------------------ a hand-written backprop
def seed_000_network(init: InitSpec | None) -> Network:
    network = Network(SEED_000_SIZES, ["sigmoid"] * 3, bias=True)
    if init is None:
        network.theta[...] = 1.0
    else:
        initialise(network, init)
    return network


def nested(network: Network):
    """The network's parameters read one address at a time, as plain nested lists."""
    sizes = network.sizes
    weights = [[[network.get(ParameterAddress.weight(l, i, j)) for j in range(sizes[l + 1])]
                for i in range(sizes[l])] for l in range(network.layer_count)]
    biases = [[network.get(ParameterAddress.bias(l, j)) for j in range(sizes[l + 1])]
              for l in range(network.layer_count)]
    return weights, biases


@given(seed=st.one_of(st.none(), st.integers(0, 2**31 - 1)))
@settings(deadline=None, max_examples=30)
def test_seed_000_gradients_match_a_hand_written_backprop(seed):
    """All ones (the seed) or a random start: the same gradients as the loops above."""
    init = None if seed is None else InitSpec("uniform", seed=seed)
    network = seed_000_network(init)
    weights, biases = nested(network)
    cost, dweights, dbiases = hand_backprop(
        SEED_000_SIZES, weights, biases, SEED_000_INPUTS, SEED_000_TARGETS
    )
    stepper = Stepper(network, SEED_000_INPUTS, SEED_000_TARGETS, TrainingConfig(loss="sse"))
    trace = stepper.evaluate()
    assert math.isclose(trace.loss, cost, rel_tol=1e-13)
    for l in range(network.layer_count):
        np.testing.assert_allclose(trace.weight_gradients[l], dweights[l], rtol=1e-11,
                                   atol=1e-15)
        np.testing.assert_allclose(trace.bias_gradients[l], dbiases[l], rtol=1e-11, atol=1e-15)
    # and through the flat vector, address by address
    for address, value in zip(network.addresses(), trace.gradient, strict=True):
        if address.kind == "w":
            expected = dweights[address.layer][address.source][address.target]
        else:
            expected = dbiases[address.layer][address.target]
        assert math.isclose(value, expected, rel_tol=1e-11, abs_tol=1e-15), address


def test_seed_000_hand_backprop_agrees_with_hand_finite_differences():
    """The hand backprop is itself checked: central differences of the hand cost."""
    network = seed_000_network(InitSpec("uniform", seed=3))
    weights, biases = nested(network)
    _, dweights, dbiases = hand_backprop(
        SEED_000_SIZES, weights, biases, SEED_000_INPUTS, SEED_000_TARGETS
    )
    h = 1e-6

    def cost_with(change):
        w = [[row[:] for row in layer] for layer in weights]
        b = [layer[:] for layer in biases]
        change(w, b)
        return hand_backprop(SEED_000_SIZES, w, b, SEED_000_INPUTS, SEED_000_TARGETS)[0]

    for l in range(3):
        for j in range(SEED_000_SIZES[l + 1]):
            for i in range(SEED_000_SIZES[l]):
                def plus(w, b, l=l, i=i, j=j):
                    w[l][i][j] += h

                def minus(w, b, l=l, i=i, j=j):
                    w[l][i][j] -= h

                numeric = (cost_with(plus) - cost_with(minus)) / (2 * h)
                assert math.isclose(numeric, dweights[l][i][j], rel_tol=1e-6, abs_tol=1e-9)

            def bplus(w, b, l=l, j=j):
                b[l][j] += h

            def bminus(w, b, l=l, j=j):
                b[l][j] -= h

            numeric = (cost_with(bplus) - cost_with(bminus)) / (2 * h)
            assert math.isclose(numeric, dbiases[l][j], rel_tol=1e-6, abs_tol=1e-9)


def test_gradient_check_reports_relus_kink():
    """At n = 0 exactly, relu's derivative is taken as 0 but the cost has slope on one side:
    the check must flag the weights into that neuron, not hide the disagreement."""
    network = Network([1, 1, 1], ["relu", "linear"], bias=True)
    # n^1 = 1·w^0 + b^0 = 2 − 2 = 0 for the single observation x = 1
    network.weights[0][0, 0] = 2.0
    network.biases[0][0] = -2.0
    network.weights[1][0, 0] = 1.5
    network.biases[1][0] = 0.25
    stepper = Stepper(network, [[1.0]], [[3.0]], TrainingConfig(loss="sse"))
    assert stepper.evaluate().pre_activations[1][0, 0] == 0.0
    check = gradient_check(stepper)
    flagged = set(check.flagged())
    assert ParameterAddress.weight(0, 0, 0) in flagged
    assert ParameterAddress.bias(0, 0) in flagged
    # the output layer's own parameters are smooth there: ∂C/∂b^1 = 2 (a − y) = 2 (0.25 − 3)
    assert ParameterAddress.bias(1, 0) not in flagged
    index = network.addresses().index(ParameterAddress.bias(1, 0))
    assert math.isclose(check.backprop[index], 2 * (0.25 - 3.0), rel_tol=1e-12)
