"""The chain rule for one weight, factor by factor: seed 001's five factors for w1, and for
seed 000's deeper net the sum over every path, which must equal the δ form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import SEED_000_INPUTS, SEED_000_TARGETS, sigmoid

from engine import InitSpec, Network, ParameterAddress, Stepper, TrainingConfig, initialise
from engine.analysis.chain_rule import chain_rule
from engine.core.losses import get_loss

BCE, SSE = get_loss("bce"), get_loss("sse")

W = ParameterAddress.weight
W1, W2, W3, W4, W5, W6 = W(0, 0, 0), W(0, 1, 0), W(0, 0, 1), W(0, 1, 1), W(1, 0, 0), W(1, 1, 0)
X = np.array([[1.0, 2.0], [2.0, -1.0], [-1.5, 0.5]])
Y = np.array([[1.0], [0.0], [1.0]])
VALUES = {"w1": 0.2, "w2": 0.7, "w3": -0.3, "w4": 0.4, "w5": 0.5, "w6": -0.8}


def seed_001():
    network = Network([2, 2, 1], ["sigmoid", "sigmoid"], bias=False)
    for address, name in zip((W1, W2, W3, W4, W5, W6), VALUES, strict=True):
        network.theta[network.flat_index(address)] = VALUES[name]
    stepper = Stepper(network, X, Y, TrainingConfig(loss="bce"))
    return network, stepper.evaluate()


def by_hand(v=VALUES):
    """Seed 001's forward pass and J = −(1/m) Σ [y ln a3 + (1 − y) ln(1 − a3)] in plain numpy."""
    x1, x2 = X[:, 0], X[:, 1]
    z1 = v["w1"] * x1 + v["w2"] * x2
    z2 = v["w3"] * x1 + v["w4"] * x2
    a1, a2 = sigmoid(z1), sigmoid(z2)
    z3 = v["w5"] * a1 + v["w6"] * a2
    a3 = sigmoid(z3)
    y = Y[:, 0]
    cost = -np.sum(y * np.log(a3) + (1 - y) * np.log(1 - a3)) / len(y)
    return {"x1": x1, "x2": x2, "a1": a1, "a2": a2, "a3": a3, "y": y, "J": cost}


def numeric_derivative(name: str) -> float:
    h = 1e-6
    plus, minus = dict(VALUES), dict(VALUES)
    plus[name] += h
    minus[name] -= h
    return (by_hand(plus)["J"] - by_hand(minus)["J"]) / (2 * h)


def test_w1_is_seed_001s_five_factors_with_the_output_pair_combined():
    """Seed 001's ∂J/∂w1 = ∂J/∂a3 · ∂a3/∂z3 · ∂z3/∂a1 · ∂a1/∂z1 · ∂z1/∂w1; with a sigmoid
    output and bce the first two are shown as one factor, (a3 − y)/m, their stable product."""
    network, trace = seed_001()
    rule = chain_rule(network, trace, W1, loss=BCE)
    assert rule.plain_name == "w1"
    assert rule.path_count == 1 and len(rule.paths) == 1
    path = rule.paths[0]
    assert [f.plain for f in path] == ["∂J/∂a3 · ∂a3/∂z3", "∂z3/∂a1", "∂a1/∂z1", "∂z1/∂w1"]
    assert [f.symbol for f in path] == [
        "∂C/∂a^2_0 · ∂a^2_0/∂n^2_0", "∂n^2_0/∂a^1_0", "∂a^1_0/∂n^1_0", "∂n^1_0/∂w^0_{0,0}"
    ]
    assert path[0].meaning == "(a3 − y)/m"
    h = by_hand()
    m = len(h["y"])
    # ∂J/∂a3 = (a3 − y) / (m a3 (1 − a3)) and ∂a3/∂z3 = a3 (1 − a3): their product, by hand
    dJ_da3 = (h["a3"] - h["y"]) / (m * h["a3"] * (1 - h["a3"]))
    da3_dz3 = h["a3"] * (1 - h["a3"])
    expected = [
        dJ_da3 * da3_dz3,
        np.full(m, VALUES["w5"]),  # ∂z3/∂a1 = w5
        h["a1"] * (1 - h["a1"]),  # ∂a1/∂z1 = a1 (1 − a1)
        h["x1"],  # ∂z1/∂w1 = x1, observation by observation
    ]
    np.testing.assert_allclose(expected[0], (h["a3"] - h["y"]) / m, rtol=1e-12)
    for factor, values in zip(path, expected, strict=True):
        np.testing.assert_allclose(factor.values, values, rtol=1e-12, err_msg=factor.plain)
    assert "w5" in path[1].meaning and "x1" in path[3].meaning
    assert any("(a − y)/m" in note and "saturated" in note for note in rule.notes)
    # multiplied per observation, summed over observations: ∂J/∂w1
    product = np.prod(expected, axis=0)
    np.testing.assert_allclose(rule.product(path), product, rtol=1e-12)
    assert math.isclose(rule.total, float(product.sum()), rel_tol=1e-12)
    assert math.isclose(rule.total, trace.weight_gradients[0][0, 0], rel_tol=1e-12)
    assert math.isclose(rule.total, numeric_derivative("w1"), rel_tol=1e-6)
    np.testing.assert_allclose(rule.per_observation, product, rtol=1e-12)


