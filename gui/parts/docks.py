"""The window's docks as one table (issue 13): one row per dock, with its object name, title,
area, tab group (the docks of a group are tabbed together, the first row in front), the
factory that builds its widget from the collaborators it needs, the views in it and how the
scheduler refreshes them, the lesson topics it shows, and its section of the View menu.
The window builds the docks, their tabs and splits, the View menu and the views' refreshes
from this table: a new panel is its widget's module and one row here.

Rows come in the order the docks are built, which is also their order in each section of the
View menu. Qt lays docks out by that order and by the sizes given: the layout the window had
before the table is kept (the same order, the widths and heights it came out with)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QSplitter, QTabWidget, QWidget

from ..scheduler import STATE, Change, Policy, Scheduler
from ..views.breakpoints_panel import BreakpointsPanel
from ..views.chain_rule_panel import ChainRulePanel
from ..views.compare_panel import ComparePanel
from ..views.dataset_editor import DatasetEditor
from ..views.decision_boundary import DecisionBoundaryView
from ..views.gradcheck_view import GradientCheckPanel
from ..views.inspector import Inspector
from ..views.lesson_view import LessonPanel
from ..views.matrix_view import MatrixView
from ..views.panels import SettingsWidget
from ..views.plot_panels import LossPanel, WeightsPanel
from ..views.plots import SymmetryPlot
from .tab_bars import hide_stale_tab_bars

if TYPE_CHECKING:
    from ..controller import LabController
    from ..views.network_view import NetworkView

LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
WIDE, TALL = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
SIDE_BY_SIDE = (BOTTOM,)  # the docks of these areas sit side by side (the others stack)


class Section(enum.Enum):
    """Where a dock's toggle goes in the View menu, in this order (each in the table's)."""

    VIEWS = "views"  # after Fit graph
    DATA = "data"
    DEBUGGER = "debugger"  # after a separator; the timeline's toolbar follows
    LESSON = "lesson"


@dataclass(frozen=True)
class Kit:
    """What a dock's factory builds its widget from."""

    controller: LabController
    network_view: NetworkView  # the graph: its selection and hovering


@dataclass
class Built:
    widget: QWidget  # the dock's widget
    parts: dict[str, QWidget]  # the widgets in it by name (the window keeps them so)
    reveal: dict[str, Callable[[], None]] = field(default_factory=dict)  # topic: show its part
    laid_out: Callable[[], None] | None = None  # once every dock is placed


@dataclass(frozen=True)
class ViewRow:
    """A view as the scheduler refreshes it; ``refresh``, ``rebuild`` ("part.method") and
    ``shown_by`` (the part whose visibility counts; None: always) name the window's parts."""

    name: str
    policy: Policy
    changes: Change = STATE
    refresh: str | None = None
    rebuild: str | None = None
    shown_by: str | None = None
    waits_for_drag: bool = False


@dataclass(frozen=True)
class DockRow:
    key: str  # the window keeps the dock as <key>_dock, the debugger as docks[key]
    name: str  # the dock's object name (saved layouts and tests find it)
    title: str
    area: Qt.DockWidgetArea
    group: str | None  # docks of a group are tabbed together, the first row in front
    build: Callable[[Kit], Built]
    views: tuple[ViewRow, ...] = ()
    topics: tuple[str, ...] = ()  # what a lesson's step names when it shows this dock
    section: Section = Section.VIEWS
    size: tuple[Qt.Orientation, int] | None = None  # its first width or height
    hidden: bool = False  # until something shows it (the lesson dock: a lesson)


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: a dock whose controls need height can then
    share a column with others (a lesson above the matrices) rather than squeeze it."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


# ------------------------------------------------------------------- factories
def _lesson(kit: Kit) -> Built:
    panel = LessonPanel()
    return Built(panel, {"lesson_panel": panel})


