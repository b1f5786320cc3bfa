"""Files (issue 5, points 3 and 6): the title's unsaved mark, New, Open (and every way a file
can be bad), Save and Save As (templates, failures half-way), recent files, Revert, closing
with unsaved work, the remembered layout, autosave and recovery after a crash, exceptions in
slots shown in a dialog, bad text in the learning-rate field, and a fuzz of the window's open
path. No modal dialog ever blocks: every question is answered through FileManager's hooks and
the file dialogs are monkeypatched."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import EXAMPLES, SEED_000, SEED_001_FREE, W1, W5, W6
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMenu, QMessageBox

from engine.io import fileformat, recovery
from gui.commands import ChangeSettingsCommand, SetParametersCommand
from gui.parts import files as files_module

# seed 001 (free)'s weights as written in resources/examples/seed-001-free.json
SEED_001_WEIGHTS = [[[0.2, -0.5], [-0.3, 0.6]], [[0.4], [0.4]]]
BROKEN_RECOVERY = b"{ this was cut off by the crash"


# ------------------------------------------------------------------- helpers
def user_copy(tmp_path: Path, name: str = "mine.json", source: Path = SEED_001_FREE) -> Path:
    """A copy of an example outside resources/examples: an ordinary file, not a template."""
    folder = tmp_path / "work"
    folder.mkdir(exist_ok=True)
    path = folder / name
    shutil.copyfile(source, path)
    return path


def title(name: str, modified: bool = False) -> str:
    return f"{name}{' •' if modified else ''} — Backprop Lab"


def edit(window, value: float = 0.75, address=W5) -> None:
    """One undoable edit of a weight, as the inline editor makes it."""
    window.controller.push(SetParametersCommand(window.controller, [address], [value]))


def weights_of(window) -> list[np.ndarray]:
    return [np.array(w) for w in window.controller.network.weights]


def snapshot(window) -> dict:
    c = window.controller
    return {"stepper": c.stepper, "theta": c.network.theta.copy(), "path": c.path,
            "title": window.windowTitle(), "undo": c.undo_stack.count(),
            "iteration": c.stepper.iteration}


def assert_untouched(window, before: dict) -> None:
    """The same work: the same stepper object, θ bit for bit, path, title and undo stack."""
    after = snapshot(window)
    assert after["stepper"] is before["stepper"]
    assert np.array_equal(after["theta"], before["theta"])
    for key in ("path", "title", "undo", "iteration"):
        assert after[key] == before[key], key


def dialogs(window, name: str = "error_dialog") -> list[QMessageBox]:
    return window.findChildren(QMessageBox, name)


def close_dialogs(qtbot, window, name: str = "error_dialog") -> None:
    """Close the dialogs the way the learner would, and wait until they are deleted."""
    for box in dialogs(window, name):
        box.close()
    qtbot.waitUntil(lambda: not dialogs(window, name), timeout=2000)


def one_error(qtbot, window, *fragments: str) -> str:
    """Exactly one error dialog is open, naming every fragment; closes it, returns its text."""
    boxes = dialogs(window)
    assert len(boxes) == 1, [b.text() for b in boxes]
    box = boxes[0]
    assert box.isVisible()
    assert box.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    text = box.text()
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    close_dialogs(qtbot, window)
    return text


def make_window(qtbot, path=None, **options):
    """A MainWindow made here (not by the fixture): registered with qtbot, never asking."""
    from gui.main_window import MainWindow

    window = MainWindow(path, **options)
    window.files.ask_unsaved = lambda: "discard"
    window.debugger.ask_before_discarding = False
    qtbot.addWidget(window)
    return window


def answers(*replies):
    """An ask_unsaved hook that gives ``replies`` in turn, then "discard" (so that closing at
    teardown never blocks), and records every time it was asked."""
    asked = []

    def ask():
        asked.append(True)
        return replies[len(asked) - 1] if len(asked) <= len(replies) else "discard"

    ask.asked = asked
    return ask


def never_asked(*args):
    raise AssertionError(f"asked although nothing was unsaved: {args}")


def dead_pid() -> int:
    """The pid of a process that has finished (and was reaped): nobody's pid right now."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)
    return child.pid


# --------------------------------------------------------------------- title
def test_title_names_the_file_and_marks_edits(open_window, tmp_path):
    path = user_copy(tmp_path)
    window = open_window(path)
    assert window.windowTitle() == title("mine.json")
    edit(window)
    assert window.windowTitle() == title("mine.json", True)
    assert window.files.save_file(path) is True
    assert window.windowTitle() == title("mine.json")
    # an edit of a selection (Set to value) marks it too
    window.network_view.select_parameters([W1, W6])
    assert window.set_selected_to("-0.125") is True
    assert window.windowTitle() == title("mine.json", True)
    assert window.controller.network.get(W1) == window.controller.network.get(W6) == -0.125
    window.action_undo.trigger()  # back to what the file holds
    assert window.windowTitle() == title("mine.json")


def test_title_marks_training_and_restart_gives_the_saved_parameters_back(open_window,
                                                                           tmp_path):
    """Training moves θ away from the file: unsaved. Restart gives the file's θ again, so it
    is not unsaved any more. After saving the trained θ, restart is unsaved instead (the file
    now holds θ after 5 iterations, not the initial one)."""
    path = user_copy(tmp_path)
    window = open_window(path)
    stepper = window.controller.stepper
    stepper.run(5)
    window.refresh()
    assert window.windowTitle() == title("mine.json", True)
    window.controller.restart()
    window.refresh()
    assert stepper.iteration == 0
    for actual, written in zip(weights_of(window), SEED_001_WEIGHTS, strict=True):
        assert np.array_equal(actual, np.array(written))
    assert window.windowTitle() == title("mine.json")

    stepper.run(5)
    assert window.files.save_file(path) is True
    trained = window.controller.network.theta.copy()
    assert window.windowTitle() == title("mine.json")
    window.controller.seek(0)
    window.refresh()
    assert not np.array_equal(window.controller.network.theta, trained)
    assert window.windowTitle() == title("mine.json", True)
    window.controller.seek(5)
    window.refresh()
    assert window.windowTitle() == title("mine.json")


