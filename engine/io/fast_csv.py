"""The body of a numeric CSV file read fast, chunk by chunk, with the same answers and the
same messages as engine.io.datasets' cell-by-cell reader.

A chunk of rows goes the fastest way that fits it:

1. **whole numbers** (only digits, the delimiter and line breaks: MNIST's pixels): the cell
   boundaries are found with numpy and each cell's digits are summed with their place
   values, a few vectorised passes over the bytes (hundreds of MB/s);
2. **plain decimals** (digits, ``.``, signs, exponents, spaces): numpy's C ``loadtxt``, its
   results checked as the cell reader would check them (finite, within the magnitude limit,
   no literal that underflowed to 0);
3. anything else, or a chunk that either way refused: the cell reader ``parse_row`` row by
   row, which reads what it accepts and names the line and column of what it refuses.

The answer never depends on the way taken: (1) and (2) give a chunk only when every cell is
a plain number the cell reader reads to the same float.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import numpy as np

CHUNK_ROWS = 2048
_WHOLE_BYTES = b"0123456789,\n"
_PLAIN_BYTES = b"0123456789,\n.+-eE "
_MAX_DIGITS = 15  # a whole number of up to 15 digits is exact in a float and below 1e15
_NEWLINE, _ZERO = 10, 48
_DIGIT_VALUE = np.arange(256, dtype=float) - _ZERO  # a digit's byte -> its value


def _whole_numbers(chunk: bytes, width: int, rows: int) -> np.ndarray | None:
    """The chunk's cells as floats when every cell is 1 to 15 digits and every row has
    ``width`` cells; None otherwise. ``chunk`` is ``rows`` lines, each ending with a line
    break and holding no other."""
    if chunk.translate(None, _WHOLE_BYTES):
        return None
    buffer = np.frombuffer(chunk, np.uint8)
    ends = np.flatnonzero(buffer < _ZERO)  # a comma or a line break ends each cell
    if len(ends) != rows * width or not (buffer[ends[width - 1::width]] == _NEWLINE).all():
        return None  # (the chunk has ``rows`` line breaks: each row's last cell ends one)
    values = _DIGIT_VALUE[buffer[ends - 1]]  # the units: negative for an empty cell
    if values.min() < 0:
        return None
    is_digit = buffer >= _ZERO
    longer = np.flatnonzero(is_digit[ends - 2])  # cells of 2 digits or more (-1: a break)
    place = 1.0
    for k in range(2, _MAX_DIGITS + 2):
        if not len(longer):
            return values.reshape(rows, width)
        if k > _MAX_DIGITS:
            return None
        place *= 10
        at = ends[longer] - k
        values[longer] += _DIGIT_VALUE[buffer[at]] * place
        longer = longer[is_digit[at - 1]]
    return None


def _plain_numbers(chunk: bytes, width: int, rows: int, largest: float) -> np.ndarray | None:
    """The chunk's cells as floats through numpy's loadtxt, when every cell is a plain
    number that the cell reader would read to the same value; None otherwise."""
    if chunk.translate(None, _PLAIN_BYTES):
        return None
    try:
        table = np.loadtxt(io.BytesIO(chunk), delimiter=",", dtype=float, ndmin=2,
                           comments=None, quotechar=None)
    except ValueError:
        return None
    if table.shape != (rows, width) or not (np.abs(table) <= largest).all():
        return None
    if (b"e" in chunk or b"E" in chunk) and not table.all():
        return None  # a 0 may be a literal that underflowed (1e-400): the cell reader decides
    return table


def read_body(lines: list[bytes], numbers: list[int], width: int, delimiter: str,
              parse_row: Callable[[list[str], int], list[float]], error: type[ValueError],
              largest: float, keep: np.ndarray | None = None,
              inspect: Callable[[np.ndarray, int], None] | None = None) -> np.ndarray:
    """The table of ``lines`` (non-blank rows without their line breaks, ``numbers`` their
    line numbers in the file), ``width`` cells each.

    ``parse_row(cells, line)`` is the cell reader: it raises ``error`` for a row of another
    count of cells or a bad cell, naming the line and column. ``keep`` (sorted row indices)
    keeps only those rows, every row being checked all the same; ``inspect(table, start)``,
    when given, sees each chunk's whole table (its first row being row ``start``) first."""
    separator = delimiter.encode()
    kept: list[np.ndarray] = []
    for start in range(0, len(lines), CHUNK_ROWS):
        block = lines[start:start + CHUNK_ROWS]
        chunk = b"\n".join(block) + b"\n"
        if separator != b",":
            chunk = None if b"," in chunk else chunk.replace(separator, b",")
        table = None
        if chunk is not None:
            table = _whole_numbers(chunk, width, len(block))
            if table is None:
                table = _plain_numbers(chunk, width, len(block), largest)
        if table is None:
            table = _cell_by_cell(block, numbers[start:start + len(block)], width, delimiter,
                                  parse_row, error)
        if inspect is not None:
            inspect(table, start)
        if keep is not None:
            low, high = np.searchsorted(keep, [start, start + len(block)])
            table = table[keep[low:high] - start]
        kept.append(table)
    if not kept:
        return np.zeros((0, width))
    return np.concatenate(kept) if len(kept) > 1 else kept[0]


def _cell_by_cell(block: list[bytes], numbers: list[int], width: int, delimiter: str,
                  parse_row, error) -> np.ndarray:
    values = []
    for raw, line in zip(block, numbers, strict=True):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # the text came as str: only a split character gets here
            text = raw.decode("utf-8", "replace")
        try:
            cells = next(csv.reader([text], delimiter=delimiter, skipinitialspace=True))
        except csv.Error as problem:
            raise error(f"line {line}: {problem}") from None
        values.append(parse_row(cells, line))
    return np.array(values, dtype=float).reshape(len(block), width)
