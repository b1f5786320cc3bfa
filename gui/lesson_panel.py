"""Guided lessons in the window: the Lessons menu and the lesson panel beside the live app.

The lessons themselves are data (engine/lessons.py). Here a step's actions go through the
controller's undoable commands (``LiveLab``), so a learner can undo them like any edit; the
panel shows the step's text and its claims, checked live on the engine after every change,
so that a learner who deviates (edits, steps, runs) sees whether the claim still holds.

- Next applies the next step's actions to the state as it is, the learner's changes
  included; when the network no longer has the lesson's shape, the step is set up afresh.
- Back and "Set up again" swap in the step as the lesson sets it up (``build``), as one
  undoable edit: Undo gives back what was there.
- Starting a lesson replaces the work as File ▸ New does (asking first about unsaved work).
"""

from __future__ import annotations

import contextlib
import html
import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine import lessons
from engine.core.init import InitSpec
from engine.core.network import ParameterAddress
from engine.io.fileformat import Document

from .controller import SEEK_SECONDS
from .panels import named_button

CHECK_DELAY_MS = 150  # checks run this long after the last change (a burst of edits: once)
HOLDS, FAILS = "✓", "✗"
CHECKS_HEIGHT = 130  # the live checks' box at most (it scrolls beyond)
# vertical room a step gives the lesson and the plots below (and the matrices)
STEP_HEIGHTS = (330, 280)  # lesson, plots: the matrices keep ~150 px
MATRIX_STEP_HEIGHTS = (290, 420, 190)  # lesson, matrices, plots: a step about the matrices


def rich(text: str) -> str:
    """Plain notation as HTML: a^{l} or a^1 as a superscript, w_{0,0} as a subscript."""
    text = html.escape(text)
    text = re.sub(r"\^\{([^}]*)\}|\^(\w)", lambda m: f"<sup>{m[1] or m[2]}</sup>", text)
    return re.sub(r"_\{([^}]*)\}", r"<sub>\1</sub>", text)


# the dock that shows each topic a lesson's step names (engine/lessons/content.py)
TOPIC_DOCKS = {"selection": "inspector_dock", "matrices": "matrix_view", "loss": "loss_dock",
               "weights": "weights_dock", "symmetry": "symmetry_dock",
               "decision boundary": "decision_boundary_dock", "initialisation": "settings_dock"}


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
        self.controller.step_phase()

    def run(self, iterations: int) -> None:
        self.controller.run_now(iterations)

    def set_values(self, addresses, values, text: str) -> None:
        self.controller.set_parameters(addresses, values, text)

    def reinitialise(self, spec: InitSpec) -> None:
        self.controller.reinitialise(
            spec, f"Lesson: re-initialise ({spec.scheme}, seed {spec.seed})")


