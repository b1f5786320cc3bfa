"""The lesson on Mazur's worked example (resources/lessons/06-mazur.json) and the claims it
is written with: quantity_near, parameter_near and loss_near, a number of the pass, a weight
or the loss to within a tolerance (his numbers to the digits he printed)."""

from __future__ import annotations

import json

import pytest
from paths import REPO

from engine import lessons
from engine.core.network import ParameterAddress
from engine.io.jsonfields import FileFormatError
from engine.lessons import Nudge, build
from engine.lessons.runner import walk

LESSON = REPO / "resources" / "lessons" / "06-mazur.json"


def claims_of(step: dict) -> list[dict]:
    return step.get("claims", [])


def test_the_lesson_follows_his_steps_in_order_each_with_a_prediction():
    lesson = lessons.load_lesson(LESSON)
    assert lesson.key == "mazur"
    titles = [step.title for step in lesson.steps]
    assert titles == ["His network, forward", "The error", "∂E/∂w5: three factors",
                      "The output deltas", "∂E/∂w1 through both outputs",
                      "The update, about to run", "After one update", "10,000 iterations"]
    for step in lesson.steps:
        assert step.predict, step.title
        assert step.checks, step.title


def test_his_published_numbers_are_the_claims_to_his_digits():
    """Each number he printed is a claim, its tolerance half a unit of his last digit (δ_o2,
    which he cut rather than rounded, one unit)."""
    steps = json.loads(LESSON.read_text(encoding="utf-8"))["steps"]
    values = {c.get("name") or c.get("parameter") or c["kind"]: (c["value"], c.get("tolerance"))
              for step in steps for c in claims_of(step) if "value" in c and
              c["kind"] in ("quantity_near", "parameter_near", "loss_near")}
    expected = {
        "out_h1 = a^1_0": (0.593269992, 5e-10), "out_o1 = a^2_0": (0.75136507, 5e-9),
        "out_o2 = a^2_1": (0.772928465, 5e-10), "net_o1 = n^2_0": (1.105905967, 5e-10),
        "∂E/∂w5 = ∂C/∂w^1_{0,0}": (0.082167041, 5e-10), "δ_o1 = δ^2_0": (0.138498562, 5e-10),
        "δ_o2 = δ^2_1": (-0.038098236, 1e-9), "∂E/∂w1 = ∂C/∂w^0_{0,0}": (0.000438568, 5e-10),
        "w5": (0.35891648, 5e-9), "w6": (0.408666186, 5e-10), "w7": (0.51130127, 5e-10),
        "w8": (0.561370121, 5e-10), "w1": (0.149780716, 5e-10), "w2": (0.19956143, 5e-9),
        "w3": (0.24975114, 5e-9), "w4": (0.29950229, 5e-9), "loss_near": (3.51085e-05, 5e-11),
    }
    for name, pair in expected.items():
        assert values[name] == pair, name


def test_walked_headless_every_claim_holds():
    results = [verdict for _, _, step in walk(lessons.load_lesson(LESSON))
               for _, verdict in step]
    assert len(results) >= 30
    assert all(verdict.holds for verdict in results), [v.detail for v in results
                                                       if not v.holds]


def test_the_claims_fail_when_the_network_is_not_his():
    """A nudge of w5 by 1e-6 changes out_o1 by about 1e-7: his eight digits no longer hold."""
    lesson = lessons.load_lesson(LESSON)
    lab = build(lesson, 0)
    Nudge(ParameterAddress.weight(1, 0, 0), 1e-6, "w5").apply(lab)
    verdicts = {claim.text.split(" is ")[0]: claim(lab.stepper, lab.memo)
                for claim in lesson.steps[0].checks}
    assert not verdicts["out_o1 = a^2_0"].holds
    assert verdicts["out_h1 = a^1_0"].holds  # w5 is after the hidden layer
    assert "from 0.75136507" in verdicts["out_o1 = a^2_0"].detail
    lab = build(lesson, 6)
    Nudge(ParameterAddress.weight(0, 0, 0), 1e-8, "w1").apply(lab)
    w1 = next(c for c in lesson.steps[6].checks if c.text.startswith("w1 is"))
    assert not w1(lab.stepper, lab.memo).holds


def mazur_lesson(claim: dict) -> str:
    return json.dumps({"format": "backprop-lab-lesson/1", "title": "T", "summary": "S",
                       "steps": [{"title": "One", "text": "Text.",
                                  "actions": [{"load": "mazur-2-2-2.json"}],
                                  "claims": [claim]}]})


@pytest.mark.parametrize("claim, expected", [
    ({"kind": "quantity_near", "quantity": "deltas", "layer": 2, "at": [0, 2], "value": 1},
     "steps[0].claims[0].at[1]: expected a whole number from 0 to 1, got 2"),
    ({"kind": "quantity_near", "quantity": "deltas", "layer": 2, "at": [0], "value": 1},
     "steps[0].claims[0].at: expected 2 whole numbers"),
    ({"kind": "quantity_near", "quantity": "deltas", "layer": 0, "at": [0, 0], "value": 1},
     "steps[0].claims[0].layer:"),
    ({"kind": "quantity_near", "quantity": "bias_gradients", "layer": 1, "at": [0, 0],
      "value": 1}, "steps[0].claims[0].at: expected 1 whole number"),
    ({"kind": "quantity_near", "quantity": "delta", "layer": 2, "at": [0, 0], "value": 1},
     "steps[0].claims[0].quantity: unknown quantity"),
    ({"kind": "parameter_near", "parameter": "w9", "value": 1},
     "steps[0].claims[0].parameter:"),
    ({"kind": "loss_near", "value": 0.3, "tolerance": -1},
     "steps[0].claims[0].tolerance: must not be negative, got -1"),
    ({"kind": "loss_near"}, "steps[0].claims[0].value: missing"),
])
def test_a_bad_claim_is_refused_naming_its_field(claim, expected):
    with pytest.raises(FileFormatError) as caught:
        lessons.loads_lesson(mazur_lesson(claim))
    assert str(caught.value).startswith(expected), str(caught.value)


def test_a_claim_on_a_quantity_not_computed_yet_does_not_hold():
    """In the middle of the forward pass the deltas and the loss are not there yet: said so,
    not taken from another pass."""
    lesson = lessons.loads_lesson(mazur_lesson(
        {"kind": "quantity_near", "quantity": "deltas", "layer": 2, "at": [0, 0],
         "value": 0.138498562, "tolerance": 5e-10}))
    lab = build(lesson, 0)
    claim = lesson.steps[0].checks[0]
    assert claim(lab.stepper, lab.memo).holds  # at the start: a whole pass at θ
    lab.stepper.step_phase()  # forward layer 1
    verdict = claim(lab.stepper, lab.memo)
    assert not verdict.holds and "not computed yet" in verdict.detail
