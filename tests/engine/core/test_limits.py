"""One set of limits for whoever writes and whoever reads (issue 12, points 1 and 8).

- Whatever the app writes, it reads back: the byte limits of files follow from the counts
  (parameters, optimiser state, data values), checked here on the longest numbers a float
  can print as, and by a round trip of the largest network the limits allow.
- A file within every count can still need more memory than the machine has: it is refused,
  naming the figures, instead of ending in a MemoryError.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from paths import REPO

from engine.core import limits
from engine.core.limits import (
    MAX_CSV_BYTES,
    MAX_DATA_VALUES,
    MAX_FILE_BYTES,
    MAX_NEURONS_PER_LAYER,
    MAX_OBSERVATIONS,
    MAX_PARAMETERS,
    MemoryBudgetError,
    check_memory,
    memory_budget,
    training_memory,
)
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.core.stepper import Stepper
from engine.io.datasets import read_csv, write_csv
from engine.io.fileformat import Document, FileFormatError, dumps, loads

LONGEST = -2.2250738585072014e-308  # 24 characters: as long as a float's repr gets
# the issue's file: 1.2 MB, within every count, needing tens of GiB to train and show
BIG_LAYERS = [1, 4096, 900, 1]


@pytest.fixture
def budget(monkeypatch):
    """An 8 GiB budget whatever this machine has, so the figures are the same everywhere."""
    monkeypatch.setenv(limits.MEMORY_ENV, "8G")
    return 8 * 2**30


def test_the_longest_float_repr_is_what_the_limits_assume():
    assert len(repr(LONGEST)) == limits.NUMBER_CHARS
    rng = np.random.default_rng(0)
    samples = rng.normal(size=100_000) * 10.0 ** rng.integers(-308, 308, 100_000)
    assert max(len(repr(float(v))) for v in samples) <= limits.NUMBER_CHARS


def test_a_file_at_every_count_s_limit_fits_the_file_limit(budget, monkeypatch):
    """The worst case written out: the most parameters, with Adam's two moments, every
    number the longest a float prints, the most data values, the most rows. Computed from a
    small document's text scaled by its counts (writing 700 MB in a test would prove the
    same arithmetic more slowly: the round trip below writes the largest network for real)."""
    network = Network([3, 5, 2], ["sigmoid", "linear"])
    network.theta[...] = LONGEST
    inputs = np.full((4, 3), LONGEST)
    targets = np.full((4, 2), LONGEST)
    document = Document(network, inputs, targets, TrainingConfig(optimizer="adam"))
    stepper = document.make_stepper()
    stepper.optimizer.state["first_moment"][...] = LONGEST
    stepper.optimizer.state["second_moment"][...] = 2.2250738585072014e-308
    stepper.optimizer.state["step"][...] = 10**12
    text = dumps(Document.from_stepper(stepper))
    numbers = 3 * network.theta.size + inputs.size + targets.size
    per_number = (len(text) - 2**10) / numbers  # generous: 1 KiB of keys and settings
    assert per_number < limits.NUMBER_CHARS + 2 + 16  # a number, its separator, row costs
    worst = (limits.NUMBER_CHARS + 2) * (3 * MAX_PARAMETERS + MAX_DATA_VALUES)
    assert worst < MAX_FILE_BYTES
    assert MAX_FILE_BYTES - worst >= 16 * (3 * 32 * MAX_NEURONS_PER_LAYER + 2 * MAX_OBSERVATIONS)


def test_csv_of_the_most_data_fits_the_csv_limit():
    row = [LONGEST] * 8
    text = write_csv(np.array([row[:5]]), np.array([row[5:]]))
    per_value = (len(text) - len(text.splitlines()[0]) - 1) / 8
    assert per_value <= limits.NUMBER_CHARS + 1
    assert (limits.NUMBER_CHARS + 1) * MAX_DATA_VALUES < MAX_CSV_BYTES
    inputs, targets, _, _ = read_csv(text)
    assert inputs[0, 0] == LONGEST and targets[0, -1] == LONGEST


def test_the_data_values_limit_is_the_same_for_files_csv_and_the_engine(monkeypatch):
    """One limit (engine.limits.MAX_DATA_VALUES) for the engine, CSV import and files; here
    lowered to 40 numbers, so that the test reads a few rows instead of 16 million cells."""
    from engine.core import validation
    from engine.io import datasets, fileformat

    for module in (datasets, fileformat, validation):
        assert module.MAX_DATA_VALUES is limits.MAX_DATA_VALUES
        monkeypatch.setattr(module, "MAX_DATA_VALUES", 40)
    network = Network([3, 1], ["linear"])
    Stepper(network, np.zeros((10, 3)), np.zeros((10, 1)))  # 40 numbers: fine
    with pytest.raises(ValueError, match="more than the limit of 40"):
        Stepper(network, np.zeros((11, 3)), np.zeros((11, 1)))
    text = "a,b,c,y\n" + "0,0,0,0\n" * 11
    with pytest.raises(ValueError, match="line 12: more than 40 numbers"):
        read_csv(text)
    document = {"format": "backprop-lab/1",
                "network": {"layers": [3, 1], "activations": ["linear"], "weights": [[[0]] * 3],
                            "biases": [[0]]},
                "data": {"inputs": [[0, 0, 0]] * 11, "targets": [[0]] * 11}}
    with pytest.raises(FileFormatError, match="^data: 11 observations .* more than the limit"):
        loads(json.dumps(document))


def test_the_issue_s_network_is_refused_when_read_naming_the_figures(budget):
    """[1, 4096, 900, 1] with 100,000 observations: 1.2 MB of JSON, within every count. It
    needs far more than 8 GiB: refused with the figures and what would fit."""
    text = json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": BIG_LAYERS, "activations": ["relu", "relu", "linear"],
                    "init": {"scheme": "he_normal", "seed": 0}},
        "data": {"inputs": [[0.5]] * MAX_OBSERVATIONS, "targets": [[1.0]] * MAX_OBSERVATIONS},
    })
    assert len(text) < 1.5e6  # about 1.2 MB written compactly
    with pytest.raises(FileFormatError) as caught:
        loads(text)
    message = str(caught.value)
    assert message.startswith("file: 100,000 observations through 4,998 neurons "
                              "(1-4096-900-1) need about ")
    assert "more than the 8.0 GiB this app allows itself ($BACKPROP_LAB_MEMORY_BUDGET)" in message
    fits = int(message.split("at most about ")[1].split(" observations")[0].replace(",", ""))
    assert training_memory(BIG_LAYERS, fits, optimizer_vectors=0) <= 8 * 2**30
    assert training_memory(BIG_LAYERS, fits + 1, optimizer_vectors=0) > 8 * 2**30
    # and the engine itself refuses to build it, whoever asks
    with pytest.raises(MemoryBudgetError):
        Stepper(Network(BIG_LAYERS, ["relu", "relu", "linear"]),
                np.zeros((MAX_OBSERVATIONS, 1)), np.zeros((MAX_OBSERVATIONS, 1)))


def test_the_cli_refuses_it_in_one_line_without_a_memory_error(budget, tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": BIG_LAYERS, "activations": ["relu", "relu", "linear"],
                    "init": {"scheme": "he_normal", "seed": 0}},
        "data": {"inputs": [[0.5]] * MAX_OBSERVATIONS, "targets": [[1.0]] * MAX_OBSERVATIONS},
    }))
    result = subprocess.run([sys.executable, "-m", "engine", str(path)], cwd=REPO,
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, limits.MEMORY_ENV: "8G"})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "need about" in result.stderr and "MemoryError" not in result.stderr


def test_trace_output_has_its_own_budget(budget, tmp_path):
    rng = np.random.default_rng(0)
    observations = 8000  # trains within 8 GiB; its trace (123 million numbers) would not
    path = tmp_path / "wide.json"
    path.write_text(json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": [1, 2048, 1024, 1], "activations": ["tanh", "tanh", "linear"],
                    "init": {"scheme": "he_normal", "seed": 0}},
        "data": {"inputs": rng.normal(size=(observations, 1)).tolist(),
                 "targets": rng.normal(size=(observations, 1)).tolist()},
    }))
    result = subprocess.run([sys.executable, "-m", "engine", str(path), "--trace", "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, limits.MEMORY_ENV: "8G"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("python -m engine: error: --trace: ")
    assert "leave out --trace" in result.stderr


def test_the_default_budget_is_half_the_physical_memory(monkeypatch):
    monkeypatch.delenv(limits.MEMORY_ENV, raising=False)
    monkeypatch.setattr(limits, "_physical_memory", lambda: 16 * 2**30)
    assert memory_budget() == (8 * 2**30, "half of this machine's 16.0 GiB")
    monkeypatch.setattr(limits, "_physical_memory", lambda: None)
    assert memory_budget()[0] == 4 * 2**30
    for text, size in (("12G", 12 * 2**30), ("512M", 2**29), ("1000", 1000), ("3GiB", 3 * 2**30)):
        monkeypatch.setenv(limits.MEMORY_ENV, text)
        assert memory_budget() == (size, "$BACKPROP_LAB_MEMORY_BUDGET")
    monkeypatch.setenv(limits.MEMORY_ENV, "lots")  # not a size: the default
    assert memory_budget()[1] == "a guess: this machine's memory is unknown"


def test_the_seeds_networks_are_far_within_any_budget(budget):
    check_memory([2, 3, 3, 2], 2)
    check_memory([784, 128, 10], 1000, optimizer_vectors=2)  # issue 16's MNIST network
    assert training_memory([784, 128, 10], 1000) < 2**30


def test_the_largest_network_round_trips_through_a_file(budget):
    """[2, 2000, 1990, 1] with he_normal (3,989,981 parameters, the issue's network) and
    momentum's velocity: saved, it is read back bit for bit — before, Open refused what
    Save had written."""
    network = Network([2, 2000, 1990, 1], ["relu", "relu", "linear"])
    assert MAX_PARAMETERS - 20_000 < network.theta.size <= MAX_PARAMETERS
    rng = np.random.default_rng(0)
    network.theta[...] = rng.normal(size=network.theta.size) * np.sqrt(2 / 2000)
    document = Document(network, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)),
                        TrainingConfig(optimizer="momentum", learning_rate=0.01))
    stepper = document.make_stepper()
    stepper.optimizer.state["velocity"][...] = rng.normal(size=network.theta.size)
    text = dumps(Document.from_stepper(stepper))
    assert 64 * 2**20 < len(text) < MAX_FILE_BYTES  # over the old 64 MiB limit
    read = loads(text)
    np.testing.assert_array_equal(read.network.theta, network.theta)
    np.testing.assert_array_equal(read.state.optimizer["velocity"],
                                  stepper.optimizer.state["velocity"])


def test_switching_the_optimiser_is_refused_when_its_state_would_not_fit(monkeypatch):
    """Found in review: Adam keeps two vectors like θ; switching to it skipped the budget,
    so the app could save a file that Open then refused. The training panel asks
    validate_config, set_config checks too."""
    sizes, observations = [2, 1000, 1000, 1], 4
    gd = training_memory(sizes, observations, observations, 0)
    adam = training_memory(sizes, observations, observations, 2)
    monkeypatch.setenv(limits.MEMORY_ENV, str((gd + adam) // 2))
    network = Network(sizes, ["tanh", "tanh", "linear"])
    stepper = Stepper(network, np.zeros((4, 2)), np.zeros((4, 1)),
                      TrainingConfig(learning_rate=0.01))
    with pytest.raises(MemoryBudgetError, match="^training with adam: 4 observations"):
        stepper.set_config(stepper.config.with_changes(optimizer="adam"))
    assert stepper.config.optimizer == "gd"
    stepper.set_config(stepper.config.with_changes(learning_rate=0.02))  # the rest is fine
    assert stepper.config.learning_rate == 0.02


def test_a_budget_may_be_written_with_a_decimal_point(monkeypatch):
    monkeypatch.setenv(limits.MEMORY_ENV, "1.5G")
    assert memory_budget() == (int(1.5 * 2**30), "$BACKPROP_LAB_MEMORY_BUDGET")


def test_the_largest_data_set_round_trips_through_a_file(budget):
    """160 columns × 100,000 observations: every data value the limits allow, read back
    exactly (the issue's 149 × 100,000 CSV was saved and then refused). Quarter-steps keep
    the numbers short; the longest numbers' size is the test above."""
    rng = np.random.default_rng(1)
    network = Network([159, 2, 1], ["tanh", "linear"])
    inputs = rng.integers(-400, 400, (MAX_OBSERVATIONS, 159)) / 4
    targets = rng.integers(-400, 400, (MAX_OBSERVATIONS, 1)) / 4
    assert inputs.size + targets.size == MAX_DATA_VALUES
    text = dumps(Document(network, inputs, targets, TrainingConfig()))
    read = loads(text)
    np.testing.assert_array_equal(read.inputs, inputs)
    np.testing.assert_array_equal(read.targets, targets)
