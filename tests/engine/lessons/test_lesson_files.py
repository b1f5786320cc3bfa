"""Lessons as files (docs/lesson-format.md): every file in resources/lessons walked headless
with all its claims holding (in process, and through ``python -m engine.lessons check`` as a
subprocess); the loader refusing broken files with the field named, one test per kind of
error; the Markdown subset; network files beside the lesson; the fifth lesson (the hidden
bias) checked against numbers worked out here by hand and with numpy; the two checks it
brought (loss_at_least, output_near)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from paths import EXAMPLES, REPO
from reference import forward, sigmoid, train

from engine import lessons
from engine.core.init import InitSpec
from engine.core.network import ParameterAddress
from engine.io.jsonfields import FileFormatError
from engine.lessons import EngineLab, Exercise, Load, NetworkFile, Nudge, RunTo, StepPhases
from engine.lessons.markup import formula, to_html

LESSON_FILES = lessons.lesson_files()


# ============================================================ every lesson file holds
def test_the_lessons_folder_holds_six_lessons():
    assert [path.name for path in LESSON_FILES] == [
        "01-all-equal.json", "02-w5-w6.json", "03-zeros.json", "04-seed.json",
        "05-hidden-bias.json", "06-mazur.json"]


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.name)
def test_every_claim_of_every_lesson_file_holds_walked_headless(path):
    lesson = lessons.load_lesson(path)
    walked = list(lessons.walk(lesson))
    assert len(walked) == len(lesson.steps) > 0
    for index, step, results in walked:
        assert len(results) == len(step.checks)
        for claim, verdict in results:
            assert verdict.holds, f"{path.name} step {index + 1}: {claim.text}: {verdict.detail}"


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.name)
def test_the_check_command_passes_every_lesson_file(path):
    result = subprocess.run([sys.executable, "-m", "engine.lessons", "check", str(path)],
                            cwd=REPO, capture_output=True, text=True, timeout=120,
                            check=False, encoding="utf-8")
    assert result.returncode == 0, result.stdout + result.stderr
    lesson = lessons.load_lesson(path)
    claims = sum(len(step.checks) for step in lesson.steps)
    assert result.stdout.count("✓") == claims and "✗" not in result.stdout
    for index, step in enumerate(lesson.steps):
        assert f"{index + 1}. {step.title}\n" in result.stdout


def test_importing_the_package_reads_no_lesson_file():
    """The window's start-up imports engine.lessons; the files are read when LESSONS is
    first asked for."""
    code = ("import engine.lessons as l; print(l._lessons is None); "
            "print(len(l.LESSONS)); print(l._lessons is not None)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.split() == ["True", "6", "True"]


# ================================================================ the command line
def minimal(**step) -> dict:
    """A one-step lesson on seed 000 (every parameter 1), with ``step``'s keys added."""
    return {"format": "backprop-lab-lesson/1", "title": "T", "summary": "S",
            "steps": [{"title": "One", "text": "Text.",
                       "actions": [{"load": "seed-000.json"}], **step}]}


def write(folder, value, name: str = "lesson.json"):
    path = folder / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def run_check(*arguments):
    return subprocess.run([sys.executable, "-m", "engine.lessons", *map(str, arguments)],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
                          encoding="utf-8")


def test_the_check_command_exits_1_when_a_claim_fails(tmp_path):
    path = write(tmp_path, minimal(claims=[{"kind": "all_parameters", "value": 1.0},
                                           {"kind": "all_parameters", "value": 2.0}]))
    result = run_check("check", path)
    assert result.returncode == 1
    assert "✓ Every weight and bias is 1" in result.stdout
    assert "✗ Every weight and bias is 2: θ from 1 to 1" in result.stdout
    assert "1 claim does not hold" in result.stdout


@pytest.mark.parametrize("broken", ["syntax", "field", "missing"])
def test_the_check_command_exits_2_with_one_line_for_a_broken_file(tmp_path, broken):
    if broken == "missing":
        path, expected = tmp_path / "nowhere.json", "No such file or directory"
    elif broken == "syntax":
        path = write(tmp_path, '{"format": "backprop-lab-lesson/1",\n "title" "T"}')
        expected = "file: not valid JSON: Expecting ':' delimiter at line 2, column 10"
    else:
        path = write(tmp_path, minimal(claims=[{"kind": "identicall"}]))
        expected = 'steps[0].claims[0].kind: unknown claim "identicall" (known: identical,'
    result = run_check("check", path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}: ") and expected in result.stderr


