"""Matt Mazur's "A Step by Step Backpropagation Example" (2015) from
resources/examples/mazur-2-2-2.json, through the CLI as a learner types it: his published
numbers, to the digits he printed, with nothing to adjust. The 10,000-iteration run is checked
against a numpy loop written here with his conventions (E = ½ Σ (target − out)², η = 0.5,
the biases never updated), and against his 0.0000351085."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pytest
from paths import EXAMPLES, REPO

from engine.io import fileformat

MAZUR = EXAMPLES / "mazur-2-2-2.json"

# his numbers as printed (strings: the digits he printed are the claim)
FORWARD = {"net_h1": "0.3775", "out_h1": "0.593269992", "out_h2": "0.596884378",
           "net_o1": "1.105905967", "out_o1": "0.75136507", "out_o2": "0.772928465"}
E_TOTAL = "0.298371109"
AFTER_ONE_UPDATE = {"w1": "0.149780716", "w2": "0.19956143", "w3": "0.24975114",
                    "w4": "0.29950229", "w5": "0.35891648", "w6": "0.408666186",
                    "w7": "0.511301270", "w8": "0.561370121"}
E_AT_10000 = "0.0000351085"
# his w1 … w8 in our matrices: W^0 = [[w1, w3], [w2, w4]], W^1 = [[w5, w7], [w6, w8]]
PLACES = {"w1": (0, 0, 0), "w2": (0, 1, 0), "w3": (0, 0, 1), "w4": (0, 1, 1),
          "w5": (1, 0, 0), "w6": (1, 1, 0), "w7": (1, 0, 1), "w8": (1, 1, 1)}


def printed_as(value: float, printed: str) -> bool:
    """``value`` rounded to as many decimals as ``printed`` has is ``printed``."""
    decimals = -Decimal(printed).as_tuple().exponent
    return f"{value:.{decimals}f}" == printed


def cli(*arguments: str) -> str:
    result = subprocess.run([sys.executable, "-m", "engine", str(MAZUR), *arguments],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def mazur_loop(updates: int):
    """His procedure, written out: forward, E, backward with the old weights, then update
    every weight (never the biases) by η = 0.5. Returns the weights reached and every E
    (E[t] is the error iteration t computes before its update)."""
    x, target = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    b1, b2, eta = 0.35, 0.60, 0.5
    errors = []
    for _ in range(updates):
        w1, w2, w3, w4, w5, w6, w7, w8 = w
        out_h1 = 1 / (1 + np.exp(-(w1 * x[0] + w2 * x[1] + b1)))
        out_h2 = 1 / (1 + np.exp(-(w3 * x[0] + w4 * x[1] + b1)))
        out_o1 = 1 / (1 + np.exp(-(w5 * out_h1 + w6 * out_h2 + b2)))
        out_o2 = 1 / (1 + np.exp(-(w7 * out_h1 + w8 * out_h2 + b2)))
        errors.append(0.5 * (target[0] - out_o1) ** 2 + 0.5 * (target[1] - out_o2) ** 2)
        delta_o1 = (out_o1 - target[0]) * out_o1 * (1 - out_o1)
        delta_o2 = (out_o2 - target[1]) * out_o2 * (1 - out_o2)
        delta_h1 = (delta_o1 * w5 + delta_o2 * w7) * out_h1 * (1 - out_h1)
        delta_h2 = (delta_o1 * w6 + delta_o2 * w8) * out_h2 * (1 - out_h2)
        gradients = [delta_h1 * x[0], delta_h1 * x[1], delta_h2 * x[0], delta_h2 * x[1],
                     delta_o1 * out_h1, delta_o1 * out_h2, delta_o2 * out_h1,
                     delta_o2 * out_h2]
        w = [v - eta * g for v, g in zip(w, gradients, strict=True)]
    return np.array(w), np.array(errors)


def as_mazur(weights) -> dict[str, float]:
    """Our W^0, W^1 (lists of rows) as his w1 … w8."""
    return {name: weights[l][i][j] for name, (l, i, j) in PLACES.items()}


def test_the_example_file_is_his_network_with_nothing_to_adjust():
    document = fileformat.load(MAZUR)
    network, training = document.network, document.training
    assert list(network.sizes) == [2, 2, 2]
    assert list(network.activation_names) == ["sigmoid", "sigmoid"]
    assert training.loss == "half_sse" and training.optimizer == "gd"
    assert training.learning_rate == 0.5
    assert set(training.frozen) == {"b^0_0", "b^0_1", "b^1_0", "b^1_1"}
    assert network.plain_weight_names() is not None  # w1 … w8 are ours too
    assert document.description and "Mazur" in document.description


def test_the_cli_prints_his_forward_pass_and_error():
    state = json.loads(cli("--trace", "--json"))
    trace = state["trace"]
    (net_h1, _), = trace["pre_activations"][0]
    (net_o1, _), = trace["pre_activations"][1]
    (out_h1, out_h2), = trace["activations"][1]
    (out_o1, out_o2), = trace["activations"][2]
    ours = {"net_h1": net_h1, "out_h1": out_h1, "out_h2": out_h2, "net_o1": net_o1,
            "out_o1": out_o1, "out_o2": out_o2}
    for name, printed in FORWARD.items():
        assert printed_as(ours[name], printed), (name, ours[name], printed)
    assert state["iteration"] == 0
    assert printed_as(state["loss"], E_TOTAL), state["loss"]
    # by hand: ½ (0.01 − out_o1)² + ½ (0.99 − out_o2)², from the printed outputs
    assert state["loss"] == pytest.approx(0.5 * (0.01 - 0.75136507) ** 2
                                          + 0.5 * (0.99 - 0.772928465) ** 2, abs=1e-8)


def test_the_cli_prints_his_eight_weights_after_one_update_and_keeps_the_biases():
    state = json.loads(cli("--steps", "1", "--json"))
    assert state["iteration"] == 1
    ours = as_mazur(state["weights"])
    for name, printed in AFTER_ONE_UPDATE.items():
        assert printed_as(ours[name], printed), (name, ours[name], printed)
    assert state["biases"] == [[0.35, 0.35], [0.6, 0.6]]  # frozen: exactly as they were
    # the tables a learner reads without --json show the same numbers, to 7 digits
    text = cli("--steps", "1")
    assert "half_sse: C = ½ Σ (a − y)²" in text
    for printed in AFTER_ONE_UPDATE.values():
        assert f"{float(printed):.7g}" in text, printed
    first = cli()
    assert f"loss C = {float(E_TOTAL):.7g}" in first


def test_ten_thousand_updates_against_a_numpy_loop_and_his_error():
    weights, errors = mazur_loop(10_000)
    # the loop itself reproduces his numbers: the first E and the first update
    first, _ = mazur_loop(1)
    assert printed_as(errors[0], E_TOTAL)
    for k, printed in enumerate(AFTER_ONE_UPDATE.values()):
        assert printed_as(first[k], printed)
    # his 0.0000351085 is the error of his 10,000th iteration, before its update
    assert printed_as(errors[-1], E_AT_10000), errors[-1]

    state = json.loads(cli("--steps", "10000", "--json"))
    assert state["iteration"] == 10_000
    ours = as_mazur(state["weights"])
    np.testing.assert_allclose([ours[f"w{k}"] for k in range(1, 9)], weights, rtol=1e-10)
    assert state["biases"] == [[0.35, 0.35], [0.6, 0.6]]
    x, target = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    hidden = 1 / (1 + np.exp(-(x @ np.array([[weights[0], weights[2]],
                                             [weights[1], weights[3]]]) + 0.35)))
    out = 1 / (1 + np.exp(-(hidden @ np.array([[weights[4], weights[6]],
                                               [weights[5], weights[7]]]) + 0.6)))
    assert state["loss"] == pytest.approx(0.5 * np.sum((target - out) ** 2), rel=1e-9)

    # the engine's own record of the run: the loss of each iteration, before its update
    stepper = fileformat.load(MAZUR).make_stepper()
    stepper.run(10_000)
    losses = stepper.history.losses
    assert len(losses) == 10_000
    np.testing.assert_allclose(losses, errors, rtol=1e-10)
    assert printed_as(float(losses[-1]), E_AT_10000), losses[-1]
