"""The debugger's docks and timeline, built into a MainWindow: inspector, chain rule, matrix
view, gradient check, compare-your-numbers and breakpoints, tabbed beside the settings; the
timeline slider in a toolbar of its own.

Each panel reads the engine through the controller and is refreshed from here: at once when
the window is paused (only the panels in view), and with the plots while running."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabBar,
    QTabWidget,
    QToolBar,
    QWidget,
)

from .breakpoints_panel import BreakpointsPanel
from .chain_rule_panel import ChainRulePanel
from .compare_panel import ComparePanel
from .gradcheck_view import GradientCheckPanel
from .inspector import Inspector
from .matrix_view import MatrixView
from .timeline import Timeline


def _tabs(bar: QTabBar) -> set[str]:
    return {bar.tabText(i) for i in range(bar.count())}


def _is_stale(bar: QTabBar) -> bool:
    """Empty, or a copy of part of another of the window's tab bars."""
    others = [b for b in bar.parent().findChildren(QTabBar) if b is not bar
              and b.parent() is bar.parent()]
    return not bar.count() or any(_tabs(bar) < _tabs(other) for other in others)


class _StaleTabBarFilter(QObject):
    """Hides a stale tab bar whenever the layout shows it again."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QTabBar) and _is_stale(
                watched):
            watched.hide()
        return False


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: a dock whose controls need height can then
    share a column with others (a lesson above the matrices) rather than squeeze it."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


def hide_stale_tab_bars(window) -> None:
    """Qt 6.11 leaves an extra tab bar behind when docks are tabified in a second group
    (a copy of the group's first two tabs, never laid out, drawn over the toolbars), and
    shows it again whenever the docks are laid out anew. Hide every bar that is empty or a
    copy of part of another, now and each time it is shown; a bar the layout really uses
    holds tabs no other bar has, and stays."""
    watcher = window.findChild(_StaleTabBarFilter, "stale_tab_bar_filter")
    if watcher is None:
        watcher = _StaleTabBarFilter(window)
        watcher.setObjectName("stale_tab_bar_filter")
    for bar in window.findChildren(QTabBar):
        if bar.parent() is not window:
            continue
        if not bar.property("stale_filter_installed"):
            bar.installEventFilter(watcher)
            bar.setProperty("stale_filter_installed", True)
        if _is_stale(bar):
            bar.hide()


DRAG_PANEL_SECONDS = 0.04  # slower panels wait for the end of a timeline drag


class DiscardQuestion:
    """The controller's question before going on from a rewound state discards the later
    history: a Yes/No box, No by default. ``ask`` False answers yes without asking (tests,
    scripts). Given to the controller when it is built; it reads where the run stands from
    ``controller``, set once that exists."""

    def __init__(self, parent) -> None:
        self.parent = parent
        self.controller = None
        self.ask = True
        self.answer = None  # answer(iterations) -> bool instead of the box (tests answer here)

    def __call__(self, iterations: int) -> bool:
        if self.answer is not None:
            return bool(self.answer(iterations))
        if not self.ask:
            return True
        stepper = self.controller.stepper
        answer = QMessageBox.question(
            self.parent, "Discard the later history?",
            f"You are at iteration {stepper.iteration}, rewound from "
            f"{stepper.head_iteration}. Going on from here discards the "
            f"{iterations} later iteration(s) of history (the loss curve and the exact "
            "rewind to them). Go on?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


class Debugger:
    def __init__(self, window) -> None:
        self.window = window
        controller = self.controller = window.controller
        self.breakpoints = controller.breakpoints
        self.question = window.discard_question
        self.inspector = Inspector(controller)
        self.chain_rule = ChainRulePanel(controller)
        self.matrix_view = MatrixView(controller)
        self.gradcheck = GradientCheckPanel(controller)
        self.compare = ComparePanel(controller)
        self.breakpoints_panel = BreakpointsPanel(self.breakpoints, lambda: controller.network)
        self.timeline = Timeline(controller)
        self.timeline.slider.sliderReleased.connect(self.refresh)
        toolbar = QToolBar("Timeline")
        toolbar.setObjectName("timeline_toolbar")
        toolbar.addWidget(self.timeline)
        window.addToolBarBreak()
        window.addToolBar(toolbar)
        self.toolbar = toolbar
        # beside the settings, what follows the graph's selection (the inspector above the
        # chain rule) and the breakpoints; on the left, the numbers to check one's own
        # against (wide tables); the plots span the whole width below
        right, left = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea
        window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        selection = QSplitter(Qt.Orientation.Vertical)
        selection.setObjectName("inspector_splitter")
        selection.addWidget(self.inspector)
        selection.addWidget(self.chain_rule)
        selection.setChildrenCollapsible(False)
        selection.setSizes([210, 490])
        self.docks = {
            "inspector": window._dock("Inspector", "inspector_dock", selection, right),
            "breakpoints": window._dock("Breakpoints", "breakpoints_dock",
                                        self.breakpoints_panel, right),
            "matrices": window._dock("Matrices", "matrix_view", self.matrix_view, left),
            "compare": window._dock("Compare", "compare_dock", scrolling(self.compare), left),
            "gradcheck": window._dock("Gradient check", "gradcheck_dock", self.gradcheck, left),
        }
        for area in (right, left):
            window.setTabPosition(area, QTabWidget.TabPosition.North)
        docks = self.docks
        window.tabifyDockWidget(window.settings_dock, docks["inspector"])
        window.tabifyDockWidget(docks["inspector"], docks["breakpoints"])
        window.tabifyDockWidget(docks["matrices"], docks["compare"])
        window.tabifyDockWidget(docks["matrices"], docks["gradcheck"])
        window.settings_dock.raise_()
        docks["matrices"].raise_()
        window.resizeDocks([docks["matrices"]], [380], Qt.Orientation.Horizontal)
        hide_stale_tab_bars(window)
        for dock in self.docks.values():
            dock.visibilityChanged.connect(self._dock_shown)
        window.network_view.selection_changed.connect(self._selection_changed)
        controller.breakpoint_hit.connect(self._breakpoint_hit)
        controller.fault_raised.connect(self._fault)
        controller.structure_changed.connect(self._structure_changed)

    # ------------------------------------------------------------------ views
    def panels(self) -> list:
        """The panels this refreshes (the compare panel follows the controller itself)."""
        return [self.inspector, self.chain_rule, self.matrix_view, self.gradcheck]

    def refresh(self, everything: bool = False) -> None:
        """The timeline and the plot cursors always; the panels in view (all when
        ``everything``) only while paused: while running they would cost the graph its rate,
        and the pause brings them up to date."""
        self.timeline.refresh()
        for plot in (self.window.loss_plot, self.window.weights_plot,
                     self.window.symmetry_plot):
            plot.update_cursor()
        if self.controller.running and not everything:
            return
        dragging = self.timeline.slider.isSliderDown() and not everything
        for panel in self.panels():
            if everything or not panel.visibleRegion().isEmpty():
                if dragging and getattr(panel, "last_cost", 0.0) > DRAG_PANEL_SECONDS:
                    panel.defer()  # a large network's matrices: shown when the drag ends
                else:
                    panel.refresh()

    def _dock_shown(self, visible: bool) -> None:
        if visible:
            self.refresh()

    def _structure_changed(self) -> None:
        self.breakpoints_panel.refresh()
        self.refresh(everything=True)

    def _selection_changed(self) -> None:
        view = self.window.network_view
        parameters = view.selected_parameters()
        neuron = view.selected_neuron()
        if parameters:
            self.inspector.show_parameter(parameters[0])
        elif neuron is not None:
            self.inspector.show_neuron(neuron)
        else:
            self.inspector.show_neuron(None)
        self.chain_rule.show_parameters(parameters)
        if parameters:
            self.breakpoints_panel.set_parameter(parameters[0])

    # ---------------------------------------------------------- going on
    @property
    def ask_before_discarding(self) -> bool:
        return self.question.ask

    @ask_before_discarding.setter
    def ask_before_discarding(self, ask: bool) -> None:
        self.question.ask = bool(ask)

    # ---------------------------------------------------------- breakpoints
    def _select(self, hit) -> None:
        """Select in the graph the weight or neuron a hit names, and mark it in the list."""
        view = self.window.network_view
        if hit.parameter is not None:
            view.select_parameters([hit.parameter])
        elif hit.neuron is not None:
            view.select_neuron(hit.neuron)
        self.breakpoints_panel.refresh()

    def _breakpoint_hit(self, hit) -> None:
        self._select(hit)
        self.window.statusBar().showMessage(f"Paused at iteration {hit.iteration}: "
                                            f"{hit.message}")
        self.window.last_break = hit.message

    def _fault(self, text: str) -> None:
        """A non-finite value stopped the engine: select the neuron or weight it names."""
        fault = self.controller.stepper.fault
        if fault is None:
            return
        self._select(self.breakpoints.fault_hit(fault, self.controller.network))
