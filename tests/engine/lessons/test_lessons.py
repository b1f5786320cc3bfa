"""The guided lessons (engine/lessons.py) without Qt: every step's claims hold where the lesson
sets the step up, they fail where the claim is false, and the numbers behind them agree with
a separate numpy computation (tests/reference.py: forward and backward passes, gradient descent,
the seeded draws), with seed 000's printed matrices, and with a brute-force search for the
best straight line on the band.

Notation as in the seeds: layers from 0 (the inputs); w^l_{i,j} from neuron i of layer l to
neuron j of layer l+1; seed 001's plain names w1 … w6 for the 2-2-1 network. The reference
code keeps weights W[l] (rows: neurons of layer l) and biases b[l] as plain numpy arrays.

Builds are cached (``built``) and only read; a test that deviates from a step builds it
afresh, since a Stepper cannot be copied.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import numpy as np
import pytest
from paths import EXAMPLES, REFERENCE_FILE
from reference import (
    SEED_000_INPUTS,
    SEED_000_SIZES,
    SEED_000_TARGETS,
    Pass,
    backprop,
    forward,
    train,
)

from engine import lessons
from engine.core.init import InitSpec
from engine.core.network import ParameterAddress
from engine.core.stepper import Stepper
from engine.lessons import (
    Check,
    EngineLab,
    Load,
    NetworkFile,
    Nudge,
    Reinitialise,
    Remember,
    RunTo,
    StepPhases,
    Tie,
    Verdict,
)

KEYS = ("all-equal", "w5-w6", "zeros", "seed", "hidden-bias")
ALL_STEPS = [(key, index) for key in KEYS for index in range(len(lessons.lesson(key).steps))]
# what a step may be about (the window maps each to the panel that shows it)
TOPICS = {"selection", "matrices", "loss", "weights", "symmetry", "decision boundary",
          "initialisation"}

def _w(layer: int, source: int, target: int) -> ParameterAddress:
    return ParameterAddress.weight(layer, source, target)


# seed 001's plain numbering in the 2-2-1 network (w1, w2 into hidden neuron 1, …)
W1, W2, W3, W4 = _w(0, 0, 0), _w(0, 1, 0), _w(0, 0, 1), _w(0, 1, 1)
W5, W6 = _w(1, 0, 0), _w(1, 1, 0)
TIED = (("w1 − w3", W1, W3), ("w2 − w4", W2, W4), ("w5 − w6", W5, W6))
RANDOM, SEED_1 = InitSpec("uniform", 0), InitSpec("uniform", 1)  # uniform(−1, 1)
# the network files the lessons load (resources/examples)
SEED_000_FILE = NetworkFile(EXAMPLES / "seed-000.json")
SEED_001_TIED_FILE = NetworkFile(EXAMPLES / "seed-001-tied.json", RANDOM)
LOGISTIC_FILE = NetworkFile(EXAMPLES / "logistic-seed-001.json")


def band_file(seed: int) -> NetworkFile:
    return NetworkFile(EXAMPLES / "band.json", InitSpec("uniform", seed))


# seed 000: "I'll initialise both weights, and biases with 1"
# seed 001: w1 = w3 = 0.2, w2 = w4 = −0.3, w5 = w6 = 0.4 and its six observations
SEED_001_W = ([[0.2, 0.2], [-0.3, -0.3]], [[0.4], [0.4]])
SEED_001_INPUTS = np.array([[0.2, 0.9], [0.3, 0.7], [0.4, 0.8], [0.8, 0.9], [0.7, 0.2],
                            [0.1, 0.3]])
SEED_001_TARGETS = np.array([[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]])


# ============================================================ the reference
def flat(W, b) -> np.ndarray:
    """θ in the documented layout: W^0 (row-major), b^0, W^1, b^1, …"""
    parts = []
    for l, weights in enumerate(W):
        parts.append(weights.ravel())
        if b is not None:
            parts.append(b[l])
    return np.concatenate(parts)


def uniform_draw(sizes, seed: int, bias: bool = True):
    """uniform(−1, 1) from default_rng(seed), layer by layer: the weights, then the biases."""
    rng = np.random.default_rng(seed)
    W, b = [], []
    for l in range(len(sizes) - 1):
        W.append(rng.uniform(-1.0, 1.0, (sizes[l], sizes[l + 1])))
        if bias:
            b.append(rng.uniform(-1.0, 1.0, sizes[l + 1]))
    return W, (b if bias else None)


def constant(sizes, value: float, bias: bool = True):
    W = [np.full((sizes[l], sizes[l + 1]), value) for l in range(len(sizes) - 1)]
    return W, ([np.full(sizes[l + 1], value) for l in range(len(sizes) - 1)] if bias else None)


def params(network):
    """Copies of a lab network's W^l and b^l (None without biases)."""
    W = [w.copy() for w in network.weights]
    return W, ([v.copy() for v in network.biases] if network.bias else None)


def signatures(W, b, layer: int) -> np.ndarray:
    """One row per neuron of a hidden layer: its incoming weights, its bias, its outgoing
    weights. Two neurons with equal rows are interchangeable."""
    parts = [W[layer - 1].T]
    if b is not None:
        parts.append(b[layer - 1][:, np.newaxis])
    parts.append(W[layer])
    return np.hstack(parts)


def distinct(W, b, layer: int) -> int:
    """Distinct neurons of a hidden layer, equal meaning bit for bit equal."""
    return len(np.unique(signatures(W, b, layer), axis=0))


def unflatten(rows, sizes, bias: bool = True):
    """Rows of θ in the documented layout as stacked W^l (rows, n_l, n_{l+1}) and b^l."""
    rows, W, b, offset = np.atleast_2d(rows), [], [], 0
    for l in range(len(sizes) - 1):
        count = sizes[l] * sizes[l + 1]
        W.append(rows[:, offset:offset + count].reshape(-1, sizes[l], sizes[l + 1]))
        offset += count
        if bias:
            b.append(rows[:, offset:offset + sizes[l + 1]])
            offset += sizes[l + 1]
    assert offset == rows.shape[1]
    return W, (b if bias else None)


def one_neuron_per_hidden_layer(rows, sizes, bias: bool = True) -> np.ndarray:
    """For each row of θ: every hidden layer's neurons are one neuron, bit for bit (the
    stacked form of ``distinct(…) == 1``)."""
    W, b = unflatten(rows, sizes, bias)
    one = np.ones(len(W[0]), dtype=bool)
    for layer in range(1, len(sizes) - 1):
        parts = [W[layer - 1].transpose(0, 2, 1)]  # (rows, neurons, incoming)
        if bias:
            parts.append(b[layer - 1][:, :, np.newaxis])
        parts.append(W[layer])  # (rows, neurons, outgoing)
        rows_of_neurons = np.concatenate(parts, axis=2)
        one &= np.all(rows_of_neurons == rows_of_neurons[:, :1], axis=(1, 2))
    return one


