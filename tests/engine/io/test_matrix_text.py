"""engine/io/matrix_text.py: reading a matrix a learner pasted, in every format the Compare
panel takes, never evaluating the text; each cell's allowance for the digits printed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from paths import REFERENCE_FILE

from engine.io.matrix_text import MAX_CELLS, MatrixParseError, parse_matrix, read_matrix
from engine.io.tables import pipe_table

# seed 000's printed first iteration (tests/data), as the seed printed it
REFERENCE = json.loads(REFERENCE_FILE.read_text())


@pytest.mark.parametrize("text", [
    "array([[1., 2.], [3, 4]])",
    "array([[1., 2.],\n       [3., 4.]], dtype=float64)",
    "np.array([[1.0, 2.0], [3.0, 4.0]])",
    "[[1. 2.]\n [3. 4.]]",  # print(a): no commas
    "[[1, 2], [3, 4]]",
    "[(1, 2), (3, 4)]",
    "[1, 2]\n[3, 4]",
    "1,2\n3,4",
    "a,b\n1,2\n3,4",  # a header row of names
    '"x","y"\n"1","2"\n"3","4"\n',
    "1, 2,\n3, 4,",  # trailing commas
    "1 2\n3 4",
    "1\t2\n\n3\t4\n",
    "| 1   2 |\n| 3   4 |",
    "| 1 | 2 |\n|---|---|\n| 3 | 4 |",
    "+---+---+\n| 1 | 2 |\n| 3 | 4 |\n+---+---+",
    "a^1 = σ(n^1)\n| 1   2 |\n| 3   4 |",  # a seed table with its title
])
def test_every_format_reads_the_same_matrix(text):
    values = parse_matrix(text)
    assert values.dtype == float
    np.testing.assert_array_equal(values, [[1.0, 2.0], [3.0, 4.0]])


def test_a_flat_list_is_one_row_and_numbers_take_every_form():
    np.testing.assert_array_equal(parse_matrix("[1, 2, 3]"), [[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(parse_matrix("7"), [[7.0]])
    np.testing.assert_array_equal(parse_matrix("[[5]]"), [[5.0]])
    np.testing.assert_array_equal(parse_matrix("1e-3 -0.5 +2. .25 3.5E2 \u22124"),
                                  [[0.001, -0.5, 2.0, 0.25, 350.0, -4.0]])


def test_the_seeds_printed_table_reads_back():
    # seed 000's a^1, as printed by the seed
    values = parse_matrix("| 0.9002495   0.9002495   0.9002495 |\n"
                          "| 0.8320184   0.8320184   0.8320184 |")
    np.testing.assert_array_equal(values, REFERENCE["activation_layer_1"])


def test_notes_say_what_was_skipped():
    parsed = read_matrix("w1,w2\n0.5,0.25")
    assert parsed.notes and "header" in parsed.notes[0] and "w1,w2" in parsed.notes[0]
    # a single row of names is not a header: there is nothing after it
    with pytest.raises(MatrixParseError, match="row 1, column 1: 'w1' is not a number"):
        parse_matrix("w1,w2")


@pytest.mark.parametrize(("text", "message"), [
    ("1,2,3\n4,5,nan", r"row 2, column 3: 'nan' is not a finite number"),
    ("[[1, 2], [inf, 4]]", r"row 2, column 1: 'inf' is not a finite number"),
    ("1 2\n-Infinity 3", r"row 2, column 1: '-Infinity' is not a finite number"),
    ("1 1e999", r"row 1, column 2: '1e999' is too large"),
    ("1 2\n3 x", r"row 2, column 2: 'x' is not a number"),
    ("1 2\n\n3 4 5", r"row 2 \(line 3\) has 3 numbers but row 1 has 2"),
    ("[[1, 2], [3]]", r"row 2 has 1 numbers but row 1 has 2"),
    ("", "nothing to read"),
    ("   \n\t", "nothing to read"),
    ("[]", "no numbers"),
    ("|---|---|", "no numbers"),
    ("[[[1, 2]]]", "more than two levels of brackets"),
    ("[[1, 2], [3, 4]", r"a '\]' is missing"),
    ("[1, 2]]", r"unexpected '\]'"),
    ("[1, 2)", r"unexpected '\)'"),
    ("[1,, 2]", "a comma with no number before it"),
    ("[1, 2] 3", "'3' is outside the brackets"),
    ("[[1, 2], 3]", "row 1 mixes numbers and lists"),
    ("array([1, 2]", r"array\( is not closed"),
    ("[1, 2, ..., 9]", r"numpy left values out"),
    ("1,,2", "line 1, column 2 is empty"),
    ("1_000 2", r"'1_000' is not a number"),  # Python's float() would take it
    ("\u0661 2", "is not a number"),  # an Arabic-Indic digit: float() would take it too
    ("__import__('os').system('echo hi')", "is not a number"),
])
def test_bad_text_is_refused_with_a_message_naming_the_place(text, message):
    with pytest.raises(MatrixParseError, match=message):
        parse_matrix(text)


def test_the_size_cap():
    with pytest.raises(MatrixParseError, match="more than 1,000,000 numbers"):
        parse_matrix("0 " * (MAX_CELLS + 1))
    assert parse_matrix("0 " * 1000).shape == (1, 1000)


MATRIX_CHARACTERS = "0123456789.,-+eE[]()|:= \n\tainfINFxy\u2212"


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=MATRIX_CHARACTERS)))
@example(",|")  # a row of no cells among the labels (found by this test)
def test_any_text_gives_a_finite_matrix_or_a_parse_error(text):
    try:
        values = parse_matrix(text)
    except MatrixParseError as error:
        assert str(error)
        return
    assert values.ndim == 2 and values.size > 0
    assert np.isfinite(values).all()


finite_cells = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda columns: st.lists(
    st.lists(finite_cells, min_size=columns, max_size=columns), min_size=1, max_size=5)))
def test_a_seed_table_reads_back_to_seven_decimals(rows):
    matrix = np.array(rows)
    np.testing.assert_array_almost_equal(parse_matrix(pipe_table(matrix)), matrix, decimal=7)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300,
                          max_value=1e300), min_size=1, max_size=6))
def test_a_seed_table_of_any_magnitude_reads_back_to_seven_digits(row):
    matrix = np.array([row])
    np.testing.assert_allclose(parse_matrix(pipe_table(matrix)), matrix, rtol=1e-6, atol=1e-7)


def test_rounding_allowance_is_one_unit_of_the_last_digit_written():
    parsed = read_matrix("0.0007543 2.2 1.23456e-5 7")
    # 7 decimals: ±1e-7; fewer than 4 decimals (2.2, 7): no allowance; 1.23456e-5: ±1e-10
    np.testing.assert_allclose(parsed.rounding, [[1e-7, 0.0, 1e-10, 0.0]])


# seed 000's ∂C/∂W² as it printed it (its `[1|a]ᵀ × δ = result` layout: δ³ above the result,
# [1 | a²]ᵀ beside it), copied from ../shared/seeds/000 with its indentation
SEED_GRADIENT_LAYOUT = """\
                        |  0.02956687 |  0.02199233 |
                        |  -0.0007543 |  0.03770352 |
