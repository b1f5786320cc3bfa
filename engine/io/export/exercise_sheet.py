"""Exercise sheets: the next phases of training as exercises to do by hand, and their key.

``build_sheet(stepper, phases)`` takes the network, the data and the settings where the stepper
stands and turns the next ``phases`` phases (forward layer 1 … loss … backward … update, across
iterations when there are more than 2L + 2) into exercises: for each phase which quantities to
compute, their formula in the seeds' notation and a table of the right shape to fill in (rows:
observations, or the bias and the source neurons of a weight matrix). The numbers of the answer
key come from the engine's own kernels, run on a copy: the stepper given is not moved.

``markdown_sheet`` and ``latex_sheet`` write a sheet as Markdown (pipe tables) or as LaTeX
(``tabular`` to fill in, ``bmatrix`` for what is given; plain ASCII, so pdflatex compiles it
without extra packages), empty or, with ``answers=True``, filled with the engine's numbers
rounded to 7 decimals as seed 000 prints them. ``write_exercise_sheet`` writes both files
atomically, the key beside the sheet as ``NAME-answers.md`` (or ``.tex``).

The copy starts from the stepper's iteration with its parameters, optimiser state and data,
and redoes the phases of the current iteration that are already done, so every number on the
sheet follows from what the sheet gives. (Edits recorded later on a rewound history are not
replayed: the sheet continues from the parameters as they are.)
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...analysis.compare import quantities
from ...analysis.matrices import as_latex, phase_blocks
from ...core.activations import get_activation
from ...core.losses import get_loss
from ...core.network import ParameterAddress
from ...core.phases import NonFiniteError, Phase
from ..atomic import write_text_atomic
from ..tables import DECIMALS, format_number

MAX_PHASES = 100
FORMATS = {".md": "Markdown", ".tex": "LaTeX"}
ANSWERS_SUFFIX = "-answers"
DEFAULT_TITLE = "Backpropagation by hand"

# the optimisers' rules, in the seeds' notation (θ: every [b^k; W^k]; g: its gradient)
_UPDATE_RULES = {
    "gd": "θ ← θ − η ∂C/∂θ",
    "sgd": "θ ← θ − η ∂C/∂θ  (∂C/∂θ on this iteration's mini-batch)",
    "momentum": "v ← μ v + ∂C/∂θ;  θ ← θ − η v",
    "adam": ("m ← β₁ m + (1 − β₁) ∂C/∂θ;  v ← β₂ v + (1 − β₂) (∂C/∂θ)²;  "
             "θ ← θ − η m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁^t),  v̂ = v / (1 − β₂^t)"),
}
# an optimiser's state vector → its letter in the rule above
_STATE_SYMBOLS = {"velocity": "v", "first_moment": "m", "second_moment": "v"}


# ------------------------------------------------------------------------------ the sheet
@dataclass
class Table:
    """One matrix of the sheet: ``label`` and ``formula`` in the seeds' notation (Unicode),
    its row and column labels, and its value (2-D; the answer, or what is given)."""

    label: str
    formula: str
    rows: list[str]
    columns: list[str]
    value: np.ndarray
    about: str = ""  # what the rows and columns are, in words

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.columns)


@dataclass
class Exercise:
    """One phase to do by hand: its iteration, the phase, what to do, and its tables."""

    number: int
    iteration: int
    phase: Phase
    task: str
    tables: list[Table]

    @property
    def heading(self) -> str:
        return f"Exercise {self.number}: iteration {self.iteration}, {self.phase}"


@dataclass
class Fact:
    """A line of what is given: a label, words, and a formula (may be empty)."""

    label: str
    words: str
    formula: str = ""


@dataclass
class Sheet:
    title: str
    facts: list[Fact]
    given: list[Table]
    exercises: list[Exercise]
    start: tuple[int, int]  # (iteration, phases done in it) where the sheet begins
    notes: list[str] = field(default_factory=list)


def check_phase_count(phases) -> int:
    """``phases`` as an int from 1 to MAX_PHASES, or ValueError saying what is wrong."""
    if isinstance(phases, bool) or not isinstance(phases, (int, np.integer)):
        raise ValueError(f"phases: a whole number from 1 to {MAX_PHASES}, not {phases!r}")
    if not 1 <= phases <= MAX_PHASES:
        raise ValueError(f"phases: a whole number from 1 to {MAX_PHASES}, not {phases} "
                         f"(a sheet of more than {MAX_PHASES} phases is too long to do by hand)")
    return int(phases)


def default_phase_count(layer_count: int) -> int:
    """One iteration: 2L + 2 phases."""
    return 2 * layer_count + 2


def _copy_of(stepper):
    """A stepper at the same position that shares nothing with ``stepper``."""
    from ..fileformat import Document  # the file format imports the engine's core

    copy = Document.from_stepper(stepper).make_stepper(checkpoint_stride=1 << 30)
    for _ in range(stepper.phase):
        try:
            copy.step_phase()
        except NonFiniteError as error:
            raise ValueError(f"the iteration so far cannot be redone: {error}") from None
    return copy


# --------------------------------------------------------------------------- row labels
def _observations(trace) -> list[str]:
    rows = range(len(trace.inputs)) if trace.batch is None else trace.batch
    return [f"obs {int(o)}" for o in rows]


def _neurons(count: int) -> list[str]:
    return [f"neuron {j}" for j in range(count)]


def _parameter_rows(network, k: int) -> list[str]:
    return (["b"] if network.bias else []) + [f"from neuron {i}" for i in range(network.sizes[k])]


def _parameter_names(network, k: int) -> tuple[str, str, str]:
    """The names of [b^k; W^k], its gradient, and [1 | a^k] (without biases: W^k, …)."""
    if network.bias:
        return f"[b^{k}; W^{k}]", f"[∂C/∂b^{k}; ∂C/∂W^{k}]", f"[1 | a^{k}]"
    return f"W^{k}", f"∂C/∂W^{k}", f"a^{k}"


def _layout(network, flat: np.ndarray, k: int) -> np.ndarray:
    """The [b^k; W^k]-shaped slice of a vector laid out like θ."""
    weights, biases, _ = network.layout(np.asarray(flat, dtype=float))
    return np.vstack([biases[k][np.newaxis, :], weights[k]]) if network.bias else weights[k]


# ------------------------------------------------------------------------------- phases
def _result(blocks, title: str) -> np.ndarray:
    for block in blocks:
        if block.result_title == title:
            return block.result.copy()
    raise KeyError(f"no matrix {title!r} among {[b.result_title for b in blocks]}")


def _forward(network, trace, blocks, l: int) -> tuple[str, list[Table]]:
    k, rows = l - 1, _observations(trace)
    left, right = _parameter_names(network, k)[0], _parameter_names(network, k)[2]
    symbol = get_activation(network.activation_names[k]).shown_symbol
    about = f"rows: observations; columns: neurons of layer {l}"
    return (f"Forward, layer {l}: compute the pre-activations n^{l} and the activations "
            f"a^{l} of this iteration's observations.",
            [Table(f"n^{l}", f"n^{l} = {right} {left}", rows, _neurons(network.sizes[l]),
                   _result(blocks, f"n^{l}"), about),
             Table(f"a^{l}", f"a^{l} = {symbol}(n^{l})", rows, _neurons(network.sizes[l]),
                   _result(blocks, f"a^{l}"), about)])


def _loss(network, trace, blocks, loss_name: str) -> tuple[str, list[Table]]:
    L, loss = network.layer_count, get_loss(loss_name)
    return (f"Loss: compute the cost C of the outputs a^{L} against the targets y, and its "
            f"derivative ∂C/∂a^{L}, where backpropagation starts.",
            [Table("C", f"C = {loss.formula},  a = a^{L}", ["C"], ["value"],
                   _result(blocks, "C"), f"one number: {loss.reduction}"),
             Table(f"∂C/∂a^{L}", f"∂C/∂a^{L} = {loss.derivative_formula},  a = a^{L}",
                   _observations(trace), _neurons(network.sizes[L]),
                   _result(blocks, f"∂C/∂a^{L}"),
                   f"rows: observations; columns: neurons of layer {L}")])


def _backward(network, trace, blocks, l: int) -> tuple[str, list[Table]]:
    L, k, rows = network.layer_count, l - 1, _observations(trace)
    activation = get_activation(network.activation_names[k])
    f = activation.shown_symbol
    about = f"rows: observations; columns: neurons of layer {l}"
    neurons = _neurons(network.sizes[l])
    tables = []
    if l < L:
        tables.append(Table(f"∂C/∂a^{l}", f"∂C/∂a^{l} = δ^{l + 1} (W^{l})ᵀ", rows, neurons,
                            _result(blocks, f"∂C/∂a^{l}"), about))
    tables.append(Table(f"∂a^{l}/∂n^{l}", f"∂a^{l}/∂n^{l} = {f}′(n^{l})", rows, neurons,
                        _result(blocks, f"∂a^{l}/∂n^{l}"), about))
    if not activation.elementwise:  # softmax (an output layer): its Jacobian mixes outputs
        delta = f"δ^{L} = a^{L} ⊙ (∂C/∂a^{L} − Σ_k ∂C/∂a^{L}_k a^{L}_k)"
    elif l == L:
        delta = f"δ^{L} = ∂C/∂a^{L} ⊙ {f}′(n^{L})"
    else:
        delta = f"δ^{l} = (δ^{l + 1} (W^{l})ᵀ) ⊙ {f}′(n^{l})"
    tables.append(Table(f"δ^{l}", delta, rows, neurons, _result(blocks, f"δ^{l}"), about))
    _, gradient, augmented = _parameter_names(network, k)
    tables.append(Table(
        gradient, f"{gradient} = ({augmented})ᵀ δ^{l}", _parameter_rows(network, k),
        _neurons(network.sizes[l]), _result(blocks, gradient),
        f"summed over the observations; rows: {'the bias, then ' if network.bias else ''}"
        f"the neurons of layer {k} the weights leave; columns: neurons of layer {l}"))
    step = (f"Backward, layer {l}: compute δ^{l} = ∂C/∂n^{l} and the gradient of the "
            f"parameters into layer {l}.")
    return step, tables


def _update(network, blocks, config, state) -> tuple[str, list[Table]]:
    tables = []
    for k in range(network.layer_count):
        parameters, gradient, _ = _parameter_names(network, k)
        rows, columns = _parameter_rows(network, k), _neurons(network.sizes[k + 1])
        about = (f"rows: {'the bias, then ' if network.bias else ''}the neurons of layer "
                 f"{k}; columns: neurons of layer {k + 1}")
        frozen = [name for name in config.frozen
                  if ParameterAddress.parse(name).layer == k]
        if frozen:  # the new values (and the optimiser's state) keep these as they were
            about += f"; frozen, kept as they were: {', '.join(frozen)}"
        for key, vector in state.items():
            symbol = _STATE_SYMBOLS.get(key)
            if symbol is None:
                continue
            if key == "velocity":
                rule = f"{symbol}^{k} ← μ {symbol}^{k} + {gradient}"
            else:
                beta = "β₁" if key == "first_moment" else "β₂"
                g = gradient if key == "first_moment" else f"({gradient})²"
                rule = f"{symbol}^{k} ← {beta} {symbol}^{k} + (1 − {beta}) {g}"
            tables.append(Table(f"{symbol}^{k}", rule, rows, columns,
                                _layout(network, vector, k),
                                f"{key.replace('_', ' ')} after this update; {about}"))
        if config.optimizer == "momentum":
            rule = f"{parameters} ← {parameters} − η v^{k}"
        elif config.optimizer == "adam":
            rule = f"{parameters} ← {parameters} − η m̂^{k} / (√v̂^{k} + ε)"
        else:
            rule = f"{parameters} ← {parameters} − η {gradient}"
        tables.append(Table(f"{parameters} (new)", rule, rows, columns,
                            _result(blocks, parameters), about))
    return ("Update: apply the optimiser to every parameter with this iteration's gradient.",
            tables)


def _exercise(stepper, number: int) -> Exercise:
    iteration, phase = stepper.iteration, stepper.next_phase
    try:
        stepper.step_phase()
    except NonFiniteError as error:
        raise ValueError(f"exercise {number} ({phase}, iteration {iteration}): {error}; "
                         "choose fewer phases") from None
    network, trace, loss = stepper.network, stepper.trace, stepper.config.loss
    blocks = phase_blocks(network, trace, phase, loss, stepper.config.frozen)
    if phase.kind == "forward":
        task, tables = _forward(network, trace, blocks, phase.layer)
    elif phase.kind == "loss":
        task, tables = _loss(network, trace, blocks, loss)
    elif phase.kind == "backward":
        task, tables = _backward(network, trace, blocks, phase.layer)
    else:
        task, tables = _update(network, blocks, stepper.config, stepper.optimizer.get_state())
    if trace.batch is not None:
        task += (" This iteration's mini-batch: observations "
                 + ", ".join(str(int(o)) for o in trace.batch) + ".")
    return Exercise(number, iteration, phase, task, tables)


# -------------------------------------------------------------------------------- given
def _activation_text(name: str) -> str:
    formula = get_activation(name).formula
    return formula if "=" in formula else f"f(n) = {formula}"


def _facts(stepper) -> list[Fact]:
    network, config = stepper.network, stepper.config
    L, loss = network.layer_count, get_loss(config.loss)
    sizes = "-".join(str(s) for s in network.sizes)
    facts = [Fact("Network", f"{sizes}: {network.sizes[0]} inputs (layer 0) and {L} layers "
                  f"of neurons, {'with' if network.bias else 'without'} biases")]
    for l in range(1, L + 1):
        name = network.activation_names[l - 1]
        facts.append(Fact(f"Layer {l}", f"{network.sizes[l]} neurons, activation {name}",
                          f"a^{l} = f(n^{l}),  {_activation_text(name)}"))
    if network.bias:
        facts.append(Fact("Forward", "each layer, with the bias as row 0 of its matrix",
                          "n^l = [1 | a^{l−1}] [b^{l−1}; W^{l−1}]"))
    else:
        facts.append(Fact("Forward", "each layer", "n^l = a^{l−1} W^{l−1}"))
    words = f"{config.loss}, {loss.reduction}"
    if config.loss == "sse":
        words += "; no ½ in front, so ∂C/∂a = 2 (a − y)"
    elif config.loss == "half_sse":
        words += "; the ½ in front cancels the 2 of the square, so ∂C/∂a = a − y"
    facts.append(Fact("Loss", words, f"C = {loss.formula};  ∂C/∂a^{L} = "
                      f"{loss.derivative_formula},  a = a^{L}"))
    optimizer = f"{config.optimizer}, learning rate η = {config.learning_rate:g}"
    if config.optimizer == "momentum":
        optimizer += f", momentum μ = {config.momentum:g}"
    if config.optimizer == "adam":
        optimizer += (f", β₁ = {config.beta1:g}, β₂ = {config.beta2:g}, "
                      f"ε = {config.epsilon:g}")
    observations = len(stepper.inputs)
    batch = config.effective_batch_size(observations)
    if batch < observations:
        optimizer += f"; mini-batches of {batch} of the {observations} observations"
    facts.append(Fact("Optimiser", optimizer, _UPDATE_RULES[config.optimizer]))
    if config.dtype == "float32":
        facts.append(Fact("Precision", "float32, PyTorch's default: every number of every "
                          "phase rounded to float32 (about 7 significant digits), the answers "
                          "too"))
    if config.frozen:
        facts.append(Fact("Frozen", f"{', '.join(config.frozen)}: the update leaves them as "
                          "they are; compute their gradient all the same",
                          "θ_frozen ← θ_frozen"))
    output_delta = ("δ^L = ∂C/∂a^L ⊙ f′(n^L)" if network.activations[-1].elementwise
                    else "δ^L = a^L ⊙ (∂C/∂a^L − Σ_k ∂C/∂a^L_k a^L_k)")
    gradient = ("[∂C/∂b^l; ∂C/∂W^l] = ([1 | a^l])ᵀ δ^{l+1}" if network.bias
                else "∂C/∂W^l = (a^l)ᵀ δ^{l+1}")
    facts.append(Fact("Backward", "from the output layer back, summed over the observations",
                      output_delta + ";  δ^l = (δ^{l+1} (W^l)ᵀ) ⊙ f′(n^l);  " + gradient))
    return facts


def _given(stepper) -> list[Table]:
    network = stepper.network
    all_rows = [f"obs {o}" for o in range(len(stepper.inputs))]
    tables = [Table("x = a^0", "", all_rows, [f"input {j}" for j in range(network.sizes[0])],
                    np.atleast_2d(stepper.inputs).astype(float), "the inputs"),
              Table("y", "", all_rows, [f"output {j}" for j in range(network.sizes[-1])],
                    np.atleast_2d(stepper.targets).astype(float), "the targets")]
    for k in range(network.layer_count):
        name = _parameter_names(network, k)[0]
        tables.append(Table(name, "", _parameter_rows(network, k),
                            _neurons(network.sizes[k + 1]), _layout(network, network.theta, k),
                            f"rows: {'the bias, then ' if network.bias else ''}"
                            f"the weights leaving each neuron of layer {k}; columns: "
                            f"neurons of layer {k + 1}"))
    state = stepper.optimizer.get_state()
    for key, vector in state.items():
        symbol = _STATE_SYMBOLS.get(key)
        if symbol is None:
            continue
        for k in range(network.layer_count):
            tables.append(Table(f"{symbol}^{k}", "", _parameter_rows(network, k),
                                _neurons(network.sizes[k + 1]), _layout(network, vector, k),
                                f"the optimiser's {key.replace('_', ' ')} for the "
                                f"parameters of layer {k}, before this update"))
    if "step" in state:
        tables.append(Table("t", "", ["t"], ["value"], np.atleast_2d(state["step"]),
                            "Adam's steps so far (the update makes it t + 1)"))
    return tables


def _so_far(stepper) -> list[Table]:
    """What the current iteration has computed before the sheet starts (mid-iteration)."""
    if stepper.phase == 0:
        return []
    network, trace = stepper.network, stepper.trace
    tables = []
    for item in quantities(network, trace):
        if (item.phase_index >= stepper.phase or item.value is None or item.key == "a^0"
                or item.key.startswith("W^") or (network.bias and item.key.startswith("dC/db"))):
            continue
        if item.key.startswith("dC/dW"):
            k = int(item.key.split("^")[1])
            label = _parameter_names(network, k)[1]
            value = item.augmented if network.bias else item.value
            rows = _parameter_rows(network, k)
        else:
            label, value, rows = item.label, item.value, _observations(trace)
        tables.append(Table(label, "", rows, _neurons(value.shape[1]), value,
                            f"computed in {item.phase_text} of this iteration"))
        if item.key == f"a^{network.layer_count}" and trace.loss is not None:
            tables.append(Table("C", "", ["C"], ["value"], np.array([[trace.loss]]),
                                "computed in the loss phase of this iteration"))
    return tables


def build_sheet(stepper, phases: int, title: str | None = None) -> Sheet:
    """The next ``phases`` phases from the stepper's position as exercises, computed on a copy
    (the stepper is not moved). ValueError for a bad count or a phase that is not finite."""
    count = check_phase_count(phases)
    copy = _copy_of(stepper)
    start = (copy.iteration, copy.phase)
    facts = _facts(copy)
    where = f"iteration {copy.iteration}, " + (
        "at its start" if copy.phase == 0 else
        f"after {copy.phase} of its {len(copy.phases)} phases")
    facts.append(Fact("Start", f"{where}; {count} phase{'s' if count != 1 else ''} to do, "
                      f"from {copy.next_phase}"))
    given = _given(copy) + _so_far(copy)
    exercises = [_exercise(copy, number) for number in range(1, count + 1)]
    return Sheet(title or DEFAULT_TITLE, facts, given, exercises, start)


# ------------------------------------------------------------------------------ Markdown
def _markdown_table(table: Table, filled: bool) -> str:
    header = [table.label] + table.columns
    lines = ["| " + " | ".join(_markdown_escape(h) for h in header) + " |",
             "|" + "|".join(["---"] + [":---:"] * len(table.columns)) + "|"]
    for i, row in enumerate(table.rows):
        cells = ([format_number(v) for v in table.value[i]] if filled
                 else [" "] * len(table.columns))
        lines.append("| " + " | ".join([row, *cells]) + " |")
    return "\n".join(lines)


def _markdown_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _answers_line() -> str:
    return (f"Answer key: the engine's numbers, rounded to {DECIMALS} decimals as seed 000 "
            "prints them (trailing zeros dropped; magnitudes below 1e-4 or from 1e7 up in "
            "exponent form).")


def markdown_sheet(sheet: Sheet, answers: bool = False) -> str:
    """The sheet as Markdown: empty tables, or with ``answers`` the engine's numbers."""
    out = [f"# {sheet.title}{' — answer key' if answers else ''}", ""]
    if answers:
        out += [_answers_line(), ""]
    else:
        out += ["Fill in every table. The answer key is in the file beside this one.", ""]
    out += ["## Given", ""]
    for fact in sheet.facts:
        line = f"- **{fact.label}**: {fact.words}"
        if fact.formula:
            line += f": `{fact.formula}`"
        out.append(line)
    for table in sheet.given:
        out += ["", f"**{table.label}** ({table.about})", "", _markdown_table(table, True)]
    out += ["", "## Exercises"]
    for exercise in sheet.exercises:
        out += ["", f"### {exercise.heading}", "", exercise.task]
        for table in exercise.tables:
            out += ["", f"`{table.formula}`", "", f"({table.about})", "",
                    _markdown_table(table, answers)]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------- LaTeX
