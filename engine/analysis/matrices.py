"""The matrices of each phase as seed 000 drew them, for the matrix view and its copy buttons.

A phase becomes a list of :class:`MatrixBlock`: a product ``left × right = result`` (the
augmented activations [1 | a^{l−1}] times the augmented weights [b^{l−1}; W^{l−1}] giving
n^l; δ^{l+1} × (W^l)ᵀ giving ∂C/∂a^l; [1 | a^{l−1}]ᵀ × δ^l giving [∂C/∂b^{l−1}; ∂C/∂W^{l−1}]),
an element-wise product (δ^l = ∂C/∂a^l ⊙ ∂a^l/∂n^l) or a single matrix (a^l = f(n^l)).
Titles are those of ``engine.tables`` (the CLI's tables), so the view and the CLI agree.
Rows are observations and columns neurons, except in the weight-shaped matrices.

Identical rows or columns are the fingerprint of symmetry: in seed 000 every column of a^1 is
the same and so is every row of ∂C/∂W^1 (below the bias row), because the neurons of a layer
are interchangeable. ``identical_rows`` and ``identical_columns`` find them.

Every matrix can be written as the seed's pipe table (``as_text``), as a numpy literal that
reads back exactly (``as_numpy``) and as LaTeX (``as_latex``).

Frozen parameters (``frozen``: the training's names, ``stepper.config.frozen``): the update's
blocks mark them (``MatrixBlock.frozen``, True at their cells of [∂C/∂b; ∂C/∂W] and of
[b; W]) and their titles say that they stay as they were; their gradient is shown as usual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.activations import get_activation
from ..core.backprop import Trace
from ..core.losses import get_loss
from ..core.network import Network, ParameterAddress, augment
from ..core.phases import Phase
from ..core.precision import number_text
from ..io.tables import format_number, output_delta_title, pipe_table, product_table
from .symmetry import frozen_mask

KINDS = ("product", "elementwise", "matrix")


@dataclass
class MatrixBlock:
    """One step of a phase: ``left × right = result`` (kind "product"), ``left ⊙ right =
    result`` ("elementwise") or ``result`` alone ("matrix"). Arrays are 2-D copies."""

    title: str
    result: np.ndarray
    left: np.ndarray | None = None
    right: np.ndarray | None = None
    left_title: str = ""
    right_title: str = ""
    kind: str = "matrix"
    result_title: str = ""
    # True at the cells of ``result`` that hold a frozen parameter or its gradient (the
    # update's blocks only); None when none is frozen
    frozen: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"MatrixBlock.kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.kind != "matrix" and (self.left is None or self.right is None):
            raise ValueError(f"MatrixBlock {self.title!r}: a {self.kind} needs two operands")

    def matrices(self) -> dict[str, np.ndarray]:
        """The block's matrices by part: "left", "right" (when there) and "result"."""
        parts = {"left": self.left, "right": self.right, "result": self.result}
        return {name: matrix for name, matrix in parts.items() if matrix is not None}

    def part_title(self, part: str) -> str:
        titles = {"left": self.left_title, "right": self.right_title,
                  "result": self.result_title or self.title}
        return titles[part]


def _matrix(values) -> np.ndarray:
    """A float copy (float32 in a float32 run), vectors as one row. A read-only float array
    (the stepper's data) cannot change: it is shown as it is, not copied."""
    if (isinstance(values, np.ndarray) and not values.flags.writeable
            and values.dtype in (np.float64, np.float32)):
        return values[np.newaxis, :] if values.ndim == 1 else values
    array = np.array(values)
    array = array.astype(np.float32 if array.dtype == np.float32 else float, copy=False)
    return array[np.newaxis, :] if array.ndim == 1 else array


def _symbol(activation: str) -> str:
    return get_activation(activation).shown_symbol


