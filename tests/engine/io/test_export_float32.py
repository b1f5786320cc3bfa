"""Exported scripts of a float32 document (``training.dtype = "float32"``): they compute in
float32 as the engine's run does, run here as separate programs.

The NumPy script repeats the engine's float32 operations in the engine's order, so its θ and
its losses are the engine's bit for bit (compared with ``np.array_equal``, not a tolerance),
and seed 000's first iterations are also checked against the float32 loop written out in this
test. The PyTorch script (skipped where torch is missing) sets torch's default dtype to float32
and agrees with the engine's float32 run within 1e-5 relative, the tolerance of the engine's
own float32 tests against PyTorch (tests/engine/core/test_float32.py).

The scripts' trained parameters come from their ``main()``, which returns them: a small
driver imports the exported file and prints them as JSON (a float32 value as the double that
holds it exactly).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from test_export import (
    EVERY_LINE,
    SEED_000,
    document,
    last_loss,
    literal,
    run_script,
)

from engine.core.optimizers import TrainingConfig
from engine.io.export import numpy_script, pytorch_script
from engine.io.fileformat import Document, load

RELATIVE = 1e-5  # PyTorch against the engine, as tests/engine/core/test_float32.py asks

NUMPY_DRIVER = """\
import json, sys
sys.argv = ["export_script.py", "--every", *sys.argv[1:]]
import export_script
W, b = export_script.main()
print(json.dumps({"dtypes": sorted({str(x.dtype) for x in W + (b or [])}),
                  "weights": [w.tolist() for w in W],
                  "biases": None if b is None else [v.tolist() for v in b]}))
"""

TORCH_DRIVER = """\
import json, sys
import torch
sys.argv = ["export_script.py", "--every", *sys.argv[1:]]
import export_script
model = export_script.main()
linears = [m for m in model if isinstance(m, torch.nn.Linear)]
print(json.dumps({
    "dtypes": sorted({str(p.dtype) for p in model.parameters()}),
    "weights": [linear.weight.detach().T.tolist() for linear in linears],  # back to in × out
    "biases": None if linears[0].bias is None else
              [linear.bias.detach().tolist() for linear in linears]}))
"""


# --------------------------------------------------------------------- helpers
def float32_document(sizes, activations, config, observations=6, bias=True, seed=0):
    return document(sizes, activations, config.with_changes(dtype="float32"), observations,
                    bias, seed)


def seed_000_float32() -> Document:
    doc = load(SEED_000)
    doc.training = doc.training.with_changes(dtype="float32")
    return doc


def run_trained(text: str, tmp_path, driver: str, iterations: int) -> tuple[list, float, dict]:
    """Run the exported script through ``driver``: its per-iteration losses, its last line's
    loss and the parameters its main() returned."""
    (tmp_path / "export_script.py").write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", driver, "--iterations", str(iterations)],
                            cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
                            timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    parameters = json.loads(lines[-1])
    lines = lines[:-1]
    losses = [float(EVERY_LINE.match(line).group(2)) for line in lines[:-1]]
    assert len(losses) == iterations
    return losses, last_loss(lines, iterations), parameters


def engine_run(doc: Document, iterations: int):
    """The engine's float32 run: its losses, the loss after, and its trained W and b."""
    stepper = doc.make_stepper()
    assert stepper.run(iterations) == iterations
    network = stepper.network
    assert network.theta.dtype == np.float32
    biases = [b.copy() for b in network.biases] if network.bias else None
    return (stepper.history.losses.copy(), stepper.evaluate(full=True).loss,
            [w.copy() for w in network.weights], biases)


def as_float32(arrays) -> list[np.ndarray]:
    """The script's printed numbers as float32; each must be a float32 exactly (a float64
    result printed as a double would not survive the rounding unchanged)."""
    out = []
    for values in arrays:
        wide = np.array(values, dtype=np.float64)
        narrow = wide.astype(np.float32)
        assert np.array_equal(narrow.astype(np.float64), wide), "not a float32 number"
        out.append(narrow)
    return out


