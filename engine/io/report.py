"""The state of a network as plain JSON-able values: for the CLI, for tests, for the GUI.

``network_state(stepper)`` evaluates the network at its current parameters on the whole
data set (``Stepper.evaluate``: nothing is updated or recorded) and returns

    {"iteration": t, "loss": C, "outputs": a^L, "weights": [W^0 … W^{L−1}],
     "biases": [b^0 … b^{L−1}] or null, "symmetry": [groups of layer 0 … L],
     "frozen": [names of the frozen parameters, e.g. "b^0_0"] (only when some are)}

and with ``trace=True`` also every intermediate of that pass (see ``trace_dict``).

JSON has no inf or NaN, and a diverged run can produce them, so every non-finite float is
written as one of the strings "inf", "-inf", "nan" (Python's ``float()`` reads them back).
Finite floats stay numbers and are written exactly (repr).
"""

from __future__ import annotations

import math

import numpy as np

from ..analysis.symmetry import symmetry_groups
from ..core.backprop import Trace
from ..core.stepper import Stepper

NON_FINITE_NAMES = {math.inf: "inf", -math.inf: "-inf"}


def encode_number(value: float) -> float | str:
    """A finite float as itself; inf, -inf and NaN as "inf", "-inf" and "nan"."""
    value = float(value)
    if math.isfinite(value):
        return value
    return NON_FINITE_NAMES.get(value, "nan")


def encode_array(array) -> list | float | str | None:
    """Nested lists of floats, non-finite values as strings; None stays None."""
    if array is None:
        return None
    array = np.asarray(array, dtype=float)
    if np.isfinite(array).all():
        return array.tolist()
    if array.ndim == 0:
        return encode_number(array)
    return [encode_array(row) for row in array]


def decode_array(values) -> np.ndarray:
    """The inverse of ``encode_array``: "inf", "-inf", "nan" back to floats."""
    return np.array(values, dtype=object).astype(float)


def trace_dict(trace: Trace, bias: bool) -> dict:
    """Every intermediate of one forward + backward pass, rows = observations.

    ``activations`` has L + 1 entries (a^0 = the inputs, …, a^L). The per-layer backward
    quantities have L entries, entry k belonging to layer k + 1:
        pre_activations[k]    = n^{k+1} = a^k W^k + b^k
        dcost_dactivations[k] = ∂C/∂a^{k+1}
        dactivation_dpre[k]   = ∂a^{k+1}/∂n^{k+1}
        deltas[k]             = δ^{k+1} = ∂C/∂n^{k+1}
    ``weight_gradients[l]`` = ∂C/∂W^l = (a^l)ᵀ δ^{l+1} and ``bias_gradients[l]`` = ∂C/∂b^l =
    Σ_o δ^{l+1}, both summed over the observations (``bias_gradients`` is None without bias).
    """
    L = trace.layer_count
    per_layer = {
        "pre_activations": trace.pre_activations,
        "dcost_dactivations": trace.dcost_dactivations,
        "dactivation_dpre": trace.dactivation_dpre,
        "deltas": trace.deltas,
    }
    result = {"activations": [encode_array(a) for a in trace.activations]}
    for name, values in per_layer.items():
        result[name] = [encode_array(values[layer]) for layer in range(1, L + 1)]
    result["weight_gradients"] = [encode_array(g) for g in trace.weight_gradients]
    result["bias_gradients"] = (
        [encode_array(g) for g in trace.bias_gradients] if bias else None
    )
    return result


def network_state(stepper: Stepper, trace: bool = False) -> dict:
    """The network at the stepper's current parameters, evaluated on all observations.

    Does not change the stepper: ``evaluate`` works on fresh arrays.
    """
    network = stepper.network
    evaluation = stepper.evaluate(full=True)
    state = {
        "iteration": int(stepper.iteration),
        "loss": encode_number(evaluation.loss),
        "outputs": encode_array(evaluation.outputs),
        "weights": [encode_array(w) for w in network.weights],
        "biases": [encode_array(b) for b in network.biases] if network.bias else None,
        # neurons whose parameters are frozen differently are not interchangeable
        "symmetry": [[[int(i) for i in group] for group in layer]
                     for layer in symmetry_groups(network, frozen=stepper.config.frozen)],
    }
    if stepper.config.frozen:  # the key only where it says something, as files write it
        state["frozen"] = list(stepper.config.frozen)
    if trace:
        state["trace"] = trace_dict(evaluation, network.bias)
    return state
