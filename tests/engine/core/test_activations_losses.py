"""Activations and losses: each derivative against finite differences of the function it
claims to differentiate, softmax's backward against its Jacobian written out, and the sse
cost against seed 000's own numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import ACTIVATION_NAMES, LOSS_NAMES, get_activation, get_loss
from engine.core.activations import LEAKY_RELU_SLOPE
from engine.core.losses import output_delta

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
H = 1e-6


def matrices(low=-6.0, high=6.0, max_rows=5, max_cols=4):
    return hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, max_rows), st.integers(1, max_cols)),
        elements=st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def test_the_registries_are_complete():
    assert set(ACTIVATION_NAMES) == {*ELEMENTWISE, "softmax"}
    assert set(LOSS_NAMES) == {"sse", "half_sse", "mse", "bce", "cross_entropy"}
    with pytest.raises(ValueError):
        get_activation("swish")
    with pytest.raises(ValueError):
        get_loss("hinge")


def test_apply_by_hand():
    n = np.array([[-2.0, 0.0, 0.5]])
    np.testing.assert_allclose(get_activation("sigmoid").apply(n),
                               [[1 / (1 + math.e**2), 0.5, 1 / (1 + math.exp(-0.5))]])
    np.testing.assert_allclose(get_activation("tanh").apply(n),
                               [[math.tanh(-2), 0.0, math.tanh(0.5)]])
    assert get_activation("relu").apply(n).tolist() == [[0.0, 0.0, 0.5]]
    assert get_activation("leaky_relu").apply(n).tolist() == [[-2 * LEAKY_RELU_SLOPE, 0, 0.5]]
    assert LEAKY_RELU_SLOPE == 0.01
    assert get_activation("linear").apply(n).tolist() == n.tolist()
    # seed 000: σ(2.2) = 0.9002495, σ(1.6) = 0.8320184
    np.testing.assert_allclose(get_activation("sigmoid").apply(np.array([[2.2, 1.6]])),
                               [[0.9002495, 0.8320184]], atol=1e-7)


@settings(deadline=None, max_examples=60)
@given(name=st.sampled_from(ELEMENTWISE), n=matrices())
def test_elementwise_derivative_matches_finite_differences(name, n):
    activation = get_activation(name)
    if name in ("relu", "leaky_relu"):
        assume(np.min(np.abs(n)) > 10 * H)  # the kink at 0
    a = activation.apply(n)
    derivative = activation.derivative(n, a)
    numeric = (activation.apply(n + H) - activation.apply(n - H)) / (2 * H)
    np.testing.assert_allclose(derivative, numeric, rtol=1e-6, atol=1e-9)
    # element-wise: δ = ∂C/∂a ⊙ ∂a/∂n
    g = np.cos(np.arange(n.size, dtype=float)).reshape(n.shape)
    np.testing.assert_allclose(activation.backward(g, derivative, a), g * derivative, rtol=1e-15)


def test_relu_family_at_the_kink():
    n = np.array([[0.0, -0.0]])
    assert get_activation("relu").derivative(n, n).tolist() == [[0.0, 0.0]]
    assert get_activation("leaky_relu").derivative(n, n).tolist() == [[0.01, 0.01]]


@settings(deadline=None, max_examples=60)
@given(n=matrices(-30.0, 30.0))
def test_softmax_rows_sum_to_one(n):
    a = get_activation("softmax").apply(n)
    assert np.all(a >= 0.0)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-14)
    # adding a constant to a row changes nothing
    np.testing.assert_allclose(get_activation("softmax").apply(n + 7.0), a, rtol=1e-12,
                               atol=1e-300)


def test_softmax_does_not_overflow():
    a = get_activation("softmax").apply(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a, [[1.0, 0.0, 0.0]])


@settings(deadline=None, max_examples=60)
@given(n=matrices(-5.0, 5.0), seed=st.integers(0, 2**31))
def test_softmax_backward_is_the_jacobian_vector_product(n, seed):
    softmax = get_activation("softmax")
    a = softmax.apply(n)
    g = np.random.default_rng(seed).normal(size=n.shape)  # ∂C/∂a
    delta = softmax.backward(g, softmax.derivative(n, a), a)
    rows, cols = n.shape
    for o in range(rows):
        # J_jk = ∂a_j/∂n_k = a_j (1[j = k] − a_k);  δ_k = Σ_j g_j J_jk
        by_hand = [
            sum(g[o, j] * a[o, j] * ((1.0 if j == k else 0.0) - a[o, k]) for j in range(cols))
            for k in range(cols)
        ]
        np.testing.assert_allclose(delta[o], by_hand, rtol=1e-10, atol=1e-13)
        # and the same Jacobian by finite differences of apply
        for k in range(cols):
            plus, minus = n.copy(), n.copy()
            plus[o, k] += H
            minus[o, k] -= H
            column = (softmax.apply(plus)[o] - softmax.apply(minus)[o]) / (2 * H)
            assert math.isclose(float(g[o] @ column), delta[o, k], rel_tol=1e-6, abs_tol=1e-9)
    # the diagonal shown for reading is a_j (1 − a_j)
    np.testing.assert_allclose(softmax.derivative(n, a), a * (1 - a), rtol=1e-15)


# ---------------------------------------------------------------------------- losses
def loss_inputs(name: str, seed: int, rows: int, cols: int):
    rng = np.random.default_rng(seed)
    if name == "cross_entropy":
        logits = rng.normal(size=(rows, cols))
        a = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        y = np.eye(cols)[rng.integers(0, cols, rows)]
    elif name == "bce":
        a = rng.uniform(0.05, 0.95, (rows, cols))
        y = rng.uniform(0, 1, (rows, cols))
    else:
        a = rng.normal(size=(rows, cols))
        y = rng.normal(size=(rows, cols))
    return a, y


def cost_of_outputs(name: str, a, y) -> float:
    """C as a function of the output activations alone, written here by hand (unclipped)."""
    m = a.shape[0]
    if name == "sse":
        return float(np.sum((a - y) ** 2))
    if name == "half_sse":  # Mazur's E = ½ Σ (target − out)², each output's term halved
        return float(np.sum(0.5 * (y - a) ** 2))
    if name == "mse":
        return float(np.sum((a - y) ** 2)) / a.size
    if name == "bce":
        return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / m)
    return float(-np.sum(y * np.log(a)) / m)


def pre_activations_of(name: str, a):
    """An n whose output activation is a: logit for sigmoid, ln a for softmax (a row of a
    sums to 1, so softmax(ln a) = a); sse and mse do not read n."""
    if name == "bce":
        return np.log(a) - np.log1p(-a)
    if name == "cross_entropy":
        return np.log(a)
    return np.full_like(a, np.nan)


@settings(deadline=None, max_examples=60)
@given(name=st.sampled_from(LOSS_NAMES), seed=st.integers(0, 2**31),
       rows=st.integers(1, 5), cols=st.integers(1, 4))
def test_loss_gradient_matches_finite_differences(name, seed, rows, cols):
    loss = get_loss(name)
    a, y = loss_inputs(name, seed, rows, cols)
    gradient = loss.gradient(a, y)
    assert gradient.shape == a.shape
    # the value the engine computes (from n where it can) is C(a) written by hand
    assert math.isclose(loss.value(pre_activations_of(name, a), a, y),
                        cost_of_outputs(name, a, y), rel_tol=1e-12)
    for index in np.ndindex(a.shape):
        plus, minus = a.copy(), a.copy()
        plus[index] += H
        minus[index] -= H
        numeric = (cost_of_outputs(name, plus, y) - cost_of_outputs(name, minus, y)) / (2 * H)
        assert math.isclose(gradient[index], numeric, rel_tol=1e-6, abs_tol=1e-8), index


def test_sse_is_seed_000s_cost():
    """C = Σ_o Σ_k (a − y)² and ∂C/∂a = 2 (a − y) at the seed's printed a^3."""
    a3 = np.array([[0.9806908, 0.9806908], [0.9803864, 0.9803864]])
    y = np.array([[0.2, 0.4], [1.0, 0.0]])
    sse = get_loss("sse")
    by_hand = 0.7806908**2 + 0.5806908**2 + (-0.0196136) ** 2 + 0.9803864**2
    assert math.isclose(sse.value(None, a3, y), by_hand, rel_tol=1e-15)
    np.testing.assert_allclose(sse.gradient(a3, y),
                               [[1.5613816, 1.1613816], [-0.0392272, 1.9607728]], atol=1e-15)


