"""The backpropagation kernels, shared by the phase-by-phase stepper and its fast run path
so that both give bit-identical numbers.

Notation (seed 000): layer 0 is the inputs; for layer l = 1 … L
    n^l = a^{l−1} W^{l−1} + b^{l−1}        (pre-activations, the seed's n, often called z)
    a^l = f_l(n^l)
    ∂C/∂a^L from the loss;  ∂C/∂a^l = δ^{l+1} (W^l)ᵀ for l < L
    δ^l = ∂C/∂n^l = ∂C/∂a^l ⊙ ∂a^l/∂n^l
    ∂C/∂W^{l−1} = (a^{l−1})ᵀ δ^l,  ∂C/∂b^{l−1} = Σ_o δ^l   (summed over the observations)
Rows are observations, columns are neurons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activations import Activation
from .losses import Loss, output_delta
from .phases import Quantity


def forward_layer(
    weights: np.ndarray, biases: np.ndarray | None, activation: Activation, a_prev: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    # n^l = a^{l−1} W^{l−1} + b^{l−1};  a^l = f(n^l)
    n = a_prev @ weights
    if biases is not None:
        n += biases
    return n, activation.apply(n)


def hidden_dcost_da(next_weights: np.ndarray, next_delta: np.ndarray) -> np.ndarray:
    # ∂C/∂a^l = δ^{l+1} (W^l)ᵀ
    return next_delta @ next_weights.T


def layer_delta(
    activation: Activation,
    output_loss: Loss | None,
    n: np.ndarray,
    a: np.ndarray,
    dcost_da: np.ndarray,
    targets: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(∂a/∂n, δ) of one layer; ``output_loss`` is given for the output layer only."""
    da_dn = activation.derivative(n, a)
    delta = None
    if output_loss is not None:
        delta = output_delta(output_loss, activation.name, a, targets)
    if delta is None:
        delta = activation.backward(dcost_da, da_dn, a)
    return da_dn, delta


def layer_gradients(
    a_prev: np.ndarray, delta: np.ndarray, weight_gradient: np.ndarray, bias_gradient
) -> None:
    # ∂C/∂W^{l−1} = (a^{l−1})ᵀ δ^l;  ∂C/∂b^{l−1} = Σ_o δ^l   (written into the given views)
    np.matmul(a_prev.T, delta, out=weight_gradient)
    if bias_gradient is not None:
        np.add.reduce(delta, axis=0, out=bias_gradient)  # np.sum's wrapper costs 2× here


@dataclass
class Trace:
    """Every intermediate of one pass, indexed by layer number (index 0 = inputs).

    Lists have L + 1 entries; ``pre_activations[0]`` and the backward quantities of layer 0
    are None. ``weight_gradients[l]`` and ``bias_gradients[l]`` belong to W^l and b^l
    (l = 0 … L−1) and are summed over the observations; entries not computed yet are None.
    """

    layer_count: int
    inputs: np.ndarray
    targets: np.ndarray
    batch: np.ndarray | None = None
    loss: float | None = None
    pre_activations: list = field(default_factory=list)
    activations: list = field(default_factory=list)
    dcost_dactivations: list = field(default_factory=list)
    dactivation_dpre: list = field(default_factory=list)
    deltas: list = field(default_factory=list)
    weight_gradients: list = field(default_factory=list)
    bias_gradients: list = field(default_factory=list)
    gradient: np.ndarray | None = None

    def __post_init__(self) -> None:
        size = self.layer_count + 1
        for name in ("pre_activations", "activations", "dcost_dactivations",
                     "dactivation_dpre", "deltas"):
            if not getattr(self, name):
                setattr(self, name, [None] * size)
        for name in ("weight_gradients", "bias_gradients"):
            if not getattr(self, name):
                setattr(self, name, [None] * self.layer_count)
        self.activations[0] = self.inputs

    @property
    def outputs(self) -> np.ndarray | None:
        return self.activations[self.layer_count]

    def weight_gradient_per_observation(self, l: int) -> np.ndarray | None:
        """∂C/∂W^l for each observation o: (a^l[o])ᵀ δ^{l+1}[o], shape (obs, rows, cols)."""
        if self.deltas[l + 1] is None:
            return None
        return np.einsum("oi,oj->oij", self.activations[l], self.deltas[l + 1])

    def bias_gradient_per_observation(self, l: int) -> np.ndarray | None:
        return None if self.deltas[l + 1] is None else self.deltas[l + 1].copy()


