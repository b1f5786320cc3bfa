"""Reading a matrix a learner pasted: ``parse_matrix`` reads a numpy repr
(``array([[1., 2.], [3., 4.]])``, also ``print(a)``'s form without commas), a Python list
(nested, or flat for one row), CSV (an optional header row of names is skipped), whitespace
columns, or seed 000's pipe tables (``| 1   0.8   0.4 |``, ``| 2.2 | 2.2 |``; lines of only
bars and dashes are ignored). It never evaluates the text: a small tokenizer knows numbers,
brackets and commas, and nothing else. ``read_matrix`` also gives each cell's rounding
allowance (the digits printed) and notes on what was skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .numbers import NUMBER, NumberError, clean, is_number_like, read_number

MAX_CELLS = 1_000_000
MAX_CHARACTERS = 40_000_000
# a number written with at least this many decimals was rounded by whoever printed it, and is
# compared to the digits it has: it may differ from ours by one unit of its last digit (half a
# unit of rounding, plus the printer's own: seed 000 computed in float32 and prints 7 decimals,
# so its 0.0288126 is our 0.0288126876, 8.8e-8 away)
ROUNDED_DECIMALS = 4

_ARRAY_START = re.compile(r"^(?:(?:np|numpy)\s*\.\s*)?array\s*\(")
_ARRAY_END = re.compile(r"(?:,\s*dtype\s*=\s*[\w.'\"]+\s*)?\)\s*$")
_TOKEN = re.compile(r"([\[\]()])|(,)|([^\s\[\](),]+)")
_SEPARATOR_LINE = set("|-+=: \t")


class MatrixParseError(ValueError):
    """Pasted text that is not a matrix of finite numbers; the message says where and why."""


@dataclass
class ParsedMatrix:
    values: np.ndarray  # 2-D float
    rounding: np.ndarray  # per cell: one unit of the last digit written, or 0
    notes: list[str] = field(default_factory=list)
    # per cell: the decimals written (0 for "1" or "1e-3") and one unit of the last digit
    # written (0.01 for "0.77", 1e-3 for "1e-3"), for rules of one's own (predict mode)
    decimals: np.ndarray | None = None
    units: np.ndarray | None = None

    def allowance(self, at_least_decimals: int, fraction: float) -> np.ndarray:
        """Per cell: ``fraction`` of one unit of the last digit written, for numbers written
        with at least ``at_least_decimals`` decimals, else 0 (compared as they are)."""
        return np.where(self.decimals >= at_least_decimals, fraction * self.units, 0.0)


def parse_matrix(text: str) -> np.ndarray:
    """The pasted matrix as a 2-D float array (a flat list is one row)."""
    return read_matrix(text).values


def read_matrix(text: str) -> ParsedMatrix:
    """``parse_matrix`` with each cell's rounding allowance and notes on what was skipped."""
    if not isinstance(text, str):
        raise MatrixParseError("expected text")
    if len(text) > MAX_CHARACTERS:
        raise MatrixParseError(f"the text is too long ({len(text):,} characters; "
                               f"at most {MAX_CHARACTERS:,})")
    text = text.replace("\u2212", "-").strip()  # the typographic minus sign
    if not text:
        raise MatrixParseError("nothing to read: paste a matrix")
    start = _ARRAY_START.match(text)
    # a table under a title that opens with a bracket ("[∂C/∂b^2; ∂C/∂W^2] = …", a block
    # copied from the matrix view) is a table, not a list
    table = any(line.lstrip().startswith("|") for line in text.splitlines()[1:])
    if (start or text[0] in "[(") and not table:
        if start:
            end = _ARRAY_END.search(text)
            if end is None or end.start() < start.end():
                raise MatrixParseError("array( is not closed by ')'")
            text = text[start.end():end.start()]
        return _cells_to_matrix(_bracket_rows(text), [])
    rows, notes = _line_rows(text)
    return _cells_to_matrix(rows, notes)


