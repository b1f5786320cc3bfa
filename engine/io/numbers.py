"""The one reader of numbers that people type or paste: number fields, data table cells, CSV
files and the Compare panel's pasted matrices all read a number here.

The grammar is plain ASCII decimal notation: an optional sign, digits with an optional point
(``5``, ``5.``, ``5.25``) or a point and digits (``.5``), then an optional exponent (``e`` or
``E``, an optional sign, digits). Whitespace around the number is allowed, and the Unicode
minus ``−`` reads as ``-`` (tables and books print it). Nothing else is a number: not
``1_000``, ``0x10``, ``1 000``, full-width (``１２``) or Arabic-Indic (``١٢``) digits, all of
which Python's ``float()`` would take or misread. The text is never evaluated.

A number must also survive as a float: ``nan`` and ``inf`` are refused, a literal beyond the
largest double (``1e400``) is too large, and a literal with a non-zero digit that would be
stored as 0 (``1e-400``) is too small. A zero literal (``0``, ``-0``, ``0e-400``) is fine,
and so is a subnormal number (``5e-324``).
"""

from __future__ import annotations

import math
import re

# groups: the decimals after a point (1, or 2 for ".5"), the exponent (3); the Compare
# panel counts the decimals written to allow for their rounding
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?")
NON_FINITE = re.compile(r"[+-]?(?:inf(?:inity)?|nan)", re.IGNORECASE)
_NONZERO_DIGIT = re.compile(r"[1-9]")
QUOTED_CHARACTERS = 40  # a message quotes at most this much of the text


class NumberError(ValueError):
    """Text that is not a number this app accepts. ``reason`` is one of "not a number",
    "not finite", "too large", "too small"; the message quotes the text and says why."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def quoted(text: str) -> str:
    """Text as a message shows it: repr, shortened, printable (lone surrogates escaped)."""
    shown = repr(text[:QUOTED_CHARACTERS]) + ("…" if len(text) > QUOTED_CHARACTERS else "")
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def clean(text: str) -> str:
    """The text as the grammar reads it: outer whitespace gone, the Unicode minus as '-'."""
    return text.strip().replace("\u2212", "-")


def is_number_like(text: str) -> bool:
    """True for a number or a non-finite literal (nan, inf): text meant as a number."""
    cleaned = clean(text)
    return bool(NUMBER.fullmatch(cleaned) or NON_FINITE.fullmatch(cleaned))


def underflows(literal: str, value: float) -> bool:
    """True when ``literal`` (matched by NUMBER) has a non-zero digit but ``value`` is 0."""
    if value != 0.0:
        return False
    mantissa = literal.split("e")[0].split("E")[0]
    return bool(_NONZERO_DIGIT.search(mantissa))


WHOLE = re.compile(r"[0-9]+")


def read_whole_number(text: str, what: str) -> int:
    """A count people type (iterations, steps): ASCII digits only, surrounding whitespace
    allowed. NumberError naming ``what`` for anything else: a sign, a point, ``1_000``,
    full-width (``１２``), Arabic-Indic (``١٢``) or superscript digits, all of which Python's
    ``int()`` or ``str.isdigit`` would take."""
    cleaned = text.strip()
    if not WHOLE.fullmatch(cleaned):
        raise NumberError(f"{what}: {quoted(cleaned)} is not a whole number (digits 0-9 only)",
                          "not a number")
    return int(cleaned)


def read_number(text: str, largest: float = math.inf) -> float:
    """The float ``text`` writes, or NumberError. ``largest``: the greatest size accepted
    (the caller's own limit; beyond the largest double is too large in any case)."""
    cleaned = clean(text)
    shown = quoted(text.strip())
    if not NUMBER.fullmatch(cleaned):
        if NON_FINITE.fullmatch(cleaned):
            raise NumberError(f"{shown} is not a finite number", "not finite")
        raise NumberError(f"{shown} is not a number", "not a number")
    value = float(cleaned)
    if not abs(value) <= largest or math.isinf(value):
        limit = (f"at most {largest:g} in size" if math.isfinite(largest)
                 else "beyond the largest float, about 1.8e308")
        raise NumberError(f"{shown} is too large ({limit})", "too large")
    if underflows(cleaned, value):
        raise NumberError(f"{shown} is too small: it would be stored as 0", "too small")
    return value
