"""Initialisation schemes and update rules, each against numbers worked out by hand or drawn
with plain numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import InitSpec, Network, Stepper, TrainingConfig, initial_theta, jog_noise
from engine.core.optimizers import batch_indices, make_optimizer


def small() -> Network:
    return Network([3, 4, 2], ["tanh", "sigmoid"], bias=True)


def big() -> Network:
    return Network([1000, 400], ["tanh"], bias=True)  # 400 000 weights, fan_in 1000


# --------------------------------------------------------------------------- init
@pytest.mark.parametrize("scheme", ["uniform", "normal", "xavier_uniform", "he_normal"])
def test_same_seed_same_theta_different_seed_different(scheme):
    network = small()
    first = initial_theta(network, InitSpec(scheme, seed=7))
    again = initial_theta(network, InitSpec(scheme, seed=7))
    other = initial_theta(network, InitSpec(scheme, seed=8))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.isfinite(first).all() and np.any(first != 0.0)


def test_seed_is_the_documented_pcg64_stream():
    """'Draws come from numpy.random.default_rng(seed), layer by layer, the weights of layer
    l then its biases': the same numbers on every machine, reproducible without the engine."""
    network = small()
    theta = initial_theta(network, InitSpec("uniform", seed=42, parameters={"low": -2, "high": 3}))
    rng = np.random.default_rng(42)
    expected = np.concatenate([
        rng.uniform(-2, 3, (3, 4)).ravel(), rng.uniform(-2, 3, 4),
        rng.uniform(-2, 3, (4, 2)).ravel(), rng.uniform(-2, 3, 2),
    ])
    assert np.array_equal(theta, expected)
    network.theta[...] = theta
    assert np.array_equal(network.weights[1], expected[16:24].reshape(4, 2))
    assert np.array_equal(network.biases[0], expected[12:16])


def test_constant_and_zeros():
    network = small()
    assert np.all(initial_theta(network, InitSpec("constant")) == 1.0)  # the seed's default
    theta = initial_theta(network, InitSpec("constant", parameters={"value": -0.25}))
    assert theta.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    assert np.all(theta == -0.25)
    assert np.all(initial_theta(network, InitSpec("zeros", seed=3)) == 0.0)
    no_bias = Network([3, 4, 2], ["tanh", "sigmoid"], bias=False)
    assert np.all(initial_theta(no_bias, InitSpec("constant", parameters={"value": 2})) == 2.0)


def test_uniform_stays_within_its_bounds_and_fills_them():
    theta = initial_theta(big(), InitSpec("uniform", seed=1, parameters={"low": -0.3, "high": 0.7}))
    assert theta.min() >= -0.3 and theta.max() < 0.7
    assert theta.min() < -0.299 and theta.max() > 0.699
    assert abs(theta.mean() - 0.2) < 0.01  # the middle of [−0.3, 0.7]
    with pytest.raises(ValueError):
        InitSpec("uniform", parameters={"low": 1, "high": 0})


def test_normal_has_the_given_spread():
    theta = initial_theta(big(), InitSpec("normal", seed=2, parameters={"std": 0.5}))
    assert abs(theta.mean()) < 0.005
    assert abs(theta.std() - 0.5) < 0.005


def test_xavier_uniform_limit_and_zero_biases():
    network = Network([30, 70, 5], ["tanh", "sigmoid"], bias=True)
    theta = initial_theta(network, InitSpec("xavier_uniform", seed=4))
    network.theta[...] = theta
    for l, (fan_in, fan_out) in enumerate([(30, 70), (70, 5)]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        weights = network.weights[l]
        assert np.abs(weights).max() <= limit
        assert np.abs(weights).max() > 0.95 * limit  # it does reach out to the limit
        assert np.all(network.biases[l] == 0.0)
    assert math.isclose(math.sqrt(6.0 / 100), 0.2449489742783178)


def test_he_normal_spread_and_zero_biases():
    network = big()
    network.theta[...] = initial_theta(network, InitSpec("he_normal", seed=5))
    weights = network.weights[0]
    expected_std = math.sqrt(2.0 / 1000)  # √(2 / fan_in)
    # 400 000 draws: the sample std is within ~0.2 % of the true one; allow 2 %
    assert abs(weights.std() / expected_std - 1.0) < 0.02
    assert abs(weights.mean()) < 0.05 * expected_std
    assert np.all(network.biases[0] == 0.0)


def test_jog_noise_is_seeded_and_has_the_given_scale():
    network = big()
    first = jog_noise(network, 0.01, seed=9)
    assert first.shape == network.theta.shape
    assert np.array_equal(first, jog_noise(network, 0.01, seed=9))
    assert not np.array_equal(first, jog_noise(network, 0.01, seed=10))
    assert abs(first.std() / 0.01 - 1.0) < 0.01
    assert abs(first.mean()) < 1e-4
    assert np.array_equal(jog_noise(network, 0.0, seed=9), np.zeros(network.theta.size))
    # twice the scale, same seed: exactly twice the noise
    np.testing.assert_allclose(jog_noise(network, 0.02, seed=9), 2 * first, rtol=1e-15)
    for bad in (-1.0, math.inf, math.nan):
        with pytest.raises(ValueError):
            jog_noise(network, bad, seed=0)


def test_jog_breaks_seed_000s_symmetry():
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, bias=True)
    network.theta[...] = 1.0
    from engine.analysis.symmetry import symmetry_groups

    assert symmetry_groups(network)[1] == [[0, 1, 2]]
    network.theta += jog_noise(network, 1e-3, seed=0)
    assert symmetry_groups(network)[1] == [[0], [1], [2]]


