"""The headless CLI (python -m engine), the JSON state it prints and its tables."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from paths import REPO
from reference import sigmoid

from engine.__main__ import MAX_STEPS
from engine.core.network import augment
from engine.io.fileformat import load
from engine.io.report import decode_array, encode_array, network_state
from engine.io.tables import format_number, pipe_table, product_table

REPO = REPO
EXAMPLES = REPO / "resources" / "examples"
SEED_000 = str(EXAMPLES / "seed-000.json")
STATE_KEYS = {"iteration", "loss", "outputs", "weights", "biases", "symmetry"}
TRACE_KEYS = {"pre_activations", "activations", "dcost_dactivations", "dactivation_dpre",
              "deltas", "weight_gradients", "bias_gradients"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=REPO,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def cli_json(*args: str) -> dict:
    result = cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


# ----------------------------------------------------------------- JSON output
def test_json_state_of_seed_000_before_training():
    state = cli_json(SEED_000)
    assert set(state) == STATE_KEYS
    assert state["iteration"] == 0
    # all-ones net by hand: a^1 = σ(1 + x·1), a^2 = σ(1 + 3 a^1), a^3 = σ(1 + 3 a^2)
    x = np.array([[0.8, 0.4], [0.3, 0.3]])
    a1 = sigmoid(1.0 + x.sum(axis=1, keepdims=True)) * np.ones((1, 3))
    a2 = sigmoid(1.0 + a1.sum(axis=1, keepdims=True)) * np.ones((1, 3))
    a3 = sigmoid(1.0 + a2.sum(axis=1, keepdims=True)) * np.ones((1, 2))
    y = np.array([[0.2, 0.4], [1.0, 0.0]])
    np.testing.assert_allclose(state["outputs"], a3, rtol=1e-14)
    assert math.isclose(state["loss"], float(np.sum((a3 - y) ** 2)), rel_tol=1e-14)
    assert state["weights"] == [[[1.0] * 3] * 2, [[1.0] * 3] * 3, [[1.0] * 2] * 3]
    assert state["biases"] == [[1.0] * 3, [1.0] * 3, [1.0] * 2]
    # every hidden neuron is interchangeable with its neighbours (the seed's problem)
    assert state["symmetry"][:3] == [[[0], [1]], [[0, 1, 2]], [[0, 1, 2]]]


def test_1000_steps_reproduce_the_seeds_outputs():
    state = cli_json(SEED_000, "--steps", "1000")
    assert state["iteration"] == 1000
    printed = [[0.5992708, 0.1997655], [0.5993174, 0.2004307]]  # seed 000, after 1000 iterations
    np.testing.assert_allclose(state["outputs"], printed, rtol=0, atol=1e-6)
    # still symmetric: the hidden neurons never differentiated
    assert state["symmetry"][1] == [[0, 1, 2]] and state["symmetry"][2] == [[0, 1, 2]]


def test_trace_shapes_and_the_seeds_first_iteration():
    state = cli_json(SEED_000, "--trace")
    trace = state["trace"]
    assert set(state) == STATE_KEYS | {"trace"} and set(trace) == TRACE_KEYS
    sizes = [2, 3, 3, 2]
    assert [np.shape(a) for a in trace["activations"]] == [(2, s) for s in sizes]
    for name in ("pre_activations", "dcost_dactivations", "dactivation_dpre", "deltas"):
        assert [np.shape(v) for v in trace[name]] == [(2, s) for s in sizes[1:]], name
    assert [np.shape(g) for g in trace["weight_gradients"]] == [(2, 3), (3, 3), (3, 2)]
    assert [np.shape(g) for g in trace["bias_gradients"]] == [(3,), (3,), (2,)]
    assert trace["activations"][0] == [[0.8, 0.4], [0.3, 0.3]]
    # numbers printed in seed 000
    np.testing.assert_allclose(trace["pre_activations"][0], [[2.2] * 3, [1.6] * 3], atol=1e-12)
    np.testing.assert_allclose(trace["activations"][1][0], [0.9002495] * 3, atol=1e-7)
    np.testing.assert_allclose(trace["deltas"][2], [[0.02956687, 0.02199233],
                                                    [-0.0007543, 0.03770352]], atol=2e-7)
    # the gradients are summed over observations: ∂C/∂b^2 = Σ_o δ^3, ∂C/∂W^2 = (a^2)ᵀ δ^3
    delta, a2 = np.array(trace["deltas"][2]), np.array(trace["activations"][2])
    np.testing.assert_allclose(trace["bias_gradients"][2], delta.sum(axis=0), rtol=1e-14)
    np.testing.assert_allclose(trace["weight_gradients"][2], a2.T @ delta, rtol=1e-14)


def test_no_bias_network_by_hand():
    state = cli_json(str(EXAMPLES / "seed-001-tied.json"), "--trace")
    document = load(EXAMPLES / "seed-001-tied.json")
    x, y = document.inputs, document.targets
    # w1 = w3 = 0.2, w2 = w4 = −0.3, w5 = w6 = 0.4: both hidden neurons get 0.2 x1 − 0.3 x2
    hidden = sigmoid(0.2 * x[:, 0] - 0.3 * x[:, 1])
    output = sigmoid(0.4 * hidden + 0.4 * hidden)
    bce = -np.mean(y[:, 0] * np.log(output) + (1 - y[:, 0]) * np.log(1 - output))
    assert math.isclose(state["loss"], bce, rel_tol=1e-12)
    np.testing.assert_allclose(np.ravel(state["outputs"]), output, rtol=1e-14)
    assert state["biases"] is None and state["trace"]["bias_gradients"] is None
    assert state["symmetry"][1] == [[0, 1]]


def test_network_state_does_not_change_the_stepper():
    stepper = load(SEED_000).make_stepper()
    stepper.run(3)
    theta, losses = stepper.network.theta.copy(), stepper.history.losses.copy()
    first = network_state(stepper, trace=True)
    assert network_state(stepper, trace=True) == first
    assert stepper.network.theta.tobytes() == theta.tobytes()
    assert np.array_equal(stepper.history.losses, losses)
    assert (stepper.iteration, stepper.phase) == (3, 0)


def test_non_finite_values_are_encoded_as_strings():
    values = np.array([[1.5, math.inf], [-math.inf, math.nan]])
    encoded = encode_array(values)
    assert encoded == [[1.5, "inf"], ["-inf", "nan"]]
    json.dumps(encoded, allow_nan=False)
    decoded = decode_array(encoded)
    assert decoded[0, 0] == 1.5 and decoded[0, 1] == math.inf and math.isnan(decoded[1, 1])


def test_a_diverged_evaluation_still_prints(tmp_path):
    # linear 1-1-1 net with weights 1e200: n^2 = 1e200 · 1e200 · x overflows to inf
    text = json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": [1, 1, 1], "activations": ["linear", "linear"], "bias": False,
                    "weights": [[[1e200]], [[1e200]]]},
        "data": {"inputs": [[1.0]], "targets": [[0.0]]},
    })
    (tmp_path / "big.json").write_text(text)
    state = cli_json(str(tmp_path / "big.json"), "--trace")
    assert state["outputs"] == [["inf"]] and state["loss"] == "inf"
    assert state["trace"]["pre_activations"][1] == [["inf"]]


# ---------------------------------------------------------------------- tables
def test_product_table_is_the_seeds_table():
    # seed 000's n^1 = [1 | a^0] × [b^0; W^0], copied from the seed
    seed = """\
                |   1 |   1 |   1 |
                |   1 |   1 |   1 |
                |   1 |   1 |   1 |