def _where(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    return f"line {line}, character {position - (text.rfind(chr(10), 0, position) + 1) + 1}"


def _bracket_rows(text: str) -> list[tuple[None, list[str]]]:
    """Nested brackets (at most two levels) as rows of cell texts."""
    if "..." in text:
        raise MatrixParseError("numpy left values out ('...'): print the whole array, e.g. "
                               "after np.set_printoptions(threshold=np.inf)")
    top: list = []
    stack, closers = [top], []
    previous, cells = "[", 0
    for match in _TOKEN.finditer(text):
        bracket, comma, word = match.groups()
        if bracket in ("[", "("):
            if len(stack) > 2:
                raise MatrixParseError(f"{_where(text, match.start())}: more than two levels of "
                                       "brackets; paste one 2-D matrix at a time")
            inner: list = []
            stack[-1].append(inner)
            stack.append(inner)
            closers.append("]" if bracket == "[" else ")")
        elif bracket:
            if not closers or bracket != closers[-1]:
                raise MatrixParseError(f"{_where(text, match.start())}: unexpected {bracket!r}")
            stack.pop()
            closers.pop()
        elif comma:
            if previous in (",", "[", "("):
                raise MatrixParseError(f"{_where(text, match.start())}: a comma with no "
                                       "number before it")
        else:
            if len(stack) == 1:
                raise MatrixParseError(f"{_where(text, match.start())}: {word[:20]!r} is "
                                       "outside the brackets")
            cells += 1
            if cells > MAX_CELLS:
                raise MatrixParseError(f"more than {MAX_CELLS:,} numbers: too large to compare")
            stack[-1].append(word)
        previous = bracket or comma or "number"
    if closers:
        raise MatrixParseError(f"a {closers[-1]!r} is missing at the end")
    # [[...], [...]] is a matrix; [1, 2, 3] one row; [1, 2] [3, 4] on separate lines two rows
    rows = top[0] if len(top) == 1 and all(isinstance(i, list) for i in top[0]) else top
    for number, row in enumerate(rows, start=1):
        if not all(isinstance(item, str) for item in row):
            raise MatrixParseError(f"row {number} mixes numbers and lists")
    return [(None, row) for row in rows]


def _line_cells(line: str, number: int) -> list[str]:
    if "|" in line:  # seed 000's tables: bars between or around the numbers
        return [cell for part in line.split("|") for cell in part.replace(",", " ").split()]
    if "," in line:  # CSV
        cells = [cell.strip().strip('"').strip() for cell in line.split(",")]
        if cells[-1] == "":
            cells.pop()  # a trailing comma
        for column, cell in enumerate(cells, start=1):
            if not cell:
                raise MatrixParseError(f"line {number}, column {column} is empty")
        return cells
    return line.split()


def _line_rows(text: str) -> tuple[list[tuple[int, list[str]]], list[str]]:
    rows, cells = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or set(stripped) <= _SEPARATOR_LINE:
            continue
        row = _line_cells(stripped, number)
        cells += len(row)
        if cells > MAX_CELLS:
            raise MatrixParseError(f"more than {MAX_CELLS:,} numbers: too large to compare")
        rows.append((number, row))
    notes = []
    # a first row of names only (a CSV header, a table's title) is skipped, with care: only
    # when a row of numbers follows and the header is as wide, or it is a title above a table
    if len(rows) > 1 and not any(_looks_numeric(cell) for cell in rows[0][1]):
        (first_line, first), (_, second) = rows[0], rows[1]
        title = (not text.splitlines()[first_line - 1].lstrip().startswith("|")
                 and "|" in text)
        if len(first) == len(second) or title:
            quoted = text.splitlines()[first_line - 1].strip()[:60]
            notes.append(f"skipped line {first_line} ({quoted}): "
                         f"{'a title' if title else 'a header row of names'}")
            rows = rows[1:]
    rows = _result_section(rows, notes)
    if "|" in text:
        rows = _product_result(rows, text.splitlines(), notes)
    return rows, notes


def _result_section(rows: list[tuple[int, list[str]]], notes: list[str]
                    ) -> list[tuple[int, list[str]]]:
    """The rows after the last label ``= name:`` when labels of names only separate the
    tables (the app's element-wise block copied as text: a, ⊙ b, = result); else ``rows``."""
    labels = [k for k, (_, cells) in enumerate(rows)
              if not any(_looks_numeric(cell) for cell in cells)]
    if not labels:
        return rows
    last = labels[-1]
    line, cells = rows[last]
    if not cells or not cells[0].startswith("=") or last == len(rows) - 1:
        return rows
    notes.append(f"took the result after line {line} ({' '.join(cells)[:60]})")
    return rows[last + 1:]


def _product_result(rows: list[tuple[int, list[str]]], lines: list[str], notes: list[str]
                    ) -> list[tuple[int, list[str]]]:
    """The result block of seed 000's product layout, left × right = result with right
    printed above result and left beside it:

                            |  0.02956687 |  0.02199233 |      right: m rows of k numbers
                            |  -0.0007543 |  0.03770352 |
        |         1           1 |   0.0288126 |   0.0596958 |   left (m numbers), result (k)

    recognised by its shape (m rows of k numbers, indented above the result, then rows of
    m + k numbers whose first bars hold the m of left): the last k numbers of the lower rows.
    Any other shape (a row short of a number) is left for the width check to explain."""
    if len(rows) < 2:
        return rows
    k = len(rows[0][1])
    m = next((s for s, (_, cells) in enumerate(rows) if len(cells) != k), len(rows))
    upper, lower = rows[:m], rows[m:]
    if not lower or any(len(cells) != m + k for _, cells in lower):
        return rows
    lower_lines = [lines[line - 1] for line, _ in lower]
    left_edge = min(line.index("|") if "|" in line else 0 for line in lower_lines)
    indented = any(lines[line - 1].find("|") > left_edge for line, _ in upper)
    left_first = all(len(line.strip().strip("|").split("|")[0].replace(",", " ").split()) == m
                     for line in lower_lines)
    if not (indented and left_first):
        return rows
    first, last = lower[0][0], lower[-1][0]
    notes.append(f"read the seed's product layout (left × right = result, right above the "
                 f"result): took the result block, the last {k} column{'s' * (k != 1)} of "
                 f"lines {first}–{last}")
    return [(line, cells[m:]) for line, cells in lower]


def _looks_numeric(cell: str) -> bool:
    return is_number_like(cell)


def _number(cell: str, where: str) -> tuple[float, float, int, float]:
    """(value, rounding allowance, decimals written, one unit of the last digit) of one
    cell, or MatrixParseError naming where it is."""
    try:
        value = read_number(cell)
    except NumberError as error:
        raise MatrixParseError(f"{where}: {error}") from None
    match = NUMBER.fullmatch(clean(cell))
    decimals = len(match.group(1) or match.group(2) or "")
    exponent_text = match.group(3) or "0"
    if len(exponent_text) > 6:
        return value, 0.0, 0, 0.0
    unit = 10.0 ** max(min(int(exponent_text) - decimals, 300), -300)
    return value, unit if decimals >= ROUNDED_DECIMALS else 0.0, decimals, unit


def _cells_to_matrix(rows: list[tuple[int | None, list[str]]], notes: list[str]) -> ParsedMatrix:
    rows = [(line, cells) for line, cells in rows if cells]
    if not rows:
        raise MatrixParseError("no numbers found: paste a matrix")
    width = len(rows[0][1])
    for number, (line, cells) in enumerate(rows, start=1):
        if len(cells) != width:
            at = f" (line {line})" if line is not None and line != number else ""
            raise MatrixParseError(f"row {number}{at} has {len(cells)} numbers but row 1 has "
                                   f"{width}: every row needs the same number of columns")
    values = np.empty((len(rows), width))
    rounding = np.zeros((len(rows), width))
    decimals = np.zeros((len(rows), width), dtype=int)
    units = np.zeros((len(rows), width))
    for r, (line, cells) in enumerate(rows):
        at = f" (line {line})" if line is not None and line != r + 1 else ""
        for c, cell in enumerate(cells):
            values[r, c], rounding[r, c], decimals[r, c], units[r, c] = _number(
                cell, f"row {r + 1}{at}, column {c + 1}")
    return ParsedMatrix(values, rounding, notes, decimals, units)