def assert_close(ours, theirs, what: str) -> None:
    """Within RELATIVE, relative to the array's largest magnitude (an entry that cancels
    to near 0 is compared at the scale of its neighbours), as test_float32.close does."""
    theirs = np.asarray(theirs, dtype=np.float64)
    scale = max(float(np.max(np.abs(theirs))), 1e-30)
    error = float(np.max(np.abs(np.asarray(ours, dtype=np.float64) - theirs))) / scale
    assert error <= RELATIVE, f"{what}: relative error {error:.2e}"


CASES = {
    # seed 000 itself: 2-3-2 sigmoid, sse, gd, full batch
    "seed-000": (seed_000_float32, 300),
    "softmax-cross-entropy-adam-batches": (lambda: float32_document(
        [4, 5, 3], ["tanh", "softmax"],
        TrainingConfig(loss="cross_entropy", optimizer="adam", learning_rate=0.02,
                       batch_size=3, shuffle_seed=5), observations=8, seed=3), 120),
    # relu's and leaky_relu's derivatives, mse's division: where float64 could leak in
    "relu-momentum-mse": (lambda: float32_document(
        [3, 5, 2], ["relu", "linear"],
        TrainingConfig(loss="mse", optimizer="momentum", learning_rate=0.05, momentum=0.8),
        observations=7, seed=4), 120),
    "leaky-relu-sgd-bce": (lambda: float32_document(
        [3, 4, 1], ["leaky_relu", "sigmoid"],
        TrainingConfig(loss="bce", optimizer="sgd", learning_rate=0.3, batch_size=2),
        observations=5, seed=6), 120),
}
FROZEN = ("w^0_{0,1}", "b^0_2", "w^1_{3,0}", "b^1_1")
FROZEN_CASES = {
    "adam-batches": TrainingConfig(loss="half_sse", optimizer="adam", learning_rate=0.02,
                                   batch_size=4, shuffle_seed=1, frozen=FROZEN),
    "momentum": TrainingConfig(loss="sse", optimizer="momentum", learning_rate=0.05,
                               momentum=0.8, batch_size=3, frozen=FROZEN),
}


def frozen_float32_document(name: str) -> Document:
    return float32_document([3, 4, 2], ["tanh", "sigmoid"], FROZEN_CASES[name],
                            observations=7, seed=11)


# ---------------------------------------------------------------- the NumPy script
def test_the_numpy_script_names_its_dtype():
    text = numpy_script(seed_000_float32(), 3)
    assert "DTYPE = np.float32" in text
    assert "np.array(w, dtype=DTYPE)" in text and "np.array(INPUTS, dtype=DTYPE)" in text
    assert "dtype=float)" not in text  # nothing is made float64 behind DTYPE's back
    assert "numpy, float32." in text.splitlines()[0]  # the title says it
    assert "Adam's update count" not in text  # gd: no Adam to speak of
    adam = float32_document([2, 3, 2], ["tanh", "sigmoid"], TrainingConfig(optimizer="adam"))
    assert "Adam's update count t is a Python int" in numpy_script(adam, 3)
    text64 = numpy_script(load(SEED_000), 3)
    assert "DTYPE = np.float64" in text64 and "np.float32" not in text64
    assert "float32" not in text64.splitlines()[0]


@pytest.mark.parametrize("name", list(CASES))
def test_the_float32_numpy_script_is_the_engines_run_bit_for_bit(name, tmp_path):
    make, iterations = CASES[name]
    doc = make()
    losses, after, weights, biases = engine_run(doc, iterations)
    printed, last, trained = run_trained(numpy_script(doc, iterations), tmp_path,
                                         NUMPY_DRIVER, iterations)
    assert trained["dtypes"] == ["float32"]
    assert np.array_equal(printed, losses.astype(np.float64)), name
    assert last == after
    for ours, engine in zip(as_float32(trained["weights"]), weights, strict=True):
        assert np.array_equal(ours, engine), name
    for ours, engine in zip(as_float32(trained["biases"]), biases, strict=True):
        assert np.array_equal(ours, engine), name
    # the training did something, in float32: θ moved, and it is not the float64 run's
    # (a script computing in float64 would be that, to 1e-12)
    start = make()
    assert not np.array_equal(weights[0], start.network.weights[0].astype(np.float32))
    start.training = start.training.with_changes(dtype="float64")
    stepper = start.make_stepper()
    stepper.run(iterations)
    wide = stepper.network.weights[0]
    gap = np.max(np.abs(weights[0] - wide)) / np.max(np.abs(wide))
    assert 1e-9 < gap < 1e-3, gap


