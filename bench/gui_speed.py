"""GUI speed, offscreen: start-up, training throughput while redrawing, redraw rate, latency.

    python bench/gui_speed.py [--seconds 5]

Prints figures and ratios against the targets of issues 3 and 14; asserts nothing.
- start-up: a fresh interpreter importing the app and showing the window as a first start
  shows it (Learn and the welcome panel, a fresh configuration folder), against a fresh
  interpreter showing an empty PySide6 + pyqtgraph window in the same run, interleaved,
  both with their compiled modules kept as an install keeps them (targets < 1.5 s and at
  most 1.3 × the empty window);
- seed 000 running for N s in the window: iterations/s against the headless engine in the same
  process (target ≥ 50 %), redraws/s (target ≥ 30), and the event-loop latency a click on
  Pause would see (target < 100 ms);
- the same for a 64-128-64-10 network (17,024 edges; target ≥ 20 redraws/s).
A redraw is a frame of the window's scheduler: the graph, the labels and status bar, the
timeline and the plot cursors, and while running the plots with every second one at most
(plot updates are printed too).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# settings of its own: the learner's remembered run speed (a slow one) would pace these runs
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp(prefix="gui-speed-bench-")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from engine.core.init import InitSpec, initialise  # noqa: E402
from engine.core.network import Network  # noqa: E402
from engine.core.optimizers import TrainingConfig  # noqa: E402
from engine.io.fileformat import Document  # noqa: E402

STARTUP_SCRIPT = """
import os, sys, tempfile, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp()  # a first start
sys.path.insert(0, {repo!r})
import app as entry  # as `python app.py` starts: its module, then gui.parts.launch.run_app's steps
entry.parse_arguments([])
from gui.main_window import run_app
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.main_window import MainWindow
window = MainWindow(remember_layout=True)
window.show()
app.processEvents()
print("shown", time.process_time(), flush=True)
"""
# the baseline: the same libraries, an empty window
EMPTY_SCRIPT = """
import os, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph
app = QApplication([])
window = QMainWindow()
window.show()
app.processEvents()
print("shown", time.process_time(), flush=True)
"""


def _compiled_environment() -> dict[str, str]:
    """The environment of the start-ups: Python keeps the modules it compiled (in a folder
    of its own, not beside the sources), as an installed app has them; without it every
    start compiles the app's modules again (PYTHONDONTWRITEBYTECODE), which an install never
    does and the libraries of the empty window never do."""
    environment = {key: value for key, value in os.environ.items()
                   if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir())
                                             / "backprop-lab-bench-pycache")
    return environment


def _shown_after(script: str) -> tuple[float, float]:
    """Seconds from starting a fresh interpreter on ``script`` to its "shown" line, on the
    clock and in the processor time the interpreter had used by then (which other work on
    a busy machine does not lengthen)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True,
                               env=_compiled_environment())
    seconds = cpu = float("nan")
    for line in process.stdout:
        if line.startswith("shown"):
            seconds = time.perf_counter() - started
            cpu = float(line.split()[1])
            break
    process.wait()
    return seconds, cpu


def startup_seconds(repeats: int = 7) -> tuple[list[tuple[float, float]],
                                                list[tuple[float, float]]]:
    """The app's and the empty window's start-up times (clock, processor), ``repeats`` of
    each, interleaved (a machine that slows down slows both)."""
    app_times, empty_times = [], []
    _shown_after(EMPTY_SCRIPT)  # once each first: the compiled modules kept
    _shown_after(STARTUP_SCRIPT.format(repo=str(REPO)))
    for _ in range(repeats):
        empty_times.append(_shown_after(EMPTY_SCRIPT))
        app_times.append(_shown_after(STARTUP_SCRIPT.format(repo=str(REPO))))
    return app_times, empty_times


def report_startup(repeats: int) -> float:
    """Print the start-up figures; returns the app's best time on the clock."""
    app_times, empty_times = startup_seconds(repeats)
    rows = []
    for index, clock in ((0, "clock"), (1, "processor")):
        app = [times[index] for times in app_times]
        empty = [times[index] for times in empty_times]
        rows.append((clock, min(app), float(np.median(app)), min(empty),
                     float(np.median(empty))))
    print(f"start-up to the first shown window, {repeats} of each, interleaved "
          "(app: a first start, Learn and the welcome; empty: an empty window of the same "
          "libraries):")
    for clock, best, median, empty_best, empty_median in rows:
        print(f"  {clock:9s}  app {best:.3f} s best, {median:.3f} s median; empty "
              f"{empty_best:.3f} s best, {empty_median:.3f} s median; ratio "
              f"{best / empty_best:.2f} × best, {median / empty_median:.2f} × median "
              "(target ≤ 1.3 ×)")
    print(f"  app under 1.5 s: {'yes' if rows[0][1] < 1.5 else 'NO'}")
    return rows[0][1]


