"""Exercise sheets (engine.io.export.exercise_sheet): the answer key of seed 000 against the
seed's printed matrices and an independent numpy pass (tests/reference.py), one empty table of
the right shape for each quantity of each phase, the stepper left where it was, well-formed
LaTeX (compiled where pdflatex is installed), bad counts and names refused, atomic writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from paths import EXAMPLES, REFERENCE_FILE
from reference import SEED_000_INPUTS, SEED_000_TARGETS, backprop

from engine.core.activations import ACTIVATIONS
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.core.stepper import Stepper
from engine.io import atomic, fileformat
from engine.io.export import build_sheet, write_exercise_sheet
from engine.io.export.exercise_sheet import (
    MAX_PHASES,
    answers_path,
    latex_sheet,
    markdown_sheet,
)

REFERENCE = json.loads(REFERENCE_FILE.read_text())
PRINTED = REFERENCE["tolerance"]  # the seed's own rounding
ROUNDED = 6e-8  # the key's: 7 decimals


def seed_000():
    return fileformat.load(EXAMPLES / "seed-000.json").make_stepper()


# --------------------------------------------------------------- reading a Markdown sheet
def parse_markdown(text: str) -> list[tuple[str, list[dict]]]:
    """[(heading, tables)] of the exercises; a table: label, columns, rows, cells (text)."""
    exercises = []
    for section in re.split(r"^### ", text.split("## Exercises", 1)[1], flags=re.M)[1:]:
        heading, tables, current = section.splitlines()[0], [], None
        for line in section.splitlines()[1:]:
            if not line.startswith("|"):
                current = None
                continue
            cells = [cell.strip() for cell in line.strip()[1:-1].split("|")]
            if current is None:
                current = {"label": cells[0], "columns": cells[1:], "rows": [], "cells": []}
                tables.append(current)
            elif set(line) <= set("|-: "):
                continue
            else:
                current["rows"].append(cells[0])
                current["cells"].append(cells[1:])
        exercises.append((heading, tables))
    return exercises


def numbers(table: dict) -> np.ndarray:
    return np.array([[float(cell) for cell in row] for row in table["cells"]])


def table_of(exercises, number: int, label: str) -> np.ndarray:
    found = [t for t in exercises[number - 1][1] if t["label"] == label]
    assert len(found) == 1, (label, [t["label"] for t in exercises[number - 1][1]])
    return numbers(found[0])


# ------------------------------------------------------------------------ seed 000's numbers
def test_the_answer_key_of_seed_000_shows_the_seeds_printed_matrices(tmp_path):
    sheet, key = write_exercise_sheet(tmp_path / "seed.md", seed_000(), 8)
    assert key == tmp_path / "seed-answers.md" and sheet.exists() and key.exists()
    text = key.read_text(encoding="utf-8")
    assert "rounded to 7 decimals as seed 000 prints them" in text.splitlines()[2]
    exercises = parse_markdown(text)

    def check(number, label, printed):
        np.testing.assert_allclose(table_of(exercises, number, label), printed, rtol=0,
                                   atol=PRINTED + ROUNDED)

    check(1, "n^1", REFERENCE["pre_activation_layer_1"])
    check(1, "a^1", REFERENCE["activation_layer_1"])
    check(2, "a^2", REFERENCE["activation_layer_2"])
    check(3, "a^3", REFERENCE["activation_layer_3"])
    check(4, "∂C/∂a^3", REFERENCE["dcost_dactivation_layer_3"])
    check(5, "∂a^3/∂n^3", REFERENCE["dactivation_dpre_layer_3"])
    check(5, "δ^3", REFERENCE["delta_layer_3"])
    check(5, "[∂C/∂b^2; ∂C/∂W^2]", REFERENCE["weight_gradient_2_augmented"]["value"])


def test_the_rest_of_the_key_agrees_with_an_independent_pass_and_update(tmp_path):
    """C, δ^2, δ^1, every gradient, the gd update and the next iteration's forward phases,
    from tests/reference.py (numpy written out from the seed's formulas)."""
    _, key = write_exercise_sheet(tmp_path / "seed.md", seed_000(), 10)
    exercises = parse_markdown(key.read_text(encoding="utf-8"))
    assert len(exercises) == 10
    W = [np.ones((2, 3)), np.ones((3, 3)), np.ones((3, 2))]
    b = [np.ones(3), np.ones(3), np.ones(2)]
    first = backprop(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse")

    def close(actual, expected):
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=ROUNDED)

    close(table_of(exercises, 4, "C"), [[first.cost]])
    close(table_of(exercises, 6, "δ^2"), first.delta[2])
    close(table_of(exercises, 7, "δ^1"), first.delta[1])
    for number, k in ((5, 2), (6, 1), (7, 0)):
        close(table_of(exercises, number, f"[∂C/∂b^{k}; ∂C/∂W^{k}]"),
              np.vstack([first.db[k], first.dW[k]]))
    new_W = [w - 0.5 * g for w, g in zip(W, first.dW, strict=True)]
    new_b = [c - 0.5 * g for c, g in zip(b, first.db, strict=True)]
    for k in range(3):
        close(table_of(exercises, 8, f"[b^{k}; W^{k}] (new)"), np.vstack([new_b[k], new_W[k]]))
    second = backprop(new_W, new_b, SEED_000_INPUTS, SEED_000_TARGETS, "sse")
    assert exercises[8][0] == "Exercise 9: iteration 1, forward layer 1"
    close(table_of(exercises, 9, "a^1"), second.a[1])
    close(table_of(exercises, 10, "a^2"), second.a[2])


# ------------------------------------------------------------------------------ the sheet
# seed 000, one iteration: per phase, (label, rows, columns) of each table to fill in
SEED_000_TABLES = [
    ("forward layer 1", [("n^1", 2, 3), ("a^1", 2, 3)]),
    ("forward layer 2", [("n^2", 2, 3), ("a^2", 2, 3)]),
    ("forward layer 3", [("n^3", 2, 2), ("a^3", 2, 2)]),
    ("loss", [("C", 1, 1), ("∂C/∂a^3", 2, 2)]),
    ("backward layer 3", [("∂a^3/∂n^3", 2, 2), ("δ^3", 2, 2), ("[∂C/∂b^2; ∂C/∂W^2]", 4, 2)]),
    ("backward layer 2", [("∂C/∂a^2", 2, 3), ("∂a^2/∂n^2", 2, 3), ("δ^2", 2, 3),
                          ("[∂C/∂b^1; ∂C/∂W^1]", 4, 3)]),
    ("backward layer 1", [("∂C/∂a^1", 2, 3), ("∂a^1/∂n^1", 2, 3), ("δ^1", 2, 3),
                          ("[∂C/∂b^0; ∂C/∂W^0]", 3, 3)]),
    ("update", [("[b^0; W^0] (new)", 3, 3), ("[b^1; W^1] (new)", 4, 3),
                ("[b^2; W^2] (new)", 4, 2)]),
]


def test_each_phase_has_an_empty_table_of_the_right_shape_for_each_quantity(tmp_path):
    sheet, _ = write_exercise_sheet(tmp_path / "seed.md", seed_000(), 8)
    text = sheet.read_text(encoding="utf-8")
    exercises = parse_markdown(text)
    assert [heading for heading, _ in exercises] == [
        f"Exercise {i}: iteration 0, {phase}" for i, (phase, _) in enumerate(SEED_000_TABLES, 1)]
    for (_, tables), (_, expected) in zip(exercises, SEED_000_TABLES, strict=True):
        assert [(t["label"], len(t["rows"]), len(t["columns"])) for t in tables] == expected
        for table in tables:
            assert all(cell == "" for row in table["cells"] for cell in row), table["label"]
            assert len({len(row) for row in table["cells"]}) == 1
    # rows are labelled: observations, or the bias and the neurons the weights leave
    forward = exercises[0][1][0]
    assert forward["rows"] == ["obs 0", "obs 1"]
    assert forward["columns"] == ["neuron 0", "neuron 1", "neuron 2"]
    assert exercises[4][1][2]["rows"] == ["b", "from neuron 0", "from neuron 1",
                                          "from neuron 2"]
    # what is given: the loss as the engine defines it (no ½), η, the data, every [b; W]
    given = text.split("## Exercises")[0]
    assert "`C = Σ (a − y)²" in given and "no ½" in given
    assert "η = 0.5" in given and "gd" in given
    assert "`n^1 = [1 | a^0] [b^0; W^0]`" in text
    assert "δ^l = (δ^{l+1} (W^l)ᵀ) ⊙ f′(n^l)" in given
    for label in ("x = a^0", "y", "[b^0; W^0]", "[b^1; W^1]", "[b^2; W^2]"):
        assert f"| {label} |" in given
    assert "| obs 0 | 0.8 | 0.4 |" in given and "| obs 1 | 1 | 0 |" in given


def test_the_sheet_is_computed_on_a_copy_and_starts_where_the_stepper_stands():
    stepper = seed_000()
    for _ in range(3):
        stepper.step_phase()
    theta, outputs = stepper.network.theta.copy(), stepper.trace.activations[3].copy()
    sheet = build_sheet(stepper, 12)
    assert (stepper.iteration, stepper.phase, stepper.head_position) == (0, 3, (0, 3))
    np.testing.assert_array_equal(stepper.network.theta, theta)
    np.testing.assert_array_equal(stepper.trace.activations[3], outputs)
    assert stepper.trace.loss is None and not stepper.has_future
    # the sheet goes on from the loss, into the next iteration
    assert [str(e.phase) for e in sheet.exercises][:2] == ["loss", "backward layer 3"]
    assert (sheet.exercises[4].phase.kind, sheet.exercises[5].iteration) == ("update", 1)
    # what the iteration computed so far is given
    given = {table.label: table for table in sheet.given}
    np.testing.assert_array_equal(given["a^3"].value, stepper.trace.activations[3])
    assert "n^1" in given and "C" not in given
    # and the stepper, stepped on, computes what the key says
    stepper.step_phase()
    assert sheet.exercises[0].tables[0].value[0, 0] == stepper.trace.loss


def test_a_mini_batch_labels_its_rows_and_adam_gives_its_state():
    network = Network([2, 2, 1], ["tanh", "sigmoid"], theta=np.linspace(-1, 1, 9))
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([[1.0], [1.0], [0.0], [0.0]])
    stepper = Stepper(network, x, y, TrainingConfig(loss="bce", optimizer="adam",
                                                    batch_size=3, learning_rate=0.1))
    sheet = build_sheet(stepper, 6)
    batch = Stepper(network.copy(), x, y, stepper.config).evaluate(full=False).batch
    assert sheet.exercises[0].tables[0].rows == [f"obs {o}" for o in batch]
    assert "mini-batch: observations " + ", ".join(str(o) for o in batch) in sheet.exercises[0].task
    labels = [table.label for table in sheet.exercises[-1].tables]
    assert labels == ["m^0", "v^0", "[b^0; W^0] (new)", "m^1", "v^1", "[b^1; W^1] (new)"]
    given = [table.label for table in sheet.given]
    assert {"m^0", "v^1", "t"} <= set(given)
    # the first moment after Adam's first step is (1 − β₁) g
    gradient = sheet.exercises[-2].tables[-1].value  # [∂C/∂b^0; ∂C/∂W^0]
    np.testing.assert_allclose(sheet.exercises[-1].tables[0].value, 0.1 * gradient,
                               rtol=1e-12)


# ---------------------------------------------------------------------------------- LaTeX
def latex_problems(tex: str) -> list[str]:
    """What keeps ``tex`` from being well-formed: non-ASCII characters, unbalanced braces,
    environments, display or inline math, and tabular rows of the wrong width."""
    problems = [f"non-ASCII {c!r}" for c in sorted(set(tex)) if ord(c) > 127]
    plain = re.sub(r"\\[\\{}$&%#_]", "", tex.replace(r"\\", " "))  # escaped characters
    depth = 0
    for c in plain:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            problems.append("a } closes nothing")
            depth = 0
    if depth:
        problems.append(f"{depth} {{ left open")
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{(\w+\*?)\}", tex):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            problems.append(f"\\end{{{name}}} does not close its \\begin")
    problems += [f"\\begin{{{name}}} not closed" for name in stack]
    if tex.count(r"\[") != tex.count(r"\]"):
        problems.append("display math unbalanced")
    for line in tex.splitlines():
        if (line.count("$") - line.count(r"\$")) % 2:
            problems.append(f"odd $ in {line!r}")
    for start in (m.end() for m in re.finditer(r"\\begin\{tabular\}\{", tex)):
        depth, end = 1, start
        while depth and end < len(tex):  # the column spec, p{…} in it
            depth += {"{": 1, "}": -1}.get(tex[end], 0)
            end += 1
        spec, body = tex[start:end - 1], tex[end:tex.find(r"\end{tabular}", end)]
        columns = len(re.findall(r"[lcr]|p\{", re.sub(r"\{[^{}]*\}", "{}", spec)))
        for row in body.split(r"\\")[:-1]:
            if (row.count("&") - row.count(r"\&")) != columns - 1:
                problems.append(f"a row of {columns} columns: {row.strip()!r}")
    return problems


def networks():
    """seed 000, and a network for each activation (hidden) and each loss (output)."""
    yield "seed 000", seed_000()
    rng = np.random.default_rng(5)
    x, y = rng.random((3, 2)), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    outputs = [("sigmoid", "bce"), ("softmax", "cross_entropy"), ("linear", "mse"),
               ("tanh", "sse")]
    hidden = [name for name, a in ACTIVATIONS.items() if not a.output_only]
    optimizers = ["gd", "sgd", "momentum", "adam"]
    for i, name in enumerate(hidden):
        output, loss = outputs[i % len(outputs)]
        network = Network([2, 3, 2], [name, output], bias=i % 2 == 0)
        network.theta[:] = rng.normal(size=network.theta.size)
        config = TrainingConfig(loss=loss, optimizer=optimizers[i % 4], learning_rate=0.1,
                                batch_size=2 if i % 4 else None)
        yield f"{name} → {output} ({loss}, {config.optimizer})", Stepper(network, x, y, config)


@pytest.mark.parametrize("answers", [False, True])
def test_the_latex_sheet_is_well_formed_for_every_activation_and_loss(answers):
    for name, stepper in networks():
        sheet = build_sheet(stepper, 2 * stepper.network.layer_count + 3,
                            title="Sheet #1: 50% & more_{x} ~ ^ \\")
        tex = latex_sheet(sheet, answers)
        assert latex_problems(tex) == [], name
        assert "?" not in tex, f"{name}: a character the LaTeX map does not know"
        assert r"\section*{Sheet \#1: 50\% \& more\_\{x\} \textasciitilde{} " in tex
        assert tex.count(r"\begin{tabular}") == sum(len(e.tables) for e in sheet.exercises)


def test_the_checker_finds_what_breaks_latex():
    """latex_problems, on broken texts: a test of the test."""
    good = "\\begin{center}$a_{1}$ \\& \\{ \\end{center}"
    assert latex_problems(good) == []
    assert latex_problems("\\begin{center}{\\end{center}")
    assert latex_problems("\\begin{center}\\end{tabular}")
    assert latex_problems("$a$ $b")
    assert latex_problems("α")
    assert latex_problems("\\begin{tabular}{|l|c|}\nx & y & z \\\\\n\\end{tabular}")


def test_the_latex_key_holds_the_numbers_in_tabulars_and_the_given_in_bmatrices():
    sheet = build_sheet(seed_000(), 8)
    key, empty = latex_sheet(sheet, answers=True), latex_sheet(sheet, answers=False)
    assert "obs 0 & $2.2$ & $2.2$ & $2.2$ \\\\ \\hline" in key
    assert "$2.2$" not in empty and r"\rule{0pt}{3.2ex}obs 0 &  &  &  \\ \hline" in empty
    assert r"\begin{bmatrix} 0.8 & 0.4 \\ 0.3 & 0.3 \end{bmatrix}" in empty
    assert "rounded to 7 decimals" in key and "rounded to 7 decimals" not in empty


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed: the LaTeX is checked for form only")
def test_the_latex_sheet_compiles(tmp_path):
    for index, (name, stepper) in enumerate(networks()):
        if index > 2:
            break  # the form test covers the rest; pdflatex takes a second a run
        paths = write_exercise_sheet(tmp_path / f"sheet{index}.tex", stepper, 8, title=name)
        for path in paths:
            done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                                   path.name], cwd=tmp_path, capture_output=True, text=True,
                                  timeout=120, check=False)
            assert done.returncode == 0, f"{name}: {done.stdout[-2000:]}"
            assert path.with_suffix(".pdf").stat().st_size > 1000