# characters of the seeds' notation → LaTeX math (the rest of the formula is ASCII already)
_MATH = {
    "Σ": r"\sum ", "−": "-", "²": "^{2}", "·": r"\cdot ", "⊙": r"\odot ", "∂": r"\partial ",
    "δ": r"\delta ", "σ": r"\sigma ", "ᵀ": r"^{\top}", "′": "'", "×": r"\times ", "η": r"\eta ",
    "μ": r"\mu ", "ε": r"\varepsilon ", "β": r"\beta ", "₁": "_{1}", "₂": "_{2}",
    "θ": r"\theta ", "←": r"\leftarrow ", "…": r"\dots ", "½": r"\frac{1}{2}",
    "≥": r"\geq ", "≤": r"\leq ", "⌊": r"\lfloor ", "⌋": r"\rfloor ", "∈": r"\in ",
    "ℓ": r"\ell ", "ŷ": r"\hat{y}",
}
# in running text: typographic characters as LaTeX writes them
_TEXT = {"—": "---", "–": "--", "’": "'", "‘": "`", "“": "``", "”": "''", "…": r"\dots{}",
         " ": "~"}
_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
             "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
             "^": r"\textasciicircum{}"}
_WORDS = re.compile(r"\b(ln|max|min|tanh|exp|log)\b")