class LessonPanel(QWidget):
    """The text of the current step, its claims checked live, Back / Set up again / Next."""

    back_requested = Signal()
    again_requested = Signal()
    next_requested = Signal()
    step_chosen = Signal(int)  # a step picked from the list

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.heading = QLabel()
        self.heading.setObjectName("lesson_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.steps = QComboBox()
        self.steps.setObjectName("lesson_steps")
        self.steps.setToolTip("Go to any step of the lesson, set up as the lesson does "
                              "(Undo comes back)")
        self.steps.activated.connect(self.step_chosen)
        self.text = QTextBrowser()
        self.text.setObjectName("lesson_text")
        self.text.setOpenLinks(False)
        self.text.setMinimumHeight(120)
        # a browser of its own (a word-wrapped label overlapped the text in a short dock)
        self.checks = QTextBrowser()
        self.checks.setObjectName("lesson_checks")
        self.checks.setOpenLinks(False)
        self.checks.setMinimumHeight(60)
        self.checks.setMaximumHeight(CHECKS_HEIGHT)
        self.checks.setToolTip("The step's claims, checked on the network as it is now: edit, "
                               "step or run, and see whether they still hold")
        buttons = QHBoxLayout()
        self.back_button = named_button("lesson_back", "◀ Back",
                                        "The previous step, as the lesson sets it up (Alt+Left)",
                                        self.back_requested)
        self.again_button = named_button("lesson_again", "Set up again",
                                         "This step as the lesson sets it up, your changes "
                                         "undone (Undo brings them back)", self.again_requested)
        self.next_button = named_button("lesson_next", "Next ▶",
                                        "The next step, from the network as it is now "
                                        "(Alt+Right)", self.next_requested)
        for button in (self.back_button, self.again_button, self.next_button):
            buttons.addWidget(button)
        layout.addWidget(self.heading)
        layout.addWidget(self.steps)
        layout.addWidget(self.text, 2)
        layout.addWidget(self.checks, 1)
        layout.addLayout(buttons)
        self.show_none()

    def show_none(self) -> None:
        """No lesson open: what there is to choose from the Lessons menu."""
        self.heading.setText("<b>No lesson open</b>")
        self.text.setHtml("<p>Choose one from the <b>Lessons</b> menu:</p><ul>" + "".join(
            f"<li><b>{html.escape(lesson.title)}</b>: {html.escape(lesson.summary)}</li>"
            for lesson in lessons.LESSONS) + "</ul>")
        self.checks.clear()
        self.steps.clear()
        self.steps.setEnabled(False)
        for button in (self.back_button, self.again_button, self.next_button):
            button.setEnabled(False)

    def show_step(self, lesson: lessons.Lesson, index: int) -> None:
        step = lesson.steps[index]
        self.heading.setText(f"<b>{html.escape(lesson.title)}</b><br>Step {index + 1} of "
                             f"{len(lesson.steps)}: {html.escape(step.title)}")
        self.text.setHtml(step.text)
        titles = [f"{k + 1}. {candidate.title}" for k, candidate in enumerate(lesson.steps)]
        if [self.steps.itemText(k) for k in range(self.steps.count())] != titles:
            self.steps.clear()
            self.steps.addItems(titles)
        self.steps.setCurrentIndex(index)
        self.steps.setEnabled(True)
        self.back_button.setEnabled(index > 0)
        self.again_button.setEnabled(True)
        self.next_button.setEnabled(True)
        last = index == len(lesson.steps) - 1
        self.next_button.setText("Finish" if last else "Next ▶")
        self.next_button.setToolTip("Close the lesson; the network stays as it is" if last
                                    else "The next step, from the network as it is now "
                                         "(Alt+Right)")

    def show_verdicts(self, verdicts: list[tuple[lessons.Check, lessons.Verdict]] | None,
                      note: str = "") -> None:
        """The claims with ✓ or ✗ and their numbers; ``note`` instead when they cannot be
        checked (the network is not the lesson's)."""
        if verdicts is None:
            self.checks.setHtml(f"<i>{html.escape(note, quote=False)}</i>")
            return
        rows = []
        for claim, verdict in verdicts:
            mark, colour = (HOLDS, "#1a7f37") if verdict.holds else (FAILS, "#c62828")
            rows.append(f"<span style='color:{colour}'><b>{mark}</b></span> "
                        f"{rich(claim.text)}<br><small style='color:#555'>"
                        f"{rich(verdict.detail)}</small>")
        bar = self.checks.verticalScrollBar()
        where = bar.value()  # a live update keeps the learner's place in the list
        self.checks.setHtml("<b>Check, live:</b><br>" + "<br>".join(rows))
        bar.setValue(where)


class Lessons(QObject):
    """The Lessons menu, the lesson dock and the lesson in progress, for one MainWindow."""

    step_entered = Signal(int)  # the index of the step now shown
    finished = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.lesson: lessons.Lesson | None = None
        self.index = 0
        self.memo: dict = {}
        self.verdicts: list[tuple[lessons.Check, lessons.Verdict]] | None = None
        self._expected: tuple | None = None  # the lesson's network shape at this step
        self.panel = LessonPanel()
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("lesson_dock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.installEventFilter(self)  # its close button ends the lesson
        self.dock.toggleViewAction().triggered.connect(  # and so does View ▸ Lesson
            lambda shown: None if shown or self.lesson is None else self.close())
        self._loading = False  # the lesson itself is loading its network
        self.panel.back_requested.connect(self.back)
        self.panel.again_requested.connect(self.again)
        self.panel.next_requested.connect(self.next)
        self.panel.step_chosen.connect(self.go_to)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        c = self.controller
        for signal in (c.position_changed, c.parameters_changed, c.structure_changed,
                       c.settings_changed):
            signal.connect(self._changed)
        c.run_state_changed.connect(lambda running: None if running else self._changed())
        c.document_loaded.connect(self._other_work_loaded)
        self._build_actions()

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
    def _build_actions(self) -> None:
        w = self.window
        self.start_actions: dict[str, QAction] = {}
        for lesson in lessons.LESSONS:
            action = w._action(f"action_lesson_{lesson.key.replace('-', '_')}", lesson.title,
                               None, lambda _=False, key=lesson.key: self.start(key),
                               lesson.summary)
            self.start_actions[lesson.key] = action
        self.action_back = w._action("action_lesson_back", "&Back", "Alt+Left", self.back,
                                     "The lesson's previous step, as the lesson sets it up")
        self.action_next = w._action("action_lesson_next", "&Next", "Alt+Right", self.next,
                                     "The lesson's next step, from the network as it is now")
        self.action_again = w._action("action_lesson_again", "Set &up this step again", None,
                                      self.again, "This step as the lesson sets it up")
        self.action_close = w._action("action_lesson_close", "&Close the lesson", None,
                                      self.close, "Hide the lesson panel; the network stays")
        self._enable()

    def fill_menu(self, menu) -> None:
        for action in self.start_actions.values():
            menu.addAction(action)
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
    def start(self, key: str, index: int = 0) -> bool:
        """Open a lesson at step ``index`` (asking first about unsaved work, as New does)."""
        lesson = lessons.lesson(key)
        if not self.window.files.may_lose_work():
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
        self.window.files.mark_saved()  # an untouched lesson loses nothing, as New
        self.window.update_title()
        self.lesson, self.memo = lesson, lab.memo
        self.dock.show()
        self.dock.raise_()
        self._enter(index)
        return True

    def next(self) -> None:
        if self.lesson is None:
            return
        self.controller.pause()
        if self.index + 1 >= len(self.lesson.steps):
            title = self.lesson.title
            self.close()
            self.window.statusBar().showMessage(
                f"Lesson finished: {title}. The network stays yours to explore.", 10000)
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
        self._timer.stop()
        self.lesson = None
        self.verdicts = None
        self.window.loss_plot.set_reference(None)
        self.panel.show_none()
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
            self.window.statusBar().showMessage(f"Lesson: {why}", 10000)

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
        self._highlight(step)
        reference = self.memo.get(step.reference) if step.reference else None
        self.window.loss_plot.set_reference(
            None if reference is None else reference.losses, f"run {step.reference}")
        self._enable()
        self.check_now()
        self.step_entered.emit(index)

    def _highlight(self, step: lessons.Step) -> None:
        view = self.window.network_view
        addresses = [item for item in step.select if isinstance(item, ParameterAddress)]
        neurons = [item for item in step.select if not isinstance(item, ParameterAddress)]
        if addresses:
            view.select_parameters(addresses)
        elif neurons:
            view.select_neuron(neurons[0])
        else:
            view.scene().clearSelection()
        for topic in step.show:  # a lesson names topics; the window knows their docks
            dock = self.window.findChild(QDockWidget, TOPIC_DOCKS[topic])
            if dock is not None:
                dock.show()
                dock.raise_()
        if step.matrix is not None:
            self.window.debugger.matrix_view.show_block(step.matrix)
        if "initialisation" in step.show:  # the steps that name it are about the seed
            scroll, init = self.window.settings_dock.widget(), self.window.settings.init
            QTimer.singleShot(0, lambda: scroll.ensureWidgetVisible(init))
        # room for what the step talks about: the matrices (tall) or the plots below;
        # once the docks just shown are laid out (resizing them before does nothing)
        w = self.window
        docks, heights = ([self.dock, w.debugger.docks["matrices"], w.loss_dock],
                          MATRIX_STEP_HEIGHTS) if "matrices" in step.show else (
                              [self.dock, w.loss_dock], STEP_HEIGHTS)
        QTimer.singleShot(0, lambda: w.resizeDocks(docks, list(heights),
                                                   Qt.Orientation.Vertical))

    # ---------------------------------------------------------------- checks
    def _changed(self) -> None:
        if self.lesson is not None and not self.controller.running:
            self._timer.start()

    def check_now(self) -> None:
        """Check the step's claims on the engine as it is (the panel shows why not when the
        network is not the lesson's any more)."""
        self._timer.stop()
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
