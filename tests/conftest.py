"""Shared test set-up: Qt runs offscreen unless the caller chose a platform."""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "resources" / "examples"
SHARED = REPO.parent / "shared"
