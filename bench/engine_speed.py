"""Engine speed and memory benchmark for Backprop Lab.

Run from the repository root:

    python bench/engine_speed.py            # full run (5–8 minutes on 2 CPUs)
    python bench/engine_speed.py --quick    # smaller sizes, about 1.5 minutes

It prints figures and ratios and a summary table against the targets; it never asserts on
time and always exits 0 (unless the engine itself raises). See bench/README.md.

1. Seed-000 network (2-3-3-2, sigmoid, bias, every parameter 1.0, sse, gd, lr 0.5):
   ``Stepper.run`` versus a plain hand-written numpy loop of the same maths.
2. History memory after 1,000,000 iterations of that network.
3. A 64-32-10 network (sigmoid hidden, softmax output, cross-entropy) on 1,000 samples.
4. Rewind (``Stepper.seek``) latency after the long run of 2.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import InitSpec, Network, Stepper, TrainingConfig, initialise  # noqa: E402

MB = 2**20

SEED_SIZES = [2, 3, 3, 2]
SEED_INPUTS = [[0.8, 0.4], [0.3, 0.3]]
SEED_TARGETS = [[0.2, 0.4], [1.0, 0.0]]
SEED_LR = 0.5

BIG_SIZES = [64, 32, 10]
BIG_SAMPLES = 1_000
BIG_LR = 0.5

TARGET_RATIO = 0.8  # the 64-32-10 network (issue 3)
TARGET_SEED_RATIO = 1.0  # the seed network: at least as fast as the hand loop (issue 16)
TARGET_HISTORY_MB = 200.0
TARGET_SEEK_MS = 100.0
TARGET_AGREEMENT = 1e-12

BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
BLAS_MARKER = "BACKPROP_BENCH_BLAS_THREADS"


# --------------------------------------------------------------------------- set-ups
def seed_stepper() -> Stepper:
    network = Network(SEED_SIZES, ["sigmoid"] * 3, bias=True)
    initialise(network, InitSpec("constant", 0, {"value": 1.0}))
    config = TrainingConfig(loss="sse", optimizer="gd", learning_rate=SEED_LR)
    return Stepper(network, SEED_INPUTS, SEED_TARGETS, config)


def big_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    inputs = rng.normal(0.0, 1.0, (BIG_SAMPLES, BIG_SIZES[0]))
    labels = rng.integers(0, BIG_SIZES[-1], BIG_SAMPLES)
    targets = np.zeros((BIG_SAMPLES, BIG_SIZES[-1]))
    targets[np.arange(BIG_SAMPLES), labels] = 1.0
    return inputs, targets


def big_stepper(inputs: np.ndarray, targets: np.ndarray) -> Stepper:
    network = Network(BIG_SIZES, ["sigmoid", "softmax"], bias=True)
    initialise(network, InitSpec("xavier_uniform", 0))
    config = TrainingConfig(loss="cross_entropy", optimizer="gd", learning_rate=BIG_LR)
    return Stepper(network, inputs, targets, config)


def split_parameters(network: Network) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Independent copies of the network's weights and biases for the hand loop."""
    return [w.copy() for w in network.weights], [b.copy() for b in network.biases]


def flatten(weights: list[np.ndarray], biases: list[np.ndarray]) -> np.ndarray:
    """The hand loop's parameters in the engine's θ order (W^0, b^0, W^1, b^1, …)."""
    pairs = zip(weights, biases, strict=True)
    return np.concatenate([part for w, b in pairs for part in (w.ravel(), b)])


