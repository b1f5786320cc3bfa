"""Frozen parameters and half_sse in the exports: both scripts freeze what the engine freezes
(run as separate programs, their losses compared with the engine's), name the loss with its
formula, and the exercise sheet says what stays; the CLI prints the frozen parameters.

That the scripts freeze is not taken on trust from their text: the same document without
its frozen set trains to other losses, and the scripts match the frozen engine, not those.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from paths import REPO
from test_export import EVERY_LINE, document, engine_losses, last_loss, literal, run_script

from engine.core.optimizers import TrainingConfig
from engine.io import fileformat
from engine.io.export import build_sheet, numpy_script, pytorch_script
from engine.io.export.exercise_sheet import markdown_sheet
from engine.io.fileformat import Document

FROZEN = ("w^0_{0,1}", "b^0_2", "w^1_{3,0}", "b^1_1")
CONFIGS = {
    "gd": TrainingConfig(loss="half_sse", optimizer="gd", learning_rate=0.5, frozen=FROZEN),
    "sgd-batches": TrainingConfig(loss="half_sse", optimizer="sgd", learning_rate=0.3,
                                  batch_size=2, shuffle_seed=4, frozen=FROZEN),
    "momentum": TrainingConfig(loss="sse", optimizer="momentum", learning_rate=0.05,
                               momentum=0.8, batch_size=3, frozen=FROZEN),
    "adam": TrainingConfig(loss="half_sse", optimizer="adam", learning_rate=0.02,
                           batch_size=4, shuffle_seed=1, frozen=FROZEN),
}
ITERATIONS = 40


def frozen_document(name: str) -> Document:
    return document([3, 4, 2], ["tanh", "sigmoid"], CONFIGS[name], observations=7, seed=11)


def every_loss(lines: list[str]) -> list[float]:
    return [float(EVERY_LINE.match(line).group(2)) for line in lines[:-1]]


def without_freezing(doc: Document) -> Document:
    return Document(doc.network.copy(), doc.inputs, doc.targets,
                    doc.training.with_changes(frozen=()))


def test_the_frozen_set_changes_the_training():
    """The control: were the scripts to ignore the frozen set, they would print these."""
    for name in CONFIGS:
        doc = frozen_document(name)
        frozen_losses, _ = engine_losses(doc, ITERATIONS)
        free_losses, _ = engine_losses(without_freezing(doc), ITERATIONS)
        assert np.max(np.abs(frozen_losses[1:] - free_losses[1:])
                      / np.abs(free_losses[1:])) > 1e-6, name


@pytest.mark.parametrize("name", list(CONFIGS))
def test_numpy_script_freezes_as_the_engine_does(name, tmp_path):
    doc = frozen_document(name)
    text = numpy_script(doc, ITERATIONS)
    assert literal(text, "FROZEN_WEIGHTS") == [(0, 0, 1), (1, 3, 0)]
    assert literal(text, "FROZEN_BIASES") == [(0, 2), (1, 1)]
    losses, after = engine_losses(doc, ITERATIONS)
    lines = run_script(text, tmp_path, "--every")
    np.testing.assert_allclose(every_loss(lines), losses, rtol=1e-12, atol=0)
    assert last_loss(lines, ITERATIONS) == pytest.approx(after, rel=1e-12, abs=0)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_pytorch_script_freezes_as_the_engine_does(name, tmp_path):
    pytest.importorskip("torch", reason="PyTorch is an optional extra: pip install torch")
    doc = frozen_document(name)
    text = pytorch_script(doc, ITERATIONS)
    assert "step_leaving_frozen_alone(optimizer, frozen)" in text
    losses, after = engine_losses(doc, ITERATIONS)
    lines = run_script(text, tmp_path, "--every")
    np.testing.assert_allclose(every_loss(lines), losses, rtol=1e-12, atol=0)
    assert last_loss(lines, ITERATIONS) == pytest.approx(after, rel=1e-12, abs=0)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_both_scripts_continue_a_run_frozen_midway(optimizer, tmp_path):
    """Frozen at iteration 6 of a run whose optimiser state is not 0 at the frozen places:
    the scripts start from the saved state and leave the frozen parameters where they are."""
    config = TrainingConfig(loss="half_sse", optimizer=optimizer, learning_rate=0.03,
                            batch_size=3)
    stepper = document([3, 4, 2], ["sigmoid", "sigmoid"], config, observations=7,
                       seed=5).make_stepper()
    stepper.run(6)
    stepper.set_config(stepper.config.with_changes(frozen=FROZEN))
    saved = Document.from_stepper(stepper)
    assert saved.state.iteration == 6 and saved.training.frozen == FROZEN
    stepper.run(30)
    expected = stepper.evaluate(full=True).loss
    scripts = [numpy_script(saved, 30)]
    try:
        import torch  # noqa: F401

        scripts.append(pytorch_script(saved, 30))
    except ImportError:
        pass
    for text in scripts:
        line = run_script(text, tmp_path)[-1]
        assert line.startswith("loss after 30 iterations from iteration 6: ")
        assert float(line.rsplit(" ", 1)[1]) == pytest.approx(expected, rel=1e-12, abs=0)


def test_a_script_without_frozen_parameters_has_no_freezing_code():
    doc = without_freezing(frozen_document("gd"))
    for text in (numpy_script(doc, 3), pytorch_script(doc, 3)):
        assert "FROZEN" not in text and "frozen" not in text


def test_the_scripts_name_half_sse_with_its_formula():
    doc = frozen_document("gd")
    for text in (numpy_script(doc, 3), pytorch_script(doc, 3)):
        first = text.splitlines()[0]
        assert "half_sse loss C = ½ Σ (a − y)²" in first and "4 parameters frozen" in first
        assert "LOSS = 'half_sse'  # C = ½ Σ (a − y)², ∂C/∂a = a − y" in text
        assert "# computed): w^0_{0,1}, b^0_2, w^1_{3,0}, b^1_1" in text


# ----------------------------------------------------------------------- exercise sheet
def test_the_exercise_sheet_says_what_is_frozen_and_what_half_sse_differentiates_to():
    doc = frozen_document("gd")
    stepper = doc.make_stepper()
    sheet = build_sheet(stepper, len(stepper.phases))
    facts = {fact.label: fact for fact in sheet.facts}
    assert "∂C/∂a = a − y" in facts["Loss"].words and "½" in facts["Loss"].words
    assert facts["Loss"].formula.startswith("C = ½ Σ (a − y)²;  ∂C/∂a^2 = a − y")
    assert facts["Frozen"].words.startswith("w^0_{0,1}, b^0_2, w^1_{3,0}, b^1_1: the update")
    update = sheet.exercises[-1]
    assert update.phase.kind == "update"
    new_0, new_1 = update.tables[0], update.tables[1]
    assert "frozen, kept as they were: w^0_{0,1}, b^0_2" in new_0.about
    assert "frozen, kept as they were: w^1_{3,0}, b^1_1" in new_1.about
    # the key's new [b^0; W^0] keeps the frozen ones (rows: the bias, then the sources)
    assert new_0.value[0, 2] == doc.network.biases[0][2]
    assert new_0.value[1, 1] == doc.network.weights[0][0, 1]
    assert new_0.value[1, 0] != doc.network.weights[0][0, 0]
    assert "Frozen" in markdown_sheet(sheet)
    no_frozen = build_sheet(without_freezing(doc).make_stepper(), 1)
    assert "Frozen" not in {fact.label for fact in no_frozen.facts}


# ------------------------------------------------------------------------------ the CLI
def test_the_cli_prints_the_frozen_parameters(tmp_path):
    doc = frozen_document("gd")
    path = tmp_path / "frozen.json"
    fileformat.save(path, doc)

    def cli(*args):
        result = subprocess.run([sys.executable, "-m", "engine", str(path), *args], cwd=REPO,
                                capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    text = cli("--steps", "3")
    assert "half_sse: C = ½ Σ (a − y)², over all observations" in text
    assert ("frozen (their gradient computed, the update leaves them as they are): "
            "w^0_{0,1}, b^0_2, w^1_{3,0}, b^1_1") in text
    state = json.loads(cli("--steps", "3", "--json"))
    assert state["frozen"] == list(FROZEN)
    assert state["biases"][0][2] == doc.network.biases[0][2]
    assert state["weights"][1][3][0] == doc.network.weights[1][3, 0]
    assert state["weights"][1][2][0] != doc.network.weights[1][2, 0]
