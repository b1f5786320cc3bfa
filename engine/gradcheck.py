"""Gradient check: backprop's ∂C/∂θ against finite differences, parameter by parameter.

The numeric derivative is a Richardson-extrapolated central difference,
    D(h) = (C(θ + h) − C(θ − h)) / 2h,   numeric = (4 D(h/2) − D(h)) / 3,
whose error is O(h⁴), so h can be large enough (1e-4) that rounding stays near 1e-12.
The relative error is |backprop − numeric| / max(|backprop|, |numeric|, 1e-5): the floor
compares gradients near zero absolutely. Non-smooth points (relu's kink at n = 0) within h
of a pre-activation give a genuine disagreement, which the check reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import forward_layer
from .network import Network, ParameterAddress

STEP = 1e-4
ERROR_FLOOR = 1e-5
FLAG_ABOVE = 1e-6


@dataclass
class GradientCheck:
    addresses: list[ParameterAddress]
    backprop: np.ndarray
    numeric: np.ndarray
    relative_error: np.ndarray

    @property
    def max_relative_error(self) -> float:
        return float(self.relative_error.max()) if self.relative_error.size else 0.0

    @property
    def worst(self) -> ParameterAddress | None:
        if not self.addresses:
            return None
        return self.addresses[int(np.argmax(self.relative_error))]

    def flagged(self, threshold: float = FLAG_ABOVE) -> list[ParameterAddress]:
        return [a for a, e in zip(self.addresses, self.relative_error, strict=True)
                if e > threshold]


def cost(network: Network, loss, inputs: np.ndarray, targets: np.ndarray) -> float:
    """C at the network's current parameters (forward pass only)."""
    a = inputs
    for l in range(network.layer_count):
        bias = network.biases[l] if network.bias else None
        a = forward_layer(network.weights[l], bias, network.activations[l], a)[1]
    return loss.value(a, targets)


def gradient_check(stepper, step: float = STEP) -> GradientCheck:
    """Check every parameter at the stepper's current state, on the whole data set."""
    trace = stepper.evaluate(full=True)
    probe = stepper.network.copy()
    theta = probe.theta
    numeric = np.empty_like(theta)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for k in range(theta.size):
            original = theta[k]

            def central(h: float, k: int = k, original: float = original) -> float:
                theta[k] = original + h
                plus = cost(probe, stepper.loss, stepper.inputs, stepper.targets)
                theta[k] = original - h
                minus = cost(probe, stepper.loss, stepper.inputs, stepper.targets)
                theta[k] = original
                return (plus - minus) / (2.0 * h)

            numeric[k] = (4.0 * central(step / 2.0) - central(step)) / 3.0
        backprop = trace.gradient.copy()
        scale = np.maximum(np.maximum(np.abs(backprop), np.abs(numeric)), ERROR_FLOOR)
        relative = np.abs(backprop - numeric) / scale
    relative[~np.isfinite(relative)] = np.inf
    return GradientCheck(probe.addresses(), backprop, numeric, relative)