# ------------------------------------------------------------------------ hand loop
def hand_loop(weights, biases, x, y, lr, iterations, output="sse"):
    """Plain numpy gradient descent, the way a learner writes it.

    Sigmoid on every layer with sse (``output="sse"``), or sigmoid hidden layers with a
    softmax output and mean cross-entropy (``output="softmax_ce"``). Updates the given
    lists in place and returns the list of losses.
    """
    losses = []
    L = len(weights)
    m = len(x)
    for _ in range(iterations):
        # forward
        acts = [x]
        for l in range(L):
            n = acts[-1] @ weights[l] + biases[l]
            if output == "softmax_ce" and l == L - 1:
                e = np.exp(n - n.max(axis=1, keepdims=True))
                a = e / e.sum(axis=1, keepdims=True)
            else:
                a = 1 / (1 + np.exp(-n))
            acts.append(a)
        out = acts[-1]
        # loss and output delta
        if output == "sse":
            losses.append(float(np.sum((out - y) ** 2)))
            delta = 2 * (out - y) * (out * (1 - out))
        else:
            losses.append(float(-np.sum(y * np.log(out)) / m))
            delta = (out - y) / m
        # backward
        grad_w = [None] * L
        grad_b = [None] * L
        for l in range(L - 1, -1, -1):
            grad_w[l] = acts[l].T @ delta
            grad_b[l] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ weights[l].T) * (acts[l] * (1 - acts[l]))
        # update
        for l in range(L):
            weights[l] -= lr * grad_w[l]
            biases[l] -= lr * grad_b[l]
    return losses


# ------------------------------------------------------------------------- timing
def _timed(function, *args):
    """(result, wall seconds, CPU seconds of this process) of one call."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def compare_speed(make_stepper, x, y, lr, iterations, repeats, output):
    """Interleaved engine / hand runs from identical starts; returns a result dict.

    Rates use the best (shortest) of the repeats: on a shared machine the other runs are
    slowed by whatever else is running, and the best is the closest to the undisturbed
    time. Medians and CPU-time (``process_time``) rates are kept for the printout.
    """
    times = {"engine": [], "hand": [], "engine_cpu": [], "hand_cpu": []}
    for repeat in range(repeats):
        stepper = make_stepper()
        weights, biases = split_parameters(stepper.network)
        _, wall, cpu = _timed(stepper.run, iterations)
        times["engine"].append(wall)
        times["engine_cpu"].append(cpu)
        hand_losses, wall, cpu = _timed(hand_loop, weights, biases, x, y, lr, iterations, output)
        times["hand"].append(wall)
        times["hand_cpu"].append(cpu)
        if repeat == 0:
            history = stepper.history
            agreement = {
                "max_difference": float(
                    np.abs(stepper.network.theta - flatten(weights, biases)).max()
                ),
                "loss_difference": float(
                    np.abs(history.losses - np.asarray(hand_losses)).max()
                ),
                "final_loss": float(history.losses[-1]),
                "stride": history.parameter_stride,
            }
        del stepper
    rate = {key: iterations / min(values) for key, values in times.items()}
    median = {key: iterations / statistics.median(values) for key, values in times.items()}
    return {
        **agreement,
        "engine_rate": rate["engine"],
        "hand_rate": rate["hand"],
        "engine_median": median["engine"],
        "hand_median": median["hand"],
        "ratio": rate["engine"] / rate["hand"],
        "ratio_median": median["engine"] / median["hand"],
        "ratio_cpu": rate["engine_cpu"] / rate["hand_cpu"],
        "engine_cpu_rate": rate["engine_cpu"],
        "hand_cpu_rate": rate["hand_cpu"],
    }


def print_speed(title: str, iterations: int, repeats: int, result: dict,
                target: float = TARGET_RATIO) -> None:
    print(f"\n== {title}")
    print(f"   {iterations:,} iterations per run, {repeats} interleaved engine/hand runs from "
          "the same start; best run (median run in brackets)")
    for name, key in (("engine Stepper.run", "engine"), ("hand numpy loop   ", "hand")):
        best = result[f"{key}_rate"]
        print(f"   {name} : {best:>9,.0f} it/s = {1e6 / best:7.1f} µs/it  "
              f"(median {result[f'{key}_median']:,.0f} it/s; "
              f"by CPU time {result[f'{key}_cpu_rate']:,.0f} it/s)")
    print(f"   ratio engine/hand  : {result['ratio']:.3f}  (target ≥ {target}; "
          f"median runs {result['ratio_median']:.3f}, CPU time {result['ratio_cpu']:.3f})")
    print(f"   final loss {result['final_loss']:.12g}; engine parameter stride at the end: "
          f"{result['stride']}")
    print(f"   max |θ_engine − θ_hand| after the run: {result['max_difference']:.3e}; "
          f"max |loss difference| over all iterations: {result['loss_difference']:.3e}")


# ------------------------------------------------------------------------ memory
def history_memory(iterations: int) -> tuple[Stepper, dict]:
    """A real run of ``iterations`` on the seed network, traced by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    stepper = seed_stepper()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    stepper.run(iterations)
    elapsed = time.perf_counter() - start
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    history = stepper.history
    return stepper, {
        "iterations": iterations,
        "nbytes": history.nbytes,
        "peak": peak,
        "current": current,
        "elapsed": elapsed,
        "stride": history.parameter_stride,
        "checkpoint_stride": history.checkpoint_stride,
        "checkpoints": len(history.checkpoints),
        "snapshots": len(history.snapshot_iterations),
        "losses": len(history.losses),
    }


