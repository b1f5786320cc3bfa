"""The main window: the network graph in the middle, settings on the right, the live plots
below, the stepping actions in a Run menu and toolbar."""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.breakpoints import Breakpoints
from engine.analysis.symmetry import describe
from engine.io import fileformat
from engine.io.report import network_state

from .controller import LabController
from .dataset_editor import DatasetEditor
from .debugger import Debugger, DiscardQuestion, hide_stale_tab_bars, scrolling
from .decision_boundary import DecisionBoundaryView
from .exports import Exports
from .files import FileManager
from .lesson_panel import Lessons
from .network_view import NetworkView
from .notation import describe_error, parse_number
from .panels import SettingsWidget
from .plots import LossPlot, SymmetryPlot, WeightsPlot

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "resources" / "examples" / "seed-000.json"
REFRESH_MS = 25  # the graph redraws at most 40 times a second
PLOT_SECONDS = 0.06  # while running, the plots update at most ~16 times a second


def _stacked(control: QWidget, plot: QWidget) -> QWidget:
    """A plot with its control above it, edge to edge."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(control)
    layout.addWidget(plot)
    return box


class MainWindow(QMainWindow):
    def __init__(self, path: Path | str | None = None, parent=None,
                 remember_layout: bool = False) -> None:
        """``remember_layout``: restore the window layout saved at the last close (the app
        does; tests, benchmarks and screenshots start from the default layout)."""
        super().__init__(parent)
        self.setObjectName("main_window")
        path = Path(path) if path is not None else DEFAULT_FILE
        document = fileformat.load(path)
        self.discard_question = DiscardQuestion(self)
        self.controller = LabController(document, path, self, breakpoints=Breakpoints(),
                                        confirm_discard=self.discard_question)
        self.discard_question.controller = self.controller
        self.last_error: str | None = None
        self.network_view = NetworkView(self.controller)
        self.setCentralWidget(self.network_view)
        self._build_docks()
        self._build_actions()
        self.files = FileManager(self)
        self.files.remember_layout = remember_layout
        self._build_toolbar()
        self.last_break: str | None = None  # why the last breakpoint paused the run
        # before the debugger: the lesson dock (hidden until a lesson starts) heads the left
        # column, above the matrices
        self.lessons = Lessons(self)
        self.debugger = Debugger(self)
        self.debugger.breakpoints.replace(document.breakpoints)  # the file's own
        self.files.mark_saved()
        self.debugger.breakpoints.add_listener(self.update_title)  # they are saved too
        self._build_data_docks()
        self.exports = Exports(self)
        self.resizeDocks([self.loss_dock], [280], Qt.Orientation.Vertical)
        self._build_menus()
        self._build_status_bar()
        self._connect()
        self._dirty = True
        self.plot_refreshes = 0
        self._redraws = 0
        self._plots_at = 0.0  # when the plots last updated
        self._plot_cost = 0.0  # how long that took
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_if_dirty)
        self._refresh_timer.start()
        self.resize(1400, 900)
        if remember_layout:
            self.files.restore_layout()
            self.lessons.dock.hide()  # where the learner put it, shown when a lesson starts
        self.update_title()
        self.refresh()

    # ----------------------------------------------------------------- layout
    def _build_docks(self) -> None:
        c = self.controller
        self.settings = SettingsWidget(c)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.settings)
        self.settings_dock = self._dock("Network", "settings_dock", scroll,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.loss_plot = LossPlot(c)
        self.log_scale_box = QCheckBox("log scale")
        self.log_scale_box.setObjectName("loss_log_scale")
        self.log_scale_box.setToolTip("Show the loss on a logarithmic axis")
        self.log_scale_box.toggled.connect(self.loss_plot.set_log_scale)
        self.loss_dock = self._dock("Loss", "loss_dock",
                                    _stacked(self.log_scale_box, self.loss_plot),
                                    Qt.DockWidgetArea.BottomDockWidgetArea)
        self.weights_plot = WeightsPlot(c)
        self.weights_selector = QComboBox()
        self.weights_selector.setObjectName("weights_neuron_selector")
        self.weights_selector.setToolTip(
            "Every weight, coloured by the neuron it goes to, or one neuron's incoming weights "
            "and bias")
        self.weights_selector.currentIndexChanged.connect(self._weights_neuron_chosen)
        self.weights_dock = self._dock("Weights", "weights_dock",
                                       _stacked(self.weights_selector, self.weights_plot),
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.symmetry_plot = SymmetryPlot(c)
        self.symmetry_dock = self._dock("Distinct neurons", "symmetry_dock", self.symmetry_plot,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.loss_dock, self.weights_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.weights_dock, self.symmetry_dock, Qt.Orientation.Horizontal)
        self.resizeDocks([self.loss_dock], [280], Qt.Orientation.Vertical)
        self.resizeDocks([self.settings_dock], [380], Qt.Orientation.Horizontal)
        self._fill_weights_selector()

    def _build_data_docks(self) -> None:
        """The data set editor, tabbed with the matrices on the left (the dock carries the
        table's name, as the issue names it), and the decision boundary beside the plots."""
        c = self.controller
        self.dataset_editor = DatasetEditor(c)
        self.dataset_dock = self._dock("Data", "dataset_table", scrolling(self.dataset_editor),
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.debugger.docks["gradcheck"], self.dataset_dock)
        self.debugger.docks["matrices"].raise_()
        hide_stale_tab_bars(self)
        self.decision_boundary = DecisionBoundaryView(c)
        self.decision_boundary_dock = self._dock(
            "Decision boundary", "decision_boundary_dock", self.decision_boundary,
            Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.symmetry_dock, self.decision_boundary_dock,
                             Qt.Orientation.Horizontal)
        self.network_view.neuron_hovered.connect(self._neuron_hovered)
        for dock in self.findChildren(QDockWidget):  # rearranged docks: new tab bars
            dock.dockLocationChanged.connect(lambda _area: hide_stale_tab_bars(self))

    def _neuron_hovered(self, neuron) -> None:
        """Hovering a hidden neuron shows its own map in the decision boundary view."""
        layers = self.controller.network.layer_count
        hidden = neuron is not None and 0 < neuron[0] < layers
        view = self.decision_boundary
        if self.controller.network.sizes[0] != 2:
            return
        if hidden or view.neuron is not None:
            view.show_neuron(neuron if hidden else None)

    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, name: str, text: str, shortcut, slot, tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        c = self.controller
        self.action_step_phase = self._action(
            "action_step_phase", "Step &phase", "F11", c.step_phase,
            "Do the next phase: one layer forward or backward, the loss, or the update")
        self.action_step_iteration = self._action(
            "action_step_iteration", "Step &iteration", "F10", c.step_iteration,
            "Finish the current iteration: forward, loss, backward, update")
        self.action_run_pause = self._action(
            "action_run_pause", "&Run", "F5", c.toggle_run, "Run until paused, or pause")
        self.action_run_n = self._action(
            "action_run_n", "Run &N iterations…", "Ctrl+R", self.run_n_dialog,
            "Run a given number of iterations")
        self.action_step_back = self._action(
            "action_step_back", "Step &back", "Shift+F10", c.step_back,
            "Back to the start of this iteration, or of the previous one (exact rewind)")
        self.action_restart = self._action(
            "action_restart", "Re&start", "Ctrl+Shift+F5", c.restart,
            "Back to iteration 0 and the initial weights")
        # through the controller, which asks before an undo discards later history
        self.action_undo = self._action("action_undo", "&Undo", "Ctrl+Z", c.undo,
                                        "Undo the last edit")
        self.action_redo = self._action("action_redo", "&Redo", "Ctrl+Shift+Z", c.redo,
                                        "Redo the edit undone last")
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        stack = c.undo_stack
        for action, word, text_changed, can_changed, text, can in (
                (self.action_undo, "Undo", stack.undoTextChanged, stack.canUndoChanged,
                 stack.undoText(), stack.canUndo()),
                (self.action_redo, "Redo", stack.redoTextChanged, stack.canRedoChanged,
                 stack.redoText(), stack.canRedo())):
            # the signals carry what they say: the stack may be gone when they come
            def name(text: str, action=action, word=word) -> None:
                action.setText(f"&{word} {text}" if text else f"&{word}")
            text_changed.connect(name)
            can_changed.connect(action.setEnabled)
            name(text)
            action.setEnabled(can)
        self.action_set_equal = self._action(
            "action_set_equal", "Set &equal", "Ctrl+E", self.set_equal,
            "Set every selected weight or bias to the value of the first one selected")
        self.action_set_value = self._action(
            "action_set_value", "Set to &value…", "Ctrl+Shift+E", self.set_value_dialog,
            "Set every selected weight or bias to one value")
        self.action_quit = self._action("action_quit", "&Quit", QKeySequence.StandardKey.Quit,
                                        self.close, "Quit Backprop Lab")
        self.action_fit = self._action("action_fit", "&Fit graph", "Ctrl+0",
                                       self.network_view.fit, "Fit the whole network in view")

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("run_toolbar")
        for action in (self.action_step_phase, self.action_step_iteration, self.action_run_pause,
                       self.action_run_n, self.action_step_back, self.action_restart):
            toolbar.addAction(action)
        toolbar.addSeparator()
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
                       self.action_set_value):
            edit.addSeparator() if action is None else edit.addAction(action)
        run = bar.addMenu("&Run")
        for action in (self.action_step_phase, self.action_step_iteration, self.action_run_pause,
                       self.action_run_n, None, self.action_step_back, self.action_restart):
            run.addSeparator() if action is None else run.addAction(action)
        view = bar.addMenu("&View")
        view.addAction(self.action_fit)
        for dock in (self.settings_dock, self.loss_dock, self.weights_dock, self.symmetry_dock):
            view.addAction(dock.toggleViewAction())
        for dock in (self.decision_boundary_dock, self.dataset_dock):
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        for dock in self.debugger.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addAction(self.debugger.toolbar.toggleViewAction())
        view.addAction(self.lessons.dock.toggleViewAction())
        lessons_menu = bar.addMenu("&Lessons")
        lessons_menu.setObjectName("menu_lessons")
        self.lessons.fill_menu(lessons_menu)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("action_about", "&About Backprop Lab", None,
                                         self.about, "What this is"))

    def _build_status_bar(self) -> None:
        self.symmetry_label = QLabel()
        self.symmetry_label.setObjectName("symmetry_label")
        self.symmetry_label.setToolTip("Neurons with the same incoming weights, bias and outgoing "
                                       "weights are interchangeable: gradient descent cannot "
                                       "tell them apart")
        self.statusBar().addPermanentWidget(self.symmetry_label)

    def _connect(self) -> None:
        c = self.controller
        for signal in (c.position_changed, c.parameters_changed, c.settings_changed):
            signal.connect(self._mark_dirty)
        c.settings_changed.connect(self.settings.refresh)
        c.structure_changed.connect(self._structure_changed)
        c.run_state_changed.connect(self._run_state_changed)
        c.fault_raised.connect(self._fault)
        c.message_posted.connect(lambda text: self.statusBar().showMessage(text, 8000))
        c.document_changed.connect(self.update_title)
        self.network_view.selection_changed.connect(self._selection_changed)

    # ------------------------------------------------------------- refreshing
    def _mark_dirty(self) -> None:
        self._dirty = True

    def _refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Redraw the views from the engine (the refresh timer calls this when needed).

        While running, the plots update with at most every second redraw of the graph, and
        leave six times the time their refresh took (painting them costs as much again)
        between updates: about 10 a second for small networks, fewer for large ones, so that
        the graph keeps its rate and training half the time. Otherwise everything redraws."""
        self._dirty = False
        stepper = self.controller.stepper
        self.network_view.refresh()
        self._redraws += 1
        now = time.perf_counter()
        if not self.controller.running or (self._redraws % 2 == 0 and now - self._plots_at >= max(
                PLOT_SECONDS, 6 * self._plot_cost)):
            self.plot_refreshes += 1
            self.loss_plot.refresh()
            self.weights_plot.refresh()
            self.symmetry_plot.refresh()
            self.debugger.refresh()
            self._plots_at = time.perf_counter()
            self._plot_cost = self._plots_at - now
        self.iteration_label.setText(f"iteration {stepper.iteration}")
        done = stepper.phases[stepper.phase - 1] if stepper.phase > 0 else None
        self.phase_label.setText(
            f"done: {done or 'update'} · next: {stepper.next_phase}"
            if done or stepper.iteration else f"next: {stepper.next_phase}")
        self.symmetry_label.setText(describe(stepper.network, self.controller.symmetry()))
        self.update_title()  # training moves the parameters: unsaved work

    def _structure_changed(self) -> None:
        self.network_view.rebuild()
        self.weights_plot.show_neuron(None)
        self._fill_weights_selector()
        self.symmetry_plot.rebuild()
        self.loss_plot.refresh()
        self.settings.refresh()
        self._fill_observations()
        self.refresh()

    def _run_state_changed(self, running: bool) -> None:
        self.action_run_pause.setText("&Pause" if running else "&Run")
        self._dirty = True  # on pause the next redraw brings every plot up to date

    def _fault(self, text: str) -> None:
        self.last_error = text
        self.statusBar().showMessage(f"Stopped: {text}")
        self.refresh()

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

    def _fill_weights_selector(self) -> None:
        selector = self.weights_selector
        selector.blockSignals(True)
        selector.clear()
        selector.addItem("every weight, by the neuron it goes to", None)  # fits the dock
        network = self.controller.network
        for l in range(1, len(network.sizes)):
            for j in range(network.sizes[l]):
                selector.addItem(f"neuron {j} of layer {l}: incoming weights and bias", (l, j))
        selector.blockSignals(False)

    def _weights_neuron_chosen(self, index: int) -> None:
        self.weights_plot.show_neuron(self.weights_selector.itemData(index))

    def _selection_changed(self) -> None:
        neuron = self.network_view.selected_neuron()
        if neuron is not None and neuron[0] > 0:
            index = self.weights_selector.findData(neuron)
            if index >= 0:
                self.weights_selector.setCurrentIndex(index)

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
            f"Set {len(selected)} parameters equal to {selected[0]} = {value:.6g}")

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

    def show_error(self, title: str, text: str) -> None:
        self.last_error = text
        self.statusBar().showMessage(text, 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("error_dialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_exception(self, kind, error, details: str) -> None:
        self.controller.pause()
        self.last_error = f"{kind.__name__}: {error}"
        if issubclass(kind, MemoryError):  # not a bug: a network too large for the memory
            title, text = "Not enough memory", (
                f"Backprop Lab ran out of memory: {describe_error(error)}\n\nYour work is "
                "untouched and the app goes on; saving it now is a good idea.")
        else:
            title, text = "Something went wrong", (
                f"An unexpected error: {kind.__name__}: {error}\n\nYour work is "
                "untouched and the app goes on; saving it now is a good idea. "
                "The details below help to report it.")
        box = QMessageBox(QMessageBox.Icon.Critical, title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("exception_dialog")
        box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def about(self) -> None:
        QMessageBox.about(self, "About Backprop Lab",
                          "Backprop Lab: step through backpropagation like a debugger.\n"
                          "Numbers in the notation of seed 000: n, a, ∂C/∂a, ∂a/∂n, δ, ∂C/∂W.")

    # -------------------------------------------------------------- contract
    def network_state(self) -> dict:
        """The same dict as `python -m engine FILE --json --trace` prints for this state."""
        return network_state(self.controller.stepper, trace=True)

    def closeEvent(self, event) -> None:
        if not self.files.may_lose_work():
            event.ignore()
            return
        self.lessons.close()
        self.files.close()
        self.controller.pause()
        self.statusBar().clearMessage()
        self._refresh_timer.stop()
        super().closeEvent(event)


def run_app(path: Path | None, screenshot: Path | None = None, steps: int = 0,
            lesson: tuple[str, int] | None = None) -> int:
    """The app on ``path``, or on ``lesson`` (its key and step index); with ``screenshot``
    a picture of the window instead, after ``steps`` iterations."""
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Backprop Lab")
    try:
        window = MainWindow(path, remember_layout=screenshot is None)
    except (OSError, ValueError) as error:
        print(f"backprop-lab: {path}: {error}", file=sys.stderr)
        return 2
    window.show()
    if steps:
        window.controller.stepper.run(steps)
        window.controller.position_changed.emit()
    if screenshot is None:
        install_exception_hook(window)
        window.files.offer_recovery()  # before a lesson: it would replace the lesson's work
    if lesson is not None:
        app.processEvents()
        window.lessons.start(*lesson)
    if screenshot is not None:
        app.processEvents()
        app.processEvents()  # the lesson dock's size, set once it is laid out
        window.refresh()
        app.processEvents()
        ok = window.grab().save(str(screenshot))
        window.files.ask_unsaved = lambda: "discard"  # a picture, not work to keep
        window.close()
        if not ok:
            print(f"backprop-lab: could not write {screenshot}", file=sys.stderr)
            return 2
        return 0
    return app.exec()


def install_exception_hook(window) -> None:
    """An exception that escapes a slot is shown in a dialog (and printed); the app and the
    work go on. A run in progress pauses, so one fault does not open a dialog per chunk."""
    def hook(kind, error, trace) -> None:
        text = "".join(traceback.format_exception(kind, error, trace))
        print(text, file=sys.stderr, end="")
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        window.show_exception(kind, error, text)

    sys.excepthook = hook