def test_init_spec_rejects_what_it_does_not_know():
    with pytest.raises(ValueError):
        InitSpec("gaussian")
    with pytest.raises(ValueError):
        InitSpec("normal", parameters={"mean": 1.0})
    with pytest.raises(ValueError):
        InitSpec("normal", parameters={"std": -1.0})
    with pytest.raises(ValueError):
        InitSpec("constant", parameters={"value": math.nan})


# ---------------------------------------------------------------------- optimizers
THETA = [1.0, -2.0]
GRADIENTS = [[0.5, 0.25], [0.1, -0.2], [-0.4, 0.3]]


def updated(config: TrainingConfig, steps: int):
    theta = np.array(THETA)
    optimizer = make_optimizer(config, theta.size)
    path = []
    for g in GRADIENTS[:steps]:
        optimizer.update(theta, np.array(g))
        path.append(theta.copy())
    return path, optimizer


def test_gradient_descent_by_hand():
    path, optimizer = updated(TrainingConfig(optimizer="gd", learning_rate=0.1), 3)
    # θ ← θ − η g
    np.testing.assert_allclose(path[0], [1.0 - 0.05, -2.0 - 0.025], rtol=1e-15)
    np.testing.assert_allclose(path[1], [0.95 - 0.01, -2.025 + 0.02], rtol=1e-15)
    np.testing.assert_allclose(path[2], [0.94 + 0.04, -2.005 - 0.03], rtol=1e-15)
    assert optimizer.get_state() == {}


def test_momentum_by_hand():
    path, optimizer = updated(
        TrainingConfig(optimizer="momentum", learning_rate=0.1, momentum=0.9), 3)
    # v ← μ v + g;  θ ← θ − η v
    # 1: v = [0.5, 0.25]                                θ = [0.95, −2.025]
    # 2: v = 0.9·[0.5, 0.25] + [0.1, −0.2] = [0.55, 0.025]   θ = [0.895, −2.0275]
    # 3: v = 0.9·[0.55, 0.025] + [−0.4, 0.3] = [0.095, 0.3225]  θ = [0.8855, −2.05975]
    np.testing.assert_allclose(path[0], [0.95, -2.025], rtol=1e-14)
    np.testing.assert_allclose(path[1], [0.895, -2.0275], rtol=1e-14)
    np.testing.assert_allclose(path[2], [0.8855, -2.05975], rtol=1e-14)
    np.testing.assert_allclose(optimizer.get_state()["velocity"], [0.095, 0.3225], rtol=1e-14)


def test_adam_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    path, optimizer = updated(
        TrainingConfig(optimizer="adam", learning_rate=lr, beta1=b1, beta2=b2, epsilon=eps), 3)
    # step 1: m̂ = g, v̂ = g², so each θ moves by η g / (|g| + ε) ≈ η · sign(g)
    np.testing.assert_allclose(path[0], [1.0 - lr * 0.5 / (0.5 + eps),
                                         -2.0 - lr * 0.25 / (0.25 + eps)], rtol=1e-14)
    # steps 2 and 3 written out per coordinate with the bias corrections 1 − βᵗ
    expected = []
    for k in range(2):
        theta, m, v = THETA[k], 0.0, 0.0
        for t, g in enumerate((row[k] for row in GRADIENTS), start=1):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            theta -= lr * m_hat / (math.sqrt(v_hat) + eps)
            if t == 2:
                step_two = theta
        expected.append((step_two, theta, m, v))
    np.testing.assert_allclose(path[1], [expected[0][0], expected[1][0]], rtol=1e-13)
    np.testing.assert_allclose(path[2], [expected[0][1], expected[1][1]], rtol=1e-13)
    state = optimizer.get_state()
    np.testing.assert_allclose(state["first_moment"], [expected[0][2], expected[1][2]],
                               rtol=1e-13)
    np.testing.assert_allclose(state["second_moment"], [expected[0][3], expected[1][3]],
                               rtol=1e-13)
    assert state["step"][0] == 3
    # and m after two steps, fully by hand: 0.9·(0.1·0.5) + 0.1·0.1 = 0.055
    m2 = 0.9 * (0.1 * 0.5) + 0.1 * 0.1
    assert math.isclose(m2, 0.055)


