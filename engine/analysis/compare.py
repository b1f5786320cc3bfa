"""Compare your numbers: a matrix a learner pasted (read by engine.io.matrix_text, whose
names are importable from here too) against the engine's.

``quantities`` lists what one iteration computes, in the order it computes them (the weights
first, as the inputs of each forward phase); ``compare`` checks a pasted matrix against one of
them and explains a shape that does not fit (a bias row, a column of 1s, a transpose);
``earliest_disagreement`` names the first of several pasted quantities that parts from ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.backprop import Trace
from ..core.network import Network, augment
from ..core.phases import Phase, phases_of
from ..io.matrix_text import (  # noqa: F401 (the panel and tests read them from here)
    MAX_CELLS,
    MAX_CHARACTERS,
    MatrixParseError,
    ParsedMatrix,
    parse_matrix,
    read_matrix,
)


# ------------------------------------------------------------------------------ quantities
@dataclass
class Quantity:
    key: str  # "a^1", "delta^2", "dC/dW^1", "W^0", …
    label: str  # in the seed's notation: a^1, δ^2, ∂C/∂W^1
    phase_index: int  # into phases_of(L): the phase that computes (or first uses) it
    phase: Phase
    value: np.ndarray | None  # 2-D; None while the trace has not computed it yet
    description: str = ""
    augmented: np.ndarray | None = None  # [1 | a], [b; W] or [∂C/∂b; ∂C/∂W]
    augmented_label: str | None = None
    rows: str = "observations"  # what a row of ``value`` is
    columns: str = ""

    @property
    def phase_text(self) -> str:
        kind, layer = self.phase.kind, self.phase.layer
        return kind if layer is None else f"{kind}, layer {layer}"


def _copy(value) -> np.ndarray | None:
    return None if value is None else np.atleast_2d(np.array(value, dtype=float))


def quantities(network: Network, trace: Trace) -> list[Quantity]:
    """Every quantity of one iteration, in the order the iteration computes them."""
    L, bias = network.layer_count, network.bias
    phases = phases_of(L)
    result: list[Quantity] = []

    def add(key, label, index, value, description, columns, rows="observations",
            augmented=None, augmented_label=None):
        result.append(Quantity(key, label, index, phases[index], _copy(value), description,
                               _copy(augmented) if bias else None,
                               augmented_label if bias else None, rows, columns))

    def activation(l, index):
        a = trace.activations[l]
        add(f"a^{l}", f"a^{l}", index, a,
            "the inputs x" if l == 0 else f"activations a^{l} = f(n^{l})",
            f"neurons of layer {l}", augmented=None if a is None else augment(a),
            augmented_label=f"[1 | a^{l}]")

    activation(0, 0)
    for l in range(1, L + 1):
        k = l - 1
        add(f"W^{k}", f"W^{k}", k, network.weights[k],
            f"weights w^{k}_{{i,j}} from neuron i of layer {k} to neuron j of layer {l}",
            f"neurons of layer {l}", rows=f"neurons of layer {k}",
            augmented=network.augmented_weights(k), augmented_label=f"[b^{k}; W^{k}]")
        add(f"n^{l}", f"n^{l}", k, trace.pre_activations[l],
            f"pre-activations n^{l} = a^{k} W^{k} + b^{k}", f"neurons of layer {l}")
        activation(l, k)
    add(f"dC/da^{L}", f"∂C/∂a^{L}", L, trace.dcost_dactivations[L],
        "the cost's derivative by the outputs", f"neurons of layer {L}")
    for l in range(L, 0, -1):
        k, index = l - 1, 2 * L + 1 - l
        neurons = f"neurons of layer {l}"
        if l < L:
            add(f"dC/da^{l}", f"∂C/∂a^{l}", index, trace.dcost_dactivations[l],
                f"∂C/∂a^{l} = δ^{l + 1} (W^{l})ᵀ", neurons)
        add(f"da^{l}/dn^{l}", f"∂a^{l}/∂n^{l}", index, trace.dactivation_dpre[l],
            f"the activation's derivative f'(n^{l})", neurons)
        add(f"delta^{l}", f"δ^{l}", index, trace.deltas[l],
            f"δ^{l} = ∂C/∂n^{l} = ∂C/∂a^{l} ⊙ ∂a^{l}/∂n^{l}", neurons)
        gradient, bias_gradient = trace.weight_gradients[k], trace.bias_gradients[k]
        augmented = (None if gradient is None or bias_gradient is None
                     else np.vstack([np.atleast_2d(bias_gradient), gradient]))
        add(f"dC/dW^{k}", f"∂C/∂W^{k}", index, gradient,
            f"∂C/∂W^{k} = (a^{k})ᵀ δ^{l}, summed over the observations", neurons,
            rows=f"neurons of layer {k}", augmented=augmented,
            augmented_label=f"[∂C/∂b^{k}; ∂C/∂W^{k}]")
        if bias:
            add(f"dC/db^{k}", f"∂C/∂b^{k}", index, bias_gradient,
                f"∂C/∂b^{k} = Σ_o δ^{l}, one row summed over the observations", neurons,
                rows="the sum over the observations")
    return result


def quantity(network: Network, trace: Trace, key: str) -> Quantity:
    for item in quantities(network, trace):
        if item.key == key:
            return item
    raise KeyError(f"no quantity {key!r} in this network")


# ------------------------------------------------------------------------------ comparison
def _size(shape) -> str:
    return f"{shape[0]}×{shape[1]}"


@dataclass
class Comparison:
    quantity: Quantity
    status: str  # "agree", "differ", "shape" (cannot be compared) or "pending" (not computed)
    yours: np.ndarray
    engine_value: np.ndarray | None  # the matrix compared against (or ours, for a bad shape)
    shape_message: str | None = None
    mismatch: np.ndarray | None = None  # True where the cells differ
    max_abs_error: float | None = None
    first_mismatch: tuple[int, int] | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    rounded: bool = False  # some cells were allowed their printed rounding
    rounded_cells: int = 0  # cells that agree only to the digits they were printed with

    @property
    def ok(self) -> bool:
        return self.status == "agree"

    @property
    def message(self) -> str:
        parts = [self.shape_message] if self.shape_message else []
        if self.status == "pending":
            return (f"{self.quantity.label} is not computed yet at this phase: step on to "
                    f"{self.quantity.phase_text}")
        if self.status == "agree":
            within = f"{self.rtol:g}".replace("e-0", "e-").replace("e+0", "e+")
            every = "the one cell agrees" if self.yours.size == 1 else (
                f"all {self.yours.size} cells agree")
            parts.append(f"{every} within {within}{self._rounding()}")
        elif self.status == "differ":
            r, c = self.first_mismatch
            count = int(self.mismatch.sum())
            some = ("the one cell differs" if self.yours.size == 1
                    else f"{count} of {self.yours.size} cells differ")
            parts.append(f"{some}; the first at row {r}, "
                         f"column {c} (counting from 0): yours {self.yours[r, c]:.10g}, engine "
                         f"{self.engine_value[r, c]:.10g}; largest difference "
                         f"{self.max_abs_error:.3g}")
        return "\n".join(parts)

    def _rounding(self) -> str:
        if not self.rounded:
            return ""
        which = ("all of them" if self.rounded_cells == self.yours.size
                 else f"{self.rounded_cells} of them" if self.rounded_cells > 1 else "one of them")
        return (f" ({which} to the digits you gave: a printed number is compared to its own "
                "digits, ±1 in the last, as printing rounded it)")


def still_differ(count: int) -> str:
    """"1 cell still differs", "3 cells still differ"."""
    return "1 cell still differs" if count == 1 else f"{count} cells still differ"


def compare(yours, quantity: Quantity, rtol: float = 1e-6, atol: float = 1e-9,
            rounding: np.ndarray | None = None) -> Comparison:
    """Your matrix against ``quantity``. Cells agree when |yours − ours| ≤ atol + rtol·|ours|
    (+ ``rounding``, each cell's allowance for the digits printed, from ``read_matrix``: a
    number printed to 7 decimals is compared to 7 decimals)."""
    yours = np.atleast_2d(np.asarray(yours, dtype=float))
    q, ours = quantity, quantity.value
    if ours is None:
        return Comparison(q, "pending", yours, None, rtol=rtol, atol=atol)
    sizes = f"yours is {_size(yours.shape)} and ours {_size(ours.shape)}"
    if yours.shape == ours.shape:
        result = _compare_values(yours, ours, q, rtol, atol, rounding)
        if result.status == "differ" and yours.shape[0] == yours.shape[1] and _agree(
                yours.T, ours, rtol, atol).all():
            result.shape_message = (f"yours is ours transposed: rows are {q.rows} here, "
                                    f"columns {q.columns}")
        return result
    augmented = q.augmented
    if augmented is not None and yours.shape == augmented.shape:
        if q.key.startswith("a^"):
            note = (f"{sizes}: yours has the leading column of 1s of the augmented "
                    f"{q.augmented_label}; compared with that")
        else:
            note = (f"{sizes}: did you include the bias row? The augmented "
                    f"{q.augmented_label} is {_size(augmented.shape)} (row 0: the bias); "
                    "compared with that")
        result = _compare_values(yours, augmented, q, rtol, atol, rounding)
        result.shape_message = note
        return result
    result = Comparison(q, "shape", yours, ours, rtol=rtol, atol=atol)
    for target, name in ((ours, q.label), (augmented, q.augmented_label)):
        if target is not None and yours.shape == target.T.shape:
            back = _agree(yours.T, target, rtol, atol)
            verdict = ("transposed back, it agrees" if back.all()
                       else f"transposed back, {still_differ(int((~back).sum()))}")
            result.shape_message = (f"yours looks transposed ({_size(yours.shape)} vs "
                                    f"{_size(target.shape)} for {name}): rows are {q.rows} "
                                    f"here, columns {q.columns}; {verdict}")
            return result
    if q.rows == "observations" and yours.shape[1] == ours.shape[1]:
        result.shape_message = f"{sizes}: rows are observations, and there are {len(ours)}"
    elif yours.shape[0] == ours.shape[0]:
        result.shape_message = (f"{sizes}: the columns are the {q.columns}, "
                                f"which has {ours.shape[1]}")
    else:
        result.shape_message = f"{sizes}: rows are {q.rows}, columns the {q.columns}"
    return result


def _agree(yours, ours, rtol, atol, rounding=None) -> np.ndarray:
    allowed = atol + rtol * np.abs(ours)
    if rounding is not None:
        allowed = allowed + rounding * (1 + 1e-9)
    with np.errstate(invalid="ignore", over="ignore"):
        return (np.abs(yours - ours) <= allowed) & np.isfinite(ours)


def _compare_values(yours, ours, q, rtol, atol, rounding) -> Comparison:
    if rounding is not None and rounding.shape != yours.shape:
        rounding = None
    agree = _agree(yours, ours, rtol, atol, rounding)
    mismatch = ~agree
    with np.errstate(invalid="ignore", over="ignore"):
        errors = np.abs(yours - ours)
    largest = float(np.nanmax(errors)) if np.isfinite(errors).any() else float("inf")
    by_digits = int((agree & ~_agree(yours, ours, rtol, atol)).sum()) if rounding is not None else 0
    result = Comparison(q, "differ" if mismatch.any() else "agree", yours, ours,
                        mismatch=mismatch, max_abs_error=largest, rtol=rtol, atol=atol,
                        rounded=by_digits > 0, rounded_cells=by_digits)
    if mismatch.any():
        r, c = np.argwhere(mismatch)[0]
        result.first_mismatch = (int(r), int(c))
    return result


def earliest_disagreement(pasted: dict, network: Network, trace: Trace, rtol: float = 1e-6,
                          atol: float = 1e-9, rounding: dict | None = None
                          ) -> tuple[Quantity, Comparison] | None:
    """Of the pasted quantities (key → matrix), the one earliest in the iteration that
    disagrees with ours, in shape or values; None when all agree (or are not computed yet)."""
    every = quantities(network, trace)
    unknown = set(pasted) - {q.key for q in every}
    if unknown:
        raise KeyError(f"no quantity {sorted(unknown)[0]!r} in this network")
    rounding = rounding or {}
    for q in every:
        if q.key in pasted:
            result = compare(pasted[q.key], q, rtol, atol, rounding.get(q.key))
            if result.status in ("differ", "shape"):
                return q, result
    return None
