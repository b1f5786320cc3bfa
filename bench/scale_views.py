"""The weight images and the distributions on issue 16's network, offscreen: what a refresh
costs, what a row of the heatmap costs, how long the heatmap takes to fill, and the plots'
rate while training with each panel in view against without.

    python bench/scale_views.py [--observations 1000] [--seconds 6]

The network: 784-128-10, relu, softmax + cross-entropy, Adam, random "pictures" in [0, 1].
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from engine.core.init import InitSpec, initialise  # noqa: E402
from engine.core.network import Network  # noqa: E402
from engine.core.optimizers import TrainingConfig  # noqa: E402
from engine.io.fileformat import Document  # noqa: E402


def mnist_like(observations: int) -> Document:
    network = Network([784, 128, 10], ["relu", "softmax"], True)
    spec = InitSpec("he_normal", 0)
    initialise(network, spec)
    rng = np.random.default_rng(0)
    x = rng.random((observations, 784))
    y = np.eye(10)[rng.integers(0, 10, observations)]
    return Document(network, x, y, TrainingConfig(loss="cross_entropy", optimizer="adam",
                                                  learning_rate=0.001), spec)


def timed(function, repeats: int = 5) -> float:
    """The median of ``repeats`` calls, in ms."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def settle(app, seconds: float = 0.3) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def run_for(app, window, seconds: float) -> tuple[float, float]:
    """(iterations a second, plot refreshes a second) of a run of ``seconds``."""
    controller = window.controller
    start_iteration, start_frames = controller.stepper.iteration, window.plot_refreshes
    controller.run()
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        app.processEvents()
    controller.pause()
    elapsed = time.perf_counter() - started
    return ((controller.stepper.iteration - start_iteration) / elapsed,
            (window.plot_refreshes - start_frames) / elapsed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=6.0)
    options = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(workspace="debug")
    window.files.ask_unsaved = lambda: "discard"
    window.resize(1400, 860)
    window.show()
    window.controller.load(mnist_like(options.observations))
    settle(app)
    print(f"784-128-10 relu/softmax, adam, {options.observations} observations, "
          f"{window.controller.network.theta.size:,} parameters")

    base_rate, base_plots = run_for(app, window, options.seconds)
    print(f"run, neither panel in view: {base_rate:6.1f} it/s, plots {base_plots:4.1f}/s")

    dock = window.dock_layout.show_dock("weight_images")
    settle(app)
    images = window.weight_images
    print(f"weight images: refresh {timed(images.refresh):6.1f} ms, painting "
          f"{timed(images.grid.grab):6.1f} ms (128 images of 28 × 28, all in view)")
    rate, plots = run_for(app, window, options.seconds)
    print(f"run, weight images in view: {rate:6.1f} it/s ({rate / base_rate:4.2f}×), "
          f"plots {plots:4.1f}/s")
    dock.hide()

    window.dock_layout.show_dock("distributions")
    settle(app)
    panel = window.distributions
    controller = window.controller
    stepper = controller.stepper
    print(f"distributions: refresh {timed(panel.refresh):6.1f} ms at a position already "
          f"evaluated")
    controller._forget_display_trace()
    started = time.perf_counter()
    panel.refresh()
    print(f"  a refresh after a step (one pass to evaluate): "
          f"{1000 * (time.perf_counter() - started):6.1f} ms")
    panel.rows.clear()
    panel.rows.sync(stepper)
    started = time.perf_counter()
    panel.rows.compute(stepper, 1)
    print(f"  one heatmap row: {1000 * (time.perf_counter() - started):6.1f} ms")
    started = time.perf_counter()
    left = panel.rows.compute(stepper)
    print(f"  the other {len(panel.rows.rows) - 1} rows: "
          f"{time.perf_counter() - started:5.2f} s ({left} left); history stride "
          f"{stepper.history.parameter_stride}, spacing {panel.rows.spacing}; rows keep "
          f"{panel.rows.nbytes / 1024:.0f} KB; history snapshots "
          f"{stepper.history.snapshots.nbytes / 2**20:.1f} MB")
    rate, plots = run_for(app, window, options.seconds)
    print(f"run, distributions in view: {rate:6.1f} it/s ({rate / base_rate:4.2f}×), "
          f"plots {plots:4.1f}/s")
    window.close()


if __name__ == "__main__":
    main()
