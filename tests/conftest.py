"""Shared test set-up: Qt runs offscreen unless the caller chose a platform."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "resources" / "examples"
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
# seed 000's printed numbers, copied from ../shared/reference/ so that the tests pass in a
# clone without the team's shared folder; test_reference_data.py keeps the copy honest
REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "seed-000-first-iteration.json"


@pytest.fixture(autouse=True)
def collect_qt_garbage(request):
    """After a GUI test, free the Python wrappers of its deleted Qt objects at once.

    pyqtgraph keeps some Qt objects (a ViewBox's context menu) in reference cycles. Left to
    the cycle collector, they are freed whenever it next runs, which may be inside a Qt call
    of a later test; with PySide6 6.11 freeing a QObject there can deadlock on a Qt mutex
    (seen twice in the full suite, in the same test, both times inside window creation).
    Collecting here, between tests, frees them where no Qt call is in progress."""
    yield
    if "qtbot" in request.fixturenames:
        import gc

        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QApplication

        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


@pytest.fixture(autouse=True)
def own_config_dir(tmp_path, monkeypatch):
    """Each test its own settings, recent files and recovery folder (never the user's)."""
    folder = tmp_path / "config"
    monkeypatch.setenv("BACKPROP_LAB_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def open_window(qtbot):
    """``open_window(path=None, show=False)``: a MainWindow that is closed at the end of the
    test, which must leave no timer running (see tests/gui_helpers.py)."""
    from gui_helpers import window_factory

    yield from window_factory(qtbot)