def history_only_memory(iterations: int) -> dict:
    """Feed a seed-network History exactly the record calls ``Stepper.run`` would make,
    without the maths, to get its exact size after ``iterations`` in a few seconds."""
    gc.collect()
    tracemalloc.start()
    stepper = seed_stepper()
    history = stepper.history
    tracemalloc.reset_peak()
    capture = stepper._capture  # the same factory the fast path hands to record_start
    for t in range(iterations):
        if t % history.parameter_stride == 0 or t % history.checkpoint_stride == 0:
            history.record_start(t, capture)
        history.record_loss(t, 0.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "iterations": iterations,
        "nbytes": history.nbytes,
        "peak": peak,
        "stride": history.parameter_stride,
        "checkpoint_stride": history.checkpoint_stride,
        "checkpoints": len(history.checkpoints),
        "snapshots": len(history.snapshot_iterations),
    }


def print_memory(result: dict, label: str) -> None:
    print(f"   {label}, {result['iterations']:,} iterations:")
    print(f"     History.nbytes          : {result['nbytes'] / MB:8.1f} MiB "
          f"(target ≤ {TARGET_HISTORY_MB:.0f} MiB)")
    print(f"     tracemalloc peak        : {result['peak'] / MB:8.1f} MiB")
    if "current" in result:
        print(f"     tracemalloc after run   : {result['current'] / MB:8.1f} MiB")
    print(f"     parameter stride at end : {result['stride']}  "
          f"({result['snapshots']:,} snapshots kept)")
    print(f"     checkpoints             : {result['checkpoints']:,} "
          f"(checkpoint stride {result['checkpoint_stride']})")
    if "elapsed" in result:
        print(f"     run time                : {result['elapsed']:.1f} s = "
              f"{result['iterations'] / result['elapsed']:,.0f} it/s "
              "(slowed by tracemalloc)")


# ------------------------------------------------------------------------ rewind
def seek_latency(stepper: Stepper, count: int) -> dict:
    head = stepper.head_iteration
    history = stepper.history
    rng = np.random.default_rng(0)
    targets = [int(k) for k in rng.integers(0, head + 1, count)]
    # the worst case: just before the next checkpoint, the longest replay
    stride = history.checkpoint_stride
    last_checkpoint = max(history.checkpoints) if history.checkpoints else 0
    worst = last_checkpoint - 1 if last_checkpoint >= stride else head
    targets += [worst, head]
    snapshot_rows = {int(t): i for i, t in enumerate(history.snapshot_iterations)}
    times, checked, identical = [], 0, 0
    for k in targets:
        start = time.perf_counter()
        stepper.seek(k)
        times.append((time.perf_counter() - start) * 1e3)
        row = snapshot_rows.get(k)
        if row is not None:
            checked += 1
            identical += bool(np.array_equal(stepper.network.theta, history.snapshots[row]))
    random_times = times[:count]
    return {
        "head": head,
        "count": count,
        "mean": statistics.fmean(random_times),
        "median": statistics.median(random_times),
        "max": max(random_times),
        "worst_k": worst,
        "worst_ms": times[count],
        "head_ms": times[count + 1],
        "overall_max": max(times),
        "checked": checked,
        "identical": identical,
        "checkpoint_stride": stride,
    }


