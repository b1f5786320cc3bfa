"""Shared test set-up: Qt runs offscreen unless the caller chose a platform."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
