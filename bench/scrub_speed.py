"""Timeline scrubbing, offscreen: how long each position takes to show.

    python bench/scrub_speed.py [--iterations 100000] [--positions 60]

Trains a history of N iterations in the window's own stepper (in chunks, as the window runs,
so the checkpoint stride adapts to the cost of an iteration), then moves the timeline slider
to random positions and times each move until the window has painted it: the engine's exact
rewind (seek), the graph, the panels in view and the plot cursors (refresh), and the event
loop painting what changed (paint); "full repaint" adds a repaint of every widget, the
pessimistic bound. The window is as it opens (the matrix view and the settings in front).
Target (issue 4): every position shown within 100 ms. Prints figures; asserts nothing.
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
sys.path.insert(0, str(REPO / "bench"))

import numpy as np  # noqa: E402
from gui_speed import seed_000  # noqa: E402  (the same seed-000 document)

from engine.core.init import InitSpec, initialise  # noqa: E402
from engine.core.network import Network  # noqa: E402
from engine.core.optimizers import TrainingConfig  # noqa: E402
from engine.io.fileformat import Document  # noqa: E402


def mnist_like() -> Document:
    network = Network([64, 32, 10], ["sigmoid", "softmax"], True)
    spec = InitSpec("xavier_uniform", 0)
    initialise(network, spec)
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(100, 64))
    targets = np.eye(10)[rng.integers(0, 10, 100)]
    return Document(network, inputs, targets,
                    TrainingConfig(loss="cross_entropy", optimizer="adam", learning_rate=0.01),
                    spec)


def scrub(app, document: Document, iterations: int, positions: int) -> dict:
    from gui.main_window import MainWindow

    window = MainWindow()
    window.files.ask_unsaved = lambda: "discard"  # closing after training asks nothing
    window.controller.load(document)
    window.show()
    app.processEvents()
    stepper = window.controller.stepper
    started = time.perf_counter()
    chunk = 64
    while stepper.iteration < iterations:  # as the window's run timer does: timed chunks
        window.controller.run_now(min(chunk, iterations - stepper.iteration))
        chunk = min(2 * chunk, 2048)
    training = time.perf_counter() - started
    window.refresh()
    app.processEvents()
    slider = window.debugger.timeline.slider
    rng = np.random.default_rng(1)
    targets = rng.integers(0, iterations + 1, positions)
    result = {"training_s": training, "stride": stepper.history.checkpoint_stride,
              "checkpoints": len(stepper.history.checkpoints)}
    for mode in ("drag", "jump"):
        # a drag holds the slider down (slow panels wait for its end); a jump is a click on
        # the groove or a key press: everything follows at once
        slider.setSliderDown(mode == "drag")
        parts = {"seek": [], "refresh": [], "paint": [], "total": [], "full repaint": []}
        # a drag sweeps left to right (each seek goes on from the position before); jumps
        # land anywhere (each replays from the checkpoint before it)
        for target in (np.sort(targets) if mode == "drag" else targets):
            began = time.perf_counter()
            slider.setValue(int(target))  # the engine's exact rewind
            sought = time.perf_counter()
            window.refresh()  # the graph, the plot cursors, the panels in view
            refreshed = time.perf_counter()
            app.processEvents()  # the event loop paints what changed
            painted = time.perf_counter()
            assert stepper.iteration == target
            window.repaint()  # the pessimistic bound: every widget painted again
            repainted = time.perf_counter()
            parts["seek"].append(sought - began)
            parts["refresh"].append(refreshed - sought)
            parts["paint"].append(painted - refreshed)
            parts["total"].append(painted - began)
            parts["full repaint"].append(repainted - began)
        if mode == "drag":
            began = time.perf_counter()
            slider.setSliderDown(False)  # the release brings the deferred panels up to date
            app.processEvents()
            result["release"] = (time.perf_counter() - began) * 1000
        for name, values in parts.items():
            values = np.array(values) * 1000
            result[mode, name] = (float(np.median(values)), float(np.percentile(values, 90)),
                                  float(values.max()))
    window.close()
    window.deleteLater()
    app.processEvents()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--positions", type=int, default=60)
    arguments = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    for name, make in (("seed 000 (2-3-3-2, gd)", seed_000),
                       ("64-32-10, 100 samples, adam", mnist_like)):
        result = scrub(app, make(), arguments.iterations, arguments.positions)
        print(f"\n{name}: {arguments.iterations:,} iterations trained in "
              f"{result['training_s']:.1f} s; checkpoint stride {result['stride']} "
              f"({result['checkpoints']} checkpoints)")
        for mode in ("drag", "jump"):
            print(f"  {mode}:")
            for name in ("seek", "refresh", "paint", "total", "full repaint"):
                median, p90, worst = result[mode, name]
                print(f"  {name:>14}: median {median:6.1f} ms, 90th percentile {p90:6.1f} ms, "
                      f"worst {worst:6.1f} ms")
            verdict = "met" if result[mode, "total"][2] < 100 else "NOT met"
            print(f"  every position shown within 100 ms: {verdict} (worst "
                  f"{result[mode, 'total'][2]:.0f} ms, {result[mode, 'total'][2] / 100:.2f} of "
                  "the target)")
        print(f"  end of the drag (deferred panels): {result['release']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
