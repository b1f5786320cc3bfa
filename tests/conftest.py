"""Shared test set-up: Qt runs offscreen unless the caller chose a platform."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "resources" / "examples"
SHARED = REPO.parent / "shared"
# seed 000's printed numbers, copied from ../shared/reference/ so that the tests pass in a
# clone without the team's shared folder; test_reference_data.py keeps the copy honest
REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "seed-000-first-iteration.json"


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
