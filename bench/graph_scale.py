"""The graph and the matrix view of a 784-128-10 network (issue 16, point 3), offscreen.

    python bench/graph_scale.py [--frames 60] [--observations 1000]

Prints figures and ratios; asserts nothing.
- the graph's rebuild (a file opened) and one refresh while running: the engine takes an
  iteration, the view is told as the scheduler tells it and redraws (its refresh, the
  forward pass of the observation shown included) and paints its viewport. Target: well
  under the 40 ms of a frame. Printed apart: the whole data set's forward pass, which the
  graph read while running before (1,000 × 784 × 128 multiply-adds). Folded (64 neurons a
  layer drawn, the default) against unfolded (all 922 neurons drawn, both wide layers
  clicked open), and seed 000's 2-3-3-2;
- the matrix view of the first forward phase (heatmaps of [1 | a^0], [b^0; W^0] and n^1):
  its refresh and first paint.
The machine's load average is printed: figures from a busy machine are slower and scattered.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp(prefix="graph-scale-bench-")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from engine.core.init import InitSpec, initialise  # noqa: E402
from engine.core.network import Network  # noqa: E402
from engine.core.optimizers import TrainingConfig  # noqa: E402
from engine.io import fileformat  # noqa: E402
from engine.io.fileformat import Document  # noqa: E402

FRAME_MS = 40.0


def mnist(observations: int) -> Document:
    network = Network([784, 128, 10], ["relu", "softmax"], True)
    spec = InitSpec("he_normal", 0)
    initialise(network, spec)
    rng = np.random.default_rng(0)
    return Document(network, rng.random((observations, 784)),
                    np.eye(10)[rng.integers(0, 10, observations)],
                    TrainingConfig(loss="cross_entropy", optimizer="adam",
                                   learning_rate=0.001), spec)


def frames(view, controller, count: int) -> dict[str, list[float]]:
    """``count`` frames while running: an iteration, then the graph's refresh and paint (ms),
    and apart, the forward pass of the whole data set (``display_trace``) that the graph read
    before it drew one observation's own between iterations of a run."""
    from PySide6.QtWidgets import QApplication

    times = {"refresh": [], "paint": [], "frame": [], "whole pass": []}
    controller.run()  # running: the timer is started, the loop below drives the frames
    try:
        for _ in range(count):
            controller.stepper.run(1)
            controller.position_changed.emit()  # what a step tells the views
            QApplication.processEvents()
            started = time.perf_counter()
            view.refresh()
            refreshed = time.perf_counter()
            view.viewport().repaint()
            painted = time.perf_counter()
            controller.display_trace(backward=False)
            passed = time.perf_counter()
            times["refresh"].append(1e3 * (refreshed - started))
            times["paint"].append(1e3 * (painted - refreshed))
            times["frame"].append(1e3 * (painted - started))
            times["whole pass"].append(1e3 * (passed - painted))
    finally:
        controller.pause()
    return times


def summary(times: list[float]) -> str:
    return f"{np.median(times):6.2f} ms median, {min(times):6.2f} best, {max(times):6.2f} worst"


def graph_figures(document: Document, name: str, count: int, unfold: bool = False
                  ) -> float:
    from PySide6.QtWidgets import QApplication, QWidget

    from gui.controller import LabController
    from gui.views.network_view import NetworkView

    owner = QWidget()
    controller = LabController(document, None, owner)
    view = NetworkView(controller)
    view.resize(1000, 700)
    view.show()
    QApplication.processEvents()
    started = time.perf_counter()
    view.rebuild()
    rebuilt = 1e3 * (time.perf_counter() - started)
    if unfold:
        for layer in list(view.fold_items):
            view.toggle_fold(layer)
        started = time.perf_counter()
        view.rebuild()
        rebuilt = 1e3 * (time.perf_counter() - started)
    times = frames(view, controller, count)
    drawn = len(view.neurons)
    print(f"{name}: {drawn} neurons drawn of {sum(controller.network.sizes)}, "
          f"{len(view.scene().items())} scene items; rebuild {rebuilt:.1f} ms")
    if view.note.text():
        print(f"  {view.note.text()}")
    labels = {"refresh": "graph refresh", "paint": "paint", "frame": "frame (both)",
              "whole pass": "whole-set pass *"}
    for part, label in labels.items():
        print(f"  {label:18s} {summary(times[part])}")
    print("  * not in the frame: the forward pass of every observation, which the graph "
          "read while running before")
    median = float(np.median(times["frame"]))
    print(f"  frame: {median / FRAME_MS:.0%} of the {FRAME_MS:.0f} ms a frame has")
    view.deleteLater()
    owner.deleteLater()
    QApplication.processEvents()
    return median


def matrix_figures(document: Document) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    from gui.controller import LabController
    from gui.views.matrix_view import MatrixView

    owner = QWidget()
    controller = LabController(document, None, owner)
    view = MatrixView(controller)
    view.resize(900, 900)
    view.show()
    QApplication.processEvents()
    controller.step_phase()
    started = time.perf_counter()
    view.refresh()
    refreshed = time.perf_counter()
    QApplication.processEvents()
    view.repaint()
    painted = time.perf_counter()
    shapes = [f"{type(t).__name__} {t.matrix.shape[0]}×{t.matrix.shape[1]}"
              for w in view.block_widgets for t in w.tables.values()]
    print(f"matrix view, forward layer 1: {', '.join(shapes)}")
    print(f"  refresh {1e3 * (refreshed - started):.1f} ms, laid out and painted "
          f"{1e3 * (painted - refreshed):.1f} ms")
    # a step to the next phase: the same layout, new numbers
    controller.step_phase()
    started = time.perf_counter()
    view.refresh()
    QApplication.processEvents()
    view.repaint()
    print(f"  next phase (forward layer 2): {1e3 * (time.perf_counter() - started):.1f} ms")
    view.deleteLater()
    owner.deleteLater()
    QApplication.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--observations", type=int, default=1000)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    document = mnist(args.observations)
    print(f"784-128-10, relu/softmax, cross-entropy, adam, {args.observations} observations, "
          f"{args.frames} frames while running\n")
    folded = graph_figures(document, "784-128-10 folded", args.frames)
    unfolded = graph_figures(document, "784-128-10 unfolded (both wide layers open)",
                             args.frames, unfold=True)
    seed = graph_figures(fileformat.load(REPO / "resources" / "examples" / "seed-000.json"),
                         "seed 000", args.frames)
    print(f"\nfolded / unfolded frame: {folded / unfolded:.2f}; folded / seed 000: "
          f"{folded / seed:.1f}; folded frame under {FRAME_MS / 2:.0f} ms (half a frame): "
          f"{'yes' if folded < FRAME_MS / 2 else 'NO'}\n")
    matrix_figures(document)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