# ------------------------------------------------------------------- counts, names, files
@pytest.mark.parametrize("bad", [0, -1, MAX_PHASES + 1, 2.5, True, "8", None])
def test_a_bad_number_of_phases_is_refused(bad, tmp_path):
    with pytest.raises(ValueError, match=r"phases: a whole number from 1 to 100, not"):
        write_exercise_sheet(tmp_path / "s.md", seed_000(), bad)
    assert list(tmp_path.iterdir()) == []


def test_the_largest_sheet_is_made():
    sheet = build_sheet(seed_000(), MAX_PHASES)
    assert len(sheet.exercises) == MAX_PHASES
    assert sheet.exercises[-1].iteration == (MAX_PHASES - 1) // 8


@pytest.mark.parametrize("name", ["sheet.txt", "sheet", "sheet.MD.bak"])
def test_a_name_that_is_not_md_or_tex_is_refused(name, tmp_path):
    with pytest.raises(ValueError, match=r"\.md \(Markdown\) or \.tex \(LaTeX\)"):
        write_exercise_sheet(tmp_path / name, seed_000(), 2)
    assert list(tmp_path.iterdir()) == []


def test_the_answers_go_beside_the_sheet(tmp_path):
    assert answers_path(tmp_path / "week 3.tex") == tmp_path / "week 3-answers.tex"
    assert answers_path("a/b.md").as_posix() == "a/b-answers.md"


