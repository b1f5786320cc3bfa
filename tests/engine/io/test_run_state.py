"""A file continues the run it was saved from (issue 12, point 4): the iteration, the
optimiser's state and the mini-batch position are saved, and Save → Open → Step, and the
exported NumPy and PyTorch scripts, go on exactly as the run in the app does — bit for bit
(the engine, the NumPy script) or within 1e-12 (PyTorch), for every optimiser and batch size.

The reference is the uninterrupted run of the same stepper: the run saved at iteration K and
continued for M iterations must record the very losses and reach the very parameters that
the original records in its iterations K … K + M − 1."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from paths import EXAMPLES

from engine.analysis.breakpoints import IterationReaches, LossBelow, WeightCrosses
from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.io.export import numpy_script, pytorch_script
from engine.io.fileformat import Document, FileFormatError, dumps, load, loads

SEED_000 = EXAMPLES / "seed-000.json"
EVERY_LINE = re.compile(r"^iteration (\d+): loss (\S+)$")
LAST_LINE = re.compile(r"^loss after (\d+) iterations(?: from iteration (\d+))?: (\S+)$")

# (optimizer, batch size): full batches, and mini-batches of 2 and 3 out of 7 observations
# (the last batch of an epoch is short), for every optimiser
CASES = [("gd", None), ("sgd", 2), ("sgd", 3), ("momentum", None), ("momentum", 3),
         ("adam", None), ("adam", 2)]


def document(optimizer: str, batch_size: int | None, seed: int = 3) -> Document:
    rng = np.random.default_rng(seed)
    network = Network([3, 4, 2], ["tanh", "sigmoid"], True)
    network.theta[...] = rng.uniform(-1.0, 1.0, network.theta.size)
    inputs = rng.uniform(-1.0, 1.0, (7, 3))
    targets = rng.uniform(0.0, 1.0, (7, 2))
    config = TrainingConfig(loss="bce", optimizer=optimizer, learning_rate=0.05,
                            batch_size=batch_size, shuffle_seed=11)
    return Document(network, inputs, targets, config)


def saved_and_opened(stepper) -> Document:
    """The stepper's work through the file format: Save, then Open."""
    return loads(dumps(Document.from_stepper(stepper)))


@pytest.mark.parametrize("optimizer,batch_size", CASES)
def test_save_open_step_continues_bit_for_bit(optimizer, batch_size):
    original = document(optimizer, batch_size).make_stepper()
    original.run(9)  # into the second epoch of mini-batches
    reopened = saved_and_opened(original).make_stepper()
    assert reopened.iteration == reopened.start_iteration == 9
    for key, value in original.optimizer.get_state().items():
        np.testing.assert_array_equal(reopened.optimizer.state[key], value, err_msg=key)
    original.run(13)
    reopened.run(13)
    assert reopened.iteration == original.iteration == 22
    np.testing.assert_array_equal(reopened.history.losses, original.history.losses[9:])
    np.testing.assert_array_equal(reopened.network.theta, original.network.theta)
    for key, value in original.optimizer.get_state().items():
        np.testing.assert_array_equal(reopened.optimizer.state[key], value, err_msg=key)


@pytest.mark.parametrize("optimizer,batch_size", [("adam", 3), ("momentum", None)])
def test_a_file_saved_in_the_middle_of_an_iteration_redoes_it(optimizer, batch_size):
    """Saved after some phases of iteration 5, the file holds θ and the optimiser as they
    were at its start (the update comes last): opened, iteration 5 runs again whole."""
    original = document(optimizer, batch_size).make_stepper()
    original.run(5)
    for _ in range(3):
        original.step_phase()
    reopened = saved_and_opened(original).make_stepper()
    assert (reopened.iteration, reopened.phase) == (5, 0)
    original.run(6)  # finishes iteration 5, then 5 more
    reopened.run(6)
    np.testing.assert_array_equal(reopened.history.losses, original.history.losses[5:])
    np.testing.assert_array_equal(reopened.network.theta, original.network.theta)


def test_a_continued_run_rewinds_to_where_it_was_opened_and_no_further():
    original = document("adam", 2).make_stepper()
    original.run(4)
    opened = saved_and_opened(original)
    reopened = opened.make_stepper()
    reopened.run(6)
    reopened.seek(7)
    theta_at_7 = reopened.network.theta.copy()
    reopened.restart()
    assert reopened.iteration == 4
    np.testing.assert_array_equal(reopened.network.theta, opened.network.theta)
    with pytest.raises(ValueError, match="already at the start of iteration 4"):
        reopened.step_back()
    with pytest.raises(ValueError, match=r"outside 4 … 10"):
        reopened.seek(3)
    reopened.seek(7)
    np.testing.assert_array_equal(reopened.network.theta, theta_at_7)


