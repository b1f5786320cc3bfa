"""Real data: the 8×8 digits generator (scikit-learn's copy or the CSV shipped in
resources/data) and the import of MNIST-style labelled CSV files (engine.io.datasets
read_labelled_csv, read chunk by chunk by engine.io.fast_csv).

References: the digits file read with gzip and str.split in the test, the UCI data set's
documented class counts, and small tables written out here; the fast reader is checked
against Python's float() cell by cell and against read_csv's cell reader."""

from __future__ import annotations

import gzip
import hashlib
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.limits import MAX_DATA_VALUES
from engine.io import datasets, fast_csv, generators
from engine.io.datasets import DatasetError, peek_labelled, read_labelled_csv

# the UCI optical digits test set: images per digit 0…9 (optdigits.names)
UCI_CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """The shipped file read without the app: 0–16 pixels and the digit last."""
    with gzip.open(generators.DIGITS_CSV, "rt") as file:
        rows = [[int(float(cell)) for cell in line.split(",")] for line in file if line.strip()]
    table = np.array(rows)
    return table[:, :-1], table[:, -1]


@pytest.fixture
def no_sklearn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn raises ImportError
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)


# ------------------------------------------------------------------------ digits
def test_the_shipped_digits_file_is_the_one_the_readme_names():
    data = generators.DIGITS_CSV.read_bytes()
    assert len(data) == 57_523
    assert hashlib.sha256(data).hexdigest() == (
        "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22")


