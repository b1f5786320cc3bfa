"""Guided lessons in the window: the Lessons menu and the lesson dock beside the live app.

The lessons themselves are data (engine/lessons). Here a step's actions go through the
controller's undoable commands (``LiveLab``), so a learner can undo them like any edit; the
panel (gui/views/lesson_view.py) shows the step's text and its claims, checked live on the engine
(the scheduler runs the check after every change, once paused), so that a learner who
deviates (edits, steps, runs) sees whether the claim still holds.

- Next applies the next step's actions to the state as it is, the learner's changes
  included; when the network no longer has the lesson's shape, the step is set up afresh.
- Back and "Set up again" swap in the step as the lesson sets it up (``build``), as one
  undoable edit: Undo gives back what was there.
- Starting a lesson replaces the work as File ▸ New does (asking first about unsaved work).
- The menu lists the lessons of resources/lessons; Lessons ▸ Open lesson file… starts any
  other lesson file (docs/lesson-format.md). A broken file is named in an error dialog
  (the field where it is broken) and nothing changes: the lesson in progress and the work
  stay as they were.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog

from engine import lessons
from engine.core.init import InitSpec
from engine.core.network import ParameterAddress
from engine.io.fileformat import Document
from engine.io.jsonfields import FileFormatError

from ..controller import SEEK_SECONDS
from .actions import make_action
from .docks import WIDE, topic_docks

# vertical room a step gives the lesson and the plots below (and the matrices), as fractions
# of the window's height (the lesson's checks need some ten lines, the matrices two tables)
STEP_HEIGHTS = (0.6, 0.25)  # lesson, plots (beside the lesson in its column: what is left)
# a step about the matrices: lesson, matrices, plots when the matrices are under the lesson
# (Debug: the lesson's column also this wide); when they are tabbed with the plots below the
# graph (Learn), lesson and matrices
MATRIX_STEP_HEIGHTS = (0.46, 0.26, 0.22)
MATRIX_STEP_WIDTH = 0.42
MATRIX_BELOW_HEIGHTS = (0.6, 0.31)
# the dock that shows each topic a lesson's step names (engine/lessons/content.py), from the
# dock table's topics
TOPIC_DOCKS = topic_docks()


class LiveLab:
    """A lesson's actions on the window's controller, each an undoable command (runs are
    history, as when the learner runs)."""

    def __init__(self, controller, memo: dict, after_redo=None, after_undo=None) -> None:
        self.controller = controller
        self.memo = memo
        self.after = (after_redo, after_undo)  # for a load's undo and redo (SwapInCommand)

    @property
    def stepper(self):
        return self.controller.stepper

    def load(self, document: Document, text: str) -> None:
        self.controller.swap_in(document.make_stepper(seek_seconds=SEEK_SECONDS),
                                document.init, text, *self.after)

    def step_phase(self) -> None:
        self.controller.step_phase(asked=False)  # the lesson's own step: nothing to predict

    def run(self, iterations: int) -> None:
        self.controller.run_now(iterations)

    def set_values(self, addresses, values, text: str) -> None:
        self.controller.set_parameters(addresses, values, text)

    def reinitialise(self, spec: InitSpec) -> None:
        self.controller.reinitialise(
            spec, f"Lesson: re-initialise ({spec.scheme}, seed {spec.seed})")


class Lessons(QObject):
    """The Lessons menu, the lesson dock and the lesson in progress, for one window.

    Given the controller; the lesson dock; the window's ``layout`` (which builds the lesson
    panel with its dock, when first shown or asked for; a step's
    topics shown, room made for them); the ``graph`` (a step selects what it is about);
    ``files`` (starting asks about unsaved work, as New does); ``show_reference`` (another
    run's losses under the loss curve) and ``show_block`` (the matrix view scrolled to a
    block); and ``owner``, the widget whose shortcuts the actions share."""

    step_entered = Signal(int)  # the index of the step now shown
    predict_requested = Signal()  # "Predict it": the step's exercise, in predict mode
    finished = Signal()
    message = Signal(str, int)  # for the status bar, shown for that many ms

    def __init__(self, controller, dock, layout, graph, files, show_reference,
                 show_block, owner) -> None:
        super().__init__(owner)
        self.controller = controller
        self.layout = layout
        self.graph = graph
        self.files = files
        self.show_reference = show_reference
        self.show_block = show_block
        self.lesson: lessons.Lesson | None = None
        self.index = 0
        self.memo: dict = {}
        self.verdicts: list[tuple[lessons.Check, lessons.Verdict]] | None = None
        self._expected: tuple | None = None  # the lesson's network shape at this step
        self.dock = dock
        self.dock.installEventFilter(self)  # its close button ends the lesson
        self.dock.toggleViewAction().triggered.connect(  # and so does View ▸ Lesson
            lambda shown: None if shown or self.lesson is None else self.close())
        self._loading = False  # the lesson itself is loading its network
        # asked for a lesson file to open: a path, or None when the learner cancels (tests
        # answer here, as FileManager's dialogs do)
        self.choose_lesson_file = self._choose_lesson_file
        layout.on_built.append(self._panel_built)
        controller.document_loaded.connect(self._other_work_loaded)  # ends the lesson
        self._build_actions(owner)

    @property
    def panel(self):
        """The lesson panel (built with its dock the first time it is needed)."""
        return self.layout.part("lesson_panel")

    def _panel_built(self, _row, parts: dict) -> None:
        panel = parts.get("lesson_panel")
        if panel is not None:
            panel.back_requested.connect(self.back)
            panel.again_requested.connect(self.again)
            panel.next_requested.connect(self.next)
            panel.step_chosen.connect(self.go_to)
            panel.predict_requested.connect(self.predict_requested)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.dock and event.type() == QEvent.Type.Close and self.lesson:
            self.close()
        return False

    def _other_work_loaded(self) -> None:
        """New, Open, Revert or a recovery replaced the lesson's network: the lesson ends
        (its steps would act on that work, and Back would swap the lesson's network in
        under that file's name)."""
        if self.lesson is not None and not self._loading:
            self.close()

    # ------------------------------------------------------------------ menu
    def _build_actions(self, owner) -> None:
        self.start_actions: dict[str, QAction] = {}
        for lesson in lessons.HEADERS:  # titles only: a lesson is read when started
            action = make_action(owner, f"action_lesson_{lesson.key.replace('-', '_')}",
                                 lesson.title, None,
                                 lambda _=False, key=lesson.key: self.start(key), lesson.summary)
            self.start_actions[lesson.key] = action
        self.action_open_lesson = make_action(
            owner, "action_open_lesson", "&Open lesson file…", None, self.open_lesson_file,
            "Start a lesson from a lesson file (docs/lesson-format.md)")
        self.action_back = make_action(
            owner, "action_lesson_back", "&Back", "Alt+Left", self.back,
            "The lesson's previous step, as the lesson sets it up")
        self.action_next = make_action(
            owner, "action_lesson_next", "&Next", "Alt+Right", self.next,
            "The lesson's next step, from the network as it is now")
        self.action_again = make_action(owner, "action_lesson_again", "Set &up this step again",
                                        None, self.again, "This step as the lesson sets it up")
        self.action_close = make_action(owner, "action_lesson_close", "&Close the lesson", None,
                                        self.close, "Hide the lesson panel; the network stays")
        self._enable()

    def fill_menu(self, menu) -> None:
        for action in self.start_actions.values():
            menu.addAction(action)
        for name, why in lessons.BROKEN_LESSONS:  # named, not started: the file says why
            broken = menu.addAction(f"{name} (cannot be read)")
            broken.setObjectName("action_broken_lesson")
            broken.setEnabled(False)
            broken.setToolTip(why)
            broken.setStatusTip(f"{name}: {why}")
        menu.setToolTipsVisible(True)
        menu.addSeparator()
        menu.addAction(self.action_open_lesson)
        menu.addSeparator()
        for action in (self.action_back, self.action_next, self.action_again,
                       self.action_close):
            menu.addAction(action)

    def _enable(self) -> None:
        active = self.lesson is not None
        self.action_back.setEnabled(active and self.index > 0)
        self.action_next.setEnabled(active)
        self.action_again.setEnabled(active)
        self.action_close.setEnabled(active)

    # ------------------------------------------------------------ navigation
    def _choose_lesson_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.files.dialog_parent, "Open lesson file",
                                              str(lessons.LESSONS_FOLDER),
                                              "Lesson files (*.json)")
        return Path(name) if name else None

    def open_lesson_file(self, _checked=False, path: str | Path | None = None) -> bool:
        """Lessons ▸ Open lesson file…: read the file chosen and start its lesson; a broken
        file gets an error dialog naming the field, and nothing else happens."""
        path = self.choose_lesson_file() if path is None else Path(path)
        if path is None:
            return False
        try:
            lesson = lessons.load_lesson(path)
        except FileFormatError as error:
            self.files.show_error("Cannot open the lesson", f"{path.name}: {error}")
            return False
        except OSError as error:
            self.files.show_error("Cannot open the lesson",
                                  f"{path.name}: {error.strerror or error}")
            return False
        try:
            return self.start(lesson)
        except (OSError, ValueError) as error:  # its network files changed since, or its
            # actions do not fit them: setting the step up failed before anything was loaded
            self.files.show_error("Cannot start the lesson", f"{path.name}: {error}")
            return False

    def start(self, key: str | lessons.Lesson, index: int = 0) -> bool:
        """Open a lesson (one of LESSONS by its key, or one read from a file) at step
        ``index``, asking first about unsaved work, as New does."""
        try:  # a lesson of the menu is read whole now: a broken step is named, nothing lost
            lesson = key if isinstance(key, lessons.Lesson) else lessons.lesson(key)
        except (OSError, ValueError) as error:
            self.files.show_error("Cannot start the lesson", f"{key}: {error}")
            return False
        if not self.files.may_lose_work():
            return False
        self.controller.pause()
        with _busy():
            lab = self._build(lesson, index)
            self._loading = True
            try:
                self.controller.load(Document.from_stepper(lab.stepper, lab.init_spec), None,
                                     stepper=lab.stepper)
            finally:
                self._loading = False
        self.files.mark_saved()  # an untouched lesson loses nothing, as New
        self.lesson, self.memo = lesson, lab.memo
        self.layout.show_dock("lesson")  # in the workspace in view, at its width there
        self._enter(index)
        return True

    def next(self) -> None:
        if self.lesson is None:
            return
        self.controller.pause()
        if self.index + 1 >= len(self.lesson.steps):
            title = self.lesson.title
            self.close()
            self.message.emit(f"Lesson finished: {title}. The network stays yours to explore.",
                              10000)
            self.finished.emit()
            return
        target = self.index + 1
        step = self.lesson.steps[target]
        loads = bool(step.actions) and isinstance(step.actions[0], lessons.Load)
        fits = self._expected == lessons.structure_of(self.controller.network)
        if not loads and not fits:
            self._set_up(target, "the network had changed shape, so the lesson set step "
                                 f"{target + 1} up afresh")
            return
        if not loads and not self._agree():  # a load discards nothing: nothing to ask
            return
        with _busy(), self._agreed():
            lab = LiveLab(self.controller, self.memo, *self._following(target, self.index))
            for action in step.actions:
                action.apply(lab)
        self._enter(target)

    def go_to(self, index: int) -> None:
        """Any step, set up as the lesson does (one edit that Undo takes back)."""
        if self.lesson is not None and index != self.index:
            self._set_up(index)

    def back(self) -> None:
        if self.lesson is not None and self.index > 0:
            self._set_up(self.index - 1)

    def again(self) -> None:
        if self.lesson is not None:
            self._set_up(self.index)

    def close(self) -> None:
        """Leave the lesson; the network stays as it is."""
        self.lesson = None
        self.controller.predict_hints = {}
        self.verdicts = None
        self.show_reference(None)
        panel = self.layout.built_part("lesson_panel")
        if panel is not None:
            panel.show_none()
        self.dock.hide()
        self._enable()

    def _set_up(self, index: int, why: str = "") -> None:
        """Swap in step ``index`` as the lesson sets it up: one undoable edit."""
        with _busy():
            lab = self._build(self.lesson, index)
            self.controller.swap_in(lab.stepper, lab.init_spec,
                                    f"Lesson: {self.lesson.title}, step {index + 1}",
                                    *self._following(index, self.index))
        self.memo = lab.memo
        self._enter(index)
        if why:
            self.message.emit(f"Lesson: {why}", 10000)

    def _following(self, index: int, before: int):
        """Callbacks for a set-up's redo and undo: the panel shows the step whose network
        is there (while the same lesson is open)."""
        lesson = self.lesson

        def show(step: int) -> None:
            if self.lesson is lesson:
                self._enter(step)

        return (lambda: show(index)), (lambda: show(before))

    def _build(self, lesson: lessons.Lesson, index: int) -> lessons.EngineLab:
        return lessons.build(lesson, index, seek_seconds=SEEK_SECONDS)

    def _agree(self) -> bool:
        """A step from a rewound state discards the later history: ask once, up front."""
        return self.controller.may_discard_future()

    def _agreed(self):
        """While a step's actions run, the question asked up front stands for all of them."""
        return self.controller.discarding_agreed()

    # -------------------------------------------------------------- a step
    def _enter(self, index: int) -> None:
        self.index = index
        step = self.lesson.steps[index]
        self._expected = lessons.structure_of(self.controller.network)
        self.panel.show_step(self.lesson, index)
        # the step's prediction exercises: the Predict panel offers their quantity first
        self.controller.predict_hints = {exercise.phase: exercise.quantity
                                         for exercise in step.predict}
        self._highlight(step)
        reference = self.memo.get(step.reference) if step.reference else None
        self.show_reference(
            None if reference is None else reference.losses, f"run {step.reference}")
        self._enable()
        self.check_now()
        self.step_entered.emit(index)

    def _highlight(self, step: lessons.Step) -> None:
        view = self.graph
        addresses = [item for item in step.select if isinstance(item, ParameterAddress)]
        neurons = [item for item in step.select if not isinstance(item, ParameterAddress)]
        if addresses:
            view.select_parameters(addresses)
        elif neurons:
            view.select_neuron(neurons[0])
        else:
            view.scene().clearSelection()
        for topic in step.show:  # a lesson names topics; the dock table knows their docks
            self.layout.show_topic(topic)
        if step.matrix is not None:
            self.show_block(step.matrix)
        # room for what the step talks about: the matrices (tall) or the plots below; only
        # the docks in view (a workspace may have closed the plots)
        layout, window = self.layout, self.layout.window
        matrices = layout.dock_for("matrices")
        beside = window.dockWidgetArea(matrices) == window.dockWidgetArea(self.dock)
        if "matrices" not in step.show:
            docks, shares = [self.dock, layout.dock_for("loss")], STEP_HEIGHTS
        elif beside:
            docks, shares = [self.dock, matrices, layout.dock_for("loss")], MATRIX_STEP_HEIGHTS
        else:
            docks, shares = [self.dock, matrices], MATRIX_BELOW_HEIGHTS
        height = window.height()
        shown = [(dock, round(share * height)) for dock, share in zip(docks, shares, strict=True)
                 if not dock.isHidden()]
        layout.resize_later([dock for dock, _ in shown], [pixels for _, pixels in shown])
        if "matrices" in step.show and beside:  # the column wide enough for their tables
            layout.resize_later([self.dock], [round(MATRIX_STEP_WIDTH * window.width())], WIDE)

    # ---------------------------------------------------------------- checks
    def check_now(self) -> None:
        """Check the step's claims on the engine as it is (the panel shows why not when the
        network is not the lesson's any more); the scheduler calls this after a change."""
        if self.lesson is None:
            return
        step = self.lesson.steps[self.index]
        if lessons.structure_of(self.controller.network) != self._expected:
            self.verdicts = None
            self.panel.show_verdicts(None, "This is not the lesson's network any more: "
                                           "“Set up again” brings this step back.")
            return
        self.verdicts = lessons.check(step, self.controller.stepper, self.memo)
        self.panel.show_verdicts(self.verdicts)


@contextlib.contextmanager
def _busy():
    """A wait cursor while a step trains (up to about a second)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()