def _settings(kit: Kit) -> Built:
    settings = SettingsWidget(kit.controller)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(settings)
    # the steps that name the initialisation are about the seed: its box in view
    return Built(scroll, {"settings": settings},
                 {"initialisation": lambda: scroll.ensureWidgetVisible(settings.init)})


def _loss(kit: Kit) -> Built:
    panel = LossPanel(kit.controller)
    return Built(panel, {"loss_plot": panel.plot, "log_scale_box": panel.log_scale_box})


def _weights(kit: Kit) -> Built:
    panel = WeightsPanel(kit.controller)
    view = kit.network_view
    view.selection_changed.connect(lambda: panel.follow(view.selected_neuron()))
    return Built(panel, {"weights_panel": panel, "weights_plot": panel.plot,
                         "weights_selector": panel.selector}, laid_out=panel.fill_selector)


def _symmetry(kit: Kit) -> Built:
    plot = SymmetryPlot(kit.controller)
    return Built(plot, {"symmetry_plot": plot})


def _decision_boundary(kit: Kit) -> Built:
    controller = kit.controller
    boundary = DecisionBoundaryView(controller)

    def hovered(neuron) -> None:
        """Hovering a hidden neuron shows its own map; leaving it, the output's again."""
        network = controller.network
        hidden = neuron is not None and 0 < neuron[0] < network.layer_count
        if network.sizes[0] == 2 and (hidden or boundary.neuron is not None):
            boundary.show_neuron(neuron if hidden else None)

    kit.network_view.neuron_hovered.connect(hovered)
    return Built(boundary, {"decision_boundary": boundary})


def _inspector(kit: Kit) -> Built:
    """What follows the graph's selection: the inspector above the chain rule."""
    inspector, chain_rule = Inspector(kit.controller), ChainRulePanel(kit.controller)
    selection = QSplitter(Qt.Orientation.Vertical)
    selection.setObjectName("inspector_splitter")
    selection.addWidget(inspector)
    selection.addWidget(chain_rule)
    selection.setChildrenCollapsible(False)
    selection.setSizes([210, 490])
    return Built(selection, {"inspector": inspector, "chain_rule": chain_rule})


def _breakpoints(kit: Kit) -> Built:
    controller = kit.controller
    panel = BreakpointsPanel(controller)
    return Built(panel, {"breakpoints_panel": panel})


def _matrices(kit: Kit) -> Built:
    view = MatrixView(kit.controller)
    return Built(view, {"matrix_view": view})


def _compare(kit: Kit) -> Built:
    panel = ComparePanel(kit.controller)
    return Built(scrolling(panel), {"compare": panel})


def _gradcheck(kit: Kit) -> Built:
    panel = GradientCheckPanel(kit.controller)
    return Built(panel, {"gradcheck": panel})


def _data(kit: Kit) -> Built:
    editor = DatasetEditor(kit.controller)
    return Built(scrolling(editor), {"dataset_editor": editor})


def _plot(name: str, rebuild: str | None = None) -> tuple[ViewRow, ViewRow]:
    """A plot refreshed like the plots, and its cursor (where the timeline stands) with
    every frame."""
    return (ViewRow(name, Policy.LIKE_PLOTS, refresh=f"{name}.refresh", rebuild=rebuild),
            ViewRow(f"{name}_cursor", Policy.EVERY_FRAME, refresh=f"{name}.update_cursor"))


def _paused(name: str, waits_for_drag: bool = False) -> ViewRow:
    """A panel refreshed while paused and in view."""
    return ViewRow(name, Policy.WHEN_PAUSED, refresh=f"{name}.refresh", shown_by=name,
                   waits_for_drag=waits_for_drag)


