"""Exports: CSV read back exactly, and the numpy / PyTorch scripts.

The numpy script is an independent re-implementation of the training, run as a separate
program; its printed losses are checked against the engine (Stepper.run, evaluate) and,
for seed 000, against the numbers the learner printed (tests/data, the seed's text).
The PyTorch script is compiled and its literals read back everywhere; where PyTorch is
installed (the optional extra: pip install -e ".[test,torch]") it is also run and its
losses checked against the engine's within 1e-12 relative. Without PyTorch those tests are
skipped, saying so.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from paths import EXAMPLES, REFERENCE_FILE

from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.core.stepper import NonFiniteError
from engine.io.export import (
    gradients_csv,
    history_csv,
    history_parameters_csv,
    numpy_script,
    pytorch_script,
    weights_csv,
)
from engine.io.fileformat import Document, load

SEED_000 = EXAMPLES / "seed-000.json"
# seed 000's outputs after 1000 forward passes (999 updates), as the learner printed them
OUTPUT_AFTER_1000 = [[0.5992708, 0.1997655], [0.5993174, 0.2004307]]
LAST_LINE = re.compile(r"^loss after (\d+) iterations: (\S+)$")
EVERY_LINE = re.compile(r"^iteration (\d+): loss (\S+)$")


# --------------------------------------------------------------------- helpers
def document(sizes, activations, config, observations=6, bias=True, seed=0) -> Document:
    """A network with seeded random parameters and data that fits its output layer."""
    rng = np.random.default_rng(seed)
    network = Network(sizes, activations, bias)
    network.theta[...] = rng.uniform(-1.0, 1.0, network.theta.size)
    inputs = rng.uniform(-1.0, 1.0, (observations, sizes[0]))
    if config.loss == "cross_entropy":
        targets = np.eye(sizes[-1])[rng.integers(0, sizes[-1], observations)]
    else:
        targets = rng.uniform(0.0, 1.0, (observations, sizes[-1]))
    return Document(network, inputs, targets, config)


def run_script(text: str, tmp_path, *args: str) -> list[str]:
    path = tmp_path / "export_script.py"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, str(path), *args], cwd=tmp_path,
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.splitlines()


def last_loss(lines: list[str], iterations: int) -> float:
    match = LAST_LINE.match(lines[-1])
    assert match, lines[-1]
    assert int(match.group(1)) == iterations
    return float(match.group(2))


def engine_losses(doc: Document, iterations: int) -> tuple[np.ndarray, float]:
    """history.losses of N iterations, and the loss on all data after the N updates."""
    stepper = doc.make_stepper()
    assert stepper.run(iterations) == iterations
    return stepper.history.losses.copy(), stepper.evaluate(full=True).loss


def literal(text: str, name: str):
    """The value of the module-level assignment ``name = <literal>`` in a script."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"no assignment to {name}")


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


CONFIGS = {
    "sgd-batches-shuffle-tanh-mse": (
        [3, 4, 2], ["tanh", "linear"],
        TrainingConfig(loss="mse", optimizer="sgd", learning_rate=0.1, batch_size=3,
                       shuffle_seed=7), 7, True),
    "momentum-relu-sse": (
        [2, 5, 3, 2], ["relu", "relu", "sigmoid"],
        TrainingConfig(loss="sse", optimizer="momentum", learning_rate=0.05, momentum=0.8),
        5, True),
    "adam-leaky-relu-bce-batches": (
        [3, 4, 3], ["leaky_relu", "sigmoid"],
        TrainingConfig(loss="bce", optimizer="adam", learning_rate=0.01, beta1=0.85,
                       beta2=0.99, epsilon=1e-7, batch_size=4, shuffle_seed=3), 9, True),
    "softmax-cross-entropy-sgd": (
        [4, 5, 3], ["tanh", "softmax"],
        TrainingConfig(loss="cross_entropy", optimizer="sgd", learning_rate=0.3, batch_size=2),
        5, True),
    "softmax-mse-linear-hidden": (
        [2, 3, 3], ["linear", "softmax"],
        TrainingConfig(loss="mse", optimizer="gd", learning_rate=0.5), 4, True),
    "bce-gd-sigmoid": (
        [2, 3, 1], ["sigmoid", "sigmoid"],
        TrainingConfig(loss="bce", optimizer="gd", learning_rate=1.0), 6, True),
    "no-biases-adam": (
        [2, 3, 3, 2], ["sigmoid", "tanh", "linear"],
        TrainingConfig(loss="sse", optimizer="adam", learning_rate=0.02), 4, False),
}
ITERATIONS = 60