def test_seed_000_in_float32_against_the_loop_written_out_here(tmp_path):
    """Three iterations of seed 000 in float32, written out independently: σ, Σ (a − y)²,
    δ = 2 (a − y) ⊙ a (1 − a), gd; every array float32, as numpy keeps it when a float32
    array meets a Python float."""
    doc = seed_000_float32()
    f32 = np.float32
    W = [np.asarray(w, dtype=f32) for w in doc.network.weights]
    b = [np.asarray(v, dtype=f32) for v in doc.network.biases]
    x, y = np.asarray(doc.inputs, dtype=f32), np.asarray(doc.targets, dtype=f32)
    rate = doc.training.learning_rate
    costs = []
    for _ in range(3):
        a = [x]
        for w, v in zip(W, b, strict=True):
            a.append(1.0 / (1.0 + np.exp(-(a[-1] @ w + v))))
        costs.append(float(np.sum((a[-1] - y) * (a[-1] - y))))
        delta = 2.0 * (a[-1] - y) * (a[-1] * (1.0 - a[-1]))
        for l in range(len(W) - 1, -1, -1):
            dW, db = a[l].T @ delta, np.sum(delta, axis=0)
            if l:
                delta = (delta @ W[l].T) * (a[l] * (1.0 - a[l]))
            W[l] -= rate * dW
            b[l] -= rate * db
    assert all(w.dtype == f32 for w in W + b)
    printed, _, trained = run_trained(numpy_script(doc, 3), tmp_path, NUMPY_DRIVER, 3)
    assert printed == costs
    for ours, mine in zip(as_float32(trained["weights"] + trained["biases"]), W + b,
                          strict=True):
        assert np.array_equal(ours, mine)


def test_a_saved_float32_run_is_written_short_and_continued_bit_for_bit(tmp_path):
    """A float32 run saved after 7 Adam updates: its parameters and Adam's m and v are
    written as the shortest text of each float32 (0.1, not 0.10000000149011612), and the
    script goes on from there as the engine does."""
    doc = float32_document([3, 4, 2], ["sigmoid", "sigmoid"],
                           TrainingConfig(loss="sse", optimizer="adam", learning_rate=0.03,
                                          batch_size=3), observations=7, seed=5)
    stepper = doc.make_stepper()
    stepper.run(7)
    saved = Document.from_stepper(stepper)
    text = numpy_script(saved, 40)
    weights = literal(text, "WEIGHTS")
    state = literal(text, "OPTIMIZER_STATE")
    assert state["step"] == 7
    numbers = [v for w in weights for row in w for v in row]
    numbers += [v for m in state["first_moment"]["weights"] for row in m for v in row]
    assert all(repr(v) == str(np.float32(v)) for v in numbers)  # the shortest float32 text
    for ours, engine in zip(weights, stepper.network.weights, strict=True):
        assert np.array_equal(np.array(ours, dtype=np.float32), engine)  # read back: the same
    stepper.run(40)
    line = run_script(text, tmp_path)[-1]
    assert line.startswith("loss after 40 iterations from iteration 7: ")
    assert float(line.rsplit(" ", 1)[1]) == stepper.evaluate(full=True).loss


@pytest.mark.parametrize("name", list(FROZEN_CASES))
def test_the_float32_numpy_script_freezes_as_the_engine_does(name, tmp_path):
    doc = frozen_float32_document(name)
    losses, after, weights, biases = engine_run(doc, 60)
    printed, last, trained = run_trained(numpy_script(doc, 60), tmp_path, NUMPY_DRIVER, 60)
    assert np.array_equal(printed, losses.astype(np.float64)) and last == after
    ours_w, ours_b = as_float32(trained["weights"]), as_float32(trained["biases"])
    for ours, engine in zip(ours_w + ours_b, weights + biases, strict=True):
        assert np.array_equal(ours, engine)
    start = [w.astype(np.float32) for w in doc.network.weights]
    start_b = [v.astype(np.float32) for v in doc.network.biases]
    # the frozen ones where they started, to the bit; their neighbours moved
    assert ours_w[0][0, 1] == start[0][0, 1] and ours_w[1][3, 0] == start[1][3, 0]
    assert ours_b[0][2] == start_b[0][2] and ours_b[1][1] == start_b[1][1]
    assert ours_w[0][0, 0] != start[0][0, 0] and ours_b[1][0] != start_b[1][0]


