"""How long bringing weights in and out takes for the issue's MNIST network (784-128-10,
101,770 parameters): reading a .npz, a PyTorch state_dict and an ONNX model of it, building
a network from a model (File ▸ Open), and writing the ONNX export. Prints figures and
ratios (the best of a few runs); asserts nothing. PyTorch and onnx are optional: the parts
that need one are skipped without it.

    python bench/weights_io.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from engine.core.network import Network  # noqa: E402
from engine.io.weights import import_weights, model_document  # noqa: E402

SIZES, ACTIVATIONS = [784, 128, 10], ["relu", "softmax"]
REPEATS = 5


def best(action) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    network = Network(SIZES, ACTIVATIONS)
    network.theta[...] = np.random.default_rng(0).normal(0, 0.05, network.theta.size)
    print(f"network {'-'.join(map(str, SIZES))}: {network.theta.size:,} parameters")
    folder = Path(tempfile.mkdtemp())
    npz = folder / "mnist.npz"
    np.savez(npz, **{f"W{l}": network.weights[l] for l in range(2)},
             **{f"b{l}": network.biases[l] for l in range(2)})
    rows = [("import .npz", best(lambda: import_weights(npz, network)), npz.stat().st_size)]
    try:
        import torch
    except ImportError:
        print("PyTorch not installed: .pt skipped")
    else:
        pt = folder / "mnist.pt"
        torch.save({"0.weight": torch.tensor(network.weights[0].T.copy()),
                    "0.bias": torch.tensor(network.biases[0].copy()),
                    "2.weight": torch.tensor(network.weights[1].T.copy()),
                    "2.bias": torch.tensor(network.biases[1].copy())}, pt)
        rows.append(("import .pt (state_dict)", best(lambda: import_weights(pt, network)),
                     pt.stat().st_size))
        rows.append(("open .pt as a network", best(lambda: model_document(pt)),
                     pt.stat().st_size))
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("onnx not installed: .onnx skipped")
    else:
        from engine.io.onnx_model import write_onnx

        for dtype in ("float32", "float64"):
            path = folder / f"mnist-{dtype}.onnx"
            rows.append((f"export ONNX {dtype}", best(lambda p=path, d=dtype:
                                                      write_onnx(p, network, d)),
                         path.stat().st_size))
            rows.append((f"import ONNX {dtype}", best(lambda p=path: import_weights(p, network)),
                         path.stat().st_size))
        path = folder / "mnist-float32.onnx"
        rows.append(("open ONNX as a network", best(lambda: model_document(path)),
                     path.stat().st_size))
    base = rows[0][1]
    print(f"{'what':28} {'ms':>8} {'× .npz':>8} {'file':>12}")
    for what, seconds, size in rows:
        print(f"{what:28} {seconds * 1000:8.1f} {seconds / base:8.1f} {size:>12,}")


if __name__ == "__main__":
    main()