def _parameters(network: Network, k: int) -> np.ndarray:
    """[b^k; W^k] with biases (row 0: b^k), else W^k — like tables._augmented_weights."""
    weights = _matrix(network.weights[k])
    return np.vstack([_matrix(network.biases[k]), weights]) if network.bias else weights


def _gradients(network: Network, trace: Trace, k: int) -> np.ndarray | None:
    """[∂C/∂b^k; ∂C/∂W^k] with biases, else ∂C/∂W^k; None until backward k + 1 has run."""
    if trace.weight_gradients[k] is None:
        return None
    gradient = _matrix(trace.weight_gradients[k])
    if network.bias and trace.bias_gradients[k] is not None:
        gradient = np.vstack([_matrix(trace.bias_gradients[k]), gradient])
    return gradient


_last_augmented: list = [None, None]  # [a, [1 | a]] of the last call


def _augment(a: np.ndarray) -> np.ndarray:
    """[1 | a], read-only, the same array again for the same ``a``: a step shows the inputs'
    [1 | a⁰] in two blocks, and for MNIST-sized data (1,000 × 785) each copy costs 2 ms.
    The arrays of a trace are never written after they are computed, so the same array
    holds the same numbers; the result being read-only lets a view trust that too."""
    if _last_augmented[0] is not a:
        result = augment(a)
        result.flags.writeable = False
        _last_augmented[:] = [a, result]
    return _last_augmented[1]


def _augmented_name(network: Network, k: int) -> tuple[str, str]:
    if network.bias:
        return f"[1 | a^{k}]", f"[b^{k}; W^{k}]"
    return f"a^{k}", f"W^{k}"


def forward_blocks(network: Network, trace: Trace, l: int) -> list[MatrixBlock]:
    """n^l = [1 | a^{l−1}] × [b^{l−1}; W^{l−1}], then a^l = f(n^l)."""
    previous, n, a = trace.activations[l - 1], trace.pre_activations[l], trace.activations[l]
    if previous is None or n is None:
        return []
    left_name, right_name = _augmented_name(network, l - 1)
    previous = _matrix(previous)
    blocks = [MatrixBlock(
        f"n^{l} = {left_name} × {right_name}", _matrix(n),
        _augment(previous) if network.bias else previous, _parameters(network, l - 1),
        left_name, right_name, "product", f"n^{l}")]
    if a is not None:
        symbol = _symbol(network.activation_names[l - 1])
        blocks.append(MatrixBlock(f"a^{l} = {symbol}(n^{l})", _matrix(a), result_title=f"a^{l}"))
    return blocks


def _output_gradient_block(trace: Trace, L: int, loss_name: str) -> MatrixBlock | None:
    if trace.dcost_dactivations[L] is None:
        return None
    loss = get_loss(loss_name)
    title = f"∂C/∂a^{L}  ({loss_name}: ∂C/∂a = {loss.derivative_formula}, a = a^{L})"
    return MatrixBlock(title, _matrix(trace.dcost_dactivations[L]), result_title=f"∂C/∂a^{L}")


def loss_blocks(network: Network, trace: Trace, loss_name: str) -> list[MatrixBlock]:
    """The outputs a^L, the targets y, the cost C and ∂C/∂a^L."""
    L = network.layer_count
    if trace.outputs is None:
        return []
    blocks = [MatrixBlock(f"a^{L}  (outputs; rows: observations)", _matrix(trace.outputs),
                          result_title=f"a^{L}"),
              MatrixBlock("y  (targets; rows: observations)", _matrix(trace.targets),
                          result_title="y")]
    if trace.loss is not None:
        loss = get_loss(loss_name)
        blocks.append(MatrixBlock(f"C = {loss.formula}  ({loss_name}, over all observations)",
                                  np.array([[trace.loss]], dtype=float), result_title="C"))
    gradient = _output_gradient_block(trace, L, loss_name)
    return blocks + ([gradient] if gradient is not None else [])


