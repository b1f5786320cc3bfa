"""A fully connected network: its structure and its parameters.

Addressing follows seed 000: ``weights[l][i, j]`` (w^l_{i,j}) is the weight from neuron i
of layer l to neuron j of layer l+1, ``biases[l][j]`` (b^l_j) the bias of neuron j of layer
l+1. Layer 0 is the inputs. All parameters live in one flat vector ``theta`` laid out as
W^0, b^0, W^1, b^1, … (each W row-major); ``weights`` and ``biases`` are views into it, so
an optimiser updates every parameter in one operation and a snapshot is one copy.
Without biases, ``theta`` holds only weights and ``biases`` are read-only zeros.

``theta`` is float64, or float32 in a float32 run (``set_dtype``: the stepper sets it from
``training.dtype``; the views follow). ``copy()`` keeps the dtype.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .limits import MAX_LAYERS, MAX_NEURONS_PER_LAYER, MAX_PARAMETERS

__all__ = ["MAX_LAYERS", "MAX_NEURONS_PER_LAYER", "MAX_PARAMETERS", "Network",
           "ParameterAddress", "augment", "parameter_count", "validate_structure"]


@dataclass(frozen=True)
class ParameterAddress:
    """One weight (kind 'w': layer, source, target) or bias (kind 'b': layer, target)."""

    kind: str
    layer: int
    source: int | None
    target: int

    @staticmethod
    def weight(layer: int, source: int, target: int) -> ParameterAddress:
        return ParameterAddress("w", layer, source, target)

    @staticmethod
    def bias(layer: int, target: int) -> ParameterAddress:
        return ParameterAddress("b", layer, None, target)

    def __str__(self) -> str:
        if self.kind == "w":
            return f"w^{self.layer}_{{{self.source},{self.target}}}"
        return f"b^{self.layer}_{self.target}"

    @staticmethod
    def parse(text: str) -> ParameterAddress:
        """The inverse of ``str``: ``w^l_{i,j}`` or ``b^l_j`` (``b^l_{j}`` too), surrounding
        spaces allowed; ValueError for anything else. It does not check a network has it."""
        cleaned = text.strip()
        weight, bias = _WEIGHT_NAME.fullmatch(cleaned), _BIAS_NAME.fullmatch(cleaned)
        if weight:
            return ParameterAddress.weight(*map(int, weight.groups()))
        if bias:
            return ParameterAddress.bias(int(bias[1]), int(bias[2] or bias[3]))
        raise ValueError(f"{cleaned!r} is not a weight or bias name (like w^0_{{1,2}} or "
                         "b^1_0)")


# the names str gives, ASCII digits only: w^l_{i,j} and b^l_j (or b^l_{j})
_WEIGHT_NAME = re.compile(r"w\^([0-9]+)_\{([0-9]+),([0-9]+)\}")
_BIAS_NAME = re.compile(r"b\^([0-9]+)_(?:\{([0-9]+)\}|([0-9]+))")


def validate_structure(sizes: list[int], activations: list[str]) -> None:
    if len(sizes) < 2:
        raise ValueError("layers: a network needs an input and an output layer")
    if len(sizes) > MAX_LAYERS:
        raise ValueError(f"layers: at most {MAX_LAYERS} layers")
    for index, size in enumerate(sizes):
        if not 1 <= size <= MAX_NEURONS_PER_LAYER:
            raise ValueError(
                f"layers[{index}]: a layer has 1 to {MAX_NEURONS_PER_LAYER} neurons, not {size}"
            )
    if len(activations) != len(sizes) - 1:
        raise ValueError(
            f"activations: expected {len(sizes) - 1} (one per non-input layer), "
            f"got {len(activations)}"
        )
    for index, name in enumerate(activations):
        activation = get_activation(name)
        if activation.output_only and index != len(activations) - 1:
            raise ValueError(f"activations[{index}]: {name} is allowed on the output layer only")
    count = parameter_count(sizes, True)
    if count > MAX_PARAMETERS:
        raise ValueError(f"layers: {count} parameters, more than the limit of {MAX_PARAMETERS}")


def parameter_count(sizes: list[int], bias: bool) -> int:
    return sum(
        sizes[l] * sizes[l + 1] + (sizes[l + 1] if bias else 0) for l in range(len(sizes) - 1)
    )


class Network:
    def __init__(
        self,
        sizes: list[int],
        activations: list[str],
        bias: bool = True,
        theta: np.ndarray | None = None,
        dtype=None,
    ) -> None:
        """``dtype``: float64 by default, or that of a float32 ``theta``."""
        sizes = [int(s) for s in sizes]
        activations = list(activations)
        validate_structure(sizes, activations)
        self.sizes: list[int] = sizes
        self.activation_names: list[str] = activations
        self.activations = [get_activation(name) for name in activations]
        self.bias: bool = bool(bias)
        count = parameter_count(sizes, self.bias)
        if dtype is None:
            float32 = isinstance(theta, np.ndarray) and theta.dtype == np.float32
            dtype = np.float32 if float32 else np.float64
        if theta is None:
            self.theta = np.zeros(count, dtype)
        else:
            theta = np.asarray(theta, dtype=dtype)
            if theta.shape != (count,):
                raise ValueError(f"theta: expected {count} parameters, got {theta.shape}")
            self.theta = theta.copy()
        self.weights, self.biases, self._offsets = self.layout(self.theta)

    @property
    def dtype(self) -> np.dtype:
        return self.theta.dtype

    def set_dtype(self, dtype) -> None:
        """Hold the parameters in ``dtype`` (float32 rounds each to nearest); ``weights`` and
        ``biases`` become views of the new ``theta``. Nothing happens when it is the same."""
        if self.theta.dtype == np.dtype(dtype):
            return
        self.theta = self.theta.astype(dtype)
        self.weights, self.biases, self._offsets = self.layout(self.theta)

    # ----------------------------------------------------------------- structure
    @property
    def layer_count(self) -> int:
        """L: the number of non-input layers (the output layer is layer L)."""
        return len(self.sizes) - 1

    def layout(
        self, flat: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray], list[tuple[int, int]]]:
        """Views of the weight matrices and bias vectors inside a flat parameter vector."""
        weights, biases, offsets = [], [], []
        offset = 0
        for l in range(self.layer_count):
            rows, cols = self.sizes[l], self.sizes[l + 1]
            weight_offset = offset
            weights.append(flat[offset : offset + rows * cols].reshape(rows, cols))
            offset += rows * cols
            bias_offset = offset
            if self.bias:
                biases.append(flat[offset : offset + cols])
                offset += cols
            else:
                zeros = np.zeros(cols, flat.dtype)
                zeros.flags.writeable = False
                biases.append(zeros)
            offsets.append((weight_offset, bias_offset))
        return weights, biases, offsets

    def copy(self) -> Network:
        return Network(self.sizes, self.activation_names, self.bias, self.theta, self.theta.dtype)

    def same_structure(self, other: Network) -> bool:
        return (
            self.sizes == other.sizes
            and self.activation_names == other.activation_names
            and self.bias == other.bias
        )

    # ------------------------------------------------------------- parameters
    def flat_index(self, address: ParameterAddress) -> int:
        self.check_address(address)
        weight_offset, bias_offset = self._offsets[address.layer]
        if address.kind == "w":
            return weight_offset + address.source * self.sizes[address.layer + 1] + address.target
        return bias_offset + address.target

    def check_address(self, address: ParameterAddress) -> None:
        l = address.layer
        if not 0 <= l < self.layer_count:
            raise ValueError(f"{address}: layer {l} has no outgoing parameters")
        if not 0 <= address.target < self.sizes[l + 1]:
            raise ValueError(f"{address}: layer {l + 1} has no neuron {address.target}")
        if address.kind == "w":
            if address.source is None or not 0 <= address.source < self.sizes[l]:
                raise ValueError(f"{address}: layer {l} has no neuron {address.source}")
        elif address.kind == "b":
            if not self.bias:
                raise ValueError(f"{address}: this network has no biases")
        else:
            raise ValueError(f"unknown parameter kind {address.kind!r}")

    def get(self, address: ParameterAddress) -> float:
        return float(self.theta[self.flat_index(address)])

    def addresses(self) -> list[ParameterAddress]:
        """Every parameter in the order of ``theta``."""
        result = []
        for l in range(self.layer_count):
            for i in range(self.sizes[l]):
                for j in range(self.sizes[l + 1]):
                    result.append(ParameterAddress.weight(l, i, j))
            if self.bias:
                result.extend(ParameterAddress.bias(l, j) for j in range(self.sizes[l + 1]))
        return result

    def augmented_weights(self, l: int) -> np.ndarray:
        """The seed's augmented W^l: the bias as row 0, then W^l (zeros without biases)."""
        return np.vstack([self.biases[l][np.newaxis, :], self.weights[l]])

    def plain_weight_names(self) -> dict[ParameterAddress, str] | None:
        """Seed 001's numbering w1, w2, … for networks of at most 12 weights.

        Weights are numbered by the neuron they go to, in layer order, then by source:
        in a 2-2-1 net w1, w2 go into hidden neuron 1 from x1, x2; w3, w4 into hidden
        neuron 2; w5, w6 from the hidden neurons to the output.
        """
        total = sum(self.sizes[l] * self.sizes[l + 1] for l in range(self.layer_count))
        if total > 12:
            return None
        names, number = {}, 1
        for l in range(self.layer_count):
            for j in range(self.sizes[l + 1]):
                for i in range(self.sizes[l]):
                    names[ParameterAddress.weight(l, i, j)] = f"w{number}"
                    number += 1
        return names


def augment(activations: np.ndarray) -> np.ndarray:
    """The seed's augmented activations: a leading column of 1s."""
    dtype = activations.dtype if activations.dtype == np.float32 else np.float64
    return np.hstack([np.ones((activations.shape[0], 1), dtype), activations])
