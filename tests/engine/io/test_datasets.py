"""engine.io.datasets: CSV reading (every refusal names its line and column), exact round trips,
atomic export, and resizing a network's input and output layers."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from paths import EXAMPLES

from engine.core.init import InitSpec
from engine.core.network import Network
from engine.core.stepper import MAX_OBSERVATIONS
from engine.io import datasets, fileformat
from engine.io.datasets import DatasetError, DatasetShapeError, read_csv, write_csv


def refused(text: str, *counts) -> str:
    with pytest.raises(DatasetError) as info:
        read_csv(text, *counts)
    return str(info.value)


# ------------------------------------------------------------------- reading: good files
def test_reads_inputs_and_targets_by_the_naming_rule():
    inputs, targets, input_names, target_names = read_csv(
        "x1,x2,y\n0.2,0.9,1\n0.8,-0.5,0\n")
    assert input_names == ["x1", "x2"] and target_names == ["y"]
    assert inputs.tolist() == [[0.2, 0.9], [0.8, -0.5]]
    assert targets.tolist() == [[1.0], [0.0]]


def test_columns_are_grouped_by_kind_whatever_their_order():
    inputs, targets, input_names, target_names = read_csv(
        "Target_a,age,Y1,height\n1,2,3,4\n5,6,7,8\n")
    assert input_names == ["age", "height"] and target_names == ["Target_a", "Y1"]
    assert inputs.tolist() == [[2, 4], [6, 8]]
    assert targets.tolist() == [[1, 3], [5, 7]]


TARGET_NAMES = ("y", "Y", " y ", "y0", "y12", "Y3", "y_0", "y_a", "Y_price", "y_", "target",
                " target", "Targets", "target_b", "TARGET-price")
INPUT_NAMES = ("x", "x_0", "X1", "input_1", "age", "salary", "test", "tar", "time", "outputs2x",
               "outlier", "labelled", "classic", "xy", "a y")
AMBIGUOUS_NAMES = ("years", "Yield", "ymax", "y-1", "y.1", "YES", "y price", "yy", "y0a",
                   "label", "Labels", "class", "output", "OUTPUTS", "out", "t", "T", "t1",
                   "label_0", "out_1", "class2", "t_2", "output_")


def test_the_rule_itself():
    assert [datasets.column_role(n) for n in TARGET_NAMES] == ["target"] * len(TARGET_NAMES)
    assert [datasets.column_role(n) for n in INPUT_NAMES] == ["input"] * len(INPUT_NAMES)
    assert [datasets.column_role(n) for n in AMBIGUOUS_NAMES] == [None] * len(AMBIGUOUS_NAMES)
    assert all(datasets.is_target_name(n) for n in TARGET_NAMES)
    assert not any(datasets.is_target_name(n) for n in INPUT_NAMES + AMBIGUOUS_NAMES)


def test_the_suggested_role_of_an_ambiguous_name():
    assert [datasets.suggested_role(n) for n in ("years", "Yield", "y-1", "label", "class",
                                                 "out", "t", "x", "y")] \
        == ["input"] * 3 + ["target"] * 4 + ["input", "target"]


@pytest.mark.parametrize(("header", "inputs", "targets"), [
    ("x,y", ["x"], ["y"]),
    ("x,y0,y1", ["x"], ["y0", "y1"]),
    ("x,y_a", ["x"], ["y_a"]),
    ("a,target_b", ["a"], ["target_b"]),
    ("x_0,Y", ["x_0"], ["Y"]),
])
def test_clear_names_read_without_asking(header, inputs, targets):
    width = header.count(",") + 1
    result = read_csv(header + "\n" + ",".join(["1"] * width) + "\n")
    assert (result[2], result[3]) == (inputs, targets)


def test_an_ambiguous_column_asks_which_it_is():
    text = "age,years,salary\n30,5,1000\n40,15,2000\n"
    with pytest.raises(datasets.DatasetRolesError) as info:
        read_csv(text)
    error = info.value
    assert isinstance(error, DatasetError)
    assert error.columns == ["years"] and error.names == ["age", "years", "salary"]
    assert str(error) == ("line 1: 'years' may be an input or a target (targets are named y, y "
                          "and digits (y0), y_… or target…): rename the column or say which")
    assert error.table.tolist() == [[30, 5, 1000], [40, 15, 2000]]  # read once, kept
    assert error.suggested == {"age": "input", "years": "input", "salary": "input"}
    # the learner's answer: years a target; or years an input and salary the target
    inputs, targets, input_names, target_names = read_csv(text, roles={"years": "target"})
    assert (input_names, target_names) == (["age", "salary"], ["years"])
    assert inputs.tolist() == [[30, 1000], [40, 2000]] and targets.tolist() == [[5], [15]]
    chosen = {"years": "input", "salary": "target"}
    inputs, targets, input_names, target_names = read_csv(text, roles=chosen)
    assert (input_names, target_names) == (["age", "years"], ["salary"])
    assert inputs.tolist() == [[30, 5], [40, 15]] and targets.tolist() == [[1000], [2000]]
    again = error.with_roles(chosen)
    assert again[2:] == (input_names, target_names)
    assert again[0].tolist() == inputs.tolist() and again[1].tolist() == targets.tolist()


def test_answers_are_checked_like_names():
    text = "age,years,salary\n30,5,1000\n"
    with pytest.raises(datasets.DatasetRolesError) as info:
        read_csv(text)
    error = info.value
    assert str(pytest.raises(DatasetError, error.with_roles, {"years": "input"}).value) == \
        "line 1: no target column; name the target columns y, y and digits (y0), y_… or " \
        "target… (for example x_0,x_1,y_0)"
    with pytest.raises(DatasetShapeError) as shape:
        error.with_roles({"years": "target"}, 1, 1)
    assert shape.value.dataset[2:] == (["age", "salary"], ["years"])
    assert str(pytest.raises(DatasetError, read_csv, text, roles={"years": "output"}).value) \
        == "roles: column 'years': expected 'input' or 'target', got 'output'"
    assert str(pytest.raises(DatasetError, read_csv, text, roles={"height": "input"}).value) \
        == "roles: the file has no column 'height'"


def test_several_ambiguous_columns_are_listed_together():
    with pytest.raises(datasets.DatasetRolesError) as info:
        read_csv("x,label,yield,y\n1,2,3,4\n")
    assert info.value.columns == ["label", "yield"]
    assert str(info.value).startswith("line 1: 'label', 'yield' may be inputs or targets")
    assert info.value.suggested == {"x": "input", "label": "target", "yield": "input",
                                    "y": "target"}


def test_a_bad_cell_is_named_before_the_roles_are_asked():
    assert refused("age,years,y\n1,2,3\n1,two,3\n") == \
        "line 3, column years: 'two' is not a number"


def test_blank_lines_crlf_bom_quotes_spaces_and_unicode_minus():
    text = '\ufeff\r\n x , "y" \r\n\r\n "1.5" , −2e-1 \r\n,\r\n3,4\r\n'
    inputs, targets, input_names, target_names = read_csv(text)
    assert (input_names, target_names) == (["x"], ["y"])
    assert inputs.tolist() == [[1.5], [3.0]] and targets.tolist() == [[-0.2], [4.0]]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_delimiters(delimiter):
    text = delimiter.join(["x_0", "x_1", "y_0"]) + "\n" + delimiter.join(["1", "2", "3"])
    inputs, targets, _, _ = read_csv(text)
    assert inputs.tolist() == [[1, 2]] and targets.tolist() == [[3]]


def test_numbers_in_every_plain_form():
    inputs, _, _, _ = read_csv("a,b,c,d,e,f,y\n1,-2.,.5,+3e2,1E-3,-0,0\n")
    assert inputs.tolist() == [[1.0, -2.0, 0.5, 300.0, 0.001, 0.0]]
    assert math.copysign(1, inputs[0, 5]) == -1  # -0 stays -0


def test_exactly_the_limit_of_observations_is_read(monkeypatch):
    monkeypatch.setattr(datasets, "MAX_OBSERVATIONS", 3)
    inputs, _, _, _ = read_csv("x,y\n1,1\n2,2\n3,3\n")
    assert inputs.tolist() == [[1], [2], [3]]


def test_matching_counts_are_accepted():
    inputs, targets, _, _ = read_csv("x_0,x_1,y_0\n1,2,3\n", 2, 1)
    assert inputs.shape == (1, 2) and targets.shape == (1, 1)


# ------------------------------------------------------------------- reading: refusals
def test_ragged_row_names_its_line():
    assert refused("x1,x2,x3,y\n1,2,3,4\n\n1,2,3\n") == "line 4 has 3 cells, the header has 4"
    assert refused("x,y\n1,2,3\n") == "line 2 has 3 cells, the header has 2"
    assert refused("x,y\n1\n") == "line 2 has 1 cell, the header has 2"


def test_text_in_a_number_cell_names_line_and_column():
    assert refused("x1,x2,y\n1,2,3\n4,abc,6\n") == "line 3, column x2: 'abc' is not a number"
    assert refused("x,y\n__import__('os'),1\n") == \
        "line 2, column x: \"__import__('os')\" is not a number"
    assert refused("x,y\n1_000,1\n") == "line 2, column x: '1_000' is not a number"
    assert refused("x,y\n١,1\n") == "line 2, column x: '١' is not a number"  # Arabic-Indic 1


def test_a_decimal_comma_gets_a_hint():
    assert refused("x;y\n1,5;2\n") == \
        "line 2, column x: '1,5' is not a number (write decimals with a point: 1.5)"


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-Infinity", "+inf"])
def test_non_finite_values_are_refused(cell):
    assert refused(f"x,y\n1,{cell}\n") == f"line 2, column y: {cell!r} is not a finite number"


@pytest.mark.parametrize("cell", ["1e16", "-2e15", "1e400"])
def test_absurdly_large_values_are_refused(cell):
    assert refused(f"x,y\n{cell},1\n") == \
        f"line 2, column x: {cell!r} is too large (at most 1e+15 in size)"


def test_the_largest_allowed_value_is_read():
    inputs, _, _, _ = read_csv("x,y\n1e15,-1e15\n")
    assert inputs.tolist() == [[1e15]]


def test_empty_cell():
    assert refused("x,y,z\n1,,2\n") == "line 2, column y: the cell is empty"


@pytest.mark.parametrize("text", ["", "\n\n", "  \n , \n"])
def test_empty_file(text):
    assert refused(text) == ("the file is empty: expected a header line and one line per "
                             "observation")


def test_header_without_observations():
    assert refused("\nx,y\n\n") == "the file has a header (line 2) but no observations"


def test_numbers_where_the_header_should_be():
    message = refused("0.8,0.4,0.2\n0.3,0.3,1\n")
    assert message.startswith("line 1: no header row (the first line holds numbers)")


def test_header_needs_targets_and_inputs():
    assert refused("a,b\n1,2\n").startswith("line 1: no target column; name the target "
                                            "columns y, y and digits (y0), y_… or target…")
    assert refused("y,target\n1,2\n").startswith("line 1: no input column")


def test_header_names_must_be_present_and_distinct():
    assert refused("x,,y\n1,2,3\n") == "line 1, column 2: the column has no name"
    assert refused("x,y,x\n1,2,3\n") == \
        "line 1: the column name 'x' is given twice (columns 1 and 3)"


def test_too_many_columns_for_a_layer(monkeypatch):
    monkeypatch.setattr(datasets, "MAX_NEURONS_PER_LAYER", 2)
    assert refused("a,b,c,y\n1,2,3,4\n") == \
        "line 1: 3 input columns; a layer has at most 2 neurons"


def test_too_many_observations(monkeypatch):
    monkeypatch.setattr(datasets, "MAX_OBSERVATIONS", 3)
    assert refused("x,y\n1,1\n2,2\n\n3,3\n4,4\n") == \
        "line 6: more than 3 observations (the limit)"


def test_the_real_observation_limit():
    text = "x,y\n" + "1,2\n" * (MAX_OBSERVATIONS + 1)
    assert refused(text) == f"line {MAX_OBSERVATIONS + 2}: more than {MAX_OBSERVATIONS} " \
                            "observations (the limit)"


def test_csv_level_errors_name_the_line():
    huge = "1" * 200_000  # beyond the csv module's field limit
    assert refused(f"x,y\n1,1\n{huge},1\n").startswith("line 3: field larger than field limit")


def test_file_size_limit(monkeypatch):
    monkeypatch.setattr(datasets, "MAX_CSV_BYTES", 10)
    assert refused("x,y\n1,2\n3,4\n") == "the file is larger than the limit of 10 bytes"


def test_line_numbers_count_physical_lines_across_crlf_and_blank_lines():
    assert refused("x,y\r\n\r\n1,2\r\n1,abc\r\n") == "line 4, column y: 'abc' is not a number"


# ---------------------------------------------------------------- reading: shape mismatch
def test_a_good_file_of_other_widths_raises_the_shape_error_with_the_data():
    with pytest.raises(DatasetShapeError) as info:
        read_csv("x0,x1,x2,y\n1,2,3,4\n5,6,7,8\n", 2, 1)
    error = info.value
    assert isinstance(error, DatasetError) and isinstance(error, ValueError)
    assert str(error) == "the file has 3 inputs and 1 target, the network 2 inputs and 1 output"
    assert (error.input_count, error.target_count, error.expected) == (3, 1, (2, 1))
    inputs, targets, input_names, target_names = error.dataset
    assert inputs.tolist() == [[1, 2, 3], [5, 6, 7]] and targets.tolist() == [[4], [8]]
    assert input_names == ["x0", "x1", "x2"] and target_names == ["y"]


def test_only_the_counts_given_are_checked():
    with pytest.raises(DatasetShapeError) as info:
        read_csv("x,y0,y1\n1,2,3\n", target_count=1)
    assert str(info.value) == "the file has 1 input and 2 targets, the network 1 input and " \
                              "1 output"
    assert read_csv("x,y0,y1\n1,2,3\n", input_count=1)[1].tolist() == [[2, 3]]


def test_a_bad_cell_outranks_a_shape_mismatch():
    with pytest.raises(DatasetError) as info:
        read_csv("x0,x1,x2,y\n1,2,oops,4\n", 2, 1)
    assert type(info.value) is DatasetError
    assert str(info.value) == "line 2, column x2: 'oops' is not a number"


# ------------------------------------------------------------------- reading: fuzzing
def check_result(result, counts=(None, None)) -> None:
    inputs, targets, input_names, target_names = result
    assert inputs.ndim == 2 and targets.ndim == 2
    assert inputs.shape == (len(inputs), len(input_names)) and len(input_names) >= 1
    assert targets.shape == (len(inputs), len(target_names)) and len(target_names) >= 1
    assert 1 <= len(inputs) <= MAX_OBSERVATIONS
    assert inputs.dtype == float and targets.dtype == float
    assert np.all(np.abs(inputs) <= 1e15) and np.all(np.abs(targets) <= 1e15)
    assert all(datasets.is_target_name(n) for n in target_names)
    assert not any(datasets.is_target_name(n) for n in input_names)
    if counts[0] is not None:
        assert inputs.shape[1] == counts[0] and targets.shape[1] == counts[1]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz_arbitrary_text(text):
    for counts in ((None, None), (2, 1)):
        try:
            result = read_csv(text, *counts)
        except DatasetError:
            continue
        check_result(result, counts)


CSVISH = st.text(alphabet="0123456789.,;-+eE\n\r\t \"xyXYtargetnaif_−", max_size=80)


@settings(max_examples=500, deadline=None)
@given(CSVISH)
def test_fuzz_csv_like_text(text):
    for counts in ((None, None), (2, 1)):
        try:
            result = read_csv(text, *counts)
        except DatasetError:
            continue
        check_result(result, counts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["1", "-2.5", "", "x", "nan", "1e99", " 3 "]),
                         min_size=1, max_size=4), max_size=6))
def test_fuzz_rows_under_a_good_header(rows):
    text = "x_0,x_1,y_0\n" + "\n".join(",".join(row) for row in rows)
    try:
        result = read_csv(text)
    except DatasetError as error:
        assert str(error).startswith(("line ", "the file has a header"))
        return
    check_result(result)
    assert result[0].shape[1] == 2 and result[1].shape[1] == 1


# ------------------------------------------------------------------------ writing
def test_write_csv_text_by_hand():
    text = write_csv([[0.1, -2.0], [1e-05, 3.0]], [[1.0], [0.0]])
    assert text == "x_0,x_1,y_0\n0.1,-2.0,1.0\n1e-05,3.0,0.0\n"


def test_write_csv_with_names_and_quoting():
    text = write_csv([[1.0]], [[2.0]], ['height, "cm"'], ["target price"])
    assert text == '"height, ""cm""",target price\n1.0,2.0\n'
    inputs, targets, input_names, target_names = read_csv(text)
    assert input_names == ['height, "cm"'] and target_names == ["target price"]
    assert inputs.tolist() == [[1.0]] and targets.tolist() == [[2.0]]