def test_the_file_states_the_iteration_the_batch_and_the_optimiser_state():
    stepper = document("momentum", 3).make_stepper()
    stepper.run(4)  # 7 observations in batches of 3: 3 batches an epoch; iteration 4 = (1, 1)
    text = dumps(Document.from_stepper(stepper))
    saved = json.loads(text)
    assert saved["format"] == "backprop-lab/2"
    assert saved["state"]["iteration"] == 4
    assert saved["state"]["batch"] == {"epoch": 1, "index": 1, "batches_per_epoch": 3}
    velocity = saved["state"]["optimizer"]["velocity"]
    weights, biases, _ = stepper.network.layout(stepper.optimizer.state["velocity"])
    assert velocity["weights"] == [w.tolist() for w in weights]
    assert velocity["biases"] == [b.tolist() for b in biases]
    # a fresh run writes no optimiser state (zeros are the default)
    fresh = json.loads(dumps(document("adam", None)))
    assert fresh["state"] == {"iteration": 0}


def test_a_version_1_file_is_a_run_at_iteration_0():
    document_1 = load(SEED_000)
    assert json.loads(SEED_000.read_text())["format"] == "backprop-lab/1"
    assert document_1.state.iteration == 0 and document_1.state.optimizer == {}
    assert document_1.breakpoints == []
    text = SEED_000.read_text()
    with pytest.raises(FileFormatError, match=r'document: unknown key "state"'):
        loads(text.replace('"format": "backprop-lab/1",',
                           '"format": "backprop-lab/1", "state": {"iteration": 3},'))


def adam_file(**state) -> str:
    stepper = document("adam", 2).make_stepper()
    stepper.run(3)
    saved = json.loads(dumps(Document.from_stepper(stepper)))
    saved["state"].update(state)
    return json.dumps(saved)


@pytest.mark.parametrize("change,message", [
    (lambda s: s.update(iteration=-1), "state.iteration: expected a whole number from 0"),
    (lambda s: s.update(iteration=2.5), "state.iteration: expected a whole number, got 2.5"),
    (lambda s: s.update(batch={"epoch": 0, "index": 0, "batches_per_epoch": 4}),
     "state.batch: {\"epoch\": 0, \"index\": 0, \"batches_per_epoch\": 4} is not where iteration"
     " 3 stands"),
    (lambda s: s["optimizer"].pop("step"), "state.optimizer.step: missing"),
    (lambda s: s["optimizer"].update(velocity=1), 'state.optimizer: unknown key "velocity"'),
    (lambda s: s["optimizer"]["first_moment"]["weights"][0].pop(),
     "state.optimizer.first_moment.weights[0]: expected 3 rows, got 2"),
    (lambda s: s["optimizer"]["second_moment"]["biases"][1].__setitem__(0, -1.0),
     "state.optimizer.second_moment: must not be negative"),
    (lambda s: s["optimizer"].update(step=-2), "state.optimizer.step: expected a whole number"),
    (lambda s: s.update(extra=1), 'state: unknown key "extra"'),
])
def test_a_bad_run_state_names_the_field(change, message):
    saved = json.loads(adam_file())
    change(saved["state"])
    with pytest.raises(FileFormatError) as caught:
        loads(json.dumps(saved))
    assert str(caught.value).startswith(message), str(caught.value)


def test_an_optimiser_state_that_belongs_to_another_optimiser_is_refused():
    saved = json.loads(adam_file())
    saved["training"]["optimizer"] = "momentum"
    with pytest.raises(FileFormatError, match=r'^state.optimizer: unknown key "first_moment"'):
        loads(json.dumps(saved))
    saved["training"]["optimizer"] = "gd"  # whole batches: the batch position goes too
    del saved["state"]["batch"]
    with pytest.raises(FileFormatError, match=r"^state.optimizer: gd keeps no state"):
        loads(json.dumps(saved))


def test_breakpoints_are_saved_and_read_back():
    stepper = document("gd", None).make_stepper()
    weight = ParameterAddress.weight(1, 2, 0)
    items = [LossBelow(0.25), IterationReaches(40), WeightCrosses(weight, -0.5)]
    items[1].enabled = False
    text = dumps(Document.from_stepper(stepper, breakpoints=items))
    read = loads(text).breakpoints
    assert [b.to_dict() for b in read] == [b.to_dict() for b in items]
    assert read[1].enabled is False
    saved = json.loads(text)
    saved["breakpoints"][0]["value"] = "low"
    with pytest.raises(FileFormatError,
                       match=r"^breakpoints\[0\]\.loss_below\.value: expected a number"):
        loads(json.dumps(saved))