def test_the_check_command_says_what_it_does():
    result = run_check("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "check" in text and "✓" in text and "✗" in text
    assert "0 when every claim holds, 1 when a claim does not, 2 when the file is broken" in text


# ======================================================= the loader refuses, naming
def refused(value, beside=None) -> str:
    """The loader's message for a broken lesson (given as parsed JSON or as text)."""
    with pytest.raises(FileFormatError) as caught:
        if isinstance(value, str):
            lessons.loads_lesson(value, beside=beside)
        else:
            lessons.loads_lesson(json.dumps(value), beside=beside)
    return str(caught.value)


def test_a_json_syntax_error_gives_line_and_column():
    text = '{\n  "format": "backprop-lab-lesson/1",\n  "title": "T",,\n}'
    assert refused(text) == ("file: not valid JSON: Expecting property name enclosed in "
                             "double quotes at line 3, column 16")


@pytest.mark.parametrize(("where", "expected"), [
    ("title", "title: missing"),
    ("steps", "steps: missing"),
    ("step text", "steps[0].text: missing"),
    ("nudge by", "steps[0].actions[1].by: missing"),
    ("claim parameter", "steps[0].claims[0].tolerance: missing"),
])
def test_a_missing_field_is_named(where, expected):
    lesson = minimal(claims=[{"kind": "outputs_near_targets", "tolerance": 0.1}])
    if where in ("title", "steps"):
        del lesson[where]
    elif where == "step text":
        del lesson["steps"][0]["text"]
    elif where == "nudge by":
        lesson["steps"][0]["actions"].append({"nudge": "w^0_{0,0}"})
    else:
        del lesson["steps"][0]["claims"][0]["tolerance"]
    assert refused(lesson) == expected


@pytest.mark.parametrize(("change", "expected"), [
    (lambda l: l.update(title=3), "title: expected text, got 3"),
    (lambda l: l.update(steps={}), "steps: expected a list of steps, got an object"),
    (lambda l: l["steps"][0].update(text=["fine", 2]),
     "steps[0].text[1]: expected a line of text, got 2"),
    (lambda l: l["steps"][0]["actions"].append({"run_to": "500"}),
     'steps[0].actions[1].run_to: expected a whole number, got "500"'),
    (lambda l: l["steps"][0]["actions"].append({"run_to": 2.5}),
     "steps[0].actions[1].run_to: expected a whole number, got 2.5"),
    (lambda l: l["steps"][0].update(claims=[{"kind": "loss_below", "limit": True}]),
     "steps[0].claims[0].limit: expected a number, got true"),
    (lambda l: l["steps"][0].update(claims=[{"kind": "equal_pairs", "pairs": [],
                                             "throughout": "yes"}]),
     'steps[0].claims[0].throughout: expected true or false, got "yes"'),
    (lambda l: l["steps"][0].update(show="loss"),
     'steps[0].show: expected a list of topics, got "loss"'),
])
def test_a_wrong_type_is_named(change, expected):
    lesson = minimal()
    change(lesson)
    assert refused(lesson) == expected


def test_an_unknown_action_is_named():
    message = refused(minimal(actions=[{"load": "seed-000.json"}, {"run_too": 5}]))
    assert message == ('steps[0].actions[1]: unknown action "run_too" (known: load, '
                       "step_phases, run_to, nudge, tie, reinitialise, remember)")
    message = refused(minimal(actions=[{"load": "seed-000.json"}, {"run_to": 5, "nudge": "w1"}]))
    assert message == "steps[0].actions[1]: one action per object, got run_to, nudge"


def test_an_unknown_claim_is_named():
    message = refused(minimal(claims=[{"kind": "loss_below", "limit": 1},
                                      {"kind": "identicall"}]))
    assert message.startswith('steps[0].claims[1].kind: unknown claim "identicall" (known: '
                              "identical, columns_differ, ")
    assert "loss_at_least" in message and "output_near" in message


def test_an_unknown_topic_is_named():
    assert refused(minimal(show=["loss", "matrixes"])) == (
        'steps[0].show[1]: unknown topic "matrixes" (known: selection, matrices, loss, '
        "weights, symmetry, decision boundary, initialisation)")


def test_an_unknown_key_gets_a_suggestion():
    assert refused(minimal(claim=[])) == (
        'steps[0]: unknown key "claim" (allowed: title, text, actions, claims, select, show, '
        'reference, matrix, predict; did you mean "claims"?)')


@pytest.mark.parametrize(("name", "expected"), [
    ("w^3_{0,0}", "steps[0].actions[1].nudge: no such parameter in this network: "
                  "w^3_{0,0}: layer 3 has no outgoing parameters"),
    ("w^0_{0,5}", "steps[0].actions[1].nudge: no such parameter in this network: "
                  "w^0_{0,5}: layer 1 has no neuron 5"),
    ("w7", "steps[0].actions[1].nudge: 'w7' is not a weight or bias name (like w^0_{1,2} "
           "or b^1_0)"),
    ("weight one", "steps[0].actions[1].nudge: 'weight one' is not a weight or bias name"),
])
def test_a_bad_address_is_named(name, expected):
    """Seed 000 has 21 weights: no plain numbering, so w7 is no name there."""
    message = refused(minimal(actions=[{"load": "seed-000.json"}, {"nudge": name, "by": 1}]))
    assert message.startswith(expected), message


def test_plain_names_are_read_where_the_network_has_them():
    """Seed 001's 2-2-1 network: w7 is named with the range it has."""
    lesson = minimal(actions=[{"load": "seed-001-tied.json"}, {"nudge": "w7", "by": 1}])
    assert refused(lesson).endswith(", or w1 … w6 in this network")
    lesson["steps"][0]["actions"][1]["nudge"] = "w6"
    nudge = lessons.loads_lesson(json.dumps(lesson)).steps[0].actions[1]
    assert nudge == Nudge(ParameterAddress.weight(1, 1, 0), 1.0, "w6")
    lesson["steps"][0]["actions"][1]["nudge"] = "b^0_0"
    assert refused(lesson).endswith("b^0_0: this network has no biases")


def test_a_missing_network_file_is_named(tmp_path):
    message = refused(minimal(actions=[{"load": "x.json"}]), beside=tmp_path)
    assert message == ('steps[0].actions[0].load: no network file "x.json" beside the lesson '
                       "or in the examples")
    assert refused(minimal(actions=[{"load": "../examples/seed-000.json"}])).startswith(
        'steps[0].actions[0].load: no network file "../examples/seed-000.json"')


def test_a_broken_network_file_is_named_with_its_own_field(tmp_path):
    document = json.loads((EXAMPLES / "seed-000.json").read_text(encoding="utf-8"))
    document["network"]["layers"] = [2, 3, 3]
    (tmp_path / "net.json").write_text(json.dumps(document), encoding="utf-8")
    message = refused(minimal(actions=[{"load": "net.json"}]), beside=tmp_path)
    assert message.startswith("steps[0].actions[0].load: net.json: network.activations: "
                              "expected 2 activation names")


@pytest.mark.parametrize(("step", "expected"), [
    ({"actions": [{"load": "seed-000.json"}, {"step_phases": "forward layer 4"}]},
     'steps[0].actions[1].step_phases: unknown phase of this network "forward layer 4" '
     "(known: forward layer 1, forward layer 2, forward layer 3, loss, backward layer 3, "
     "backward layer 2, backward layer 1, update, next iteration)"),
    ({"predict": [{"phase": "forward layer 9", "quantity": "a^1"}]},
     'steps[0].predict[0].phase: unknown phase of this network "forward layer 9"'),
    ({"predict": [{"phase": "forward layer 1", "quantity": "a^2"}]},
     'steps[0].predict[0].quantity: "a^2" is not computed by forward layer 1 in this '
     "network (it computes: n^1, a^1)"),
])
def test_a_bad_phase_is_named(step, expected):
    assert refused(minimal(**step)).startswith(expected)


def test_the_first_step_must_load_and_runs_must_be_remembered():
    assert refused(minimal(actions=[])) == ('steps[0].actions: the first step must start by '
                                            'loading a network ({"load": "seed-000.json"})')
    assert refused(minimal(actions=[{"run_to": 5}])) == (
        "steps[0].actions[0]: no network loaded yet: the lesson's first action must load one")
    assert refused(minimal(reference="A")).startswith(
        'steps[0].reference: no run "A" remembered by this step or an earlier one '
        "(remembered: none yet)")
    assert refused(minimal(claims=[{"kind": "same_run_as", "run": "B"}])).startswith(
        'steps[0].claims[0].run: no run "B" remembered')
    lesson = minimal()
    lesson["steps"].append({"title": "Two", "text": "x", "actions": [{"remember": "A"}]})
    assert refused(lesson).startswith("steps[1].actions: a step that remembers a run must "
                                      "start by loading a network")


def test_a_network_file_is_not_a_lesson():
    document = json.loads((EXAMPLES / "seed-000.json").read_text(encoding="utf-8"))
    assert refused(document) == ('format: "backprop-lab/1" is a network file, not a lesson '
                                 '(a lesson says "backprop-lab-lesson/1")')


def test_identicals_name_takes_only_the_layer_placeholder():
    claim = {"kind": "identical", "quantity": "activations", "layers": [1], "of": "columns",
             "name": "a^{k}"}
    assert refused(minimal(claims=[claim])).startswith(
        "steps[0].claims[0].name: braces other than {l} (the layer) cannot be used here")
    claim.update(name="a^{l}", layers=[4])
    assert refused(minimal(claims=[claim])) == (
        "steps[0].claims[0].layers[0]: expected a whole number from 0 to 3, got 4")


# ===================================================================== the text
def test_formulas_are_typeset_in_the_seeds_notation():
    assert formula("a^1") == "a<sup>1</sup>"
    assert formula("n^{2}") == "n<sup>2</sup>"
    assert formula("w^1_{0,0}") == "w<sup>1</sup><sub>0,0</sub>"
    assert formula("∂C/∂W^2") == "∂C/∂W<sup>2</sup>"
    assert formula("δ^3 = ∂C/∂n^3") == "δ<sup>3</sup> = ∂C/∂n<sup>3</sup>"
    assert formula("[1 | a^2]^T") == "[1 | a<sup>2</sup>]<sup>T</sup>"
    assert formula("x_{o,i} < 1") == "x<sub>o,i</sub> &lt; 1"


def test_markdown_blocks_and_inline():
    text = ("First **bold** and *italic*, `code_x`, $a^1$ and x_0.\nSame paragraph.\n\n"
            "- one $W^1$\n- two\n  continued\n\nLast \\$5.")
    assert to_html(text) == (
        "<p>First <b>bold</b> and <i>italic</i>, <code>code_x</code>, a<sup>1</sup> and "
        "x_0. Same paragraph.</p><ul><li>one W<sup>1</sup></li><li>two continued</li></ul>"
        "<p>Last $5.</p>")


def test_a_lesson_cannot_put_html_into_the_panel():
    html = to_html('<script>alert(1)</script> & <b onclick="x">$<i>^2$</b>')
    assert "<script>" not in html and "<b " not in html and "<i>" not in html
    assert html.startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b")


# ============================================================ network files
def test_a_network_file_beside_the_lesson_comes_first(tmp_path):
    document = json.loads((EXAMPLES / "seed-000.json").read_text(encoding="utf-8"))
    document["network"]["weights"][0][0][0] = 0.25  # not the example's 1
    write(tmp_path, document, "seed-000.json")
    path = write(tmp_path, minimal(), "01-mine.json")
    lesson = lessons.load_lesson(path)
    assert lesson.key == "mine" and lesson.path == path.resolve()
    load = lesson.steps[0].actions[0]
    assert load.make.path == (tmp_path / "seed-000.json").resolve()
    assert load.make().network.weights[0][0, 0] == 0.25
    assert load.text == "Lesson: seed-000.json"  # the undo entry, when the file names none


def test_a_loads_init_draws_what_the_file_leaves_out_and_keeps_what_it_gives():
    """band.json gives no parameters: the init draws them (uniform(−1, 1), seed 3, layer by
    layer, W then b); seed-001-tied.json gives its weights: the init is their record."""
    drawn = NetworkFile(EXAMPLES / "band.json", InitSpec("uniform", 3))()
    rng = np.random.default_rng(3)
    expected = []
    for rows, columns in ((2, 4), (4, 1)):
        expected += [rng.uniform(-1.0, 1.0, (rows, columns)).ravel(),
                     rng.uniform(-1.0, 1.0, columns)]
    np.testing.assert_array_equal(drawn.network.theta, np.concatenate(expected))
    assert drawn.init == InitSpec("uniform", 3)
    kept = NetworkFile(EXAMPLES / "seed-001-tied.json", InitSpec("uniform", 3))()
    np.testing.assert_array_equal(kept.network.theta, [0.2, 0.2, -0.3, -0.3, 0.4, 0.4])
    assert kept.init == InitSpec("uniform", 3)


# ==================================================================== the fifth lesson
HIDDEN_BIAS = "hidden-bias"
X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
Y = np.array([[0.9], [0.1], [0.1]])
W0 = np.array([[0.5], [-0.5]])  # the files' weights, w1 = 0.5 and w2 = −0.5; b = 0.5


def test_the_hidden_bias_networks_are_the_same_but_for_the_bias():
    lesson = lessons.lesson(HIDDEN_BIAS)
    with_bias, without = (step.actions[0].make() for step in lesson.steps
                          if step.actions and isinstance(step.actions[0], Load))
    assert with_bias.network.bias and not without.network.bias
    for document in (with_bias, without):
        np.testing.assert_array_equal(document.network.weights[0], W0)
        np.testing.assert_array_equal(document.inputs, X)
        np.testing.assert_array_equal(document.targets, Y)
        assert document.training.loss == "sse"
    np.testing.assert_array_equal(with_bias.network.biases[0], [0.5])


def test_the_hidden_bias_asks_for_n1_with_and_without_the_bias():
    lesson = lessons.lesson(HIDDEN_BIAS)
    exercises = [(index, exercise) for index, step in enumerate(lesson.steps)
                 for exercise in step.predict]
    assert [exercise for _, exercise in exercises] == [Exercise("forward layer 1", "n^1")] * 2
    biases = [lessons.build(lesson, index).stepper.network.bias for index, _ in exercises]
    assert biases == [True, False]
    for index, _ in exercises:  # asked before the engine computes it
        assert lessons.build(lesson, index).stepper.phase == 0


def test_the_hidden_bias_shows_n1_as_the_product_with_the_column_of_ones():
    """The steps after each exercise stand past forward layer 1 and show its block: n^1 =
    [1 | a^0] × [b^0; W^0] = 0.5 + x W^0 by hand (0.5, 1, 0), and without the bias
    a^0 × W^0 (0, 0.5, −0.5)."""
    from engine.analysis.matrices import forward_blocks

    lesson = lessons.lesson(HIDDEN_BIAS)
    shown = [index for index, step in enumerate(lesson.steps) if step.matrix == "n^1 = "]
    assert len(shown) == 2
    for index, expected, left in zip(shown, ([0.5, 1.0, 0.0], [0.0, 0.5, -0.5]),
                                     ("[1 | a^0]", "a^0"), strict=True):
        step, stepper = lesson.steps[index], lessons.build(lesson, index).stepper
        assert "matrices" in step.show
        np.testing.assert_allclose(stepper.trace.pre_activations[1].ravel(), expected,
                                   atol=1e-15)
        block = forward_blocks(stepper.network, stepper.trace, 1)[0]
        assert block.title.startswith("n^1 = ") and block.left_title == left


def test_without_a_bias_the_output_at_the_origin_is_one_half_whatever_the_weights():
    """The lesson's claim, by numpy: any weights, trained or not, give σ(0) = 0.5 at (0, 0),
    so the sse loss stays at least (0.9 − 0.5)² = 0.16; with the bias, plain gradient
    descent fits all three targets."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        W = [rng.normal(0.0, 10.0, (2, 1))]
        assert forward(W, None, X)[-1][0, 0] == 0.5
    W = [W0.copy()]
    losses = train(W, None, X, Y, "sse", 1.0, 1000)
    assert forward(W, None, X)[-1][0, 0] == 0.5 and min(losses) >= 0.16
    W, b = [W0.copy()], [np.array([0.5])]
    train(W, b, X, Y, "sse", 1.0, 1000)
    assert np.max(np.abs(forward(W, b, X)[-1] - Y)) < 0.01
    # and the lesson's own last steps agree
    lesson = lessons.lesson(HIDDEN_BIAS)
    lab = lessons.build(lesson, len(lesson.steps) - 1)
    assert not lab.stepper.network.bias and lab.stepper.iteration == 1500
    W_now = [lab.stepper.network.weights[0].copy()]
    assert abs(W_now[0][0, 0] - W[0][0, 0]) > 1.0  # the nudged weights moved far
    assert forward(W_now, None, X)[-1][0, 0] == 0.5


# ============================================================== the two new checks
def lab_on(path, bias_nudge=0.0) -> EngineLab:
    lab = EngineLab()
    Load(NetworkFile(EXAMPLES / path), "").apply(lab)
    return lab


def test_output_near_holds_and_fails_by_the_hand_worked_outputs():
    lab = lab_on("hidden-bias.json")  # outputs σ(0.5), σ(1), σ(0)
    memo = {}
    assert lessons.output_near(0, float(sigmoid(0.5)), 1e-12)(lab.stepper, memo).holds
    assert lessons.output_near(2, 0.5, 0.0)(lab.stepper, memo).holds
    result = lessons.output_near(1, 0.5, 0.2)(lab.stepper, memo)  # σ(1) − 0.5 = 0.231
    assert not result.holds and "inputs 1, 0" in result.detail and "0.731059" in result.detail
    assert lessons.output_near(1, 0.5, 0.24)(lab.stepper, memo).holds
    beyond = lessons.output_near(3, 0.5, 0.1)(lab.stepper, memo)  # three observations
    assert not beyond.holds and "does not apply" in beyond.detail


def test_loss_at_least_holds_and_fails_by_the_hand_worked_loss():
    """Before training: C = (σ(0.5) − 0.9)² + (σ(1) − 0.1)² + (0.5 − 0.1)²."""
    lab = lab_on("hidden-bias.json")
    loss = (sigmoid(0.5) - 0.9) ** 2 + (sigmoid(1.0) - 0.1) ** 2 + 0.4 ** 2
    assert lessons.loss_at_least(loss - 1e-9)(lab.stepper, {}).holds
    assert not lessons.loss_at_least(loss + 1e-9)(lab.stepper, {}).holds
    RunTo(1000).apply(lab)  # with its bias it fits: far below 0.16
    result = lessons.loss_at_least(0.16)(lab.stepper, {})
    assert not result.holds and result.detail.startswith("loss ")
    none = lab_on("hidden-bias-none.json")
    StepPhases("loss").apply(none)
    RunTo(1000).apply(none)
    assert lessons.loss_at_least(0.16)(none.stepper, {}).holds


def test_a_claims_text_can_be_the_steps_own_words():
    claim = {"kind": "loss_below", "limit": 10, "text": "Small enough"}
    step = lessons.loads_lesson(json.dumps(minimal(claims=[claim]))).steps[0]
    assert [check.text for check in step.checks] == ["Small enough"]
    lab = lessons.build(lessons.loads_lesson(json.dumps(minimal(claims=[claim]))), 0)
    assert lessons.check(step, lab.stepper, lab.memo)[0][1].holds


def test_a_header_is_read_without_the_steps(tmp_path):
    """The Lessons menu reads titles and summaries only: a file whose steps are broken still
    has a header; one whose title is wrong does not, and says which field."""
    from engine.io.jsonfields import FileFormatError

    path = tmp_path / "07-mine.json"
    path.write_text('{"format": "backprop-lab-lesson/1", "title": "Mine", "summary": "s", '
                    '"steps": [{"oops": 1}]}')
    header = lessons.read_header(path)
    assert (header.key, header.title, header.summary, header.path) == ("mine", "Mine", "s", path)
    with pytest.raises(FileFormatError, match=r"^steps\[0\]"):
        lessons.load_lesson(path)
    path.write_text('{"format": "backprop-lab-lesson/1", "title": [], "summary": "s"}')
    with pytest.raises(FileFormatError, match="^title: expected text"):
        lessons.read_header(path)
