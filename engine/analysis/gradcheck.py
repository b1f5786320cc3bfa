"""Gradient check: backprop's ∂C/∂θ against finite differences, parameter by parameter.

The numeric derivative is a Richardson-extrapolated central difference,
    D(h) = (C(θ + h) − C(θ − h)) / 2h,   numeric = (4 D(h/2) − D(h)) / 3,
whose error is O(h⁴), so h can be large enough (1e-4) that rounding stays near 1e-12.
The relative error is |backprop − numeric| / max(|backprop|, |numeric|, floor) with
floor = max(1e-5, 1e-4 |C|): gradients near zero are compared absolutely, and the floor grows
with the cost because rounding in C (about ε|C|) reaches the difference quotient as ε|C|/h.
The cost is the engine's own (engine.losses): for a sigmoid output with ``bce`` computed from
the pre-activations as y softplus(−n) + (1 − y) softplus(n), for a softmax output with
cross-entropy as y (logsumexp(n) − n), unclipped — ln(1 − σ(n)) would keep only the digits of
1 − a that a itself kept, which the difference quotient magnifies, and a clipped logarithm
of a saturated output is flat, so its difference quotient would be 0.
Non-smooth points (relu's kink at n = 0) within h of a pre-activation give a genuine
disagreement, which the check reports.

A frozen parameter (``TrainingConfig.frozen``) is checked like any other: its gradient is
computed and shown all the same, only the update leaves the parameter as it is. Its row says
so (``GradientCheck.frozen``, ``row_note``) and ``summary`` counts the frozen ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.backprop import forward_layer
from ..core.network import Network, ParameterAddress
from .symmetry import frozen_mask

STEP = 1e-4
ERROR_FLOOR = 1e-5
COST_FLOOR = 1e-4
FLAG_ABOVE = 1e-6
# a float32 run's gradient carries about 7 digits, and the sums of a pass lose some of them:
# on the examples and a 64-32-10 network its relative errors reach 4e-5 with nothing wrong,
# while a wrong gradient (a missing factor, a transposed term) is off by far more than 1e-3
FLAG_ABOVE_FLOAT32 = 1e-3


def flag_threshold(dtype) -> float:
    """The relative error above which a parameter is flagged, for a run in ``dtype``."""
    return FLAG_ABOVE_FLOAT32 if np.dtype(dtype) == np.float32 else FLAG_ABOVE


@dataclass
class GradientCheck:
    addresses: list[ParameterAddress]
    backprop: np.ndarray
    numeric: np.ndarray
    relative_error: np.ndarray
    # True for the rows of frozen parameters (checked all the same); None: none is frozen
    frozen: np.ndarray | None = None
    threshold: float = FLAG_ABOVE  # flagged above it: flag_threshold of the run's dtype

    @staticmethod
    def joined(parts: list[GradientCheck]) -> GradientCheck:
        """One check of the parameters of ``parts``, in their order (a check made in slices)."""
        frozen = None
        if any(p.frozen is not None for p in parts):
            frozen = np.concatenate([p.frozen if p.frozen is not None
                                     else np.zeros(len(p.addresses), dtype=bool)
                                     for p in parts])
        return GradientCheck(
            [a for p in parts for a in p.addresses],
            np.concatenate([p.backprop for p in parts]) if parts else np.empty(0),
            np.concatenate([p.numeric for p in parts]) if parts else np.empty(0),
            np.concatenate([p.relative_error for p in parts]) if parts else np.empty(0),
            frozen, max((p.threshold for p in parts), default=FLAG_ABOVE))

    @property
    def frozen_count(self) -> int:
        return 0 if self.frozen is None else int(np.count_nonzero(self.frozen))

    def is_frozen(self, row: int) -> bool:
        return self.frozen is not None and bool(self.frozen[row])

    def row_note(self, row: int) -> str:
        """What a row adds to its numbers: "" or that the parameter is frozen."""
        if self.is_frozen(row):
            return "frozen: its gradient is checked, the update leaves it as it is"
        return ""

    def summary(self, threshold: float | None = None) -> str:
        """One sentence: how many parameters agree or are flagged, the worst, the frozen."""
        threshold = self.threshold if threshold is None else threshold
        count, flagged = len(self.addresses), self.flagged(threshold)
        worst = self.worst
        at = f" at {worst}" if worst is not None else ""
        if flagged:
            text = (f"{len(flagged)} of {count} parameters flagged (relative error above "
                    f"{threshold:g}); worst {self.max_relative_error:.2g}{at}.")
        else:
            text = (f"All {count} parameters agree within {threshold:g} (worst relative "
                    f"error {self.max_relative_error:.2g}{at}).")
        frozen = self.frozen_count
        if frozen:
            verb = "is" if frozen == 1 else "are"
            text += (f" {frozen} of them {verb} frozen: checked all the same, since "
                     "their gradient is computed; the update leaves them as they are.")
        return text

    @property
    def max_relative_error(self) -> float:
        return float(self.relative_error.max()) if self.relative_error.size else 0.0

    @property
    def worst(self) -> ParameterAddress | None:
        if not self.addresses:
            return None
        return self.addresses[int(np.argmax(self.relative_error))]

    def flagged(self, threshold: float | None = None) -> list[ParameterAddress]:
        threshold = self.threshold if threshold is None else threshold
        return [a for a, e in zip(self.addresses, self.relative_error, strict=True)
                if e > threshold]


def cost(network: Network, loss, inputs: np.ndarray, targets: np.ndarray) -> float:
    """C at the network's current parameters (forward pass only)."""
    n, a = None, inputs
    for l in range(network.layer_count):
        bias = network.biases[l] if network.bias else None
        n, a = forward_layer(network.weights[l], bias, network.activations[l], a)
    return loss.value(n, a, targets)


def gradient_check(stepper, step: float = STEP, indices=None) -> GradientCheck:
    """Check every parameter (or those at ``indices`` of θ, in that order) at the stepper's
    current state, on the whole data set; frozen ones too, their rows marked ``frozen``."""
    trace = stepper.evaluate(full=True)
    probe = stepper.network.copy()
    probe.set_dtype(np.float64)  # finite differences in float64, whatever the run
    theta = probe.theta
    indices = np.arange(theta.size) if indices is None else np.asarray(indices, dtype=int)
    numeric = np.empty(len(indices))
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for position, k in enumerate(indices):
            original = theta[k]

            def central(h: float, k: int = int(k), original: float = original) -> float:
                theta[k] = original + h
                plus = cost(probe, stepper.loss, stepper.inputs, stepper.targets)
                theta[k] = original - h
                minus = cost(probe, stepper.loss, stepper.inputs, stepper.targets)
                theta[k] = original
                return (plus - minus) / (2.0 * h)

            numeric[position] = (4.0 * central(step / 2.0) - central(step)) / 3.0
        backprop = trace.gradient[indices].copy()
        floor = ERROR_FLOOR
        if trace.loss is not None and np.isfinite(trace.loss):
            floor = max(ERROR_FLOOR, COST_FLOOR * abs(trace.loss))
        scale = np.maximum(np.maximum(np.abs(backprop), np.abs(numeric)), floor)
        relative = np.abs(backprop - numeric) / scale
    relative[~np.isfinite(relative)] = np.inf
    addresses = probe.addresses()
    mask = frozen_mask(probe, stepper.config.frozen)
    return GradientCheck([addresses[k] for k in indices], backprop, numeric, relative,
                         None if mask is None else mask[indices],
                         flag_threshold(stepper.network.theta.dtype))
