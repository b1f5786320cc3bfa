"""Files: New, Open, Open Recent, Examples (gui/parts/examples.py), Save, Save As, Revert;
the question before unsaved work is lost; recent files remembered (the window's layout is
kept by gui/parts/workspaces.py); an
autosave to a recovery file every minute while there is unsaved work, offered back on the
next start after a crash. Import weights… replaces the network's weights and biases by those of
a .npz, a PyTorch state_dict or an ONNX model (one undoable edit); Open builds a network from a
.onnx or .pt model too (engine/io/weights.py).

Unsaved work is an edit on the undo stack since the last save, or parameters that training
has moved since then (the file holds the current parameters). The example networks are
templates: Save on one of them asks for a new name instead of overwriting it.

Settings and recovery files live in one folder: ``$BACKPROP_LAB_CONFIG_DIR`` if set (the
tests give each test its own), else the platform's per-user configuration folder. The
settings (recent files, window layout) are a JSON file, checked value by value when read
(gui/parts/settings.py); a failure to write them loses no work, so it is a note in the status bar
after Open, Save or Clear the list, and silent at close. A recovery file
(engine/recovery.py) is named ``<process id>-<session>.json`` and holds the work with the path
it belongs to, written atomically; a file whose process is gone, or whose process id is this
one's but not its session (containers reuse process ids), was left by a crash. What crashed
saves leave behind (temporary files, complete copies of in-place rewrites) is cleaned up at
start, in the recovery folder and the recent files' folders, and in a file's folder when it
is opened or saved.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import uuid
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.io import fileformat, recovery
from engine.io.atomic import remove_interrupted_saves

from ..notation import describe_error
from . import settings as store
from .actions import make_action
from .examples import ExamplesMenu
from .settings import CONFIG_ENV, MAX_RECENT, config_dir  # noqa: F401 (still importable here)

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
NEW_TEMPLATE = EXAMPLES / "xor.json"
AUTOSAVE_MS = 60_000
FILE_FILTER = ("Backprop Lab files and models (*.json *.onnx *.pt *.pth);;Backprop Lab files "
               "(*.json);;ONNX or PyTorch models (*.onnx *.pt *.pth);;All files (*)")
WEIGHTS_FILTER = ("Weights (*.npz *.pt *.pth *.onnx);;NumPy arrays W0, b0, … (*.npz);;"
                  "PyTorch state_dict (*.pt *.pth);;ONNX model (*.onnx);;All files (*)")


def _weights():
    """engine.io.weights, imported when first used (not at start)."""
    from engine.io import weights

    return weights


def recovery_dir() -> Path:
    return config_dir() / "recovery"


def documents_folder() -> Path:
    """The learner's documents folder (the platform's), or the home folder when there is
    none."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


# the recovery sessions of this process's windows: a file under this process's id but
# another session was left by an earlier process that had the same id (containers reuse ids)
_LIVE_SESSIONS: set[str] = set()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its file alone
    return True


def _owner_alive(stem: str) -> bool | None:
    """Whether the process (and window) that writes the recovery file named ``stem`` runs:
    "<pid>-<session>" or, from before sessions, "<pid>"; None for a name of neither form."""
    pid_text, _, session = stem.partition("-")
    try:
        pid = int(pid_text)
    except ValueError:
        return None
    if pid == os.getpid():
        return session in _LIVE_SESSIONS
    return _process_alive(pid)


def orphaned_recovery_files() -> list[Path]:
    """Recovery files left by processes that are no longer running (their unreadable
    leftovers, *.unreadable, and the notes of earlier versions are not among them)."""
    folder = recovery_dir()
    return [file for file in (sorted(folder.glob("*.json")) if folder.is_dir() else [])
            if not file.name.endswith(recovery.NOTE_SUFFIX)
            and _owner_alive(file.stem) is False]


def _and(message: str, problem: str) -> str:
    """A status-bar message with the problem that came with it, if any."""
    return f"{message}; {problem}" if problem else message


def image_hint(network) -> str:
    """For inputs that make square images (784 = 28², 64 = 8²), where to see the hidden
    neurons' weights as pictures (a dock in no workspace); else ""."""
    inputs = network.sizes[0]
    if math.isqrt(inputs) ** 2 != inputs:  # most networks: not even a square, nothing read
        return ""
    from engine.analysis.distributions import image_side  # 5 ms of imports: only for these

    side = image_side(inputs)
    if side is None or network.layer_count < 2:
        return ""
    # short: the status bar shares its line with the symmetry summary
    return f"{side} × {side} inputs: see View ▸ Weight images and View ▸ Distributions"