# ------------------------------------------------------------------------ CSV
def test_weights_csv_reads_back_exactly():
    doc = document([2, 3, 2], ["tanh", "sigmoid"], TrainingConfig())
    network = doc.network
    network.theta[0] = 0.1 + 0.2  # a float whose short decimal forms are not exact
    network.theta[1] = -1e-300
    rows = read_csv(weights_csv(network))
    assert rows[0] == ["parameter", "layer", "from", "to", "value"]
    body = rows[1:]
    assert len(body) == 2 * 3 + 3 + 3 * 2 + 2
    by_name = {row[0]: row for row in body}
    for l, w in enumerate(network.weights):
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                row = by_name[f"w^{l}_{{{i},{j}}}"]
                assert row[1:4] == [str(l), str(i), str(j)]
                assert float(row[4]) == w[i, j]  # exact, not approximate
    for l, b in enumerate(network.biases):
        for j, value in enumerate(b):
            row = by_name[f"b^{l}_{j}"]
            assert row[1:4] == [str(l), "", str(j)]
            assert float(row[4]) == value
    # listed in the order of θ
    assert [float(row[4]) for row in body] == network.theta.tolist()
    assert body[0][0] == "w^0_{0,0}" and body[6][0] == "b^0_0"


def test_weights_csv_without_biases_has_only_weights():
    doc = document([2, 2, 1], ["sigmoid", "sigmoid"], TrainingConfig(), bias=False)
    rows = read_csv(weights_csv(doc.network))[1:]
    assert [row[0] for row in rows] == ["w^0_{0,0}", "w^0_{0,1}", "w^0_{1,0}", "w^0_{1,1}",
                                        "w^1_{0,0}", "w^1_{1,0}"]


def test_gradients_csv_reads_back_exactly():
    doc = load(SEED_000)
    stepper = doc.make_stepper()
    stepper.run(3)
    gradient = stepper.evaluate().gradient
    rows = read_csv(gradients_csv(stepper.network, gradient))
    assert rows[0] == ["parameter", "layer", "from", "to", "value", "gradient"]
    assert [row[0] for row in rows[1:]] == [str(a) for a in stepper.network.addresses()]
    assert [float(row[4]) for row in rows[1:]] == stepper.network.theta.tolist()
    assert [float(row[5]) for row in rows[1:]] == gradient.tolist()
    # seed 000's symmetry survives the export: the three weights into layer 3 from layer 2
    # have one gradient
    values = {row[0]: float(row[5]) for row in rows[1:]}
    assert values["w^2_{0,0}"] == values["w^2_{1,0}"] == values["w^2_{2,0}"]


def test_gradients_csv_refuses_a_gradient_of_the_wrong_size():
    network = load(SEED_000).network
    with pytest.raises(ValueError, match=r"gradient: expected 29 values"):
        gradients_csv(network, np.zeros(28))


def test_history_csv_lists_every_loss_exactly():
    stepper = load(SEED_000).make_stepper()
    stepper.run(25)
    rows = read_csv(history_csv(stepper.history))
    assert rows[0] == ["iteration", "loss"]
    assert [int(row[0]) for row in rows[1:]] == list(range(25))
    assert [float(row[1]) for row in rows[1:]] == stepper.history.losses.tolist()
    assert len(stepper.history.losses) == 25


def test_history_parameters_csv_lists_the_snapshots_exactly():
    doc = document([2, 3, 1], ["tanh", "sigmoid"], TrainingConfig(learning_rate=0.3))
    stepper = doc.make_stepper(parameter_stride=4)
    stepper.run(10)
    rows = read_csv(history_parameters_csv(stepper.history, stepper.network))
    names = [str(a) for a in stepper.network.addresses()]
    assert rows[0] == ["iteration", *names]
    assert [int(row[0]) for row in rows[1:]] == [0, 4, 8]
    snapshots = np.array([[float(v) for v in row[1:]] for row in rows[1:]])
    assert np.array_equal(snapshots, stepper.history.snapshots)
    assert np.array_equal(snapshots[0], doc.network.theta)  # iteration 0: the initial θ


