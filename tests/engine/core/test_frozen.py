"""Frozen parameters (TrainingConfig.frozen) and the half_sse loss in the engine's training.

Every expected number comes from a numpy loop written out below, independently of the engine:
it computes the forward and backward pass of a sigmoid network by hand and updates only the
parameters that are not frozen (it skips them, where the engine computes every entry and puts
the frozen ones back), with the optimisers' formulas and the mini-batch rule of
engine/core/optimizers.py's docstring. Mazur's numbers are those his post prints.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.core.stepper import Stepper
from engine.io import fileformat
from engine.io.fileformat import Document

SIZES = [2, 3, 2]
FROZEN = ("w^0_{1,2}", "b^0_0", "w^1_{2,1}", "b^1_1")
RNG = np.random.default_rng(1717)
THETA = RNG.uniform(-1.0, 1.0, 2 * 3 + 3 + 3 * 2 + 2)
INPUTS = RNG.uniform(-1.0, 1.0, (5, 2))
TARGETS = RNG.uniform(0.0, 1.0, (5, 2))

OPTIMISERS = {
    "gd": dict(optimizer="gd", learning_rate=0.5),
    "sgd": dict(optimizer="sgd", learning_rate=0.5, batch_size=2, shuffle_seed=3),
    "momentum": dict(optimizer="momentum", learning_rate=0.2, momentum=0.8, batch_size=2),
    "adam": dict(optimizer="adam", learning_rate=0.05, batch_size=3, shuffle_seed=5),
}


# ------------------------------------------------------------- the independent loop
def sigmoid(n):
    return 1.0 / (1.0 + np.exp(-n))


def unpack(theta):
    """W^0 (2×3), b^0, W^1 (3×2), b^1 from θ laid out as the file format says: each layer's
    W row by row, then its b."""
    W0, b0 = theta[0:6].reshape(2, 3), theta[6:9]
    W1, b1 = theta[9:15].reshape(3, 2), theta[15:17]
    return [W0.copy(), W1.copy()], [b0.copy(), b1.copy()]


def masks(frozen):
    """True where frozen, per array: [W^0 mask, W^1 mask], [b^0 mask, b^1 mask]."""
    W = [np.zeros((2, 3), bool), np.zeros((3, 2), bool)]
    b = [np.zeros(3, bool), np.zeros(2, bool)]
    for name in frozen:
        address = ParameterAddress.parse(name)
        if address.kind == "w":
            W[address.layer][address.source, address.target] = True
        else:
            b[address.layer][address.target] = True
    return W, b


def gradients(W, b, x, y, loss):
    """∂C/∂W^l and ∂C/∂b^l of a 2-3-2 sigmoid network, summed over the rows."""
    a1 = sigmoid(x @ W[0] + b[0])
    a2 = sigmoid(a1 @ W[1] + b[1])
    dC_da2 = (a2 - y) if loss == "half_sse" else 2.0 * (a2 - y)
    d2 = dC_da2 * a2 * (1.0 - a2)
    d1 = (d2 @ W[1].T) * a1 * (1.0 - a1)
    return [x.T @ d1, a1.T @ d2], [d1.sum(axis=0), d2.sum(axis=0)]


def cost(W, b, x, y, loss):
    a2 = sigmoid(sigmoid(x @ W[0] + b[0]) @ W[1] + b[1])
    total = float(np.sum((a2 - y) ** 2))
    return 0.5 * total if loss == "half_sse" else total


def rows_of(t, m, batch_size, seed):
    if batch_size is None or batch_size >= m:
        return np.arange(m)
    per_epoch = -(-m // batch_size)
    epoch, position = divmod(t, per_epoch)
    order = np.random.default_rng([seed, epoch]).permutation(m)
    return order[position * batch_size:(position + 1) * batch_size]


def reference_run(settings, iterations, frozen, loss="half_sse", dtype=np.float64,
                  theta=THETA, inputs=INPUTS, targets=TARGETS):
    """(W, b) after ``iterations`` updates that skip the frozen parameters."""
    W, b = unpack(np.asarray(theta, dtype=dtype))
    x_all, y_all = np.asarray(inputs, dtype=dtype), np.asarray(targets, dtype=dtype)
    frozen_W, frozen_b = masks(frozen)
    params, fixed = W + b, frozen_W + frozen_b
    free = [~mask for mask in fixed]
    kind = settings["optimizer"]
    rate = dtype(settings["learning_rate"])
    mu = dtype(settings.get("momentum", 0.9))
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    batch = None if kind == "gd" else settings.get("batch_size")
    for t in range(iterations):
        rows = rows_of(t, len(x_all), batch, settings.get("shuffle_seed", 0))
        gW, gb = gradients(W, b, x_all[rows], y_all[rows], loss)
        for p, g, keep, m, v in zip(params, gW + gb, free, first, second, strict=True):
            if kind in ("gd", "sgd"):
                p[keep] -= rate * g[keep]
            elif kind == "momentum":
                m[keep] = mu * m[keep] + g[keep]
                p[keep] -= rate * m[keep]
            else:
                m[keep] = beta1 * m[keep] + (1 - beta1) * g[keep]
                v[keep] = beta2 * v[keep] + (1 - beta2) * g[keep] ** 2
                m_hat = m[keep] / (1 - beta1 ** (t + 1))
                v_hat = v[keep] / (1 - beta2 ** (t + 1))
                p[keep] -= rate * m_hat / (np.sqrt(v_hat) + eps)
    return W, b


def make(settings, frozen=FROZEN, loss="half_sse", dtype="float64") -> Stepper:
    network = Network(SIZES, ["sigmoid", "sigmoid"], theta=THETA.copy())
    config = TrainingConfig(loss=loss, frozen=frozen, dtype=dtype, **settings)
    return Stepper(network, INPUTS, TARGETS, config)


def frozen_positions(network, names=FROZEN):
    return [network.flat_index(ParameterAddress.parse(name)) for name in names]


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("name", list(OPTIMISERS))
@pytest.mark.parametrize("loss", ["half_sse", "sse"])
def test_frozen_parameters_under_each_optimiser_match_a_loop_that_skips_them(name, loss):
    settings, iterations = OPTIMISERS[name], 40
    stepper = make(settings, loss=loss)
    stepper.run(iterations)
    W, b = reference_run(settings, iterations, FROZEN, loss)
    for l in range(2):
        np.testing.assert_allclose(stepper.network.weights[l], W[l], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(stepper.network.biases[l], b[l], rtol=1e-12, atol=1e-14)
    positions = frozen_positions(stepper.network)
    # the frozen ones are bit for bit where they started; every other one has moved
    assert np.array_equal(stepper.network.theta[positions], THETA[positions])
    moved = np.delete(np.arange(THETA.size), positions)
    assert np.all(stepper.network.theta[moved] != THETA[moved])


@pytest.mark.parametrize("name", list(OPTIMISERS))
def test_frozen_parameters_step_by_step_as_in_a_run(name):
    """The phase path (step_iteration) and the fast path (run) freeze alike."""
    by_phase, by_run = make(OPTIMISERS[name]), make(OPTIMISERS[name])
    for _ in range(7):
        by_phase.step_iteration()
    by_run.run(7)
    assert np.array_equal(by_phase.network.theta, by_run.network.theta)


@pytest.mark.parametrize("name", list(OPTIMISERS))
def test_float32_frozen_parameters_keep_their_float32_value(name):
    settings, iterations = OPTIMISERS[name], 25
    stepper = make(settings, dtype="float32")
    stepper.run(iterations)
    assert stepper.network.theta.dtype == np.float32
    positions = frozen_positions(stepper.network)
    assert np.array_equal(stepper.network.theta[positions],
                          THETA.astype(np.float32)[positions])
    W, b = reference_run(settings, iterations, FROZEN, dtype=np.float32)
    assert W[0].dtype == np.float32  # the loop really ran in float32
    for l in range(2):
        np.testing.assert_allclose(stepper.network.weights[l], W[l], rtol=2e-5, atol=2e-6)
        np.testing.assert_allclose(stepper.network.biases[l], b[l], rtol=2e-5, atol=2e-6)


def test_a_frozen_parameters_gradient_is_computed_as_if_it_were_free():
    frozen, free = make(OPTIMISERS["gd"]), make(OPTIMISERS["gd"], frozen=())
    positions = frozen_positions(frozen.network)
    g_frozen = frozen.evaluate(full=True).gradient
    g_free = free.evaluate(full=True).gradient
    assert np.array_equal(g_frozen, g_free)
    W, b = unpack(THETA)
    gW, gb = gradients(W, b, INPUTS, TARGETS, "half_sse")
    reference = np.concatenate([gW[0].ravel(), gb[0], gW[1].ravel(), gb[1]])
    np.testing.assert_allclose(g_frozen, reference, rtol=1e-12)
    assert np.all(np.abs(g_frozen[positions]) > 1e-4)  # non-zero: the update would move them
    # the phase path's trace holds it too, and the update still left them alone
    frozen.step_iteration()
    assert np.array_equal(frozen.trace.gradient, g_free)
    assert np.array_equal(frozen.network.theta[positions], THETA[positions])


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_frozen_parameters_keep_their_optimiser_state(name):
    """Frozen from the start, momentum's v and Adam's m, v stay 0 at their positions."""
    stepper = make(OPTIMISERS[name])
    stepper.run(6)
    positions = frozen_positions(stepper.network)
    for key, vector in stepper.optimizer.get_state().items():
        if vector.shape == THETA.shape:
            assert np.all(vector[positions] == 0.0), key
            assert np.all(np.delete(vector, positions) != 0.0), key


@pytest.mark.parametrize("name", list(OPTIMISERS))
def test_frozen_survives_save_and_open_and_the_run_continues_identically(name, tmp_path):
    straight = make(OPTIMISERS[name])
    straight.run(10)
    first = make(OPTIMISERS[name])
    first.run(4)
    path = tmp_path / "frozen.json"
    fileformat.save(path, first)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["training"]["frozen"] == list(FROZEN)
    document = fileformat.load(path)
    assert document.training.frozen == FROZEN
    second = document.make_stepper()
    second.run(6)
    assert np.array_equal(second.network.theta, straight.network.theta)


def test_frozen_names_are_read_in_any_spelling_and_kept_canonical():
    document = Document(Network(SIZES, ["sigmoid", "sigmoid"], theta=THETA.copy()), INPUTS,
                        TARGETS, TrainingConfig(frozen=(" b^1_{1}", "w^0_{1,2}", "b^1_1")))
    text = fileformat.dumps(document)
    assert fileformat.loads(text).training.frozen == ("w^0_{1,2}", "b^1_1")


def _file_with_frozen(frozen) -> str:
    document = Document(Network(SIZES, ["sigmoid", "sigmoid"], theta=THETA.copy()), INPUTS,
                        TARGETS, TrainingConfig())
    data = json.loads(fileformat.dumps(document))
    data["training"]["frozen"] = frozen
    return json.dumps(data)


@pytest.mark.parametrize("entry, words", [
    ("w5", "is not a weight or bias name"),
    (3, "a parameter name"),
    ("w^4_{0,0}", "layer 4 has no outgoing parameters"),
    ("b^0_7", "layer 1 has no neuron 7"),
])
def test_a_bad_frozen_entry_is_named_by_its_index(entry, words):
    with pytest.raises(ValueError) as error:
        fileformat.loads(_file_with_frozen(["b^0_0", entry]))
    message = str(error.value)
    assert "training.frozen[1]" in message, message
    assert words in message, message


def test_freezing_mid_run_is_replayed_bit_for_bit_by_seek_and_restart():
    stepper = make(OPTIMISERS["momentum"], frozen=())
    states = [stepper.network.theta.copy()]
    for _ in range(3):
        stepper.step_iteration()
        states.append(stepper.network.theta.copy())
    event = stepper.set_config(stepper.config.with_changes(frozen=FROZEN))
    assert event is not None
    for _ in range(5):
        stepper.step_iteration()
        states.append(stepper.network.theta.copy())
    positions = frozen_positions(stepper.network)
    # before the edit they moved, from iteration 3 on they stay
    assert np.all(states[3][positions] != states[0][positions])
    for theta in states[4:]:
        assert np.array_equal(theta[positions], states[3][positions])
    # a rewind replays the edit where it was made: every state bit for bit
    for target in (5, 1, 8, 3, 0, 4):
        stepper.seek(target)
        assert np.array_equal(stepper.network.theta, states[target]), target
        # the edit was made at the start of iteration 3: seeking there applies it
        assert stepper.config.frozen == (FROZEN if target >= 3 else ())
    stepper.restart()
    stepper.go_to(8)
    assert np.array_equal(stepper.network.theta, states[8])
    # and the numbers are those of a run frozen from iteration 3 on
    free = make(OPTIMISERS["momentum"], frozen=())
    free.run(3)
    assert np.array_equal(free.network.theta, states[3])


def test_taking_the_freeze_back_gives_the_run_without_it():
    stepper = make(OPTIMISERS["adam"], frozen=())
    stepper.run(2)
    event = stepper.set_config(stepper.config.with_changes(frozen=FROZEN))
    stepper.run(4)
    stepper.undo_edit(event)
    assert stepper.config.frozen == ()
    assert stepper.iteration == 2
    stepper.run(4)
    never = make(OPTIMISERS["adam"], frozen=())
    never.run(6)
    assert np.array_equal(stepper.network.theta, never.network.theta)


# ------------------------------------------------------------------ Mazur's example
MAZUR_W0 = [[0.15, 0.25], [0.20, 0.30]]  # W^0[i, j]: w1 = [0, 0], w2 = [1, 0], w3, w4
MAZUR_W1 = [[0.40, 0.50], [0.45, 0.55]]  # w5 = [0, 0], w6 = [1, 0], w7 = [0, 1], w8
MAZUR_BIASES = ("b^0_0", "b^0_1", "b^1_0", "b^1_1")


def mazur() -> Stepper:
    network = Network([2, 2, 2], ["sigmoid", "sigmoid"])
    network.weights[0][...] = MAZUR_W0
    network.biases[0][...] = 0.35
    network.weights[1][...] = MAZUR_W1
    network.biases[1][...] = 0.60
    config = TrainingConfig(loss="half_sse", optimizer="gd", learning_rate=0.5,
                            frozen=MAZUR_BIASES)
    return Stepper(network, [[0.05, 0.10]], [[0.01, 0.99]], config)


def test_mazurs_published_numbers():
    stepper = mazur()
    names = stepper.network.plain_weight_names()
    assert names[ParameterAddress.weight(1, 1, 0)] == "w6"  # his w6: out_h2 → o1
    before = stepper.evaluate(full=True)
    assert before.loss == pytest.approx(0.298371109, abs=5e-10)
    assert before.outputs[0, 0] == pytest.approx(0.75136507, abs=5e-9)
    assert before.outputs[0, 1] == pytest.approx(0.772928465, abs=5e-10)
    stepper.step_iteration()
    published = {(1, 0, 0): 0.35891648, (1, 1, 0): 0.408666186, (1, 0, 1): 0.511301270,
                 (1, 1, 1): 0.561370121, (0, 0, 0): 0.149780716, (0, 1, 0): 0.19956143,
                 (0, 0, 1): 0.24975114, (0, 1, 1): 0.29950229}
    for (layer, i, j), value in published.items():
        digits = len(repr(value).split(".")[1])
        got = stepper.network.weights[layer][i, j]
        assert abs(got - value) <= 0.5 * 10.0**-digits, (layer, i, j, got, value)
    assert list(stepper.network.biases[0]) == [0.35, 0.35]
    assert list(stepper.network.biases[1]) == [0.60, 0.60]
    # after the first update he reports E = 0.291027924, worked out from his rounded
    # intermediates: the exact value, 0.2910277737, agrees with it to 6 digits
    assert stepper.evaluate(full=True).loss == pytest.approx(0.291027924, abs=2e-7)


def test_mazur_after_10000_updates_against_a_numpy_loop():
    stepper = mazur()
    stepper.run(10_000)
    W = [np.array(MAZUR_W0), np.array(MAZUR_W1)]
    b = [np.full(2, 0.35), np.full(2, 0.60)]
    x, y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    losses = []
    for _ in range(10_000):
        a1 = sigmoid(x @ W[0] + b[0])
        a2 = sigmoid(a1 @ W[1] + b[1])
        losses.append(0.5 * float(np.sum((y - a2) ** 2)))  # E = ½ Σ (target − out)²
        d2 = (a2 - y) * a2 * (1 - a2)
        d1 = (d2 @ W[1].T) * a1 * (1 - a1)
        W[1] = W[1] - 0.5 * a1.T @ d2  # the biases never updated
        W[0] = W[0] - 0.5 * x.T @ d1
    out = sigmoid(sigmoid(x @ W[0] + b[0]) @ W[1] + b[1])
    assert stepper.evaluate(full=True).loss == pytest.approx(
        0.5 * float(np.sum((y - out) ** 2)), rel=1e-9)
    np.testing.assert_allclose(stepper.history.losses[:10_000], losses, rtol=1e-9)
    # his "after 10,000 iterations … the error plummets to 0.0000351085": the loss of the
    # 10,000th update's forward pass
    assert losses[-1] == pytest.approx(0.0000351085, abs=5e-11)
    assert list(stepper.network.biases[1]) == [0.60, 0.60]


# ------------------------------------------- a fault only a frozen parameter's gradient shows
def test_a_non_finite_gradient_of_a_frozen_parameter_stops_a_run_as_it_stops_stepping():
    """The update puts a frozen parameter back, so an infinite gradient of its own never
    reaches θ: the fast path looks at the frozen gradients too, and a run stops where
    stepping stops, with the same fault, recording nothing past it."""
    from engine.core.phases import NonFiniteError

    def make():
        network = Network([1, 1], ["linear"], False)
        network.theta[...] = [1e-306]
        return Stepper(network, [[1e307]], [[0.0]],
                       TrainingConfig(loss="sse", frozen=("w^0_{0,0}",)))

    stepped = make()
    with pytest.raises(NonFiniteError) as by_phase:
        for _ in range(len(stepped.phases)):
            stepped.step_phase()
    ran = make()
    with pytest.raises(NonFiniteError) as by_run:
        ran.run(5)
    assert str(by_run.value) == str(by_phase.value)
    assert "∂C/∂W^0" in str(by_run.value)
    assert (ran.iteration, ran.phase) == (stepped.iteration, stepped.phase)
    assert ran.history.loss_count == stepped.history.loss_count


def test_adam_counts_its_steps_with_its_only_parameter_frozen():
    """Adam's step is a count, not a vector of the parameters: a network of one parameter,
    frozen, still counts its steps (the moments of the frozen parameter stay)."""
    network = Network([1, 1], ["linear"], False)
    network.theta[...] = [0.5]
    stepper = Stepper(network, [[1.0]], [[2.0]],
                      TrainingConfig(loss="sse", optimizer="adam", learning_rate=0.1,
                                     frozen=("w^0_{0,0}",)))
    stepper.run(3)
    state = stepper.optimizer.state
    assert state["step"][0] == 3.0
    assert stepper.network.theta[0] == 0.5
    assert state["first_moment"][0] == 0.0 and state["second_moment"][0] == 0.0