def print_seek(title: str, seek: dict) -> None:
    print(f"\n== {title} (checkpoint stride {seek['checkpoint_stride']})")
    print(f"   {seek['count']} random k (seed 0): mean {seek['mean']:.2f} ms, "
          f"median {seek['median']:.2f} ms, max {seek['max']:.2f} ms")
    replayed = seek["checkpoint_stride"] - 1
    print(f"   longest replay, k = {seek['worst_k']:,} ({replayed} iterations after a "
          f"checkpoint): {seek['worst_ms']:.2f} ms = {seek['worst_ms'] * 1e3 / replayed:.0f} "
          f"µs per replayed iteration; k = head: {seek['head_ms']:.2f} ms")
    print(f"   bit-identical to the recorded snapshot: {seek['identical']}/{seek['checked']} "
          "of the k that have one")
    print(f"   (issue 4 target: each scrubbed position shown within {TARGET_SEEK_MS:.0f} ms)")


# ------------------------------------------------------------------------- main
def machine_info() -> None:
    print("Backprop Lab engine benchmark")
    print(f"  python {platform.python_version()} ({platform.python_implementation()}), "
          f"numpy {np.__version__}, {os.cpu_count()} CPUs, {platform.machine()}, "
          f"{platform.system()} {platform.release()}")
    processor = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    processor = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if processor:
        print(f"  cpu: {processor}")
    limits = [f"{name}={os.environ[name]}" for name in BLAS_VARIABLES if name in os.environ]
    print(f"  BLAS thread limits: {', '.join(limits) if limits else 'none (library default)'}")
    print_load("at start")


