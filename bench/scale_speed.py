"""The learner's MNIST-sized network in the window, offscreen (issue 16, point 5).

    python bench/scale_speed.py [--observations 1000] [--iterations 200] [--seeks 9]

A 784-128-10 network (relu, then softmax with cross-entropy; adam; 101,632 weights and 138
biases) on ``--observations`` observations of random pixels in [0, 1] with one-hot targets,
saved to a temporary file. Prints, against the targets:

- open: File ▸ Open of that file until the window has drawn it (target ≤ 1.5 s);
- a step: one iteration (F10) in the window, until every view in view has drawn it, against
  the same step headless (target: window ≤ 1.5 × headless + 30 ms), medians of 21, the
  window's and the headless steps interleaved (both then meet the same state of a shared
  machine, whose speed drifts by 20 % from one minute to the next);
- a seek after ``--iterations`` iterations: the timeline moved to a random earlier
  iteration, until the window has drawn it (target: median ≤ 250 ms), and headless; the
  memory the rewind checkpoints hold;
- the process's peak memory (target ≤ 1.5 GB).

The window is in Debug (the graph, the matrices, the plots, the inspector), at 90 % of a
1280 × 720 screen. numpy's BLAS runs as in the app (one thread). Prints figures, asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # as app.py does
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp(prefix="scale-bench-")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from engine.core.init import InitSpec, initialise  # noqa: E402
from engine.core.network import Network  # noqa: E402
from engine.core.optimizers import TrainingConfig  # noqa: E402
from engine.io import fileformat  # noqa: E402
from engine.io.fileformat import Document  # noqa: E402

SIZES = [784, 128, 10]


def mnist_sized(observations: int, seed: int = 0) -> Document:
    """The 784-128-10 network on random pixels and one-hot targets."""
    rng = np.random.default_rng(seed)
    network = Network(SIZES, ["relu", "softmax"])
    spec = InitSpec("he_normal", seed)
    initialise(network, spec)
    inputs = rng.random((observations, SIZES[0]))
    targets = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], observations)]
    config = TrainingConfig(loss="cross_entropy", optimizer="adam", learning_rate=0.001)
    return Document(network, inputs, targets, config, spec)


def ms(seconds: float) -> str:
    return f"{1000 * seconds:7.1f} ms"


def peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seeks", type=int, default=9)
    arguments = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}")
    document = mnist_sized(arguments.observations)
    path = Path(tempfile.mkdtemp(prefix="scale-bench-")) / "mnist-784-128-10.json"
    fileformat.save(path, document)
    print(f"784-128-10, relu + softmax/cross-entropy, adam, {arguments.observations} "
          f"observations; its file {path.stat().st_size / 2**20:.1f} MiB")

    # headless: the same steps without a window, timed between the window's (below)
    stepper = document.make_stepper()
    stepper.step_iteration()  # warm

    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow
    from gui.parts.screen import fitted

    def drawn(window) -> None:
        """Until every view in view has drawn the last change, and Qt has painted."""
        for _ in range(200):
            app.processEvents()
            window.scheduler.tick()
            if window.scheduler.idle:
                break
        app.processEvents()

    window = MainWindow(workspace="debug")
    window.files.ask_unsaved = lambda: "discard"
    window.setGeometry(fitted(QRect(0, 0, 1280, 720)))
    window.show()
    drawn(window)
    started = time.perf_counter()
    window.files.open_file(path, ask=False)
    drawn(window)
    opened = time.perf_counter() - started
    print(f"  open         {ms(opened)}   (target ≤ 1500 ms: "
          f"{'met' if opened <= 1.5 else 'NOT met'})")

    steps = []
    window.action_step_iteration.trigger()  # warm
    drawn(window)
    headless = []
    for _ in range(21):
        started = time.perf_counter()
        window.action_step_iteration.trigger()
        drawn(window)
        steps.append(time.perf_counter() - started)
        started = time.perf_counter()
        stepper.step_iteration()
        headless.append(time.perf_counter() - started)
    window_step = statistics.median(steps)
    headless_step = statistics.median(headless)
    limit = 1.5 * headless_step + 0.030
    print(f"  a step       {ms(window_step)} in the window, {ms(headless_step)} headless "
          f"(target ≤ 1.5 × headless + 30 ms = {ms(limit).strip()}: "
          f"{'met' if window_step <= limit else 'NOT met'}; worst {ms(max(steps)).strip()})")

    controller = window.controller
    controller.run_now(arguments.iterations - controller.stepper.iteration)
    drawn(window)
    head = controller.stepper.iteration
    rng = random.Random(1)
    targets = [rng.randrange(0, head) for _ in range(arguments.seeks)]
    seeks, bare = [], []
    for target in targets:
        started = time.perf_counter()
        controller.seek(target)
        drawn(window)
        seeks.append(time.perf_counter() - started)
    for target in targets:
        started = time.perf_counter()
        controller.stepper.seek(target)
        bare.append(time.perf_counter() - started)
    history = controller.stepper.history
    held = getattr(history, "checkpoint_bytes", None)
    held_text = "" if held is None else f"; checkpoints hold {held() / 2**20:.1f} MiB"
    median_seek = statistics.median(seeks)
    print(f"  a seek       {ms(median_seek)} median in the window at iteration {head} "
          f"(target ≤ 250 ms: {'met' if median_seek <= 0.25 else 'NOT met'}; worst "
          f"{ms(max(seeks)).strip()}); headless median {ms(statistics.median(bare)).strip()}"
          f"{held_text}")
    peak = peak_megabytes()
    print(f"  peak memory  {peak:7.0f} MB (target ≤ 1500 MB: "
          f"{'met' if peak <= 1500 else 'NOT met'})")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
