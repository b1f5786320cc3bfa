"""Data sets: reading and writing CSV, and fitting a network to new data (the built-in,
seeded data sets are in engine.io.generators).

CSV layout. The first non-blank line is a header naming every column; each later non-blank
line is one observation. Column names are compared without surrounding spaces, in any case:

- a **target** is named ``y``, ``y`` and digits (``y0``, ``Y12``), ``y_`` and anything
  (``y_0``, ``y_price``), or ``target`` and anything (``target``, ``Target_price``);
- an **ambiguous** name starts with ``y`` otherwise (``years``, ``yield``, ``ymax``,
  ``y-1``) or is a word often used for targets, alone or followed by digits or ``_`` and
  anything (``label``, ``labels``, ``class``, ``output``, ``outputs``, ``out``, ``t``:
  ``label_0``, ``out1``, ``t``; see ``TARGET_LIKE_WORDS``): ``read_csv`` raises
  :class:`DatasetRolesError` unless the caller says, with ``roles``, which it is;
- every other column is an **input** (``x_0``, ``x1``, ``input_2``, ``age``, ``salary``).

``roles`` ({name: "input" or "target"}) may also overrule the rule for a clear name (the
learner's choice of ``salary`` as the target). Inputs and targets keep their order within
their group, wherever they stand in the file, so ``x_0,y_0,x_1`` gives inputs (x_0, x_1).
The delimiter is the first of ``,`` tab ``;`` found in the header line. Cells are numbers
in engine.numbers' plain ASCII notation (``0.5``, ``-3``, ``1e-05``; a Unicode minus is
accepted) of size at most ``MAX_MAGNITUDE``; NaN, infinities, ``1e-400`` (stored as 0),
empty cells and anything else are refused. Nothing is ever evaluated.

Every refusal is one :class:`DatasetError` (a ValueError) naming the line and the column
(``line 3, column x_1: 'abc' is not a number``). A file that is good but has other column
counts than the network expects raises :class:`DatasetShapeError`, which carries the data
read, so that the caller may resize the network (:func:`resize_network`) and use it.

``write_csv`` writes floats with ``repr``: ``read_csv(write_csv(...))`` gives back the same
numbers, bit for bit, and it refuses what ``read_csv`` would refuse (and a column name that
would read back as the other kind, or as ambiguous), so an exported file always imports.
"""

from __future__ import annotations

import csv
import io
import os
import re
from typing import NamedTuple

import numpy as np

from ..core.init import InitSpec
from ..core.limits import MAX_CSV_BYTES, MAX_DATA_VALUES, MAX_NEURONS_PER_LAYER, MAX_OBSERVATIONS
from ..core.network import Network
from ..core.structure import restructure
from . import fast_csv
from .atomic import read_regular_file, write_text_atomic
from .jsonfields import decode_text
from .numbers import NUMBER, NumberError, clean, is_number_like, read_number

# the column naming rule (see the module's docstring), on the stripped, casefolded name
_TARGET_NAME = re.compile(r"y|y[0-9]+|y_.*|target.*", re.ASCII | re.DOTALL)
TARGET_LIKE_WORDS = ("label", "labels", "class", "output", "outputs", "out", "t")
_TARGET_LIKE = re.compile(rf"(?:{'|'.join(TARGET_LIKE_WORDS)})(?:[0-9]*|_.*)",
                          re.ASCII | re.DOTALL)
TARGET_RULE = "y, y and digits (y0), y_… or target…"
ROLES = ("input", "target")
MAX_MAGNITUDE = 1e15  # beyond this a number is a typo or a unit error, not a training value
DELIMITERS = (",", "\t", ";")

# the fast path of _parse_row: a plain number (NUMBER) with ASCII spaces around it, and of
# those that read as 0, the ones whose digits are all 0 (others, like 1e-400, underflowed)
_PLAIN_CELL = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*", re.ASCII)
_ZERO_CELL = re.compile(r"\s*[+-]?[0.]*(?:[eE][+-]?\d+)?\s*", re.ASCII)


class DatasetError(ValueError):
    """A data set that cannot be used; the message names the line and column at fault."""


