"""Shared set-up for the GUI tests: a window fixture that checks nothing is left running, ways
to act on the network graph with the mouse and keyboard, and an independent numpy reference
for small all-sigmoid networks (seed 000's sse and seed 001's bce)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import reference  # noqa: E402 (tests/reference.py)
from PySide6.QtCore import QEvent, QPoint, QTimer  # noqa: E402
from PySide6.QtGui import QHelpEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QToolTip  # noqa: E402

from engine.core.network import ParameterAddress  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "resources" / "examples"
SEED_000 = EXAMPLES / "seed-000.json"
SEED_000_RANDOM = EXAMPLES / "seed-000-random.json"
SEED_001_FREE = EXAMPLES / "seed-001-free.json"
SEED_001_TIED = EXAMPLES / "seed-001-tied.json"

# seed 001's plain names for its 2-2-1 network (w1, w2 into hidden neuron 1 from x1, x2; w3, w4
# into hidden neuron 2; w5, w6 from the hidden neurons to the output)
W1 = ParameterAddress.weight(0, 0, 0)
W2 = ParameterAddress.weight(0, 1, 0)
W3 = ParameterAddress.weight(0, 0, 1)
W4 = ParameterAddress.weight(0, 1, 1)
W5 = ParameterAddress.weight(1, 0, 0)
W6 = ParameterAddress.weight(1, 1, 0)


def window_factory(qtbot, workspace: str = "debug"):
    """The body of each GUI test module's ``open_window`` fixture (``yield from
    window_factory(qtbot)``): ``open_window(path=None, show=False, workspace=None)`` gives a
    MainWindow in ``workspace`` (the factory's unless given: Debug, since most tests are about
    the debugger's panels; a module about the data set passes "data"), registered with
    qtbot, shown and exposed when ``show``; views refresh either way.
    At teardown every window is closed and must leave none of its own timers running and no
    other visible top-level widget (an error dialog left open is a leak).

    QStatusBar's message timer is left out here (test_close_stops_every_timer covers it), so
    that one known leak does not hide what each test is about."""
    from gui.main_window import MainWindow

    default_workspace = workspace
    windows = []

    def make(path=None, show=False, workspace=None):
        window = MainWindow(path, workspace=workspace or default_workspace)
        # going on from a rewound iteration would ask in a modal box; tests that are about
        # the question answer it themselves (test_gui_debugger_window.py)
        window.debugger.ask_before_discarding = False
        window.files.ask_unsaved = lambda: "discard"  # closing at teardown asks nothing
        qtbot.addWidget(window)
        windows.append(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        window.close()
        running = running_timers(window, ignore=("QStatusBar",))
        assert not running, f"timers still running after close: {running}"
        assert not window.controller.running
    # delete the windows now (not in some later test's event loop), so that whatever their
    # destruction raises is charged to this test
    with qtbot.captureExceptions() as exceptions:
        for window in windows:
            window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not exceptions, "deleting the window raised: " + "; ".join(
        f"{kind.__name__}: {error}" for kind, error, _ in exceptions)
    leaked = [w for w in QApplication.topLevelWidgets()
              if w.isVisible() and w not in windows]
    for widget in leaked:
        widget.close()
    assert not leaked, f"top-level widgets left open: {leaked}"


def make_controller(qtbot, document, path=None, confirm_discard=None):
    """A LabController for testing a panel alone, owned (in C++) by a hidden widget that
    qtbot deletes at the end of the test, as the main window owns the app's controller.

    A parentless controller would be freed by Python's cycle collector instead (its undo
    commands refer back to it), at some later moment; with PySide6 6.11 that crashed or
    deadlocked the suite inside an unrelated Qt call."""
    from PySide6.QtWidgets import QWidget

    from gui.controller import LabController

    owner = QWidget()
    qtbot.addWidget(owner)  # closed and deleted by qtbot at the end of the test
    controller = LabController(document, path, owner, confirm_discard=confirm_discard)
    controller.test_owner = owner  # qtbot keeps only a weak reference
    return controller


def running_timers(window, ignore=()) -> list[tuple[str, int]]:
    """(parent class, interval) of every active QTimer inside ``window``."""
    return [(t.parent().metaObject().className(), t.interval())
            for t in window.findChildren(QTimer)
            if t.isActive() and t.parent().metaObject().className() not in ignore]


# ------------------------------------------------------------------- acting on the view
def edge_point(view, address: ParameterAddress, fraction: float = 0.5) -> QPoint:
    """Viewport coordinates of a point on the edge of ``address``."""
    edge = view.edges[address]
    return view.mapFromScene(edge.line().pointAt(fraction))


def double_click_edge(qtbot, view, address, fraction: float = 0.5) -> None:
    """Press, release, double-click, release on the edge, as a mouse does (QTest.mouseDClick
    alone sends the double-click event without the press and release before it)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    viewport, point = view.viewport(), edge_point(view, address, fraction)
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, none, point)
    QTest.mouseRelease(viewport, left, none, point)
    QTest.mouseDClick(viewport, left, none, point)
    QTest.mouseRelease(viewport, left, none, point)


