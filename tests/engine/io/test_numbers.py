"""engine.numbers: the one reader of typed and pasted numbers. Plain ASCII decimal notation
only; a number must survive as a float (not nan, inf, too large, or a non-zero literal that
would be stored as 0)."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.io.numbers import NumberError, is_number_like, read_number

ZEROS_THEN_ONE = "0." + "0" * 400 + "1"


@pytest.mark.parametrize(("text", "value"), [
    ("0", 0.0), ("0.0", 0.0), ("-0", -0.0), ("0e-400", 0.0), ("-0.000e999", -0.0),
    ("5e-324", 5e-324), ("−2.5", -2.5), (" 3 ", 3.0), ("\t3\n", 3.0), (".5", 0.5),
    ("5.", 5.0), ("1E3", 1000.0), ("+1e+3", 1000.0), ("1e-5", 1e-5), ("−1e−5", -1e-5),
    ("1.7976931348623157e308", sys.float_info.max), ("2.2250738585072014e-308", sys.float_info.min),
    ("0." + "0" * 300 + "1", 1e-301), ("007", 7.0),
])
def test_accepted(text, value):
    result = read_number(text)
    assert result == pytest.approx(value, rel=1e-15, abs=0)
    assert math.copysign(1, result) == math.copysign(1, value)  # -0 stays -0


@pytest.mark.parametrize(("text", "reason", "message"), [
    ("1_000", "not a number", "'1_000' is not a number"),
    ("１２", "not a number", "'１２' is not a number"),  # full-width digits
    ("١٢", "not a number", "'١٢' is not a number"),  # Arabic-Indic digits
    ("١", "not a number", "'١' is not a number"),
    ("0x10", "not a number", "'0x10' is not a number"),
    ("1 000", "not a number", "'1 000' is not a number"),
    ("1\u00a0000", "not a number", "'1\\xa0000' is not a number"),  # a no-break space inside
    ("", "not a number", "'' is not a number"),
    ("1,5", "not a number", "'1,5' is not a number"),
    ("2*3", "not a number", "'2*3' is not a number"),
    ("__import__('os')", "not a number", "\"__import__('os')\" is not a number"),
    ("e5", "not a number", "'e5' is not a number"),
    (".", "not a number", "'.' is not a number"),
    ("1e", "not a number", "'1e' is not a number"),
    ("inf", "not finite", "'inf' is not a finite number"),
    ("-Infinity", "not finite", "'-Infinity' is not a finite number"),
    ("nan", "not finite", "'nan' is not a finite number"),
    ("NaN", "not finite", "'NaN' is not a finite number"),
    ("1e400", "too large", "'1e400' is too large (beyond the largest float, about 1.8e308)"),
    ("-1" + "0" * 400, "too large", "is too large"),
    ("1e-400", "too small", "'1e-400' is too small: it would be stored as 0"),
    ("-1e-400", "too small", "'-1e-400' is too small: it would be stored as 0"),
    ("2e-324", "too small", "'2e-324' is too small: it would be stored as 0"),
    (ZEROS_THEN_ONE, "too small", "is too small: it would be stored as 0"),
])
def test_refused(text, reason, message):
    with pytest.raises(NumberError) as info:
        read_number(text)
    assert info.value.reason == reason
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_limit_of_size():
    assert read_number("1e15", largest=1e15) == 1e15
    with pytest.raises(NumberError, match=r"^'-2e15' is too large \(at most 1e\+15 in size\)$"):
        read_number("-2e15", largest=1e15)
    with pytest.raises(NumberError, match=r"^'1e400' is too large \(at most 1e\+12 in size\)$"):
        read_number("1e400", largest=1e12)


def test_a_long_text_is_quoted_short():
    with pytest.raises(NumberError) as info:
        read_number("x" * 1000)
    assert str(info.value) == repr("x" * 40) + "… is not a number"


def test_number_like_text():
    assert all(is_number_like(t) for t in ("1", " −2.5 ", "nan", "-inf", "1e-400"))
    assert not any(is_number_like(t) for t in ("x", "1_000", "١", "y_0"))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_reads_back_from_its_repr(value):
    assert read_number(repr(value)) == value


@given(st.text(max_size=12))
def test_any_text_gives_a_finite_float_or_number_error(text):
    try:
        value = read_number(text)
    except NumberError as error:
        assert error.reason in ("not a number", "not finite", "too large", "too small")
        return
    assert math.isfinite(value)
    assert text.strip().replace("−", "-").isascii()


# ------------------------------------------------------------- every reader uses the rule
REFUSED_CELLS = [
    ("1_000", "'1_000' is not a number"),
    ("１２", "'１２' is not a number"),
    ("١٢", "'١٢' is not a number"),
    ("1e400", "'1e400' is too large"),
    ("1e-400", "'1e-400' is too small: it would be stored as 0"),
    ("-1e-400", "'-1e-400' is too small: it would be stored as 0"),
    (ZEROS_THEN_ONE, "is too small: it would be stored as 0"),
]


@pytest.mark.parametrize(("cell", "problem"), REFUSED_CELLS)
def test_csv_cells(cell, problem):
    """Plain cells take the reader's fast path; an underflowed one must not slip through."""
    from engine.io.datasets import DatasetError, read_csv

    with pytest.raises(DatasetError) as info:
        read_csv(f"x_0,x_1,y\n1,2,3\n4,{cell},0\n")
    assert str(info.value).startswith("line 3, column x_1: ")
    assert problem in str(info.value)