class DatasetShapeError(DatasetError):
    """A good file whose column counts differ from the network's.

    ``input_count``, ``target_count``: the file's; ``expected``: the network's
    (inputs, targets); ``dataset``: what was read, (inputs, targets, input_names,
    target_names), ready to use once the network is resized."""

    def __init__(self, message: str, input_count: int, target_count: int,
                 expected: tuple[int | None, int | None], dataset: tuple) -> None:
        super().__init__(message)
        self.input_count = input_count
        self.target_count = target_count
        self.expected = expected
        self.dataset = dataset


class DatasetRolesError(DatasetError):
    """A good file with columns whose names do not say whether they are inputs or targets.

    ``columns``: those names, in file order; ``names``: every column's name; ``suggested``:
    a role for every column (the rule's, and for an ambiguous one ``suggested_role``);
    ``table``: every cell read, one row per observation, so that ``with_roles`` needs no
    second reading."""

    def __init__(self, message: str, names: list[str], columns: list[str],
                 table: np.ndarray, line: int) -> None:
        super().__init__(message)
        self.names = names
        self.columns = columns
        self.table = table
        self.line = line
        self.suggested = {name: column_role(name) or suggested_role(name) for name in names}

    def with_roles(self, roles: dict[str, str], input_count: int | None = None,
                   target_count: int | None = None) -> tuple:
        """The data set read with ``roles`` ({name: "input" or "target"}), as ``read_csv``
        returns it, with the same checks (DatasetShapeError, DatasetError, or this error
        again while a column is still ambiguous)."""
        return _dataset(self.table, self.names, _column_roles(self.names, roles), self.line,
                        input_count, target_count)


# ------------------------------------------------------------------------ reading
def column_role(name: str) -> str | None:
    """"target" or "input" by the column naming rule (the module's docstring), or None for
    an ambiguous name that the learner has to decide."""
    key = name.strip().casefold()
    if _TARGET_NAME.fullmatch(key):
        return "target"
    if key.startswith("y") or _TARGET_LIKE.fullmatch(key):
        return None
    return "input"


def is_target_name(name: str) -> bool:
    """True when the naming rule alone makes the column a target."""
    return column_role(name) == "target"


def suggested_role(name: str) -> str:
    """The likelier role of a column: the rule's, else target for a target-like word
    (label, class, output, …) and input for a word that merely starts with y (years)."""
    role = column_role(name)
    if role is not None:
        return role
    return "input" if name.strip().casefold().startswith("y") else "target"


def _shown(text: str, limit: int = 40) -> str:
    """A cell as a message quotes it: repr, shortened, printable."""
    shown = repr(text[:limit]) + ("…" if len(text) > limit else "")
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def parse_cell(text: str, where: str) -> float:
    """One cell as a float; DatasetError naming ``where`` (line and column) otherwise."""
    if not text.strip():
        raise DatasetError(f"{where}: the cell is empty")
    try:
        return read_number(text, largest=MAX_MAGNITUDE)
    except NumberError as error:
        hint = ""
        if error.reason == "not a number":
            pointed = clean(text).replace(",", ".", 1)
            if NUMBER.fullmatch(pointed):
                hint = f" (write decimals with a point: {pointed})"
        raise DatasetError(f"{where}: {error}{hint}") from None


def _parse_row(row: list[str], line: int, names: list[str]) -> list[float]:
    """The numbers of one row; the common case (plain numbers) without building messages.
    A plain cell that reads as 0 is re-checked only when it has a non-zero digit."""
    if all(_PLAIN_CELL.fullmatch(cell) for cell in row):
        values = [float(cell) for cell in row]
        if all(abs(value) <= MAX_MAGNITUDE for value in values) and (all(values) or all(
                value or _ZERO_CELL.fullmatch(cell)
                for value, cell in zip(values, row, strict=True))):
            return values
    return [parse_cell(cell, f"line {line}, column {names[c]}") for c, cell in enumerate(row)]