def all_distinct_by(W, b, layer: int) -> float:
    """The smallest distance between two neurons' signatures."""
    rows = signatures(W, b, layer)
    return min(np.max(np.abs(rows[i] - rows[j]))
               for i in range(len(rows)) for j in range(i + 1, len(rows)))


def right(outputs, targets) -> int:
    return int(np.sum((np.asarray(outputs) > 0.5) == (np.asarray(targets) > 0.5)))


def band() -> tuple[np.ndarray, np.ndarray]:
    """The band as the lesson describes it: a 5 × 3 grid of the unit square (x1 varying
    fastest), class 1 where x1 is 0.25 or 0.5."""
    inputs = np.array([[x1, x2] for x2 in (0.0, 0.5, 1.0)
                       for x1 in (0.0, 0.25, 0.5, 0.75, 1.0)])
    return inputs, np.array([[1.0] if x1 in (0.25, 0.5) else [0.0] for x1, _ in inputs])


def best_line(inputs, targets, angles: int = 20000) -> int:
    """Most points one straight line classifies right: every direction of a fine grid (off
    the grid's critical angles), every threshold between two distinct projections."""
    labels = np.asarray(targets).ravel() > 0.5
    phi = np.linspace(0.0, 2.0 * np.pi, angles, endpoint=False) + 1e-4 * np.sqrt(2.0)
    projections = inputs @ np.stack([np.cos(phi), np.sin(phi)])  # (points, angles)
    order = np.argsort(projections, axis=0)
    ordered, sorted_p = labels[order], np.take_along_axis(projections, order, axis=0)
    zeros = np.zeros((1, len(phi)))
    class0_below = np.vstack([zeros, np.cumsum(~ordered, axis=0)])  # split s: s points below
    class1_above = np.vstack([np.cumsum(ordered[::-1], axis=0)[::-1], zeros])
    realisable = np.ones(class0_below.shape, dtype=bool)
    realisable[1:-1] = sorted_p[1:] > sorted_p[:-1] + 1e-12
    return int(np.max((class0_below + class1_above)[realisable]))


def frozen(*arrays):
    for array in arrays:
        array.flags.writeable = False
    return arrays