def latex_math(formula: str) -> str:
    """A formula in the seeds' Unicode notation as LaTeX math (without the $…$): ASCII."""
    text = re.sub(r"([A-Za-z])̂", r"\\hat{\1}", formula)  # m̂ (a combining hat) → \hat{m}
    text = _WORDS.sub(r"\\\1 ", text)
    text = re.sub(r"\b(if|else)\b", r"\\text{ \1 }", text)
    text = re.sub(r"\^\(([^()]*)\)", r"^{(\1)}", text)  # e^(−n) → e^{(−n)}
    text = re.sub(r"([\^_])([A-Za-z0-9]+)", r"\1{\2}", text)  # n^12 → n^{12}
    text = re.sub(r"√([^\s()]+)", r"\\sqrt{\1}", text)  # √v̂ → \sqrt{\hat{v}}
    text = text.replace("  ", "\0")  # two spaces part formulas; the map adds spaces
    text = "".join(_MATH.get(c, c) if ord(c) > 127 else c for c in text)
    text = text.replace(";", r";\;").replace("\0", r"\quad ")
    return "".join(c if ord(c) < 128 else "?" for c in text)


def _mathy(word: str) -> bool:
    return "^" in word or any(c in _MATH for c in word)


def latex_text(text: str) -> str:
    """Running text for LaTeX, ASCII: a word of the seeds' notation (n^1, δ^3, η) as math,
    anything else with its specials escaped."""
    words = text.split(" ")
    if len(words) > 1:
        return " ".join(latex_text(word) for word in words)
    word = text
    core = word.strip(".,;:()")
    if core and _mathy(core):
        start = word.index(core)
        return (latex_text(word[:start]) + "$" + latex_math(core) + "$"
                + latex_text(word[start + len(core):]))
    out = []
    for c in word:
        if c in _SPECIALS:
            out.append(_SPECIALS[c])
        elif ord(c) < 128:
            out.append(c)
        elif c in _TEXT:
            out.append(_TEXT[c])
        else:
            out.append("?")
    return "".join(out)


