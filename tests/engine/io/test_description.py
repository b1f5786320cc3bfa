"""A file's one-line ``description`` (File ▸ Examples shows it): read, kept, written back, and
refused with the field's name when it is not one line of text."""

from __future__ import annotations

import copy
import json

import pytest
from paths import EXAMPLES

from engine.io import fileformat
from engine.io.fileformat import MAX_DESCRIPTION, FileFormatError, dumps, loads

FILE = {
    "format": "backprop-lab/2",
    "description": "One sigmoid neuron — ½ SSE, η = 0.5",
    "network": {"layers": [1, 1], "activations": ["sigmoid"], "bias": True,
                "weights": [[[0.5]]], "biases": [[0.1]]},
    "data": {"inputs": [[1.0]], "targets": [[0.0]]},
}


def with_description(value) -> str:
    document = copy.deepcopy(FILE)
    document["description"] = value
    return json.dumps(document, ensure_ascii=False)


def test_the_description_is_kept_and_written_back_after_the_format():
    document = loads(json.dumps(FILE, ensure_ascii=False))
    assert document.description == "One sigmoid neuron — ½ SSE, η = 0.5"
    text = dumps(document)
    assert text.splitlines()[:3] == ["{", '  "format": "backprop-lab/2",',
                                     '  "description": "One sigmoid neuron — ½ SSE, η = 0.5",']
    assert loads(text).description == document.description
    # a stepper's document carries it when given, and a save of it keeps it
    stepper = document.make_stepper()
    stepper.run(3)
    again = fileformat.Document.from_stepper(stepper, description=document.description)
    assert loads(dumps(again)).description == document.description


def test_no_description_writes_none_and_a_version_1_file_may_have_one():
    plain = copy.deepcopy(FILE)
    del plain["description"]
    document = loads(json.dumps(plain))
    assert document.description is None
    assert '"description"' not in dumps(document)
    version_1 = copy.deepcopy(FILE)
    version_1["format"] = "backprop-lab/1"
    assert loads(json.dumps(version_1)).description == FILE["description"]
    assert loads(with_description(None)).description is None  # null: none


@pytest.mark.parametrize("value, expected", [
    (12, "description: expected one line of text, got 12"),
    (["a", "b"], "description: expected one line of text, got"),
    ("", "description: empty (leave the key out for no description)"),
    ("   ", "description: empty"),
    ("first line\nsecond line", "description: expected one line of text, got a line break"),
    ("name\tshortcut", "description: expected one line of text, got the control character "
                       "'\\t' at 4"),
    ("x" * (MAX_DESCRIPTION + 1),
     f"description: {MAX_DESCRIPTION + 1} characters, more than the limit of "
     f"{MAX_DESCRIPTION}"),
])
def test_a_bad_description_is_refused_naming_the_field(value, expected):
    with pytest.raises(FileFormatError) as caught:
        loads(with_description(value))
    assert str(caught.value).startswith(expected)


def test_a_description_of_the_limit_is_read():
    assert loads(with_description("x" * MAX_DESCRIPTION)).description == "x" * MAX_DESCRIPTION


def test_every_example_file_has_a_description_of_one_short_line():
    paths = sorted(EXAMPLES.glob("*.json"))
    assert len(paths) >= 10
    for path in paths:
        description = fileformat.load(path).description
        assert description and len(description) <= 100, path.name