# ------------------------------------------------------------- exported scripts
def run_script(text: str, tmp_path, *args: str) -> list[str]:
    path = tmp_path / "continued.py"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                            encoding="utf-8", timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def printed(lines: list[str], start: int, count: int) -> tuple[list[float], float]:
    every = [EVERY_LINE.match(line) for line in lines[:-1]]
    assert [int(m.group(1)) for m in every] == list(range(start, start + count))
    last = LAST_LINE.match(lines[-1])
    assert last and int(last.group(1)) == count
    assert (int(last.group(2)) if last.group(2) else 0) == start
    return [float(m.group(2)) for m in every], float(last.group(3))


def test_the_issue_example_momentum_exported_after_one_iteration(tmp_path):
    """Seed 000 with momentum, one iteration run, exported for one more: the script's last
    loss is the app's at iteration 2 (it printed 1.8884918824929975 when the export
    restarted the velocity from zero)."""
    document_0 = load(SEED_000)
    document_0.training = TrainingConfig(optimizer="momentum", learning_rate=0.5)
    stepper = document_0.make_stepper()
    stepper.run(1)
    lines = run_script(numpy_script(Document.from_stepper(stepper), 1), tmp_path, "--every")
    stepper.run(1)
    losses, after = printed(lines, 1, 1)
    assert after == stepper.evaluate(full=True).loss == 1.8787445837076397
    assert losses == [stepper.history.losses[1]]


@pytest.mark.parametrize("optimizer,batch_size", CASES)
def test_the_numpy_script_continues_the_run_bit_for_bit(optimizer, batch_size, tmp_path):
    stepper = document(optimizer, batch_size).make_stepper()
    stepper.run(9)
    text = numpy_script(Document.from_stepper(stepper), 11)
    lines = run_script(text, tmp_path, "--every")
    stepper.run(11)
    losses, after = printed(lines, 9, 11)
    assert losses == stepper.history.losses[9:].tolist()  # bit for bit
    assert after == stepper.evaluate(full=True).loss


@pytest.mark.parametrize("optimizer,batch_size", CASES)
def test_the_pytorch_script_continues_the_run(optimizer, batch_size, tmp_path):
    pytest.importorskip("torch", reason="PyTorch is an optional extra: pip install torch")
    stepper = document(optimizer, batch_size).make_stepper()
    stepper.run(9)
    text = pytorch_script(Document.from_stepper(stepper), 11)
    lines = run_script(text, tmp_path, "--every")
    stepper.run(11)
    losses, after = printed(lines, 9, 11)
    np.testing.assert_allclose(losses, stepper.history.losses[9:], rtol=1e-12, atol=0)
    assert after == pytest.approx(stepper.evaluate(full=True).loss, rel=1e-12, abs=0)


def test_the_writer_refuses_what_the_reader_would(monkeypatch):
    """Found in review: more breakpoints than a file holds, or an iteration beyond what a
    file records, were written and then refused by Open. Now the list refuses the extra
    breakpoint, and the writer refuses (nothing written) whatever gets past it."""
    from engine.analysis import breakpoints as breakpoints_module
    from engine.analysis.breakpoints import Breakpoints
    from engine.io import fileformat as fileformat_module

    monkeypatch.setattr(breakpoints_module, "MAX_BREAKPOINTS", 3)
    monkeypatch.setattr(fileformat_module, "MAX_BREAKPOINTS", 3)
    items = Breakpoints([LossBelow(0.1), LossBelow(0.2), LossBelow(0.3)])
    with pytest.raises(ValueError, match="at most 3 breakpoints"):
        items.add(LossBelow(0.4))
    assert len(items) == 3
    stepper = document("gd", None).make_stepper()
    with pytest.raises(FileFormatError, match="^breakpoints: 4 breakpoints, more than the 3"):
        dumps(Document.from_stepper(stepper, breakpoints=[LossBelow(0.1)] * 4))
    monkeypatch.setattr(fileformat_module, "MAX_STATE_ITERATION", 100)
    saved = json.loads(dumps(Document.from_stepper(stepper)))
    saved["state"]["iteration"] = 100
    continued = loads(json.dumps(saved)).make_stepper()
    continued.run(2)
    with pytest.raises(FileFormatError, match="^state.iteration: 102, more than the 100"):
        dumps(continued)
