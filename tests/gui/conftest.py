"""The window's tests: a window that is closed at the end of each test."""

import pytest
from gui_helpers import window_factory


@pytest.fixture
def open_window(qtbot):
    """``open_window(path=None, show=False)``: a MainWindow that is closed at the end of the
    test, which must leave no timer running (see tests/gui/gui_helpers.py)."""
    yield from window_factory(qtbot)
