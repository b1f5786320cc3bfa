"""Settings (issue 12, points 6 and 7): a bad settings file never stops the app from starting,
and settings never run code. The settings are one JSON object in settings.json in the
configuration folder (gui/parts/settings.py); every value is checked when read, a bad one is
ignored. The old settings.ini, whose QSettings values PySide6 unpickled, is never opened.

Each test has its own configuration folder (tests/conftest.py, ``own_config_dir``)."""

from __future__ import annotations

import base64
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import REPO, SEED_000, SEED_001_FREE
from PySide6.QtWidgets import QMenu, QMessageBox

from gui.parts import files as files_module

# the values issue 12 found stopping the app, as QSettings' INI file held them
ISSUE_INI = "[General]\nrecent_files=@Size(1 2)\n\n[window]\ngeometry=garbage\nstate=7\n"
RANDOM_BYTES = bytes(np.random.default_rng(12).integers(0, 256, 300, dtype=np.uint8))


# ------------------------------------------------------------------- helpers
def settings_file(folder: Path) -> Path:
    return folder / "settings.json"


def write_settings(folder: Path, value) -> Path:
    """A settings.json holding ``value`` (any JSON value) as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    path = settings_file(folder)
    path.write_text(json.dumps(value), "utf-8")
    return path


def stored(folder: Path) -> dict:
    """settings.json as written: it must be a JSON object."""
    value = json.loads(settings_file(folder).read_text("utf-8"))
    assert isinstance(value, dict)
    return value


def real_files(tmp_path: Path, count: int) -> list[Path]:
    """``count`` Backprop Lab files outside the examples, resolved as the app keeps them."""
    folder = tmp_path / "work"
    folder.mkdir(exist_ok=True)
    paths = []
    for k in range(count):
        path = folder / f"net{k}.json"
        path.write_bytes(SEED_001_FREE.read_bytes())
        paths.append(path.resolve())
    return paths


def make_window(qtbot, path=None, remember_layout=True):
    """A window started the way the app starts it (the layout restored from the settings),
    registered with qtbot, never asking before closing."""
    from gui.main_window import MainWindow

    window = MainWindow(path, remember_layout=remember_layout)
    window.files.ask_unsaved = lambda: "discard"
    window.debugger.ask_before_discarding = False
    qtbot.addWidget(window)
    return window


def recent_entries(window) -> list[Path]:
    """The files the Open Recent menu offers, in order (each entry's tool tip is its path)."""
    files = window.files
    return [Path(a.toolTip()) for a in files.recent_menu.actions()
            if not a.isSeparator() and a.isEnabled() and a is not files.action_clear_recent]


def menu_texts(window) -> list[tuple[str, bool]]:
    """File ▸ Open Recent as the learner sees it: each entry's text and whether it is on."""
    menu = window.findChild(QMenu, "menu_file").findChild(QMenu, "menu_recent")
    assert menu is window.files.recent_menu
    return [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]


def default_size(qtbot):
    """The size of a window that restored nothing."""
    return make_window(qtbot, remember_layout=False).size()


def error_texts(window) -> list[str]:
    return [box.text() for box in window.findChildren(QMessageBox, "error_dialog")]


# ------------------------------------------------------- point 6: bad values
BAD_LAYOUT_VALUES = [
    "garbage",  # not base64 (the issue's geometry=garbage)
    "not base64 at all!",
    "QUJD=extra",  # padding in the middle: strict base64 refuses it
    "",
    7,
    1.5,
    True,
    None,
    [1, 2, 3],
    {"geometry": "AdnQywAD"},
    base64.b64encode(RANDOM_BYTES).decode("ascii"),  # base64, but not a saved geometry
    "\ud800",  # a lone surrogate JSON allows
]


@pytest.mark.parametrize("bad", BAD_LAYOUT_VALUES, ids=repr)
def test_a_bad_geometry_or_state_is_ignored_and_the_app_starts(qtbot, own_config_dir, bad,
                                                              tmp_path):
    good = real_files(tmp_path, 2)
    write_settings(own_config_dir, {"window_geometry": bad, "window_state": bad,
                                    "workspace": bad, "show_welcome": bad,
                                    "workspace_layouts": {"learn": bad, "debug": bad},
                                    "recent_files": [str(p) for p in good]})
    (own_config_dir / "settings.ini").write_text(ISSUE_INI)  # left by an older version
    size = default_size(qtbot)
    window = make_window(qtbot, SEED_000)
    window.workspaces.restore_kept()  # again, by itself: it does not raise either
    assert window.size() == size  # nothing was restored from the bad values
    assert window.workspaces.current == "learn"  # Learn's first layout
    assert not window.loss_dock.isHidden() and not window.weights_dock.isHidden()
    assert recent_entries(window) == good  # the good values in the same file are used
    assert window.controller.path == SEED_000


BAD_RECENT_VALUES = [
    ("a number", 42, []),
    ("an object", {"0": "/tmp/a.json"}, []),
    ("a string", "/tmp/a.json", []),
    ("@Size", "@Size(1 2)", []),
    ("null", None, []),
    ("true", True, []),
    ("mixed", ["/work/a.json", 3, None, "", ["/work/b.json"], {"p": "/x"}, 2.5, False,
               "relative/net.json", "net.json", "/work/with\u0000nul.json",
               "/work/lone\ud800.json", "/work/c.json"],
     ["/work/a.json", "/work/c.json"]),
    ("too many", [f"/work/net{k}.json" for k in range(files_module.MAX_RECENT + 5)],
     [f"/work/net{k}.json" for k in range(files_module.MAX_RECENT)]),
]


@pytest.mark.parametrize(("value", "shown"), [case[1:] for case in BAD_RECENT_VALUES],
                         ids=[case[0] for case in BAD_RECENT_VALUES])
def test_bad_recent_files_are_ignored_and_the_menu_shows_only_good_entries(
        qtbot, own_config_dir, value, shown):
    write_settings(own_config_dir, {"recent_files": value})
    (own_config_dir / "settings.ini").write_text(ISSUE_INI)  # left by an older version
    window = make_window(qtbot, SEED_000)
    window.workspaces.restore_kept()
    assert window.files.recent_files() == [Path(p) for p in shown]
    assert recent_entries(window) == [Path(p) for p in shown]
    if not shown:
        assert menu_texts(window) == [("(none yet)", False), ("Clear the list", False)]
    else:
        assert menu_texts(window) == [(f"&{k + 1} {Path(p).name}", True)
                                      for k, p in enumerate(shown)] + [("Clear the list", True)]


def test_a_recent_entry_that_is_no_file_gives_one_message_and_is_forgotten(
        qtbot, own_config_dir, tmp_path):
    """A plain string that names nothing (a hand edit, an old path) is offered; choosing it
    says why it cannot be opened and drops it from the list; the work stays."""
    good = real_files(tmp_path, 1)
    missing = str(tmp_path / "gone.json")
    write_settings(own_config_dir, {"recent_files": [missing, str(good[0])]})
    window = make_window(qtbot, SEED_000)
    window.show()
    qtbot.waitExposed(window)
    entry = next(a for a in window.files.recent_menu.actions() if a.toolTip() == missing)
    entry.trigger()
    texts = error_texts(window)
    assert len(texts) == 1 and "gone.json" in texts[0]
    for box in window.findChildren(QMessageBox, "error_dialog"):
        box.close()
    qtbot.waitUntil(lambda: not error_texts(window), timeout=2000)
    assert window.controller.path == SEED_000
    assert recent_entries(window) == good
    assert stored(own_config_dir)["recent_files"] == [str(good[0])]


# ------------------------------------------------------ point 6: bad files
BAD_FILES = {
    "not JSON": lambda path: path.write_text("recent_files = ['/a.json']"),
    "empty": lambda path: path.write_bytes(b""),
    "binary": lambda path: path.write_bytes(RANDOM_BYTES + b"\xc3\x28\x00\xff"),
    "not UTF-8": lambda path: path.write_bytes('{"recent_files": ["/é.json"]}'.encode("latin-1")),
    "a JSON list": lambda path: path.write_text('["/tmp/a.json"]'),
    "a JSON string": lambda path: path.write_text('"@Size(1 2)"'),
    "JSON null": lambda path: path.write_text("null"),
    "cut off": lambda path: path.write_text('{"recent_files": ["/tmp/a.json"'),
    "nested too deeply": lambda path: path.write_text("[" * 100_000 + "]" * 100_000),
    "huge": lambda path: path.write_text(
        json.dumps({"recent_files": ["/tmp/a.json"], "padding": "x" * (2 << 20)})),
    "a folder": lambda path: path.mkdir(),
    "a dangling link": lambda path: path.symlink_to(path.with_name("nowhere.json")),
}


@pytest.mark.parametrize(("kind", "make"), BAD_FILES.items(), ids=BAD_FILES.keys())
def test_a_settings_file_that_is_not_settings_is_ignored_and_kept(qtbot, own_config_dir,
                                                                 kind, make, tmp_path):
    own_config_dir.mkdir(parents=True)
    path = settings_file(own_config_dir)
    make(path)
    (own_config_dir / "settings.ini").write_text(ISSUE_INI)  # left by an older version
    was_file = path.is_file() and not path.is_symlink()
    before = path.read_bytes() if was_file else None
    size = default_size(qtbot)
    window = make_window(qtbot, SEED_000)
    window.workspaces.restore_kept()
    assert window.size() == size
    assert window.files.recent_files() == []
    assert window.controller.path == SEED_000
    # the next write replaces it with good settings; what was there is set aside, not lost
    [good] = real_files(tmp_path, 1)
    assert window.open_file(good) is True
    assert stored(own_config_dir)["recent_files"] == [str(good)]
    assert recent_entries(window) == [good]
    aside = own_config_dir / "settings.json.unreadable"
    if was_file:
        assert aside.read_bytes() == before
    elif kind == "a folder":
        assert aside.is_dir()
    else:  # a link to nothing held nothing: it is simply replaced
        assert not aside.exists()
    assert window.close() is True
    assert stored(own_config_dir)["recent_files"] == [str(good)]


def test_a_settings_file_of_exactly_the_limit_is_read_and_one_byte_more_is_not(
        qtbot, own_config_dir, tmp_path):
    from gui.parts import settings as settings_module

    good = real_files(tmp_path, 1)
    text = json.dumps({"recent_files": [str(good[0])], "padding": ""})
    padding = settings_module.MAX_BYTES - len(text.encode("utf-8"))
    write_settings(own_config_dir, {"recent_files": [str(good[0])], "padding": "x" * padding})
    assert settings_file(own_config_dir).stat().st_size == settings_module.MAX_BYTES
    assert make_window(qtbot).files.recent_files() == good
    write_settings(own_config_dir, {"recent_files": [str(good[0])],
                                    "padding": "x" * (padding + 1)})
    assert make_window(qtbot).files.recent_files() == []


STARTS_AND_CLOSES = textwrap.dedent("""
    import json
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from gui.main_window import MainWindow
    window = MainWindow(remember_layout=True)
    window.workspaces.restore_kept()
    recent = [str(p) for p in window.files.recent_files()]
    window.files.ask_unsaved = lambda: "discard"
    window.close()
    print(json.dumps({"started": True, "recent": recent}))
""")


def test_a_fifo_as_the_settings_file_does_not_hang_the_start(own_config_dir):
    """Opening a FIFO for reading waits for a writer: the app starts (in a process of its
    own, so that a hang fails the test instead of stopping the suite) and closes."""
    own_config_dir.mkdir(parents=True)
    path = settings_file(own_config_dir)
    os.mkfifo(path)
    done = subprocess.run([sys.executable, "-c", STARTS_AND_CLOSES], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"started": True, "recent": []}
    assert "Traceback" not in done.stderr
    # closing wrote the layout: the FIFO set aside, a JSON object in its place
    assert (own_config_dir / "settings.json.unreadable").is_fifo()
    assert set(stored(own_config_dir)) == {"window_geometry", "workspace", "workspace_layouts"}


# ---------------------------------------------------- point 7: no code is run
WRITE_PAYLOAD = textwrap.dedent("""
    import pathlib, sys
    from PySide6.QtCore import QSettings

    class Payload:
        def __reduce__(self):
            return (pathlib.Path.touch, (pathlib.Path(sys.argv[2]),))

    store = QSettings(sys.argv[1], QSettings.Format.IniFormat)
    store.setValue("recent_files", Payload())
    store.setValue("window/geometry", Payload())
    store.setValue("window/state", Payload())
    store.sync()
""")
READ_WITH_QSETTINGS = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QSettings
    QSettings(sys.argv[1], QSettings.Format.IniFormat).value("recent_files")
""")


class Payload:
    """Unpickling this touches the marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def python(*arguments: str) -> None:
    """Run Python in a process of its own (no QSettings cache shared with the tests)."""
    done = subprocess.run([sys.executable, "-c", *arguments], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_pickled_payload_in_the_old_settings_ini_runs_nothing(qtbot, own_config_dir,
                                                                tmp_path):
    """An attacker's settings.ini, written by QSettings itself: its values are pickles that
    touch a marker when unpickled. The window starts, restores the layout, offers recent
    files and shows the File menu, and the marker never appears."""
    own_config_dir.mkdir(parents=True)
    ini = own_config_dir / "settings.ini"
    marker = tmp_path / "code-ran"
    python(WRITE_PAYLOAD, str(ini), str(marker))
    raw = ini.read_bytes()
    assert b"@Variant(" in raw and b"PyObjectWrapper" in raw
    assert not marker.exists()
    python(READ_WITH_QSETTINGS, str(ini))  # the payload is live: QSettings runs it
    assert marker.exists()
    marker.unlink()

    window = make_window(qtbot, SEED_000)
    window.workspaces.restore_kept()
    assert window.files.recent_files() == []
    assert menu_texts(window) == [("(none yet)", False), ("Clear the list", False)]
    [good] = real_files(tmp_path, 1)
    assert window.open_file(good)  # a write of the settings
    assert window.close() is True  # and another, of the layout
    make_window(qtbot)  # the next start
    assert not marker.exists()
    assert ini.read_bytes() == raw  # never opened, never rewritten


def test_a_payload_inside_settings_json_is_only_text(qtbot, own_config_dir, tmp_path):
    """The same payload as text in settings.json (the INI line, and the pickle itself in
    base64 where the layout goes): a plain string that names no file, or bytes that are no
    saved layout. Nothing is unpickled or run."""
    marker = tmp_path / "code-ran"
    pickled = pickle.dumps(Payload(marker))
    pickle.loads(pickled)  # the payload is live: unpickling it runs it
    assert marker.exists()
    marker.unlink()
    ini_text = f"@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x18PySide::PyObjectWrapper{pickled!r})"
    write_settings(own_config_dir, {
        "recent_files": ["/" + ini_text, ini_text, base64.b64encode(pickled).decode("ascii")],
        "window_geometry": base64.b64encode(pickled).decode("ascii"),
        "window_state": ini_text,
    })
    size = default_size(qtbot)
    window = make_window(qtbot, SEED_000)
    window.workspaces.restore_kept()
    assert window.size() == size
    # the absolute one is a path like any other; the relative ones are no recent file
    assert window.files.recent_files() == [Path("/" + ini_text)]
    window.show()
    qtbot.waitExposed(window)
    for entry in recent_entries(window):  # each is a path that names nothing
        action = next(a for a in window.files.recent_menu.actions() if a.toolTip() == str(
            entry))
        action.trigger()
        assert len(error_texts(window)) == 1
        for box in window.findChildren(QMessageBox, "error_dialog"):
            box.close()
        qtbot.waitUntil(lambda: not error_texts(window), timeout=2000)
    assert window.files.recent_files() == []
    assert window.controller.path == SEED_000
    assert not marker.exists()


# ------------------------------------------------------------------ round trip
def test_recent_files_and_layout_come_back_and_unknown_keys_survive(qtbot, own_config_dir,
                                                                  tmp_path):
    newer = {"theme": "dark", "future": {"list": [1, 2.5, None], "text": "é"}}
    write_settings(own_config_dir, newer)
    paths = real_files(tmp_path, 3)
    window = make_window(qtbot, SEED_000)
    window.show()
    qtbot.waitExposed(window)
    for path in paths:
        assert window.open_file(path)
    assert stored(own_config_dir) == {**newer,
                                      "recent_files": [str(p) for p in reversed(paths)]}
    window.setGeometry(40, 60, 700, 520)  # inside the offscreen screen (800 × 800)
    window.loss_dock.hide()
    window.welcome.dock.hide()
    geometry, state = bytes(window.saveGeometry()), bytes(window.saveState())
    assert window.close() is True
    kept = stored(own_config_dir)
    assert {key: kept[key] for key in newer} == newer  # a newer version's settings survive
    assert base64.b64decode(kept["window_geometry"], validate=True) == geometry
    assert kept["workspace"] == "learn"
    assert base64.b64decode(kept["workspace_layouts"]["learn"], validate=True) == state

    restored = make_window(qtbot)  # the next start
    assert restored.files.recent_files() == list(reversed(paths))
    assert recent_entries(restored) == list(reversed(paths))
    assert restored.geometry().getRect() == (40, 60, 700, 520)
    assert restored.loss_dock.isHidden() and not restored.weights_dock.isHidden()
    restored.files.action_clear_recent.trigger()  # as the learner does, from the menu
    assert stored(own_config_dir) == {**kept, "recent_files": []}


def test_the_settings_are_written_atomically(qtbot, own_config_dir, tmp_path, monkeypatch):
    """A write that fails half-way leaves the settings as they were and no stray file."""
    from engine.io import atomic

    paths = real_files(tmp_path, 2)
    window = make_window(qtbot, SEED_000)
    assert window.open_file(paths[0])
    before = settings_file(own_config_dir).read_bytes()

    def fail(*args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:  # (undo() would also undo the config folder)
        patch.setattr(atomic.os, "replace", fail)
        assert window.open_file(paths[1]) is True  # the file opens: only the list is not kept
    assert settings_file(own_config_dir).read_bytes() == before
    assert sorted(p.name for p in own_config_dir.iterdir()) == ["settings.json"]


# ---------------------------------------------------------------- write failures
def test_a_settings_write_that_fails_is_said_and_the_work_goes_on(qtbot, own_config_dir,
                                                                 tmp_path, monkeypatch):
    """A full disk (the tests run as root, so a read-only folder would not stop a write):
    opening, saving and clearing the list still work and the status bar says the list was
    not kept; closing (which writes the layout) does not raise."""
    from gui.parts import settings as settings_module

    paths = real_files(tmp_path, 2)
    window = make_window(qtbot, SEED_000)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_file(paths[0])
    before = settings_file(own_config_dir).read_bytes()

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(settings_module, "write_text_atomic", full)
    assert window.open_file(paths[1]) is True
    assert window.controller.path == paths[1]
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Opened {paths[1]}") and "No space left on device" in message
    assert "recent files" in message
    assert window.files.save_file(paths[1]) is True
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {paths[1]}") and "No space left on device" in message
    window.files.action_clear_recent.trigger()
    assert "No space left on device" in window.statusBar().currentMessage()
    assert recent_entries(window) == [paths[0]]  # the menu shows what is kept
    assert window.close() is True  # the layout is not kept either: nothing raised
    assert settings_file(own_config_dir).read_bytes() == before
    assert not error_texts(window)


def test_a_config_folder_that_is_a_file_does_not_stop_the_app(qtbot, tmp_path, monkeypatch):
    """No monkeypatching: the configuration "folder" is a file, so every read and write of
    the settings fails with an OSError. The app starts, opens, saves and closes."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the configuration folder should be")
    monkeypatch.setenv("BACKPROP_LAB_CONFIG_DIR", str(blocker))
    [path] = real_files(tmp_path, 1)
    window = make_window(qtbot, SEED_000)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_file(path) is True
    assert "recent files" in window.statusBar().currentMessage()
    assert window.files.recent_files() == []
    assert window.close() is True
    assert blocker.read_text() == "a file where the configuration folder should be"


def test_an_unreadable_settings_file_is_not_overwritten(qtbot, own_config_dir, tmp_path,
                                                        monkeypatch):
    """A settings file that exists but cannot be read (permissions, an I/O error) may hold
    good settings: the app starts without them and does not replace it."""
    from gui.parts import settings as settings_module

    [path] = real_files(tmp_path, 1)
    good = write_settings(own_config_dir, {"recent_files": ["/work/kept.json"], "theme": 1})
    before = good.read_bytes()

    def denied(*args):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:  # (undo() would also undo the config folder)
        patch.setattr(settings_module, "read_regular_file", denied)
        window = make_window(qtbot, SEED_000)
        assert window.files.recent_files() == []
        assert window.open_file(path) is True
        assert "Permission denied" in window.statusBar().currentMessage()
        assert window.close() is True
    assert good.read_bytes() == before
    assert make_window(qtbot).files.recent_files() == [Path("/work/kept.json")]