# ----------------------------------------------------------------------- new
def test_new_cancel_keeps_everything(open_window, tmp_path):
    window = open_window(user_copy(tmp_path))
    edit(window)
    before = snapshot(window)
    window.files.ask_unsaved = ask = answers("cancel")
    assert window.files.new_file() is False
    assert ask.asked == [True]
    assert_untouched(window, before)
    assert window.controller.network.get(W5) == 0.75


def test_new_discard_loads_the_xor_template_untitled(open_window, tmp_path):
    path = user_copy(tmp_path)
    window = open_window(path)
    edit(window)
    window.files.ask_unsaved = ask = answers("discard")
    assert window.files.new_file() is True
    assert ask.asked == [True]
    c = window.controller
    assert c.path is None
    assert c.network.sizes == [2, 4, 1]
    assert list(c.network.activation_names) == ["tanh", "sigmoid"]
    np.testing.assert_array_equal(c.stepper.inputs, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(c.stepper.targets, [[0], [1], [1], [0]])
    assert np.array_equal(c.network.theta, fileformat.load(EXAMPLES / "xor.json").network.theta)
    assert c.undo_stack.count() == 0
    # an untouched new network loses nothing: no mark, and closing asks only after an edit
    assert window.windowTitle() == title("untitled")
    assert not window.files.is_modified()
    edit(window)
    assert window.windowTitle() == title("untitled", True)
    # the discarded edit never reached the file
    assert fileformat.load(path).network.get(W5) == 0.4


def test_new_save_saves_to_the_path_first(open_window, tmp_path):
    path = user_copy(tmp_path)
    window = open_window(path)
    edit(window, 0.625)
    window.files.ask_unsaved = answers("save")
    assert window.files.new_file() is True
    written = json.loads(path.read_text("utf-8"))
    assert written["network"]["weights"][1] == [[0.625], [0.4]]
    assert window.controller.path is None
    assert window.controller.network.sizes == [2, 4, 1]


def test_new_without_unsaved_work_does_not_ask(open_window, tmp_path):
    window = open_window(user_copy(tmp_path))
    window.files.ask_unsaved = never_asked
    assert window.files.new_file() is True
    assert window.controller.path is None
    window.files.ask_unsaved = lambda: "discard"  # untitled now: closing at teardown asks


# ---------------------------------------------------------------------- open
def test_open_a_good_file(open_window, tmp_path):
    path = user_copy(tmp_path, "other.json")
    window = open_window(SEED_000)
    window.files.ask_unsaved = never_asked  # nothing unsaved yet
    assert window.open_file(path) is True
    assert window.controller.path == path
    assert window.windowTitle() == title("other.json")
    for actual, written in zip(weights_of(window), SEED_001_WEIGHTS, strict=True):
        assert np.array_equal(actual, np.array(written))
    assert window.files.recent_files() == [path.resolve()]
    assert not dialogs(window)


def _malformed(folder: Path) -> Path:
    path = folder / "malformed.json"
    path.write_text('{"format": "backprop-lab/1", "network": {"layers": [2, 1],,}}')
    return path


def _truncated(folder: Path) -> Path:
    path = folder / "truncated.json"
    path.write_bytes(SEED_001_FREE.read_bytes()[:300])
    return path


def _binary(folder: Path) -> Path:
    path = folder / "binary.json"
    path.write_bytes(bytes(np.random.default_rng(5).integers(0, 256, 4096, dtype=np.uint8))
                     + b"\xc3\x28\x00\xff")
    return path


def _not_utf8(folder: Path) -> Path:
    path = folder / "latin1.json"
    path.write_bytes('{"format": "backprop-lab/1", "name": "réseau"}'.encode("latin-1"))
    return path


def _oversized(folder: Path) -> Path:
    """A sparse file one byte over the limit: the loader must refuse it before reading."""
    path = folder / "huge.json"
    with open(path, "wb") as file:
        file.truncate(fileformat.MAX_FILE_BYTES + 1)
    return path


def _newer(folder: Path) -> Path:
    path = folder / "newer.json"
    path.write_text(SEED_001_FREE.read_text().replace("backprop-lab/1", "backprop-lab/3"))
    return path


def _missing(folder: Path) -> Path:
    return folder / "missing.json"


def _directory(folder: Path) -> Path:
    path = folder / "folder.json"
    path.mkdir()
    return path


def _fifo(folder: Path) -> Path:
    """A named pipe: open() would wait for a writer for ever; Open must refuse at once."""
    path = folder / "pipe.json"
    os.mkfifo(path)
    return path


def _too_large_for_memory(folder: Path) -> Path:
    """Issue 12's file: [1, 4096, 900, 1] and 100,000 observations, 1.4 MB and within every
    count, but it needs tens of GiB to train and show (the test's budget is 8 GiB)."""
    path = folder / "big.json"
    path.write_text(json.dumps({
        "format": "backprop-lab/1",
        "network": {"layers": [1, 4096, 900, 1], "activations": ["relu", "relu", "linear"],
                    "init": {"scheme": "he_normal", "seed": 0}},
        "data": {"inputs": [[0.5]] * 100_000, "targets": [[1.0]] * 100_000}}))
    return path


BAD_FILES = {  # how to make it → what the message must say about it
    "malformed": (_malformed, "not valid JSON"),
    "truncated": (_truncated, "not valid JSON"),
    "binary": (_binary, "binary data"),
    "not_utf8": (_not_utf8, "not UTF-8"),
    "oversized": (_oversized, f"larger than the limit of {fileformat.MAX_FILE_BYTES} bytes"),
    "newer": (_newer, "written by a newer version"),
    "missing": (_missing, "No such file"),
    "directory": (_directory, "directory"),
    "fifo": (_fifo, "named pipe (FIFO), not a regular file"),
    "too large for memory": (_too_large_for_memory, "more than the 8.0 GiB this app allows"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_open_a_bad_file_keeps_the_work(open_window, qtbot, tmp_path, kind, monkeypatch):
    monkeypatch.setenv("BACKPROP_LAB_MEMORY_BUDGET", "8G")  # the same figures on any machine
    make, problem = BAD_FILES[kind]
    window = open_window(user_copy(tmp_path), show=True)
    window.controller.stepper.run(2)
    edit(window)
    window.refresh()
    before = snapshot(window)
    assert before["title"] == title("mine.json", True)
    bad = make(tmp_path)
    assert window.open_file(bad) is False  # asked, answered "discard": still nothing lost
    one_error(qtbot, window, bad.name, problem)
    assert bad.name in window.last_error
    assert_untouched(window, before)
    assert window.controller.network.get(W5) == 0.75


def test_open_dialog_opens_the_chosen_file_and_cancel_does_nothing(open_window, monkeypatch,
                                                                    tmp_path):
    path = user_copy(tmp_path, "chosen.json")
    window = open_window(SEED_000)
    before = snapshot(window)
    chosen = []

    def dialog(parent, caption, start, filters):
        chosen.append(start)
        return replies.pop(0), filters

    replies = ["", str(path)]
    monkeypatch.setattr(files_module.QFileDialog, "getOpenFileName", dialog)
    window.files.open_dialog()  # cancelled
    assert_untouched(window, before)
    window.files.open_dialog()
    assert window.controller.path == path
    assert chosen == [str(SEED_000.parent)] * 2  # starts beside the current file


def test_a_missing_recent_file_is_forgotten(open_window, qtbot, tmp_path):
    kept, gone = user_copy(tmp_path, "kept.json"), user_copy(tmp_path, "gone.json")
    window = open_window(SEED_000)
    assert window.open_file(gone) and window.open_file(kept)
    assert window.files.recent_files() == [kept.resolve(), gone.resolve()]
    gone.unlink()
    assert window.open_file(gone) is False
    one_error(qtbot, window, "gone.json")
    assert window.files.recent_files() == [kept.resolve()]
    assert window.controller.path == kept


# ---------------------------------------------------------------------- save
def test_save_file_loads_back_equal(open_window, tmp_path):
    window = open_window(user_copy(tmp_path))
    c = window.controller
    edit(window, 0.3125)
    c.stepper.run(3)
    c.push(ChangeSettingsCommand(c, c.stepper.config.with_changes(learning_rate=0.25),
                                 "Set learning_rate = 0.25"))
    saved = tmp_path / "saved.json"
    assert window.files.save_file(saved) is True
    assert c.path == saved
    assert window.windowTitle() == title("saved.json")
    document = fileformat.load(saved)
    assert np.array_equal(document.network.theta, c.network.theta)
    assert np.array_equal(document.inputs, c.stepper.inputs)
    assert np.array_equal(document.targets, c.stepper.targets)
    assert document.training == c.stepper.config
    written = json.loads(saved.read_text("utf-8"))  # what a person reading the file sees
    assert written["training"]["learning_rate"] == 0.25
    assert written["data"]["targets"] == [[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]]
    assert window.files.recent_files()[0] == saved.resolve()


def documents(monkeypatch, tmp_path) -> Path:
    """A home folder of this test's own, with a Documents folder (the platform's documents
    location under it)."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(location) == home / "Documents"
    return home / "Documents"


def test_save_on_a_template_asks_for_a_new_name(open_window, monkeypatch, tmp_path):
    template = EXAMPLES / "seed-001-free.json"
    original = template.read_bytes()
    folder = documents(monkeypatch, tmp_path)
    window = open_window(template)
    edit(window)
    calls = []

    def dialog(parent, caption, start, filters):
        calls.append(start)
        return replies.pop(0), filters

    replies = ["", str(tmp_path / "copy")]
    monkeypatch.setattr(files_module.QFileDialog, "getSaveFileName", dialog)
    assert window.files.save() is False  # the dialog was cancelled
    # the learner's documents folder and the example's name (today: no name, and the dialog
    # opened in the app's own resources/examples)
    assert calls == [str(folder / "seed-001-free.json")]
    assert window.windowTitle() == title("seed-001-free.json", True)
    assert window.controller.path == template
    assert not (tmp_path / "copy.json").exists() and not (tmp_path / "copy").exists()
    assert window.files.save() is True
    saved = tmp_path / "copy.json"  # .json added
    assert window.controller.path == saved
    assert window.windowTitle() == title("copy.json")
    assert fileformat.load(saved).network.get(W5) == 0.75
    assert template.read_bytes() == original
    # the copy is an ordinary file: Save goes straight to it now
    edit(window, 0.5)
    monkeypatch.setattr(files_module.QFileDialog, "getSaveFileName", never_asked)
    assert window.files.save() is True
    assert fileformat.load(saved).network.get(W5) == 0.5


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_save_failing_half_way_keeps_the_old_file(open_window, qtbot, monkeypatch, tmp_path,
                                                     failing):
    path = user_copy(tmp_path)
    old = path.read_bytes()
    window = open_window(path)
    edit(window)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileformat.os, failing, fail)
    assert window.files.save() is False
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(p.name for p in path.parent.iterdir()) == ["mine.json"]  # no temporary
    one_error(qtbot, window, "mine.json", "No space left on device")
    assert window.windowTitle() == title("mine.json", True)
    assert window.files.is_modified()
    assert window.controller.network.get(W5) == 0.75


# -------------------------------------------------------------------- recent
def test_recent_files_most_recent_first_no_duplicates_at_most_max(open_window, qtbot, tmp_path,
                                                                  own_config_dir):
    paths = [user_copy(tmp_path, f"net{k}.json") for k in range(files_module.MAX_RECENT + 2)]
    window = open_window(SEED_000)
    for path in paths:
        assert window.open_file(path)
    expected = [p.resolve() for p in reversed(paths)][:files_module.MAX_RECENT]
    assert window.files.recent_files() == expected
    assert window.open_file(paths[5])  # again: moves to the front, once
    expected = [paths[5].resolve()] + [p for p in expected if p != paths[5].resolve()]
    assert window.files.recent_files() == expected
    menu = window.files.recent_menu
    entries = [a for a in menu.actions() if a.toolTip() and a is not
               window.files.action_clear_recent]
    assert [a.text() for a in entries] == [f"&{k + 1} {p.name}" for k, p in enumerate(expected)]
    # kept as plain path strings in settings.json (gui/parts/settings.py), never in a QSettings file
    kept = json.loads((own_config_dir / "settings.json").read_text("utf-8"))
    assert kept == {"recent_files": [str(p) for p in expected]}
    assert not (own_config_dir / "settings.ini").exists()

    # kept in the settings: a second window (the next start) has the same list in its menu
    second = make_window(qtbot)
    menu = second.findChild(type(window.files.recent_menu), "menu_recent")
    assert menu is second.files.recent_menu
    entries = [a for a in menu.actions() if a.toolTip() and a is not
               second.files.action_clear_recent]
    assert [Path(a.toolTip()) for a in entries] == expected
    entries[2].trigger()
    assert second.controller.path == expected[2]
    assert second.windowTitle() == title(expected[2].name)

    second.files.action_clear_recent.trigger()
    assert second.files.recent_files() == []
    texts = [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]
    assert texts == [("(none yet)", False), ("Clear the list", False)]
    assert make_window(qtbot).files.recent_files() == []


def test_a_recent_entry_asks_before_unsaved_work_is_lost(open_window, tmp_path):
    path = user_copy(tmp_path, "recent.json")
    window = open_window(SEED_000)
    assert window.open_file(path) and window.open_file(SEED_000)
    edit(window, 0.5, W1)
    before = snapshot(window)
    entry = next(a for a in window.files.recent_menu.actions() if a.toolTip() == str(
        path.resolve()))
    window.files.ask_unsaved = ask = answers("cancel", "discard")
    entry.trigger()
    assert ask.asked == [True]
    assert_untouched(window, before)
    entry.trigger()
    assert window.controller.path == path.resolve()


# -------------------------------------------------------------------- revert
def test_revert_asks_and_then_reloads_the_file(open_window, tmp_path):
    path = user_copy(tmp_path)
    window = open_window(path)
    window.files.ask_unsaved = never_asked  # Revert has its own question
    edit(window)
    window.controller.stepper.run(2)
    asked = []
    window.files.confirm_revert = lambda name: asked.append(name) or False
    assert window.files.revert() is False
    assert asked == ["mine.json"]
    assert window.controller.network.get(W5) != 0.4
    assert window.windowTitle() == title("mine.json", True)
    window.files.confirm_revert = lambda name: asked.append(name) or True
    assert window.files.revert() is True
    assert window.controller.stepper.iteration == 0
    for actual, written in zip(weights_of(window), SEED_001_WEIGHTS, strict=True):
        assert np.array_equal(actual, np.array(written))
    assert window.windowTitle() == title("mine.json")
    window.files.confirm_revert = never_asked  # nothing to forget: no question
    assert window.files.revert() is True


def test_revert_without_a_file_says_so(open_window):
    window = open_window()
    window.files.new_file()
    window.files.confirm_revert = never_asked
    assert window.files.revert() is False
    assert "never saved" in window.statusBar().currentMessage()


# --------------------------------------------------------------------- close
def test_close_cancel_keeps_the_window_and_the_work(qtbot, tmp_path):
    path = user_copy(tmp_path)
    old = path.read_bytes()
    window = make_window(qtbot, path)
    window.show()
    qtbot.waitExposed(window)
    edit(window)
    window.files.ask_unsaved = ask = answers("cancel", "save")
    assert window.close() is False
    assert window.isVisible()
    assert window.controller.network.get(W5) == 0.75
    assert window.windowTitle() == title("mine.json", True)
    assert path.read_bytes() == old
    assert window.close() is True  # "save"
    assert not window.isVisible()
    assert ask.asked == [True, True]
    assert fileformat.load(path).network.get(W5) == 0.75


def test_close_discard_closes_without_saving(qtbot, tmp_path):
    path = user_copy(tmp_path)
    old = path.read_bytes()
    window = make_window(qtbot, path)
    window.show()
    qtbot.waitExposed(window)
    edit(window)
    window.files.ask_unsaved = ask = answers("discard")
    assert window.close() is True
    assert not window.isVisible()
    assert ask.asked == [True]
    assert path.read_bytes() == old


def test_close_save_on_an_untitled_network_with_the_dialog_cancelled_stays_open(
        qtbot, monkeypatch):
    window = make_window(qtbot)
    window.show()
    qtbot.waitExposed(window)
    window.files.new_file()
    edit(window)
    window.files.ask_unsaved = answers("save")
    monkeypatch.setattr(files_module.QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    assert window.close() is False
    assert window.isVisible()
    window.files.ask_unsaved = lambda: "discard"
    assert window.close() is True


def test_close_save_that_fails_keeps_the_window_open(qtbot, monkeypatch, tmp_path):
    path = user_copy(tmp_path)
    old = path.read_bytes()
    window = make_window(qtbot, path)
    window.show()
    qtbot.waitExposed(window)
    edit(window)
    window.files.ask_unsaved = answers("save")

    def fail(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fileformat.os, "replace", fail)
    assert window.close() is False
    monkeypatch.undo()
    assert window.isVisible()
    one_error(qtbot, window, "mine.json", "Permission denied")
    assert path.read_bytes() == old
    assert window.windowTitle() == title("mine.json", True)
    assert window.controller.network.get(W5) == 0.75


def test_layout_is_remembered_only_when_asked(qtbot, own_config_dir):
    window = make_window(qtbot, SEED_000, remember_layout=True)
    window.show()
    qtbot.waitExposed(window)
    assert not window.loss_dock.isHidden()
    window.loss_dock.hide()
    state = bytes(window.saveState())
    assert window.close() is True
    # kept as base64 text in settings.json, never in a QSettings file (the layout of the
    # workspace in view, Learn at a first start)
    settings_file = own_config_dir / "settings.json"
    kept = json.loads(settings_file.read_text("utf-8"))
    assert set(kept) == {"window_geometry", "workspace", "workspace_layouts"}
    assert kept["workspace"] == "learn"
    assert base64.b64decode(kept["workspace_layouts"]["learn"], validate=True) == state
    assert not (own_config_dir / "settings.ini").exists()
    restored = make_window(qtbot, remember_layout=True)
    assert restored.loss_dock.isHidden()
    assert not restored.weights_dock.isHidden()
    default = make_window(qtbot)
    assert not default.loss_dock.isHidden()
    written = settings_file.read_bytes()
    default.show()
    qtbot.waitExposed(default)
    assert default.close() is True
    assert settings_file.read_bytes() == written  # a window that does not remember keeps none


# ----------------------------------------------------------- autosave, recovery
def test_autosave_only_with_unsaved_work_and_closing_removes_it(qtbot, own_config_dir,
                                                                 tmp_path):
    path = user_copy(tmp_path)
    window = make_window(qtbot, path)
    kept = own_config_dir / "recovery" / f"{os.getpid()}-{window.files.session}.json"
    assert window.files.own_recovery_file() == kept
    assert window.files.autosave() is False
    assert not kept.exists()
    edit(window)
    window.controller.stepper.run(2)
    before = time.time()
    assert window.files.autosave() is True
    # one file: the work with the path it belongs to and when it was kept (issue 12, 3)
    document, original, saved_at = recovery.load(kept)
    assert np.array_equal(document.network.theta, window.controller.network.theta)
    assert document.state.iteration == 2
    assert original == str(path)
    assert before <= saved_at <= time.time()
    assert sorted(p.name for p in kept.parent.iterdir()) == [kept.name]  # no note, no temp
    # saving removes it (nothing unsaved any more), the next edit brings it back
    assert window.files.save_file(path)
    assert not kept.exists()
    edit(window, 0.5)
    assert window.files.autosave() is True
    assert window.close() is True
    assert not kept.exists()


def test_autosave_runs_from_its_timer_and_a_failure_is_said(open_window, own_config_dir):
    window = open_window()
    timer = window.files.autosave_timer
    assert timer.isActive() and timer.interval() == files_module.AUTOSAVE_MS == 60_000
    edit(window, 0.5, W1)
    timer.timeout.emit()  # a minute went by
    own = window.files.own_recovery_file()
    assert np.array_equal(recovery.load(own)[0].network.theta, window.controller.network.theta)
    window.files.remove_own_recovery()
    shutil.rmtree(own.parent)
    own.parent.write_text("a file where the recovery folder should be")
    assert window.files.autosave() is False
    assert window.statusBar().currentMessage().startswith("Autosave failed:")
    assert window.windowTitle() == title("seed-000.json", True)  # the work itself is fine


def crashed_work(qtbot, own_config_dir, tmp_path):
    """Work left by a crashed process: a recovery file under a dead pid. Returns (the work's
    θ, its original path, the recovery file)."""
    path = user_copy(tmp_path)
    window = make_window(qtbot, path)
    edit(window, -0.875)
    window.controller.stepper.run(3)
    theta = window.controller.network.theta.copy()
    assert window.files.autosave()
    own = window.files.own_recovery_file()
    orphan = own_config_dir / "recovery" / f"{dead_pid()}.json"
    shutil.copyfile(own, orphan)
    assert window.close() is True  # this process's own file goes, the orphan stays
    assert not own.exists()
    return theta, path, orphan


def test_recovery_after_a_crash_restores_the_work(open_window, qtbot, own_config_dir,
                                                  tmp_path):
    theta, path, orphan = crashed_work(qtbot, own_config_dir, tmp_path)
    saved_at = json.loads(orphan.read_text("utf-8"))["saved_at"]
    window = open_window(SEED_000)
    asked = []
    window.files.ask_recover = lambda original, when: asked.append((original, when)) or True
    assert window.files.offer_recovery() is True
    assert asked == [(str(path), saved_at)]
    c = window.controller
    assert np.array_equal(c.network.theta, theta)
    # the run goes on where it stood: a recovery file carries the iteration (issue 12, 4)
    assert c.network.get(W5) != 0.4 and c.stepper.iteration == 3
    assert c.path == path
    assert window.windowTitle() == title("mine.json", True)
    assert not orphan.exists()
    # from now on kept under this process's name, which is not offered to itself
    assert window.files.own_recovery_file().exists()
    window.files.ask_recover = never_asked
    assert window.files.offer_recovery() is False


def test_recovery_declined_deletes_it_and_restores_nothing(open_window, qtbot, own_config_dir,
                                                           tmp_path):
    _, _, orphan = crashed_work(qtbot, own_config_dir, tmp_path)
    window = open_window(SEED_000)
    before = snapshot(window)
    window.files.ask_recover = lambda original, when: False
    assert window.files.offer_recovery() is False
    assert_untouched(window, before)
    assert not orphan.exists()


def test_an_unreadable_recovery_file_is_set_aside(open_window, qtbot, own_config_dir,
                                                  tmp_path):
    _, _, orphan = crashed_work(qtbot, own_config_dir, tmp_path)
    orphan.write_bytes(BROKEN_RECOVERY)
    window = open_window(SEED_000, show=True)
    before = snapshot(window)
    window.files.ask_recover = never_asked  # nothing readable to offer
    assert window.files.offer_recovery() is False
    one_error(qtbot, window, orphan.name, "not valid JSON")
    assert_untouched(window, before)
    assert not orphan.exists()
    assert orphan.with_suffix(".unreadable").read_bytes() == BROKEN_RECOVERY
    window.files.ask_recover = never_asked  # not offered again
    assert window.files.offer_recovery() is False


# ---------------------------------------------------------------- exceptions
def installed_hook(window):
    """The hook install_exception_hook makes, taken back out of sys.excepthook at once."""
    from gui.main_window import install_exception_hook

    original = sys.excepthook
    try:
        install_exception_hook(window)
        return sys.excepthook
    finally:
        sys.excepthook = original


def test_an_exception_in_a_slot_is_shown_and_the_work_goes_on(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    c = window.controller
    c.run()
    qtbot.waitUntil(lambda: c.stepper.iteration > 0, timeout=5000)
    hook = installed_hook(window)
    try:
        raise ZeroDivisionError("the slot divided by zero")
    except ZeroDivisionError as error:
        hook(type(error), error, error.__traceback__)
    assert not c.running
    theta, iteration = c.network.theta.copy(), c.stepper.iteration
    boxes = dialogs(window, "exception_dialog")
    assert len(boxes) == 1 and boxes[0].isVisible()
    assert "ZeroDivisionError: the slot divided by zero" in boxes[0].text()
    assert "test_an_exception_in_a_slot" in boxes[0].detailedText()  # the traceback
    qtbot.wait(50)
    assert window.isVisible()
    assert np.array_equal(c.network.theta, theta) and c.stepper.iteration == iteration
    close_dialogs(qtbot, window, "exception_dialog")
    window.action_step_iteration.trigger()  # and it goes on
    assert c.stepper.iteration == iteration + 1


def test_a_real_slot_exception_reaches_the_hook(open_window, qtbot):
    """PySide6 hands an exception raised in a slot to sys.excepthook; with the hook installed
    the learner sees it in a dialog."""
    from gui.main_window import install_exception_hook

    class Emitter(QObject):
        happened = Signal()

    window = open_window(show=True)
    emitter = Emitter()

    def broken_slot():
        raise KeyError("no such neuron")

    emitter.happened.connect(broken_slot)
    original = sys.excepthook
    try:
        install_exception_hook(window)
        emitter.happened.emit()
    finally:
        sys.excepthook = original
    boxes = dialogs(window, "exception_dialog")
    assert len(boxes) == 1 and "KeyError" in boxes[0].text()
    assert "no such neuron" in boxes[0].text()
    close_dialogs(qtbot, window, "exception_dialog")


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("text", "problem"), [
    ("abc", "'abc' is not a number"),
    ("nan", "'nan' is not a finite number"),
    ("inf", "'inf' is not a finite number"),
    ("1e400", "'1e400' is too large"),
    ("", "'' is not a number"),
    ("-1", "learning_rate: must be greater than 0"),
])
def test_the_learning_rate_field_refuses_bad_text(open_window, qtbot, tmp_path, text, problem):
    window = open_window(user_copy(tmp_path), show=True)
    field = window.findChild(QLineEdit, "learning_rate_input")
    old = window.controller.stepper.config.learning_rate
    assert old == 0.5
    field.clear()
    if text:
        qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    message = window.statusBar().currentMessage()
    assert "learning rate" in message or "learning_rate" in message
    assert problem in message
    assert window.controller.stepper.config.learning_rate == old
    assert field.text() == "0.5"
    assert window.controller.undo_stack.count() == 0
    assert window.windowTitle() == title("mine.json")
    # a good value after the bad one is taken
    field.clear()
    qtbot.keyClicks(field, "0.125")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.controller.stepper.config.learning_rate == 0.125
    assert window.windowTitle() == title("mine.json", True)


# ----------------------------------------------------------------------- fuzz
VALID_TEXT = SEED_001_FREE.read_text("utf-8").rstrip()
bad_contents = (
    st.binary(max_size=400)
    | st.text(max_size=400).map(lambda text: text.encode("utf-8"))
    | st.integers(0, len(VALID_TEXT) - 1).map(lambda n: VALID_TEXT[:n].encode("utf-8"))
)


@pytest.fixture
def fuzz_window(open_window):
    """One window for all the examples of the fuzz, with an unsaved edit to keep."""
    window = open_window(SEED_000)
    edit(window, 0.75, W1)
    return window


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=bad_contents)
def test_fuzz_opening_bad_files_keeps_the_work(fuzz_window, qtbot, tmp_path, content):
    """Whatever bytes a file holds, opening it either fails with one error dialog and the
    work untouched (every example here is invalid: random bytes or a cut-off file)."""
    window = fuzz_window
    before = snapshot(window)
    path = tmp_path / "fuzzed.json"
    path.write_bytes(content)
    assert window.open_file(path) is False
    one_error(qtbot, window, "fuzzed.json")
    assert_untouched(window, before)
    assert window.controller.network.get(W1) == 0.75


def test_file_actions_have_stable_names(open_window):
    """The File menu's actions have stable names (the tests and the docs use them)."""
    window = open_window()
    names = ["action_new", "action_open", "action_save", "action_save_as", "action_revert",
             "action_clear_recent"]
    for name in names:
        assert len([a for a in window.findChildren(QAction, name)]) == 1, name


def test_save_as_of_untitled_work_suggests_a_name_in_the_documents_folder(
        open_window, monkeypatch, tmp_path):
    folder = documents(monkeypatch, tmp_path)
    window = open_window()
    window.files.action_new.trigger()  # File ▸ New: untitled
    calls = []
    monkeypatch.setattr(files_module.QFileDialog, "getSaveFileName",
                        lambda parent, caption, start, filters: calls.append(start) or ("", ""))
    window.files.action_save_as.trigger()
    assert calls == [str(folder / "untitled.json")]
    mine = user_copy(tmp_path)
    assert window.open_file(mine)
    window.files.action_save_as.trigger()  # a file of one's own: its own name and folder
    assert calls[-1] == str(mine)


def test_a_script_exported_without_py_gets_it(open_window, monkeypatch, tmp_path):
    """File ▸ Export ▸ NumPy script…, typed "train": the script is train.py, which runs as
    the learner expects (today: a file named "train")."""
    import gui.parts.exports as exports_module

    window = open_window(SEED_001_FREE)
    window.exports.ask_iterations = lambda kind: 3
    monkeypatch.setattr(exports_module.QFileDialog, "getSaveFileName",
                        lambda *a: (str(tmp_path / "train"), ""))
    window.findChild(QAction, "action_export_numpy").trigger()
    assert not (tmp_path / "train").exists()
    script = tmp_path / "train.py"
    assert "import numpy" in script.read_text("utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    # a name that exists once .py is added is asked about, and kept when the answer is no
    script.write_text("mine", "utf-8")
    asked = []
    window.exports.confirm_overwrite = lambda name: asked.append(name) or False
    window.findChild(QAction, "action_export_pytorch").trigger()
    assert asked == ["train.py"] and script.read_text("utf-8") == "mine"
    # a name ending in .py is taken as it is
    monkeypatch.setattr(exports_module.QFileDialog, "getSaveFileName",
                        lambda *a: (str(tmp_path / "other.py"), ""))
    window.findChild(QAction, "action_export_numpy").trigger()
    assert (tmp_path / "other.py").exists() and not (tmp_path / "other.py.py").exists()


def test_save_as_asks_before_replacing_the_file_a_name_without_json_would_hit(
        open_window, tmp_path, monkeypatch):
    existing = user_copy(tmp_path)  # mine.json
    old = existing.read_bytes()
    window = open_window(SEED_001_FREE)
    edit(window, 0.5)
    typed = str(existing.with_suffix(""))  # "mine": the dialog saw no file of that name
    monkeypatch.setattr(files_module.QFileDialog, "getSaveFileName", lambda *a: (typed, ""))
    asked = []
    window.files.confirm_overwrite = lambda name: asked.append(name) or False
    assert window.files.save_as_dialog() is False
    assert asked == ["mine.json"] and existing.read_bytes() == old
    window.files.confirm_overwrite = lambda name: True
    assert window.files.save_as_dialog() is True
    assert fileformat.load(existing).network.get(W5) == 0.5


def test_an_ampersand_in_a_recent_file_name_is_shown_as_written(open_window, tmp_path):
    path = tmp_path / "R&D.json"
    path.write_bytes(SEED_001_FREE.read_bytes())
    window = open_window()
    assert window.open_file(path)
    menu = window.findChild(QMenu, "menu_recent")
    first = menu.actions()[0]
    assert first.text() == "&1 R&&D.json"



def test_a_crash_under_this_very_process_id_is_still_offered(open_window, qtbot,
                                                            own_config_dir, tmp_path):
    """In a container every start may get the same process id: a recovery file under this
    id but another session is a crash's, offered back, not taken for this window's own and
    deleted (found in review)."""
    path = user_copy(tmp_path)
    window = open_window(path)
    edit(window, 0.375)
    assert window.files.autosave()
    own = window.files.own_recovery_file()
    earlier = own.with_name(f"{os.getpid()}-0123456789ab.json")
    shutil.copyfile(own, earlier)
    fresh = open_window()
    offered = []
    fresh.files.ask_recover = lambda path, when: offered.append(path) or True
    assert fresh.files.offer_recovery() is True
    assert offered == [str(path)]  # only the crash's, not the live window's
    assert fresh.controller.network.get(W5) == 0.375
    assert not earlier.exists() and own.exists()


# ------------------------------------------------ interrupted saves, links (issue 12, 2–3)
def test_an_autosave_on_a_full_disk_keeps_the_last_one_whole_and_tied_to_its_file(
        qtbot, own_config_dir, tmp_path, monkeypatch, open_window):
    """The disk fills up during an autosave: the status bar says so, and the previous
    recovery file — the work and the path it belongs to, in one file — is still whole, so
    after a crash the work comes back as mine.json's, not as an untitled network."""
    from engine.io import atomic

    path = user_copy(tmp_path)
    window = make_window(qtbot, path)
    edit(window, -0.875)
    assert window.files.autosave()
    own = window.files.own_recovery_file()
    kept = own.read_bytes()
    edit(window, 0.125, W1)
    copy_into = atomic._copy_into

    def full(file, source):
        file.write(source[:4096])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "_copy_into", full)
    assert window.files.autosave() is False
    monkeypatch.setattr(atomic, "_copy_into", copy_into)
    assert window.statusBar().currentMessage() == "Autosave failed: [Errno 28] No space left " \
                                                  "on device"
    assert own.read_bytes() == kept
    assert sorted(p.name for p in own.parent.iterdir()) == [own.name]  # no temporary left
    orphan = own.with_name(f"{dead_pid()}.json")  # the crash: the process is gone
    shutil.copyfile(own, orphan)
    assert window.close() is True
    fresh = open_window(SEED_000)
    offered = []
    fresh.files.ask_recover = lambda original, when: offered.append(original) or True
    assert fresh.files.offer_recovery() is True
    assert offered == [str(path)]
    assert fresh.controller.path == path
    assert fresh.controller.network.get(W5) == -0.875
    assert fresh.windowTitle() == title("mine.json", True)


def test_a_recovery_file_of_an_earlier_version_with_its_note_is_still_offered(
        open_window, own_config_dir, tmp_path):
    path = user_copy(tmp_path)
    folder = own_config_dir / "recovery"
    folder.mkdir(parents=True)
    document = fileformat.load(path)
    document.network.weights[1][0, 0] = 0.625
    orphan = folder / f"{dead_pid()}.json"
    orphan.write_text(fileformat.dumps(document).replace('"backprop-lab/2"', '"backprop-lab/1"')
                      .split(',\n  "state"')[0] + "\n}\n")
    orphan.with_suffix(".note.json").write_text(json.dumps({"path": str(path),
                                                            "saved_at": 1.5e9}))
    window = open_window(SEED_000)
    asked = []
    window.files.ask_recover = lambda original, when: asked.append((original, when)) or True
    assert window.files.offer_recovery() is True
    assert asked == [(str(path), 1.5e9)]
    assert window.controller.network.get(W5) == 0.625 and window.controller.path == path
    assert not orphan.exists() and not orphan.with_suffix(".note.json").exists()


def test_interrupted_saves_are_cleaned_up_at_start_and_when_a_file_is_opened(
        open_window, own_config_dir, tmp_path):
    """What a killed save left (a temporary file of a process that is gone; the complete
    copy of an in-place rewrite, which finishes it) is cleaned up in the recovery folder and
    the recent files' folders at start, and in a file's folder when it is opened."""
    work = user_copy(tmp_path)
    other = user_copy(tmp_path, "other.json")
    folder = work.parent
    recent = open_window(work)
    recent.files.add_recent(work)
    gone = dead_pid()
    (own_config_dir / "recovery").mkdir(parents=True, exist_ok=True)
    leftovers = [own_config_dir / "recovery" / f".{gone}-aa.json.{gone}-x1y2z3.tmp",
                 folder / f".mine.json.{gone}-k9j8h7.tmp"]
    for leftover in leftovers:
        leftover.write_text("half a save")
    saved = other.read_bytes().replace(b"0.4", b"0.5")  # what the killed save wrote
    other.write_text('{"format": "backprop-lab/2", "netw')  # a rewrite killed half-way
    ready = folder / f".other.json.{gone}-b4c5d6.ready"
    ready.write_bytes(saved)
    window = open_window(SEED_000)
    window.files.ask_recover = never_asked
    assert window.files.offer_recovery() is False
    assert not any(leftover.exists() for leftover in leftovers) and not ready.exists()
    assert other.read_bytes() == saved
    later = folder / f".other.json.{gone}-q1w2e3.tmp"
    later.write_text("another half")
    assert window.open_file(other) is True
    assert not later.exists()


def test_saving_from_the_window_through_a_symbolic_link_keeps_the_link(open_window, tmp_path):
    real = user_copy(tmp_path)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    window = open_window(link)
    edit(window, 0.3125)
    assert window.save_file(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert fileformat.load(real).network.get(W5) == 0.3125
    assert window.windowTitle() == title("link.json")


def test_a_slow_autosave_waits_longer_before_the_next(open_window, monkeypatch):
    """Writing a network of millions of parameters takes seconds, and the window waits for
    it: the next autosave comes after twenty times as long (a minute at least)."""
    import types

    window = open_window()
    edit(window, 0.5, W1)
    clock = iter([100.0, 104.5])  # the autosave took 4.5 s
    monkeypatch.setattr(files_module, "time", types.SimpleNamespace(
        perf_counter=lambda: next(clock), time=time.time, strftime=time.strftime,
        localtime=time.localtime))
    assert window.files.autosave()
    assert window.files.autosave_timer.interval() == 90_000
    clock = iter([0.0, 0.01])
    assert window.files.autosave()
    assert window.files.autosave_timer.interval() == files_module.AUTOSAVE_MS


def test_an_earlier_recovery_note_that_is_a_fifo_does_not_hang_the_start(tmp_path):
    """Found in review: the note of an earlier version's recovery file was read with
    read_text, which blocks on a FIFO; now it is read as every file is (a subprocess with a
    timeout: a hang fails the test instead of hanging the suite)."""
    (tmp_path / "999997.json").write_text(SEED_000.read_text())
    os.mkfifo(tmp_path / "999997.note.json")
    file = str(tmp_path / "999997.json")
    code = (f"from engine.io import recovery; document, path, when = recovery.load({file!r}); "
            "print(path, document.network.sizes)")
    result = subprocess.run([sys.executable, "-c", code], cwd=EXAMPLES.parents[1],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None [2, 3, 3, 2]"


def test_saving_in_the_middle_of_an_iteration_says_what_the_file_holds(open_window, tmp_path):
    window = open_window(SEED_000)
    window.action_step_phase.trigger()
    window.action_step_phase.trigger()
    path = tmp_path / "middle.json"
    assert window.save_file(path)
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {path}; in the middle of iteration 0: opened, it is "
                              "done again from its first phase"), message
    assert fileformat.load(path).state.iteration == 0