def backward_blocks(network: Network, trace: Trace, l: int, loss_name: str,
                    with_output_gradient: bool = True) -> list[MatrixBlock]:
    """∂C/∂a^l, ∂a^l/∂n^l, δ^l = ∂C/∂a^l ⊙ ∂a^l/∂n^l and [1 | a^{l−1}]ᵀ × δ^l."""
    L, k = network.layer_count, l - 1
    blocks = []
    dcost_da = trace.dcost_dactivations[l]
    if l == L:
        gradient = _output_gradient_block(trace, L, loss_name) if with_output_gradient else None
        blocks += [gradient] if gradient is not None else []
    elif dcost_da is not None and trace.deltas[l + 1] is not None:
        # ∂C/∂a^l = δ^{l+1} (W^l)ᵀ
        blocks.append(MatrixBlock(
            f"∂C/∂a^{l} = δ^{l + 1} × (W^{l})ᵀ", _matrix(dcost_da), _matrix(trace.deltas[l + 1]),
            _matrix(network.weights[l]).T, f"δ^{l + 1}", f"(W^{l})ᵀ", "product", f"∂C/∂a^{l}"))
    da_dn, delta = trace.dactivation_dpre[l], trace.deltas[l]
    if da_dn is None or delta is None:
        return blocks
    activation = network.activation_names[k]
    blocks.append(MatrixBlock(f"∂a^{l}/∂n^{l} = {_symbol(activation)}'(n^{l})", _matrix(da_dn),
                              result_title=f"∂a^{l}/∂n^{l}"))
    delta_title = (output_delta_title(L, activation, loss_name) if l == L
                   else f"δ^{l} = ∂C/∂a^{l} ⊙ ∂a^{l}/∂n^{l}")
    if network.activations[k].elementwise and dcost_da is not None:
        blocks.append(MatrixBlock(delta_title, _matrix(delta), _matrix(dcost_da), _matrix(da_dn),
                                  f"∂C/∂a^{l}", f"∂a^{l}/∂n^{l}", "elementwise", f"δ^{l}"))
    else:  # softmax: a Jacobian–vector product, not element-wise
        blocks.append(MatrixBlock(delta_title, _matrix(delta), result_title=f"δ^{l}"))
    gradient = _gradients(network, trace, k)
    if gradient is not None:
        previous = _matrix(trace.activations[k])
        if network.bias:
            title = (f"[∂C/∂b^{k}; ∂C/∂W^{k}] = [1 | a^{k}]ᵀ × δ^{l}  "
                     "(summed over the observations; row 0: ∂C/∂b)")
            left, left_title = _augment(previous).T, f"[1 | a^{k}]ᵀ"
            result_title = f"[∂C/∂b^{k}; ∂C/∂W^{k}]"
        else:
            title = f"∂C/∂W^{k} = (a^{k})ᵀ × δ^{l}  (summed over the observations)"
            left, left_title, result_title = previous.T, f"(a^{k})ᵀ", f"∂C/∂W^{k}"
        blocks.append(MatrixBlock(title, gradient, left, _matrix(delta), left_title, f"δ^{l}",
                                  "product", result_title))
    return blocks


def _frozen_cells(network: Network, k: int, frozen) -> np.ndarray | None:
    """True at the cells of [b^k; W^k] (W^k without biases) whose parameter is frozen; None
    when none of layer k's is."""
    mask = frozen_mask(network, frozen)
    if mask is None:
        return None
    rows, columns = network.sizes[k], network.sizes[k + 1]
    start = network.flat_index(ParameterAddress.weight(k, 0, 0))  # W^k row by row
    cells = weights = mask[start:start + rows * columns].reshape(rows, columns)
    if network.bias:
        start = network.flat_index(ParameterAddress.bias(k, 0))
        cells = np.vstack([mask[start:start + columns][np.newaxis, :], weights])
    return cells if cells.any() else None


def _frozen_names(network: Network, k: int, frozen) -> list[str]:
    return [name for name in frozen if ParameterAddress.parse(name).layer == k]