# the debugger's panels beside the settings (the inspector above the chain rule, the
# breakpoints) and on the left (the numbers to check one's own against: wide tables); the
# plots span the whole width below
DOCKS: tuple[DockRow, ...] = (
    DockRow("settings", "settings_dock", "Network", RIGHT, "right", _settings,
            (ViewRow("settings", Policy.EVERY_FRAME, Change.SETTINGS,
                     refresh="settings.refresh", rebuild="settings.refresh"),),
            topics=("initialisation",), size=(WIDE, 299)),
    DockRow("loss", "loss_dock", "Loss", BOTTOM, None, _loss, _plot("loss_plot"),
            topics=("loss",), size=(TALL, 280)),
    DockRow("weights", "weights_dock", "Weights", BOTTOM, None, _weights,
            _plot("weights_plot", rebuild="weights_panel.rebuild"), topics=("weights",)),
    DockRow("symmetry", "symmetry_dock", "Distinct neurons", BOTTOM, None, _symmetry,
            _plot("symmetry_plot", rebuild="symmetry_plot.rebuild"), topics=("symmetry",)),
    # hidden until a lesson starts; before the debugger's docks, so that it heads the left
    # column, above the matrices
    DockRow("lesson", "lesson_dock", "Lesson", LEFT, None, _lesson,
            (ViewRow("lesson_checks", Policy.WHEN_PAUSED, refresh="lessons.check_now",
                     shown_by="lesson_panel"),), section=Section.LESSON, hidden=True),
    DockRow("inspector", "inspector_dock", "Inspector", RIGHT, "right", _inspector,
            (_paused("inspector"), _paused("chain_rule")), topics=("selection",),
            section=Section.DEBUGGER),
    DockRow("breakpoints", "breakpoints_dock", "Breakpoints", RIGHT, "right", _breakpoints,
            (ViewRow("breakpoints_panel", Policy.EVERY_FRAME,
                     Change.STRUCTURE | Change.BREAKPOINTS, refresh="breakpoints_panel.refresh",
                     rebuild="breakpoints_panel.refresh"),), section=Section.DEBUGGER),
    DockRow("matrices", "matrix_view", "Matrices", LEFT, "left", _matrices,
            (_paused("matrix_view", waits_for_drag=True),), topics=("matrices",),
            section=Section.DEBUGGER, size=(WIDE, 380)),
    DockRow("compare", "compare_dock", "Compare", LEFT, "left", _compare, (_paused("compare"),),
            section=Section.DEBUGGER),
    DockRow("gradcheck", "gradcheck_dock", "Gradient check", LEFT, "left", _gradcheck,
            (_paused("gradcheck"),), section=Section.DEBUGGER),
    # the data set editor (the dock carries the table's name, as the issue names it)
    DockRow("dataset", "dataset_table", "Data", LEFT, "left", _data,
            (ViewRow("dataset_editor", Policy.EVERY_FRAME, Change.STRUCTURE,
                     rebuild="dataset_editor.reload"),), section=Section.DATA),
    DockRow("decision_boundary", "decision_boundary_dock", "Decision boundary", BOTTOM, None,
            _decision_boundary,
            (ViewRow("decision_boundary", Policy.LIKE_PLOTS, Change.POSITION
                     | Change.PARAMETERS | Change.STRUCTURE, refresh="decision_boundary.refresh",
                     rebuild="decision_boundary.rebuild", shown_by="decision_boundary"),),
            topics=("decision boundary",)),
)


def topic_docks(rows: tuple[DockRow, ...] | None = None) -> dict[str, str]:
    """The object name of the dock that shows each topic a lesson's step names."""
    return {topic: row.name for row in rows or DOCKS for topic in row.topics}


def _resolve(parts: dict[str, object], path: str | None):
    """"part.attribute" (or "part") of ``parts``; None for None."""
    if path is None:
        return None
    part, _, attribute = path.partition(".")
    return getattr(parts[part], attribute) if attribute else parts[part]


def register_view(scheduler: Scheduler, view: ViewRow, parts: dict[str, object]) -> None:
    """``view`` with the scheduler, its methods and widget found in ``parts``."""
    scheduler.register(view.name, _resolve(parts, view.refresh), _resolve(parts, view.shown_by),
                       view.changes, view.policy, _resolve(parts, view.rebuild),
                       view.waits_for_drag)


