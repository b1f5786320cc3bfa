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


# what each kind of quantity is called, from its layer l (a weight or bias gradient: the l
# of W^l, b^l); the neuron-valued ones have a row per observation and a column per neuron
_SYMBOLS = {
    "pre_activations": "pre-activations n^{l}", "activations": "activations a^{l}",
    "dcost_da": "∂C/∂a^{l}", "da_dn": "∂a^{l}/∂n^{l}", "delta": "δ^{l}",
    "weight_gradient": "∂C/∂W^{l}", "bias_gradient": "∂C/∂b^{l}", "loss": "loss",
    "update": "the update",
}
NEURON_VALUED = ("pre_activations", "activations", "dcost_da", "da_dn", "delta")


@dataclass(frozen=True)
class Quantity:
    """What a phase computed: a kind (a key of _SYMBOLS) and its layer."""

    kind: str
    layer: int | None = None

    def __str__(self) -> str:
        return _SYMBOLS[self.kind].format(l=self.layer)


class NonFiniteError(ArithmeticError):
    """A phase produced inf or NaN, and where: the ``what`` (a Quantity) and, in it, the
    ``index`` of the first bad value and that ``value``; for the update, the ``parameter``
    (a ParameterAddress) whose new value would not be finite. ``quantity`` and ``where`` are
    the same in words, as the message says them."""

    def __init__(self, iteration: int, phase: Phase, what: Quantity,
                 index: tuple[int, ...] = (), value: float = float("nan"),
                 parameter=None) -> None:
        self.iteration = iteration
        self.phase = phase
        self.layer = phase.layer
        self.what = what
        self.index = tuple(int(i) for i in index)
        self.value = float(value)
        self.parameter = parameter
        self.quantity = (f"the update of {parameter}" if parameter is not None
                         else str(what))
        super().__init__(
            f"iteration {iteration}, {phase}: {self.quantity} is not finite ({self.where}); "
            "try a smaller learning rate, or step back"
        )

    @property
    def where(self) -> str:
        if self.parameter is not None:
            return f"{self.value} at index {self.index[0]} of θ"
        if len(self.index) == 2:
            return f"{self.value} at observation {self.index[0]}, neuron {self.index[1]}"
        if self.index:
            return f"{self.value} at index {self.index}"
        return repr(self.value)

    @property
    def neuron(self) -> tuple[int, int] | None:
        """(layer, j) of the neuron whose value went bad, for the neuron-valued quantities."""
        if self.what.kind in NEURON_VALUED and len(self.index) == 2:
            return self.what.layer, self.index[1]
        return None

    @property
    def weight_or_bias(self):
        """The ParameterAddress the fault is about: the update's parameter, or the weight
        (rows: source neurons, columns: targets) or bias of a bad gradient; else None."""
        from .network import ParameterAddress

        if self.parameter is not None:
            return self.parameter
        if self.what.kind == "weight_gradient" and len(self.index) == 2:
            return ParameterAddress.weight(self.what.layer, *self.index)
        if self.what.kind == "bias_gradient" and len(self.index) == 1:
            return ParameterAddress.bias(self.what.layer, self.index[0])
        return None


def phases_of(layer_count: int) -> list[Phase]:
    forward = [Phase("forward", l) for l in range(1, layer_count + 1)]
    backward = [Phase("backward", l) for l in range(layer_count, 0, -1)]
    return forward + [Phase("loss")] + backward + [Phase("update")]


def first_non_finite(values) -> tuple[tuple[int, ...], float]:
    """(index, value) of the first inf or NaN in ``values`` (an array, or a scalar: index ())."""
    array = np.asarray(values)
    if array.ndim == 0:
        return (), float(array)
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
    return index, float(array[index])