FINITE = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_subnormal=True)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(lambda m: st.tuples(
    hnp.arrays(float, st.tuples(st.just(m), st.integers(1, 4)), elements=FINITE),
    hnp.arrays(float, st.tuples(st.just(m), st.integers(1, 3)), elements=FINITE))))
def test_round_trip_is_bit_exact(arrays):
    inputs, targets = arrays
    back_inputs, back_targets, names_in, names_out = read_csv(
        write_csv(inputs, targets), inputs.shape[1], targets.shape[1])
    # bit patterns: -0.0 stays -0.0, every last digit survives
    assert back_inputs.view(np.int64).tolist() == inputs.view(np.int64).tolist()
    assert back_targets.view(np.int64).tolist() == targets.view(np.int64).tolist()
    assert names_in == [f"x_{j}" for j in range(inputs.shape[1])]
    assert names_out == [f"y_{j}" for j in range(targets.shape[1])]


def test_round_trip_of_awkward_values():
    values = np.array([[0.1 + 0.2, 1 / 3, 5e-324, -0.0, 1e15, -123456789.123456789]])
    back = read_csv(write_csv(values, values[:, :1]))[0]
    assert back.view(np.int64).tolist() == values.view(np.int64).tolist()


@pytest.mark.parametrize("inputs, targets, message", [
    ([[np.nan]], [[1.0]], "inputs: observation 0, column 0: nan is not a finite number of "
                          "size at most 1e+15"),
    ([[1.0], [2.0]], [[1.0], [2e15]], "targets: observation 1, column 0: 2000000000000000.0 "
                                       "is not a finite number of size at most 1e+15"),
    ([[1.0]], [[1.0], [2.0]], "1 row of inputs but 2 rows of targets"),
    ([1.0, 2.0], [[1.0]], "inputs: expected a table of rows and columns, got shape (2,)"),
])
def test_write_csv_refuses_what_would_not_read_back(inputs, targets, message):
    with pytest.raises(DatasetError) as info:
        write_csv(inputs, targets)
    assert str(info.value) == message