def test_csv_zero_literals_read_as_zero():
    from engine.io.datasets import read_csv

    inputs, targets, _, _ = read_csv("a,b,c,y\n0,0.000,0e-400,-0.0e5\n")
    assert inputs.tolist() == [[0.0, 0.0, 0.0]] and targets.tolist() == [[0.0]]
    assert math.copysign(1, targets[0, 0]) == -1
    assert read_csv("x,y\n5e-324,1\n")[0].tolist() == [[5e-324]]


@pytest.mark.parametrize(("cell", "problem"), REFUSED_CELLS)
def test_compare_paste(cell, problem):
    from engine.analysis.compare import MatrixParseError, read_matrix

    with pytest.raises(MatrixParseError) as info:
        read_matrix(f"1 2\n3 {cell}")
    assert str(info.value).startswith("row 2, column 2: ")
    assert problem in str(info.value)


def test_compare_paste_keeps_its_rounding_allowance():
    from engine.analysis.compare import read_matrix

    parsed = read_matrix("0.9002495 −0.5\n0e-400 5e-324")
    assert parsed.values.tolist() == [[0.9002495, -0.5], [0.0, 5e-324]]
    assert parsed.rounding[0, 0] == pytest.approx(1e-7)  # one unit of the 7th decimal
    assert parsed.rounding[0, 1] == 0.0


@pytest.mark.parametrize(("text", "problem"), [
    *REFUSED_CELLS, ("1e13", "'1e13' is too large (at most 1e+12 in size)"),
])
def test_the_fields_parse_number(text, problem):
    """gui.notation.parse_number (every number field) names the field, then the problem."""
    from gui.notation import parse_number

    with pytest.raises(ValueError) as info:
        parse_number(text, "learning rate")
    assert str(info.value).startswith("learning rate: ")
    assert problem in str(info.value)
    assert parse_number(" −2.5e-3 ", "learning rate") == -0.0025


@pytest.mark.parametrize("literal", ["1e-400", "-1e-400", ZEROS_THEN_ONE, "2e-324"])
def test_a_network_file_refuses_a_weight_stored_as_zero(literal):
    from paths import EXAMPLES

    from engine.io.fileformat import FileFormatError, loads

    text = (EXAMPLES / "seed-000.json").read_text()
    start = text.index('"weights"')
    first = text.index("1.0", start)
    with pytest.raises(FileFormatError) as info:
        loads(text[:first] + literal + text[first + 3:])
    assert str(info.value) == f"network.weights[0][0][0]: {literal} is too small: it would " \
                              "be stored as 0"


def test_a_network_file_keeps_its_zero_and_subnormal_literals():
    from paths import EXAMPLES

    from engine.io.fileformat import loads

    text = (EXAMPLES / "seed-000.json").read_text()
    first_row = text.index("[1.0, 1.0, 1.0]", text.index('"weights"'))
    text = text[:first_row] + "[0e-400, 5e-324, -0.0]" + text[first_row + 15:]
    weights = loads(text).network.weights[0][0]
    assert weights.tolist() == [0.0, 5e-324, 0.0] and math.copysign(1, weights[2]) == -1