def print_load(when: str) -> None:
    if hasattr(os, "getloadavg"):
        one, five, _ = os.getloadavg()
        print(f"  load average {when}: {one:.2f} (1 min), {five:.2f} (5 min) on "
              f"{os.cpu_count()} CPUs; other work on the machine slows and scatters timings")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes (memory run 200,000 iterations, extrapolated)")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="limit BLAS to N threads (sets OPENBLAS/OMP/MKL_NUM_THREADS and "
                             "restarts); steadier timings on a busy machine")
    args = parser.parse_args(argv)
    quick = args.quick
    if args.blas_threads is not None and os.environ.get(BLAS_MARKER) != str(args.blas_threads):
        for name in BLAS_VARIABLES:
            os.environ[name] = str(args.blas_threads)
        os.environ[BLAS_MARKER] = str(args.blas_threads)
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]])

    seed_iterations = 5_000 if quick else 20_000
    seed_repeats = 3 if quick else 7
    memory_iterations = 200_000 if quick else 1_000_000
    big_iterations = 100 if quick else 500
    big_repeats = 3 if quick else 7
    seek_count = 10 if quick else 20
    big_seek_iterations = 600
    big_seek_count = 5

    machine_info()
    print(f"  mode: {'quick' if quick else 'full'}")
    rows = []

    # 1 ---------------------------------------------------------------- seed network
    x, y = np.array(SEED_INPUTS), np.array(SEED_TARGETS)
    seed = compare_speed(seed_stepper, x, y, SEED_LR, seed_iterations, seed_repeats, "sse")
    print_speed("1. seed-000 network 2-3-3-2, sigmoid, sse, gd lr 0.5, all parameters 1.0",
                seed_iterations, seed_repeats, seed, TARGET_SEED_RATIO)
    rows.append(("1 seed net: |θ engine − θ hand|", f"{seed['max_difference']:.1e}",
                 f"≤ {TARGET_AGREEMENT:.0e}", seed["max_difference"] <= TARGET_AGREEMENT))
    rows.append(("1 seed net: engine/hand it/s", f"{seed['ratio']:.3f}",
                 f"≥ {TARGET_SEED_RATIO}", seed["ratio"] >= TARGET_SEED_RATIO))

    # 2 ---------------------------------------------------------------- history memory
    print(f"\n== 2. history memory, seed network, {memory_iterations:,} iterations "
          "(loss every iteration, default parameter stride 1, checkpoint stride 256)")
    stepper, memory = history_memory(memory_iterations)
    print_memory(memory, "measured run")
    if quick:
        full = history_only_memory(1_000_000)
        print_memory(full, "extrapolated (History fed the run's record calls without the "
                           "maths; exact for History)")
        judged = full
        note = " (extrap.)"
    else:
        judged = memory
        note = ""
    rows.append((f"2 history 1M it: nbytes{note}", f"{judged['nbytes'] / MB:.1f} MiB",
                 f"≤ {TARGET_HISTORY_MB:.0f} MiB", judged["nbytes"] / MB <= TARGET_HISTORY_MB))
    rows.append((f"2 history 1M it: tracemalloc peak{note}", f"{judged['peak'] / MB:.1f} MiB",
                 f"≤ {TARGET_HISTORY_MB:.0f} MiB", judged["peak"] / MB <= TARGET_HISTORY_MB))

    # 3 ------------------------------------------------------------------ 64-32-10
    inputs, targets = big_data()
    big = compare_speed(lambda: big_stepper(inputs, targets), inputs, targets, BIG_LR,
                        big_iterations, big_repeats, "softmax_ce")
    print_speed(f"3. {'-'.join(map(str, BIG_SIZES))} network, sigmoid hidden, softmax output "
                f"+ cross_entropy, xavier_uniform seed 0, {BIG_SAMPLES:,} samples (seed 0), "
                f"gd lr {BIG_LR}", big_iterations, big_repeats, big)
    rows.append(("3 64-32-10: |θ engine − θ hand|", f"{big['max_difference']:.1e}",
                 f"≤ {TARGET_AGREEMENT:.0e}", big["max_difference"] <= TARGET_AGREEMENT))
    rows.append(("3 64-32-10: engine/hand it/s", f"{big['ratio']:.3f}",
                 f"≥ {TARGET_RATIO}", big["ratio"] >= TARGET_RATIO))

    # 4 (the stepper of 2) ------------------------------------------------------ rewind
    seek = seek_latency(stepper, seek_count)
    print_seek(f"4. rewind: Stepper.seek(k) on the seed network after the {seek['head']:,}-"
               "iteration run of 2", seek)
    rows.append((f"4 seek, seed net at {seek['head']:,} it: max",
                 f"{seek['overall_max']:.1f} ms",
                 f"≤ {TARGET_SEEK_MS:.0f} ms", seek["overall_max"] <= TARGET_SEEK_MS))
    del stepper
    gc.collect()

    # the same on the 64-32-10 network: the replay cost grows with the iteration cost
    stepper = big_stepper(inputs, targets)
    stepper.run(big_seek_iterations)
    big_seek = seek_latency(stepper, big_seek_count)
    print_seek(f"4b. rewind on the 64-32-10 network of 3 after {big_seek['head']:,} iterations",
               big_seek)
    rows.append((f"4b seek, 64-32-10 at {big_seek['head']:,} it: max",
                 f"{big_seek['overall_max']:.1f} ms",
                 f"≤ {TARGET_SEEK_MS:.0f} ms", big_seek["overall_max"] <= TARGET_SEEK_MS))
    del stepper
    gc.collect()

    # summary ------------------------------------------------------------------------
    print(f"\n== summary ({'quick' if quick else 'full'})")
    width = max(len(r[0]) for r in rows)
    print(f"   {'measure':<{width}}  {'value':>10}  {'target':>10}  met")
    print(f"   {'-' * width}  {'-' * 10}  {'-' * 10}  ---")
    for name, value, target, met in rows:
        print(f"   {name:<{width}}  {value:>10}  {target:>10}  {'yes' if met else 'NO'}")
    print_load("at end")
    print(f"   seed net: engine {seed['engine_rate']:,.0f} it/s, hand {seed['hand_rate']:,.0f} "
          f"it/s; 64-32-10: engine {big['engine_rate']:,.0f} it/s, hand "
          f"{big['hand_rate']:,.0f} it/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
