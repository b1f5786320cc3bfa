"""Workspace switches, offscreen (issue 14, target: a switch within 150 ms).

    python bench/workspace_speed.py [--rounds 5] [--network seed-000] [--idle 3]

The window starts as the app starts it (a first start: Learn and the welcome), at 90 % of a
1280 × 720 screen (1152 × 648), and trains 200 iterations; then it switches Learn → Debug →
Data → Learn, ``--rounds`` times, as the selector's tab is clicked. Each switch is timed from
the click to the end of the event-loop turns that lay out and paint the workspace: its docks
placed (restored from the layout it was left in, or its first layout), their panels built
if they were not, the views in view refreshed.

Three times: "as the app" waits ``--idle`` seconds first (the app builds the other
workspaces' panels while it waits for the learner, one per event-loop turn, from 0.25 s after
the window is shown); "a quick first click" waits 1 s, about the quickest a person reads the
window and clicks a tab; "cold" switches at once, before anything is built, so the first
switch into each workspace builds its panels (a worst case no person meets; printed so that
the cost of building stays in sight). Prints the first switch into each
workspace and the best, median and worst of the later ones; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BACKPROP_LAB_CONFIG_DIR", tempfile.mkdtemp())
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_MS = 150


def settle(app) -> None:
    """Until the event loop has nothing left: layout, the docks' late sizes, painting."""
    for _ in range(3):
        app.processEvents()


def switches(app, network: str, rounds: int, idle: float) -> float:
    """Print one series of switches; returns the worst in ms."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtTest import QTest

    from gui.main_window import MainWindow
    from gui.parts.screen import fitted

    os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp()  # a first start
    window = MainWindow(REPO / "resources" / "examples" / f"{network}.json",
                        remember_layout=True)
    window.files.ask_unsaved = lambda: "discard"
    window.setGeometry(fitted(QRect(0, 0, 1280, 720)))
    window.show()
    shown = time.perf_counter()
    window.controller.run_now(200)  # a history for the plots and the timeline
    settle(app)
    while time.perf_counter() - shown < idle:
        app.processEvents()
        time.sleep(0.005)
    bar = window.workspaces.selector
    titles = [bar.tabText(i) for i in range(bar.count())]
    times: dict[str, list[float]] = {title: [] for title in titles}
    order = ["Debug", "Data", "Learn"]
    for _ in range(rounds):
        for title in order:
            index = titles.index(title)
            started = time.perf_counter()
            QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
            settle(app)
            times[title].append(1000 * (time.perf_counter() - started))
            assert window.workspaces.current == title.lower()
    kind = (f"as the app, after {idle:g} s idle" if idle > 1 else
            f"a quick first click, {idle:g} s after the window shows" if idle else
            "cold, at once")
    print(f"workspace switches, {kind} ({network}, window 1152 × 648, {rounds} rounds; "
          f"target ≤ {TARGET_MS} ms):")
    worst = 0.0
    for title in order:
        first, later = times[title][0], times[title][1:]
        worst = max(worst, first, *later)
        print(f"  to {title:6s} first {first:6.1f} ms; then best {min(later):6.1f}, median "
              f"{statistics.median(later):6.1f}, worst {max(later):6.1f} ms")
    print(f"  every switch within {TARGET_MS} ms: {'yes' if worst <= TARGET_MS else 'NO'} "
          f"(worst {worst:.1f} ms)")
    window.close()
    window.deleteLater()
    settle(app)
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--network", default="seed-000",
                        help="an example of resources/examples (default seed-000)")
    parser.add_argument("--idle", type=float, default=3.0,
                        help="seconds the app waits before the first switch (default 3)")
    arguments = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    switches(app, arguments.network, arguments.rounds, arguments.idle)
    switches(app, arguments.network, arguments.rounds, 1.0)
    switches(app, arguments.network, arguments.rounds, 0.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