@settings(deadline=None, max_examples=60)
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 6), cols=st.integers(1, 5))
def test_mse_is_sse_over_observations_times_outputs(seed, rows, cols):
    a, y = loss_inputs("mse", seed, rows, cols)
    sse, mse = get_loss("sse"), get_loss("mse")
    assert math.isclose(mse.value(None, a, y), sse.value(None, a, y) / (rows * cols),
                        rel_tol=1e-14)
    np.testing.assert_allclose(mse.gradient(a, y), sse.gradient(a, y) / (rows * cols),
                               rtol=1e-14)


def test_bce_and_cross_entropy_by_hand():
    n = np.log(np.array([[9.0, 0.25], [4 / 6, 7 / 3]]))  # σ(n) = 0.9, 0.2, 0.4, 0.7
    a = 1 / (1 + np.exp(-n))
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    by_hand = -(math.log(0.9) + math.log(0.8) + math.log(0.6) + math.log(0.7)) / 2
    assert math.isclose(get_loss("bce").value(n, a, y), by_hand, rel_tol=1e-14)
    p = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    onehot = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert math.isclose(get_loss("cross_entropy").value(np.log(p) + 3.0, p, onehot),
                        -(math.log(0.7) + math.log(0.4)) / 2, rel_tol=1e-14)
    assert get_loss("bce").required_output == "sigmoid"
    assert get_loss("cross_entropy").required_output == "softmax"


