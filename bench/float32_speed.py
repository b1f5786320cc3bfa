"""float32 against float64 on the MNIST-sized network of issue 16.

Run from the repository root:

    python bench/float32_speed.py           # about half a minute

A 784-128-10 network (relu, softmax + cross-entropy, adam, 1,000 observations of random
data; 101,770 parameters), built in code: ``Stepper.run`` timed in float64 and in float32,
best of several runs of 20 iterations each, and the history's memory after them. It prints
figures and the ratio; it asserts nothing about time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import InitSpec, Network, Stepper, TrainingConfig, initialise  # noqa: E402

ITERATIONS, RUNS = 20, 5


def stepper(dtype: str) -> Stepper:
    network = Network([784, 128, 10], ["relu", "softmax"])
    initialise(network, InitSpec("he_normal", 0))
    rng = np.random.default_rng(0)
    inputs = rng.uniform(0.0, 1.0, (1000, 784))
    targets = np.eye(10)[rng.integers(0, 10, 1000)]
    config = TrainingConfig(loss="cross_entropy", optimizer="adam", learning_rate=1e-3,
                            dtype=dtype)
    return Stepper(network, inputs, targets, config)


def main() -> None:
    results = {}
    for dtype in ("float64", "float32"):
        s = stepper(dtype)
        s.run(2)  # warm up
        best = min(_timed(s) for _ in range(RUNS))
        results[dtype] = best
        print(f"{dtype}: {1000 * best / ITERATIONS:7.2f} ms an iteration (best of {RUNS} runs "
              f"of {ITERATIONS}); history {s.history.nbytes / 2**20:.1f} MiB, θ "
              f"{s.network.theta.dtype}, loss {s.history.loss_log.last:.6g}")
    print(f"float32 / float64 time: {results['float32'] / results['float64']:.2f}")


def _timed(s: Stepper) -> float:
    started = time.perf_counter()
    s.run(ITERATIONS)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