def test_history_parameters_csv_refuses_another_network():
    stepper = load(SEED_000).make_stepper()
    stepper.run(2)
    other = Network([2, 2], ["sigmoid"])
    with pytest.raises(ValueError, match=r"snapshots hold 29 parameters but the network has 6"):
        history_parameters_csv(stepper.history, other)


# -------------------------------------------------------------- numpy script
def test_numpy_script_of_seed_000_matches_the_engine_and_the_seed(tmp_path):
    doc = load(SEED_000)
    text = numpy_script(doc, 999)
    assert literal(text, "WEIGHTS") == [w.tolist() for w in doc.network.weights]
    losses, after = engine_losses(doc, 999)
    lines = run_script(text, tmp_path, "--every")
    assert len(lines) == 1000
    every = [EVERY_LINE.match(line) for line in lines[:-1]]
    assert [int(m.group(1)) for m in every] == list(range(999))
    np.testing.assert_allclose([float(m.group(2)) for m in every], losses, rtol=1e-12, atol=0)
    assert last_loss(lines, 999) == pytest.approx(after, rel=1e-12, abs=0)
    # the learner's printout of the 1000th forward pass: Σ (a − y)² from their 7 decimals
    printed = np.array(OUTPUT_AFTER_1000)
    assert last_loss(lines, 999) == pytest.approx(
        float(np.sum((printed - doc.targets) ** 2)), abs=2e-6)


def test_numpy_script_first_loss_is_the_seeds_printed_cost(tmp_path):
    reference = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    a3 = np.array(reference["activation_layer_3"])
    y = np.array(reference["data"]["targets"])
    # |a − y| < 1 and each a within 2e-7: the cost Σ (a − y)² is within 8 · 2e-7
    hand_cost = float(np.sum((a3 - y) ** 2))
    lines = run_script(numpy_script(load(SEED_000), 1), tmp_path, "--every")
    assert EVERY_LINE.match(lines[0]).group(1) == "0"
    assert float(EVERY_LINE.match(lines[0]).group(2)) == pytest.approx(hand_cost, abs=1.6e-6)
    lines = run_script(numpy_script(load(SEED_000), 1), tmp_path, "--iterations", "0")
    assert lines == [lines[-1]]
    assert last_loss(lines, 0) == pytest.approx(hand_cost, abs=1.6e-6)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_numpy_script_matches_the_engine(name, tmp_path):
    sizes, activations, config, observations, bias = CONFIGS[name]
    doc = document(sizes, activations, config, observations, bias, seed=len(name))
    losses, after = engine_losses(doc, ITERATIONS)
    text = numpy_script(doc, ITERATIONS)
    lines = run_script(text, tmp_path, "--every")
    printed = [float(EVERY_LINE.match(line).group(2)) for line in lines[:-1]]
    np.testing.assert_allclose(printed, losses, rtol=1e-12, atol=0)
    assert last_loss(lines, ITERATIONS) == pytest.approx(after, rel=1e-12, abs=0)
    # the training did something: the loss moved (so a script that never updated would fail)
    assert abs(after - losses[0]) > 1e-3 * abs(losses[0])
    if bias:
        assert literal(text, "BIASES") == [b.tolist() for b in doc.network.biases]
    else:
        assert literal(text, "BIASES") is None


def test_numpy_script_iterations_option_and_defaults(tmp_path):
    doc = document([2, 2, 1], ["tanh", "sigmoid"],
                   TrainingConfig(optimizer="momentum", learning_rate=0.2))
    text = numpy_script(doc, 5)
    _, after_5 = engine_losses(doc, 5)
    _, after_12 = engine_losses(doc, 12)
    assert last_loss(run_script(text, tmp_path), 5) == pytest.approx(after_5, rel=1e-12)
    lines = run_script(text, tmp_path, "--iterations", "12")
    assert len(lines) == 1
    assert last_loss(lines, 12) == pytest.approx(after_12, rel=1e-12)