def test_a_saturated_output_costs_its_true_value_not_a_clipped_one():
    """bce of σ(40) against 0 is −ln(1 − σ(40)) = softplus(40) = 40 + ln(1 + e⁻⁴⁰); a
    logarithm of a clipped at 1 − 1e-12 would cap it at ln(1e12) = 27.63. Softmax of
    (0, 30) against class 0 costs logsumexp(0, 30) − 0 = 30 + ln(1 + e⁻³⁰)."""
    n = np.array([[40.0]])
    a = 1 / (1 + np.exp(-n))
    assert a[0, 0] == 1.0  # saturated in floating point
    value = get_loss("bce").value(n, a, np.array([[0.0]]))
    assert math.isclose(value, 40.0 + math.log1p(math.exp(-40.0)), rel_tol=1e-15)
    # −40 against 1: −ln σ(−40) = softplus(40) too; and a mild case against the a-form
    assert math.isclose(get_loss("bce").value(-n, 1 - a, np.array([[1.0]])), value,
                        rel_tol=1e-15)
    n = np.array([[0.0, 30.0]])
    a = np.exp(n - 30.0) / np.exp(n - 30.0).sum()
    value = get_loss("cross_entropy").value(n, a, np.array([[1.0, 0.0]]))
    assert math.isclose(value, 30.0 + math.log1p(math.exp(-30.0)), rel_tol=1e-15)
    # averaged over the observations only: two such rows cost the same as one
    twice = get_loss("cross_entropy").value(np.vstack([n, n]), np.vstack([a, a]),
                                            np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert math.isclose(twice, value, rel_tol=1e-15)


def test_each_loss_states_its_reduction():
    for name in LOSS_NAMES:
        assert get_loss(name).reduction, name
    assert "observations only" in get_loss("bce").reduction
    assert "k times" in get_loss("bce").reduction


@settings(deadline=None, max_examples=60)
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 5), cols=st.integers(1, 4),
       kind=st.sampled_from(["bce", "cross_entropy"]))
def test_closed_form_output_delta_is_dC_dn(seed, rows, cols, kind):
    """sigmoid + bce and softmax + cross-entropy: δ = ∂C/∂n by finite differences of
    C(f(n)), with C and f written here in plain numpy."""
    rng = np.random.default_rng(seed)
    n = rng.normal(0, 2, (rows, cols))
    if kind == "bce":
        y = rng.uniform(0, 1, (rows, cols))

        def cost(n):
            a = 1 / (1 + np.exp(-n))
            return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / rows

        a = 1 / (1 + np.exp(-n))
        delta = output_delta(get_loss("bce"), "sigmoid", a, y)
    else:
        y = np.eye(cols)[rng.integers(0, cols, rows)]

        def cost(n):
            a = np.exp(n) / np.exp(n).sum(axis=1, keepdims=True)
            return -np.sum(y * np.log(a)) / rows

        a = np.exp(n) / np.exp(n).sum(axis=1, keepdims=True)
        delta = output_delta(get_loss("cross_entropy"), "softmax", a, y)
    for index in np.ndindex(n.shape):
        plus, minus = n.copy(), n.copy()
        plus[index] += H
        minus[index] -= H
        numeric = (cost(plus) - cost(minus)) / (2 * H)
        assert math.isclose(delta[index], numeric, rel_tol=1e-5, abs_tol=1e-8), index
    # other pairs have no closed form: the general product is used
    assert output_delta(get_loss("sse"), "sigmoid", a, y) is None
    assert output_delta(get_loss("bce"), "tanh", a, y) is None
