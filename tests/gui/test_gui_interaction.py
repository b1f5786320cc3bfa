"""Interactions the other GUI tests do not cover: selecting weights with a rubber band,
zooming and fitting the graph, and a run that diverges inside the window."""

from __future__ import annotations

import numpy as np
from gui_helpers import SEED_001_FREE, W1, W2, W3, W4
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.core.init import InitSpec, initialise
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io.fileformat import Document


def test_rubber_band_selects_the_weights_it_touches(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True, workspace="learn")  # the graph's room
    view = window.network_view
    # a rectangle around the first layer of edges (between the inputs and the hidden layer)
    column_0 = view.mapFromScene(view.neurons[(0, 0)].scenePos())
    column_1 = view.mapFromScene(view.neurons[(1, 1)].scenePos())
    top = min(column_0.y(), column_1.y()) - 60
    bottom = max(column_0.y(), column_1.y()) + 140
    start = QPoint(column_0.x() + 40, top)
    end = QPoint(column_1.x() - 40, bottom)
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 11):
        QTest.mouseMove(viewport, start + (end - start) * step / 10)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert set(view.selected_parameters()) == {W1, W2, W3, W4}


def test_wheel_zooms_and_fit_brings_the_whole_network_back(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    view = window.network_view
    fitted = view.transform().m11()
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(0, 0),
                        QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.transform().m11() > 1.2 * fitted
    assert not view.auto_fit  # the user's zoom survives a resize
    window.action_fit.trigger()
    assert view.auto_fit
    assert abs(view.transform().m11() - fitted) < 1e-9 * fitted
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.scene().itemsBoundingRect())


def test_a_diverging_run_stops_at_the_first_non_finite_value_and_steps_back(open_window, qtbot):
    network = Network([2, 3, 1], ["relu", "linear"], True)
    spec = InitSpec("normal", 0, {"std": 1.0})
    initialise(network, spec)
    rng = np.random.default_rng(1)
    document = Document(network, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)),
                        TrainingConfig(loss="sse", learning_rate=1e5), spec)
    window = open_window()
    controller = window.controller
    controller.load(document)
    controller.run(1000)
    qtbot.waitUntil(lambda: not controller.running, timeout=10000)
    stepper = controller.stepper
    assert stepper.iteration < 1000  # it stopped early
    assert stepper.fault is not None
    assert "not finite" in window.last_error
    assert f"iteration {stepper.fault.iteration}" in window.statusBar().currentMessage()
    assert np.isfinite(stepper.network.theta).all()  # nothing non-finite was kept
    stopped_at = stepper.iteration
    window.action_step_back.trigger()
    assert stepper.fault is None
    assert (stepper.iteration, stepper.phase) in ((stopped_at, 0), (stopped_at - 1, 0))
    assert np.isfinite(stepper.network.theta).all()
