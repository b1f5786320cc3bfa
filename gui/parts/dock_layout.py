"""The window's docks placed from the dock table (gui/parts/docks.py), each built the first time
it is shown, and what the window's parts ask of them: a part by name, a topic's dock shown,
room made, a workspace's docks placed as they first are.

Every dock is placed at once, empty (a dock costs nothing until it has a widget); its widget
is built when the dock is first shown (the View menu, a workspace, a lesson's topic, a tab
raised) or when a part of it is asked for (``part``). A built row's views are registered with
the scheduler then, and the ``on_built`` listeners told (the debugger shows the selection in
an inspector built late)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QWidget

from ..scheduler import Policy, Scheduler
from . import docks as table
from .docks import (
    BOTTOM,
    LEFT,
    RIGHT,
    SIDE_BY_SIDE,
    TALL,
    WIDE,
    DockRow,
    Kit,
    Section,
    Workspace,
    _resolve,
    register_view,
)
from .tab_bars import hide_stale_tab_bars, hide_stale_tab_bars_later


def built_first(workspace: Workspace, shown: list[str]) -> list[str]:
    """The docks of ``shown`` built when a workspace is first placed: all but those behind
    a tab of the workspace's own ``tabs`` (Learn's weights behind its loss), which wait for
    their tab to be raised."""
    behind = {key for tabs in workspace.tabs for key in [k for k in tabs if k in shown][1:]}
    return [key for key in shown if key not in behind]


IDLE_START_MS = 250  # after the window is shown, before the docks not in view are built
IDLE_STEP_MS = 40  # between two of them (the learner's clicks and keys come between)


def idle_build_order(layout: DockLayout) -> list[str]:
    """The docks of the workspaces to build while the app waits, the likeliest next first:
    those Debug shows at once (the heaviest, the matrices, among them), then Data's, then
    the rest of the table."""
    order: list[str] = []
    for key in (table.DEBUG, table.DATA):
        space = table.workspace(key)
        order += built_first(space, table.workspace_docks(key, layout.rows))
    order += [row.key for row in layout.rows if row.workspaces]
    return list(dict.fromkeys(key for key in order if key in layout.docks))


class DockLayout:
    """The window's docks from ``rows`` (the table's by default), built lazily with ``kit``."""

    def __init__(self, window: QMainWindow, kit: Kit,
                 rows: tuple[DockRow, ...] | None = None) -> None:
        self._window = window
        self._kit = kit
        self.rows = rows = rows or table.DOCKS  # (read now: a test may add a row)
        self.docks: dict[str, QDockWidget] = {}  # by key, every dock (built or not)
        self.parts: dict[str, QWidget] = {}  # the widgets of the docks built so far
        self._row_of_part = {name: row for row in rows for name in row.parts}
        self._built: set[str] = set()
        self._reveal: dict[str, Callable[[], None]] = {}
        self.on_built: list[Callable[[DockRow, dict[str, QWidget]], None]] = []
        self._scheduler: Scheduler | None = None
        self._extra_parts: dict[str, object] = {}
        self._pristine: bytes | None = None
        self.workspace: Workspace | None = None  # the one in view (its sizes for a dock shown)
        window.setCorner(Qt.Corner.BottomLeftCorner, BOTTOM)
        window.setCorner(Qt.Corner.BottomRightCorner, BOTTOM)
        for area in (RIGHT, LEFT, BOTTOM):
            window.setTabPosition(area, QTabWidget.TabPosition.North)
        first_of_group: dict[str, QDockWidget] = {}
        last_in_area: dict[Qt.DockWidgetArea, QDockWidget] = {}
        for row in rows:
            dock = QDockWidget(row.title, window)
            dock.setObjectName(row.name)
            placeholder = QWidget()  # until the dock is first shown: its size already
            placeholder.setMinimumSize(*row.minimum)
            dock.setWidget(placeholder)
            window.addDockWidget(row.area, dock)
            if row.group in first_of_group:
                window.tabifyDockWidget(first_of_group[row.group], dock)
            elif row.area in SIDE_BY_SIDE and row.area in last_in_area:
                window.splitDockWidget(last_in_area[row.area], dock, WIDE)
            if row.group is not None:
                first_of_group.setdefault(row.group, dock)
            last_in_area[row.area] = dock
            dock.hide()  # a workspace shows it
            self.docks[row.key] = dock
            dock.visibilityChanged.connect(
                lambda visible, key=row.key: self.build(key) if visible else None)
            dock.dockLocationChanged.connect(lambda _area: hide_stale_tab_bars_later(window))

    @property
    def window(self) -> QMainWindow:
        return self._window

    # ------------------------------------------------------------------ rows
    def row(self, key: str) -> DockRow:
        return next(row for row in self.rows if row.key == key)

    def is_built(self, key: str) -> bool:
        return key in self._built

    @property
    def part_names(self) -> set[str]:
        """The names of every dock's widgets, built or not."""
        return set(self._row_of_part)

    def build(self, key: str) -> None:
        """The dock's widget, built now if it was not (a no-op after the first time)."""
        if key in self._built:
            return
        self._built.add(key)
        row = self.row(key)
        built = row.build(self._kit)
        if set(built.parts) != set(row.parts):
            raise ValueError(f"dock {key!r} built {sorted(built.parts)}, its row says "
                             f"{sorted(row.parts)}")
        built.widget.setMinimumSize(*row.minimum)
        dock = self.docks[key]
        placeholder = dock.widget()
        dock.setWidget(built.widget)
        if placeholder is not None:
            placeholder.deleteLater()
        self.parts.update(built.parts)
        self._reveal.update(built.reveal)
        if built.laid_out is not None:
            built.laid_out()
        for listener in self.on_built:
            listener(row, built.parts)
        if self._scheduler is not None:
            self._register(row)
            if dock.isVisible():  # shown just now (a tab raised): its views up to date at once
                self._scheduler.tick()

    def build_when_idle(self, keys: list[str], busy: Callable[[], bool],
                        delay_ms: int = IDLE_START_MS) -> None:
        """Build the docks ``keys`` one by one while the app waits for the learner (from
        ``delay_ms`` after now, one per event-loop turn spaced by IDLE_STEP_MS, none while
        ``busy()``, e.g. running): the first switch to another workspace then only shows
        its panels. Nothing is built after the window is gone."""
        remaining = [key for key in keys if key not in self._built]

        def step() -> None:
            if not self._window.isVisible():  # closed (or hidden): nobody to switch
                return
            while remaining and remaining[0] in self._built:
                remaining.pop(0)
            if not remaining:
                return
            if not busy():
                self.warm(remaining.pop(0))
            QTimer.singleShot(IDLE_STEP_MS if not busy() else IDLE_START_MS, self._window,
                              step)

        if remaining:
            QTimer.singleShot(delay_ms, self._window, step)

    def warm(self, key: str) -> None:
        """Build the dock ``key`` and fill its views once, out of view (the scheduler
        refreshes them again when they come into view, from tables that exist by then)."""
        self.build(key)
        parts = {**self.parts, **self._extra_parts}
        for view in self.row(key).views:
            refresh = _resolve(parts, view.refresh)
            if refresh is not None and view.policy is not Policy.AT_ONCE:
                refresh()
        # styled, laid out and painted once now, out of view (into a picture thrown away),
        # not when first shown: Qt's first painting of a panel costs more than its next
        self.docks[key].widget().grab()

    def part(self, name: str) -> QWidget:
        """The widget ``name`` of a dock (``matrix_view``, ``loss_plot``, …), its dock built
        first if it was not."""
        row = self._row_of_part.get(name)
        if row is None:
            raise KeyError(f"no dock has a part named {name!r}")
        self.build(row.key)
        return self.parts[name]

    def built_part(self, name: str) -> QWidget | None:
        """The widget ``name`` if its dock is built, else None (nothing is built)."""
        return self.parts.get(name)

    # ------------------------------------------------------------- refreshing
    def follow(self, scheduler: Scheduler, extra_parts: dict[str, object]) -> None:
        """Register the views of every dock built so far with ``scheduler``, and of each
        dock built from now on as it is built (``extra_parts``: the window's parts the
        table's views name besides the docks' widgets, e.g. ``lessons``)."""
        self._scheduler = scheduler
        self._extra_parts = dict(extra_parts)
        for row in self.rows:
            if row.key in self._built:
                self._register(row)

    def _register(self, row: DockRow) -> None:
        parts = {**self.parts, **self._extra_parts}
        for view in row.views:
            register_view(self._scheduler, view, parts)

    # ------------------------------------------------------------------ menus
    def fill_view_menu(self, menu, section: Section) -> None:
        for row in self.rows:
            if row.section is section:
                dock = self.docks[row.key]
                toggle = dock.toggleViewAction()
                # ticked: in front of its tab group too (it joined the tabs behind the one
                # in front, and a dock behind a tab is not built until its tab is clicked)
                toggle.triggered.connect(
                    lambda checked, d=dock: d.raise_() if checked else None)
                menu.addAction(toggle)

    # ----------------------------------------------------------------- topics
    def dock_for(self, topic: str) -> QDockWidget:
        return next(self.docks[row.key] for row in self.rows if topic in row.topics)

    def show_dock(self, key: str) -> QDockWidget:
        """Build, show and raise the dock ``key`` (in the workspace in view, at the size it
        gives the dock, if it gives one)."""
        self.build(key)
        dock = self.docks[key]
        was_hidden = dock.isHidden()
        space = self.workspace
        if was_hidden and space is not None:  # joins the tabs of its group in this workspace
            group = next((tabs for tabs in space.tabs if key in tabs), ())
            beside = next((self.docks[k] for k in group
                           if k != key and not self.docks[k].isHidden()), None)
            if beside is not None:
                self._window.tabifyDockWidget(beside, dock)
        dock.show()
        dock.raise_()
        if was_hidden and space is not None and any(k == key for k, _, _ in space.sizes):
            sizes = Workspace(space.key, space.title, space.shortcut, space.tip,
                              tuple(size for size in space.sizes if size[0] == key))
            QTimer.singleShot(0, self._window, lambda: self.apply_sizes(sizes, [key]))
        return dock

    def show_topic(self, topic: str) -> None:
        """Show and raise the dock of ``topic``, and its part about it once laid out."""
        row = next(row for row in self.rows if topic in row.topics)
        self.show_dock(row.key)
        if topic in self._reveal:
            QTimer.singleShot(0, self._window, self._reveal[topic])

    def resize_later(self, docks: list[QDockWidget], sizes: list[int],
                     orientation: Qt.Orientation = TALL) -> None:
        """The docks' heights (or widths) once the docks just shown are laid out (resizing
        them before does nothing)."""
        window = self._window  # (the window as context: nothing runs once it is gone)
        QTimer.singleShot(0, window, lambda: window.resizeDocks(docks, list(sizes), orientation))

    # ------------------------------------------------------------- workspaces
    def keep_defaults(self) -> None:
        """Remember the placing of the table (every dock hidden): the start of each
        workspace's first layout. Called once every dock and toolbar is in the window."""
        self._pristine = bytes(self._window.saveState())

    def place(self, workspace: Workspace, shown: list[str]) -> None:
        """The docks ``shown`` (keys) where the table places them, the others hidden, the
        workspace's docks in front of their tabs and its first sizes (fractions of the
        window)."""
        window = self._window
        self.workspace = workspace
        if self._pristine is not None:
            window.restoreState(QByteArray(self._pristine))
        for key in built_first(workspace, shown):
            self.build(key)
        for key, dock in self.docks.items():
            dock.setVisible(key in shown)
        for group in workspace.tabs:
            docks = [self.docks[key] for key in group if key in shown]
            for dock in docks[1:]:
                window.tabifyDockWidget(docks[0], dock)
        self._to_front(workspace, shown)
        hide_stale_tab_bars(window)
        self.apply_sizes(workspace, shown)

        # docks just shown are laid out at the next turn of the event loop: sizes again then
        QTimer.singleShot(0, window, lambda: self.apply_sizes(workspace, shown))

    def _to_front(self, workspace: Workspace, shown: list[str]) -> None:
        for key in [tabs[0] for tabs in workspace.tabs] + list(workspace.front):
            if key in shown:
                self.docks[key].raise_()

    def raise_fronts(self) -> None:
        """The workspace's docks in front of their tabs again (a window placed before it was
        shown: the raising takes effect once it is)."""
        if self.workspace is not None:
            self._to_front(self.workspace, [k for k, d in self.docks.items()
                                            if not d.isHidden()])

    def apply_sizes(self, workspace: Workspace, shown: list[str]) -> None:
        window = self._window
        for orientation in (WIDE, TALL):
            total = window.width() if orientation is WIDE else window.height()
            sized = [(self.docks[key], round(fraction * total))
                     for key, turn, fraction in workspace.sizes
                     if turn is orientation and key in shown]
            if sized:
                window.resizeDocks([dock for dock, _ in sized], [size for _, size in sized],
                                   orientation)

    # ----------------------------------------------------------------- state
    def state(self) -> tuple[bytes, bytes]:
        """The window's geometry and the docks' and toolbars' layout, to keep."""
        return bytes(self._window.saveGeometry()), bytes(self._window.saveState())

    def restore(self, geometry: bytes | None, state: bytes | None) -> bool:
        """A layout kept earlier; Qt refuses bytes that are not one (the default stays).
        True when the state was restored."""
        if geometry is not None:
            self._window.restoreGeometry(QByteArray(geometry))
        restored = state is not None and self._window.restoreState(QByteArray(state))
        hide_stale_tab_bars(self._window)
        return bool(restored)
