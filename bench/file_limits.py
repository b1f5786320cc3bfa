"""The largest files the limits allow, written and read back (issue 12, point 1): whatever
Save writes, Open reads. For each case it prints the file's size against MAX_FILE_BYTES, the
time to save (engine.fileformat.save: JSON text, then an atomic write) and to open
(engine.fileformat.load), the memory the open needed (its peak RSS growth), and whether
every number came back bit for bit.

    python bench/file_limits.py [--cases network,data,both]

Cases:
  network  [2, 2000, 1990, 1] (3,989,981 parameters, the issue's he_normal network) with
           Adam's two moments: 12 million numbers of the longest kind
  data     160 columns × 100,000 observations (16,000,000 values, the data limit) on a
           159-8-1 network
  both     the two together: [159, 1950, 1870, 1] (3,962,241 parameters) with Adam and
           16,000,000 data values — the largest file the limits allow. Training it would
           need some 32 GiB, so the memory budget is raised for this case only
           ($BACKPROP_LAB_MEMORY_BUDGET): it measures the file format, not training.

Each case runs in a fresh process so that the memory figures are its own. Figures only;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = {
    "network": ([2, 2000, 1990, 1], 4),
    "data": ([159, 8, 1], 100_000),
    "both": ([159, 1950, 1870, 1], 100_000),
}


def rss() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def make_document(name: str):
    from engine.core.network import Network
    from engine.core.optimizers import TrainingConfig
    from engine.io.fileformat import Document

    sizes, observations = CASES[name]
    rng = np.random.default_rng(0)
    network = Network(sizes, ["relu"] * (len(sizes) - 2) + ["linear"])
    # he_normal-like values: 17 significant digits, as long as a float's repr gets
    network.theta[...] = rng.normal(size=network.theta.size) * np.sqrt(2 / sizes[1])
    inputs = rng.normal(size=(observations, sizes[0]))
    targets = rng.normal(size=(observations, sizes[-1]))
    document = Document(network, inputs, targets, TrainingConfig(optimizer="adam"))
    stepper = document.make_stepper(parameter_stride=1 << 20, checkpoint_stride=1 << 20)
    for key in ("first_moment", "second_moment"):
        stepper.optimizer.state[key][...] = np.abs(rng.normal(size=network.theta.size))
    stepper.optimizer.state["step"][...] = 12345
    return Document.from_stepper(stepper)


def save_case(name: str, folder: str) -> dict:
    from engine.core.limits import MAX_FILE_BYTES
    from engine.io.fileformat import save

    saved = make_document(name)
    path = Path(folder) / f"{name}.json"
    began = time.perf_counter()
    save(path, saved)
    return {"parameters": int(saved.network.theta.size),
            "data_values": int(saved.inputs.size + saved.targets.size),
            "bytes": path.stat().st_size, "limit": MAX_FILE_BYTES,
            "save_s": time.perf_counter() - began}


def open_case(name: str, folder: str) -> dict:
    """In a process of its own: the open's time, its peak memory above the process's
    before it, and whether every number came back."""
    from engine.io.fileformat import load

    base = rss()
    began = time.perf_counter()
    read = load(Path(folder) / f"{name}.json")
    seconds = time.perf_counter() - began
    grown = (peak_rss() - base) / 1e6
    saved = make_document(name)
    exact = (np.array_equal(read.network.theta, saved.network.theta)
             and np.array_equal(read.inputs, saved.inputs)
             and np.array_equal(read.targets, saved.targets)
             and all(np.array_equal(read.state.optimizer[k], v)
                     for k, v in saved.state.optimizer.items()))
    return {"open_s": seconds, "open_rss_mb": grown, "exact": exact}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="network,data,both")
    parser.add_argument("--save", help=argparse.SUPPRESS)
    parser.add_argument("--open", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.save or args.open:
        work = save_case if args.save else open_case
        print(json.dumps(work(args.save or args.open, args.folder)))
        return
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'case':>8} {'parameters':>11} {'data':>11} {'file':>10} {'of limit':>9} "
          f"{'save':>7} {'open':>7} {'open RSS':>9} {'exact':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.cases.split(","):
            env = dict(os.environ)
            if name == "both":
                env["BACKPROP_LAB_MEMORY_BUDGET"] = "64G"  # reading, not training
            r = {}
            for phase in ("--save", "--open"):
                result = subprocess.run([sys.executable, __file__, phase, name, "--folder",
                                         folder], capture_output=True, text=True, env=env)
                if result.returncode != 0:
                    print(f"{name:>8} failed: {result.stderr.strip().splitlines()[-1]}")
                    break
                r.update(json.loads(result.stdout))
            else:
                r["ratio"] = r["open_rss_mb"] * 1e6 / r["bytes"]
            if "ratio" not in r:
                continue
            print(f"{name:>8} {r['parameters']:>11,} {r['data_values']:>11,} "
                  f"{r['bytes'] / 1e6:>7.1f} MB {r['bytes'] / r['limit']:>9.2f} "
                  f"{r['save_s']:>6.1f}s {r['open_s']:>6.1f}s {r['open_rss_mb']:>6.0f} MB "
                  f"{str(r['exact']):>6}   (open needs {r['ratio']:.1f}× the file)", flush=True)
            Path(folder, f"{name}.json").unlink(missing_ok=True)
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