def update_blocks(network: Network, trace: Trace, frozen=()) -> list[MatrixBlock]:
    """Per layer: the gradient the update used and the parameters as they are now. With
    ``frozen`` (names), the frozen cells are marked and the titles name them: the gradient
    shown, the parameter kept as it was."""
    blocks = []
    for k in range(network.layer_count):
        gradient = _gradients(network, trace, k)
        gradient_name = f"[∂C/∂b^{k}; ∂C/∂W^{k}]" if network.bias else f"∂C/∂W^{k}"
        parameter_name = _augmented_name(network, k)[1]
        cells = _frozen_cells(network, k, frozen)
        gradient_note = parameter_note = ""
        if cells is not None:
            names = _frozen_names(network, k, frozen)
            shown = ", ".join(names) if len(names) <= 8 else f"{len(names)} of them"
            gradient_note = f"; frozen ({shown}): computed all the same"
            parameter_note = f"; frozen ({shown}): kept as they were, the update skips them"
        if gradient is not None:
            blocks.append(MatrixBlock(
                f"{gradient_name}  (the gradient of this iteration{gradient_note})",
                gradient, result_title=gradient_name, frozen=cells))
        blocks.append(MatrixBlock(f"{parameter_name}  (the parameters now{parameter_note})",
                                  _parameters(network, k), result_title=parameter_name,
                                  frozen=cells))
    return blocks


def phase_blocks(network: Network, trace: Trace, phase: Phase | None,
                 loss_name: str, frozen=()) -> list[MatrixBlock]:
    """The blocks of one phase; ``phase=None``: the whole iteration (forward, loss, backward).
    ``frozen``: the training's frozen names, which the update's blocks mark.

    Blocks whose inputs are not computed yet in ``trace`` are left out.
    """
    L = network.layer_count
    if phase is None:
        blocks = [b for l in range(1, L + 1) for b in forward_blocks(network, trace, l)]
        blocks += loss_blocks(network, trace, loss_name)
        for l in range(L, 0, -1):  # ∂C/∂a^L is already among the loss blocks
            blocks += backward_blocks(network, trace, l, loss_name, with_output_gradient=False)
        return blocks
    if phase.kind == "forward":
        return forward_blocks(network, trace, phase.layer)
    if phase.kind == "loss":
        return loss_blocks(network, trace, loss_name)
    if phase.kind == "backward":
        return backward_blocks(network, trace, phase.layer, loss_name)
    if phase.kind == "update":
        return update_blocks(network, trace, frozen)
    raise ValueError(f"phase_blocks: unknown phase kind {phase.kind!r}")