def register_views(scheduler: Scheduler, parts: dict[str, object],
                   rows: tuple[DockRow, ...] | None = None) -> None:
    """Every view of ``rows`` (the table's by default) with the scheduler."""
    for row in rows or DOCKS:
        for view in row.views:
            register_view(scheduler, view, parts)


class DockLayout:
    """The window's docks, built from the table, and what the parts ask of them: a topic's
    dock shown, room made, the layout kept and restored."""

    def __init__(self, window: QMainWindow, kit: Kit,
                 rows: tuple[DockRow, ...] | None = None) -> None:
        self._window = window
        self.rows = rows = rows or DOCKS
        self.docks: dict[str, QDockWidget] = {}  # by key
        self.parts: dict[str, QWidget] = {}
        self._reveal: dict[str, Callable[[], None]] = {}
        window.setCorner(Qt.Corner.BottomLeftCorner, BOTTOM)
        window.setCorner(Qt.Corner.BottomRightCorner, BOTTOM)
        for area in (RIGHT, LEFT):
            window.setTabPosition(area, QTabWidget.TabPosition.North)
        first_of_group: dict[str, QDockWidget] = {}
        last_in_area: dict[Qt.DockWidgetArea, QDockWidget] = {}
        laid_out = []
        for row in rows:
            built = row.build(kit)
            self.parts.update(built.parts)
            self._reveal.update(built.reveal)
            if built.laid_out is not None:
                laid_out.append(built.laid_out)
            dock = QDockWidget(row.title, window)
            dock.setObjectName(row.name)
            dock.setWidget(built.widget)
            window.addDockWidget(row.area, dock)
            if row.group in first_of_group:
                window.tabifyDockWidget(first_of_group[row.group], dock)
            elif row.area in SIDE_BY_SIDE and row.area in last_in_area:
                window.splitDockWidget(last_in_area[row.area], dock, WIDE)
            if row.group is not None:
                first_of_group.setdefault(row.group, dock)
            last_in_area[row.area] = dock
            if row.hidden:
                dock.hide()
            self.docks[row.key] = dock
        for dock in first_of_group.values():
            dock.raise_()
        for row in rows:
            if row.size is not None:
                orientation, pixels = row.size
                window.resizeDocks([self.docks[row.key]], [pixels], orientation)
        for finish in laid_out:
            finish()
        hide_stale_tab_bars(window)
        for dock in self.docks.values():  # rearranged docks: new tab bars
            dock.dockLocationChanged.connect(lambda _area: hide_stale_tab_bars(window))

    def fill_view_menu(self, menu, section: Section) -> None:
        for row in self.rows:
            if row.section is section:
                menu.addAction(self.docks[row.key].toggleViewAction())

    def dock_for(self, topic: str) -> QDockWidget:
        return next(self.docks[row.key] for row in self.rows if topic in row.topics)

    def show_topic(self, topic: str) -> None:
        """Show and raise the dock of ``topic``, and its part about it once laid out."""
        dock = self.dock_for(topic)
        dock.show()
        dock.raise_()
        if topic in self._reveal:
            QTimer.singleShot(0, self._reveal[topic])

    def resize_later(self, docks: list[QDockWidget], heights: list[int]) -> None:
        """The docks' heights once the docks just shown are laid out (resizing them before
        does nothing)."""
        window = self._window
        QTimer.singleShot(0, lambda: window.resizeDocks(docks, list(heights), TALL))

    def state(self) -> tuple[bytes, bytes]:
        """The window's geometry and the docks' and toolbars' layout, to keep."""
        return bytes(self._window.saveGeometry()), bytes(self._window.saveState())

    def restore(self, geometry: bytes | None, state: bytes | None) -> None:
        """A layout kept earlier; Qt refuses bytes that are not one (the default stays)."""
        if geometry is not None:
            self._window.restoreGeometry(QByteArray(geometry))
        if state is not None:
            self._window.restoreState(QByteArray(state))
