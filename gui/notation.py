"""Names and tooltips in the seeds' notation: w^l_{i,j}, b^l_j, _o a^l_j, and seed 001's plain
w1, w2, … for networks of at most 12 weights.

The engine writes that notation in ASCII (its tables, copies and files keep it); ``typeset``
turns it into real superscripts and subscripts for the window (w^1_{0,0} → w¹₀,₀,
∂C/∂W^2 → ∂C/∂W², _o a^0_1 → ₒa⁰₁), in Unicode so that it reads the same in labels, table
headers, tooltips, plot legends and undo texts."""

from __future__ import annotations

import re

import numpy as np

from engine.core.backprop import Trace
from engine.core.network import Network, ParameterAddress
from engine.core.precision import number_text
from engine.io.numbers import NumberError, read_number

MAX_FIELD_MAGNITUDE = 1e12  # a larger value typed into a field is a typo, not a setting


def parse_number(text: str, field: str) -> float:
    """A finite float of size at most 1e12 from user text (engine.numbers' plain ASCII
    notation), or ValueError naming the field. Never evaluates."""
    try:
        return read_number(text, largest=MAX_FIELD_MAGNITUDE)
    except NumberError as error:
        raise ValueError(f"{field}: {error}") from None


def describe_error(error: BaseException) -> str:
    """An error as a message shows it; a MemoryError (which says nothing) in words."""
    if isinstance(error, MemoryError):
        return ("not enough memory for it (the app goes on; use a smaller network or fewer "
                "observations, or close other programs)")
    return str(error)


SUPERSCRIPTS = dict(zip("0123456789+-−=()inljkmoTL",
                        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁱⁿˡʲᵏᵐᵒᵀᴸ", strict=True))
SUBSCRIPTS = dict(zip("0123456789+-−=()aeoxijklmnpst,",
                      "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓᵢⱼₖₗₘₙₚₛₜ,", strict=True))
# ^{…} or _{…}; ^ or _ before a number, or before one letter that ends a word (so that
# cross_entropy and leaky_relu stay as they are)
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(\d+|[A-Za-z](?![A-Za-z0-9])))")


def _script(match: re.Match) -> str:
    mark, braced, bare = match.groups()
    body = braced if braced is not None else bare
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    if not body or any(character not in table for character in body):
        return match.group(0)  # no Unicode form: left as written
    return "".join(table[character] for character in body)


def typeset(text: str) -> str:
    """The seeds' ASCII notation with real superscripts and subscripts: ``w^1_{0,0}`` →
    ``w¹₀,₀``, ``[∂C/∂b^2; ∂C/∂W^2]`` → ``[∂C/∂b²; ∂C/∂W²]``, ``_o n^1_0`` → ``ₒn¹₀``.
    A script with a character Unicode has no form for stays as written."""
    return _SCRIPT.sub(_script, text)


def quantity_label(key: str) -> str:
    """A quantity's key as engine/analysis/compare.py names it ("delta^3", "dC/dW^1",
    "da^2/dn^2", "loss") in the notation, ASCII ("δ^3", "∂C/∂W^1", "∂a^2/∂n^2", "C")."""
    if key == "loss":
        return "C"
    return re.sub(r"\bd([A-Za-z])\^", r"∂\1^", key.replace("delta^", "δ^")).replace(
        "dC/", "∂C/")


def parameter_label(network: Network, address: ParameterAddress) -> str:
    """A parameter's name typeset, with seed 001's plain name beside it: ``w¹₀,₀ (w5)``."""
    return typeset(parameter_name(network, address))


def short_parameter_name(network: Network, address: ParameterAddress) -> str:
    """The shortest name a learner knows it by: seed 001's ``w5`` where the network has
    those names, else the typeset ``w¹₀,₀`` (for undo texts and messages)."""
    plain = network.plain_weight_names()
    if plain is not None and address in plain:
        return plain[address]
    return typeset(str(address))


def parameter_name(network: Network, address: ParameterAddress) -> str:
    plain = network.plain_weight_names()
    if plain is not None and address in plain:
        return f"{address} ({plain[address]})"
    return str(address)


def _numbers(values) -> str:
    return ", ".join(f"{v:.6g}" for v in np.atleast_1d(values))


HIDDEN = "? (predict it first: the Predict panel)"


# what a frozen parameter's tooltip, the inspector and the matrices say of it
FROZEN_NOTE = "frozen: the update leaves it as it is; its gradient is still computed"


def parameter_tooltip(network: Network, trace: Trace, address: ParameterAddress,
                      hidden: bool = False, frozen: bool = False) -> str:
    """``hidden``: the value the update just made is hidden until the learner predicts it
    (and the gradients the trace hides say so); ``frozen``: the parameter is frozen (a
    line says what that means)."""
    value = network.get(address)
    if address.kind == "w":
        meaning = (f"weight from neuron {address.source} of layer {address.layer} "
                   f"to neuron {address.target} of layer {address.layer + 1}")
        gradients = trace.weight_gradients[address.layer]
        gradient = None if gradients is None else gradients[address.source, address.target]
    else:
        meaning = f"bias of neuron {address.target} of layer {address.layer + 1}"
        gradients = trace.bias_gradients[address.layer]
        gradient = None if gradients is None else gradients[address.target]
    gradient_text = "not computed yet" if gradient is None else f"{gradient:.6g}"
    if hidden:
        value_text = HIDDEN
    elif network.theta.dtype == np.float32:  # as PyTorch prints it: 0.1, not 0.100000001
        value_text = number_text(np.float32(value))
    else:
        value_text = f"{value:.9g}"
    return (f"{parameter_label(network, address)}: {meaning}\n"
            f"value = {value_text}\n{typeset(f'∂C/∂{address}')} = {gradient_text}\n"
            + (f"{FROZEN_NOTE}\n" if frozen else "") + "double-click to edit")


def neuron_tooltip(network: Network, trace: Trace, layer: int, index: int,
                   group: list[int], hidden: bool = False) -> str:
    """``hidden``: the values of this layer the trace leaves out are hidden until the learner
    predicts them (not "not computed yet")."""
    missing = HIDDEN if hidden else "not computed yet"
    lines = [f"neuron {index} of layer {layer}" + (" (input)" if layer == 0 else
                                                   f", {network.activation_names[layer - 1]}")]
    if layer > 0:
        n = trace.pre_activations[layer]
        lines.append(typeset(f"n^{layer}_{index}") + " per observation: "
                     + (missing if n is None else _numbers(n[:, index])))
    a = trace.activations[layer]
    lines.append(typeset(f"a^{layer}_{index}") + " per observation: "
                 + (missing if a is None else _numbers(a[:, index])))
    if layer > 0 and trace.deltas[layer] is not None:
        lines.append(typeset(f"δ^{layer}_{index}") + " per observation: "
                     + _numbers(trace.deltas[layer][:, index]))
    if len(group) > 1:
        lines.append("interchangeable with neurons "
                     + ", ".join(str(g) for g in group if g != index)
                     + " of this layer: same incoming, bias and outgoing weights")
    return "\n".join(lines)
