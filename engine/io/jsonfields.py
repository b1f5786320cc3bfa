"""Reading JSON for Backprop Lab files: a parser that keeps what plain ``json`` would lose
(NaN and Infinity literals, numbers beyond a double, keys given twice) and checks of single
fields that fail with one :class:`FileFormatError` whose message starts with the field's path
(``network.weights[1][2]: expected 3 numbers, got 2``). Nothing is ever executed."""

from __future__ import annotations

import difflib
import json
import math

import numpy as np

from .numbers import underflows

_LARGEST_FLOAT = int(np.finfo(float).max)


class FileFormatError(ValueError):
    """A file that is not a valid Backprop Lab document; the message names the field."""


# ---------------------------------------------------------------- JSON parsing
class BadNumber:
    """A JSON number that is no usable double: NaN, Infinity, -Infinity or 1e400 (``reason``
    "not finite"), or a non-zero literal such as 1e-400 that would be stored as 0 ("too
    small")."""

    def __init__(self, text: str, reason: str = "not finite") -> None:
        self.text = text
        self.reason = reason


class JsonObject(dict):
    """A JSON object that remembers the keys given more than once."""

    duplicates: tuple = ()


def _parse_float(text: str):
    value = float(text)
    if not math.isfinite(value):
        return BadNumber(text)
    return BadNumber(text, "too small") if underflows(text, value) else value


def _parse_int(text: str):
    # more than 330 digits is beyond ±1.8e308 anyway (and int() of huge strings is slow)
    value = int(text) if len(text) <= 330 else None
    return value if value is not None and abs(value) <= _LARGEST_FLOAT else BadNumber(text)


def _make_object(pairs: list) -> JsonObject:
    result = JsonObject(pairs)
    if len(result) != len(pairs):
        seen: set = set()
        result.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return result


def parse_json(text: str):
    try:
        return json.loads(text, parse_float=_parse_float, parse_int=_parse_int,
                          parse_constant=BadNumber, object_pairs_hook=_make_object)
    except json.JSONDecodeError as error:
        raise FileFormatError(f"file: not valid JSON: {error.msg} at line {error.lineno}, "
                              f"column {error.colno}") from None
    except RecursionError:
        raise FileFormatError("file: the JSON is nested too deeply") from None


def decode_text(data: bytes, kind: str, error: type[ValueError], prefix: str = "") -> str:
    """A text file's bytes as str: UTF-8, a leading BOM dropped; ``error`` (its message
    after ``prefix``) for UTF-16, binary data or bytes that are not UTF-8. ``kind`` names
    the text expected ("JSON", "CSV"). Shared by the file format and the CSV reader."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise error(f"{prefix}UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise error(f"{prefix}binary data, not a {kind} text file")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as problem:
        raise error(f"{prefix}not UTF-8 text (byte 0x{data[problem.start]:02x} at "
                    f"offset {problem.start})") from None


def decode(data: bytes) -> str:
    return decode_text(data, "JSON", FileFormatError, "file: ")


# ------------------------------------------------------------ field checking
def fail(path: str, message: str):
    raise FileFormatError(f"{path}: {message}")


def describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, BadNumber):
        return value.text
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "an object"


def quote(text: str, limit: int = 40) -> str:
    """A string as JSON shows it, shortened; lone surrogates escaped so it can be printed."""
    shown = json.dumps(text[:limit], ensure_ascii=False) + ("…" if len(text) > limit else "")
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def no_duplicates(value: dict, name: str) -> None:
    if getattr(value, "duplicates", ()):
        fail(name, f"key {quote(value.duplicates[0])} is given more than once")


def expect_object(value, path: str, required: tuple = (), optional: tuple = ()) -> dict:
    if not isinstance(value, dict):
        fail(path or "file", f"expected an object {{…}}, got {describe(value)}")
    name = path or "document"
    no_duplicates(value, name)
    allowed = required + optional
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(key[:60], allowed, n=1)
            hint = f"; did you mean {json.dumps(close[0])}?" if close else ""
            fail(name, f"unknown key {quote(key)} (allowed: {', '.join(allowed)}{hint})")
    for key in required:
        if key not in value:
            fail(f"{path}.{key}" if path else key, "missing")
    return value


def number(value, path: str) -> float:
    if isinstance(value, BadNumber):
        if value.reason == "too small":
            fail(path, f"{value.text} is too small: it would be stored as 0")
        fail(path, f"expected a finite number, got {value.text}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(path, f"expected a number, got {describe(value)}")
    return float(value)


def integer(value, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        fail(path, f"expected a whole number, got {describe(value)}")
    if not low <= value <= high:
        fail(path, f"expected a whole number from {low} to {high}, got {value}")
    return value


def known_name(value, path: str, known: tuple, what: str) -> str:
    if not isinstance(value, str):
        fail(path, f"expected the name of {what}, got {describe(value)}")
    if value not in known:
        fail(path, f"unknown {what} {quote(value)} (known: {', '.join(known)})")
    return value


def list_of(value, path: str, length: int | None, what: str) -> list:
    if not isinstance(value, list):
        fail(path, f"expected a list of {what}, got {describe(value)}")
    if length is not None and len(value) != length:
        fail(path, f"expected {length} {what}, got {len(value)}")
    return value


def vector(value, path: str, length: int, note: str = "") -> list:
    """A list of exactly ``length`` finite numbers (true/false are not numbers)."""
    values = list_of(value, path, None, "numbers")
    if len(values) != length:
        fail(path, f"expected {length} numbers, got {len(values)}{note}")
    # The parser only makes int and float out of finite JSON numbers, so this is enough:
    if not all(type(v) is float or type(v) is int for v in values):
        for index, item in enumerate(values):
            number(item, f"{path}[{index}]")
    return values


def matrix(value, path: str, rows: int | None, cols: int, row_note: str, col_note: str):
    """A list of ``rows`` rows (any count from 1 when None) of ``cols`` numbers each."""
    matrix = list_of(value, path, None, "rows")
    if rows is not None and len(matrix) != rows:
        fail(path, f"expected {rows} rows, got {len(matrix)}{row_note}")
    for index, row in enumerate(matrix):
        vector(row, f"{path}[{index}]", cols, col_note)
    return np.array(matrix, dtype=float).reshape(len(matrix), cols)


def with_path(prefix: str, action, *args, **kwargs):
    """Call an engine validator; its ValueError (already naming a field) becomes ours."""
    try:
        return action(*args, **kwargs)
    except FileFormatError:
        raise
    except ValueError as error:
        raise FileFormatError(f"{prefix}{error}") from None
