"""Lesson speed, offscreen: how long a learner waits for each step of each lesson.

    python bench/lesson_speed.py [--repeats 3]

A step's actions run at once (they train up to 6000 iterations), with a wait cursor, so a
click on Next, Back or Set up again blocks the window for that long. Target: every step
within 1 s (a click answered within a second), measured end to end: the actions, the
window's redraw and the live check. Prints, per step, the best of ``repeats`` for
- Next: the step's actions on the live window from the previous step (the lesson's path);
- Set up: the step built afresh on a bare Stepper and swapped in (what Back does);
and the ratio of the slowest to the target. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_SECONDS = 1.0


def settle(app, window) -> None:
    """Let the window draw what the step changed, and the live check run."""
    app.processEvents()
    window.refresh()
    window.lessons.check_now()
    app.processEvents()


def timed(app, window, action) -> float:
    started = time.perf_counter()
    action()
    settle(app, window)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from engine.lessons import LESSONS
    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.files.ask_unsaved = lambda: "discard"
    window.debugger.ask_before_discarding = False
    window.show()
    settle(app, window)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"{'lesson':<24} {'step':<44} {'Next':>8} {'Set up':>8}")
    slowest = 0.0
    for lesson in LESSONS:
        next_times: dict[int, list[float]] = {}
        setup_times: dict[int, list[float]] = {}
        for _ in range(arguments.repeats):
            started = time.perf_counter()
            window.lessons.start(lesson.key)
            settle(app, window)
            next_times.setdefault(0, []).append(time.perf_counter() - started)
            for index in range(1, len(lesson.steps)):
                next_times.setdefault(index, []).append(
                    timed(app, window, window.lessons.next))
            for index in range(len(lesson.steps)):
                window.lessons.index = index
                setup_times.setdefault(index, []).append(
                    timed(app, window, window.lessons.again))
        for index, step in enumerate(lesson.steps):
            best_next, best_setup = min(next_times[index]), min(setup_times[index])
            slowest = max(slowest, best_next, best_setup)
            print(f"{lesson.title:<24} {index + 1}. {step.title:<41} "
                  f"{best_next * 1000:6.0f} ms {best_setup * 1000:6.0f} ms")
    print(f"slowest step: {slowest * 1000:.0f} ms, {slowest / TARGET_SECONDS:.2f} of the "
          f"{TARGET_SECONDS:.0f} s target ({'met' if slowest <= TARGET_SECONDS else 'not met'})")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
