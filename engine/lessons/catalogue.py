"""The lessons of resources/lessons as a menu knows them: the files, their keys, and each one's
title and summary read without its steps (``read_header``). This module imports nothing of
the engine but the JSON field checks: the window's start-up lists the lessons through it, and
reads a lesson whole (engine/lessons/lessonfile.py) only when it starts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from ..io.jsonfields import FileFormatError, decode, describe, fail, parse_json, quote

FORMAT = "backprop-lab-lesson/1"
LESSONS_FOLDER = Path(__file__).resolve().parents[2] / "resources" / "lessons"
MAX_LESSON_BYTES = 2**20  # a lesson is prose and a few numbers: a megabyte is plenty


def lesson_key(path: Path) -> str:
    """A lesson's key: its file name without the leading number and ".json"
    ("01-all-equal.json" → "all-equal")."""
    return re.sub(r"^[0-9]+[-_ ]", "", Path(path).stem) or Path(path).stem


def lesson_files(folder: Path = LESSONS_FOLDER) -> list[Path]:
    """The lesson files in ``folder``, in file-name order (hence the numbers)."""
    return sorted(folder.glob("*.json"))


class LessonHeader(NamedTuple):
    """What a menu needs of a lesson file, read without its steps: its key, title, summary
    and path (the whole file is read when the lesson starts)."""

    key: str
    title: str
    summary: str
    path: Path


def read_header(path: str | Path) -> LessonHeader:
    """The title and summary of a lesson file (its format checked, not its steps: a few
    hundred microseconds, where a whole lesson loads its networks); FileFormatError naming
    the field, OSError passes through."""
    path = Path(path)
    value = parse_json(decode(lesson_bytes(path)))
    if not isinstance(value, dict):
        fail("file", f"expected a JSON object {{…}} at the top level, got {describe(value)}")
    check_format(value)
    for field in ("title", "summary"):
        if field not in value:
            fail(field, "missing")
    return LessonHeader(lesson_key(path), text_field(value["title"], "title"),
                        text_field(value["summary"], "summary"), path)


def lesson_bytes(path: Path) -> bytes:
    """The bytes of a lesson file (a regular file, at most MAX_LESSON_BYTES)."""
    size = path.stat().st_size
    if not path.is_file():
        raise FileFormatError(f"file: {path.name} is not a regular file")
    if size > MAX_LESSON_BYTES:
        raise FileFormatError(f"file: {size} bytes, larger than the limit of "
                              f"{MAX_LESSON_BYTES} bytes for a lesson")
    return path.read_bytes()


def check_format(value: dict) -> None:
    if "format" not in value:
        fail("format", f'missing; is this a lesson file? (expected "format": "{FORMAT}")')
    form = value["format"]
    if form != FORMAT:
        if isinstance(form, str) and form.startswith("backprop-lab/"):
            fail("format", f"{quote(form)} is a network file, not a lesson (a lesson says "
                           f'"{FORMAT}")')
        fail("format", f'expected "{FORMAT}", got {describe(form)}')


def text_field(value, path: str, allow_lines: bool = False) -> str:
    """A non-empty string (or, where ``allow_lines``, a list of strings: lines)."""
    if allow_lines and isinstance(value, list):
        for index, line in enumerate(value):
            if not isinstance(line, str):
                fail(f"{path}[{index}]", f"expected a line of text, got {describe(line)}")
        value = "\n".join(value)
    if not isinstance(value, str):
        fail(path, f"expected text{' (or a list of lines)' if allow_lines else ''}, "
                   f"got {describe(value)}")
    if not value.strip():
        fail(path, "empty")
    return value
