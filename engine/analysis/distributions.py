"""Per layer, what the numbers look like as a whole (issue 16): histograms of the weights, the
gradients and the activations, their histograms over the iterations (a heatmap, like
TensorBoard's), and the neurons that have stopped learning.

Quantities, for layer l = 1 … L (layer 0 is the inputs):

- ``weights``: W^{l−1}, the weights into layer l (biases left out);
- ``gradients``: ∂C/∂W^{l−1}, summed over the observations as the stepper sums them;
- ``activations``: a^l, every observation's.

Neurons that have stopped learning, at the current parameters, on every observation of the
data set (the rules, as the panel states them):

- a **dead ReLU** (relu layers): a^l_j = 0 on every observation (n^l_j ≤ 0 everywhere), so
  ∂a/∂n = 0 and no gradient reaches its incoming weights; leaky ReLUs never die;
- a **saturated** neuron (sigmoid layers; tanh too): |n^l_j| > 4 on every observation for a
  sigmoid, |n^l_j| > 2 for tanh. There the slope is below 7.1 % of its peak (σ'(4) = 0.0177 of
  0.25; tanh'(2) = 0.0707 of 1: the same curve, since σ(n) = (1 + tanh(n/2)) / 2), and a sigmoid's
  a is below 0.018 or above 0.982. The rule is read on n: at n = 4 exactly, a = σ(4) = 0.98201
  is not saturated, though a rule on a rounded to 0.982 would say it is.

Over the iterations the rows come from the history the stepper keeps: its parameter snapshots
(θ at the start of an iteration, every ``parameter_stride``-th iteration, the stride doubling
to keep them within their memory budget: engine.core.history). Of those, the heatmap takes the
iterations that are multiples of the smallest power of two leaving at most ``MAX_ROWS`` rows,
so a row once computed stays a row as the run grows. The gradients and activations of a row
are a forward and backward pass on all observations at that row's parameters (with the loss in
use now), computed once and kept (a few KB a row: only the histograms). Each row is kept as a
histogram of ``ROW_BINS`` bins over its own range; the heatmap re-bins every row onto one range
(a bin's count spread over the display bins it overlaps)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from ..core.backprop import Trace, compute_phase
from ..core.losses import get_loss
from ..core.network import Network
from ..core.phases import phases_of

QUANTITIES = ("weights", "gradients", "activations")
BINS = 40  # the current state's histograms
ROW_BINS = 64  # each heatmap row, over its own range
MAX_ROWS = 64  # heatmap rows at most
# |n| beyond which a neuron is saturated on an observation (see the module docstring)
SATURATION = {"sigmoid": 4.0, "tanh": 2.0}
DEAD = ("relu",)


# ------------------------------------------------------------------- histograms
@dataclass(frozen=True)
class Histogram:
    """Counts of the finite values in ``len(counts)`` equal bins between ``edges[0]`` and
    ``edges[-1]`` (as numpy.histogram counts them: each bin half-open but the last);
    ``non_finite``: the values left out (inf, NaN)."""

    counts: np.ndarray
    edges: np.ndarray
    non_finite: int = 0

    @property
    def total(self) -> int:
        return int(self.counts.sum()) + self.non_finite

    @property
    def low(self) -> float:
        return float(self.edges[0])

    @property
    def high(self) -> float:
        return float(self.edges[-1])


def histogram(values, bins: int = BINS) -> Histogram:
    """``bins`` equal bins over the range of the finite values (numpy.histogram's bins and
    counts for them); no finite value: zero counts over [0, 1]."""
    if isinstance(bins, bool) or int(bins) != bins or bins < 1:
        raise ValueError(f"bins: a whole number ≥ 1, not {bins!r}")
    values = np.asarray(values, dtype=float).ravel()
    finite = np.isfinite(values)
    kept = values if finite.all() else values[finite]
    if kept.size == 0:
        return Histogram(np.zeros(int(bins), dtype=np.int64), np.linspace(0.0, 1.0, int(bins) + 1),
                         int(values.size))
    counts, edges = np.histogram(kept, bins=int(bins))
    return Histogram(counts.astype(np.int64), edges, int(values.size - kept.size))


def rebin(source: Histogram, edges: np.ndarray) -> np.ndarray:
    """``source``'s counts moved onto the bins ``edges``, each source bin's count spread over
    the bins it overlaps in proportion to the overlap (as if its values were spread evenly
    across it); what lies beyond ``edges`` is left out."""
    edges = np.asarray(edges, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(source.counts, dtype=float)])
    return np.diff(np.interp(edges, source.edges, cumulative))


# ------------------------------------------------------------------- the values
def evaluate(network: Network, inputs, targets, loss: str) -> Trace:
    """Forward and backward on every observation at ``network``'s parameters, nothing
    updated (the stepper's kernels); non-finite values stay in the trace."""
    inputs, targets = np.asarray(inputs, dtype=float), np.asarray(targets, dtype=float)
    trace = Trace(network.layer_count, inputs, targets)
    trace.gradient = np.zeros_like(network.theta)
    gradient_weights, gradient_biases, _ = network.layout(trace.gradient)
    with np.errstate(all="ignore"):
        for phase in phases_of(network.layer_count)[:-1]:
            compute_phase(network, get_loss(loss), phase.kind, phase.layer, trace,
                          gradient_weights, gradient_biases)
    return trace


def layer_values(network: Network, trace: Trace | None, quantity: str,
                 layer: int) -> np.ndarray | None:
    """The values of ``quantity`` for layer ``layer`` (1 … L); None when the trace has not
    computed them (a pass stopped before that phase)."""
    if not 1 <= layer <= network.layer_count:
        raise ValueError(f"layer: 1 … {network.layer_count}, not {layer}")
    if quantity == "weights":
        return network.weights[layer - 1]
    if quantity == "gradients":
        return None if trace is None else trace.weight_gradients[layer - 1]
    if quantity == "activations":
        return None if trace is None else trace.activations[layer]
    raise ValueError(f"quantity: one of {', '.join(QUANTITIES)}, not {quantity!r}")


def histograms(network: Network, trace: Trace | None,
               bins: int = BINS) -> dict[tuple[str, int], Histogram | None]:
    """Every quantity's histogram for every layer: {(quantity, layer): Histogram or None}."""
    result = {}
    for layer in range(1, network.layer_count + 1):
        for quantity in QUANTITIES:
            values = layer_values(network, trace, quantity, layer)
            result[quantity, layer] = None if values is None else histogram(values, bins)
    return result


# -------------------------------------------------------- neurons that stopped learning
def dead_neurons(activations: np.ndarray) -> np.ndarray:
    """The columns (neurons) whose activation is 0 on every row (observation)."""
    activations = np.asarray(activations, dtype=float)
    return np.flatnonzero(np.all(activations == 0.0, axis=0))


def saturated_neurons(pre_activations: np.ndarray, limit: float) -> np.ndarray:
    """The columns (neurons) whose |n| exceeds ``limit`` on every row (observation)."""
    pre_activations = np.asarray(pre_activations, dtype=float)
    return np.flatnonzero(np.all(np.abs(pre_activations) > limit, axis=0))


@dataclass(frozen=True)
class LayerCount:
    """One layer's neurons that stopped learning: ``kind`` "dead" (ReLU), "saturated"
    (sigmoid, tanh) or None (its activation has no such rule); ``neurons`` their indices
    (None: the trace has not reached the layer)."""

    layer: int
    activation: str
    size: int
    kind: str | None
    neurons: np.ndarray | None = field(default=None)

    @property
    def count(self) -> int | None:
        return None if self.neurons is None else len(self.neurons)

    def describe(self) -> str:
        if self.kind is None:
            return "—"
        if self.neurons is None:
            return "not computed yet"
        what = "dead ReLU" if self.kind == "dead" else f"saturated {self.activation}"
        plural = "" if self.count == 1 else "s"
        return f"{self.count} {what}{plural} of {self.size}"


def rule(activation: str) -> str | None:
    """The rule a layer of ``activation`` is counted by, in words (None: none)."""
    if activation in DEAD:
        return "dead: a = 0 on every observation"
    if activation in SATURATION:
        return f"saturated: |n| > {SATURATION[activation]:g} on every observation"
    return None


def neuron_counts(network: Network, trace: Trace | None) -> list[LayerCount]:
    """Per layer 1 … L: its dead ReLUs or saturated sigmoids (tanh) at the trace."""
    counts = []
    for layer in range(1, network.layer_count + 1):
        name = network.activation_names[layer - 1]
        size = network.sizes[layer]
        if name in DEAD:
            a = None if trace is None else trace.activations[layer]
            counts.append(LayerCount(layer, name, size, "dead",
                                     None if a is None else dead_neurons(a)))
        elif name in SATURATION:
            n = None if trace is None else trace.pre_activations[layer]
            counts.append(LayerCount(layer, name, size, "saturated",
                                     None if n is None
                                     else saturated_neurons(n, SATURATION[name])))
        else:
            counts.append(LayerCount(layer, name, size, None))
    return counts


# --------------------------------------------------------------- over the iterations
def row_iterations(snapshot_iterations, upto: int,
                   max_rows: int = MAX_ROWS) -> tuple[np.ndarray, int]:
    """(the heatmap's iterations, their spacing k): those of ``snapshot_iterations`` at most
    ``upto`` that are multiples of k, the smallest power of two leaving at most ``max_rows``."""
    if max_rows < 1:
        raise ValueError(f"max_rows: at least 1, not {max_rows}")
    iterations = np.asarray(snapshot_iterations, dtype=np.int64)
    iterations = iterations[iterations <= upto]
    k = 1
    chosen = iterations
    while len(chosen) > max_rows:
        k *= 2
        chosen = iterations[iterations % k == 0]
    return chosen, k


def fingerprint(theta: np.ndarray) -> bytes:
    """A short digest of a parameter vector: a row recorded again after an edit differs."""
    return hashlib.blake2b(np.ascontiguousarray(theta).tobytes(), digest_size=16).digest()


@dataclass
class Row:
    iteration: int
    digest: bytes
    histograms: dict[tuple[str, int], Histogram]


@dataclass
class Heatmap:
    """``image[r, b]``: row r's share of its largest bin in bin b (0 … 1; each row scaled to
    its own peak, so a narrow distribution shows as well as a wide one; NaN: not computed
    yet); ``edges`` the value bins, ``iterations`` the rows'."""

    image: np.ndarray
    edges: np.ndarray
    iterations: np.ndarray


class DistributionHistory:
    """The heatmap's rows, computed from a stepper's parameter snapshots as asked and kept
    (only their histograms) while they are rows. ``sync(stepper)`` says which rows are due;
    ``compute(stepper, limit)`` computes up to ``limit`` of the missing ones (each a pass
    over the data set)."""

    def __init__(self, max_rows: int = MAX_ROWS, bins: int = ROW_BINS) -> None:
        self.max_rows = max_rows
        self.bins = bins
        self.rows: dict[int, Row] = {}
        self.iterations = np.zeros(0, dtype=np.int64)  # the rows due, oldest first
        self.spacing = 1
        self.now: Row | None = None  # the current position's, when no snapshot row is there
        self._revision: tuple | None = None

    def clear(self) -> None:
        self.rows.clear()
        self.now = None
        self.iterations = np.zeros(0, dtype=np.int64)
        self._revision = None

    def _snapshots(self, stepper) -> tuple[np.ndarray, np.ndarray]:
        history = stepper.history
        return history.snapshot_iterations, history.snapshots

    def sync(self, stepper) -> None:
        """The rows due at the stepper's position: the snapshots before the iteration it is
        in (that one's is ``set_now``'s, from what the caller may show: predict mode hides
        what a phase not yet checked computed); rows no longer due are dropped, and after
        the history changed its rows (an edit's truncation) a kept row whose parameters
        differ is computed again."""
        iterations, snapshots = self._snapshots(stepper)
        self.iterations, self.spacing = row_iterations(iterations, stepper.iteration - 1,
                                                       self.max_rows)
        revision = (id(stepper), stepper.history.revision)
        if revision != self._revision:
            where = {int(t): k for k, t in enumerate(iterations)}
            for t, row in list(self.rows.items()):
                if t not in where or fingerprint(snapshots[where[t]]) != row.digest:
                    del self.rows[t]
            self._revision = revision
        due = set(self.iterations.tolist())
        for t in [t for t in self.rows if t not in due]:
            del self.rows[t]

    def set_now(self, iteration: int, histograms: dict[tuple[str, int], Histogram | None]
                ) -> None:
        """The histograms at the current position, in iteration ``iteration``: the heatmap's
        last row."""
        self.now = Row(int(iteration), b"", histograms)

    @property
    def shown_iterations(self) -> np.ndarray:
        """The heatmap's rows: the snapshots' due, and the current position's after them."""
        its = self.iterations
        if self.now is not None and (not len(its) or self.now.iteration > its[-1]):
            return np.append(its, self.now.iteration)
        return its

    def _row(self, t: int) -> Row | None:
        if self.now is not None and t == self.now.iteration:
            return self.now
        return self.rows.get(t)

    @property
    def missing(self) -> list[int]:
        """The rows due not computed yet, the newest first (the run's end matters most)."""
        return [int(t) for t in self.iterations[::-1] if int(t) not in self.rows]

    def compute(self, stepper, limit: int | None = None) -> int:
        """Compute up to ``limit`` missing rows (None: all); returns how many are left."""
        iterations, snapshots = self._snapshots(stepper)
        where = {int(t): k for k, t in enumerate(iterations)}
        missing = self.missing
        todo = missing if limit is None else missing[: max(0, limit)]
        base = stepper.network
        for t in todo:
            theta = snapshots[where[t]]
            network = Network(base.sizes, base.activation_names, base.bias, theta)
            trace = evaluate(network, stepper.inputs, stepper.targets, stepper.config.loss)
            self.rows[t] = Row(t, fingerprint(theta), histograms(network, trace, self.bins))
        return len(missing) - len(todo)

    def heatmap(self, quantity: str, layer: int, bins: int = 48) -> Heatmap | None:
        """Every row due of ``quantity`` in layer ``layer`` on one range, oldest first; a row
        not computed yet (or with no finite value) is NaN. None: no row to show."""
        iterations = self.shown_iterations
        rows = [self._row(int(t)) for t in iterations]
        hists = [None if row is None else row.histograms.get((quantity, layer)) for row in rows]
        shown = [h for h in hists if h is not None and h.counts.sum() > 0]
        if not shown:
            return None
        low = min(h.low for h in shown)
        high = max(h.high for h in shown)
        if not high > low:
            low, high = low - 0.5, high + 0.5
        edges = np.linspace(low, high, bins + 1)
        image = np.full((len(hists), bins), np.nan)
        for r, h in enumerate(hists):
            if h is not None and h.counts.sum() > 0:
                counts = rebin(h, edges)
                image[r] = counts / counts.max()
        return Heatmap(image, edges, iterations.copy())

    @property
    def nbytes(self) -> int:
        """What the kept rows hold (their histograms' arrays)."""
        return sum(h.counts.nbytes + h.edges.nbytes for row in self.rows.values()
                   for h in row.histograms.values() if h is not None)


# ------------------------------------------------------------------- weight images
def image_side(inputs: int, least: int = 16) -> int | None:
    """The side of the square image ``inputs`` values make (784 → 28, 64 → 8), or None when
    ``inputs`` is not a perfect square of at least ``least``."""
    side = math.isqrt(int(inputs))
    return side if side * side == inputs and inputs >= least else None


def no_image_message(inputs: int) -> str | None:
    """Why layer 1's incoming weights make no images, or None when they do."""
    if image_side(inputs) is not None:
        return None
    return (f"Each neuron of layer 1 has {inputs} incoming weights, not a square number of "
            f"at least 16 (like 784 = 28² or 64 = 8²), so they make no image: the weight "
            f"images are for networks whose inputs are the pixels of a square picture.")


def weight_images(weights: np.ndarray, side: int) -> np.ndarray:
    """W^0 (inputs × neurons) as one side × side image per neuron: ``images[j, r, c]`` is
    w^0_{r·side + c, j}, the weight from pixel (r, c) (row-major, as MNIST is flattened)."""
    weights = np.asarray(weights, dtype=float)
    if weights.shape[0] != side * side:
        raise ValueError(f"weights: expected {side * side} rows for {side} × {side} images, "
                         f"got {weights.shape[0]}")
    return weights.T.reshape(weights.shape[1], side, side)


def diverging_rgb(values: np.ndarray, scale: float | np.ndarray) -> np.ndarray:
    """uint8 RGB of ``values`` on a blue – white – red map centred at 0: white at 0, pure red
    (255, 0, 0) at +scale and beyond, pure blue (0, 0, 255) at −scale and beyond. ``scale``
    may be one number or one per leading index (broadcast over the rest)."""
    values = np.asarray(values, dtype=float)
    scale = np.asarray(scale, dtype=float)
    scale = scale.reshape(scale.shape + (1,) * (values.ndim - scale.ndim))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(scale > 0, values / scale, 0.0)
    t = np.clip(np.nan_to_num(t, nan=0.0), -1.0, 1.0)
    fade = np.rint(255.0 * (1.0 - np.abs(t))).astype(np.uint8)  # how far from white
    full = np.full_like(fade, 255)
    red = np.where(t >= 0, full, fade)
    blue = np.where(t <= 0, full, fade)
    return np.stack([red, fade, blue], axis=-1)
