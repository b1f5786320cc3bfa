"""Compare your numbers: read a matrix a learner pasted and compare it with the engine's.

``parse_matrix`` reads a numpy repr (``array([[1., 2.], [3., 4.]])``, also ``print(a)``'s form
without commas), a Python list (nested, or flat for one row), CSV (an optional header row of
names is skipped), whitespace columns, or seed 000's pipe tables (``| 1   0.8   0.4 |``,
``| 2.2 | 2.2 |``; lines of only bars and dashes are ignored). It never evaluates the text: a
small tokenizer knows numbers, brackets and commas, and nothing else.

``quantities`` lists what one iteration computes, in the order it computes them (the weights
first, as the inputs of each forward phase); ``compare`` checks a pasted matrix against one of
them and explains a shape that does not fit (a bias row, a column of 1s, a transpose);
``earliest_disagreement`` names the first of several pasted quantities that parts from ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..core.backprop import Trace
from ..core.network import Network, augment
from ..core.phases import Phase, phases_of
from ..io.numbers import NUMBER, NumberError, clean, is_number_like, read_number

MAX_CELLS = 1_000_000
MAX_CHARACTERS = 40_000_000
# a number written with at least this many decimals was rounded by whoever printed it: it may
# differ from ours by half a unit of its last digit (seed 000 prints 7 decimals)
ROUNDED_DECIMALS = 4

_ARRAY_START = re.compile(r"^(?:(?:np|numpy)\s*\.\s*)?array\s*\(")
_ARRAY_END = re.compile(r"(?:,\s*dtype\s*=\s*[\w.'\"]+\s*)?\)\s*$")
_TOKEN = re.compile(r"([\[\]()])|(,)|([^\s\[\](),]+)")
_SEPARATOR_LINE = set("|-+=: \t")


class MatrixParseError(ValueError):
    """Pasted text that is not a matrix of finite numbers; the message says where and why."""


@dataclass
class ParsedMatrix:
    values: np.ndarray  # 2-D float
    rounding: np.ndarray  # per cell: half a unit of the last digit written, or 0
    notes: list[str] = field(default_factory=list)


def parse_matrix(text: str) -> np.ndarray:
    """The pasted matrix as a 2-D float array (a flat list is one row)."""
    return read_matrix(text).values


def read_matrix(text: str) -> ParsedMatrix:
    """``parse_matrix`` with each cell's rounding allowance and notes on what was skipped."""
    if not isinstance(text, str):
        raise MatrixParseError("expected text")
    if len(text) > MAX_CHARACTERS:
        raise MatrixParseError(f"the text is too long ({len(text):,} characters; "
                               f"at most {MAX_CHARACTERS:,})")
    text = text.replace("\u2212", "-").strip()  # the typographic minus sign
    if not text:
        raise MatrixParseError("nothing to read: paste a matrix")
    start = _ARRAY_START.match(text)
    if start or text[0] in "[(":
        if start:
            end = _ARRAY_END.search(text)
            if end is None or end.start() < start.end():
                raise MatrixParseError("array( is not closed by ')'")
            text = text[start.end():end.start()]
        return _cells_to_matrix(_bracket_rows(text), [])
    rows, notes = _line_rows(text)
    return _cells_to_matrix(rows, notes)