def test_a_float32_script_refuses_numbers_float32_cannot_hold():
    doc = float32_document([2, 2], ["sigmoid"], TrainingConfig())
    doc.inputs[0, 1] = 1e39
    with pytest.raises(ValueError, match=r"data\.inputs\[0\]\[1\]: 1e\+39 does not fit float32"):
        numpy_script(doc, 1)
    with pytest.raises(ValueError, match=r"does not fit float32"):
        doc.make_stepper()  # the engine refuses it too
    doc = float32_document([2, 2], ["sigmoid"], TrainingConfig())
    doc.network.weights[0][1, 0] = -4e38
    with pytest.raises(ValueError, match=r"network\.weights\[0\]\[1\]\[0\]: -4e\+38"):
        pytorch_script(doc, 1)
    doc.training = doc.training.with_changes(dtype="float64")
    numpy_script(doc, 1)  # a double holds it


# -------------------------------------------------------------- the PyTorch script
def test_the_pytorch_script_sets_float32_and_says_so():
    text = pytorch_script(seed_000_float32(), 3)
    assert "torch.set_default_dtype(torch.float32)" in text
    assert "torch.float64" not in text and "float64" not in text
    assert "optimisers, in float32;" in text
    assert "PyTorch, float32." in text.splitlines()[0]
    text64 = pytorch_script(load(SEED_000), 3)
    assert "torch.set_default_dtype(torch.float64)  # as Backprop Lab" in text64
    assert "float32" not in text64


@pytest.mark.parametrize("name", ["seed-000", "softmax-cross-entropy-adam-batches"])
def test_the_float32_pytorch_script_follows_the_engines_run(name, tmp_path):
    pytest.importorskip("torch", reason="PyTorch is an optional extra: pip install torch")
    make, _ = CASES[name]
    doc = make()
    iterations = 40
    losses, after, weights, biases = engine_run(doc, iterations)
    printed, last, trained = run_trained(pytorch_script(doc, iterations), tmp_path,
                                         TORCH_DRIVER, iterations)
    assert trained["dtypes"] == ["torch.float32"]
    assert_close(printed, losses, "the losses")
    assert last == pytest.approx(after, rel=RELATIVE, abs=0)
    for l, (ours, engine) in enumerate(zip(as_float32(trained["weights"]), weights,
                                           strict=True)):
        assert_close(ours, engine, f"W^{l}")
    for l, (ours, engine) in enumerate(zip(as_float32(trained["biases"]), biases,
                                           strict=True)):
        assert_close(ours, engine, f"b^{l}")


@pytest.mark.parametrize("name", list(FROZEN_CASES))
def test_the_float32_pytorch_script_freezes_as_the_engine_does(name, tmp_path):
    pytest.importorskip("torch", reason="PyTorch is an optional extra: pip install torch")
    doc = frozen_float32_document(name)
    losses, after, weights, biases = engine_run(doc, 40)
    printed, last, trained = run_trained(pytorch_script(doc, 40), tmp_path, TORCH_DRIVER, 40)
    assert_close(printed, losses, "the losses")
    assert last == pytest.approx(after, rel=RELATIVE, abs=0)
    ours_w, ours_b = as_float32(trained["weights"]), as_float32(trained["biases"])
    for ours, engine in zip(ours_w + ours_b, weights + biases, strict=True):
        assert_close(ours, engine, "θ")
    start = doc.network.weights[0].astype(np.float32)
    assert ours_w[0][0, 1] == start[0, 1]  # frozen: as it started, to the bit
    assert ours_b[1][1] == np.float32(doc.network.biases[1][1])