# ---------------------------------------------------- reference runs, computed once
@functools.cache
def seed_000_run(iterations: int):
    """Seed 000 from every parameter 1: (θ after ``iterations`` updates, losses)."""
    W, b = constant(SEED_000_SIZES, 1.0)
    losses = train(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse", 0.5, iterations)
    return frozen(flat(W, b), losses)


@functools.cache
def band_run(init: str, seed: int = 0):
    """The 2-4-1 net on the band (bce, rate 1) for 2000 iterations from zeros or a draw:
    (θ after them, their losses, θ at the start of each)."""
    x, y = band()
    W, b = constant((2, 4, 1), 0.0) if init == "zeros" else uniform_draw((2, 4, 1), seed)
    starts = [flat(W, b)]
    losses = train(W, b, x, y, "bce", 1.0, 2000, each=lambda W, b: starts.append(flat(W, b)))
    return frozen(flat(W, b), losses, np.array(starts[:-1]))


# ============================================================== the lesson under test
# the steps the tests look at, by title (so that a step added between them moves nothing)
EVERY_WEIGHT_1, FORWARD, BACKWARD = ("Every weight is 1", "Forward: identical columns",
                                     "Backward: identical rows")
UPDATE, MEANS = "The update keeps them equal", "The outputs settle on the averages"
PLATEAU, BROKEN = "A plateau, not a cure", "Random initial weights break the symmetry"
TIED_START, AS_ONE, NUDGED, TIED_AGAIN = ("Two neurons, tied", "They move as one",
                                          "Nudge one weight", "Tie them again")
LOGISTIC, LEARNS = "Logistic regression from zeros", "It learns"
HIDDEN_ZEROS, AS_ONE_NEURON = "A hidden layer from zeros", "Four neurons acting as one"
BAND_RANDOM = "Random initial weights"
RUN_A, SAME_SEED, OTHER_SEED = ("Run A", "The same seed again",
                                "Another seed, another run")


def index_of(key: str, which: int | str) -> int:
    """A step's index, given as one or by its title."""
    if isinstance(which, int):
        return which
    titles = [candidate.title for candidate in lessons.lesson(key).steps]
    assert which in titles, f"{key}: no step titled {which!r} (its steps: {titles})"
    return titles.index(which)


@functools.cache
def _built(key: str, index: int) -> EngineLab:
    return lessons.build(lessons.lesson(key), index)


def built(key: str, which: int | str) -> EngineLab:
    """``build`` once per step; read only (a test that deviates builds afresh)."""
    return _built(key, index_of(key, which))


def step(key: str, which: int | str) -> lessons.Step:
    return lessons.lesson(key).steps[index_of(key, which)]


def verdict(claim: Check, lab: EngineLab) -> Verdict:
    return claim(lab.stepper, lab.memo)


def fresh(key: str, which: int | str) -> EngineLab:
    return lessons.build(lessons.lesson(key), index_of(key, which))


def network_of(key: str, which: int | str):
    return built(key, which).stepper.network


def assert_same_state(lab: EngineLab, other: EngineLab) -> None:
    a, b = lab.stepper, other.stepper
    assert (a.iteration, a.phase) == (b.iteration, b.phase)
    np.testing.assert_array_equal(a.network.theta, b.network.theta, strict=True)
    np.testing.assert_array_equal(a.history.losses, b.history.losses, strict=True)
    np.testing.assert_array_equal(a.history.snapshots, b.history.snapshots, strict=True)
    assert a.network.sizes == b.network.sizes and a.config == b.config
    assert lab.init_spec == other.init_spec
    assert lab.memo.keys() == other.memo.keys()
    for key, run in lab.memo.items():
        for mine, theirs in zip(run, other.memo[key], strict=True):
            np.testing.assert_array_equal(mine, theirs, strict=True)


# ==================================================== 1. every claim holds where it is set
@pytest.mark.parametrize(("key", "index"), ALL_STEPS)
def test_every_check_holds_where_the_lesson_sets_the_step_up(key, index):
    lab = built(key, index)
    results = lessons.check(step(key, index), lab.stepper, lab.memo)
    assert len(results) == len(step(key, index).checks)
    for claim, result in results:
        assert result.holds, f"{claim.text}: {result.detail}"


def test_a_verdict_holds_a_plain_bool():
    """Verdict.holds is declared bool; equal_pairs gave numpy's bool_ (``holds &= gap ==
    0.0``), which is not a bool (``json.dumps`` refuses it, ``is True`` is False)."""
    for key, index in ALL_STEPS:
        lab = built(key, index)
        for claim, result in lessons.check(step(key, index), lab.stepper, lab.memo):
            assert type(result.holds) is bool, f"{key} step {index + 1}: {claim.text}"


# ---------------------------------------------------------------- all weights equal
def test_all_equal_starts_from_seed_000():
    lab = built("all-equal", EVERY_WEIGHT_1)
    network, config = lab.stepper.network, lab.stepper.config
    assert network.sizes == list(SEED_000_SIZES) and network.bias
    assert network.activation_names == ["sigmoid"] * 3
    assert (config.loss, config.optimizer, config.learning_rate) == ("sse", "gd", 0.5)
    np.testing.assert_array_equal(lab.stepper.inputs, SEED_000_INPUTS)
    np.testing.assert_array_equal(lab.stepper.targets, SEED_000_TARGETS)
    np.testing.assert_array_equal(network.theta, flat(*constant(SEED_000_SIZES, 1.0)))
    W, b = params(network)
    assert distinct(W, b, 1) == distinct(W, b, 2) == 1


def seed_000_printed() -> dict:
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def seed_000_first_pass() -> Pass:
    return backprop(*constant(SEED_000_SIZES, 1.0), SEED_000_INPUTS, SEED_000_TARGETS, "sse")


def assert_printed(values: dict, printed: dict) -> None:
    for name, value in values.items():
        np.testing.assert_allclose(value, printed[name], rtol=0, atol=printed["tolerance"],
                                   err_msg=name)


def assert_repeats(matrix: np.ndarray, axis: int) -> None:
    """One column (axis 1) or row (axis 0) repeated, bit for bit."""
    np.testing.assert_array_equal(matrix, np.repeat(np.take(matrix, [0], axis=axis),
                                                    matrix.shape[axis], axis=axis))


def test_all_equal_text_states_seed_000s_cost():
    """Seed 000's cost is Σ (a − y)²: its printed ∂C/∂a^3 is 2 (a − y), as the Matrices
    show; ½ Σ (a − y)² would give a − y."""
    printed = seed_000_printed()
    a3 = np.array(printed["activation_layer_3"])
    np.testing.assert_allclose(2.0 * (a3 - SEED_000_TARGETS),
                               printed["dcost_dactivation_layer_3"], atol=4e-7)
    text = step("all-equal", EVERY_WEIGHT_1).text
    assert "C = Σ (a − y)²" in text and "½" not in text
    assert "learning rate 0.5" in text


def test_all_equal_forward_gives_seed_000s_identical_columns():
    """Stopped before forward layer 3 of iteration 0: n^1, a^1, a^2 as seed 000 printed them
    and as the pass written here computes them, one column repeated."""
    stepper = built("all-equal", FORWARD).stepper
    assert (stepper.iteration, str(stepper.next_phase)) == (0, "forward layer 3")
    trace, mine = stepper.trace, seed_000_first_pass()
    assert_printed({"pre_activation_layer_1": trace.pre_activations[1],
                    "activation_layer_1": trace.activations[1],
                    "activation_layer_2": trace.activations[2]}, seed_000_printed())
    assert trace.activations[3] is None
    for l in (1, 2):
        np.testing.assert_allclose(trace.activations[l], mine.a[l], rtol=1e-14)
        assert_repeats(mine.a[l], axis=1)


def test_all_equal_backward_gives_seed_000s_identical_rows():
    """Stopped before backward layer 2: a^3, ∂C/∂a^3, ∂a^3/∂n^3, δ^3 and the augmented
    ∂C/∂W^2 as seed 000 printed them; ∂C/∂W^2 as the pass written here computes it, with
    the claimed repeated rows and differing columns."""
    stepper = built("all-equal", BACKWARD).stepper
    assert (stepper.iteration, str(stepper.next_phase)) == (0, "backward layer 2")
    trace, mine = stepper.trace, seed_000_first_pass()
    assert_printed({"activation_layer_3": trace.activations[3],
                    "dcost_dactivation_layer_3": trace.dcost_dactivations[3],
                    "dactivation_dpre_layer_3": trace.dactivation_dpre[3],
                    "delta_layer_3": trace.deltas[3]}, seed_000_printed())
    augmented = np.vstack([trace.bias_gradients[2], trace.weight_gradients[2]])
    printed = seed_000_printed()
    np.testing.assert_allclose(augmented, printed["weight_gradient_2_augmented"]["value"],
                               rtol=0, atol=printed["tolerance"])
    assert trace.loss == pytest.approx(mine.cost, rel=1e-14)
    np.testing.assert_allclose(trace.dcost_dactivations[3], mine.dcost_da_out, rtol=1e-14)
    np.testing.assert_allclose(trace.deltas[3], mine.delta[3], rtol=1e-12)
    np.testing.assert_allclose(trace.weight_gradients[2], mine.dW[2], rtol=1e-12)
    np.testing.assert_allclose(trace.bias_gradients[2], mine.db[2], rtol=1e-12)
    assert trace.weight_gradients[1] is None  # backward layer 2 comes next
    assert_repeats(mine.dW[2], axis=0)
    assert not np.allclose(mine.dW[2][:, 0], mine.dW[2][:, 1])  # the outputs' targets differ
    assert_repeats(mine.dW[1], axis=0)  # and so will ∂C/∂W^1's rows and columns
    assert_repeats(mine.dW[1], axis=1)


def test_all_equal_update_keeps_the_neurons_identical():
    network = network_of("all-equal", UPDATE)
    np.testing.assert_allclose(network.theta, seed_000_run(1)[0], rtol=1e-14)
    W, b = params(network)
    assert distinct(W, b, 1) == distinct(W, b, 2) == 1


def test_seed_000_reference_loop_matches_the_seeds_output_after_1000_iterations():
    """Keeps the loop written here honest: seed 000 printed its output "after 1000
    iterations", which test_reference_seed000.py places after 999 updates."""
    W, b = constant(SEED_000_SIZES, 1.0)
    train(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse", 0.5, 999)
    np.testing.assert_allclose(forward(W, b, SEED_000_INPUTS)[-1],
                               [[0.5992708, 0.1997655], [0.5993174, 0.2004307]], atol=1e-7)


def test_all_equal_outputs_settle_on_the_target_means():
    lab = built("all-equal", MEANS)
    assert lab.stepper.iteration == 2000
    theta, losses = seed_000_run(2000)
    np.testing.assert_allclose(lab.stepper.network.theta, theta, rtol=0, atol=1e-9)
    np.testing.assert_allclose(lab.stepper.history.losses, losses, rtol=1e-9)
    W, b = params(lab.stepper.network)
    outputs = forward(W, b, SEED_000_INPUTS)[-1]
    np.testing.assert_allclose(outputs, [[0.6, 0.2], [0.6, 0.2]], atol=0.01)
    assert distinct(W, b, 1) == distinct(W, b, 2) == 1


def test_all_equal_plateau_then_fall_as_the_text_says():
    """"the loss sits on a plateau from about iteration 100 to 4000"; "after iteration
    4000 the loss falls"."""
    losses = seed_000_run(6000)[1]
    plateau = losses[100:4001]
    assert plateau.max() - plateau.min() < 0.01 * plateau.max()
    assert losses[5999] < 0.01 < 0.3 < losses[4000]


def test_all_equal_fits_the_two_observations_with_one_neuron_per_layer():
    stepper = built("all-equal", PLATEAU).stepper
    assert stepper.iteration == 6000
    theta, losses = seed_000_run(6000)
    np.testing.assert_allclose(stepper.network.theta, theta, rtol=0, atol=1e-9)
    np.testing.assert_allclose(stepper.history.losses, losses, rtol=1e-8)
    W, b = params(stepper.network)
    assert backprop(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse").cost < 0.01
    history = stepper.history
    assert np.array_equal(history.snapshot_iterations, np.arange(6000))
    # θ at the start of every iteration
    assert one_neuron_per_hidden_layer(history.snapshots, SEED_000_SIZES).all()


def test_all_equal_random_weights_break_the_symmetry():
    stepper = built("all-equal", BROKEN).stepper
    W, b = uniform_draw(SEED_000_SIZES, 0)
    np.testing.assert_array_equal(stepper.history.snapshots[0], flat(W, b))
    losses = train(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse", 0.5, 2000)
    np.testing.assert_allclose(stepper.network.theta, flat(W, b), rtol=0, atol=1e-9)
    np.testing.assert_allclose(stepper.history.losses, losses, rtol=1e-9)
    assert min(all_distinct_by(W, b, 1), all_distinct_by(W, b, 2)) > 1e-3
    assert np.max(np.abs(forward(W, b, SEED_000_INPUTS)[-1] - SEED_000_TARGETS)) < 0.03


# ------------------------------------------------------------------------- w5 = w6
def test_w1_to_w6_are_seed_001s_numbering():
    """The lesson's W1 … W6 are the network's plain names w1 … w6, which run by the neuron
    a weight goes to, then by its source (seed 001: w1, w2 into hidden neuron 1)."""
    names = network_of("w5-w6", TIED_START).plain_weight_names()
    expected = {W1: "w1", W2: "w2", W3: "w3", W4: "w4", W5: "w5", W6: "w6"}
    assert {address: names[address] for address in expected} == expected
    assert W2 == ParameterAddress.weight(0, 1, 0)  # from x2 into hidden neuron 1


def seed_001_weights():
    return [np.array(SEED_001_W[0]), np.array(SEED_001_W[1])], None


def assert_tied(W, b=None) -> None:
    assert np.array_equal(W[0][:, 0], W[0][:, 1]) and W[1][0, 0] == W[1][1, 0]


def test_w5_w6_starts_tied_with_equal_chain_rules():
    stepper = built("w5-w6", TIED_START).stepper
    config = stepper.config
    assert (config.loss, config.optimizer, config.learning_rate) == ("bce", "gd", 0.5)
    assert not stepper.network.bias
    np.testing.assert_array_equal(stepper.inputs, SEED_001_INPUTS)
    np.testing.assert_array_equal(stepper.targets, SEED_001_TARGETS)
    W, _ = seed_001_weights()
    np.testing.assert_array_equal(stepper.network.theta, flat(W, None))
    # ∂J/∂w5 and ∂J/∂w6 differ only in a1 against a2, and a1 = a2
    mine = backprop(W, None, SEED_001_INPUTS, SEED_001_TARGETS, "bce")
    np.testing.assert_array_equal(mine.a[1][:, 0], mine.a[1][:, 1])
    assert mine.dW[1][0, 0] == mine.dW[1][1, 0]
    assert distinct(W, None, 1) == 1


@functools.cache
def w5_w6_run():
    """Seed 001 written here: 500 iterations tied, w5 += 0.1, 500 more, then w3 = w1,
    w4 = w2, w6 = w5 and 500 more: θ after each part, and every θ of the first part."""
    W, b = seed_001_weights()
    x, y = SEED_001_INPUTS, SEED_001_TARGETS
    trajectory = [flat(W, b)]
    train(W, b, x, y, "bce", 0.5, 500, each=lambda W, b: trajectory.append(flat(W, b)))
    tied = flat(W, b)
    W[1][0, 0] += 0.1
    train(W, b, x, y, "bce", 0.5, 500)
    nudged = flat(W, b)
    W[0][:, 1] = W[0][:, 0]
    W[1][1, 0] = W[1][0, 0]
    train(W, b, x, y, "bce", 0.5, 500, each=assert_tied)
    return frozen(np.array(trajectory), tied, nudged, flat(W, b))


def test_w5_w6_tied_weights_move_as_one():
    trajectory, tied, _, _ = w5_w6_run()
    for row in trajectory:  # w1 w3 | w2 w4 | w5 | w6 in the flat layout
        assert row[0] == row[1] and row[2] == row[3] and row[4] == row[5]
    stepper = built("w5-w6", AS_ONE).stepper
    assert stepper.iteration == 500
    rows = stepper.history.snapshots
    assert len(rows) == 500
    assert np.array_equal(rows[:, 0], rows[:, 1]) and np.array_equal(rows[:, 2], rows[:, 3])
    assert np.array_equal(rows[:, 4], rows[:, 5])
    np.testing.assert_allclose(stepper.history.snapshots, trajectory[:500], rtol=0, atol=1e-12)
    np.testing.assert_allclose(stepper.network.theta, tied, rtol=0, atol=1e-12)


def test_w5_w6_nudge_parts_the_trajectories():
    _, tied, nudged, _ = w5_w6_run()
    stepper = built("w5-w6", NUDGED).stepper
    assert stepper.iteration == 1000
    assert stepper.history.snapshots[500][4] == pytest.approx(tied[4] + 0.1, abs=1e-12)
    np.testing.assert_allclose(stepper.network.theta, nudged, rtol=0, atol=1e-9)
    w1, w3, w5, w6 = nudged[0], nudged[1], nudged[4], nudged[5]
    assert abs(w1 - w3) > 0.01 and abs(w5 - w6) > 0.1
    W, _ = params(stepper.network)
    assert all_distinct_by(W, None, 1) > 0.01


def test_w5_w6_tied_again_stay_tied():
    _, _, _, retied = w5_w6_run()
    stepper = built("w5-w6", TIED_AGAIN).stepper
    assert stepper.iteration == 1500
    np.testing.assert_allclose(stepper.network.theta, retied, rtol=0, atol=1e-9)
    theta = stepper.network.theta
    assert theta[0] == theta[1] and theta[2] == theta[3] and theta[4] == theta[5]
    for row in stepper.history.snapshots[1000:]:
        assert row[0] == row[1] and row[2] == row[3] and row[4] == row[5]


# ------------------------------------------------------------------ zero initialisation
def test_logistic_regression_from_zeros_learns():
    start = built("zeros", LOGISTIC).stepper
    assert start.network.sizes == [2, 1] and start.network.bias
    np.testing.assert_array_equal(start.network.theta, np.zeros(3))
    np.testing.assert_array_equal(start.inputs, SEED_001_INPUTS)
    W, b = constant((2, 1), 0.0)
    first = backprop(W, b, SEED_001_INPUTS, SEED_001_TARGETS, "bce")
    np.testing.assert_array_equal(first.a[-1], 0.5)  # σ(0)
    # ∂J/∂w = (1/m) Σ (a − y) x_i: the inputs differ, so do the gradients from the start
    np.testing.assert_allclose(first.dW[0].ravel(),
                               [np.mean((0.5 - SEED_001_TARGETS[:, 0]) * SEED_001_INPUTS[:, i])
                                for i in (0, 1)], rtol=1e-14)
    assert abs(first.dW[0][0, 0] - first.dW[0][1, 0]) > 0.01

    stepper = built("zeros", LEARNS).stepper
    losses = train(W, b, SEED_001_INPUTS, SEED_001_TARGETS, "bce", 0.5, 2000)
    np.testing.assert_allclose(stepper.network.theta, flat(W, b), rtol=0, atol=1e-9)
    np.testing.assert_allclose(stepper.history.losses, losses, rtol=1e-9)
    final = backprop(W, b, SEED_001_INPUTS, SEED_001_TARGETS, "bce")
    assert final.cost < 0.2
    assert right(final.a[-1], SEED_001_TARGETS) == 6
    assert abs(W[0][0, 0] - W[0][1, 0]) > 1e-3


def test_band_is_what_the_lesson_says():
    """15 points, 6 in the band; the best straight line gets 12 right (so one hidden
    neuron is not enough)."""
    x, y = band()
    stepper = built("zeros", HIDDEN_ZEROS).stepper
    np.testing.assert_array_equal(stepper.inputs, x)
    np.testing.assert_array_equal(stepper.targets, y)
    assert len(x) == 15 and y.sum() == 6
    assert best_line(x, y) == 12
    config = stepper.config
    assert (config.loss, config.optimizer, config.learning_rate) == ("bce", "gd", 1.0)
    assert stepper.network.sizes == [2, 4, 1] and stepper.network.bias
    np.testing.assert_array_equal(stepper.network.theta, np.zeros(17))


def test_band_from_zeros_acts_as_one_neuron():
    theta, losses, starts = band_run("zeros")
    assert one_neuron_per_hidden_layer(starts, (2, 4, 1)).all()  # bit for bit, every time
    stepper = built("zeros", AS_ONE_NEURON).stepper
    np.testing.assert_allclose(stepper.network.theta, theta, rtol=0, atol=1e-9)
    np.testing.assert_allclose(stepper.history.losses, losses, rtol=1e-9)
    np.testing.assert_allclose(stepper.history.snapshots, starts, rtol=0, atol=1e-9)
    assert one_neuron_per_hidden_layer(stepper.history.snapshots, (2, 4, 1)).all()
    W, b = params(stepper.network)
    x, y = band()
    outputs = forward(W, b, x)[-1]
    # one hidden neuron carrying the four outgoing weights' sum
    one = forward([W[0][:, :1], W[1].sum(axis=0, keepdims=True)], [b[0][:1], b[1]], x)[-1]
    np.testing.assert_allclose(outputs, one, rtol=0, atol=1e-14)
    assert right(outputs, y) == 12


def test_band_from_random_weights_learns_it():
    theta, losses, starts = band_run("uniform", 0)
    assert not one_neuron_per_hidden_layer(starts, (2, 4, 1)).any()
    stepper = built("zeros", BAND_RANDOM).stepper
    W, b = uniform_draw((2, 4, 1), 0)
    np.testing.assert_array_equal(stepper.history.snapshots[0], flat(W, b))
    np.testing.assert_allclose(stepper.network.theta, theta, rtol=0, atol=1e-9)
    np.testing.assert_allclose(stepper.history.losses, losses, rtol=1e-9)
    W, b = params(stepper.network)
    assert all_distinct_by(W, b, 1) > 1e-3
    x, y = band()
    assert right(forward(W, b, x)[-1], y) == 15


# ---------------------------------------------------------------------- fix the seed
def test_run_a_starts_from_seed_1s_draw():
    lab = built("seed", RUN_A)
    drawn = flat(*uniform_draw((2, 4, 1), 1))
    np.testing.assert_array_equal(lab.stepper.history.snapshots[0], drawn)
    run = lab.memo["A"]
    np.testing.assert_array_equal(run.initial, drawn)
    np.testing.assert_array_equal(run.final, lab.stepper.network.theta)
    np.testing.assert_array_equal(run.losses, lab.stepper.history.losses)
    theta, losses, _ = band_run("uniform", 1)
    assert len(run.losses) == 2000
    np.testing.assert_allclose(run.final, theta, rtol=0, atol=1e-9)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-9)
    x, y = band()
    assert right(forward(*uniform_draw((2, 4, 1), 1), x)[-1], y) < 15  # it had to learn
    W, b = params(lab.stepper.network)
    assert right(forward(W, b, x)[-1], y) == 15  # "Both runs learn the band"


def test_same_seed_gives_the_same_run_bit_for_bit():
    run, again = built("seed", RUN_A).memo["A"], built("seed", SAME_SEED)
    assert again.memo["A"] is not None
    np.testing.assert_array_equal(again.stepper.history.losses, run.losses, strict=True)
    np.testing.assert_array_equal(again.stepper.network.theta, run.final, strict=True)
    np.testing.assert_array_equal(again.stepper.history.snapshots[0], run.initial, strict=True)


def test_another_seed_gives_another_run():
    run, other = built("seed", RUN_A).memo["A"], built("seed", OTHER_SEED).stepper
    W, b = uniform_draw((2, 4, 1), 2)
    np.testing.assert_array_equal(other.history.snapshots[0], flat(W, b))
    assert not np.array_equal(flat(W, b), run.initial)
    x, y = band()
    first_loss = backprop(W, b, x, y, "bce").cost
    assert other.history.losses[0] == pytest.approx(first_loss, rel=1e-14)
    assert first_loss != pytest.approx(run.losses[0], rel=1e-6)
    np.testing.assert_allclose(other.network.theta, band_run("uniform", 2)[0], atol=1e-9)


# ================================================ 2. every kind of check can fail
def test_all_parameters_and_distinct_hidden_fail_after_a_random_reinitialisation():
    lab = fresh("all-equal", EVERY_WEIGHT_1)
    Reinitialise(RANDOM).apply(lab)
    for claim in step("all-equal", EVERY_WEIGHT_1).checks:  # every weight 1; one distinct neuron
        assert not verdict(claim, lab).holds
    assert verdict(lessons.distinct_hidden(None), lab).holds


def test_distinct_hidden_none_fails_on_identical_neurons():
    result = verdict(lessons.distinct_hidden(None), built("all-equal", EVERY_WEIGHT_1))
    assert not result.holds and "1 distinct of 3" in result.detail


def test_all_parameters_fails_when_one_bias_differs():
    lab = fresh("all-equal", EVERY_WEIGHT_1)
    Nudge(ParameterAddress.bias(2, 1), -0.5, "b^2_1").apply(lab)
    assert not verdict(lessons.all_parameters(1.0), lab).holds


def test_identical_fails_when_a_neuron_differs():
    lab = fresh("all-equal", EVERY_WEIGHT_1)
    Nudge(ParameterAddress.weight(0, 0, 1), 0.5, "w^0_{0,1}").apply(lab)  # into layer 1
    Nudge(ParameterAddress.weight(1, 0, 1), 0.5, "w^1_{0,1}").apply(lab)  # into layer 2
    StepPhases("backward layer 1").apply(lab)
    claims = step("all-equal", FORWARD).checks + step("all-equal", BACKWARD).checks
    identical = [claim for claim in claims if "identical" in claim.text]
    assert len(identical) == 2
    for claim in identical:
        assert not verdict(claim, lab).holds, claim.text


def test_columns_differ_fails_when_both_outputs_have_the_same_targets():
    lab = fresh("all-equal", EVERY_WEIGHT_1)
    old = lab.stepper
    targets = old.targets.copy()  # a stepper's data is read-only: another stepper, other data
    targets[:, 1] = targets[:, 0]  # the two outputs: one target
    lab.stepper = Stepper(old.network, old.inputs, targets, old.config)
    StepPhases("backward layer 2").apply(lab)
    differ = [claim for claim in step("all-equal", BACKWARD).checks if "differ" in claim.text]
    assert len(differ) == 1
    result = verdict(differ[0], lab)
    assert not result.holds and "difference 0" in result.detail


def test_identical_fails_on_what_the_iteration_has_not_computed_yet():
    lab = fresh("all-equal", EVERY_WEIGHT_1)
    StepPhases("loss").apply(lab)  # forward 1 … 3 done
    assert verdict(lessons.identical("activations", (1, 2), 1, "a^{l}"), lab).holds
    result = verdict(lessons.identical("weight_gradients", (1, 2), 0, "∂C/∂W^{l}"), lab)
    assert not result.holds and "not computed yet" in result.detail


def test_output_checks_and_loss_below_fail_away_from_their_claims():
    plateau, start = built("all-equal", MEANS), built("all-equal", EVERY_WEIGHT_1)
    random = built("all-equal", BROKEN)
    assert not verdict(lessons.outputs_near_targets(0.03), plateau).holds
    assert not verdict(lessons.loss_below(0.01), plateau).holds
    assert not verdict(lessons.outputs_near_target_means(0.01), start).holds
    assert not verdict(lessons.outputs_near_target_means(0.01), random).holds


def test_one_distinct_throughout_remembers_a_past_parting():
    """w5-w6 step 4 is tied now, but the neurons were two for 500 iterations."""
    lab = built("w5-w6", TIED_AGAIN)
    assert verdict(lessons.distinct_hidden(1), lab).holds
    assert not verdict(lessons.one_distinct_throughout(), lab).holds
    assert not verdict(lessons.equal_pairs(TIED, throughout=True), lab).holds
    assert verdict(lessons.equal_pairs(TIED, throughout=False), lab).holds


def test_tied_checks_fail_after_a_nudge_and_a_run():
    lab = fresh("w5-w6", AS_ONE)
    Nudge(W5, 0.1, "w5").apply(lab)
    RunTo(600).apply(lab)
    for claim in step("w5-w6", AS_ONE).checks:  # tied throughout; one distinct neuron
        assert not verdict(claim, lab).holds, claim.text
    assert not verdict(lessons.equal_pairs(TIED, throughout=False), built("w5-w6", NUDGED)).holds


def test_parted_fails_while_tied():
    for claim in step("w5-w6", NUDGED).checks:
        assert not verdict(claim, built("w5-w6", AS_ONE)).holds, claim.text


def test_classified_weights_differ_and_one_neuron_fail_away_from_their_claims():
    start = built("zeros", LOGISTIC)  # every output σ(0) = 0.5: class 0 everywhere
    assert right(np.full((6, 1), 0.5), SEED_001_TARGETS) == 3
    result = verdict(lessons.classified(at_least=6), start)
    assert not result.holds and "3 of 6" in result.detail
    assert not verdict(step("zeros", LEARNS).checks[2], start).holds  # weights_differ
    assert not verdict(lessons.classified(at_least=15), built("zeros", AS_ONE_NEURON)).holds
    assert not verdict(lessons.classified(at_most=12), built("zeros", BAND_RANDOM)).holds
    assert not verdict(lessons.one_neuron_equivalent(), built("zeros", BAND_RANDOM)).holds


def test_one_neuron_equivalent_fails_after_one_neuron_is_nudged():
    lab = fresh("zeros", HIDDEN_ZEROS)
    Nudge(ParameterAddress.weight(1, 3, 0), 0.5, "w^1_{3,0}").apply(lab)
    RunTo(50).apply(lab)
    assert not verdict(lessons.one_neuron_equivalent(), lab).holds
    assert not verdict(lessons.one_distinct_throughout(), lab).holds


def test_seed_checks_fail_on_another_run():
    other = built("seed", OTHER_SEED)
    assert not verdict(lessons.initial_weights_drawn(SEED_1), other).holds
    assert not verdict(lessons.same_run_as("A"), other).holds
    assert not verdict(lessons.different_run_from("A"), built("seed", SAME_SEED)).holds


def band_lab(iterations: int, nudge: float = 0.0) -> EngineLab:
    """The band from seed 1's draw, optionally b^1_0 nudged at the start, run on."""
    lab = EngineLab()
    Load(band_file(1), "").apply(lab)
    if nudge:
        Nudge(ParameterAddress.bias(1, 0), nudge, "b^1_0").apply(lab)
    RunTo(iterations).apply(lab)
    return lab


def test_same_run_as_fails_on_a_shorter_run_or_a_tiny_edit():
    """Against a short run A of 20 iterations, remembered here."""
    run_a = band_lab(20)
    Remember("A").apply(run_a)
    memo = run_a.memo

    def holds(claim, lab):
        return claim(lab.stepper, memo).holds

    same, different = lessons.same_run_as("A"), lessons.different_run_from("A")
    again = band_lab(20)
    assert holds(same, again) and not holds(different, again)
    shorter = band_lab(19)
    assert not holds(same, shorter) and not holds(different, shorter)  # same start, losses
    nudged = band_lab(20, nudge=1e-9)
    assert not holds(same, nudged) and holds(different, nudged)
    assert not holds(lessons.initial_weights_drawn(SEED_1), nudged)
    assert holds(lessons.initial_weights_drawn(SEED_1), shorter)


# ============================================ 3. on a network of another shape
def _logistic():
    return LOGISTIC_FILE().make_stepper()


def _seed_000():
    return SEED_000_FILE().make_stepper()


DOES_NOT_APPLY = {
    "equal_pairs, no w3": (lessons.equal_pairs(TIED, throughout=True), _logistic),
    "parted, no w3": (lessons.parted("w1 − w3", W1, W3, 0.01), _logistic),
    "weights_differ, no layer 1": (lessons.weights_differ(W5, W1, "w5, w1"), _logistic),
    "identical, no layer 2": (lessons.identical("activations", (1, 2), 1, "a^{l}"), _logistic),
    "one_neuron_equivalent, two hidden layers": (lessons.one_neuron_equivalent(), _seed_000),
    "same_run_as, nothing remembered": (lessons.same_run_as("A"), _seed_000),
    "different_run_from, nothing remembered": (lessons.different_run_from("A"), _seed_000),
    "classified, two outputs": (lessons.classified(at_most=12), _seed_000),
    "distinct_hidden, no hidden layer": (lessons.distinct_hidden(1), _logistic),
    "one_distinct_throughout, no hidden layer": (lessons.one_distinct_throughout(), _logistic),
}


@pytest.mark.parametrize("case", DOES_NOT_APPLY)
def test_a_check_on_another_shape_does_not_apply(case):
    claim, make = DOES_NOT_APPLY[case]
    result = claim(make(), {})
    assert isinstance(result, Verdict)
    assert not result.holds and "does not apply" in result.detail, result.detail


# ============================================================= 4. build itself
@pytest.mark.parametrize("key", KEYS)
def test_build_equals_applying_every_step_in_turn(key):
    """``build`` skips the steps a later Load replaces; one lab that applies every step's
    actions, one after the other, must reach the same state at every step."""
    lab = EngineLab()
    for index, lesson_step in enumerate(lessons.lesson(key).steps):
        for action in lesson_step.actions:
            action.apply(lab)
        assert_same_state(lab, built(key, index))


@pytest.mark.parametrize(("key", "index"), [("all-equal", BROKEN), ("w5-w6", TIED_AGAIN),
                                            ("zeros", BAND_RANDOM), ("seed", OTHER_SEED)])
def test_build_is_deterministic(key, index):
    assert_same_state(fresh(key, index), built(key, index))


def test_build_does_not_depend_on_the_seek_budget():
    """The window builds with seek_seconds (a finer checkpoint stride); results do not
    depend on it."""
    lab = lessons.build(lessons.lesson("w5-w6"), index_of("w5-w6", TIED_AGAIN), seek_seconds=1e-6)
    assert_same_state(lab, built("w5-w6", TIED_AGAIN))


@pytest.mark.parametrize("past_the_end", [False, True])
def test_build_of_a_missing_step_names_it(past_the_end):
    steps = len(lessons.lesson("all-equal").steps)
    index = steps if past_the_end else -1
    with pytest.raises(ValueError, match=rf"All weights equal: no step {index + 1} "
                                         rf"\(it has {steps}\)"):
        lessons.build(lessons.lesson("all-equal"), index)


def test_an_unknown_lesson_is_named():
    with pytest.raises(ValueError, match=r"unknown lesson 'nope' \(known: all-equal, w5-w6, "
                                         r"zeros, seed, hidden-bias, mazur\)"):
        lessons.lesson("nope")


# ============================================================ 5. the lesson data
def test_the_lessons():
    """The four lessons, then the hidden bias and Mazur's example (written only as files), in
    file-name order."""
    assert [lesson.key for lesson in lessons.LESSONS] == [*KEYS, "mazur"]
    assert [lesson.title for lesson in lessons.LESSONS] == [
        "All weights equal", "w5 = w6", "Zero initialisation", "Why fix the random seed",
        "The hidden bias", "Mazur's worked example"]
    for lesson in lessons.LESSONS:
        assert lessons.lesson(lesson.key) is lesson
        assert lesson.path.parent == lessons.LESSONS_FOLDER


@pytest.mark.parametrize("key", KEYS)
def test_steps_are_well_formed(key):
    lesson = lessons.lesson(key)
    assert isinstance(lesson.steps[0].actions[0], Load)
    remembered = set()
    for index, lesson_step in enumerate(lesson.steps):
        where = f"{key} step {index + 1}"
        assert lesson_step.checks, where
        assert all(isinstance(claim, Check) for claim in lesson_step.checks), where
        assert set(lesson_step.show) <= TOPICS, where
        assert lesson_step.title and lesson_step.text, where
        if any(isinstance(action, Remember) for action in lesson_step.actions):
            assert isinstance(lesson_step.actions[0], Load), where
        remembered |= {action.key for action in lesson_step.actions
                       if isinstance(action, Remember)}
        assert lesson_step.reference is None or lesson_step.reference in remembered, where


@pytest.mark.parametrize(("key", "index"), ALL_STEPS)
def test_selections_exist_in_the_steps_network(key, index):
    network = network_of(key, index)
    for item in step(key, index).select:
        if isinstance(item, ParameterAddress):
            network.check_address(item)  # raises ValueError when it is not there
        else:
            layer, neuron = item
            assert 0 <= layer < len(network.sizes) and 0 <= neuron < network.sizes[layer]


# ================================================================ 6. the actions
@dataclass
class RecordingLab(EngineLab):
    """An EngineLab that keeps every set_values call, as the window's undo stack would."""

    edits: list = field(default_factory=list)

    def set_values(self, addresses, values, text: str = "") -> None:
        self.edits.append((list(addresses), list(values), text))
        super().set_values(addresses, values, text)


def seed_000_lab() -> RecordingLab:
    lab = RecordingLab()
    Load(SEED_000_FILE, "").apply(lab)
    return lab


def test_load_gives_a_fresh_stepper_on_a_copy():
    document = SEED_000_FILE()
    lab = EngineLab()
    lab.load(document)
    lab.stepper.network.theta[0] = 5.0
    assert document.network.theta[0] == 1.0
    assert (lab.stepper.iteration, lab.stepper.phase) == (0, 0)


def test_step_phases_stops_before_the_phase_named():
    lab = seed_000_lab()
    stepper = lab.stepper
    StepPhases("loss").apply(lab)  # forward 1, 2, 3
    assert (stepper.iteration, stepper.phase) == (0, 3)
    assert stepper.trace.activations[3] is not None and stepper.trace.loss is None
    StepPhases("update").apply(lab)
    assert (stepper.iteration, stepper.phase) == (0, 7)
    np.testing.assert_array_equal(stepper.network.theta, 1.0)  # not updated yet
    StepPhases("next iteration").apply(lab)  # the update
    assert (stepper.iteration, stepper.phase) == (1, 0)
    np.testing.assert_allclose(stepper.network.theta, seed_000_run(1)[0], rtol=1e-14)
    StepPhases("next iteration").apply(lab)  # at a boundary: nothing in progress
    assert (stepper.iteration, stepper.phase) == (1, 0)


def test_step_phases_to_an_earlier_phase_goes_on_into_the_next_iteration():
    """"until the next phase is ``until``": from backward layer 2 to forward layer 2
    passes the update."""
    lab = seed_000_lab()
    StepPhases("backward layer 2").apply(lab)
    StepPhases("forward layer 2").apply(lab)
    assert (lab.stepper.iteration, lab.stepper.phase) == (1, 1)
    np.testing.assert_allclose(lab.stepper.network.theta, seed_000_run(1)[0], rtol=1e-14)


def test_step_phases_refuses_a_phase_the_network_has_not():
    lab = seed_000_lab()
    with pytest.raises(ValueError, match=r"no phase 'forward layer 4' in this network "
                                         r"\(forward layer 1, .*, update\)"):
        StepPhases("forward layer 4").apply(lab)
    assert (lab.stepper.iteration, lab.stepper.phase) == (0, 0)


def test_run_to_finishes_the_iteration_in_progress_first():
    lab = seed_000_lab()
    StepPhases("backward layer 3").apply(lab)
    RunTo(0).apply(lab)  # already past 0, but iteration 0 is finished
    assert (lab.stepper.iteration, lab.stepper.phase) == (1, 0)
    np.testing.assert_allclose(lab.stepper.network.theta, seed_000_run(1)[0], rtol=1e-14)
    StepPhases("forward layer 3").apply(lab)
    RunTo(5).apply(lab)
    assert (lab.stepper.iteration, lab.stepper.phase) == (5, 0)
    np.testing.assert_allclose(lab.stepper.network.theta, seed_000_run(5)[0], rtol=1e-13)
    np.testing.assert_allclose(lab.stepper.history.losses, seed_000_run(5)[1], rtol=1e-13)


def test_run_to_an_iteration_already_past_does_nothing():
    lab = seed_000_lab()
    RunTo(10).apply(lab)
    theta, losses = lab.stepper.network.theta.copy(), lab.stepper.history.losses.copy()
    RunTo(3).apply(lab)
    RunTo(10).apply(lab)
    assert lab.stepper.iteration == 10
    np.testing.assert_array_equal(lab.stepper.network.theta, theta)
    np.testing.assert_array_equal(lab.stepper.history.losses, losses)


def test_nudge_adds_to_one_weight_as_one_named_edit():
    lab = seed_000_lab()
    address = ParameterAddress.weight(1, 2, 0)
    Nudge(address, 0.25, "w^1_{2,0}").apply(lab)
    expected = flat(*constant(SEED_000_SIZES, 1.0))
    expected[lab.stepper.network.flat_index(address)] = 1.25
    np.testing.assert_array_equal(lab.stepper.network.theta, expected)
    assert lab.edits == [([address], [1.25], "Lesson: w^1_{2,0} = 1.25")]


def test_tie_copies_each_source_in_one_edit():
    lab = RecordingLab()
    Load(SEED_001_TIED_FILE, "").apply(lab)
    lab.stepper.set_values([W3, W4, W6], [0.7, 0.8, 0.9])  # untie
    tie = Tie(((W3, W1), (W4, W2), (W6, W5)), "tie")
    tie.apply(lab)
    assert lab.edits == [([W3, W4, W6], [0.2, -0.3, 0.4], "tie")]
    np.testing.assert_array_equal(lab.stepper.network.theta, [0.2, 0.2, -0.3, -0.3, 0.4, 0.4])


def test_reinitialise_draws_from_the_seed():
    lab = seed_000_lab()
    spec = InitSpec("uniform", 7)
    Reinitialise(spec).apply(lab)
    assert lab.init_spec == spec
    np.testing.assert_array_equal(lab.stepper.network.theta,
                                  flat(*uniform_draw(SEED_000_SIZES, 7)))


def test_remember_keeps_the_run_from_its_start_after_edits_there():
    """The start of the run is θ at iteration 0 with the edits made there (the draw, not
    the loaded weights); the copies do not follow the run on."""
    lab = seed_000_lab()
    Reinitialise(RANDOM).apply(lab)
    RunTo(3).apply(lab)
    Remember("x").apply(lab)
    W, b = uniform_draw(SEED_000_SIZES, 0)
    start = flat(W, b)
    losses = train(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse", 0.5, 3)
    run = lab.memo["x"]
    np.testing.assert_array_equal(run.initial, start)
    np.testing.assert_allclose(run.final, flat(W, b), rtol=1e-13)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-13)
    final = run.final.copy()
    RunTo(6).apply(lab)
    np.testing.assert_array_equal(run.final, final)
    assert len(run.losses) == 3


def test_remember_at_iteration_0_keeps_the_current_theta():
    lab = seed_000_lab()
    Remember("x").apply(lab)
    run = lab.memo["x"]
    np.testing.assert_array_equal(run.initial, 1.0)
    np.testing.assert_array_equal(run.final, 1.0)
    assert len(run.losses) == 0