class FileManager(QObject):
    """The File menu's actions and everything behind them, for one window: given the
    controller, ``parent`` (the widget the dialogs belong to, whose shortcuts the actions
    share) and ``show_error(title, text)`` (a dialog that says what went wrong)."""

    message = Signal(str, int)  # for the status bar, shown for that many ms
    saved_changed = Signal()  # the work was saved, opened or replaced: the title follows
    recent_changed = Signal()  # the recent files' list was written (or could not be)

    def __init__(self, controller, parent, show_error) -> None:
        super().__init__(parent)
        self.dialog_parent = parent
        self.controller = controller
        self.show_error = show_error
        self._saved_theta: np.ndarray | None = None
        self.session = uuid.uuid4().hex[:12]  # names this window's recovery file
        _LIVE_SESSIONS.add(self.session)
        # asked when work would be lost: "save", "discard" or "cancel" (tests answer here)
        self.ask_unsaved = self._ask_unsaved
        # asked with (original path or None, saved_at) whether to restore a recovery file
        self.ask_recover = self._ask_recover
        # asked with the file's name before Revert forgets the changes
        self.confirm_revert = self._confirm_revert
        # asked with a file's name before Save As replaces it (when the dialog could not)
        self.confirm_overwrite = self._confirm_overwrite
        # asked for the weight file to import: a path, or None to cancel (tests answer here)
        self.choose_weights_file = self._choose_weights_file
        self.mark_saved()
        self._build_actions()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    # ------------------------------------------------------------------ actions
    def _build_actions(self) -> None:
        owner = self.dialog_parent
        standard = QKeySequence.StandardKey
        self.action_new = make_action(owner, "action_new", "&New", standard.New, self.new_file,
                                      "A new untitled network (2-4-1 on xor) to start from")
        self.action_open = make_action(owner, "action_open", "&Open…", standard.Open,
                                       self.open_dialog,
                                       "Open a Backprop Lab file, or an ONNX or PyTorch model "
                                       "(.onnx, .pt) as a new network")
        self.action_import_weights = make_action(
            owner, "action_import_weights", "Import &weights…", None, self.import_weights_dialog,
            "Replace the weights and biases by those your own code saved: NumPy .npz (W0, b0, "
            "W1, …), a PyTorch state_dict (.pt) or an ONNX model; undo gives back the old ones")
        self.action_save = make_action(owner, "action_save", "&Save", standard.Save, self.save,
                                       "Save the network, data and settings")
        self.action_save_as = make_action(
            owner, "action_save_as", "Save &As…", standard.SaveAs, self.save_as_dialog,
            "Save the network, data and settings to a new file")
        self.action_revert = make_action(
            owner, "action_revert", "&Revert", None, self.revert,
            "Go back to the file as it was last saved (asks first)")
        self.recent_menu = None
        self.examples_menu = None  # gui/parts/examples.py, made with the menu
        self.action_clear_recent = QAction("Clear the list", self)
        self.action_clear_recent.setObjectName("action_clear_recent")
        self.action_clear_recent.triggered.connect(self.clear_recent)

    def fill_menu(self, menu) -> None:
        """The File menu: new, open, recent, examples, save, save as, revert (exports and
        quit are added by the window)."""
        menu.addAction(self.action_new)
        menu.addAction(self.action_open)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menu_recent")
        self._fill_recent()
        self.examples_menu = ExamplesMenu(menu.addMenu("E&xamples"), EXAMPLES, self.open_file)
        menu.addSeparator()
        for action in (self.action_save, self.action_save_as, self.action_revert):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.action_import_weights)

    # ----------------------------------------------------------------- state
    def _breakpoint_list(self) -> list[dict]:
        breakpoints = self.controller.breakpoints
        return [] if breakpoints is None else [b.to_dict() for b in breakpoints.items]

    def mark_saved(self) -> None:
        """The current state is what the file holds (just opened or saved)."""
        self._saved_theta = self.controller.network.theta.copy()
        self._saved_iteration = self.controller.stepper.iteration
        self._saved_breakpoints = self._breakpoint_list()
        self.controller.undo_stack.setClean()
        self.saved_changed.emit()

    def mark_unsaved(self) -> None:
        self._saved_theta = None
        self.saved_changed.emit()

    def is_modified(self) -> bool:
        """Unsaved work: an edit on the undo stack, parameters or the iteration moved by
        training or rewinding, or breakpoints added, removed or changed (a file keeps them)."""
        theta = self.controller.network.theta
        saved = self._saved_theta
        return (not self.controller.undo_stack.isClean() or saved is None
                or saved.shape != theta.shape or not np.array_equal(saved, theta)
                or self._saved_iteration != self.controller.stepper.iteration
                or self._saved_breakpoints != self._breakpoint_list())

    def is_template(self, path: Path | None) -> bool:
        return path is not None and Path(path).resolve().parent == EXAMPLES

    def title(self) -> str:
        path = self.controller.path
        name = path.name if path else "untitled"
        return f"{name}{' •' if self.is_modified() else ''} — Backprop Lab"

    # ------------------------------------------------------------ asking
    def _ask_unsaved(self) -> str:
        name = self.controller.path.name if self.controller.path else "untitled"
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved work",
                          f"{name} has changes that are not saved (edits or training). "
                          "Save them first?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.dialog_parent)
        box.setObjectName("unsaved_dialog")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def _yes(self, title: str, text: str, default_yes: bool = False) -> bool:
        """A Yes/No question; True for Yes."""
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(self.dialog_parent, title, text,
                                      buttons.Yes | buttons.No,
                                      buttons.Yes if default_yes else buttons.No)
        return answer == buttons.Yes

    def _confirm_revert(self, name: str) -> bool:
        return self._yes("Revert", f"Forget every change since {name} was saved?")

    def _confirm_overwrite(self, name: str) -> bool:
        return self._yes("Replace the file?", f"{name} already exists. Replace it?")

    def may_lose_work(self) -> bool:
        """True when the current work may be replaced: nothing unsaved, or the learner saved
        it or chose to discard it."""
        if not self.is_modified():
            return True
        self.controller.pause()
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        return answer == "discard"

    # ----------------------------------------------------------------- files
    def new_file(self) -> bool:
        if not self.may_lose_work():
            return False
        document = fileformat.load(NEW_TEMPLATE)
        self.controller.load(document, None)
        self.mark_saved()  # an untouched new network loses nothing: closing asks only after edits
        self.message.emit("New network: 2-4-1 on xor", 5000)
        return True

    def open_file(self, path: Path | str, ask: bool = True) -> bool:
        """Load a file; on any error say why and keep the current work. A .onnx or .pt model
        becomes a new untitled network (its file is not a Backprop Lab file to save over)."""
        path = Path(path)
        if ask and not self.may_lose_work():
            return False
        if path.suffix.lower() in _weights().MODEL_SUFFIXES:
            return self._open_model(path)
        self.clean_interrupted_saves(Path(os.path.realpath(path)).parent)
        try:
            document = fileformat.load(path)
        except (OSError, ValueError, MemoryError) as error:
            self.show_error("Could not open the file",
                                   f"{path}: {describe_error(error)}")
            if not path.exists():
                self.forget_recent(path)
            return False
        self.controller.load(document, path)
        self.mark_saved()
        problem = self.add_recent(path)
        hint = image_hint(document.network)
        self.message.emit(_and(f"Opened {path}" + (f"; {hint}" if hint else ""), problem),
                          15000 if hint else 5000)
        return True

    def _open_model(self, path: Path) -> bool:
        try:
            document, note = _weights().model_document(path)
        except (OSError, ValueError, MemoryError) as error:
            self.show_error("Could not open the model", f"{path}: {describe_error(error)}")
            if not path.exists():
                self.forget_recent(path)
            return False
        self.controller.load(document, None)
        self.mark_saved()  # the model file keeps it: closing loses nothing until an edit
        problem = self.add_recent(path)
        network = document.network
        hint = image_hint(network)
        self.message.emit(_and(f"Opened {path.name} as a {'-'.join(map(str, network.sizes))} "
                               f"network ({', '.join(network.activation_names)}); {note}"
                               + (f"; {hint}" if hint else ""), problem), 15000)
        return True

    # ---------------------------------------------------------------- weights
    def _choose_weights_file(self) -> Path | None:
        start = str(self.controller.path.parent if self.controller.path else documents_folder())
        name, _ = QFileDialog.getOpenFileName(self.dialog_parent, "Import weights", start,
                                              WEIGHTS_FILTER)
        return Path(name) if name else None

    def import_weights_dialog(self) -> bool:
        """File ▸ Import weights…; True when the weights were replaced."""
        path = self.choose_weights_file()
        return path is not None and self.import_weights(path)

    def import_weights(self, path: Path | str) -> bool:
        """Replace every weight and bias by the file's: one undoable edit where the run
        stands. A file that does not fit (the message names the array and both shapes) or
        cannot be read is refused, and the network stays as it was."""
        path = Path(path)
        try:
            theta, note = _weights().import_weights(path, self.controller.network)
        except (OSError, ValueError, MemoryError) as error:
            self.show_error("Could not import the weights", f"{path}: {describe_error(error)}")
            return False
        if not self.controller.set_theta(theta, f"Import weights from {path.name}"):
            return False
        self.message.emit(_and(f"Imported the weights and biases of {path.name}", note), 10000)
        return True

    def open_dialog(self) -> bool:
        """File ▸ Open…; True when a file was opened."""
        if not self.may_lose_work():
            return False
        start = str(self.controller.path.parent if self.controller.path else EXAMPLES)
        name, _ = QFileDialog.getOpenFileName(self.dialog_parent, "Open network", start,
                                              FILE_FILTER)
        return bool(name) and self.open_file(name, ask=False)

    def save(self) -> bool:
        path = self.controller.path
        if path is None or self.is_template(path):
            return self.save_as_dialog()
        return self.save_file(path)

    def suggested_path(self) -> Path:
        """Where Save As starts: the file itself, or for an example or untitled work a name
        in the learner's documents folder (never the app's own examples folder)."""
        path = self.controller.path
        if path is not None and not self.is_template(path):
            return path
        return documents_folder() / (path.name if path is not None else "untitled.json")

    def save_as_dialog(self) -> bool:
        start = str(self.suggested_path())
        name, _ = QFileDialog.getSaveFileName(self.dialog_parent, "Save network as", start,
                                              "Backprop Lab files (*.json)")
        if not name:
            return False
        if not name.endswith(".json"):
            # the dialog checked the name typed; the one written gets its own question
            name += ".json"
            if Path(name).exists() and not self.confirm_overwrite(Path(name).name):
                return False
        return self.save_file(name)

    def save_file(self, path: Path | str) -> bool:
        """Save atomically (the old file stays whole if anything fails); through a symbolic
        link to its target, and to every name of a hard-linked file (engine.atomic)."""
        path = Path(path)
        self.clean_interrupted_saves(Path(os.path.realpath(path)).parent)
        try:
            fileformat.save(path, self.controller.document())
        except (OSError, ValueError, MemoryError) as error:
            self.show_error("Could not save the file",
                                   f"{path}: {describe_error(error)}")
            return False
        self.controller.path = path
        self.mark_saved()
        problem = self.add_recent(path)
        self.remove_own_recovery()
        stepper = self.controller.stepper
        if stepper.phase > 0:  # the file holds the iteration's start (docs/file-format.md)
            problem = _and(problem, f"in the middle of iteration {stepper.iteration}: opened, "
                                    "it is done again from its first phase").lstrip("; ")
        self.message.emit(_and(f"Saved {path}", problem), 8000)
        return True

    def revert(self) -> bool:
        path = self.controller.path
        if path is None:
            self.message.emit("Nothing to revert to: never saved", 6000)
            return False
        if self.is_modified() and not self.confirm_revert(path.name):
            return False
        return self.open_file(path, ask=False)

    # ---------------------------------------------------------------- recent
    def recent_files(self) -> list[Path]:
        return store.recent_files()

    def _store_recent(self, paths: list[Path]) -> str:
        """Keep ``paths`` as the recent files and refill the menu (with what is kept).
        Returns "" or, when the settings could not be written, a note for the status bar."""
        try:
            store.store_recent_files(paths)
            problem = ""
        except OSError as error:
            problem = f"the recent files could not be kept ({error})"
        self._fill_recent()
        self.recent_changed.emit()
        return problem

    def add_recent(self, path: Path) -> str:
        path = Path(path).resolve()
        return self._store_recent([path] + [p for p in self.recent_files() if p != path])

    def forget_recent(self, path: Path) -> None:
        path = Path(path).resolve()
        # after an error dialog about the file: a list not kept is not said on top of it
        self._store_recent([p for p in self.recent_files() if p != path])

    def clear_recent(self) -> None:
        problem = self._store_recent([])
        if problem:
            self.message.emit(problem[0].upper() + problem[1:], 10000)

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        paths = self.recent_files()
        for index, path in enumerate(paths):
            label = path.name.replace("&", "&&")  # a literal & in a file name
            action = menu.addAction(f"&{index + 1} {label}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_file(p))
        if not paths:
            empty = menu.addAction("(none yet)")
            empty.setEnabled(False)
        menu.addSeparator()
        menu.addAction(self.action_clear_recent)
        self.action_clear_recent.setEnabled(bool(paths))

    # -------------------------------------------------------------- recovery
    def own_recovery_file(self) -> Path:
        return recovery_dir() / f"{os.getpid()}-{self.session}.json"

    def autosave(self) -> bool:
        """Write the work to this process's recovery file if there is unsaved work: one
        file, the work with the path it belongs to, replaced atomically (a full disk leaves
        the previous one whole)."""
        if not self.is_modified():
            self.remove_own_recovery()
            return False
        file = self.own_recovery_file()
        path = self.controller.path
        started = time.perf_counter()
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            recovery.save(file, self.controller.document(), str(path) if path else None,
                          time.time())
        except (OSError, ValueError, MemoryError) as error:
            self.message.emit(
                f"Autosave failed: {describe_error(error)}", 10000)
            return False
        finally:
            # a network of millions of parameters takes seconds to write: the window waits
            # for it, so it waits at most a twentieth of the time between autosaves
            seconds = time.perf_counter() - started
            self.autosave_timer.setInterval(max(AUTOSAVE_MS, int(20_000 * seconds)))
        return True

    def remove_own_recovery(self) -> None:
        self._discard_recovery(self.own_recovery_file())

    def _ask_recover(self, original: str | None, saved_at: float) -> bool:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved_at))
        name = Path(original).name if original else "an untitled network"
        return self._yes("Recover unsaved work?",
                         f"Backprop Lab did not close normally. Unsaved work on {name} was "
                         f"kept at {when}. Restore it? (No deletes it.)", default_yes=True)

    def offer_recovery(self) -> bool:
        """At start: offer the newest work a crashed session left; True if restored. A file
        that cannot be read is renamed *.unreadable (kept, not offered again), with one
        message. First, saves that a crash interrupted are cleaned up: in the recovery
        folder and in the folders of the recent files."""
        self.clean_interrupted_saves(recovery_dir(), *(p.parent for p in self.recent_files()))
        found = []
        for file in orphaned_recovery_files():
            try:
                found.append((file, *recovery.load(file)))
            except (OSError, ValueError, MemoryError) as error:
                self.show_error("Could not recover the work",
                                       f"{file}: {describe_error(error)}; it is kept as "
                                       f"{file.with_suffix('.unreadable').name}")
                with contextlib.suppress(OSError):
                    file.rename(file.with_suffix(".unreadable"))
                with contextlib.suppress(OSError):
                    file.with_suffix(recovery.NOTE_SUFFIX).unlink()
        found.sort(key=lambda item: -item[3])  # the newest first
        for file, document, original, saved_at in found:
            if not self.ask_recover(original, saved_at):
                self._discard_recovery(file)
                continue
            original = Path(original) if original else None
            self.controller.load(document, original)
            self.mark_saved()
            self.mark_unsaved()  # restored work is unsaved until the learner saves it
            self._discard_recovery(file)
            self.autosave()  # kept under this process's name from now on
            self.message.emit("Recovered the unsaved work", 8000)
            return True
        return False

    def _discard_recovery(self, file: Path) -> None:
        for leftover in (file, file.with_suffix(recovery.NOTE_SUFFIX)):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def clean_interrupted_saves(self, *folders: Path) -> list[str]:
        """What killed saves left in ``folders`` (temporary files, complete copies of in-place
        rewrites): cleaned up (engine.atomic.remove_interrupted_saves). Returns the names."""
        cleaned = []
        for folder in dict.fromkeys(Path(f) for f in folders):  # each folder once
            cleaned += remove_interrupted_saves(folder)
        return cleaned

    # ----------------------------------------------------------------- close
    def close(self) -> None:
        """The window closes (the learner agreed): timers stopped, no recovery file left
        behind."""
        self.autosave_timer.stop()
        self.remove_own_recovery()
        _LIVE_SESSIONS.discard(self.session)