def test_all_digits_from_the_csv(no_sklearn):
    inputs, targets = generators.digits(1797, 0, source="csv")
    assert inputs.shape == (1797, 64) and targets.shape == (1797, 10)
    assert inputs.min() == 0.0 and inputs.max() == 1.0
    assert np.array_equal(inputs * 16, np.round(inputs * 16))  # pixels k/16
    assert np.array_equal(targets.sum(axis=1), np.ones(1797))  # one-hot
    assert set(np.unique(targets)) == {0.0, 1.0}
    assert targets.sum(axis=0).tolist() == UCI_CLASS_COUNTS
    pixels, labels = raw_digits()
    assert np.array_equal(inputs, pixels / 16.0)
    assert np.array_equal(targets.argmax(axis=1), labels)
    # the first image is a 0 whose 64 pixels sum to 294 (16 × 294 / 16 in [0, 1] terms)
    first = (inputs[0] * 16).astype(np.uint8)
    assert targets[0].tolist() == [1.0] + [0.0] * 9
    assert int(first.sum()) == 294
    assert hashlib.sha256(first.tobytes()).hexdigest() == (
        "9bc74a9fdeea9a14cfca731bfe65cb93d1749efb8b892acd2f3bd43bf9443ffa")
    assert first.reshape(8, 8)[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_auto_takes_the_csv_without_sklearn_and_sklearn_names_the_extra(no_sklearn):
    assert all(np.array_equal(a, b) for a, b in zip(
        generators.digits(50, 4), generators.digits(50, 4, source="csv"), strict=True))
    with pytest.raises(DatasetError) as info:
        generators.digits(50, 4, source="sklearn")
    assert str(info.value) == ("source: scikit-learn is not installed; install the optional "
                               "extra scikit-learn (pip install scikit-learn)")


def test_digits_from_sklearn_agree_with_the_csv():
    pytest.importorskip("sklearn")
    for n, seed in ((1797, 0), (200, 7)):
        from_sklearn = generators.digits(n, seed, source="sklearn")
        from_csv = generators.digits(n, seed, source="csv")
        assert np.array_equal(from_sklearn[0], from_csv[0])
        assert np.array_equal(from_sklearn[1], from_csv[1])


def test_a_seeded_sample_in_file_order(no_sklearn):
    inputs, targets = generators.digits(100, 3)
    assert inputs.shape == (100, 64) and targets.shape == (100, 10)
    pixels, labels = raw_digits()
    rows = [int(np.flatnonzero((pixels == np.round(image * 16)).all(axis=1))[0])
            for image in inputs]
    assert rows == sorted(rows) and len(set(rows)) == 100  # distinct, in the file's order
    assert np.array_equal(targets.argmax(axis=1), labels[rows])
    again = generators.digits(100, 3)
    assert np.array_equal(again[0], inputs)
    other = generators.digits(100, 4)[0]
    assert not np.array_equal(other, inputs)
    assert np.array_equal(generators.generate("digits", 100, 3)[0], inputs)


@pytest.mark.parametrize("call, message", [
    (lambda: generators.digits(0), "n: 1 to 100000 points, not 0"),
    (lambda: generators.digits(1798), "n: 1 to 1797 digits, not 1798"),
    (lambda: generators.digits(10, -1), "seed: expected a whole number from 0"),
    (lambda: generators.digits(10, 0, source="web"), "source: one of auto, sklearn, csv"),
])
def test_digits_refusals(call, message):
    with pytest.raises(DatasetError) as info:
        call()
    assert str(info.value).startswith(message)


def test_the_registry_offers_the_digits_with_their_largest_n():
    entry = generators.GENERATORS["digits"]
    assert (entry.input_count, entry.target_count, entry.parameters) == (64, 10, ("n", "seed"))
    assert generators.largest_n("digits") == 1797
    assert generators.largest_n("spiral") == 100_000


# ------------------------------------------------------------- labelled CSV files
SMALL = ("label,p0,p1,p2,p3\n"
         "3,0,255,17,4\n"
         "0,128,0,0,9\n"
         "\n"  # a blank line: skipped, the line numbers still count it
         "9,1,2,3,255\n")
SMALL_PIXELS = [[0, 255, 17, 4], [128, 0, 0, 9], [1, 2, 3, 255]]
SMALL_LABELS = [3, 0, 9]


def one_hot(labels, classes):
    table = np.zeros((len(labels), classes))
    for row, label in enumerate(labels):
        table[row, label] = 1.0
    return table


def test_labels_one_hot_and_pixels_as_inputs():
    data = read_labelled_csv(SMALL)
    assert data.inputs.tolist() == SMALL_PIXELS
    assert data.targets.tolist() == one_hot(SMALL_LABELS, 10).tolist()  # 9 + 1 classes
    assert data.input_names == ["p0", "p1", "p2", "p3"]
    assert data.target_names == [f"y_{j}" for j in range(10)]
    assert (data.label_name, data.classes, data.rows) == ("label", 10, 3)


def test_as_many_classes_as_the_labels_say_or_as_asked():
    text = "label,a,b\n2,1,1\n0,1,1\n"
    assert read_labelled_csv(text).targets.tolist() == [[0, 0, 1], [1, 0, 0]]
    assert read_labelled_csv(text, classes=4).targets.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0]]


def test_scaling_divides_by_255_exactly():
    data = read_labelled_csv(SMALL, scale=True)
    assert data.inputs.tolist() == [[value / 255 for value in row] for row in SMALL_PIXELS]
    assert data.inputs.min() == 0.0 and data.inputs.max() == 1.0


def test_a_file_without_header_and_other_label_columns():
    text = "7,10,20\n1,30,40\n"
    data = read_labelled_csv(text)  # the first line holds numbers: no header
    assert data.inputs.tolist() == [[10, 20], [30, 40]]
    assert data.targets.argmax(axis=1).tolist() == [7, 1] and data.classes == 8
    assert data.input_names == ["x_0", "x_1"] and data.label_name == "1"
    last = read_labelled_csv(text, label=-1)
    assert last.inputs.tolist() == [[7, 10], [1, 30]] and last.classes == 41
    named = read_labelled_csv("a,digit,b\n5,2,6\n7,1,8\n")  # found by its name
    assert named.inputs.tolist() == [[5, 6], [7, 8]] and named.label_name == "digit"
    assert named.targets.tolist() == [[0, 0, 1], [0, 1, 0]]
    chosen = read_labelled_csv("a,digit,b\n5,2,6\n7,1,8\n", label="b", classes=9)
    assert chosen.targets.argmax(axis=1).tolist() == [6, 8]
    assert chosen.input_names == ["a", "digit"]