def edit_by_mouse(qtbot, window, address, text: str | None, fraction: float = 0.5):
    """Double-click the edge, type ``text`` into the inline editor (None: erase the selected
    old value with Backspace), press Enter. Returns the editor's line edit."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    view = window.network_view
    double_click_edge(qtbot, view, address, fraction)
    line_edit = view.findChild(QLineEdit, "inline_editor")
    assert line_edit is not None
    qtbot.waitUntil(line_edit.isVisible, timeout=2000)
    assert view.editor.address == address, "the double-click opened the editor on another edge"
    if text is None:
        qtbot.keyClick(line_edit, Qt.Key.Key_Backspace)
        assert line_edit.text() == ""
    else:
        qtbot.keyClicks(line_edit, text)
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)
    return line_edit


def type_into_focus(qtbot, text: str) -> None:
    """Type ``text`` key by key into the widget that has the keyboard focus, as a person
    would. QTest types ASCII only (it aborts on other characters): a full-width or
    Arabic-Indic digit arrives as a keyboard layout that has it sends it, a key event
    carrying the character as its text."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeyEvent

    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    for character in text:
        if character.isascii():
            qtbot.keyClick(widget, character)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, character))


def press_in_focus(qtbot, key, modifier=None) -> None:
    """Press ``key`` (with ``modifier``) in the widget that has the keyboard focus."""
    from PySide6.QtCore import Qt

    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    qtbot.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)


def activate(qtbot, window) -> None:
    """Make ``window`` the active window, so that its shortcuts and focus work offscreen."""
    window.activateWindow()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def trigger(action, times: int = 1) -> None:
    for _ in range(times):
        action.trigger()


def answer_next_question(button, seen: list) -> None:
    """Read the next question box's text into ``seen`` and press ``button`` in it (as the
    learner does, once the box is up)."""
    from PySide6.QtWidgets import QMessageBox

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        seen.append(box.text())
        box.button(button).click()
    QTimer.singleShot(0, answer)


def wait_refreshed(qtbot, window) -> None:
    """Wait until the scheduler's frames have refreshed every view in view that the last
    change made stale (``window`` a MainWindow, or a Scheduler of its own)."""
    scheduler = getattr(window, "scheduler", window)
    qtbot.waitUntil(lambda: scheduler.idle, timeout=2000)


def check_gradients(qtbot, panel):
    """Run the gradient check panel's check and wait for its result (it runs in slices from
    a timer, the event loop going on between them)."""
    with qtbot.waitSignal(panel.finished, timeout=20_000) as blocker:
        panel.run_check()
    return blocker.args[0]


def scheduled(controller, parts: dict):
    """A started Scheduler for panels tested without a window: ``parts`` (name: widget) are
    registered as the window registers them, from their rows of the dock table."""
    from gui.parts import docks
    from gui.scheduler import Scheduler

    scheduler = Scheduler(controller, controller.test_owner)  # made by make_controller
    for row in docks.DOCKS:
        for view in row.views:
            named = {path.partition(".")[0] for path in (view.refresh, view.rebuild,
                                                         view.shown_by) if path}
            if named <= parts.keys():
                docks.register_view(scheduler, view, parts)
    scheduler.start()
    return scheduler


# ------------------------------------------------------------- an independent reference
# the maths is tests/reference.py's (written once, checked against finite differences);
# these are the shapes the window's tests ask for
sigmoid = reference.sigmoid


def reference_pass(weights, biases, inputs, targets, loss: str):
    """Forward and backward for an all-sigmoid network (tests/reference.py); returns
    (loss, activations, weight gradients, bias gradients)."""
    result = reference.backprop(weights, biases, inputs, targets, loss)
    return result.cost, result.a, result.dW, result.db


def reference_descent(weights, biases, inputs, targets, loss: str, learning_rate: float,
                      steps: int, bias: bool = True):
    """``steps`` iterations of full-batch gradient descent on copies; returns (weights,
    biases, losses). Without ``bias`` the network has none: its biases are zero and stay."""
    weights = [np.array(w, dtype=float) for w in weights]
    biases = [np.array(b, dtype=float) for b in biases]
    if not bias and any(np.any(b) for b in biases):
        raise ValueError("a network without biases has zero biases")
    losses = reference.train(weights, biases if bias else None, inputs, targets, loss,
                             learning_rate, steps)
    return weights, biases, list(losses)


def engine_parameters(stepper):
    """The stepper's weights and biases (zeros without biases) as lists of arrays."""
    network = stepper.network
    weights = [np.array(w) for w in network.weights]
    biases = [np.array(b) for b in network.biases]
    return weights, biases


def show_tooltip(view, point: QPoint) -> str:
    """What the mouse resting at ``point`` of a graphics view shows: Qt's tooltip event
    sent to its viewport there."""
    viewport = view.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point,
                                                viewport.mapToGlobal(point)))
    assert QToolTip.isVisible()
    return QToolTip.text()
