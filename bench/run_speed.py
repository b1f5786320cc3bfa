"""A watchable run, offscreen: how fast each speed really goes, how many of its steps were
drawn, and how long a click or a key waits while it runs (issue 14, point 11; target: every
click or key answered within 50 ms).

    python bench/run_speed.py [--seconds 4] [--pauses 8]

For each case (seed 000 and a 64-128-64-10 network, at full speed, at chosen speeds and
phase by phase) the window runs for N seconds and prints:

- the speed asked for and the iterations (phases) a second it went;
- "drawn": the share of the steps passed (iterations, or phases phase by phase) that a view
  registered with the scheduler saw, that is, drawn in a frame of their own (at a speed up
  to 40 it/s and phase by phase the target is 100 %; faster, the frames sample the run);
- the event-loop latency: a thread posts an event to the window's thread every 23–47 ms
  (as the window system delivers a click or a key: queued while a tick works) and the
  event's handler notes how long it waited; median, 99th percentile and worst;
- pause: a thread posts "click Pause" (the Run/Pause action triggered from the posted
  event) at a random moment of a running run, --pauses times; the worst time from the post
  to the run stopped (run_state_changed(False)).

A posted event is handled at the event loop's next turn, as a click is: between two ticks of
the run timer, after the tick's step and drawing. The settings are a temporary folder's, so
the learner's remembered speed is neither read nor changed; numpy's BLAS runs as in the app
(app.py: one thread unless OPENBLAS_NUM_THREADS says otherwise). Prints figures, asserts
nothing.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp(prefix="run-speed-bench-")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

importlib.import_module("app")  # numpy's BLAS threads as the app sets them, before numpy loads
import numpy as np  # noqa: E402
from gui_speed import wide  # noqa: E402 (the same 64-128-64-10 network as gui_speed.py)

from engine.io import fileformat  # noqa: E402

SEED_000 = REPO / "resources" / "examples" / "seed-000.json"
TARGET_MS = 50.0


def seed_000():
    return fileformat.load(SEED_000)


class Prober:
    """A thread that posts events to ``receiver``'s thread; each event, when handled, calls
    its ``action(waited_seconds)``."""

    def __init__(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent, QObject

        kind = QEvent.Type(QEvent.registerEventType())

        class Probe(QEvent):
            def __init__(self, action) -> None:
                super().__init__(kind)
                self.posted = time.perf_counter()
                self.action = action

        class Receiver(QObject):
            def event(self, event) -> bool:
                if event.type() == kind:
                    event.action(time.perf_counter() - event.posted)
                    return True
                return super().event(event)

        self._probe, self.receiver = Probe, Receiver()
        self._post = QCoreApplication.postEvent

    def post(self, action) -> None:
        self._post(self.receiver, self._probe(action))

    def every(self, low: float, high: float, action, stop: threading.Event) -> threading.Thread:
        def loop() -> None:
            rng = random.Random(0)
            while not stop.wait(rng.uniform(low, high)):
                self.post(action)
        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread


def measure(app, make, per_second, phases, seconds: float, pauses: int) -> dict:
    from PySide6.QtCore import QCoreApplication, QEvent

    from gui.main_window import MainWindow
    from gui.scheduler import Change, Policy

    window = MainWindow()
    window.files.ask_unsaved = lambda: "discard"
    window.debugger.ask_before_discarding = False
    window.controller.load(make())
    window.show()
    app.processEvents()
    controller, stepper = window.controller, lambda: window.controller.stepper
    controller.set_run_speed(per_second, phases)
    seen = set()
    window.scheduler.register(
        "bench_spy", lambda: seen.add((stepper().iteration, stepper().phase)),
        changes=Change.POSITION, policy=Policy.EVERY_FRAME)
    window.scheduler.views["bench_spy"].stale = False  # counts the steps of the run only
    prober = Prober()
    waits: list[float] = []
    stop = threading.Event()
    prober.every(0.023, 0.047, waits.append, stop)
    phase_count = len(stepper().phases)
    start = (stepper().iteration, stepper().phase)
    started = time.perf_counter()
    controller.run()
    while time.perf_counter() - started < seconds:
        app.processEvents()
    elapsed = time.perf_counter() - started
    controller.pause()
    stop.set()
    end = (stepper().iteration, stepper().phase)
    iterations = end[0] - start[0]
    steps = (end[0] * phase_count + end[1]) - (start[0] * phase_count + start[1])
    if not phases:
        steps = iterations
    drawn = len(seen) / max(1, steps)
    # pause: "click Pause" posted at a random moment of a running run
    pause_waits = []
    stopped_at: list[float] = []
    controller.run_state_changed.connect(
        lambda running: None if running else stopped_at.append(time.perf_counter()))
    rng = random.Random(1)
    for _ in range(pauses):
        controller.run()
        until = time.perf_counter() + rng.uniform(0.2, 0.5)
        while time.perf_counter() < until:
            app.processEvents()
        posted = time.perf_counter()
        prober.post(lambda _waited: window.action_run_pause.trigger())
        while controller.running:
            app.processEvents()
        pause_waits.append(stopped_at[-1] - posted)
    window.close()
    window.deleteLater()
    app.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    waits.sort()
    return {
        "rate": (steps if phases else iterations) / elapsed,
        "iterations": iterations,
        "drawn": drawn,
        "median_ms": 1000 * statistics.median(waits) if waits else float("nan"),
        "p99_ms": 1000 * waits[min(len(waits) - 1, int(0.99 * len(waits)))] if waits
        else float("nan"),
        "max_ms": 1000 * waits[-1] if waits else float("nan"),
        "probes": len(waits),
        "pause_ms": 1000 * max(pause_waits) if pause_waits else float("nan"),
    }


CASES = [
    ("seed 000", seed_000, None, False),
    ("seed 000", seed_000, 500, False),
    ("seed 000", seed_000, 40, False),
    ("seed 000", seed_000, 10, False),
    ("seed 000", seed_000, 5, True),
    ("seed 000", seed_000, None, True),
    ("64-128-64-10", wide, None, False),
    ("64-128-64-10", wide, 500, False),
    ("64-128-64-10", wide, 40, False),
    ("64-128-64-10", wide, 5, True),
    ("64-128-64-10", wide, None, True),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--pauses", type=int, default=8)
    arguments = parser.parse_args()
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"PySide6 {pyside_version}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    app = QApplication.instance() or QApplication([])
    print(f"\n{'network':14} {'speed':>16} {'went':>14} {'drawn':>7} "
          f"{'latency median / p99 / max':>28} {'pause max':>10}")
    worst = 0.0
    for name, make, per_second, phases in CASES:
        r = measure(app, make, per_second, phases, arguments.seconds, arguments.pauses)
        speed = ("full" if per_second is None else f"{per_second} it/s") + (
            " phases" if phases else "")
        went = f"{r['rate']:,.0f} {'ph/s' if phases else 'it/s'}"
        print(f"{name:14} {speed:>16} {went:>14} {r['drawn']:>7.0%} "
              f"{r['median_ms']:>9.1f} / {r['p99_ms']:5.1f} / {r['max_ms']:5.1f} ms "
              f"{r['pause_ms']:>7.1f} ms")
        worst = max(worst, r["max_ms"], r["pause_ms"])
    print(f"\nworst wait of a click or key while running: {worst:.1f} ms (target ≤ "
          f"{TARGET_MS:.0f} ms: {'met' if worst <= TARGET_MS else 'NOT met'}); load "
          f"{os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