def test_peek_says_columns_header_label_and_rows():
    assert peek_labelled(SMALL) == (["label", "p0", "p1", "p2", "p3"], True, 0, 3)
    assert peek_labelled("x,y,class\n1,2,0\n") == (["x", "y", "class"], True, 2, 1)
    assert peek_labelled("4;5;6\r\n1;2;3\r\n") == (["1", "2", "3"], False, 0, 2)


def test_windows_line_breaks_semicolons_and_a_bom():
    text = "\ufefflabel;a;b\r\n1;2;3\r\n0;4;5\r\n"
    data = read_labelled_csv(text)
    assert data.inputs.tolist() == [[2, 3], [4, 5]]
    assert data.targets.tolist() == [[0, 1], [1, 0]]


def test_a_seeded_sample_keeps_rows_in_file_order():
    rows = 50
    text = "label,a,b\n" + "".join(f"{r % 10},{r},{2 * r}\n" for r in range(rows))
    data = read_labelled_csv(text, observations=12, seed=5)
    kept = data.inputs[:, 0].astype(int).tolist()
    assert len(kept) == 12 == len(set(kept)) and kept == sorted(kept)
    assert data.inputs[:, 1].tolist() == [2 * r for r in kept]
    assert data.targets.argmax(axis=1).tolist() == [r % 10 for r in kept]
    assert data.rows == 50 and data.classes == 10  # the classes from every row's label
    assert read_labelled_csv(text, observations=12, seed=5).inputs.tolist() == \
        data.inputs.tolist()
    assert read_labelled_csv(text, observations=12, seed=6).inputs.tolist() != \
        data.inputs.tolist()


def refused(text, **options) -> str:
    with pytest.raises(DatasetError) as info:
        read_labelled_csv(text, **options)
    return str(info.value)


@pytest.mark.parametrize("text, options, message", [
    (SMALL.replace("17", "abc"), {}, "line 2, column p2: 'abc' is not a number"),
    (SMALL.replace("9,1,2,3,255", "9,1,2,3"), {}, "line 5 has 4 cells, the header has 5"),
    (SMALL.replace("0,128", "0,"), {}, "line 3, column p0: the cell is empty"),
    (SMALL.replace("9,1,2", "3.5,1,2"), {}, "line 5, column label: 3.5 is not a class "
                                            "(a whole number from 0)"),
    (SMALL.replace("9,1,2", "-1,1,2"), {}, "line 5, column label: -1 is not a class"),
    (SMALL, {"classes": 5}, "line 5, column label: 9 is not below the 5 classes"),
    (SMALL.replace("255,17", "256,17"), {"scale": True},
     "line 2, column p1: 256 is outside 0 to 255, the pixel range that scaling to 0–1 "
     "expects"),
    (SMALL.replace("128", "1e-400"), {},
     "line 3, column p0: '1e-400' is too small: it would be stored as 0"),
    (SMALL.replace("128", "1,5"), {}, "line 3 has 6 cells, the header has 5"),
    ("4,5,6\n1,2\n", {}, "line 2 has 2 cells, line 1 has 3"),
    (SMALL, {"label": "digit"}, "label: the file has no column 'digit'"),
    (SMALL, {"label": 5}, "label: expected a column from 0 to 4"),
    (SMALL, {"observations": 4}, "observations: expected a whole number from 1 to 3, got 4"),
    (SMALL, {"classes": 0}, "classes: expected a whole number from 1 to 4,096, got 0"),
    ("\n \n", {}, "the file is empty"),
    ("label,a\n", {}, "the file has a header (line 1) but no observations"),
    ("label\n1\n", {}, "line 1: one column; a labelled file has the label and at least one"),
])
def test_refusals_name_line_and_column(text, options, message):
    assert refused(text, **options).startswith(message)


