"""engine/compare.py: reading pasted matrices, the quantities of an iteration, comparing.

Reference numbers are seed 000's printed first iteration (tests/data) or worked out by hand
in the comments; none is copied from the engine's output.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Network, Stepper, TrainingConfig
from engine.analysis.compare import (
    MAX_CELLS,
    MatrixParseError,
    Quantity,
    compare,
    earliest_disagreement,
    parse_matrix,
    quantities,
    quantity,
    read_matrix,
)
from engine.core.phases import Phase, phases_of
from engine.io.tables import pipe_table

REFERENCE = json.loads((DATA
                        / "seed-000-first-iteration.json").read_text())
SEED_TOLERANCE = REFERENCE["tolerance"]  # the seed rounds to 7-8 decimals


def seed_000_stepper() -> Stepper:
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, bias=True)
    network.theta[...] = 1.0
    data = REFERENCE["data"]
    return Stepper(network, data["inputs"], data["targets"],
                   TrainingConfig(loss="sse", optimizer="gd", learning_rate=0.5))


# ------------------------------------------------------------------------------- parsing
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
    assert parsed.notes and "header" in parsed.notes[0] and "w1 w2" in parsed.notes[0]
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


def test_rounding_allowance_is_half_a_unit_of_the_last_digit_written():
    parsed = read_matrix("0.0007543 2.2 1.23456e-5 7")
    # 7 decimals: ±0.5e-7; fewer than 4 decimals (2.2, 7): no allowance; 1.23456e-5: ±0.5e-10
    np.testing.assert_allclose(parsed.rounding, [[0.5e-7, 0.0, 0.5e-10, 0.0]])


# ---------------------------------------------------------------------------- quantities
def test_quantities_come_in_the_order_of_the_iteration():
    stepper = seed_000_stepper()
    items = quantities(stepper.network, stepper.evaluate())
    assert [q.key for q in items] == [
        "a^0", "W^0", "n^1", "a^1", "W^1", "n^2", "a^2", "W^2", "n^3", "a^3",
        "dC/da^3",
        "da^3/dn^3", "delta^3", "dC/dW^2", "dC/db^2",
        "dC/da^2", "da^2/dn^2", "delta^2", "dC/dW^1", "dC/db^1",
        "dC/da^1", "da^1/dn^1", "delta^1", "dC/dW^0", "dC/db^0",
    ]
    labels = {q.key: q.label for q in items}
    assert labels["delta^2"] == "δ^2" and labels["dC/dW^1"] == "∂C/∂W^1"
    assert labels["da^3/dn^3"] == "∂a^3/∂n^3" and labels["dC/da^3"] == "∂C/∂a^3"
    phases = phases_of(3)
    assert [q.phase_index for q in items] == sorted(q.phase_index for q in items)
    by_key = {q.key: q for q in items}
    assert by_key["n^2"].phase == phases[1] == Phase("forward", 2)
    assert by_key["dC/da^3"].phase == Phase("loss")
    assert by_key["delta^2"].phase == phases[by_key["delta^2"].phase_index] == Phase("backward", 2)
    assert by_key["delta^2"].phase_text == "backward, layer 2"


def test_quantities_hold_the_seeds_numbers():
    stepper = seed_000_stepper()
    trace = stepper.evaluate()

    def value(key, augmented=False):
        q = quantity(stepper.network, trace, key)
        return q.augmented if augmented else q.value

    def check(actual, expected):
        np.testing.assert_allclose(actual, expected, rtol=0, atol=SEED_TOLERANCE)

    check(value("n^1"), REFERENCE["pre_activation_layer_1"])
    check(value("a^2"), REFERENCE["activation_layer_2"])
    check(value("dC/da^3"), REFERENCE["dcost_dactivation_layer_3"])
    check(value("da^3/dn^3"), REFERENCE["dactivation_dpre_layer_3"])
    check(value("delta^3"), REFERENCE["delta_layer_3"])
    gradient = REFERENCE["weight_gradient_2_augmented"]["value"]
    check(value("dC/dW^2", augmented=True), gradient)
    check(value("dC/dW^2"), np.array(gradient)[1:])
    check(value("dC/db^2"), np.array(gradient)[:1])
    # [1 | a^1]: a leading column of 1s; [b^1; W^1]: every parameter of seed 000 is 1
    check(value("a^1", augmented=True), np.hstack([np.ones((2, 1)),
                                                   REFERENCE["activation_layer_1"]]))
    np.testing.assert_array_equal(value("W^1", augmented=True), np.ones((4, 3)))


def test_quantities_not_computed_yet_are_none():
    stepper = seed_000_stepper()
    for _ in range(3):  # forward 1, 2, 3
        stepper.step_phase()
    by_key = {q.key: q for q in quantities(stepper.network, stepper.trace)}
    assert by_key["a^3"].value is not None
    assert by_key["dC/da^3"].value is None and by_key["delta^1"].value is None
    assert by_key["dC/dW^2"].value is None and by_key["dC/dW^2"].augmented is None


def test_without_biases_there_is_no_augmented_form():
    network = Network([2, 2, 1], ["sigmoid", "sigmoid"], bias=False)
    network.theta[...] = 0.5
    stepper = Stepper(network, [[1.0, 0.0]], [[1.0]])
    items = quantities(network, stepper.evaluate())
    assert not any(q.key.startswith("dC/db") for q in items)
    assert all(q.augmented is None and q.augmented_label is None for q in items)


# --------------------------------------------------------------------------- comparing
def hand_quantity(value, key="a^1", augmented=None, rows="observations") -> Quantity:
    return Quantity(key, key, 0, Phase("forward", 1), np.array(value, dtype=float), "",
                    augmented, "[1 | a^1]" if augmented is not None else None, rows,
                    "neurons of layer 1")


def test_equal_matrices_agree_and_one_wrong_cell_is_found():
    q = hand_quantity([[0.5, 0.25, 0.125], [1.0, 2.0, 3.0]])
    result = compare([[0.5, 0.25, 0.125], [1.0, 2.0, 3.0]], q)
    assert result.ok and result.status == "agree" and not result.mismatch.any()
    assert result.message == "all 6 cells agree within 1e-6"
    result = compare([[0.5, 0.25, 0.125], [1.0, 2.5, 3.0]], q)
    assert not result.ok and result.status == "differ"
    np.testing.assert_array_equal(result.mismatch, [[False] * 3, [False, True, False]])
    assert result.first_mismatch == (1, 1) and result.max_abs_error == pytest.approx(0.5)
    assert "1 of 6 cells differ" in result.message and "yours 2.5, engine 2" in result.message


def test_the_tolerance_is_relative_plus_absolute():
    q = hand_quantity([[1000.0, 0.0]])
    assert compare([[1000.0005, 5e-10]], q).ok  # 5e-4 ≤ 1e-6·1000 + 1e-9; 5e-10 ≤ 1e-9
    assert not compare([[1000.002, 0.0]], q).ok
    assert not compare([[1000.0, 2e-9]], q).ok
    assert compare([[1000.002, 0.0]], q, rtol=1e-5).ok


def test_printed_rounding_is_allowed_only_when_given():
    # ours 0.000123456789; "0.0001235" differs by 4.3e-8: beyond 1e-6·|ours| + 1e-9, but
    # within half a unit (5e-8) of its 7th decimal
    q = hand_quantity([[0.000123456789]])
    close = read_matrix("0.0001235")
    assert not compare(close.values, q).ok
    result = compare(close.values, q, rounding=close.rounding)
    assert result.ok and "rounding" in result.message
    far = read_matrix("0.0001236")  # 1.4e-7 away: more than rounding explains
    assert not compare(far.values, q, rounding=far.rounding).ok


def test_a_non_finite_engine_value_never_agrees():
    q = hand_quantity([[np.inf, np.nan]])
    result = compare([[1.0, 1.0]], q)
    assert result.mismatch.tolist() == [[True, True]]


def test_a_bias_row_is_explained_and_compared_with_the_augmented_gradient():
    stepper = seed_000_stepper()
    q = quantity(stepper.network, stepper.evaluate(), "dC/dW^2")
    seeds = np.array(REFERENCE["weight_gradient_2_augmented"]["value"])  # 4×2, seed's rounding
    result = compare(seeds, q, rtol=0, atol=SEED_TOLERANCE)
    assert result.shape_message.startswith("yours is 4×2 and ours 3×2: did you include the "
                                           "bias row? The augmented [∂C/∂b^2; ∂C/∂W^2] is 4×2")
    assert result.ok and result.engine_value.shape == (4, 2)
    wrong = seeds.copy()
    wrong[0, 1] += 0.01  # a wrong bias gradient
    result = compare(wrong, q, rtol=0, atol=SEED_TOLERANCE)
    assert result.first_mismatch == (0, 1) and int(result.mismatch.sum()) == 1


def test_a_column_of_ones_is_accepted_for_activations():
    stepper = seed_000_stepper()
    q = quantity(stepper.network, stepper.evaluate(), "a^1")
    yours = np.hstack([np.ones((2, 1)), REFERENCE["activation_layer_1"]])
    result = compare(yours, q, atol=SEED_TOLERANCE)
    assert result.ok and "leading column of 1s" in result.shape_message
    assert "[1 | a^1]" in result.shape_message


def test_shape_mismatches_are_explained():
    stepper = seed_000_stepper()
    trace = stepper.evaluate()
    n1 = quantity(stepper.network, trace, "n^1")  # 2 observations × 3 neurons
    result = compare(np.array(REFERENCE["pre_activation_layer_1"]).T, n1)
    assert result.status == "shape" and not result.ok and result.mismatch is None
    assert "yours looks transposed (3×2 vs 2×3" in result.shape_message
    assert "rows are observations" in result.shape_message
    assert "transposed back, it agrees" in result.shape_message
    result = compare(np.ones((3, 3)), n1)
    assert result.shape_message == ("yours is 3×3 and ours 2×3: rows are observations, "
                                     "and there are 2")
    result = compare(np.ones((2, 5)), n1)
    assert "the columns are the neurons of layer 1, which has 3" in result.shape_message
    result = compare(np.ones((2, 1)), quantity(stepper.network, trace, "dC/db^2"))
    assert "looks transposed (2×1 vs 1×2" in result.shape_message


def test_a_square_matrix_pasted_transposed_is_recognised():
    q = hand_quantity([[1.0, 2.0], [3.0, 4.0]])
    result = compare([[1.0, 3.0], [2.0, 4.0]], q)
    assert result.status == "differ" and "yours is ours transposed" in result.shape_message


def test_a_quantity_not_computed_yet_is_pending():
    stepper = seed_000_stepper()
    stepper.step_phase()
    q = quantity(stepper.network, stepper.trace, "delta^3")
    result = compare(np.ones((2, 2)), q)
    assert result.status == "pending" and not result.ok
    assert "not computed yet" in result.message and "backward, layer 3" in result.message


def test_earliest_disagreement_is_the_earliest_in_the_iteration():
    stepper = seed_000_stepper()
    trace = stepper.evaluate()
    right = {
        "delta^3": np.array(REFERENCE["delta_layer_3"]),
        "a^2": np.array(REFERENCE["activation_layer_2"]),
        "a^1": np.array(REFERENCE["activation_layer_1"]),
    }
    loose = {"rtol": 0, "atol": SEED_TOLERANCE}
    assert earliest_disagreement(right, stepper.network, trace, **loose) is None
    wrong = {key: value.copy() for key, value in right.items()}
    wrong["delta^3"][0, 0] = 0.5
    wrong["a^2"][1, 2] = 0.5
    found, result = earliest_disagreement(wrong, stepper.network, trace, **loose)
    assert found.key == "a^2" and result.first_mismatch == (1, 2)
    wrong["a^2"] = right["a^2"]
    assert earliest_disagreement(wrong, stepper.network, trace, **loose)[0].key == "delta^3"
    wrong["a^1"] = np.ones((3, 3))  # a shape that does not fit is a disagreement too
    found, result = earliest_disagreement(wrong, stepper.network, trace, **loose)
    assert found.key == "a^1" and result.status == "shape"
    with pytest.raises(KeyError, match="delta\\^9"):
        earliest_disagreement({"delta^9": np.ones((1, 1))}, stepper.network, trace)