def _latex_label(label: str) -> str:
    """A table's label: math, with "(new)" and the like as text."""
    name, _, rest = label.partition(" (")
    return f"${latex_math(name)}$" + (f" ({latex_text(rest)}" if rest else "")


def _latex_number(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return latex_text(format_number(value))
    return f"${format_number(value)}$"


def _latex_table(table: Table, filled: bool) -> str:
    columns = len(table.columns)
    spec = "|l|" + ("c|" * columns if filled else "p{1.9cm}|" * columns)
    lines = [r"\begin{center}", r"\begin{tabular}{" + spec + "}", r"\hline",
             " & ".join([_latex_label(table.label)] + [latex_text(c) for c in table.columns])
             + r" \\ \hline"]
    strut = "" if filled else r"\rule{0pt}{3.2ex}"
    for i, row in enumerate(table.rows):
        cells = ([_latex_number(float(v)) for v in table.value[i]] if filled
                 else [""] * columns)
        lines.append(" & ".join([strut + latex_text(row), *cells]) + r" \\ \hline")
    lines += [r"\end{tabular}", r"\end{center}"]
    return "\n".join(lines)


def latex_sheet(sheet: Sheet, answers: bool = False) -> str:
    """The sheet as a LaTeX document (article, amsmath): ``tabular`` to fill in, ``bmatrix``
    for what is given; with ``answers`` the tables hold the engine's numbers."""
    title = latex_text(sheet.title) + (" --- answer key" if answers else "")
    out = [r"\documentclass[11pt]{article}", r"\usepackage{amsmath}",
           r"\usepackage[margin=2cm]{geometry}", r"\setlength{\parindent}{0pt}",
           r"\setlength{\parskip}{0.6ex}", r"\begin{document}", "",
           r"\section*{" + title + "}", ""]
    out.append(latex_text(_answers_line()) if answers else
               "Fill in every table. The answer key is in the file beside this one.")
    out += ["", r"\subsection*{Given}", r"\begin{itemize}"]
    for fact in sheet.facts:
        line = r"\item \textbf{" + latex_text(fact.label) + "}: " + latex_text(fact.words)
        if fact.formula:
            line += ": $" + latex_math(fact.formula) + "$"
        out.append(line)
    out.append(r"\end{itemize}")
    for table in sheet.given:
        out += ["", latex_text(table.about[:1].upper() + table.about[1:]) + ":",
                r"\[ " + latex_math(table.label) + " = " + as_latex(table.value) + r" \]"]
    out += ["", r"\subsection*{Exercises}"]
    for exercise in sheet.exercises:
        out += ["", r"\subsubsection*{" + latex_text(exercise.heading) + "}",
                latex_text(exercise.task)]
        for table in exercise.tables:
            out += ["", r"\[ " + latex_math(table.formula) + r" \]",
                    r"\begin{center}\small (" + latex_text(table.about) + r")\end{center}",
                    _latex_table(table, answers)]
    out += ["", r"\end{document}"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------- files
def answers_path(path: str | os.PathLike) -> Path:
    """Where the answer key of the sheet at ``path`` goes: NAME-answers.md (or .tex)."""
    path = Path(path)
    return path.with_name(path.stem + ANSWERS_SUFFIX + path.suffix)


def sheet_texts(path: str | os.PathLike, sheet: Sheet) -> tuple[str, str]:
    """(the sheet, its answer key) in the format ``path``'s suffix names."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{Path(path).name}: an exercise sheet is .md (Markdown) or "
                         f".tex (LaTeX), not {suffix or 'a name without a suffix'}")
    render = markdown_sheet if suffix == ".md" else latex_sheet
    return render(sheet, False), render(sheet, True)


def write_exercise_sheet(path: str | os.PathLike, stepper, phases: int,
                         title: str | None = None) -> tuple[Path, Path]:
    """Write the sheet of the next ``phases`` phases to ``path`` (.md or .tex) and its
    answer key beside it; returns both paths. Both texts are made before either file is
    written, and each is written atomically: a failure leaves an existing file as it was."""
    path = Path(path)
    key = answers_path(path)
    texts = sheet_texts(path, build_sheet(stepper, phases, title))
    write_text_atomic(path, texts[0])
    write_text_atomic(key, texts[1])
    return path, key