def _where(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    return f"line {line}, character {position - (text.rfind(chr(10), 0, position) + 1) + 1}"


def _bracket_rows(text: str) -> list[tuple[None, list[str]]]:
    """Nested brackets (at most two levels) as rows of cell texts."""
    if "..." in text:
        raise MatrixParseError("numpy left values out ('...'): print the whole array, e.g. "
                               "after np.set_printoptions(threshold=np.inf)")
    top: list = []
    stack, closers = [top], []
    previous, cells = "[", 0
    for match in _TOKEN.finditer(text):
        bracket, comma, word = match.groups()
        if bracket in ("[", "("):
            if len(stack) > 2:
                raise MatrixParseError(f"{_where(text, match.start())}: more than two levels of "
                                       "brackets; paste one 2-D matrix at a time")
            inner: list = []
            stack[-1].append(inner)
            stack.append(inner)
            closers.append("]" if bracket == "[" else ")")
        elif bracket:
            if not closers or bracket != closers[-1]:
                raise MatrixParseError(f"{_where(text, match.start())}: unexpected {bracket!r}")
            stack.pop()
            closers.pop()
        elif comma:
            if previous in (",", "[", "("):
                raise MatrixParseError(f"{_where(text, match.start())}: a comma with no "
                                       "number before it")
        else:
            if len(stack) == 1:
                raise MatrixParseError(f"{_where(text, match.start())}: {word[:20]!r} is "
                                       "outside the brackets")
            cells += 1
            if cells > MAX_CELLS:
                raise MatrixParseError(f"more than {MAX_CELLS:,} numbers: too large to compare")
            stack[-1].append(word)
        previous = bracket or comma or "number"
    if closers:
        raise MatrixParseError(f"a {closers[-1]!r} is missing at the end")
    # [[...], [...]] is a matrix; [1, 2, 3] one row; [1, 2] [3, 4] on separate lines two rows
    rows = top[0] if len(top) == 1 and all(isinstance(i, list) for i in top[0]) else top
    for number, row in enumerate(rows, start=1):
        if not all(isinstance(item, str) for item in row):
            raise MatrixParseError(f"row {number} mixes numbers and lists")
    return [(None, row) for row in rows]


def _line_cells(line: str, number: int) -> list[str]:
    if "|" in line:  # seed 000's tables: bars between or around the numbers
        return [cell for part in line.split("|") for cell in part.replace(",", " ").split()]
    if "," in line:  # CSV
        cells = [cell.strip().strip('"').strip() for cell in line.split(",")]
        if cells[-1] == "":
            cells.pop()  # a trailing comma
        for column, cell in enumerate(cells, start=1):
            if not cell:
                raise MatrixParseError(f"line {number}, column {column} is empty")
        return cells
    return line.split()


def _line_rows(text: str) -> tuple[list[tuple[int, list[str]]], list[str]]:
    rows, cells = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or set(stripped) <= _SEPARATOR_LINE:
            continue
        row = _line_cells(stripped, number)
        cells += len(row)
        if cells > MAX_CELLS:
            raise MatrixParseError(f"more than {MAX_CELLS:,} numbers: too large to compare")
        rows.append((number, row))
    notes = []
    # a first row of names only (a CSV header, a table's title) is skipped, with care: only
    # when a row of numbers follows and the header is as wide, or it is a title above a table
    if len(rows) > 1 and not any(_looks_numeric(cell) for cell in rows[0][1]):
        (first_line, first), (_, second) = rows[0], rows[1]
        title = "|" not in text.splitlines()[first_line - 1] and "|" in text
        if len(first) == len(second) or title:
            notes.append(f"skipped line {first_line} ({' '.join(first)[:60]}): "
                         f"{'a title' if title else 'a header row of names'}")
            rows = rows[1:]
    return rows, notes


def _looks_numeric(cell: str) -> bool:
    return is_number_like(cell)


def _number(cell: str, where: str) -> tuple[float, float]:
    """(value, rounding allowance) of one cell, or MatrixParseError naming where it is."""
    try:
        value = read_number(cell)
    except NumberError as error:
        raise MatrixParseError(f"{where}: {error}") from None
    match = NUMBER.fullmatch(clean(cell))
    decimals = len(match.group(1) or match.group(2) or "")
    exponent_text = match.group(3) or "0"
    if decimals < ROUNDED_DECIMALS or len(exponent_text) > 6:
        return value, 0.0
    exponent = max(min(int(exponent_text) - decimals, 300), -300)
    return value, 0.5 * 10.0 ** exponent


def _cells_to_matrix(rows: list[tuple[int | None, list[str]]], notes: list[str]) -> ParsedMatrix:
    rows = [(line, cells) for line, cells in rows if cells]
    if not rows:
        raise MatrixParseError("no numbers found: paste a matrix")
    width = len(rows[0][1])
    for number, (line, cells) in enumerate(rows, start=1):
        if len(cells) != width:
            at = f" (line {line})" if line is not None and line != number else ""
            raise MatrixParseError(f"row {number}{at} has {len(cells)} numbers but row 1 has "
                                   f"{width}: every row needs the same number of columns")
    values = np.empty((len(rows), width))
    rounding = np.zeros((len(rows), width))
    for r, (line, cells) in enumerate(rows):
        at = f" (line {line})" if line is not None and line != r + 1 else ""
        for c, cell in enumerate(cells):
            values[r, c], rounding[r, c] = _number(cell, f"row {r + 1}{at}, column {c + 1}")
    return ParsedMatrix(values, rounding, notes)


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
            rounding = " (allowing for the rounding of the digits you gave)" if self.rounded else ""
            within = f"{self.rtol:g}".replace("e-0", "e-").replace("e+0", "e+")
            parts.append(f"all {self.yours.size} cells agree within {within}{rounding}")
        elif self.status == "differ":
            r, c = self.first_mismatch
            count = int(self.mismatch.sum())
            parts.append(f"{count} of {self.yours.size} cells differ; the first at row {r}, "
                         f"column {c} (counting from 0): yours {self.yours[r, c]:.10g}, engine "
                         f"{self.engine_value[r, c]:.10g}; largest difference "
                         f"{self.max_abs_error:.3g}")
        return "\n".join(parts)


def compare(yours, quantity: Quantity, rtol: float = 1e-6, atol: float = 1e-9,
            rounding: np.ndarray | None = None) -> Comparison:
    """Your matrix against ``quantity``. Cells agree when |yours − ours| ≤ atol + rtol·|ours|
    (+ ``rounding``, each cell's allowance for the digits printed, from ``read_matrix``)."""
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
                       else f"transposed back, {int((~back).sum())} cells still differ")
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
    rounded = rounding is not None and bool((agree & ~_agree(yours, ours, rtol, atol)).any())
    result = Comparison(q, "differ" if mismatch.any() else "agree", yours, ours,
                        mismatch=mismatch, max_abs_error=largest, rtol=rtol, atol=atol,
                        rounded=rounded)
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