@pytest.mark.parametrize(
    "address,name,weight,input_,hidden",
    [(W2, "w2", "w5", "x2", "a1"), (W3, "w3", "w6", "x1", "a2"), (W4, "w4", "w6", "x2", "a2")],
)
def test_the_other_hidden_weights(address, name, weight, input_, hidden):
    """Why the gradients differ (seed 001): w1 vs w3 through w5 vs w6, w1 vs w2 through
    x1 vs x2."""
    network, trace = seed_001()
    rule = chain_rule(network, trace, address, loss=BCE)
    path = rule.paths[0]
    z = {"a1": "z1", "a2": "z2"}[hidden]
    assert [f.plain for f in path] == [
        "∂J/∂a3 · ∂a3/∂z3", f"∂z3/∂{hidden}", f"∂{hidden}/∂{z}", f"∂{z}/∂{name}"
    ]
    h = by_hand()
    np.testing.assert_allclose(path[1].values, VALUES[weight])
    np.testing.assert_allclose(path[3].values, h[input_])
    np.testing.assert_allclose(path[2].values, h[hidden] * (1 - h[hidden]), rtol=1e-12)
    assert math.isclose(float(rule.product(path).sum()), numeric_derivative(name), rel_tol=1e-6)
    assert math.isclose(rule.total, numeric_derivative(name), rel_tol=1e-6)


def test_an_output_weight_has_a_two_factor_chain():
    """∂J/∂w5 = (∂J/∂a3 · ∂a3/∂z3) · ∂z3/∂w5, the pair combined."""
    network, trace = seed_001()
    rule = chain_rule(network, trace, W5, loss=BCE)
    path = rule.paths[0]
    assert [f.plain for f in path] == ["∂J/∂a3 · ∂a3/∂z3", "∂z3/∂w5"]
    np.testing.assert_allclose(path[1].values, by_hand()["a1"], rtol=1e-12)  # ∂z3/∂w5 = a1
    assert math.isclose(rule.total, numeric_derivative("w5"), rel_tol=1e-6)


def test_a_saturated_sigmoid_with_bce_has_the_gradient_on_its_path():
    """A 1-1 network, w = 40, x = 1, y = 0: σ(40) rounds to 1, so ∂C/∂a (clipped) × a(1 − a)
    would be 1e12 × 0 = 0; the path shows (a − y)/m = 1, the gradient that finite differences
    of C = softplus(40 w) / 1 give, ∂C/∂w = σ(40) · 1 ≈ 1."""
    network = Network([1, 1], ["sigmoid"], bias=False)
    network.theta[...] = 40.0
    stepper = Stepper(network, [[1.0]], [[0.0]], TrainingConfig(loss="bce"))
    trace = stepper.evaluate()
    assert trace.activations[1][0, 0] == 1.0  # saturated in floating point
    assert trace.dactivation_dpre[1][0, 0] == 0.0
    rule = chain_rule(network, trace, W(0, 0, 0), loss=BCE)
    (path,) = rule.paths
    assert len(path) == 2
    assert math.isclose(float(rule.product(path).sum()), 1.0, rel_tol=1e-12)
    assert math.isclose(rule.total, 1.0, rel_tol=1e-12)
    # C(w) = softplus(40 w) for x = 1, y = 0: d/dw = x σ(w x) → 1, by central differences
    h = 1e-6
    numeric = (np.logaddexp(0, 40.0 + h) - np.logaddexp(0, 40.0 - h)) / (2 * h)
    assert math.isclose(rule.total, numeric, rel_tol=1e-6)
    # the δ form agrees with the path
    assert math.isclose(float(rule.product(rule.delta_form).sum()), 1.0, rel_tol=1e-12)


def test_chain_needs_the_backward_pass():
    network = Network([2, 2, 1], ["sigmoid", "sigmoid"], bias=False)
    stepper = Stepper(network, X, Y, TrainingConfig(loss="bce"))
    stepper.step_phase()  # forward 1 only
    with pytest.raises(ValueError):
        chain_rule(network, stepper.trace, W1, loss=BCE)


