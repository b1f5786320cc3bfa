"""The main window: the network graph in the middle, the docks around it (placed from the dock
table, gui/parts/docks.py, each built when first shown), shown by workspace (Learn, Debug,
Data: gui/parts/workspaces.py), the stepping actions in a Run menu and toolbar.

One scheduler (gui/scheduler.py) refreshes every view; the window's parts (files, exports,
lessons, the debugger) are given the collaborators they use, and tell the window what to show
in the status bar by their ``message`` signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QWidget,
)

from engine.analysis.breakpoints import Breakpoints
from engine.analysis.symmetry import describe
from engine.io import fileformat

from .controller import LabController
from .notation import parse_number, short_parameter_name
from .parts import settings as store
from .parts.actions import follow_undo_stack, make_action
from .parts.debugger import Debugger, DiscardQuestion
from .parts.dock_layout import DockLayout, idle_build_order
from .parts.docks import LEARN, Kit, Section
from .parts.exports import Exports
from .parts.files import FileManager, image_hint
from .parts.freezing import Freezing
from .parts.help import Help
from .parts.launch import install_exception_hook, run_app  # noqa: F401 (the app's entry points)
from .parts.lesson_panel import Lessons
from .parts.predict import Predict
from .parts.run_speed import RunSpeedControls
from .parts.screen import fit_to_screen
from .parts.status import Status, fit_phase_label, phase_text
from .parts.tab_bars import hide_stale_tab_bars
from .parts.welcome import Welcome
from .parts.workspaces import Workspaces
from .scheduler import STATE, Change, Policy, Scheduler
from .views.network_view import NetworkView

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "resources" / "examples" / "seed-000.json"


class MainWindow(QMainWindow):
    def __init__(self, path: Path | str | None = None, parent=None,
                 remember_layout: bool = False, workspace: str | None = None) -> None:
        """``remember_layout``: start as the app does: the window where it was left, each
        workspace's layout as it was left, and the welcome panel unless the learner turned
        it off (tests, benchmarks and screenshots start fresh: about 90 % of the screen, the
        workspaces' first layouts, no welcome). ``workspace``: the one to open ("learn",
        "debug", "data"); by default the one in view at the last close when remembering,
        else Learn."""
        super().__init__(parent)
        self.setObjectName("main_window")
        self.remember_layout = remember_layout
        path = Path(path) if path is not None else DEFAULT_FILE
        document = fileformat.load(path)
        self.discard_question = DiscardQuestion(self)
        self.controller = LabController(document, path, self, breakpoints=Breakpoints(),
                                        confirm_discard=self.discard_question)
        self.discard_question.controller = self.controller
        self.status = Status(self.statusBar(), self.controller, self)
        self.symmetry_label = self.status.symmetry_label
        self.network_view = NetworkView(self.controller)
        self.setCentralWidget(self.network_view)
        self.scheduler = Scheduler(self.controller, self)
        self._build_actions()
        self._build_toolbar()
        self._build_docks()
        self._build_parts()
        hint = image_hint(self.controller.network)  # a file given at start, as File ▸ Open
        if hint:
            self.show_message(f"Opened {path.name}; {hint}", 15000)
        self.files.mark_saved()
        self._build_menus()
        self._register_views()
        self._connect()
        self.dock_layout.keep_defaults()
        if remember_layout:
            self.workspaces.restore_kept(workspace)
            self.lessons.dock.hide()  # where the learner put it, shown when a lesson starts
            self.welcome.dock.hide()
            if store.show_welcome():
                self.welcome.show()
        else:
            fit_to_screen(self)
            self.workspaces.start(workspace or LEARN)
        self.scheduler.start()
        self.update_title()
        self.refresh()

    # ----------------------------------------------------------------- layout
    def _build_docks(self) -> None:
        """Every dock from the table; the window keeps each as ``<key>_dock`` and the widgets
        in them by their names (``loss_plot``, ``settings``, ``decision_boundary``, …) once
        built (asking for one builds its dock: ``__getattr__``)."""
        self.dock_layout = DockLayout(self, Kit(self.controller, self.network_view))
        for key, dock in self.dock_layout.docks.items():
            setattr(self, f"{key}_dock", dock)
        self.dock_layout.on_built.append(
            lambda _row, parts: [setattr(self, name, w) for name, w in parts.items()])

    def __getattr__(self, name: str):
        """A dock's widget by its name (``window.matrix_view``), its dock built now if it was
        not yet (docks build their widgets when first shown)."""
        layout = self.__dict__.get("dock_layout")
        if layout is not None and name in layout.part_names:
            return layout.part(name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _build_parts(self) -> None:
        c, layout = self.controller, self.dock_layout
        self.files = FileManager(c, self, self.show_error)
        self.debugger = Debugger(c, self.network_view, self.discard_question, layout, self)
        self.freezing = Freezing(c, self.network_view, self)  # Edit ▸ Frozen
        self.action_freeze = self.freezing.action
        self.addToolBarBreak()
        self.addToolBar(self.debugger.toolbar)
        self.lessons = Lessons(c, layout.docks["lesson"], layout, self.network_view, self.files,
                               lambda *shown: layout.part("loss_plot").set_reference(*shown),
                               lambda block: layout.part("matrix_view").show_block(block),
                               self)
        self.exports = Exports(c, {key: (title, lambda name=name: layout.part(name))
                                   for key, title, name in (
                                       ("loss", "Loss plot", "loss_plot"),
                                       ("weights", "Weights plot", "weights_plot"),
                                       ("symmetry", "Distinct-neurons plot", "symmetry_plot"))},
                               self, self.show_error)
        self.workspaces = Workspaces(layout, {"timeline_toolbar": self.debugger.toolbar}, self)
        self.welcome = Welcome(layout, self.files, self.lessons, self)
        self.help = Help(self, self.menuBar(), self.lessons.start, self.welcome.show)
        self.predict = Predict(c, layout, self)
        self.action_predict = self.predict.action_predict
        self.run_toolbar.insertAction(self.run_toolbar.actions()[0], self.action_predict)
        self.lessons.predict_requested.connect(lambda: self.predict.set_on(True))

    def _build_actions(self) -> None:
        c = self.controller
        self.action_step_phase = make_action(
            self, "action_step_phase", "Step &phase", "F11", c.step_phase,
            "Do the next phase: one layer forward or backward, the loss, or the update")
        self.action_step_iteration = make_action(
            self, "action_step_iteration", "Step &iteration", "F10", c.step_iteration,
            "Finish the current iteration: forward, loss, backward, update")
        self.action_run_pause = make_action(
            self, "action_run_pause", "&Run", "F5", c.toggle_run, "Run until paused, or pause")
        self.action_run_n = make_action(
            self, "action_run_n", "Run &N iterations…", "Ctrl+R", self.run_n_dialog,
            "Run a given number of iterations")
        self.action_run_n.setIconText("Run N…")  # the toolbar's (Predict left it no room)
        self.action_step_back = make_action(
            self, "action_step_back", "Step &back", "Shift+F10", c.step_back,
            "Back to the start of this iteration, or of the previous one (exact rewind)")
        self.action_restart = make_action(
            self, "action_restart", "Re&start", "Ctrl+Shift+F5", c.restart,
            "Back to iteration 0 and the initial weights")
        # through the controller, which asks before an undo discards later history
        self.action_undo = make_action(self, "action_undo", "&Undo", "Ctrl+Z", c.undo,
                                       "Undo the last edit")
        self.action_redo = make_action(self, "action_redo", "&Redo", "Ctrl+Shift+Z", c.redo,
                                       "Redo the edit undone last")
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        follow_undo_stack(self.action_undo, self.action_redo, c.undo_stack)
        self.action_set_equal = make_action(
            self, "action_set_equal", "Set &equal", "Ctrl+E", self.set_equal,
            "Set every selected weight or bias to the value of the first one selected")
        self.action_set_value = make_action(
            self, "action_set_value", "Set to &value…", "Ctrl+Shift+E", self.set_value_dialog,
            "Set every selected weight or bias to one value")
        self.action_quit = make_action(self, "action_quit", "&Quit",
                                       QKeySequence.StandardKey.Quit, self.close,
                                       "Quit Backprop Lab")
        self.action_fit = make_action(self, "action_fit", "&Fit graph", "Ctrl+0",
                                      self.network_view.fit, "Fit the whole network in view")

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("run_toolbar")
        self.run_toolbar = toolbar
        for action in (self.action_step_phase, self.action_step_iteration, self.action_run_pause,
                       self.action_run_n, self.action_step_back, self.action_restart):
            toolbar.addAction(action)
        speed = RunSpeedControls(self.controller)  # iterations a second, phases (remembered)
        self.run_speed, self.run_phases = speed.speed, speed.phases
        toolbar.addWidget(speed)
        # where the run stands, on a row of its own (at a laptop's width the run toolbar
        # had no room left for it)
        self.addToolBarBreak()
        toolbar = self.addToolBar("Position")
        toolbar.setObjectName("position_toolbar")
        status = QWidget()
        layout = QHBoxLayout(status)
        layout.setContentsMargins(8, 0, 8, 0)
        self.iteration_label = QLabel()
        self.iteration_label.setObjectName("iteration_label")
        self.iteration_label.setToolTip("Iterations done (updates applied)")
        self.phase_label = QLabel()
        self.phase_label.setObjectName("phase_label")
        self.phase_label.setToolTip("The phase just done and the next one")
        self.observation_selector = QComboBox()
        self.observation_selector.setObjectName("observation_selector")
        self.observation_selector.setToolTip("Whose activations colour the neurons")
        self.observation_selector.currentIndexChanged.connect(self._observation_chosen)
        for widget in (self.iteration_label, self.phase_label, QLabel("observation"),
                       self.observation_selector):
            layout.addWidget(widget)
        toolbar.addWidget(status)
        self._fill_observations()
        self._fit_phase_label()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("menu_file")
        self.files.fill_menu(file_menu)
        file_menu.addSeparator()
        export_menu = file_menu.addMenu("&Export")
        export_menu.setObjectName("menu_export")
        self.exports.fill_menu(export_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        edit = bar.addMenu("&Edit")
        for action in (self.action_undo, self.action_redo, None, self.action_set_equal,
                       self.action_set_value, None, self.action_freeze):
            edit.addSeparator() if action is None else edit.addAction(action)
        run = bar.addMenu("&Run")
        run.addAction(self.action_predict)
        run.addSeparator()
        for action in (self.action_step_phase, self.action_step_iteration, self.action_run_pause,
                       self.action_run_n, None, self.action_step_back, self.action_restart):
            run.addSeparator() if action is None else run.addAction(action)
        view = bar.addMenu("&View")
        view.setObjectName("menu_view")
        view.addAction(self.action_fit)
        self.workspaces.fill_menu(view)
        view.addSeparator()
        self.dock_layout.fill_view_menu(view, Section.VIEWS)
        self.dock_layout.fill_view_menu(view, Section.DATA)
        view.addSeparator()
        self.dock_layout.fill_view_menu(view, Section.DEBUGGER)
        view.addAction(self.debugger.toolbar.toggleViewAction())
        self.dock_layout.fill_view_menu(view, Section.LESSON)
        lessons_menu = bar.addMenu("&Lessons")
        lessons_menu.setObjectName("menu_lessons")
        self.lessons.fill_menu(lessons_menu)
        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("menu_help")
        self.help.fill_menu(help_menu)
        bar.setCornerWidget(self.workspaces.selector, Qt.Corner.TopRightCorner)

    def _register_views(self) -> None:
        """Every view with the scheduler, once: the graph first (each frame starts with it),
        then the docks' views from the table, the labels and the timeline."""
        s = self.scheduler
        s.register("graph", self.network_view.refresh, rebuild=self._rebuild_graph)
        # the docks built so far, and each dock as it is built
        self.dock_layout.follow(s, {"lessons": self.lessons})
        s.register("labels", self._refresh_labels, changes=STATE | Change.DOCUMENT)
        s.register("status_message", self.status.clear_stale,
                   changes=Change.POSITION | Change.STRUCTURE | Change.DOCUMENT)
        # breakpoints are saved too: a change marks the work unsaved
        s.register("title", self.update_title, changes=Change.DOCUMENT | Change.BREAKPOINTS,
                   policy=Policy.AT_ONCE)
        s.register("run_action", self._refresh_run_action, changes=Change.RUN_STATE,
                   policy=Policy.AT_ONCE)
        s.register("timeline", self.debugger.timeline.refresh)
        s.watch_drag(self.debugger.timeline.slider)

    def _connect(self) -> None:
        c = self.controller
        c.fault_raised.connect(self.status.fault)
        c.message_posted.connect(lambda text: self.show_message(text, 8000))
        for part in (self.files, self.exports, self.lessons, self.debugger, self.welcome,
                     self.freezing):
            part.message.connect(self.show_message)
        self.files.saved_changed.connect(self.update_title)

    # ------------------------------------------------------------- refreshing
    def refresh(self) -> None:
        """Bring every view in view up to date now (the scheduler's frames do this for the
        views a change made stale)."""
        self.scheduler.refresh_now()

    @property
    def plot_refreshes(self) -> int:
        """How many times the plots were refreshed (the bench counts them)."""
        return self.scheduler.plot_frames

    @property
    def last_break(self) -> str | None:
        """Why the last breakpoint paused the run."""
        return self.debugger.last_break

    def _rebuild_graph(self) -> None:
        self.network_view.rebuild()
        self._fill_observations()
        self._fit_phase_label()

    def _fit_phase_label(self) -> None:
        fit_phase_label(self.phase_label, self.controller.stepper.phases)

    def _refresh_labels(self) -> None:
        stepper = self.controller.stepper
        self.iteration_label.setText(f"iteration {stepper.iteration}")
        done = stepper.phases[stepper.phase - 1] if stepper.phase > 0 else None
        self.phase_label.setText(phase_text(done, stepper.next_phase,
                                            bool(done) or stepper.iteration > 0))
        self.symmetry_label.setText(describe(stepper.network, self.controller.symmetry()))
        self.update_title()  # training moves the parameters: unsaved work

    def _refresh_run_action(self) -> None:
        self.action_run_pause.setText("&Pause" if self.controller.running else "&Run")

    def _fill_observations(self) -> None:
        selector = self.observation_selector
        selector.blockSignals(True)
        selector.clear()
        selector.addItem("all (shows 0)")
        for o in range(len(self.controller.stepper.inputs)):
            selector.addItem(f"observation {o}")
        selector.blockSignals(False)
        self.network_view.observation = 0

    def _observation_chosen(self, index: int) -> None:
        self.network_view.observation = max(0, index - 1)
        self.network_view.refresh()

    def update_title(self) -> None:
        title = self.files.title()
        if title != self.windowTitle():
            self.setWindowTitle(title)

    # ---------------------------------------------------------------- editing
    def set_equal(self) -> None:
        selected = self.network_view.selected_parameters()
        if len(selected) < 2:
            self.statusBar().showMessage("Select two or more weights or biases first "
                                         "(Ctrl+click or drag a rectangle)", 6000)
            return
        value = self.controller.network.get(selected[0])
        self.controller.set_parameters(
            selected, [value] * len(selected),
            f"Set {len(selected)} parameters equal to "
            f"{short_parameter_name(self.controller.network, selected[0])} = {value:.6g}")

    def set_value_dialog(self) -> None:
        selected = self.network_view.selected_parameters()
        if not selected:
            self.statusBar().showMessage("Select weights or biases first", 6000)
            return
        current = self.controller.network.get(selected[0])
        text, ok = QInputDialog.getText(self, "Set to value",
                                        f"New value for {len(selected)} parameter(s):",
                                        text=repr(current))
        if ok:
            self.set_selected_to(text)

    def set_selected_to(self, text: str) -> bool:
        selected = self.network_view.selected_parameters()
        try:
            value = parse_number(text, "value")
        except ValueError as error:
            self.statusBar().showMessage(f"{error}; nothing changed", 8000)
            return False
        return self.controller.set_parameters(
            selected, [value] * len(selected),
            None if len(selected) == 1 else f"Set {len(selected)} parameters = {value:.6g}")

    def run_n_dialog(self) -> None:
        count, ok = QInputDialog.getInt(self, "Run N iterations", "Iterations:", 1000, 1,
                                        10_000_000)
        if ok:
            self.controller.run(count)

    # ------------------------------------------------------------------ files
    def open_file(self, path: Path | str) -> bool:
        """Open a file (asking first about unsaved work); on any error say why and keep the
        current work."""
        return self.files.open_file(path)

    def save_file(self, path: Path | str) -> bool:
        return self.files.save_file(path)

    def show_message(self, text: str, ms: int) -> None:
        """``text`` in the status bar for ``ms`` ms (0: until the run's position moves)."""
        self.status.show(text, ms)

    def show_error(self, title: str, text: str) -> None:
        self.status.error(title, text)

    def show_exception(self, kind, error, details: str) -> None:
        self.status.exception(kind, error, details)

    @property
    def last_error(self) -> str | None:
        """The last error said (a dialog, a fault, an exception)."""
        return self.status.last_error

    # -------------------------------------------------------------- contract
    def network_state(self) -> dict:
        """The same dict as `python -m engine FILE --json --trace` prints for this state."""
        from engine.io.report import network_state

        return network_state(self.controller.stepper, trace=True)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            self.dock_layout.raise_fronts()  # placed before it was shown
        hide_stale_tab_bars(self)  # the docks' tab bars as the layout just made them
        self.scheduler.tick()  # the views now in view, up to date as the window appears
        if self.remember_layout and not getattr(self, "_idle_build_started", False):
            # the app: the other workspaces' panels built while it waits for the learner,
            # so that a first switch only shows them (tests and benches build on demand)
            self._idle_build_started = True
            self.dock_layout.build_when_idle(idle_build_order(self.dock_layout),
                                             lambda: self.controller.running)

    def closeEvent(self, event) -> None:
        if not self.files.may_lose_work():
            event.ignore()
            return
        if self.remember_layout:
            self.lessons.dock.hide()  # the next start shows it only with a lesson
            self.workspaces.keep()
        self.lessons.close()
        self.debugger.gradcheck.cancel()
        self.files.close()
        self.controller.pause()
        self.statusBar().clearMessage()
        self.scheduler.stop()
        super().closeEvent(event)