|         1           1 |   0.0288126 |   0.0596958 |
| 0.9758906   0.9705753 |    0.028122 |   0.0580562 |
| 0.9758906   0.9705753 |    0.028122 |   0.0580562 |
| 0.9758906   0.9705753 |    0.028122 |   0.0580562 |"""
# and its n¹ = [1 | a⁰] × [b⁰; W⁰]
SEED_N1_LAYOUT = """\
                |   1 |   1 |   1 |
                |   1 |   1 |   1 |
                |   1 |   1 |   1 |
| 1   0.8   0.4 | 2.2 | 2.2 | 2.2 |
| 1   0.3   0.3 | 1.6 | 1.6 | 1.6 |"""


def test_the_seeds_product_layout_gives_its_result_block():
    parsed = read_matrix(SEED_GRADIENT_LAYOUT)
    np.testing.assert_array_equal(parsed.values,
                                  REFERENCE["weight_gradient_2_augmented"]["value"])
    assert any("product layout" in note and "result block" in note for note in parsed.notes)
    np.testing.assert_array_equal(parse_matrix(SEED_N1_LAYOUT),
                                  REFERENCE["pre_activation_layer_1"])
    # under the title the app's "Copy the whole block as text" puts above it
    titled = "[∂C/∂b^2; ∂C/∂W^2] = [1 | a^2]ᵀ × δ^3\n" + SEED_GRADIENT_LAYOUT
    np.testing.assert_array_equal(parse_matrix(titled),
                                  REFERENCE["weight_gradient_2_augmented"]["value"])


def test_a_row_short_of_a_number_is_not_taken_for_a_product_layout():
    # the widths would fit (one row of 2, then rows of 1 + 2) but nothing is indented above
    # a result: a mistake, refused as before
    with pytest.raises(MatrixParseError, match="row 2 has 3 numbers but row 1 has 2"):
        read_matrix("| 1   2 |\n| 3   4   5 |")


def test_an_element_wise_block_copied_whole_gives_its_result():
    text = ("δ^3 = ∂C/∂a^3 ⊙ ∂a^3/∂n^3\n∂C/∂a^3:\n| 1.5   1.2 |\n| 0.5   2 |\n"
            "⊙ ∂a^3/∂n^3:\n| 0.5   0.5 |\n| 2   1 |\n= δ^3:\n| 0.75   0.6 |\n| 1   2 |")
    parsed = read_matrix(text)
    assert parsed.values.tolist() == [[0.75, 0.6], [1.0, 2.0]]  # 1.5·0.5, 1.2·0.5, …
    assert "took the result after line 8 (= δ^3:)" in parsed.notes
