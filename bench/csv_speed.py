"""How fast an MNIST-style CSV file imports (issue 16, point 4: at 50 MB/s or more).

    python bench/csv_speed.py [--rows 60000] [--repeats 3]

Writes, in a temporary folder, a file shaped like MNIST's training set as CSV: a header
(label,1x1,…,28x28), then one line per image, the label 0–9 and 784 random pixels 0–255, of
which 80 % are 0 as in MNIST (its file is about 110 MB; this one too). Then it measures, best
of ``--repeats`` runs:

  read + decode         engine.io.datasets.load_text (the bytes, checked UTF-8)
  import 1,000          read_labelled_csv: every row read and checked, labels one-hot,
                        pixels scaled to 0–1, a seeded sample of 1,000 kept (a teaching
                        window's data)
  import 20,151         the same keeping the most observations the data limit allows
                        (16,000,000 numbers / (784 pixels + 10 classes))
  decimals              the same file with the pixels written as 0–1 decimals (%.4f):
                        the loadtxt way of engine.io.fast_csv
  np.loadtxt            numpy's own reader on the whole file, for comparison
  read_csv (cell)       the cell-by-cell reader every chunk falls back to (and read_csv
                        uses), on the first 2,000 rows: what the import would cost without
                        the fast ways

MB/s is the file's size over the time. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.io import datasets  # noqa: E402

HEADER = "label," + ",".join(f"{r}x{c}" for r in range(1, 29) for c in range(1, 29))


def write_file(path: Path, rows: int, decimals: bool) -> None:
    rng = np.random.default_rng(0)
    with open(path, "w") as file:
        file.write(HEADER + "\n")
        for start in range(0, rows, 5000):
            count = min(5000, rows - start)
            pixels = rng.integers(0, 256, (count, 784))
            pixels[rng.random((count, 784)) < 0.8] = 0
            labels = rng.integers(0, 10, count)
            if decimals:
                table = np.column_stack([labels, pixels / 255])
                fmt = ["%d"] + ["%.4f"] * 784
            else:
                table, fmt = np.column_stack([labels, pixels]), "%d"
            np.savetxt(file, table, fmt=fmt, delimiter=",")


def best(call, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        whole = Path(folder) / "mnist_train.csv"
        scaled = Path(folder) / "mnist_decimals.csv"
        write_file(whole, args.rows, decimals=False)
        write_file(scaled, args.rows, decimals=True)
        size = whole.stat().st_size
        mb = size / 1e6
        print(f"file: {args.rows:,} rows × 785 columns, {mb:.1f} MB "
              f"({scaled.stat().st_size / 1e6:.1f} MB as decimals)\n")
        rows: list[tuple[str, float, float]] = []

        def report(name: str, seconds: float, megabytes: float) -> None:
            rows.append((name, seconds, megabytes / seconds))
            print(f"{name:28s} {seconds * 1000:8.0f} ms {megabytes / seconds:8.1f} MB/s")

        seconds, text = best(lambda: datasets.load_text(whole), args.repeats)
        report("read + decode", seconds, mb)
        fit = min(args.rows, datasets.MAX_DATA_VALUES // 794)
        for keep in (1000, fit):
            seconds, data = best(lambda k=keep: datasets.read_labelled_csv(
                text, scale=True, observations=k, seed=0), args.repeats)
            report(f"import {keep:,}", seconds, mb)
        total = rows[0][1] + rows[1][1]
        print(f"{'  read + import 1,000':28s} {total * 1000:8.0f} ms {mb / total:8.1f} MB/s")
        assert data.inputs.shape == (fit, 784) and data.targets.shape == (fit, 10)
        decimal_text = datasets.load_text(scaled)
        decimal_mb = len(decimal_text) / 1e6
        seconds, _ = best(lambda: datasets.read_labelled_csv(decimal_text, observations=1000),
                          args.repeats)
        report("decimals, import 1,000", seconds, decimal_mb)
        body = text[text.index("\n") + 1:].encode()
        seconds, _ = best(lambda: np.loadtxt(io.BytesIO(body), delimiter=",", dtype=float),
                          1)
        report("np.loadtxt (bytes)", seconds, mb)
        head = "\n".join(text.split("\n", 2001)[:2001]).replace("label,", "y,", 1) + "\n"
        seconds, _ = best(lambda: datasets.read_csv(head), 1)
        report("read_csv (cell), 2,000 rows", seconds, len(head) / 1e6)
        fast = rows[1][2]
        print(f"\nimport 1,000 against np.loadtxt: {fast / rows[-2][2]:.1f}×, against the "
              f"cell reader: {fast / rows[-1][2]:.0f}×; target 50 MB/s: "
              f"{'met' if fast >= 50 else 'NOT met'} ({fast:.0f} MB/s)")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
