"""Decision boundaries: a neuron's activation over the input plane of a two-input network.

The plane is a regular grid around the training points; the map is one batched forward pass
of every grid point (n^l = a^{l−1} W^{l−1} + b^{l−1}, a^l = f_l(n^l), rows are grid points),
using the same kernel as stepping, so the map at a training point is the activation the
graph shows for that observation. Grid points are laid out row by row: point k is
(xs[k % len(xs)], ys[k // len(xs)]), so ``values.reshape(len(ys), len(xs))`` is the image
with x_0 along the columns and x_1 along the rows.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.activations import get_activation
from ..core.backprop import forward_layer
from ..core.network import Network

MIN_RESOLUTION = 8
MAX_RESOLUTION = 64
# the cost model of one map, measured on the 2-core development machine: numpy's exp (every
# sigmoid and tanh) dominates small and middling networks, the matrix products big ones
SECONDS_PER_ACTIVATION = 25e-9
SECONDS_PER_MULTIPLY_ADD = 0.25e-9
MAP_SECONDS = 0.004  # what a live refresh may spend on the map: a few ms of a 45 ms frame
CHUNK_VALUES = 1_000_000


def two_input_message(network: Network) -> str | None:
    """Why this network has no decision boundary, or None when it has one."""
    inputs = network.sizes[0]
    if inputs == 2:
        return None
    return (f"The decision boundary needs a network with two inputs; "
            f"this one has {inputs}.")


def grid(inputs, resolution: int, margin: float = 0.1
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, points): ``resolution`` evenly spaced values of x_0 and of x_1 covering the
    training inputs and ``margin`` of their range on each side, and the grid points row by
    row, shape (resolution², 2). A column whose values are all equal gets a unit width
    centred on them (a plane of zero width shows nothing)."""
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 2 or inputs.shape[1] != 2:
        raise ValueError(f"inputs: the decision boundary needs two input columns, "
                         f"got shape {inputs.shape}")
    if inputs.shape[0] == 0:
        raise ValueError("inputs: no observations to place the grid around")
    if not np.all(np.isfinite(inputs)):
        raise ValueError("inputs: the grid needs finite inputs")
    if isinstance(resolution, bool) or int(resolution) != resolution or resolution < 2:
        raise ValueError(f"resolution: at least 2 points per axis, not {resolution!r}")
    if not (math.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin: a non-negative fraction of the range, not {margin!r}")
    resolution = int(resolution)
    low, high = inputs.min(axis=0), inputs.max(axis=0)
    span = high - low
    flat = span <= 1e-12 * np.maximum(1.0, np.abs(high))
    middle = 0.5 * (low + high)
    low = np.where(flat, middle - 0.5, low)
    high = np.where(flat, middle + 0.5, high)
    span = high - low
    low, high = low - margin * span, high + margin * span
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    points = np.empty((resolution * resolution, 2))
    points[:, 0] = np.tile(xs, resolution)
    points[:, 1] = np.repeat(ys, resolution)
    return xs, ys, points


def check_neuron(network: Network, neuron) -> tuple[int, int]:
    """(l, j) as ints, or ValueError naming what does not exist in this network."""
    try:
        l, j = (int(k) for k in neuron)
    except (TypeError, ValueError):
        raise ValueError(f"neuron: expected (layer, index), got {neuron!r}") from None
    if not 0 <= l <= network.layer_count:
        raise ValueError(f"neuron: layer {l} does not exist (layers 0 … {network.layer_count})")
    if not 0 <= j < network.sizes[l]:
        raise ValueError(f"neuron: layer {l} has no neuron {j} "
                         f"(it has {network.sizes[l]})")
    return l, j


def neuron_map(network: Network, points, neuron=None, output: int = 0) -> np.ndarray:
    """The activation a^l_j at every point: of neuron (l, j) when given, else of output
    ``output`` of the last layer. ``points`` has shape (..., 2); the result has its shape
    without the last axis. Layer 0 gives the input coordinate itself. Overflow follows the
    activations' limits (a sigmoid gives exactly 0 or 1) without warnings; the map may hold
    inf for an unbounded network that overflows."""
    message = two_input_message(network)
    if message is not None:
        raise ValueError(message)
    if neuron is None:
        size = network.sizes[-1]
        if isinstance(output, bool) or int(output) != output or not 0 <= output < size:
            raise ValueError(f"output: the network has outputs 0 … {size - 1}, not {output!r}")
        l, j = network.layer_count, int(output)
    else:
        l, j = check_neuron(network, neuron)
    points = np.asarray(points, dtype=float)
    if points.ndim < 1 or points.shape[-1] != 2:
        raise ValueError(f"points: expected shape (..., 2), got {points.shape}")
    flat = points.reshape(-1, 2)
    if l == 0:
        return flat[:, j].copy().reshape(points.shape[:-1])
    values = np.empty(len(flat))
    widest = max(network.sizes[1:l + 1])
    step = max(1, CHUNK_VALUES // widest)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, len(flat), step):  # a few chunks, only for very wide layers
            a = flat[start:start + step]
            for k in range(1, l + 1):
                bias = network.biases[k - 1] if network.bias else None
                _, a = forward_layer(network.weights[k - 1], bias,
                                     network.activations[k - 1], a)
            values[start:start + step] = a[:, j]
    return values.reshape(points.shape[:-1])


def point_seconds(network: Network, layer: int | None = None) -> float:
    """The estimated time one grid point's forward pass up to ``layer`` (default: the
    output) takes: its activations and multiply-adds at the measured rates."""
    last = network.layer_count if layer is None else layer
    activations = sum(network.sizes[1:last + 1])
    multiply_adds = sum(network.sizes[k - 1] * network.sizes[k] for k in range(1, last + 1))
    return activations * SECONDS_PER_ACTIVATION + multiply_adds * SECONDS_PER_MULTIPLY_ADD


def resolution_for(network: Network, layer: int | None = None,
                   seconds: float = MAP_SECONDS) -> int:
    """Points per axis so that a map of a neuron of ``layer`` (default: the output) costs
    about ``seconds`` by the model above: MAX_RESOLUTION for small networks, fewer (down to
    MIN_RESOLUTION) for big ones, a multiple of 4. A model rather than a measurement, so
    that the grid does not change size with the machine's passing load."""
    per_point = max(1e-12, point_seconds(network, layer))
    side = int(math.sqrt(seconds / per_point)) // 4 * 4
    return int(min(MAX_RESOLUTION, max(MIN_RESOLUTION, side)))


def output_levels(activation_name: str, targets: np.ndarray | None = None,
                  margin: float = 0.1) -> tuple[float, float]:
    """Fixed colour levels for a map of ``activation_name``: its range when bounded
    (sigmoid, softmax: (0, 1); tanh: (−1, 1)); else the range of ``targets`` widened by
    ``margin`` of it on each side (a unit width when all targets are equal)."""
    bounds = get_activation(activation_name).output_range
    return bounds if bounds is not None else value_levels(targets, margin)


def value_levels(values, margin: float = 0.1) -> tuple[float, float]:
    """(low, high) of the finite ``values`` widened by ``margin`` of their range on each
    side; a unit width around them when they are all equal, (0, 1) when there are none."""
    values = np.asarray(values, dtype=float) if values is not None else np.empty(0)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = high - low
    if span <= 1e-12 * max(1.0, abs(high)):
        return low - 0.5, high + 0.5
    return low - margin * span, high + margin * span