# ------------------------------------------------------------------ seed 000's network
def seed_000(seed: int | None, output="sigmoid", loss="sse"):
    network = Network([2, 3, 3, 2], ["sigmoid", "sigmoid", output], bias=True)
    if seed is None:
        network.theta[...] = 1.0
    else:
        initialise(network, InitSpec("uniform", seed=seed))
    targets = SEED_000_TARGETS if loss != "cross_entropy" else [[0.0, 1.0], [1.0, 0.0]]
    stepper = Stepper(network, SEED_000_INPUTS, targets, TrainingConfig(loss=loss))
    return network, stepper.evaluate()


def hand_cost(network: Network, targets) -> float:
    a = np.array(SEED_000_INPUTS)
    for l in range(3):
        a = sigmoid(a @ network.weights[l] + network.biases[l])
    return float(np.sum((a - np.array(targets)) ** 2))


@settings(deadline=None, max_examples=30)
@given(seed=st.one_of(st.none(), st.integers(0, 2**31 - 1)),
       case=st.sampled_from([("sigmoid", "sse"), ("softmax", "cross_entropy"),
                             ("tanh", "mse")]))
def test_sum_over_paths_equals_the_delta_form(seed, case):
    output, loss = case
    network, trace = seed_000(seed, output, loss)
    expected_paths = {0: 6, 1: 2, 2: 1}  # 3·2 paths from layer 1, 2 from layer 2, 1 from 3
    for address in network.addresses():
        rule = chain_rule(network, trace, address, loss=get_loss(loss))
        assert rule.path_count == expected_paths[address.layer]
        assert len(rule.paths) == rule.path_count
        summed = np.sum([rule.product(path) for path in rule.paths], axis=0)
        np.testing.assert_allclose(summed, rule.per_observation, rtol=1e-10, atol=1e-16)
        delta_form = rule.product(rule.delta_form)
        np.testing.assert_allclose(delta_form, rule.per_observation, rtol=1e-14, atol=1e-18)
        index = network.addresses().index(address)
        assert math.isclose(rule.total, trace.gradient[index], rel_tol=1e-12, abs_tol=1e-17)
        if rule.path_count > 1:
            assert any(str(rule.path_count) in note for note in rule.notes)


def test_seed_000_chain_totals_match_hand_finite_differences():
    network, trace = seed_000(5)
    h = 1e-6
    for address in network.addresses():
        index = network.flat_index(address)
        original = network.theta[index]
        network.theta[index] = original + h
        plus = hand_cost(network, SEED_000_TARGETS)
        network.theta[index] = original - h
        minus = hand_cost(network, SEED_000_TARGETS)
        network.theta[index] = original
        rule = chain_rule(network, trace, address, loss=SSE)
        assert math.isclose(rule.total, (plus - minus) / (2 * h), rel_tol=1e-6, abs_tol=1e-10)


def test_seed_000_bias_chain_is_delta_alone():
    network, trace = seed_000(None)
    rule = chain_rule(network, trace, ParameterAddress.bias(2, 1), loss=SSE)
    # ∂C/∂b^2_1 = Σ_o δ^3_1: the seed's row 0, column 1 of its augmented ∂C/∂W^2
    assert math.isclose(rule.total, 0.0596958, abs_tol=2e-7)
    np.testing.assert_allclose(rule.per_observation, [0.02199233, 0.03770352], rtol=0, atol=2e-7)
    assert np.all(rule.delta_form[1].values == 1.0)


def test_too_many_paths_are_not_listed():
    network, trace = seed_000(1)
    rule = chain_rule(network, trace, W(0, 1, 2), loss=SSE, max_paths=5)
    assert rule.paths is None
    assert rule.path_count == 6
    assert any("more than 5" in note for note in rule.notes)
    # the δ form is still there, and still right
    listed = chain_rule(network, trace, W(0, 1, 2), loss=SSE)
    assert listed.paths is not None
    np.testing.assert_array_equal(rule.per_observation, listed.per_observation)
    assert rule.total == listed.total
    exactly = chain_rule(network, trace, W(0, 1, 2), loss=SSE, max_paths=6)
    assert exactly.paths is not None and len(exactly.paths) == 6


def test_large_networks_have_no_plain_names():
    network = Network([4, 4, 2], ["tanh", "sigmoid"], bias=True)  # 24 weights > 12
    initialise(network, InitSpec("normal", seed=0))
    rng = np.random.default_rng(0)
    stepper = Stepper(network, rng.normal(size=(3, 4)), rng.uniform(size=(3, 2)))
    rule = chain_rule(network, stepper.evaluate(), W(0, 3, 1), loss=SSE)
    assert rule.plain_name is None
    assert all(f.plain is None for path in rule.paths for f in path)
    assert rule.paths[0][-2].symbol == "∂a^1_1/∂n^1_1"