def _blank(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


def _delimiter(text: str) -> str:
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    return next((d for d in DELIMITERS if d in first), ",")


def _read_header(row: list[str], line: int) -> list[str]:
    """The column names: present, distinct, and not numbers."""
    names = [cell.strip() for cell in row]
    if all(is_number_like(name) for name in names if name):
        raise DatasetError(
            f"line {line}: no header row (the first line holds numbers); add a first line "
            f"naming the columns, such as x_0,x_1,y_0 (targets are named {TARGET_RULE})")
    seen: dict[str, int] = {}
    for column, name in enumerate(names):
        if not name:
            raise DatasetError(f"line {line}, column {column + 1}: the column has no name")
        if name in seen:
            raise DatasetError(f"line {line}: the column name {_shown(name)} is given twice "
                               f"(columns {seen[name] + 1} and {column + 1})")
        seen[name] = column
    return names


def _column_roles(names: list[str], roles: dict[str, str] | None) -> list[str | None]:
    """Each column's role: the caller's (``roles``), else the naming rule's (None:
    ambiguous)."""
    roles = dict(roles or {})
    for name, role in roles.items():
        if role not in ROLES:
            raise DatasetError(f"roles: column {_shown(str(name))}: expected 'input' or "
                               f"'target', got {role!r}")
        if name not in names:
            raise DatasetError(f"roles: the file has no column {_shown(str(name))}")
    return [roles[name] if name in roles else column_role(name) for name in names]


def _check_roles(roles: list[str | None], line: int) -> None:
    """A file needs at least one input and one target, each within a layer's size."""
    targets = [c for c, role in enumerate(roles) if role == "target"]
    inputs = [c for c, role in enumerate(roles) if role == "input"]
    if not targets:
        raise DatasetError(f"line {line}: no target column; name the target columns "
                           f"{TARGET_RULE} (for example x_0,x_1,y_0)")
    if not inputs:
        raise DatasetError(f"line {line}: no input column; every column is a target "
                           f"(named {TARGET_RULE}, or chosen so)")
    for kind, columns in (("input", inputs), ("target", targets)):
        if len(columns) > MAX_NEURONS_PER_LAYER:
            raise DatasetError(f"line {line}: {len(columns)} {kind} columns; a layer has at "
                               f"most {MAX_NEURONS_PER_LAYER} neurons")


def _roles_error(table: np.ndarray, names: list[str], roles: list[str | None],
                 line: int) -> DatasetRolesError:
    columns = [name for name, role in zip(names, roles, strict=True) if role is None]
    listed = ", ".join(_shown(name) for name in columns)
    what = "an input or a target" if len(columns) == 1 else "inputs or targets"
    return DatasetRolesError(
        f"line {line}: {listed} may be {what} (targets are named {TARGET_RULE}): rename "
        f"the column{'' if len(columns) == 1 else 's'} or say which", names, columns, table,
        line)


def _dataset(table: np.ndarray, names: list[str], roles: list[str | None], line: int,
             input_count: int | None, target_count: int | None) -> tuple:
    """(inputs, targets, input_names, target_names) of the table, every role known."""
    if None in roles:
        raise _roles_error(table, names, roles, line)
    _check_roles(roles, line)
    inputs = [c for c, role in enumerate(roles) if role == "input"]
    targets = [c for c, role in enumerate(roles) if role == "target"]
    dataset = (table[:, inputs], table[:, targets], [names[c] for c in inputs],
               [names[c] for c in targets])
    _check_shape(dataset, input_count, target_count)
    return dataset


def _rows(text: str):
    """(line number, cells) of each non-blank row; csv errors become DatasetErrors."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text),
                        skipinitialspace=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise DatasetError(f"line {reader.line_num}: {error}") from None
        if not _blank(row):
            yield reader.line_num, row


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _check_shape(dataset: tuple, input_count: int | None, target_count: int | None) -> None:
    inputs, targets = dataset[0], dataset[1]
    have = (inputs.shape[1], targets.shape[1])
    if (input_count is None or have[0] == input_count) and (
            target_count is None or have[1] == target_count):
        return
    want = (have[0] if input_count is None else input_count,
            have[1] if target_count is None else target_count)
    raise DatasetShapeError(
        f"the file has {_plural(have[0], 'input')} and {_plural(have[1], 'target')}, the "
        f"network {_plural(want[0], 'input')} and {_plural(want[1], 'output')}",
        have[0], have[1], (input_count, target_count), dataset)


def read_csv(text: str, input_count: int | None = None, target_count: int | None = None,
             roles: dict[str, str] | None = None
             ) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(inputs, targets, input_names, target_names) from CSV text (see the module's rule).

    ``roles`` ({column name: "input" or "target"}) decides ambiguous columns and may overrule
    the rule for others. With ``input_count`` / ``target_count`` (the network's layer
    sizes), a good file of other sizes raises DatasetShapeError after everything else was
    checked; a good file with an ambiguous column that ``roles`` leaves open raises
    DatasetRolesError (the cells read, so ``with_roles`` finishes without reading again);
    any other problem raises DatasetError naming the line and column."""
    if len(text) > MAX_CSV_BYTES:
        raise DatasetError(f"the file is larger than the limit of {MAX_CSV_BYTES} bytes")
    text = text.removeprefix("\ufeff")
    rows = _rows(text)
    first = next(rows, None)
    if first is None:
        raise DatasetError("the file is empty: expected a header line and one line per "
                           "observation")
    names = _read_header(first[1], first[0])
    column_roles = _column_roles(names, roles)
    if None not in column_roles:  # a file without inputs or targets fails before its rows
        _check_roles(column_roles, first[0])
    width = len(names)
    values: list[list[float]] = []
    for line, row in rows:
        if len(row) != width:
            raise DatasetError(f"line {line} has {_plural(len(row), 'cell')}, "
                               f"the header has {width}")
        if len(values) == MAX_OBSERVATIONS:
            raise DatasetError(f"line {line}: more than {MAX_OBSERVATIONS} observations "
                               "(the limit)")
        if (len(values) + 1) * width > MAX_DATA_VALUES:
            raise DatasetError(f"line {line}: more than {MAX_DATA_VALUES:,} numbers in all "
                               f"(observations × columns; the limit)")
        values.append(_parse_row(row, line, names))
    if not values:
        raise DatasetError(f"the file has a header (line {first[0]}) but no observations")
    table = np.array(values, dtype=float)
    return _dataset(table, names, column_roles, first[0], input_count, target_count)


def load_text(path: str | os.PathLike) -> str:
    """A CSV file's text: size checked before reading, UTF-8 (a BOM is dropped).
    DatasetError for binary or non-UTF-8 content; a FIFO or a device is refused without
    blocking (NotARegularFile, an OSError); OSError passes through."""
    data = read_regular_file(path, MAX_CSV_BYTES, lambda size: DatasetError(
        f"{size} bytes, larger than the limit of {MAX_CSV_BYTES} bytes"))
    return decode_text(data, "CSV", DatasetError)


# ------------------------------------------------------------------------ writing
def default_names(prefix: str, count: int) -> list[str]:
    """x_0, x_1, … or y_0, y_1, …: the inputs a^0_j and the targets in the seed's notation."""
    return [f"{prefix}_{j}" for j in range(count)]


def _check_names(names: list[str], count: int, target: bool) -> list[str]:
    """Names that read back as the same kind of column, by the naming rule alone."""
    kind = "target" if target else "input"
    names = [str(name) for name in names]
    if len(names) != count:
        raise DatasetError(f"{_plural(len(names), kind + ' name')} for "
                           f"{_plural(count, kind + ' column')}")
    for name in names:
        if not name or name != name.strip() or not name.isprintable():
            raise DatasetError(f"{kind} name {_shown(name)}: empty, with spaces around it or "
                               "with tabs, line breaks or other control characters")
        if column_role(name) != kind:
            if target:
                rule = f"a target column's name is {TARGET_RULE}"
            else:
                rule = ("an input column's name does not start with y or target and is none "
                        f"of {', '.join(TARGET_LIKE_WORDS)} (alone or with digits or _…)")
            article = "a" if target else "an"
            raise DatasetError(f"{kind} name {_shown(name)}: {rule}, or the file would not "
                               f"read back with it as {article} {kind}")
    return names


def _check_values(array, name: str) -> np.ndarray:
    array = np.asarray(array, dtype=float)
    if array.ndim != 2 or array.shape[1] < 1:
        raise DatasetError(f"{name}: expected a table of rows and columns, got shape "
                           f"{array.shape}")
    outside = ~(np.abs(array) <= MAX_MAGNITUDE)
    if outside.any():
        o, j = (int(k) for k in np.argwhere(outside)[0])
        raise DatasetError(f"{name}: observation {o}, column {j}: {float(array[o, j])!r} is not a "
                           f"finite number of size at most {MAX_MAGNITUDE:g}")
    return array


def write_csv(inputs, targets, input_names: list[str] | None = None,
              target_names: list[str] | None = None) -> str:
    """CSV text of the data set: a header (x_0, …, y_0, … unless named), one line per
    observation, every number written with repr so that it reads back exactly."""
    inputs = _check_values(inputs, "inputs")
    targets = _check_values(targets, "targets")
    if len(inputs) != len(targets):
        raise DatasetError(f"{_plural(len(inputs), 'row')} of inputs but "
                           f"{_plural(len(targets), 'row')} of targets")
    input_names = _check_names(default_names("x", inputs.shape[1]) if input_names is None
                               else input_names, inputs.shape[1], False)
    target_names = _check_names(default_names("y", targets.shape[1]) if target_names is None
                                else target_names, targets.shape[1], True)
    if len(set(input_names + target_names)) != len(input_names + target_names):
        raise DatasetError("every column needs a name of its own")
    if inputs.size + targets.size > MAX_DATA_VALUES:
        raise DatasetError(f"{inputs.size + targets.size:,} numbers, more than the "
                           f"{MAX_DATA_VALUES:,} a data set may hold")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(input_names + target_names)
    for row in np.hstack([inputs, targets]).tolist():
        writer.writerow([repr(value) for value in row])
    text = out.getvalue()
    if len(text) > MAX_CSV_BYTES:  # only names of thousands of characters get here
        raise DatasetError(f"the CSV text would be {len(text):,} characters, more than the "
                           f"limit of {MAX_CSV_BYTES:,} that Import reads; nothing was written")
    return text


def save_csv(path: str | os.PathLike, inputs, targets, input_names: list[str] | None = None,
             target_names: list[str] | None = None) -> None:
    """write_csv to ``path`` atomically; a refusal (DatasetError) leaves the disk untouched."""
    write_text_atomic(path, write_csv(inputs, targets, input_names, target_names))


# --------------------------------------------------------------- fitting the network
def resize_network(network: Network, input_count: int, output_count: int,
                   spec: InitSpec) -> Network:
    """The network with ``input_count`` inputs and ``output_count`` outputs. Every weight and
    bias whose two neurons survive keeps its value (inputs and outputs are kept from the
    first one on); the new ones are drawn from ``spec`` (engine.structure.restructure)."""
    for name, count in (("inputs", input_count), ("outputs", output_count)):
        if not 1 <= count <= MAX_NEURONS_PER_LAYER:
            raise DatasetError(f"{name}: a layer has 1 to {MAX_NEURONS_PER_LAYER} neurons, "
                               f"not {count}")
    sizes = [input_count, *network.sizes[1:-1], output_count]
    layers = list(range(len(sizes)))
    neurons = [list(range(old)) if l not in (0, len(sizes) - 1) else
               [j if j < old else None for j in range(sizes[l])]
               for l, old in enumerate(network.sizes)]
    return restructure(network, sizes, network.activation_names, network.bias, layers,
                       neurons, spec)


# ------------------------------------------------------- labelled (MNIST-style) files
LABEL_NAMES = ("label", "labels", "class", "digit", "target", "y")
PIXEL_RANGE = 255.0


class LabelledPeek(NamedTuple):
    """What a labelled file's first line says: ``names`` of its columns (its header's, or
    the column numbers 1, 2, … when the first line holds numbers), ``header`` whether it has
    one, ``label`` the suggested label column (one named like ``LABEL_NAMES``, else the
    first) and ``rows`` its observations."""

    names: list[str]
    header: bool
    label: int
    rows: int


class LabelledData(NamedTuple):
    """A labelled file read: the pixels as ``inputs``, the labels one-hot as ``targets``
    (row o has a 1 in column ``label``), ``label_name`` the label column's name, ``classes``
    the targets' count and ``rows`` the observations in the file (``len(inputs)`` of them
    kept)."""

    inputs: np.ndarray
    targets: np.ndarray
    input_names: list[str]
    target_names: list[str]
    label_name: str
    classes: int
    rows: int


def _labelled_lines(text: str | bytes) -> tuple[list[bytes], list[int]]:
    """The non-blank lines of the text as bytes without line breaks, and their numbers
    (a line of spaces and delimiters only is blank, as read_csv has it)."""
    size = len(text)
    if size > MAX_CSV_BYTES:
        raise DatasetError(f"the file is larger than the limit of {MAX_CSV_BYTES} bytes")
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = data.split(b"\n")
    first = next((line for line in lines if line and not line.isspace()), None)
    if first is None:
        raise DatasetError("the file is empty: expected one line per observation, the "
                           "label and the pixels")
    blank = b" \t\x0b\x0c" + _first_row(first, 0)[0].encode()
    numbers = [n for n, line in enumerate(lines, 1) if line.strip(blank)]
    return [lines[n - 1] for n in numbers], numbers


def _first_row(line: bytes, number: int) -> tuple[str, list[str]]:
    text = line.decode("utf-8", "replace")
    delimiter = next((d for d in DELIMITERS if d in text), ",")
    try:
        row = next(csv.reader([text], delimiter=delimiter, skipinitialspace=True))
    except csv.Error as error:
        raise DatasetError(f"line {number}: {error}") from None
    return delimiter, row


def _peek(lines: list[bytes], numbers: list[int]) -> tuple[LabelledPeek, str]:
    delimiter, row = _first_row(lines[0], numbers[0])
    header = not all(is_number_like(cell) for cell in row if cell.strip())
    if header:
        names = _read_header(row, numbers[0])
        keys = [name.casefold() for name in names]
        label = next((keys.index(word) for word in LABEL_NAMES if word in keys), 0)
    else:
        names, label = [str(c + 1) for c in range(len(row))], 0
    return LabelledPeek(names, header, label, len(lines) - header), delimiter


def peek_labelled(text: str | bytes) -> LabelledPeek:
    """The columns of a labelled file and its count of observations (for the import's
    questions), without reading its numbers."""
    return _peek(*_labelled_lines(text))[0]


def _label_column(label: int | str | None, peek: LabelledPeek) -> int:
    if label is None:
        return peek.label
    width = len(peek.names)
    if isinstance(label, str):
        if label not in peek.names:
            raise DatasetError(f"label: the file has no column {_shown(label)}"
                               + ("" if peek.header else " (it has no header; give the "
                                  "column's number from 0)"))
        return peek.names.index(label)
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not (
            -width <= label < width):
        raise DatasetError(f"label: expected a column from 0 to {width - 1} (or -1 for the "
                           f"last), got {label!r}")
    return int(label) % width


def _check_count(value, name: str, least: int, most: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
            least <= value <= most):
        raise DatasetError(f"{name}: expected a whole number from {least} to {most:,}, got "
                           f"{value!r}")
    return int(value)


def read_labelled_csv(text: str | bytes, label: int | str | None = None,
                      classes: int | None = None, scale: bool = False,
                      observations: int | None = None, seed: int = 0) -> LabelledData:
    """An MNIST-style file: one line per observation, a label column (``label``: its name
    or number; by default one named label, class, digit, target or y, else the first) and
    the pixels; a header line is optional (the first line holding numbers means none).

    The labels, whole numbers from 0, become one-hot targets of ``classes`` columns (by
    default as many as the largest label says, that label + 1); ``scale`` divides the
    pixels by 255 after checking that they lie in 0 to 255. ``observations`` keeps a
    seeded sample of that many rows (in file order); every row is read and checked all the
    same, so a bad cell anywhere is a DatasetError naming its line and column. Delimiters,
    numbers and their limits are read_csv's; the file is read chunk by chunk
    (engine.io.fast_csv), at hundreds of MB/s for whole numbers."""
    lines, numbers = _labelled_lines(text)
    peek, delimiter = _peek(lines, numbers)
    column = _label_column(label, peek)
    classes = _check_count(classes, "classes", 1, MAX_NEURONS_PER_LAYER)
    width = len(peek.names)
    if width < 2:
        raise DatasetError(f"line {numbers[0]}: one column; a labelled file has the label "
                           "and at least one pixel")
    if width - 1 > MAX_NEURONS_PER_LAYER:
        raise DatasetError(f"line {numbers[0]}: {width - 1} pixel columns; a layer has at "
                           f"most {MAX_NEURONS_PER_LAYER} neurons")
    if peek.header:
        lines, numbers = lines[1:], numbers[1:]
    rows = len(lines)
    if not rows:
        raise DatasetError(f"the file has a header (line {numbers[0] if numbers else 1}) "
                           "but no observations")
    keep = None
    if observations is not None:
        observations = _check_count(observations, "observations", 1, rows)
        keep = np.sort(np.random.default_rng(seed).choice(rows, observations, replace=False))
    kept = rows if keep is None else len(keep)
    if kept > MAX_OBSERVATIONS or kept * width > MAX_DATA_VALUES:
        raise _too_many(kept, width - 1, classes)
    names = peek.names
    where = "the header" if peek.header else f"line {numbers[0]}"

    def parse_row(cells: list[str], line: int) -> list[float]:
        if len(cells) != width:
            raise DatasetError(f"line {line} has {_plural(len(cells), 'cell')}, {where} has "
                               f"{width}")
        return _parse_row(cells, line, names)

    labels: list[np.ndarray] = []

    def inspect(table: np.ndarray, start: int) -> None:
        chunk_labels = table[:, column]
        bad = np.flatnonzero((chunk_labels < 0) | (chunk_labels != np.floor(chunk_labels)))
        if len(bad):
            raise DatasetError(f"line {numbers[start + bad[0]]}, column {names[column]}: "
                               f"{chunk_labels[bad[0]]:g} is not a class (a whole number "
                               "from 0)")
        top = classes or MAX_NEURONS_PER_LAYER
        bad = np.flatnonzero(chunk_labels >= top)
        if len(bad):
            value = chunk_labels[bad[0]]
            reason = (f"not below the {classes} classes" if classes else
                      f"a class beyond the {MAX_NEURONS_PER_LAYER} neurons of a layer")
            raise DatasetError(f"line {numbers[start + bad[0]]}, column {names[column]}: "
                               f"{value:g} is {reason}")
        if scale:
            pixels = np.delete(table, column, axis=1)
            outside = np.argwhere((pixels < 0) | (pixels > PIXEL_RANGE))
            if len(outside):
                r, c = (int(k) for k in outside[0])
                c += c >= column
                raise DatasetError(
                    f"line {numbers[start + r]}, column {names[c]}: {table[r, c]:g} is "
                    f"outside 0 to 255, the pixel range that scaling to 0–1 expects")
        labels.append(chunk_labels)

    table = fast_csv.read_body(lines, numbers, width, delimiter, parse_row, DatasetError,
                               MAX_MAGNITUDE, keep, inspect)
    classes = classes or int(max(label.max() for label in labels)) + 1
    if kept * (width - 1 + classes) > MAX_DATA_VALUES:
        raise _too_many(kept, width - 1, classes)
    inputs = np.delete(table, column, axis=1)
    if scale:
        inputs /= PIXEL_RANGE
    targets = np.zeros((kept, classes))
    targets[np.arange(kept), table[:, column].astype(int)] = 1.0
    input_names = ([name for c, name in enumerate(names) if c != column] if peek.header
                   else default_names("x", width - 1))
    return LabelledData(inputs, targets, input_names, default_names("y", classes),
                        names[column], classes, rows)


def _too_many(kept: int, inputs: int, classes: int | None) -> DatasetError:
    """The refusal of more numbers than a data set holds (``classes`` None: not yet known,
    the file's columns alone are too many)."""
    per_row = inputs + (classes or 1)
    fit = min(MAX_OBSERVATIONS, MAX_DATA_VALUES // per_row)
    targets = ("at least one target" if classes is None else
               f"{classes} class{'' if classes == 1 else 'es'}")
    return DatasetError(
        f"{kept:,} observations of {_plural(inputs, 'pixel')} and {targets} would be more "
        f"than the {MAX_OBSERVATIONS:,} observations or {MAX_DATA_VALUES:,} numbers a data "
        f"set may hold: import a sample of at most {fit:,} observations")