# ------------------------------------------------------------------ the fingerprint of symmetry
def _candidates(vectors: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Rows that may equal another row (all rows when some value is not finite).

    With a random direction r, p = V r and q = |V| |r|, rows u, v that are equal within the
    tolerance have |p_u − p_v| ≤ atol Σ|r| + rtol (q_u + q_v) ≤ atol Σ|r| + 2 rtol max q (plus
    rounding): a row with no neighbour that near in sorted p equals no other row.
    """
    count, width = vectors.shape
    if count < 8 or not np.isfinite(vectors).all():
        return np.arange(count)
    direction = np.random.default_rng(20201).standard_normal(width)
    p = vectors @ direction
    q = np.abs(vectors) @ np.abs(direction)
    slack = 4 * (width + 2) * np.finfo(float).eps  # rounding in p
    reach = atol * np.abs(direction).sum() + (rtol + slack) * 2 * q.max() + 1e-300
    order = np.argsort(p, kind="stable")
    gaps = np.diff(p[order]) <= reach  # equal rows: every gap between them is within reach
    near = np.zeros(count, dtype=bool)
    near[order[:-1][gaps]] = True
    near[order[1:][gaps]] = True
    return np.flatnonzero(near)


def _equal_groups(vectors: np.ndarray, rtol: float, atol: float) -> list[list[int]]:
    """Groups (size ≥ 2) of equal rows of ``vectors``: row k joins row i (the group's first)
    when every |u − v| ≤ atol + rtol · max(|u|, |v|); inf equals inf of its sign, nan nan."""
    candidates = _candidates(vectors, rtol, atol)
    if candidates.size < 2:
        return []
    if candidates.size < len(vectors):
        return [[int(candidates[i]) for i in group]
                for group in _equal_groups(vectors[candidates], rtol, atol)]
    count = len(vectors)
    assigned = np.zeros(count, dtype=bool)
    groups = []
    with np.errstate(invalid="ignore", over="ignore"):
        for i in range(count - 1):
            if assigned[i]:
                continue
            rest = np.flatnonzero(~assigned[i + 1:]) + i + 1
            if rest.size == 0:
                break
            u, v = vectors[i], vectors[rest]
            close = (u == v) | (np.isnan(u) & np.isnan(v)) | (
                np.abs(u - v) <= atol + rtol * np.maximum(np.abs(u), np.abs(v)))
            members = rest[np.all(close, axis=1)]
            if members.size:
                assigned[members] = True
                groups.append([i, *members.tolist()])
    return groups


def _as_2d(matrix) -> np.ndarray:
    array = np.asarray(matrix, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"expected a matrix (2-D), got {array.ndim}-D values")
    return array


def identical_rows(matrix, rtol: float = 1e-12, atol: float = 1e-12) -> list[list[int]]:
    """Groups of two or more equal rows, each ascending, ordered by their first row."""
    return _equal_groups(_as_2d(matrix), rtol, atol)


def identical_columns(matrix, rtol: float = 1e-12, atol: float = 1e-12) -> list[list[int]]:
    """Groups of two or more equal columns, each ascending, ordered by their first column."""
    return _equal_groups(_as_2d(matrix).T, rtol, atol)


# -------------------------------------------------------------------------- copy formats
def _rows(matrix) -> np.ndarray:
    array = np.asarray(matrix)
    if array.dtype != np.float32:  # a float32 run's numbers stay float32 (number_text)
        array = array.astype(float)
    if array.ndim not in (1, 2):
        raise ValueError(f"expected a vector or a matrix, got {array.ndim}-D values")
    return array


def as_text(matrix) -> str:
    """The seed's pipe table (numbers rounded to 7 decimals)."""
    return pipe_table(_rows(matrix))


def _numpy_number(value) -> str:
    if math.isnan(value):
        return "np.nan"
    if math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    # the shortest text that reads back as the same float (as the same float32 in a float32
    # run: 0.1, not 0.10000000149011612)
    return number_text(value)


def as_numpy(matrix) -> str:
    """``np.array([[...], ...])`` with every float written exactly (repr)."""
    array = _rows(matrix)
    if array.ndim == 1:
        return "np.array([" + ", ".join(_numpy_number(v) for v in array) + "])"
    rows = ("[" + ", ".join(_numpy_number(v) for v in row) + "]" for row in array)
    return "np.array([" + ", ".join(rows) + "])"


def _latex_number(value: float) -> str:
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    return format_number(value)


def as_latex(matrix) -> str:
    r"""``\begin{bmatrix} 1 & 0.5 \\ 2 & 3 \end{bmatrix}``, numbers as the tables show them."""
    array = _rows(matrix)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    body = r" \\ ".join(" & ".join(_latex_number(float(v)) for v in row) for row in array)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def block_text(block: MatrixBlock) -> str:
    """The whole block as the CLI prints it: the title, then the seed's layout."""
    if block.kind == "product":
        table = product_table(block.left, block.right, block.result)
    elif block.kind == "elementwise":
        table = "\n".join([f"{block.left_title}:", pipe_table(block.left),
                           f"⊙ {block.right_title}:", pipe_table(block.right),
                           f"= {block.result_title}:", pipe_table(block.result)])
    else:
        table = pipe_table(block.result)
    return f"{block.title}\n{table}\n"