def test_numpy_script_stops_where_the_engine_stops(tmp_path):
    # linear output, learning rate far too large: the parameters overflow within a few steps
    doc = document([1, 1], ["linear"], TrainingConfig(learning_rate=1e6), observations=2)
    doc.inputs[...] = [[1e3], [2e3]]
    stepper = doc.make_stepper()
    with pytest.raises(NonFiniteError) as fault:
        stepper.run(50)
    path = tmp_path / "diverges.py"
    path.write_text(numpy_script(doc, 50), encoding="utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"iteration {fault.value.iteration}: ")
    assert "not finite" in result.stderr


def test_scripts_refuse_what_the_engine_refuses():
    doc = load(SEED_000)
    for make in (numpy_script, pytorch_script):
        for bad in (-1, 2.5, True, "10"):
            with pytest.raises(ValueError, match=r"iterations: expected a whole number"):
                make(doc, bad)
    wrong_loss = Document(doc.network, doc.inputs, doc.targets,
                          TrainingConfig(loss="cross_entropy"))
    with pytest.raises(ValueError, match=r"training.loss: cross_entropy needs a softmax"):
        numpy_script(wrong_loss, 1)
    narrow = Document(doc.network, doc.inputs[:, :1], doc.targets, doc.training)
    with pytest.raises(ValueError, match=r"data.inputs: expected rows of 2 numbers"):
        pytorch_script(narrow, 1)
    broken = Document(doc.network.copy(), doc.inputs, doc.targets, doc.training)
    broken.network.weights[1][2, 0] = math.nan
    with pytest.raises(ValueError, match=r"network: w\^1_\{2,0\} is nan"):
        numpy_script(broken, 1)


# ------------------------------------------------------------ PyTorch script
@pytest.mark.parametrize("name", ["seed-000", *CONFIGS])
def test_pytorch_script_compiles_and_names_every_value_exactly(name):
    if name == "seed-000":
        doc, bias = load(SEED_000), True
    else:
        sizes, activations, config, observations, bias = CONFIGS[name]
        doc = document(sizes, activations, config, observations, bias, seed=len(name))
    doc.network.theta[0] = 0.1 + 0.2  # needs all 17 digits
    text = pytorch_script(doc, 7)
    compile(text, "export.py", "exec")
    assert literal(text, "WEIGHTS") == [w.tolist() for w in doc.network.weights]
    assert literal(text, "BIASES") == ([b.tolist() for b in doc.network.biases] if bias
                                       else None)
    assert literal(text, "INPUTS") == doc.inputs.tolist()
    assert literal(text, "TARGETS") == doc.targets.tolist()
    assert literal(text, "LAYERS") == doc.network.sizes
    assert literal(text, "ACTIVATIONS") == doc.network.activation_names
    assert literal(text, "ITERATIONS") == 7
    assert literal(text, "LEARNING_RATE") == doc.training.learning_rate
    # nn.Linear stores W^l transposed; the script must say so where it copies them in
    assert "torch.tensor(WEIGHTS[l]).T" in text
    assert "torch.set_default_dtype(torch.float64)" in text


def run_pytorch_script(text: str, tmp_path, *args: str, status: int = 0):
    pytest.importorskip("torch", reason="PyTorch is an optional extra: pip install torch")
    path = tmp_path / "export_torch.py"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, str(path), *args], cwd=tmp_path,
                            capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert result.returncode == status, result.stderr
    return result


@pytest.mark.parametrize("name", list(CONFIGS))
def test_pytorch_script_matches_the_engine(name, tmp_path):
    sizes, activations, config, observations, bias = CONFIGS[name]
    doc = document(sizes, activations, config, observations, bias, seed=len(name))
    losses, after = engine_losses(doc, ITERATIONS)
    result = run_pytorch_script(pytorch_script(doc, ITERATIONS), tmp_path, "--every")
    lines = result.stdout.splitlines()
    printed = [float(EVERY_LINE.match(line).group(2)) for line in lines[:-1]]
    np.testing.assert_allclose(printed, losses, rtol=1e-12, atol=0)
    assert last_loss(lines, ITERATIONS) == pytest.approx(after, rel=1e-12, abs=0)


