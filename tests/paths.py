"""Where the tests find the repository, the examples and their data."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "resources" / "examples"
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
# seed 000's printed numbers, copied from ../shared/reference/ so that the tests pass in a
# clone without the team's shared folder; engine/core/test_reference_seed000.py keeps the
# copy honest
REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "seed-000-first-iteration.json"
