"""One wiring for the window (issue 13): the docks come from one table, and one scheduler
refreshes every view by its policy: not while out of view, the paused-only panels not while
running, the plots in their turn."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SEED_001_FREE, wait_refreshed, window_factory
from PySide6.QtWidgets import QDockWidget, QLabel, QMenu

from engine.analysis.boundary import neuron_map
from gui.parts import docks
from gui.scheduler import Policy


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot)


def view_menu(window) -> QMenu:
    return next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")


def counting(window, name: str) -> list[bool]:
    """Whether the controller was running at each refresh of the view ``name`` from now."""
    view = window.scheduler.views[name]
    calls, refresh = [], view.refresh

    def counted() -> None:
        calls.append(window.controller.running)
        refresh()

    view.refresh = counted
    return calls


def wait_paused(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.controller.running, timeout=20_000)


# ------------------------------------------------------------------ the table
def test_every_dock_of_the_window_is_a_row_of_the_table_and_back(open_window):
    window = open_window(show=True)
    assert sorted(d.objectName() for d in window.findChildren(QDockWidget)) == sorted(
        row.name for row in docks.DOCKS)
    actions = view_menu(window).actions()
    for row in docks.DOCKS:
        dock = window.findChild(QDockWidget, row.name)
        assert dock.windowTitle() == row.title
        assert window.dockWidgetArea(dock) == row.area
        assert dock.toggleViewAction() in actions
    # the docks of a group share its tabs (shown: a workspace shows only some of them)
    for group in {row.group for row in docks.DOCKS} - {None}:
        rows = [row for row in docks.DOCKS if row.group == group]
        for row in rows:
            dock = window.findChild(QDockWidget, row.name)
            if dock.isHidden():
                dock.toggleViewAction().trigger()  # View ▸ its name
        first = window.findChild(QDockWidget, rows[0].name)
        tabbed = {d.objectName() for d in window.tabifiedDockWidgets(first)}
        assert tabbed == {row.name for row in rows[1:]}
        first.raise_()
        assert first.widget().isVisible() and not first.visibleRegion().isEmpty()
    # every view of the table is refreshed by the scheduler, as the table says, once its
    # dock is built (when first in view: a tab behind another is not yet)
    for row in docks.DOCKS:
        window.dock_layout.build(row.key)
        for view in row.views:
            registered = window.scheduler.views[view.name]
            assert (registered.policy, registered.changes) == (view.policy, view.changes)


def test_the_lessons_topics_come_from_the_table():
    from gui.parts.lesson_panel import TOPIC_DOCKS

    assert TOPIC_DOCKS == {topic: row.name for row in docks.DOCKS for topic in row.topics}


def test_a_new_panel_is_its_widget_and_one_row(open_window, qtbot, monkeypatch):
    class Probe(QLabel):
        def __init__(self, controller) -> None:
            super().__init__()
            self.setObjectName("probe")
            self.controller = controller

        def refresh(self) -> None:
            self.setText(f"iteration {self.controller.stepper.iteration}")

    row = docks.DockRow(
        "probe", "probe_dock", "Probe", docks.RIGHT, "right",
        lambda kit: docks.Built(probe := Probe(kit.controller), {"probe": probe}), ("probe",),
        (docks.ViewRow("probe", Policy.WHEN_PAUSED, refresh="probe.refresh",
                       shown_by="probe"),), topics=("probing",), section=docks.Section.DEBUGGER,
        workspaces=(docks.DEBUG,))
    monkeypatch.setattr(docks, "DOCKS", docks.DOCKS + (row,))
    window = open_window(show=True)
    dock = window.findChild(QDockWidget, "probe_dock")
    assert dock.toggleViewAction() in view_menu(window).actions()
    assert window.probe_dock is dock and window.debugger.docks["probe"] is dock
    assert "probe_dock" in {d.objectName() for d in window.tabifiedDockWidgets(
        window.settings_dock)}
    window.dock_layout.show_topic("probing")
    window.action_step_iteration.trigger()
    wait_refreshed(qtbot, window)
    assert window.probe.text() == "iteration 1"


# ----------------------------------------------------------- refresh policies
def test_a_hidden_docks_view_waits_until_it_is_shown(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    wait_refreshed(qtbot, window)
    boundary, dock = window.decision_boundary, window.decision_boundary_dock
    calls = counting(window, "decision_boundary")
    dock.hide()  # View ▸ Decision boundary, unticked
    window.action_step_iteration.trigger()
    wait_refreshed(qtbot, window)
    assert calls == [] and window.scheduler.views["decision_boundary"].stale
    dock.show()
    qtbot.waitUntil(lambda: calls == [False], timeout=2000)
    assert np.array_equal(np.asarray(boundary.image.image).ravel(),
                          neuron_map(window.controller.network, boundary.points))


def test_a_panel_behind_another_tab_is_refreshed_when_its_tab_is_raised(open_window, qtbot):
    window = open_window(show=True)
    wait_refreshed(qtbot, window)
    calls = counting(window, "compare")  # behind the matrices
    window.action_step_phase.trigger()
    wait_refreshed(qtbot, window)
    assert calls == []
    window.debugger.docks["compare"].raise_()
    assert calls == [False]  # at once


def test_paused_only_views_wait_for_the_pause_and_the_plots_take_turns(open_window, qtbot):
    window = open_window(show=True)
    wait_refreshed(qtbot, window)
    matrices, graph = counting(window, "matrix_view"), counting(window, "graph")
    plots = counting(window, "loss_plot")
    window.controller.run(3000)
    wait_paused(qtbot, window)
    wait_refreshed(qtbot, window)
    assert matrices and not any(matrices)  # never while running, and once paused
    assert "Before iteration 3000" in window.debugger.matrix_view.heading.text()
    running_frames = sum(graph)
    assert running_frames > 2
    # while running, the plots at most with every second frame of the graph
    assert 0 < sum(plots) <= running_frames // 2 + 1
    assert plots[-1] is False  # and brought up to date at the pause
