"""The app's settings: one JSON object in ``settings.json`` in the configuration folder.

The folder is ``$BACKPROP_LAB_CONFIG_DIR`` if set (the tests give each test its own), else
the platform's per-user configuration folder (``~/.config/backprop-lab`` on Linux).

The file is only ever parsed with ``json.loads``: settings are data, never code. (QSettings'
INI files unpickled ``@Variant(...PyObjectWrapper...)`` values, so a crafted settings.ini ran
code at start; the old ``settings.ini`` is never opened again.) Every value is checked when
it is read and a bad one is ignored, so a bad file never stops the app from starting:

    recent_files      a list of absolute path strings, newest first; other entries are dropped
    window_geometry   base64 of QMainWindow.saveGeometry()
    workspace         the key of the workspace in view at the last close (learn, debug,
                      data); an unknown key is ignored
    workspace_layouts an object: each workspace's key to base64 of QMainWindow.saveState(),
                      the layout it was left in; unknown keys and bad values are dropped
    show_welcome      true or false: the welcome panel at start (default true)
    run_speed         {"per_second": 1 … 999 or "full", "phases": true or false}

(``window_state``, the one layout of versions before the workspaces, is no longer read.)

Writing reads the whole object, changes its keys and writes it back atomically, so keys this
version does not know (a newer version's) are kept. A file that exists but is not a JSON
object is moved aside to ``settings.json.unreadable`` before the new one is written (the
learner's hand edit is not lost); one that cannot be read at all (permissions, I/O) is not
overwritten. Writing raises OSError; the caller decides what to tell the learner.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from engine.io.atomic import NotARegularFile, read_regular_file, write_text_atomic

from ..pacing import MAX_PER_SECOND

CONFIG_ENV = "BACKPROP_LAB_CONFIG_DIR"
FILE_NAME = "settings.json"
MAX_BYTES = 1 << 20  # a settings file holds a few kilobytes; more is not ours
MAX_RECENT = 8


def config_dir() -> Path:
    chosen = os.environ.get(CONFIG_ENV)
    if chosen:
        return Path(chosen)
    location = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(location or Path.home() / ".config") / "backprop-lab"


def settings_path() -> Path:
    return config_dir() / FILE_NAME


# ------------------------------------------------------------------- reading
def _too_large(size: int) -> ValueError:
    return ValueError(f"{size} bytes, more than the {MAX_BYTES} a settings file may hold")


def _read_object(path: Path) -> dict:
    """The JSON object in ``path``. Raises ValueError when the file is not one (too large,
    not UTF-8 JSON, nested too deeply, not an object) and OSError when it cannot be read
    (NotARegularFile for a folder or FIFO, without blocking)."""
    data = read_regular_file(path, MAX_BYTES, _too_large)
    try:
        value = json.loads(data)
    except RecursionError as error:  # [[[[…]]]] deeper than Python's stack
        raise ValueError("nested too deeply") from error
    if not isinstance(value, dict):
        raise ValueError(f"a JSON {type(value).__name__}, not an object")
    return value


def _stored() -> dict:
    """The settings object, or {} when there is none or it cannot be read."""
    try:
        return _read_object(settings_path())
    except (OSError, ValueError):
        return {}


def _is_path_text(value) -> bool:
    """A string that can name a file as the app keeps it: absolute (a relative path would
    depend on where the app started), no NUL, encodable for the file system."""
    if not isinstance(value, str) or not os.path.isabs(value):
        return False
    try:
        return b"\0" not in os.fsencode(value)
    except UnicodeError:  # a lone surrogate that JSON allowed
        return False


def recent_files() -> list[Path]:
    """The remembered recent files, newest first: only the entries that are absolute path
    strings, at most MAX_RECENT; [] when the value is not a list."""
    value = _stored().get("recent_files")
    if not isinstance(value, list):
        return []
    return [Path(entry) for entry in value if _is_path_text(entry)][:MAX_RECENT]


def _decoded(value) -> bytes | None:
    """The bytes of strict base64 text, or None for anything else (or nothing)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeError, binascii.Error):
        return None


def window_geometry() -> bytes | None:
    """The window's saved geometry as bytes (None when missing or bad)."""
    return _decoded(_stored().get("window_geometry"))


def workspace_layouts(known: tuple[str, ...]) -> tuple[str | None, dict[str, bytes]]:
    """The workspace in view at the last close (None when missing or not one of ``known``)
    and the saved layout of each of the ``known`` workspaces (bad entries dropped)."""
    stored = _stored()
    current = stored.get("workspace")
    layouts = stored.get("workspace_layouts")
    if not isinstance(layouts, dict):
        layouts = {}
    decoded = {key: _decoded(value) for key, value in layouts.items() if key in known}
    return (current if isinstance(current, str) and current in known else None,
            {key: value for key, value in decoded.items() if value is not None})


def show_welcome() -> bool:
    """Whether the welcome panel shows at start: true unless the learner said no (a value
    that is not true or false counts as true)."""
    value = _stored().get("show_welcome")
    return value if isinstance(value, bool) else True


def run_speed() -> tuple[int | None, bool]:
    """The remembered run speed: iterations a second (1 … MAX_PER_SECOND; None: full speed)
    and whether phase by phase. Each part is checked on its own: a bad or missing one is
    full speed, or whole iterations."""
    value = _stored().get("run_speed")
    if not isinstance(value, dict):
        return None, False
    per_second = value.get("per_second")
    if (isinstance(per_second, bool) or not isinstance(per_second, int)
            or not 1 <= per_second <= MAX_PER_SECOND):
        per_second = None
    phases = value.get("phases")
    return per_second, phases if isinstance(phases, bool) else False


# ------------------------------------------------------------------- writing
def _update(values: dict) -> None:
    """Set ``values`` in the settings file, keeping every other key. Raises OSError."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        stored = _read_object(path)
    except FileNotFoundError:
        stored = {}
    except (NotARegularFile, ValueError):  # not settings: kept aside, not overwritten
        os.replace(path, path.with_name(FILE_NAME + ".unreadable"))
        stored = {}
    # any other OSError (permissions, I/O) passes: what could not be read is not replaced
    stored.update(values)
    write_text_atomic(path, json.dumps(stored, indent=2) + "\n")


def store_recent_files(paths: list[Path]) -> None:
    """Remember ``paths`` (newest first; the first MAX_RECENT). Raises OSError."""
    _update({"recent_files": [str(path) for path in paths[:MAX_RECENT]]})


def _encoded(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def store_layout(geometry: bytes, workspace: str, layouts: dict[str, bytes]) -> None:
    """Remember the window's saveGeometry(), the workspace in view and each workspace's
    saveState(). Raises OSError."""
    _update({"window_geometry": _encoded(geometry), "workspace": workspace,
             "workspace_layouts": {key: _encoded(value) for key, value in layouts.items()}})


def store_show_welcome(shown: bool) -> None:
    """Remember whether the welcome panel shows at start. Raises OSError."""
    _update({"show_welcome": bool(shown)})


def store_run_speed(per_second: int | None, phases: bool) -> None:
    """Remember the run speed (None: full speed) and whether phase by phase. Raises
    OSError."""
    _update({"run_speed": {"per_second": "full" if per_second is None else int(per_second),
                           "phases": bool(phases)}})
