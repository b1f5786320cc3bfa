"""Workspaces (issue 14, point 10): show less at once. Learn (the graph, the loss and the
weights, the network's settings, the lesson), Debug (adds the debugger's panels and the
timeline) and Data (the data table, the decision boundary, the loss): which docks each shows
at first, and how large, is the dock table's (gui/parts/docks.py, ``WORKSPACES``).

The workspace selector (a tab bar in the menu bar's corner) and View ▸ Workspace switch
between them. Each workspace keeps the layout it was left in (the docks the learner opened,
closed, moved or resized), for the session and, in the app, in the settings; View ▸ Reset
layout brings back every workspace's first layout. The lesson belongs to no workspace: while
a lesson runs it stays in view across a switch; the welcome, in none either, goes."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QTabBar, QToolBar, QWidget

from . import settings as store
from .actions import make_action
from .dock_layout import DockLayout
from .docks import CARRIED, LEARN, WORKSPACES, workspace, workspace_docks
from .screen import fit_to_screen, keep_on_screen

KEYS = tuple(w.key for w in WORKSPACES)


class Workspaces(QObject):
    """Given the window's dock ``layout``, its optional ``toolbars`` (by object name: the
    ones a workspace may show or hide) and ``owner``, the widget whose shortcuts the actions
    share."""

    switched = Signal(str)  # the key of the workspace now in view

    def __init__(self, layout: DockLayout, toolbars: dict[str, QToolBar], owner: QWidget) -> None:
        super().__init__(owner)
        self.layout = layout
        self.toolbars = toolbars
        self.current: str | None = None
        self.layouts: dict[str, bytes] = {}  # the layout each other workspace was left in
        self.selector = QTabBar()
        self.selector.setObjectName("workspace_selector")
        self.selector.setDrawBase(False)
        self.selector.setExpanding(False)
        self.selector.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the graph
        self.actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for index, space in enumerate(WORKSPACES):
            self.selector.addTab(space.title)
            action = make_action(owner, f"action_workspace_{space.key}", f"&{space.title}",
                                 space.shortcut, lambda _=False, k=space.key: self.switch(k),
                                 space.tip)
            action.setCheckable(True)
            group.addAction(action)
            self.actions[space.key] = action
            self.selector.setTabToolTip(index, action.toolTip())
        self.selector.currentChanged.connect(lambda index: self.switch(KEYS[index]))
        self.action_reset_layout = make_action(
            owner, "action_reset_layout", "Reset &layout", None, self.reset,
            "Every workspace's docks and sizes as they first were")

    def fill_menu(self, menu) -> None:
        """View ▸ Workspace: the workspaces, then Reset layout."""
        submenu = menu.addMenu("&Workspace")
        submenu.setObjectName("menu_workspace")
        for action in self.actions.values():
            submenu.addAction(action)
        submenu.addSeparator()
        submenu.addAction(self.action_reset_layout)

    # -------------------------------------------------------------- switching
    def switch(self, key: str) -> None:
        """Show workspace ``key`` as it was left (or its first layout); the current one's
        layout is kept for the way back."""
        if key not in KEYS:
            raise ValueError(f"no workspace {key!r}: {', '.join(KEYS)}")
        if key == self.current:
            return
        carried = self._carried()
        if self.current is not None:
            self.layouts[self.current] = self.layout.state()[1]
        saved = self.layouts.pop(key, None)
        if saved is None or not self.layout.restore(None, saved):
            self._place(key)
        self._carry(carried)
        self._entered(key)

    def reset(self) -> None:
        """Every workspace's first layout; the current one's at once."""
        carried = self._carried()
        self.layouts.clear()
        self._place(self.current or LEARN)
        self._carry(carried)
        self._entered(self.current or LEARN)

    def _place(self, key: str) -> None:
        space = workspace(key)
        self.layout.place(space, workspace_docks(key, self.layout.rows))
        for name, toolbar in self.toolbars.items():
            toolbar.setVisible(name in space.toolbars)

    def _carried(self) -> dict[str, bool]:
        """Whether each dock that belongs to no workspace is shown now: those CARRIED stay
        so (the lesson), the others go (the welcome)."""
        return {row.key: row.key in CARRIED and not self.layout.docks[row.key].isHidden()
                for row in self.layout.rows if not row.workspaces}

    def _carry(self, shown: dict[str, bool]) -> None:
        for key, visible in shown.items():
            if visible:
                self.layout.show_dock(key)
            else:
                self.layout.docks[key].hide()

    def _entered(self, key: str) -> None:
        self.current = key
        self.layout.workspace = workspace(key)
        self.actions[key].setChecked(True)
        self.selector.blockSignals(True)
        self.selector.setCurrentIndex(KEYS.index(key))
        self.selector.blockSignals(False)
        self.switched.emit(key)

    # ---------------------------------------------------------------- keeping
    def kept(self) -> dict[str, bytes]:
        """The layout of every workspace left so far, the current one's as it is now."""
        layouts = dict(self.layouts)
        if self.current is not None:
            layouts[self.current] = self.layout.state()[1]
        return layouts

    def start(self, key: str, layouts: dict[str, bytes] | None = None) -> None:
        """The window's first workspace, ``key``, with the ``layouts`` kept from an earlier
        start (each checked by Qt when restored: one that is not a layout gives the
        workspace's first layout)."""
        self.layouts = {k: v for k, v in (layouts or {}).items() if k in KEYS}
        self.current = None
        saved = self.layouts.pop(key, None)
        if saved is None or not self.layout.restore(None, saved):
            self._place(key)
        self._entered(key)

    # ------------------------------------------------------------ the settings
    def restore_kept(self, key: str | None = None) -> None:
        """The app's start: the window where it was left (inside the screen; a fresh start:
        about 90 % of it, centred), in workspace ``key`` or the one in view at the last close
        (Learn at a first start), each workspace with the layout it was left in."""
        window = self.layout.window
        fit_to_screen(window)
        geometry = store.window_geometry()
        if geometry is not None:
            self.layout.restore(geometry, None)
            keep_on_screen(window)
        current, layouts = store.workspace_layouts(KEYS)
        self.start(key or current or LEARN, layouts)

    def keep(self) -> None:
        """Remember the window's place, the workspace in view and every workspace's layout
        for the next start; a failure is silent (the window is closing, and a layout lost is
        only the first layout next time)."""
        if self.current is None:
            return
        with contextlib.suppress(OSError):
            store.store_layout(self.layout.state()[0], self.current, self.kept())
