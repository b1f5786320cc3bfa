"""Shared test set-up: Qt runs offscreen unless the caller chose a platform."""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "resources" / "examples"
SHARED = REPO.parent / "shared"
# seed 000's printed numbers, copied from ../shared/reference/ so that the tests pass in a
# clone without the team's shared folder; test_reference_data.py keeps the copy honest
REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "seed-000-first-iteration.json"