def compute_phase(
    network,
    loss: Loss,
    kind: str,
    layer: int | None,
    trace: Trace,
    gradient_weights: list,
    gradient_biases: list,
) -> list[tuple[Quantity, object]]:
    """Run one forward, loss or backward phase into ``trace``.

    Returns what it computed as (Quantity, value) pairs, in the order to check them.
    Gradients are written into the given views of a flat gradient vector.
    """
    L = network.layer_count
    if kind == "forward":
        l = layer
        bias = network.biases[l - 1] if network.bias else None
        n, a = forward_layer(
            network.weights[l - 1], bias, network.activations[l - 1], trace.activations[l - 1]
        )
        trace.pre_activations[l], trace.activations[l] = n, a
        return [(Quantity("pre_activations", l), n), (Quantity("activations", l), a)]
    if kind == "loss":
        trace.loss = loss.value(trace.pre_activations[L], trace.outputs, trace.targets)
        trace.dcost_dactivations[L] = loss.gradient(trace.outputs, trace.targets)
        return [(Quantity("loss"), trace.loss),
                (Quantity("dcost_da", L), trace.dcost_dactivations[L])]
    if kind != "backward":
        raise ValueError(f"compute_phase does not do {kind!r}")
    l = layer
    computed = []
    if l < L:
        trace.dcost_dactivations[l] = hidden_dcost_da(network.weights[l], trace.deltas[l + 1])
        computed.append((Quantity("dcost_da", l), trace.dcost_dactivations[l]))
    da_dn, delta = layer_delta(
        network.activations[l - 1],
        loss if l == L else None,
        trace.pre_activations[l],
        trace.activations[l],
        trace.dcost_dactivations[l],
        trace.targets,
    )
    trace.dactivation_dpre[l], trace.deltas[l] = da_dn, delta
    bias_gradient = gradient_biases[l - 1] if network.bias else None
    layer_gradients(trace.activations[l - 1], delta, gradient_weights[l - 1], bias_gradient)
    trace.weight_gradients[l - 1] = gradient_weights[l - 1]
    trace.bias_gradients[l - 1] = bias_gradient
    computed += [(Quantity("da_dn", l), da_dn), (Quantity("delta", l), delta),
                 (Quantity("weight_gradient", l - 1), gradient_weights[l - 1])]
    if bias_gradient is not None:
        computed.append((Quantity("bias_gradient", l - 1), bias_gradient))
    return computed


def adopt_phase(
    kind: str,
    layer: int | None,
    prepared: Trace,
    trace: Trace,
    gradient_weights: list,
    gradient_biases: list,
) -> list[tuple[Quantity, object]] | None:
    """What ``compute_phase`` would compute and return, taken from ``prepared``: a pass made
    by ``compute_phase`` at the same parameters, on the same observations, with the same
    loss (``Stepper.evaluate``'s, which the window asks for after every step), so the
    numbers are the same bits. None when ``prepared`` stopped before this phase."""
    L = trace.layer_count
    if kind == "forward":
        n, a = prepared.pre_activations[layer], prepared.activations[layer]
        if a is None:
            return None
        trace.pre_activations[layer], trace.activations[layer] = n, a
        return [(Quantity("pre_activations", layer), n), (Quantity("activations", layer), a)]
    if kind == "loss":
        if prepared.dcost_dactivations[L] is None:
            return None
        trace.loss = prepared.loss
        trace.dcost_dactivations[L] = prepared.dcost_dactivations[L]
        return [(Quantity("loss"), trace.loss),
                (Quantity("dcost_da", L), trace.dcost_dactivations[L])]
    l = layer
    if prepared.deltas[l] is None:
        return None
    computed = []
    if l < L:
        trace.dcost_dactivations[l] = prepared.dcost_dactivations[l]
        computed.append((Quantity("dcost_da", l), trace.dcost_dactivations[l]))
    trace.dactivation_dpre[l], trace.deltas[l] = prepared.dactivation_dpre[l], prepared.deltas[l]
    np.copyto(gradient_weights[l - 1], prepared.weight_gradients[l - 1])
    trace.weight_gradients[l - 1] = gradient_weights[l - 1]
    bias_gradient = None
    if prepared.bias_gradients[l - 1] is not None:
        bias_gradient = gradient_biases[l - 1]
        np.copyto(bias_gradient, prepared.bias_gradients[l - 1])
    trace.bias_gradients[l - 1] = bias_gradient
    computed += [(Quantity("da_dn", l), trace.dactivation_dpre[l]),
                 (Quantity("delta", l), trace.deltas[l]),
                 (Quantity("weight_gradient", l - 1), gradient_weights[l - 1])]
    if bias_gradient is not None:
        computed.append((Quantity("bias_gradient", l - 1), bias_gradient))
    return computed