@pytest.mark.parametrize("input_names, target_names, start", [
    (["y_in"], ["y"], "input name 'y_in': an input column's name does not start with y"),
    (["years"], ["y"], "input name 'years': an input column's name does not start with y or "
                       "target and is none of label, labels, class, output, outputs, out, t"),
    (["label"], ["y"], "input name 'label': an input column's name does not start with y"),
    (["x"], ["out"], "target name 'out': a target column's name is y, y and digits (y0), y_… "
                     "or target…, or the file would not read back with it as a target"),
    (["x"], ["years"], "target name 'years': a target column's name is y, y and digits"),
    (["x"], ["salary"], "target name 'salary': a target column's name is y"),
    ([" x"], ["y"], "input name ' x': empty, with spaces around it"),
    (["a\nb"], ["y"], "input name 'a\\nb': empty, with spaces around it or with tabs"),
    ([""], ["y"], "input name '': empty"),
    (["x", "z"], ["y"], "2 input names for 1 input column"),
])
def test_write_csv_refuses_names_that_would_not_read_back(input_names, target_names, start):
    with pytest.raises(DatasetError) as info:
        write_csv([[1.0]], [[2.0]], input_names, target_names)
    assert str(info.value).startswith(start)


def test_write_csv_refuses_duplicate_names():
    with pytest.raises(DatasetError, match="every column needs a name of its own"):
        write_csv([[1.0, 2.0]], [[2.0]], ["x", "x"], ["y"])


