"""Cost functions C(a, y) over a batch: ``a`` the output activations, ``y`` the targets,
both (observations × outputs); m = observations, k = outputs.

=================  ==========================================  ============================
name               C                                           ∂C/∂a
=================  ==========================================  ============================
``sse``            Σ_o Σ_j (a − y)²   (seed 000's cost)         2 (a − y)
``mse``            sse / (m · k)                               2 (a − y) / (m · k)
``bce``            −(1/m) Σ_o Σ_j [y ln a + (1 − y) ln(1 − a)]  (a − y) / (m · a (1 − a))
``cross_entropy``  −(1/m) Σ_o Σ_j y ln a                       −y / (m · a)
=================  ==========================================  ============================

``bce`` needs a sigmoid output layer and ``cross_entropy`` a softmax one. For those two
pairs δ = ∂C/∂n of the output layer is computed in its simplified closed form
(sigmoid + bce: (a − y)/m; softmax + cross-entropy: (a Σ_j y_j − y)/m), which is the
exact product ∂C/∂a · ∂a/∂n without the division by a (1 − a) that loses precision
when a neuron saturates. In ``bce`` and ``cross_entropy`` the logarithms see a clipped
into [1e-12, 1 − 1e-12] so that a saturated output gives a large finite cost, not inf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LOG_CLIP = 1e-12


@dataclass(frozen=True)
class Loss:
    name: str
    formula: str
    derivative_formula: str
    value: Callable[[np.ndarray, np.ndarray], float]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    required_output: str | None = None


def _sse(a: np.ndarray, y: np.ndarray) -> float:
    error = a - y
    return float(np.sum(error * error))


def _sse_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 2.0 * (a - y)


def _mse(a: np.ndarray, y: np.ndarray) -> float:
    return _sse(a, y) / a.size


def _mse_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (2.0 / a.size) * (a - y)


def _bce(a: np.ndarray, y: np.ndarray) -> float:
    clipped = np.clip(a, LOG_CLIP, 1.0 - LOG_CLIP)
    total = np.sum(y * np.log(clipped) + (1.0 - y) * np.log(1.0 - clipped))
    return float(-total / a.shape[0])


def _bce_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    clipped = np.clip(a, LOG_CLIP, 1.0 - LOG_CLIP)
    return (clipped - y) / (a.shape[0] * clipped * (1.0 - clipped))


def _cross_entropy(a: np.ndarray, y: np.ndarray) -> float:
    clipped = np.maximum(a, LOG_CLIP)
    return float(-np.sum(y * np.log(clipped)) / a.shape[0])


def _cross_entropy_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -y / (a.shape[0] * np.maximum(a, LOG_CLIP))


LOSSES: dict[str, Loss] = {
    "sse": Loss("sse", "Σ (a − y)²", "2 (a − y)", _sse, _sse_gradient),
    "mse": Loss("mse", "Σ (a − y)² / (m·k)", "2 (a − y) / (m·k)", _mse, _mse_gradient),
    "bce": Loss(
        "bce",
        "−(1/m) Σ [y ln a + (1 − y) ln(1 − a)]",
        "(a − y) / (m · a (1 − a))",
        _bce,
        _bce_gradient,
        required_output="sigmoid",
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        "−(1/m) Σ y ln a",
        "−y / (m · a)",
        _cross_entropy,
        _cross_entropy_gradient,
        required_output="softmax",
    ),
}

LOSS_NAMES = tuple(LOSSES)


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(LOSS_NAMES)
        raise ValueError(f"unknown loss {name!r} (known: {known})") from None


def output_delta(
    loss: Loss, activation_name: str, a: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """δ of the output layer in closed form for the matched pairs, else None."""
    if loss.name == "bce" and activation_name == "sigmoid":
        return (a - y) / a.shape[0]
    if loss.name == "cross_entropy" and activation_name == "softmax":
        return (a * np.sum(y, axis=1, keepdims=True) - y) / a.shape[0]
    return None
