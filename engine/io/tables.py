"""Plain-text tables in seed 000's style, for the CLI and for "copy as text".

A matrix product A × B = C is drawn with A to the left of C and B above C, so every number
of C sits in the row of A and the column of B that make it:

                    |   1 |   1 |   1 |
                    |   1 |   1 |   1 |
                    |   1 |   1 |   1 |
    | 1   0.8   0.4 | 2.2 | 2.2 | 2.2 |
    | 1   0.3   0.3 | 1.6 | 1.6 | 1.6 |

Numbers are rounded to 7 decimals with trailing zeros dropped (2.2, 0.9002495); magnitudes
below 1e-4 or from 1e7 up use 7 significant digits in exponent form (3.25e-09).
Non-finite values print as inf, -inf, nan.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.activations import get_activation
from ..core.losses import get_loss, output_delta
from ..core.network import augment

DECIMALS = 7


def format_number(value, decimals: int = DECIMALS) -> str:
    """One number as the tables show it; also accepts "inf", "-inf", "nan" strings."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude == 0 or 1e-4 <= magnitude < 1e7:
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    else:
        mantissa, exponent = f"{value:.{decimals - 1}e}".split("e")
        text = f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    return "0" if text in ("0", "-0") else text


def _cells(matrix, decimals: int) -> list[list[str]]:
    array = np.array(matrix, dtype=object).astype(float)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    return [[format_number(v, decimals) for v in row] for row in array]


def _matrix_lines(cells: list[list[str]]) -> list[str]:
    """Rows as '| 1   0.8   0.4 |': columns right-aligned, three spaces apart."""
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    return ["| " + "   ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |"
            for row in cells]


def pipe_table(matrix, decimals: int = DECIMALS) -> str:
    """A matrix (rows × columns; a vector is one row) between vertical bars."""
    return "\n".join(_matrix_lines(_cells(matrix, decimals)))


def product_table(left, right, result, decimals: int = DECIMALS) -> str:
    """left × right = result, with ``right`` above ``result`` and ``left`` beside it."""
    left_cells, right_cells = _cells(left, decimals), _cells(right, decimals)
    result_cells = _cells(result, decimals)
    if len(left_cells) != len(result_cells):
        raise ValueError("product_table: left and result need the same number of rows")
    left_lines = _matrix_lines(left_cells)
    columns = len(result_cells[0])
    widths = [max(len(row[j]) for row in right_cells + result_cells) for j in range(columns)]

    def cells(row: list[str]) -> str:
        return "".join(f" {c.rjust(w)} |" for c, w in zip(row, widths, strict=True))

    indent = " " * (len(left_lines[0]) - 1)
    lines = [indent + "|" + cells(row) for row in right_cells]
    lines += [line + cells(row) for line, row in zip(left_lines, result_cells, strict=True)]
    return "\n".join(lines)


def _block(title: str, table: str) -> str:
    return f"{title}\n{table}\n"


def _symbol(activation: str) -> str:
    return get_activation(activation).shown_symbol


def _augmented_weights(state: dict, l: int) -> np.ndarray:
    """[b^l; W^l]: the bias as row 0 (seed 000's augmented matrix), or W^l without biases."""
    weights = np.array(state["weights"][l], dtype=object).astype(float)
    if state["biases"] is None:
        return weights
    bias = np.array(state["biases"][l], dtype=object).astype(float)
    return np.vstack([bias[np.newaxis, :], weights])


def parameter_tables(state: dict) -> str:
    has_bias = state["biases"] is not None
    blocks = []
    for l in range(len(state["weights"])):
        if has_bias:
            title = (f"[b^{l}; W^{l}]  (row 0: biases b^{l}_j; row i+1: weights w^{l}_{{i,j}} "
                     f"from neuron i of layer {l} to neuron j of layer {l + 1})")
        else:
            title = f"W^{l}  (row i: weights w^{l}_{{i,j}} from neuron i of layer {l})"
        blocks.append(_block(title, pipe_table(_augmented_weights(state, l))))
    return "\n".join(blocks)


def symmetry_line(groups: list) -> str:
    """'layer 1: {0, 1, 2} · layer 2: {0, 1, 2} · layer 3: {0} {1}' (inputs left out)."""
    parts = []
    for layer, layer_groups in enumerate(groups[1:], start=1):
        shown = " ".join("{" + ", ".join(str(i) for i in group) + "}" for group in layer_groups)
        parts.append(f"layer {layer}: {shown}")
    return " · ".join(parts)


