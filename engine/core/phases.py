"""The phases of one iteration, and the error a phase raises when it makes inf or NaN.

One iteration of a network with L non-input layers is 2L + 2 phases:
    forward 1 … forward L, loss, backward L … backward 1, update.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Phase:
    kind: str  # "forward", "loss", "backward" or "update"
    layer: int | None = None

    def __str__(self) -> str:
        return f"{self.kind} layer {self.layer}" if self.layer is not None else self.kind


class NonFiniteError(ArithmeticError):
    """A phase produced inf or NaN. Attributes name where."""

    def __init__(self, iteration: int, phase: Phase, quantity: str, where: str) -> None:
        self.iteration = iteration
        self.phase = phase
        self.layer = phase.layer
        self.quantity = quantity
        self.where = where
        super().__init__(
            f"iteration {iteration}, {phase}: {quantity} is not finite ({where}); "
            "try a smaller learning rate, or step back"
        )


def phases_of(layer_count: int) -> list[Phase]:
    forward = [Phase("forward", l) for l in range(1, layer_count + 1)]
    backward = [Phase("backward", l) for l in range(layer_count, 0, -1)]
    return forward + [Phase("loss")] + backward + [Phase("update")]


def first_non_finite(values: np.ndarray) -> str:
    array = np.atleast_1d(np.asarray(values))
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
    value = array[index]
    if array.ndim == 2:
        return f"{value} at observation {index[0]}, neuron {index[1]}"
    return f"{value} at index {index}"