| 1   0.8   0.4 | 2.2 | 2.2 | 2.2 |
| 1   0.3   0.3 | 1.6 | 1.6 | 1.6 |"""
    left = augment(np.array([[0.8, 0.4], [0.3, 0.3]]))
    assert product_table(left, np.ones((3, 3)), [[2.2] * 3, [1.6] * 3]) == seed


@pytest.mark.parametrize(("value", "text"), [
    (2.2, "2.2"), (1.0, "1"), (0.0, "0"), (-0.0, "0"), (0.90024951, "0.9002495"),
    (-0.0007543, "-0.0007543"), (0.99999999, "1"), (3.25e-9, "3.25e-09"), (1.5e8, "1.5e+08"),
    (math.inf, "inf"), (-math.inf, "-inf"), (math.nan, "nan"), ("inf", "inf"),
])
def test_format_number(value, text):
    assert format_number(value) == text


def test_pipe_table_aligns_columns():
    assert pipe_table([[1, -0.5], [10, 2]]).splitlines() == ["|  1   -0.5 |", "| 10      2 |"]


def test_tables_output_has_the_seeds_numbers():
    result = cli(SEED_000, "--trace")
    assert result.returncode == 0 and result.stderr == ""
    out = result.stdout
    assert "| 1   0.8   0.4 | 2.2 | 2.2 | 2.2 |" in out
    assert "| 0.9002495   0.9002495   0.9002495 |" in out
    for label in ("n^1", "a^1 = σ(n^1)", "δ^3", "∂C/∂a^3", "∂a^3/∂n^3", "∂C/∂W^2", "[1 | a^2]ᵀ"):
        assert label in out, label
    # the seed's augmented ∂C/∂W^2: row 0 (bias) 0.0288126 0.0596958, rows 1-3 0.028122 0.0580562
    assert "| 0.9758906   0.9705753 |   0.028122 | 0.0580562 |" in out


def test_tables_without_trace_show_parameters_outputs_symmetry():
    result = cli(SEED_000, "--steps", "2")
    assert result.returncode == 0
    assert result.stdout.startswith("iteration 2 · loss C = ")
    assert "[b^0; W^0]" in result.stdout and "layer 1: {0, 1, 2}" in result.stdout
    assert "n^1 =" not in result.stdout


# ---------------------------------------------------------------------- errors
def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_file(tmp_path):
    assert_one_line_error(cli(str(tmp_path / "nope.json")), "No such file", "nope.json")


def test_malformed_file_names_the_field(tmp_path):
    path = tmp_path / "bad.json"
    document = json.loads(Path(SEED_000).read_text())
    document["network"]["weights"][1][2] = [1.0, 1.0]
    path.write_text(json.dumps(document))
    assert_one_line_error(cli(str(path)), "network.weights[1][2]: expected 3 numbers, got 2")


def test_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b"\x00\x01binary")
    assert_one_line_error(cli(str(path)), "binary")


@pytest.mark.parametrize("steps", ["-1", "abc", "2.5", str(MAX_STEPS + 1)])
def test_bad_step_counts(steps):
    assert_one_line_error(cli(SEED_000, "--steps", steps), "--steps")


def test_unknown_option():
    assert_one_line_error(cli(SEED_000, "--fast"), "--fast")


def test_divergence_is_an_error(tmp_path):
    # C = (w x − y)², x = 1, y = 0: w ← w − η 2w = −w at η = 1e6 × … grows ×(2η − 1) per step
    text = json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": [1, 1], "activations": ["linear"], "bias": False,
                    "weights": [[[1.0]]]},
        "data": {"inputs": [[1.0]], "targets": [[0.0]]},
        "training": {"learning_rate": 1e6},
    })
    (tmp_path / "diverge.json").write_text(text)
    assert_one_line_error(cli(str(tmp_path / "diverge.json"), "--steps", "100"),
                          "not finite", "iteration")


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_anything_but_a_regular_file_is_refused_without_blocking(kind, tmp_path):
    """A FIFO would block a plain open() for ever (no writer comes); the CLI refuses it at
    once. cli() has a timeout: a hang fails the test instead of hanging the suite."""
    if kind == "fifo":
        path = tmp_path / "p.json"
        os.mkfifo(path)
    elif kind == "directory":
        path = tmp_path / "folder.json"
        path.mkdir()
    else:
        path = Path("/dev/zero")  # endless: read() would fill memory
    assert_one_line_error(cli(str(path)), str(path), "not a regular file")


def test_a_saturated_bce_output_prints_its_true_loss(tmp_path):
    """σ(40) against 0: the loss is softplus(40) = 40 (to 4e-18), not the ln(1e12) = 27.63
    that a logarithm of a clipped output would give."""
    path = tmp_path / "saturated.json"
    path.write_text(json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": [1, 1], "activations": ["sigmoid"], "bias": False,
                    "weights": [[[40.0]]]},
        "data": {"inputs": [[1.0]], "targets": [[0.0]]},
        "training": {"loss": "bce"},
    }))
    state = cli_json(str(path))
    assert state["loss"] == pytest.approx(40.0, rel=1e-15)


@pytest.mark.parametrize("steps", ["１", "1_0", "٣"])
def test_step_counts_take_ascii_digits_only(steps):
    assert_one_line_error(cli(SEED_000, "--steps", steps), "--steps", "expected a whole number")