def saturated(loss: str) -> Document:
    """σ(40) against 0 (bce) or softmax(0, 30) against class 0 (cross-entropy): the true
    costs are softplus(40) ≈ 40 and logsumexp(0, 30) ≈ 30; a clipped logarithm caps both at
    ln(1e12) ≈ 27.63."""
    if loss == "bce":
        network = Network([1, 1], ["sigmoid"], bias=False)
        network.theta[...] = 40.0
        return Document(network, np.array([[1.0]]), np.array([[0.0]]),
                        TrainingConfig(loss="bce", learning_rate=1e-3))
    network = Network([1, 2], ["softmax"], bias=False)
    network.theta[...] = [0.0, 30.0]
    return Document(network, np.array([[1.0]]), np.array([[1.0, 0.0]]),
                    TrainingConfig(loss="cross_entropy", learning_rate=1e-3))


TRUE_COSTS = {"bce": 40.0 + math.log1p(math.exp(-40.0)),
              "cross_entropy": 30.0 + math.log1p(math.exp(-30.0))}


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
def test_a_saturated_loss_is_its_true_value_in_the_engine_and_both_scripts(loss, tmp_path):
    doc = saturated(loss)
    losses, after = engine_losses(doc, 3)
    assert losses[0] == pytest.approx(TRUE_COSTS[loss], rel=1e-15)
    lines = run_script(numpy_script(doc, 3), tmp_path, "--every")
    printed = [float(EVERY_LINE.match(line).group(2)) for line in lines[:-1]]
    np.testing.assert_allclose(printed, losses, rtol=1e-12, atol=0)
    assert last_loss(lines, 3) == pytest.approx(after, rel=1e-12)
    result = run_pytorch_script(pytorch_script(doc, 3), tmp_path, "--every")
    lines = result.stdout.splitlines()
    printed = [float(EVERY_LINE.match(line).group(2)) for line in lines[:-1]]
    np.testing.assert_allclose(printed, losses, rtol=1e-12, atol=0)


def test_both_scripts_stop_where_the_engine_stops_on_an_infinite_pre_activation(tmp_path):
    """w = 1e308, x = −10: n = −1e309 = −inf in iteration 0. σ(−inf) = 0 against y = 0
    costs nothing, so a script that only watched the loss would train on."""
    network = Network([1, 1], ["sigmoid"], bias=False)
    network.theta[...] = 1e308
    doc = Document(network, np.array([[-10.0]]), np.array([[0.0]]), TrainingConfig(loss="bce"))
    with pytest.raises(NonFiniteError) as fault:
        doc.make_stepper().run(5)
    assert fault.value.iteration == 0
    for make, run in ((numpy_script, None), (pytorch_script, run_pytorch_script)):
        text = make(doc, 5)
        if run is None:
            path = tmp_path / "numpy_stop.py"
            path.write_text(text, encoding="utf-8")
            result = subprocess.run([sys.executable, str(path), "--every"], capture_output=True,
                                    text=True, encoding="utf-8", timeout=120)
            assert result.returncode == 1
        else:
            result = run(text, tmp_path, "--every", status=1)
        assert result.stdout == "", make.__name__
        assert result.stderr.startswith("iteration 0: the forward pass or the loss is not "
                                        "finite"), result.stderr


def test_scripts_state_the_losses_reduction():
    for loss in ("sse", "mse", "bce", "cross_entropy"):
        doc = saturated("bce") if loss == "bce" else saturated("cross_entropy")
        if loss in ("sse", "mse"):
            doc.training = TrainingConfig(loss=loss)
        for make in (numpy_script, pytorch_script):
            text = make(doc, 1)
            assert "# reduction: " in text
    text = pytorch_script(saturated("bce"), 1)
    assert "averaged over observations only" in text
    assert 'reduction="sum") / m' in text


def test_numpy_scalars_in_the_settings_are_written_as_plain_numbers():
    doc = document([2, 2], ["sigmoid"], TrainingConfig(
        optimizer="adam", learning_rate=np.float64(0.01), beta1=np.float64(0.8),
        batch_size=np.int64(1), shuffle_seed=np.int64(4)), observations=3)
    for make in (numpy_script, pytorch_script):
        text = make(doc, np.int64(4))
        # a numpy scalar's repr (np.float64(0.01)); the numpy script's DTYPE = np.float64 is
        # the name of a type, not a number
        assert "np.int64(" not in text and "np.float64(" not in text
        assert literal(text, "ITERATIONS") == 4
        assert literal(text, "LEARNING_RATE") == 0.01
        assert literal(text, "BETA1") == 0.8
        assert literal(text, "BATCH_SIZE") == 1
        assert literal(text, "SHUFFLE_SEED") == 4