def test_a_failed_write_leaves_the_existing_files_as_they_were(tmp_path, monkeypatch):
    sheet, key = tmp_path / "s.md", tmp_path / "s-answers.md"
    sheet.write_text("my sheet")
    key.write_text("my key")

    def full_disk(file, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "_copy_into", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_exercise_sheet(sheet, seed_000(), 4)
    assert sheet.read_text() == "my sheet" and key.read_text() == "my key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s-answers.md", "s.md"]


def test_a_phase_that_is_not_finite_is_named():
    # n = a = 1e200 is finite; the loss, (1e200)², is not
    network = Network([1, 1], ["linear"], theta=np.array([1e100, 0.0]))
    stepper = Stepper(network, [[1e100]], [[0.0]], TrainingConfig(loss="sse"))
    with pytest.raises(ValueError, match=r"exercise 2 \(loss, iteration 0\).*not finite.*"
                                         r"choose fewer phases"):
        build_sheet(stepper, 3)
    assert markdown_sheet(build_sheet(stepper, 1)).count("### Exercise") == 1


def test_a_float32_sheet_says_its_precision_and_a_float64_one_does_not():
    """A learner checking a float32 run's key by hand must know its numbers are rounded to
    float32, in the Markdown sheet and the LaTeX one."""
    stepper = seed_000()
    plain = markdown_sheet(build_sheet(stepper, 1))
    assert "Precision" not in plain and "float32" not in plain
    stepper.set_config(stepper.config.with_changes(dtype="float32"))
    sheet = build_sheet(stepper, 1)
    text = markdown_sheet(sheet)
    assert "Precision" in text and "float32, PyTorch's default" in text
    assert "float32" in latex_sheet(sheet)