def test_momentum_in_the_stepper_uses_the_gradient_of_each_iteration():
    """Two iterations of a real network: θ₂ = θ₁ − η (μ g₀ + g₁), θ₁ = θ₀ − η g₀, with each g
    the full-batch gradient at the parameters of its iteration."""
    network = small()
    network.theta[...] = initial_theta(network, InitSpec("normal", seed=3))
    rng = np.random.default_rng(0)
    inputs, targets = rng.uniform(-1, 1, (5, 3)), rng.uniform(0, 1, (5, 2))
    config = TrainingConfig(loss="mse", optimizer="momentum", learning_rate=0.2, momentum=0.8)
    stepper = Stepper(network, inputs, targets, config)
    theta0, g0 = stepper.network.theta.copy(), stepper.evaluate().gradient.copy()
    stepper.run(1)
    theta1 = stepper.network.theta.copy()
    np.testing.assert_allclose(theta1, theta0 - 0.2 * g0, rtol=1e-14, atol=1e-16)
    g1 = stepper.evaluate().gradient.copy()
    stepper.run(1)
    np.testing.assert_allclose(stepper.network.theta, theta1 - 0.2 * (0.8 * g0 + g1),
                               rtol=1e-13, atol=1e-15)


# --------------------------------------------------------------------------- batches
@settings(deadline=None, max_examples=60)
@given(observations=st.integers(1, 40), batch_size=st.integers(1, 45),
       shuffle_seed=st.integers(0, 10**6), epoch=st.integers(0, 50))
def test_each_epoch_covers_every_observation_once(observations, batch_size, shuffle_seed,
                                                   epoch):
    config = TrainingConfig(optimizer="sgd", batch_size=batch_size, shuffle_seed=shuffle_seed)
    per_epoch = math.ceil(observations / batch_size)
    first = batch_indices(config, observations, epoch * per_epoch)
    if batch_size >= observations:
        assert first is None  # the whole data set, in order
        return
    batches = [batch_indices(config, observations, t)
               for t in range(epoch * per_epoch, (epoch + 1) * per_epoch)]
    assert all(len(b) == batch_size for b in batches[:-1])
    assert 1 <= len(batches[-1]) <= batch_size
    assert sorted(np.concatenate(batches).tolist()) == list(range(observations))


def test_batch_depends_only_on_the_iteration():
    config = TrainingConfig(optimizer="sgd", batch_size=3, shuffle_seed=5)
    forwards = [batch_indices(config, 10, t).tolist() for t in range(40)]
    backwards = [batch_indices(config, 10, t).tolist() for t in reversed(range(40))][::-1]
    assert forwards == backwards
    # epochs are shuffled differently (4 batches an epoch)
    epochs = [tuple(sum(forwards[4 * e:4 * e + 4], [])) for e in range(10)]
    assert len(set(epochs)) > 1
    # a different shuffle seed gives a different order
    other = TrainingConfig(optimizer="sgd", batch_size=3, shuffle_seed=6)
    assert [batch_indices(other, 10, t).tolist() for t in range(40)] != forwards
    # momentum and adam take the same batches; gd ignores batch_size
    for kind in ("momentum", "adam"):
        same = TrainingConfig(optimizer=kind, batch_size=3, shuffle_seed=5)
        assert [batch_indices(same, 10, t).tolist() for t in range(40)] == forwards
    assert batch_indices(TrainingConfig(optimizer="gd", batch_size=3), 10, 7) is None


def test_sgd_step_uses_only_its_batch():
    """θ₁ = θ₀ − η ∂C_B/∂θ with C_B the cost of batch B only, checked against a gradient
    computed on a stepper that holds just those rows."""
    network = small()
    network.theta[...] = initial_theta(network, InitSpec("normal", seed=1))
    rng = np.random.default_rng(2)
    inputs, targets = rng.uniform(-1, 1, (8, 3)), rng.uniform(0, 1, (8, 2))
    config = TrainingConfig(loss="sse", optimizer="sgd", batch_size=3, learning_rate=0.1)
    stepper = Stepper(network, inputs, targets, config)
    batch = batch_indices(config, 8, 0)
    only_batch = Stepper(network.copy(), inputs[batch], targets[batch],
                         TrainingConfig(loss="sse"))
    g = only_batch.evaluate().gradient
    theta0 = stepper.network.theta.copy()
    stepper.run(1)
    np.testing.assert_allclose(stepper.network.theta, theta0 - 0.1 * g, rtol=1e-14, atol=1e-16)
    assert stepper.history.losses[0] == pytest.approx(only_batch.evaluate().loss, rel=1e-14)