def test_a_file_beyond_the_limits_asks_for_a_sample():
    pixels = "," + ",".join(["0"] * 784) + "\n"
    rows = MAX_DATA_VALUES // 785 + 1  # too many even with one target column
    message = refused(("1" + pixels) * rows)
    assert message == (f"{rows:,} observations of 784 pixels and at least one target would "
                       "be more than the 100,000 observations or 16,000,000 numbers a data "
                       f"set may hold: import a sample of at most {rows - 1:,} observations")
    # within the file's columns, but not with the 10 classes its labels say
    rows -= 1
    message = refused(("9" + pixels) * rows)
    assert message.startswith(f"{rows:,} observations of 784 pixels and 10 classes would be")
    assert message.endswith(f"import a sample of at most {MAX_DATA_VALUES // 794:,} "
                            "observations")
    data = read_labelled_csv(("1" + pixels) * rows, observations=3, classes=10)
    assert data.inputs.shape == (3, 784) and data.targets[:, 1].tolist() == [1, 1, 1]


# -------------------------------------------------------- the fast reader's ways
def big_file(rows: int, cell) -> str:
    return "label,a,b,c\n" + "".join(
        f"{r % 10},{cell(r, 0)},{cell(r, 1)},{cell(r, 2)}\n" for r in range(rows))


def test_errors_past_the_first_chunk_name_their_line():
    rows = fast_csv.CHUNK_ROWS + 300
    text = big_file(rows, lambda r, c: r * 3 + c)
    bad_row = fast_csv.CHUNK_ROWS + 77  # line bad_row + 2 (the header is line 1)
    lines = text.split("\n")
    lines[bad_row + 1] = lines[bad_row + 1].replace(",", ",x", 1)
    assert refused("\n".join(lines)).startswith(
        f"line {bad_row + 2}, column a: 'x{bad_row * 3}' is not a number")
    # a bad row outside the sample is refused too: every row is checked
    assert refused("\n".join(lines), observations=5, seed=0).startswith(f"line {bad_row + 2}")


@pytest.mark.parametrize("cell", [
    lambda r, c: r * 1000 + c,                      # whole numbers
    lambda r, c: f"{(r * 7 + c) % 1000:03d}",       # leading zeros
    lambda r, c: 123456789012345 - r - c,           # 15 digits: the longest whole path
    lambda r, c: f"{r / 7 - c:.6f}",                # decimals: loadtxt
    lambda r, c: f"{(r + 1) * 1e-5 * (c + 1)!r}",   # exponents
    lambda r, c: f" {r}.5 ",                         # spaces around
    lambda r, c: f"−{r + c}",                       # a Unicode minus: cell by cell
])
def test_every_way_reads_what_the_cell_reader_reads(cell):
    rows = fast_csv.CHUNK_ROWS + 10
    text = big_file(rows, cell)
    data = read_labelled_csv(text)
    expected = [[float(str(cell(r, c)).strip().replace("−", "-")) for c in range(3)]
                for r in range(rows)]
    assert data.inputs.tolist() == expected
    assert data.targets.argmax(axis=1).tolist() == [r % 10 for r in range(rows)]
    # read_csv (its cell reader, row by row) agrees
    named = text.replace("label,a,b,c", "y,a,b,c", 1)
    assert datasets.read_csv(named)[0].tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(
    st.integers(0, 10**16), st.floats(-1e16, 1e16, allow_nan=False),
    st.sampled_from(["", " ", "1e-400", "1e400", "nan", "+", "1.2.3", "007", "-0", ".5",
                     "5.", "1e5", "١", "0x10"])), min_size=3, max_size=3),
    min_size=1, max_size=6))
def test_the_fast_reader_answers_as_the_cell_reader(cells):
    body = "".join(",".join(str(c) for c in row) + "\n" for row in cells)
    text = "label,a,b\n" + body

    def outcome(call):
        try:
            return call().tolist()
        except DatasetError as error:
            return str(error)

    slow = outcome(lambda: datasets.read_csv(text, roles={"label": "target"})[0])
    fast = outcome(lambda: read_labelled_csv(text, label=0, classes=4096).inputs)
    if isinstance(slow, str):
        assert fast == slow
    elif isinstance(fast, str):  # the cells are fine: only the label column can be refused
        assert "column label" in fast
    else:
        assert fast == slow
