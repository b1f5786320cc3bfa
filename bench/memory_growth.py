"""Memory of a long run (issue 12, point 10): seed 000 trained for 10,000,000 iterations the
way the window trains it (chunks of a few thousand iterations, the checkpoint stride adapted
to a 40 ms seek), with the process's resident memory (RSS) printed as it grows, and the
loss plot's exactness checked where the run's oldest losses left memory.

    python bench/memory_growth.py [--iterations 10000000] [--every 1000000]

Exactness: while the run passes three windows of 100,000 iterations, their losses are copied
as recorded. At the end those blocks have been dropped (the log keeps 32 MiB of exact
losses, 4 million iterations); the loss plot zoomed into each window asks the log again,
which recomputes them from the checkpoints: they must be bit-identical, and the time that
takes is what a learner waits for such a zoom.

Target: RSS growth under 300 MB for 10,000,000 iterations. Figures only; nothing asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.core.loss_log import BLOCK, EXACT_SPAN  # noqa: E402
from engine.io.fileformat import load  # noqa: E402

MB = 1e6
TARGET_MB = 300


def rss_bytes() -> int:
    """Resident memory now (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10_000_000)
    parser.add_argument("--every", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    total = args.iterations
    windows = [int(total * f) // EXACT_SPAN * EXACT_SPAN for f in (0.05, 0.3, 0.55)]
    windows = [w for w in windows if w + EXACT_SPAN <= total * 0.6]
    document = load(ROOT / "resources" / "examples" / "seed-000.json")
    before = rss_bytes()
    stepper = document.make_stepper(seek_seconds=0.04)  # as the window's controller
    log = stepper.history.loss_log
    recorded: dict[int, np.ndarray] = {}
    chunk, done, started = 4096, 0, time.perf_counter()
    next_report = args.every
    print(f"{'iterations':>12} {'RSS growth':>11} {'history':>9} {'exact':>7} {'envelope':>9} "
          f"{'checkpoints':>12} {'θ stride':>9} {'it/s':>8}")
    while done < total:
        count = min(chunk, total - done)
        stepper.run(count)
        done += count
        for w in windows:
            if w not in recorded and done >= w + EXACT_SPAN:
                recorded[w] = log.values(w, w + EXACT_SPAN)  # exact as recorded
        if done >= next_report or done == total:
            history = stepper.history
            envelope = log._low.buffer.nbytes + log._high.buffer.nbytes
            rate = done / (time.perf_counter() - started)
            exact_mb = len(log.exact_blocks) * 128 / 1024
            checkpoints = f"{len(history.checkpoints)} / {history.checkpoint_stride}"
            print(f"{done:>12,} {(rss_bytes() - before) / MB:>8.1f} MB "
                  f"{history.nbytes / MB:>6.1f} MB {exact_mb:>4.1f} MB "
                  f"{envelope / MB:>6.2f} MB {checkpoints:>12} "
                  f"{history.parameter_stride:>9} {rate:>8,.0f}", flush=True)
            next_report += args.every
    growth = (rss_bytes() - before) / MB
    print()
    print("Loss plot zoomed into windows whose exact losses were dropped:")
    exact = True
    for w, values in recorded.items():
        dropped = (w - log.start) // BLOCK not in log.exact_blocks
        began = time.perf_counter()
        again = log.values(w, w + EXACT_SPAN)  # what the plot reads for that zoom
        seconds = time.perf_counter() - began
        same = np.array_equal(again, values)
        exact &= same
        x, y = log.envelope(w, w + EXACT_SPAN, 1000)
        print(f"  iterations {w:,} … {w + EXACT_SPAN - 1:,}: dropped before {dropped}, "
              f"recomputed in {seconds:.2f} s, bit-identical {same}, "
              f"envelope {len(x)} points, min {y.min():.9g} max {y.max():.9g}")
    print()
    print(f"RSS growth after {total:,} iterations: {growth:.1f} MB "
          f"(target < {TARGET_MB} MB: {'yes' if growth < TARGET_MB else 'NO'}; "
          f"ratio {growth / TARGET_MB:.2f})")
    print(f"loss plot exact when zoomed to ≤ {EXACT_SPAN:,} iterations: "
          f"{'yes' if exact and recorded else 'NO'}")
    print(f"history.nbytes {stepper.history.nbytes / MB:.1f} MB; "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