def seed_000() -> Document:
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, True)
    spec = InitSpec("constant", 0, {"value": 1.0})
    initialise(network, spec)
    return Document(network, np.array([[0.8, 0.4], [0.3, 0.3]]),
                    np.array([[0.2, 0.4], [1.0, 0.0]]), TrainingConfig(), spec)


def wide() -> Document:
    network = Network([64, 128, 64, 10], ["sigmoid", "sigmoid", "softmax"], True)
    spec = InitSpec("xavier_uniform", 0)
    initialise(network, spec)
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(100, 64))
    targets = np.eye(10)[rng.integers(0, 10, 100)]
    return Document(network, inputs, targets,
                    TrainingConfig(loss="cross_entropy", learning_rate=0.1), spec)


def headless_rate(document: Document, seconds: float) -> float:
    stepper = document.make_stepper()
    done, started = 0, time.perf_counter()
    chunk = 64
    while time.perf_counter() - started < seconds:
        done += stepper.run(chunk)
        chunk = min(chunk * 2, 4096)
    return done / (time.perf_counter() - started)


def gui_run(app, document: Document, seconds: float) -> dict:
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    from gui.main_window import MainWindow

    window = MainWindow()
    window.files.ask_unsaved = lambda: "discard"  # closing after a run asks nothing
    window.controller.load(document)
    window.show()
    app.processEvents()
    latencies = []

    def probe() -> None:
        scheduled = time.perf_counter()
        QTimer.singleShot(0, lambda: latencies.append(time.perf_counter() - scheduled))

    prober = QTimer()
    prober.setInterval(97)
    prober.timeout.connect(probe)
    start_iteration = window.controller.stepper.iteration
    frames_before = window.scheduler.frames
    plots_before = window.plot_refreshes
    started = time.perf_counter()
    window.controller.run()
    prober.start()
    while time.perf_counter() - started < seconds:
        app.processEvents()
    pause_requested = time.perf_counter()
    window.action_run_pause.trigger()  # what a click on Pause does
    pause_latency = time.perf_counter() - pause_requested
    elapsed = time.perf_counter() - started
    prober.stop()
    iterations = window.controller.stepper.iteration - start_iteration
    redraws = window.scheduler.frames - frames_before
    plot_refreshes = window.plot_refreshes - plots_before
    result = {
        "plot_refreshes_per_second": plot_refreshes / elapsed,
        "iterations_per_second": iterations / elapsed,
        "redraws_per_second": redraws / elapsed,
        "max_latency_ms": 1000 * max(latencies) if latencies else float("nan"),
        "pause_ms": 1000 * pause_latency,
        "iterations": iterations,
    }
    window.close()
    window.deleteLater()  # one window at a time, as in the app: the next run starts clean
    app.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--startup-only", action="store_true",
                        help="measure the start-up only")
    parser.add_argument("--repeats", type=int, default=7,
                        help="start-ups of each kind (default 7)")
    arguments = parser.parse_args()
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"PySide6 {pyside_version}, {os.cpu_count()} CPUs, "
          f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}")
    startup = report_startup(arguments.repeats)
    if arguments.startup_only:
        return 0
    app = QApplication.instance() or QApplication([])
    rows = []
    for name, make, redraw_target in (("seed 000 (2-3-3-2)", seed_000, 30),
                                      ("64-128-64-10, 100 samples", wide, 20)):
        headless = headless_rate(make(), min(2.0, arguments.seconds))
        gui = gui_run(app, make(), arguments.seconds)
        ratio = gui["iterations_per_second"] / headless
        print(f"\n{name}:")
        print(f"  headless engine        {headless:12,.0f} it/s")
        print(f"  in the window          {gui['iterations_per_second']:12,.0f} it/s "
              f"({ratio:.0%} of headless; target ≥ 50 %)")
        print(f"  redraws                {gui['redraws_per_second']:12.1f} /s "
              f"(target ≥ {redraw_target})")
        print(f"  plot updates           {gui['plot_refreshes_per_second']:12.1f} /s "
              "(spaced by their cost while running)")
        print(f"  event-loop latency     {gui['max_latency_ms']:12.1f} ms max (target < 100)")
        print(f"  pause took             {gui['pause_ms']:12.2f} ms")
        rows.append((name, ratio >= 0.5, gui["redraws_per_second"] >= redraw_target,
                     gui["max_latency_ms"] < 100))
    print("\nsummary")
    print(f"  start-up < 1.5 s: {'met' if startup < 1.5 else 'NOT met'}")
    for name, throughput, redraws, latency in rows:
        print(f"  {name}: throughput {'met' if throughput else 'NOT met'}, redraws "
              f"{'met' if redraws else 'NOT met'}, latency {'met' if latency else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
