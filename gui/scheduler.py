"""One refresh scheme for the window's views (issue 13): the only place that turns the
controller's changes into redraws.

Each view registers once: a name, its refresh (and, for a view whose items belong to one
network, a rebuild), the widget whose visibility counts (None: always), the controller
changes that make it stale, and a policy:

- EVERY_FRAME: refreshed at the next frame (the graph, the toolbar labels, the timeline, the
  plot cursors);
- LIKE_PLOTS: every frame while paused; while running at most every second frame, and the
  views of this policy (refreshed together) leave max(PLOT_SECONDS, PLOT_COST_FACTOR × what
  their last refresh took) between two refreshes, since painting them costs as much again:
  about 10 a second for small networks, fewer for large ones, so that the graph keeps its
  rate and training half the time; but a run slow enough for each step to be seen
  (``controller.shows_each_step``: a low speed, or phase by phase) is drawn step by step as
  each step comes, the plots with the graph at each iteration's end;
- WHEN_PAUSED: stale while running, brought up to date at the pause (the debugger's panels,
  the compare panel, the lesson's checks: recomputing them would cost the graph its rate);
- AT_ONCE: refreshed as the change comes, for cheap views that must never lag (the title,
  the Run/Pause action).

One timer (REFRESH_MS) drives the frames: each tick refreshes the stale views that are due.
A view out of view (its dock closed or behind another tab, the window hidden) stays stale and
is refreshed when it is shown. A structure change (another network) rebuilds every view that
has a rebuild at once, since their items belong to the network that is gone, then refreshes
those due. A view that ``waits_for_drag`` and whose last refresh took over
DRAG_PANEL_SECONDS is not refreshed while the timeline is dragged; the release brings it up
to date.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget

REFRESH_MS = 25  # a frame at most 40 times a second
PLOT_SECONDS = 0.06  # while running, the plots update at most ~16 times a second …
PLOT_COST_FACTOR = 6  # … and leave six times what their refresh took between updates
DRAG_PANEL_SECONDS = 0.04  # slower views wait for the end of a timeline drag


class Policy(enum.Enum):
    EVERY_FRAME = "every frame"
    LIKE_PLOTS = "like the plots"
    WHEN_PAUSED = "when paused"
    AT_ONCE = "at once"


class Change(enum.Flag):
    """What the controller said changed (its signals)."""

    POSITION = enum.auto()  # position_changed: stepped, ran, rewound
    PARAMETERS = enum.auto()  # parameters_changed
    STRUCTURE = enum.auto()  # structure_changed: another network or data
    SETTINGS = enum.auto()  # settings_changed
    DOCUMENT = enum.auto()  # document_loaded, document_changed (path, modified flag)
    RUN_STATE = enum.auto()  # run_state_changed
    BREAKPOINTS = enum.auto()  # breakpoints_changed, breakpoint_hit
    PREDICTION = enum.auto()  # prediction_changed: predict mode, a phase asked or checked


STATE = Change.POSITION | Change.PARAMETERS | Change.STRUCTURE | Change.SETTINGS


@dataclass(eq=False)
class View:
    name: str
    refresh: Callable[[], None] | None  # None: rebuilt only
    widget: QWidget | None  # whose visibility counts; None: always in view
    changes: Change
    policy: Policy
    rebuild: Callable[[], None] | None = None
    waits_for_drag: bool = False
    stale: bool = True
    cost: float = 0.0  # seconds its last refresh took
    refreshes: int = 0


class Scheduler(QObject):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.views: dict[str, View] = {}
        self._shown_by: set = set()  # the docks and widgets whose showing is watched
        self.frames = 0  # ticks that refreshed something
        self.plot_frames = 0  # of those, the ones that refreshed the views like the plots
        self._plots_at = 0.0  # when they last did
        self._plot_cost = 0.0  # and how long that took
        self._drag = None  # the slider whose drag the slow views wait for
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.tick)
        c = controller
        for signal, change in ((c.position_changed, Change.POSITION),
                               (c.parameters_changed, Change.PARAMETERS),
                               (c.settings_changed, Change.SETTINGS),
                               (c.document_loaded, Change.DOCUMENT),
                               (c.document_changed, Change.DOCUMENT),
                               (c.breakpoints_changed, Change.BREAKPOINTS),
                               (c.prediction_changed, Change.PREDICTION)):
            signal.connect(partial(self.mark, change))
        c.run_state_changed.connect(lambda _running: self.mark(Change.RUN_STATE))
        c.breakpoint_hit.connect(lambda _hit: self.mark(Change.BREAKPOINTS))
        c.structure_changed.connect(self._structure_changed)

    # ------------------------------------------------------------ registering
    def register(self, name: str, refresh: Callable[[], None] | None,
                 widget: QWidget | None = None, changes: Change = STATE,
                 policy: Policy = Policy.EVERY_FRAME, rebuild: Callable[[], None] | None = None,
                 waits_for_drag: bool = False) -> View:
        """Refresh ``refresh`` by ``policy`` after any of ``changes`` (stale until then, and
        from the start); ``rebuild`` at once on a structure change."""
        if name in self.views:
            raise ValueError(f"a view named {name!r} is registered already")
        view = View(name, refresh, widget, changes, policy, rebuild, waits_for_drag)
        self.views[name] = view
        if widget is not None:
            self._watch(widget)
        return view

    def _watch(self, widget: QWidget) -> None:
        """Bring the stale views up to date when ``widget`` is shown: its dock's tab raised
        or the dock opened (a dock behind another tab stays visible, out of the window), or
        the widget itself shown when it is in no dock."""
        dock = widget
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        watched = dock if dock is not None else widget
        if watched in self._shown_by:
            return
        self._shown_by.add(watched)
        if dock is not None:
            dock.visibilityChanged.connect(lambda visible: self.tick() if visible else None)
        else:
            widget.installEventFilter(self)

    def watch_drag(self, slider) -> None:
        """The views that wait for a drag wait for this slider's; its release brings them
        up to date at once."""
        self._drag = slider
        slider.sliderReleased.connect(self._drag_ended)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    # ---------------------------------------------------------------- changes
    def mark(self, changes: Change) -> None:
        """``changes`` happened: the views that show them are stale (AT_ONCE ones refresh;
        a step of a run whose every step is to be seen is drawn at once, a frame of its own)."""
        for view in self.views.values():
            if view.changes & changes:
                view.stale = True
                if view.policy is Policy.AT_ONCE and self._due(view):
                    self._refresh(view)
        if changes & Change.POSITION and self.controller.shows_each_step:
            self.tick()

    def _structure_changed(self) -> None:
        for view in self.views.values():
            if view.rebuild is not None:
                view.rebuild()
        self.mark(Change.STRUCTURE)
        self._refresh_all([v for v in self.views.values() if v.stale and self._due(v)])

    def _drag_ended(self) -> None:
        self._refresh_all([v for v in self.views.values()
                           if v.waits_for_drag and v.stale and self._due(v)])

    # ---------------------------------------------------------------- asking
    def in_view(self, view: View) -> bool:
        """Shown in its window: not in a closed dock or a hidden window, nor in a dock behind
        another tab (Qt moves those out of the window); None: always."""
        widget = view.widget
        if widget is None:
            return True
        if not widget.isVisible() or widget.size().isEmpty():
            return False
        window = widget.window()
        return window is widget or QRect(widget.mapTo(window, QPoint()),
                                         widget.size()).intersects(window.rect())

    def _allowed(self, view: View) -> bool:
        """Whether the policy lets ``view`` refresh now (in view or not)."""
        if view.refresh is None:
            return False
        if view.policy is Policy.WHEN_PAUSED and self.controller.running:
            return False
        return not (view.waits_for_drag and self._dragging()
                    and view.cost > DRAG_PANEL_SECONDS)

    def _due(self, view: View) -> bool:
        return self._allowed(view) and self.in_view(view)

    def _dragging(self) -> bool:
        return self._drag is not None and self._drag.isSliderDown()

    def stale_views(self) -> list[str]:
        """The views waiting for a frame: stale, in view and allowed by their policy now
        (those out of view, or waiting for the pause or a drag's end, are not waiting yet)."""
        return [v.name for v in self.views.values() if v.stale and self._due(v)]

    @property
    def idle(self) -> bool:
        """Nothing waits for a frame: what is in view shows the engine as it is."""
        return not self.stale_views()

    # ------------------------------------------------------------- refreshing
    def tick(self) -> None:
        """A frame: refresh the stale views that are due (those like the plots in their
        turn while running)."""
        due = [v for v in self.views.values() if v.stale and self._due(v)]
        if not due:
            return
        self.frames += 1
        c = self.controller
        if c.running and not self._plots_turn():
            due = [v for v in due if v.policy is not Policy.LIKE_PLOTS]
        self._refresh_all(due)

    def _plots_turn(self) -> bool:
        """While running: each iteration as it ends when each step is to be seen (the plots
        show iterations, not the phases between); else every second frame, and long enough
        after their last refresh."""
        c = self.controller
        if c.shows_each_step:
            return c.stepper.phase == 0
        return self.frames % 2 == 0 and time.perf_counter() - self._plots_at >= max(
            PLOT_SECONDS, PLOT_COST_FACTOR * self._plot_cost)

    def refresh_now(self) -> None:
        """Bring every view in view up to date now, as if the engine had moved (a script or
        a test may step it directly): those that show the position or the parameters, and
        any other stale one; as its policy allows (not those that wait for the pause while
        running, or for the end of a drag)."""
        for view in self.views.values():
            if view.changes & (Change.POSITION | Change.PARAMETERS):
                view.stale = True
        self._refresh_all([v for v in self.views.values() if v.stale and self._due(v)])

    def _refresh_all(self, views: list[View]) -> None:
        plots = 0.0
        for view in views:
            self._refresh(view)
            if view.policy is Policy.LIKE_PLOTS:
                plots += view.cost
        if any(view.policy is Policy.LIKE_PLOTS for view in views):
            self.plot_frames += 1
            self._plots_at = time.perf_counter()
            self._plot_cost = plots

    def _refresh(self, view: View) -> None:
        view.stale = False  # a change during the refresh makes it stale again
        started = time.perf_counter()
        view.refresh()
        view.cost = time.perf_counter() - started
        view.refreshes += 1

    def eventFilter(self, watched, event) -> bool:
        """A view's widget in no dock shown: the stale views up to date at once."""
        if event.type() == QEvent.Type.Show:
            self.tick()
        return False
