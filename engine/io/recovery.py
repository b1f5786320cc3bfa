"""Recovery files: a window's unsaved work, kept every minute so that a crash loses little.

One file holds everything, written atomically (a temporary file renamed over the old one),
so it is either the whole new work or the whole previous one — never work without the note
of where it came from:

    {"format": "backprop-lab-recovery/1",
     "path": "/home/me/xor.json",     the file the work belongs to (null: untitled)
     "saved_at": 1764780000.5,        seconds since the epoch
     "work": { … a backprop-lab/2 document … }}

Recovery files of earlier versions (a plain document, with its note in ``NAME.note.json``
beside it) are still read. Nothing is executed: the file is parsed as JSON and checked field
by field like any network file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from pathlib import Path

from ..core.limits import MAX_FILE_BYTES, check_read_memory
from .atomic import read_regular_file, write_text_atomic
from .fileformat import Document, read_document, render_json, to_json
from .jsonfields import FileFormatError, decode, describe, expect_object, fail, parse_json

FORMAT = "backprop-lab-recovery/1"
NOTE_SUFFIX = ".note.json"  # the separate note of earlier versions
_MAX_BYTES = MAX_FILE_BYTES + 2**16  # a document and a few lines more


def dumps(document: Document, path: str | None, saved_at: float) -> str:
    return render_json({"format": FORMAT, "path": path, "saved_at": saved_at,
                        "work": to_json(document)}) + "\n"


def save(file: str | os.PathLike, document: Document, path: str | None,
         saved_at: float) -> None:
    """Write the recovery file atomically: the work and the note in one file."""
    write_text_atomic(file, dumps(document, path, saved_at))


def load(file: str | os.PathLike) -> tuple[Document, str | None, float]:
    """(the work, the file it belongs to or None, when it was kept). FileFormatError for a
    file that is not a recovery file or holds a bad document; OSError passes through."""
    data = read_regular_file(file, _MAX_BYTES, lambda size: FileFormatError(
        f"file: {size} bytes, larger than a recovery file can be"),
        before_reading=check_read_memory)
    value = parse_json(decode(data))
    if isinstance(value, dict) and value.get("format") == FORMAT:
        section = expect_object(value, "", ("format", "path", "saved_at", "work"))
        path = section["path"]
        if path is not None and not isinstance(path, str):
            fail("path", f"expected the file's path or null, got {describe(path)}")
        saved_at = section["saved_at"]
        if (isinstance(saved_at, bool) or not isinstance(saved_at, (int, float))
                or not math.isfinite(saved_at)):
            fail("saved_at", f"expected seconds since the epoch, got {describe(saved_at)}")
        return read_document(section["work"]), path, float(saved_at)
    # an earlier version's: the document alone, its note beside it
    document = read_document(value)
    path, saved_at = None, os.stat(file).st_mtime
    with contextlib.suppress(OSError, ValueError):  # a FIFO or a folder is not read either
        note = json.loads(read_regular_file(Path(file).with_suffix(NOTE_SUFFIX), 2**16,
                                            lambda size: ValueError(f"{size} bytes")))
        if isinstance(note, dict):
            if isinstance(note.get("path"), str):
                path = note["path"]
            if isinstance(note.get("saved_at"), (int, float)):
                saved_at = float(note["saved_at"])
    return document, path, saved_at