def forward_tables(state: dict, activations: list[str]) -> str:
    trace, has_bias = state["trace"], state["biases"] is not None
    blocks = []
    for l in range(1, len(trace["activations"])):
        previous = np.array(trace["activations"][l - 1], dtype=object).astype(float)
        left = augment(previous) if has_bias else previous
        left_name = f"[1 | a^{l - 1}]" if has_bias else f"a^{l - 1}"
        right_name = f"[b^{l - 1}; W^{l - 1}]" if has_bias else f"W^{l - 1}"
        blocks.append(_block(f"n^{l} = {left_name} × {right_name}",
                             product_table(left, _augmented_weights(state, l - 1),
                                           trace["pre_activations"][l - 1])))
        blocks.append(_block(f"a^{l} = {_symbol(activations[l - 1])}(n^{l})",
                             pipe_table(trace["activations"][l])))
    return "\n".join(blocks)


def output_delta_title(L: int, activation: str, loss_name: str) -> str:
    probe = np.full((1, 1), 0.5)
    if output_delta(get_loss(loss_name), activation, probe, probe) is not None:
        return (f"δ^{L} = ∂C/∂n^{L}  ({loss_name} with {activation}: the exact product "
                f"∂C/∂a^{L} · ∂a^{L}/∂n^{L} in closed form)")
    if not get_activation(activation).elementwise:
        return (f"δ^{L} = a^{L} ⊙ (∂C/∂a^{L} − Σ_k ∂C/∂a^{L}_k a^{L}_k)  ({activation} "
                "Jacobian)")
    return f"δ^{L} = ∂C/∂a^{L} ⊙ ∂a^{L}/∂n^{L}"


def backward_tables(state: dict, activations: list[str], loss_name: str) -> str:
    trace, has_bias = state["trace"], state["biases"] is not None
    L = len(trace["deltas"])
    loss = get_loss(loss_name)
    blocks = []
    for l in range(L, 0, -1):
        k = l - 1  # index of layer l in the per-layer lists
        if l == L:
            title = f"∂C/∂a^{L}  ({loss_name}: ∂C/∂a = {loss.derivative_formula}, a = a^{L})"
            blocks.append(_block(title, pipe_table(trace["dcost_dactivations"][k])))
        else:
            weights_t = np.array(state["weights"][l], dtype=object).astype(float).T
            blocks.append(_block(f"∂C/∂a^{l} = δ^{l + 1} × (W^{l})ᵀ",
                                 product_table(trace["deltas"][l], weights_t,
                                               trace["dcost_dactivations"][k])))
        symbol = _symbol(activations[k])
        blocks.append(_block(f"∂a^{l}/∂n^{l} = {symbol}'(n^{l})",
                             pipe_table(trace["dactivation_dpre"][k])))
        delta_title = (output_delta_title(L, activations[k], loss_name) if l == L
                       else f"δ^{l} = ∂C/∂a^{l} ⊙ ∂a^{l}/∂n^{l}")
        blocks.append(_block(delta_title, pipe_table(trace["deltas"][k])))
        previous = np.array(trace["activations"][k], dtype=object).astype(float)
        gradient = np.array(trace["weight_gradients"][k], dtype=object).astype(float)
        if has_bias:
            bias_gradient = np.array(trace["bias_gradients"][k], dtype=object).astype(float)
            gradient = np.vstack([bias_gradient[np.newaxis, :], gradient])
            title = (f"[∂C/∂b^{k}; ∂C/∂W^{k}] = [1 | a^{k}]ᵀ × δ^{l}  "
                     "(summed over the observations; row 0: ∂C/∂b)")
            left = augment(previous).T
        else:
            title = f"∂C/∂W^{k} = (a^{k})ᵀ × δ^{l}  (summed over the observations)"
            left = previous.T
        blocks.append(_block(title, product_table(left, trace["deltas"][k], gradient)))
    return "\n".join(blocks)


def frozen_line(names: list[str]) -> str:
    """'frozen (their gradient computed, the update leaves them as they are): b^0_0, b^0_1'."""
    return ("frozen (their gradient computed, the update leaves them as they are): "
            + ", ".join(names))


def state_text(state: dict, activations: list[str], loss_name: str) -> str:
    """``report.network_state`` as readable tables (the trace too when it is there)."""
    L = len(state["weights"])
    loss = get_loss(loss_name)
    header = (f"iteration {state['iteration']} · loss C = {format_number(state['loss'])}  "
              f"({loss_name}: C = {loss.formula}, over all observations)")
    sections = [header, "", "== Parameters ==", parameter_tables(state)]
    if state.get("frozen"):
        sections += [frozen_line(state["frozen"]), ""]
    if "trace" in state:
        sections += ["== Forward (rows: observations; columns: neurons) ==",
                     forward_tables(state, activations),
                     "== Backward ==", backward_tables(state, activations, loss_name)]
    sections += ["== Outputs ==", _block(f"a^{L}  (rows: observations)",
                                         pipe_table(state["outputs"])),
                 "== Symmetry (groups of interchangeable neurons) ==",
                 symmetry_line(state["symmetry"])]
    return "\n".join(sections) + "\n"
