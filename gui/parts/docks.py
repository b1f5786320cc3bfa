"""The window's docks as one table (issue 13): one row per dock, with its object name, title,
area, tab group (the docks of a group are tabbed together), the factory that builds its
widget from the collaborators it needs and the names of the widgets it gives the window, the
views in it and how the scheduler refreshes them, the lesson topics it shows, its section of
the View menu, and the workspaces that show it (issue 14). The window builds the docks, their
tabs and splits, the View menu, the views' refreshes and the workspaces from this table (the
placing and the lazy building: gui/parts/dock_layout.py): a new panel is its widget's module
and one row here.

Rows come in the order the docks are placed, which is also their order in each section of the
View menu. A dock's widget is built the first time the dock is shown (or a part of it is
asked for), so that the docks of the workspaces not in view cost nothing at start; each
factory imports its view's module itself for the same reason.

``WORKSPACES`` says what each workspace shows at first: its docks are the rows that name it,
and their sizes are fractions of the window, so that each panel has its room at 1280×720 as
at 2560×1440."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QWidget

from ..scheduler import STATE, Change, Policy, Scheduler

if TYPE_CHECKING:
    from ..controller import LabController
    from ..views.network_view import NetworkView

LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
WIDE, TALL = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
SIDE_BY_SIDE = (BOTTOM,)  # the docks of these areas sit side by side (the others stack)
LEARN, DEBUG, DATA = "learn", "debug", "data"  # the workspaces' keys
# docks of no workspace that stay in view across a switch (the others go)
CARRIED = ("lesson", "predict")


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
    laid_out: Callable[[], None] | None = None  # once the dock is placed


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
    group: str | None  # docks of a group are tabbed together
    build: Callable[[Kit], Built]
    parts: tuple[str, ...]  # the names of the widgets ``build`` gives (Built.parts)
    views: tuple[ViewRow, ...] = ()
    topics: tuple[str, ...] = ()  # what a lesson's step names when it shows this dock
    section: Section = Section.VIEWS
    workspaces: tuple[str, ...] = ()  # the workspaces that show it (none: when asked)
    minimum: tuple[int, int] = (0, 0)  # its widget's smallest readable width and height


@dataclass(frozen=True)
class Workspace:
    """A set of docks for one task, and their first sizes: (dock key, orientation, fraction
    of the window's width or height). ``front``: the docks raised in their tab groups;
    ``tabs``: docks the table places apart that this workspace tabs together (the first in
    front; one shown later joins the tabs of those in view); ``toolbars``: the optional
    toolbars it shows (by object name)."""

    key: str
    title: str
    shortcut: str
    tip: str
    sizes: tuple[tuple[str, Qt.Orientation, float], ...] = ()
    front: tuple[str, ...] = ()
    tabs: tuple[tuple[str, ...], ...] = ()
    toolbars: tuple[str, ...] = ()


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: a dock whose controls need height can then
    share a column with others (a lesson above the matrices) rather than squeeze it."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


class FillingScroll(QScrollArea):
    """A scroll area whose widget takes its whole height, down to the widget's minimum, and
    scrolls below that (with a word-wrapped label inside, a resizable scroll area keeps the
    widget at its preferred height and scrolls it sooner)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fill()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fill()

    def _fill(self) -> None:
        widget, room = self.widget(), self.viewport().size()
        minimum = widget.minimumSizeHint()
        widget.resize(max(room.width(), minimum.width()), max(room.height(), minimum.height()))


# ------------------------------------------------------------------- factories
# each imports its view's module: a dock that is never shown never imports it
def _welcome(kit: Kit) -> Built:
    from ..views.welcome_panel import WelcomePanel

    panel = WelcomePanel()
    scroll = scrolling(panel)  # its text wraps to the dock's width; only a short dock scrolls
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return Built(scroll, {"welcome_panel": panel})


def _lesson(kit: Kit) -> Built:
    from ..views.lesson_view import LessonPanel

    panel = LessonPanel()
    return Built(FillingScroll(panel), {"lesson_panel": panel})


def _settings(kit: Kit) -> Built:
    from ..views.panels import SettingsWidget

    settings = SettingsWidget(kit.controller)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(settings)
    # the steps that name the initialisation are about the seed: its box in view
    return Built(scroll, {"settings": settings},
                 {"initialisation": lambda: scroll.ensureWidgetVisible(settings.init)})


def _loss(kit: Kit) -> Built:
    from ..views.plot_panels import LossPanel

    panel = LossPanel(kit.controller)
    return Built(panel, {"loss_plot": panel.plot, "log_scale_box": panel.log_scale_box})


def _weights(kit: Kit) -> Built:
    from ..views.plot_panels import WeightsPanel

    panel = WeightsPanel(kit.controller)
    view = kit.network_view
    view.selection_changed.connect(lambda: panel.follow(view.selected_neuron()))
    return Built(panel, {"weights_panel": panel, "weights_plot": panel.plot,
                         "weights_selector": panel.selector}, laid_out=panel.fill_selector)


def _symmetry(kit: Kit) -> Built:
    from ..views.plots import SymmetryPlot

    plot = SymmetryPlot(kit.controller)
    return Built(plot, {"symmetry_plot": plot})


def _decision_boundary(kit: Kit) -> Built:
    from ..views.decision_boundary import DecisionBoundaryView

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


INSPECTOR_SHARE = 0.55  # of the inspector's dock height, above the chain rule, at first


def _inspector(kit: Kit) -> Built:
    """What follows the graph's selection: the inspector above the chain rule (the inspector
    has the larger share: its rows are per observation, the chain rule is empty until a
    weight is selected)."""
    from ..views.chain_rule_panel import ChainRulePanel
    from ..views.inspector import Inspector

    inspector, chain_rule = Inspector(kit.controller), ChainRulePanel(kit.controller)
    selection = QSplitter(Qt.Orientation.Vertical)
    selection.setObjectName("inspector_splitter")
    selection.addWidget(inspector)
    selection.addWidget(chain_rule)
    selection.setChildrenCollapsible(False)
    share = round(INSPECTOR_SHARE * 100)
    selection.setStretchFactor(0, share)
    selection.setStretchFactor(1, 100 - share)
    selection.setSizes([share * 10, (100 - share) * 10])
    return Built(selection, {"inspector": inspector, "chain_rule": chain_rule})


def _breakpoints(kit: Kit) -> Built:
    from ..views.breakpoints_panel import BreakpointsPanel

    panel = BreakpointsPanel(kit.controller)
    return Built(panel, {"breakpoints_panel": panel})


def _matrices(kit: Kit) -> Built:
    from ..views.matrix_view import MatrixView

    view = MatrixView(kit.controller)
    return Built(view, {"matrix_view": view})


def _compare(kit: Kit) -> Built:
    from ..views.compare_panel import ComparePanel

    panel = ComparePanel(kit.controller)
    return Built(scrolling(panel), {"compare": panel})


def _gradcheck(kit: Kit) -> Built:
    from ..views.gradcheck_view import GradientCheckPanel

    panel = GradientCheckPanel(kit.controller)
    return Built(panel, {"gradcheck": panel})


def _predict(kit: Kit) -> Built:
    from ..views.predict_panel import PredictPanel

    panel = PredictPanel(kit.controller)
    return Built(panel, {"predict_panel": panel})


def _weight_images(kit: Kit) -> Built:
    from ..views.weight_images import WeightImagesPanel

    panel = WeightImagesPanel(kit.controller)
    view = kit.network_view
    panel.neuron_chosen.connect(view.select_neuron)  # a click on image j selects (1, j)
    view.selection_changed.connect(lambda: panel.follow(view.selected_neuron()))
    panel.follow(view.selected_neuron())
    return Built(panel, {"weight_images": panel})


def _distributions(kit: Kit) -> Built:
    from ..views.distributions_view import DistributionsPanel

    panel = DistributionsPanel(kit.controller)
    return Built(panel, {"distributions": panel})


def _data(kit: Kit) -> Built:
    from ..views.dataset_editor import DatasetEditor

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
# plots span the whole width below; the welcome and the lesson head the left column
DOCKS: tuple[DockRow, ...] = (
    DockRow("settings", "settings_dock", "Network", RIGHT, "right", _settings, ("settings",),
            (ViewRow("settings", Policy.EVERY_FRAME, Change.SETTINGS,
                     refresh="settings.refresh", rebuild="settings.refresh"),),
            topics=("initialisation",), workspaces=(DEBUG,), minimum=(250, 140)),
    DockRow("loss", "loss_dock", "Loss", BOTTOM, None, _loss, ("loss_plot", "log_scale_box"),
            _plot("loss_plot"), topics=("loss",), workspaces=(LEARN, DEBUG, DATA),
            minimum=(220, 110)),
    DockRow("weights", "weights_dock", "Weights", BOTTOM, None, _weights,
            ("weights_panel", "weights_plot", "weights_selector"),
            _plot("weights_plot", rebuild="weights_panel.rebuild"), topics=("weights",),
            workspaces=(LEARN, DEBUG), minimum=(260, 110)),
    DockRow("symmetry", "symmetry_dock", "Distinct neurons", BOTTOM, None, _symmetry,
            ("symmetry_plot",), _plot("symmetry_plot", rebuild="symmetry_plot.rebuild"),
            topics=("symmetry",), workspaces=(DEBUG,), minimum=(220, 110)),
    # shown at start (when the learner wants it) and from the Help menu; a workspace switch
    # puts it away
    DockRow("welcome", "welcome_dock", "Welcome", LEFT, "start", _welcome, ("welcome_panel",),
            section=Section.LESSON, minimum=(260, 180)),
    # shown while a lesson runs, in every workspace (CARRIED); before the debugger's docks, so
    # that it heads the left column, above the matrices
    DockRow("lesson", "lesson_dock", "Lesson", LEFT, "start", _lesson, ("lesson_panel",),
            (ViewRow("lesson_checks", Policy.WHEN_PAUSED, refresh="lessons.check_now",
                     shown_by="lesson_panel"),), section=Section.LESSON, minimum=(280, 200)),
    # shown when predict mode is turned on (Run > Predict), in every workspace (CARRIED)
    DockRow("predict", "predict_dock", "Predict", RIGHT, None, _predict, ("predict_panel",),
            (ViewRow("predict_panel", Policy.EVERY_FRAME, Change.PREDICTION | STATE,
                     refresh="predict_panel.refresh", shown_by="predict_panel"),),
            section=Section.LESSON, minimum=(280, 260)),
    DockRow("inspector", "inspector_dock", "Inspector", RIGHT, "right", _inspector,
            ("inspector", "chain_rule"), (_paused("inspector"), _paused("chain_rule")),
            topics=("selection",), section=Section.DEBUGGER, workspaces=(DEBUG,),
            minimum=(300, 240)),
    DockRow("breakpoints", "breakpoints_dock", "Breakpoints", RIGHT, "right", _breakpoints,
            ("breakpoints_panel",),
            (ViewRow("breakpoints_panel", Policy.EVERY_FRAME,
                     Change.STRUCTURE | Change.BREAKPOINTS, refresh="breakpoints_panel.refresh",
                     rebuild="breakpoints_panel.refresh"),), section=Section.DEBUGGER,
            workspaces=(DEBUG,), minimum=(260, 180)),
    DockRow("matrices", "matrix_view", "Matrices", LEFT, "left", _matrices, ("matrix_view",),
            (_paused("matrix_view", waits_for_drag=True),), topics=("matrices",),
            section=Section.DEBUGGER, workspaces=(DEBUG,), minimum=(300, 120)),
    DockRow("compare", "compare_dock", "Compare", LEFT, "left", _compare, ("compare",),
            (_paused("compare"),), section=Section.DEBUGGER, workspaces=(DEBUG,),
            minimum=(300, 120)),
    DockRow("gradcheck", "gradcheck_dock", "Gradient check", LEFT, "left", _gradcheck,
            ("gradcheck",), (_paused("gradcheck"),), section=Section.DEBUGGER,
            workspaces=(DEBUG,), minimum=(300, 120)),
    # for networks the size of MNIST's (issue 16): layer 1's weights as pictures, and each
    # layer's distributions over the iterations with its dead or saturated neurons; in no
    # workspace (View menu), tabbed with the debugger's wide tables on the left
    DockRow("weight_images", "weight_images_dock", "Weight images", LEFT, "left",
            _weight_images, ("weight_images",),
            (ViewRow("weight_images", Policy.LIKE_PLOTS, refresh="weight_images.refresh",
                     rebuild="weight_images.rebuild", shown_by="weight_images"),),
            minimum=(300, 160)),
    DockRow("distributions", "distributions_dock", "Distributions", LEFT, "left",
            _distributions, ("distributions",),
            (ViewRow("distributions", Policy.LIKE_PLOTS, refresh="distributions.refresh",
                     rebuild="distributions.rebuild", shown_by="distributions"),),
            minimum=(300, 240)),
    # the data set editor (the dock carries the table's name, as the issue names it)
    DockRow("dataset", "dataset_table", "Data", LEFT, "left", _data, ("dataset_editor",),
            (ViewRow("dataset_editor", Policy.EVERY_FRAME, Change.STRUCTURE,
                     rebuild="dataset_editor.reload"),), section=Section.DATA,
            workspaces=(DATA,), minimum=(300, 120)),
    DockRow("decision_boundary", "decision_boundary_dock", "Decision boundary", BOTTOM, None,
            _decision_boundary, ("decision_boundary",),
            (ViewRow("decision_boundary", Policy.LIKE_PLOTS, Change.POSITION
                     | Change.PARAMETERS | Change.STRUCTURE, refresh="decision_boundary.refresh",
                     rebuild="decision_boundary.rebuild", shown_by="decision_boundary"),),
            topics=("decision boundary",), workspaces=(DATA,), minimum=(260, 140)),
)

# what each workspace shows first, and how large (fractions of the window's width or height)
WORKSPACES: tuple[Workspace, ...] = (
    # the graph, and below it the loss and the weights (one at a time: tabs, where a lesson's
    # step also opens the distinct neurons or the matrices, the full width for their tables);
    # the lesson or the welcome on the left; the settings from View > Network (or a lesson)
    Workspace(LEARN, "Learn", "Ctrl+1",
              "The graph, the loss and the weights, and the lesson: where to start",
              sizes=(("welcome", WIDE, 0.3), ("lesson", WIDE, 0.32), ("settings", WIDE, 0.27),
                     ("loss", TALL, 0.3)),
              tabs=(("loss", "weights", "symmetry", "matrices"),)),
    Workspace(DEBUG, "Debug", "Ctrl+2",
              "Learn's panels with the debugger's: the inspector and the chain rule, the "
              "matrices, the gradient check, compare, breakpoints and the timeline",
              sizes=(("inspector", WIDE, 0.37), ("matrices", WIDE, 0.33), ("loss", TALL, 0.23),
                     ("loss", WIDE, 0.34), ("weights", WIDE, 0.36), ("symmetry", WIDE, 0.3)),
              front=("inspector", "matrices"), toolbars=("timeline_toolbar",)),
    Workspace(DATA, "Data", "Ctrl+3",
              "The data set as a table, the decision boundary and the loss",
              sizes=(("dataset", WIDE, 0.36), ("loss", TALL, 0.42), ("loss", WIDE, 0.45),
                     ("decision_boundary", WIDE, 0.55)),
              front=("dataset",)),
)


def workspace(key: str) -> Workspace:
    return next(w for w in WORKSPACES if w.key == key)


def workspace_docks(key: str, rows: tuple[DockRow, ...] | None = None) -> list[str]:
    """The keys of the docks ``key`` shows first, in the table's order."""
    return [row.key for row in rows or DOCKS if key in row.workspaces]


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