# -------------------------------------------------------------------- files on disk
def test_save_csv_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("old\n")
    datasets.save_csv(path, [[1.5, 2.0]], [[0.0]])
    assert path.read_text() == "x_0,x_1,y_0\n1.5,2.0,0.0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_a_refused_save_leaves_the_old_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("old\n")
    with pytest.raises(DatasetError):
        datasets.save_csv(path, [[math.inf]], [[0.0]])
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_a_failed_write_removes_its_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "data.csv"
    path.write_text("old\n")

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        datasets.save_csv(path, [[1.0]], [[0.0]])
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_load_text(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffx,y\n−1,2\n".encode())
    assert datasets.load_text(path) == "x,y\n−1,2\n"


@pytest.mark.parametrize("data, message", [
    (b"x,y\n\xff,1\n", "not UTF-8 text (byte 0xff at offset 4)"),
    ("x,y\n".encode("utf-16"), "UTF-16 text; save it as UTF-8"),
    (b"x,y\n1,\x002\n", "binary data, not a CSV text file"),
])
def test_load_text_refusals(tmp_path, data, message):
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    with pytest.raises(DatasetError) as info:
        datasets.load_text(path)
    assert str(info.value) == message


def test_load_text_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_CSV_BYTES", 4)
    path = tmp_path / "a.csv"
    path.write_bytes(b"x,y\n1,2\n")
    with pytest.raises(DatasetError, match="8 bytes, larger than the limit of 4 bytes"):
        datasets.load_text(path)


# --------------------------------------------------------------- resizing the network
def test_resize_keeps_every_weight_between_surviving_neurons():
    old = fileformat.load(EXAMPLES / "seed-000-random.json").network
    spec = InitSpec("constant", 0, {"value": 0.25})
    new = datasets.resize_network(old, 3, 1, spec)
    assert new.sizes == [3, 3, 3, 1]
    assert new.activation_names == old.activation_names and new.bias == old.bias
    np.testing.assert_array_equal(new.weights[0][:2], old.weights[0])
    np.testing.assert_array_equal(new.weights[0][2], [0.25, 0.25, 0.25])  # new input neuron
    np.testing.assert_array_equal(new.weights[1], old.weights[1])
    np.testing.assert_array_equal(new.biases[0], old.biases[0])
    np.testing.assert_array_equal(new.biases[1], old.biases[1])
    np.testing.assert_array_equal(new.weights[2], old.weights[2][:, :1])
    np.testing.assert_array_equal(new.biases[2], old.biases[2][:1])


def test_resize_without_hidden_layers():
    old = Network([2, 1], ["sigmoid"], True, [1.0, 2.0, 3.0])  # w^0_{0,0}, w^0_{1,0}, b^0_0
    new = datasets.resize_network(old, 3, 2, InitSpec("zeros"))
    assert new.sizes == [3, 2]
    assert new.weights[0].tolist() == [[1.0, 0.0], [2.0, 0.0], [0.0, 0.0]]
    assert new.biases[0].tolist() == [3.0, 0.0]


def test_resize_refuses_empty_layers():
    old = Network([2, 1], ["sigmoid"])
    with pytest.raises(DatasetError, match="inputs: a layer has 1 to 4096 neurons, not 0"):
        datasets.resize_network(old, 0, 1, InitSpec("zeros"))
