"""Guided lessons: the seeds' questions answered step by step on the live network.

A lesson is data: a few steps, each with a short text, the actions that set it up (load a
network, step phases, run to an iteration, nudge a weight, re-initialise with a seed,
remember a run) and the claims it makes, as checks that anyone can run on a Stepper. The
window (gui/lesson_panel.py) applies the actions through its undoable commands and shows
each check live, so a learner who deviates (edits, steps, runs) sees at once whether the
step's claim still holds; here the same actions run on a bare Stepper (``build``), which
is how Back sets a step up afresh and how the tests walk every lesson without Qt.

Texts use the seeds' notation: a^l, n^l, δ^l, W^l for seed 000; w1 … w6 for seed 001.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

from ..analysis.symmetry import distinct_counts_over_history, symmetry_groups
from ..core.backprop import Trace
from ..core.init import InitSpec, initial_theta
from ..core.network import Network, ParameterAddress
from ..core.optimizers import TrainingConfig
from ..core.stepper import Stepper
from ..io import datasets, fileformat
from ..io.fileformat import Document

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
EQUAL_RTOL = 1e-12  # "identical": equal to within a few rounding errors (in practice: equal)


# ------------------------------------------------------------------ networks
def seed_000() -> Document:
    """Seed 000: the 2-3-3-2 sigmoid network, every weight and bias 1, learning rate 0.5."""
    return fileformat.load(EXAMPLES / "seed-000.json")


def seed_001_tied() -> Document:
    """Seed 001: 2-2-1 without biases, w1 = w3, w2 = w4, w5 = w6."""
    document = fileformat.load(EXAMPLES / "seed-001-tied.json")
    document.init = InitSpec("uniform", 0)
    return document


def band_data() -> tuple[np.ndarray, np.ndarray]:
    """Fifteen points on a 5 × 3 grid of the unit square; class 1 where x1 is 0.25 or 0.5.

    No straight line separates the band from the rest (the best line gets 12 of 15 right),
    two lines do: one hidden neuron is not enough, two are."""
    columns = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    inputs = np.array([[x1, x2] for x2 in (0.0, 0.5, 1.0) for x1 in columns])
    targets = np.isin(inputs[:, 0], (0.25, 0.5)).astype(float)[:, np.newaxis]
    return inputs, targets


def logistic_zeros() -> Document:
    """Logistic regression (2-1, sigmoid, cross-entropy) from all-zero weights on seed 001's
    six observations, which a straight line separates."""
    inputs, targets = datasets.seed_001()
    network = Network([2, 1], ["sigmoid"], bias=True)
    return Document(network, inputs, targets,
                    TrainingConfig(loss="bce", optimizer="gd", learning_rate=0.5),
                    InitSpec("zeros", 0))


def band_network(spec: InitSpec) -> Document:
    """A 2-4-1 sigmoid network on the band, initialised by ``spec``."""
    inputs, targets = band_data()
    network = Network([2, 4, 1], ["sigmoid", "sigmoid"], bias=True)
    network.theta[...] = initial_theta(network, spec)
    return Document(network, inputs, targets,
                    TrainingConfig(loss="bce", optimizer="gd", learning_rate=1.0), spec)


def band_zeros() -> Document:
    return band_network(InitSpec("zeros", 0))


def band_seed(seed: int) -> Callable[[], Document]:
    def make() -> Document:
        return band_network(InitSpec("uniform", seed))
    return make


# ------------------------------------------------------------------- the lab
class Lab(Protocol):
    """What a lesson's actions act on: a bare Stepper (``EngineLab``) or the window."""

    stepper: Stepper
    memo: dict

    def load(self, document: Document, text: str) -> None: ...
    def step_phase(self) -> None: ...
    def run(self, iterations: int) -> None: ...
    def set_values(self, addresses: list[ParameterAddress], values: list[float],
                   text: str) -> None: ...
    def reinitialise(self, spec: InitSpec) -> None: ...


class Remembered(NamedTuple):
    """A run kept for a later step to compare with: θ at its start and at its end, its
    losses and its recorded θ (row k at the start of iteration ``iterations[k]``)."""

    initial: np.ndarray
    final: np.ndarray
    losses: np.ndarray
    iterations: np.ndarray
    snapshots: np.ndarray


def initial_parameters(stepper: Stepper) -> np.ndarray | None:
    """θ at the start of iteration 0 (after any edit made there), or None when the history
    no longer holds it."""
    history = stepper.history
    rows = np.flatnonzero(history.snapshot_iterations == 0)
    if len(rows):
        return history.snapshots[rows[0]].copy()
    return stepper.network.theta.copy() if stepper.iteration == 0 else None


@dataclass
class EngineLab:
    """A lesson's actions on a bare Stepper: how a step is set up afresh, and tested."""

    stepper: Stepper | None = None
    init_spec: InitSpec | None = None
    memo: dict = field(default_factory=dict)
    stepper_options: dict = field(default_factory=dict)  # Stepper's keywords (seek_seconds)

    def load(self, document: Document, text: str = "") -> None:
        self.stepper = document.make_stepper(**self.stepper_options)
        self.init_spec = document.init

    def step_phase(self) -> None:
        self.stepper.step_phase()

    def run(self, iterations: int) -> None:
        self.stepper.run(iterations)

    def set_values(self, addresses, values, text: str = "") -> None:
        self.stepper.set_values(addresses, values)

    def reinitialise(self, spec: InitSpec) -> None:
        self.init_spec = spec
        self.stepper.set_theta(initial_theta(self.stepper.network, spec))


# ------------------------------------------------------------------- actions
@dataclass(frozen=True)
class Load:
    """Load a network (its data, settings and initialisation) at iteration 0."""

    make: Callable[[], Document]
    text: str

    def apply(self, lab: Lab) -> None:
        lab.load(self.make(), self.text)


@dataclass(frozen=True)
class StepPhases:
    """Step phase by phase until the next phase is ``until`` ("forward layer 3",
    "backward layer 1", "update", …; "next iteration" finishes the iteration)."""

    until: str

    def apply(self, lab: Lab) -> None:
        stepper = lab.stepper
        names = [str(phase) for phase in stepper.phases]
        if self.until != "next iteration" and self.until not in names:
            raise ValueError(f"no phase {self.until!r} in this network ({', '.join(names)})")
        until = 0 if self.until == "next iteration" else names.index(self.until)
        for _ in range(len(names)):
            if stepper.phase == until:
                return
            lab.step_phase()


@dataclass(frozen=True)
class RunTo:
    """Finish the iteration in progress, then run on to ``iteration`` (nothing if past it)."""

    iteration: int

    def apply(self, lab: Lab) -> None:
        if lab.stepper.phase != 0:
            StepPhases("next iteration").apply(lab)
        remaining = self.iteration - lab.stepper.iteration
        if remaining > 0:
            lab.run(remaining)


@dataclass(frozen=True)
class Nudge:
    """Add ``delta`` to one weight, as a learner would by hand."""

    address: ParameterAddress
    delta: float
    name: str

    def apply(self, lab: Lab) -> None:
        value = lab.stepper.network.get(self.address) + self.delta
        lab.set_values([self.address], [value], f"Lesson: {self.name} = {value:.6g}")


@dataclass(frozen=True)
class Tie:
    """Set each ``(copy, source)`` pair's copy to its source's value."""

    pairs: tuple[tuple[ParameterAddress, ParameterAddress], ...]
    text: str

    def apply(self, lab: Lab) -> None:
        network = lab.stepper.network
        lab.set_values([copy for copy, _ in self.pairs],
                       [network.get(source) for _, source in self.pairs], self.text)


@dataclass(frozen=True)
class Reinitialise:
    spec: InitSpec

    def apply(self, lab: Lab) -> None:
        lab.reinitialise(self.spec)


@dataclass(frozen=True)
class Remember:
    """Keep this run (θ at its start and end, its losses) for a later step's check."""

    key: str

    def apply(self, lab: Lab) -> None:
        stepper = lab.stepper
        history = stepper.history
        lab.memo[self.key] = Remembered(initial_parameters(stepper),
                                        stepper.network.theta.copy(), history.losses.copy(),
                                        history.snapshot_iterations.copy(),
                                        history.snapshots.copy())


# -------------------------------------------------------------------- checks
class Verdict(NamedTuple):
    holds: bool
    detail: str  # the numbers behind it


@dataclass(frozen=True)
class Check:
    """A claim of a step, checkable on any stepper: ``test(stepper, memo)``."""

    text: str
    test: Callable[[Stepper, dict], Verdict]

    def __call__(self, stepper: Stepper, memo: dict) -> Verdict:
        try:
            with np.errstate(all="ignore"):
                verdict = self.test(stepper, memo)
            return Verdict(bool(verdict.holds), verdict.detail)  # numpy's bools too
        except (IndexError, KeyError, ValueError) as error:
            return Verdict(False, f"does not apply to this network ({error})")


def shown_trace(stepper: Stepper) -> Trace:
    """The pass the window shows: the iteration in progress, else one at the current θ."""
    if stepper.phase > 0 and stepper.trace is not None and stepper.trace.batch is None:
        return stepper.trace
    return stepper.evaluate(full=True, backward=True)


def _differences(matrix: np.ndarray, axis: int) -> float:
    """The largest difference between the first column (axis 1) or row (axis 0) and the
    others, relative to the matrix's scale."""
    first = np.take(matrix, [0], axis=axis)
    scale = max(float(np.max(np.abs(matrix))), 1e-300)
    return float(np.max(np.abs(matrix - first))) / scale


def _scientific(value: float) -> str:
    return "0" if value == 0 else f"{value:.1e}"


def identical(quantity: str, layers: tuple[int, ...], axis: int, name: str,
              text: str | None = None) -> Check:
    """The columns (axis 1) or rows (axis 0) of a trace quantity are identical, per layer
    (``text``: the claim in the step's own words)."""
    what = "columns" if axis == 1 else "rows"

    def test(stepper: Stepper, memo: dict) -> Verdict:
        trace, parts, holds = shown_trace(stepper), [], True
        for layer in layers:
            matrix = getattr(trace, quantity)[layer]
            label = name.format(l=layer)
            if matrix is None:
                holds = False
                parts.append(f"{label}: not computed yet")
                continue
            difference = _differences(matrix, axis)
            holds = holds and difference <= EQUAL_RTOL
            parts.append(f"{label}: largest relative difference {_scientific(difference)}")
        return Verdict(bool(holds), "; ".join(parts))

    layer_names = ", ".join(name.format(l=layer) for layer in layers)
    return Check(text or f"The {what} of {layer_names} are identical", test)


def columns_differ(quantity: str, layer: int, name: str, text: str) -> Check:
    """Not every column of a trace quantity is the same (e.g. outputs with other targets)."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        matrix = getattr(shown_trace(stepper), quantity)[layer]
        if matrix is None:
            return Verdict(False, f"{name}: not computed yet")
        difference = _differences(matrix, 1)
        return Verdict(difference > EQUAL_RTOL,
                       f"{name}: largest relative difference {_scientific(difference)}")

    return Check(text, test)


def distinct_outputs(expected: int) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        network = stepper.network
        count = len(symmetry_groups(network)[-1])
        return Verdict(count == expected, f"layer {network.layer_count}: {count} distinct of "
                                          f"{network.sizes[-1]}")

    return Check(f"The output layer has {expected} distinct neuron{'s' * (expected != 1)}",
                 test)


def _with_hidden_layer(network: Network) -> Network:
    if network.layer_count < 2:
        raise ValueError("it has no hidden layer")
    return network


def distinct_hidden(expected: int | None) -> Check:
    """Each hidden layer has ``expected`` distinct neurons (None: all of them distinct)."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        network = _with_hidden_layer(stepper.network)
        groups = symmetry_groups(network)
        parts, holds = [], True
        for layer in range(1, network.layer_count):
            want = network.sizes[layer] if expected is None else expected
            holds = holds and len(groups[layer]) == want
            parts.append(f"layer {layer}: {len(groups[layer])} distinct of "
                         f"{network.sizes[layer]}")
        return Verdict(bool(holds), "; ".join(parts))

    text = ("Every hidden neuron is distinct from the others" if expected is None else
            f"Each hidden layer has {expected} distinct neuron{'s' * (expected != 1)}")
    return Check(text, test)


def one_distinct_throughout() -> Check:
    """Every hidden layer had one distinct neuron at every iteration so far."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        network = _with_hidden_layer(stepper.network)
        counts = distinct_counts_over_history(network, stepper.history.snapshots)[:, :-1]
        now = [len(g) for g in symmetry_groups(network)[1:-1]]
        most = int(max(counts.max(initial=1), max(now)))
        return Verdict(most == 1,
                       f"most distinct neurons in a hidden layer over {len(counts)} recorded "
                       f"iterations and now: {most}")

    return Check("Each hidden layer has had one distinct neuron at every iteration", test)


def all_parameters(value: float) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        theta = stepper.network.theta
        return Verdict(bool(np.all(theta == value)),
                       f"θ from {theta.min():.6g} to {theta.max():.6g}")

    return Check(f"Every weight and bias is {value:g}", test)


def _outputs(stepper: Stepper) -> np.ndarray:
    return stepper.evaluate(full=True, backward=False).activations[-1]


def outputs_near_target_means(tolerance: float) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        means = stepper.targets.mean(axis=0)
        gap = float(np.max(np.abs(_outputs(stepper) - means)))
        return Verdict(gap < tolerance, f"targets' averages {np.round(means, 6).tolist()}; "
                                        f"largest |output − average| {gap:.4f}")

    return Check(f"Every output is within {tolerance:g} of the average of its target over the "
                 "observations", test)


def outputs_near_targets(tolerance: float) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        gap = float(np.max(np.abs(_outputs(stepper) - stepper.targets)))
        return Verdict(gap < tolerance, f"largest |output − target| {gap:.4f}")

    return Check(f"Every output is within {tolerance:g} of its target", test)


def loss_below(limit: float) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        loss = float(stepper.evaluate(full=True, backward=True).loss)
        return Verdict(loss < limit, f"loss {loss:.6g}")

    return Check(f"The loss is below {limit:g}", test)


def classified(at_least: int | None = None, at_most: int | None = None,
               why: str = "") -> Check:
    """How many observations a one-output classifier gets right: output above 0.5 for
    class 1, below for class 0."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        if stepper.network.sizes[-1] != 1:
            raise ValueError("the check is made for one output")
        right = int(np.sum((_outputs(stepper) > 0.5) == (stepper.targets > 0.5)))
        holds = (at_least is None or right >= at_least) and (at_most is None or right <= at_most)
        return Verdict(bool(holds), f"{right} of {len(stepper.targets)} right")

    if at_most is None:
        text = f"At least {at_least} observations classified right"
    else:
        text = f"At most {at_most} observations classified right"
    return Check(text + (f": {why}" if why else " (output above 0.5 for class 1)"), test)


def equal_pairs(pairs: tuple[tuple[str, ParameterAddress, ParameterAddress], ...],
                throughout: bool) -> Check:
    """Each (name, u, v): u = v now, or (``throughout``) at every recorded iteration too."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        network, parts, holds = stepper.network, [], True
        rows = stepper.history.snapshots if throughout else np.empty((0, network.theta.size))
        for name, u, v in pairs:
            i, j = network.flat_index(u), network.flat_index(v)
            gap = max(abs(network.theta[i] - network.theta[j]),
                      float(np.max(np.abs(rows[:, i] - rows[:, j]), initial=0.0)))
            holds = holds and gap == 0.0
            parts.append(f"largest |{name}| {_scientific(gap)}")
        if throughout:
            parts.append(f"over {len(rows)} recorded iterations and now")
        return Verdict(bool(holds), "; ".join(parts))

    names = ", ".join(name.replace(" − ", " = ") for name, _, _ in pairs)
    return Check(f"{names} {'at every iteration so far' if throughout else 'now'}", test)


def parted(name: str, u: ParameterAddress, v: ParameterAddress, more_than: float) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        gap = abs(stepper.network.get(u) - stepper.network.get(v))
        return Verdict(gap > more_than, f"|{name}| = {gap:.4f}")

    return Check(f"|{name}| is more than {more_than:g}: they have parted", test)


def weights_differ(u: ParameterAddress, v: ParameterAddress, names: str) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        a, b = stepper.network.get(u), stepper.network.get(v)
        return Verdict(abs(a - b) > 1e-3, f"{a:.4f} and {b:.4f}")

    return Check(f"{names} have moved apart", test)


def one_neuron_equivalent() -> Check:
    """A network whose hidden neurons (one hidden layer) are all identical computes exactly
    what a network with one of them, carrying their summed outgoing weights, computes."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        network = stepper.network
        if network.layer_count != 2:
            raise ValueError("the check is made for one hidden layer")
        small = Network([network.sizes[0], 1, network.sizes[2]], network.activation_names,
                        bias=network.bias)
        small.weights[0][...] = network.weights[0][:, :1]
        small.weights[1][...] = network.weights[1].sum(axis=0, keepdims=True)
        if network.bias:
            small.biases[0][...] = network.biases[0][:1]
            small.biases[1][...] = network.biases[1]
        mine = _outputs(stepper)
        theirs = Stepper(small, stepper.inputs, stepper.targets, stepper.config)
        gap = float(np.max(np.abs(mine - _outputs(theirs))))
        return Verdict(gap <= 1e-12, f"largest difference in the outputs {_scientific(gap)}")

    return Check("A network with one hidden neuron gives the same outputs", test)


def initial_weights_drawn(spec: InitSpec) -> Check:
    def test(stepper: Stepper, memo: dict) -> Verdict:
        start = initial_parameters(stepper)
        if start is None:
            return Verdict(False, "the history no longer holds iteration 0")
        same = bool(np.array_equal(start, initial_theta(stepper.network, spec)))
        return Verdict(same, "θ at iteration 0 is " + ("" if same else "not ")
                       + f"{spec.scheme}({spec.parameters.get('low', '')}, "
                         f"{spec.parameters.get('high', '')}) with seed {spec.seed}")

    return Check(f"The initial weights are the draw of seed {spec.seed}", test)


def _theta_of(run: Remembered, iteration: int) -> np.ndarray | None:
    """Run ``run``'s θ at the start of ``iteration`` (its end after the last), if recorded."""
    if iteration == len(run.losses):
        return run.final
    rows = np.flatnonzero(run.iterations == iteration)
    return run.snapshots[rows[0]] if len(rows) else None


def same_run_as(key: str) -> Check:
    """The run in the stepper's history is ``key``: the same initial θ, the same loss at
    every iteration, and θ where the timeline stands equal to that run's θ there (rewound
    to iteration t, θ is the run's θ at t, not at its end)."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        run = memo[key]
        log = stepper.history.loss_log
        start = initial_parameters(stepper)
        same_start = start is not None and np.array_equal(start, run.initial)
        # as many losses as run A has, not the whole history of a run that went on and on
        same_losses = len(log) == len(run.losses) and np.array_equal(
            log.values(log.start, log.start + len(run.losses)), run.losses)
        theirs = _theta_of(run, stepper.iteration) if stepper.phase == 0 else None
        same_here = theirs is not None and np.array_equal(stepper.network.theta, theirs)
        counts = (f"{len(log)} iterations" if len(log) == len(run.losses) else
                  f"{len(log)} iterations (run {key}: {len(run.losses)})")
        return Verdict(bool(same_start and same_losses and same_here),
                       f"initial θ {'equal' if same_start else 'different'}; losses of "
                       f"{counts} {'equal' if same_losses else 'different'}; θ at iteration "
                       f"{stepper.iteration} {'equal' if same_here else 'different'}")

    return Check(f"This run is run {key}, bit for bit: the same initial weights, losses and "
                 "weights", test)


def different_run_from(key: str) -> Check:
    """Another run than ``key``: other initial weights, another loss curve, and other
    weights where the timeline stands."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        run = memo[key]
        start = initial_parameters(stepper)
        log = stepper.history.loss_log
        n = min(len(log), len(run.losses))
        differ = np.flatnonzero(log.values(log.start, log.start + n) != run.losses[:n])
        first = f"first at iteration {differ[0]}" if len(differ) else "nowhere"
        other_start = start is not None and not np.array_equal(start, run.initial)
        theirs = _theta_of(run, stepper.iteration) if stepper.phase == 0 else None
        other_here = theirs is not None and not np.array_equal(stepper.network.theta, theirs)
        return Verdict(bool(other_start and len(differ) and other_here),
                       f"initial θ {'different' if other_start else 'equal'}; "
                       f"the losses differ {first}; θ at iteration {stepper.iteration} "
                       f"{'different' if other_here else 'equal'}")

    return Check(f"This run differs from run {key}: other initial weights, loss curve and "
                 "weights", test)


# ------------------------------------------------------------------- lessons
@dataclass(frozen=True)
class Step:
    title: str
    text: str  # simple HTML
    actions: tuple = ()
    checks: tuple[Check, ...] = ()
    select: tuple = ()  # ParameterAddress or (layer, neuron) to select in the graph
    show: tuple[str, ...] = ()  # object names of the docks to bring forward
    reference: str | None = None  # a remembered run for the loss plot to show beside
    matrix: str | None = None  # the Matrices block to scroll to: text in its title


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    summary: str
    steps: tuple[Step, ...]


def _w(layer: int, source: int, target: int) -> ParameterAddress:
    return ParameterAddress.weight(layer, source, target)


# seed 001's plain numbering in the 2-2-1 network (Network.plain_weight_names)
W1, W2, W3, W4 = _w(0, 0, 0), _w(0, 1, 0), _w(0, 0, 1), _w(0, 1, 1)
W5, W6 = _w(1, 0, 0), _w(1, 1, 0)
TIED = (("w1 − w3", W1, W3), ("w2 − w4", W2, W4), ("w5 − w6", W5, W6))
RANDOM = InitSpec("uniform", 0)  # uniform(−1, 1), seed 0

ALL_WEIGHTS_EQUAL = Lesson(
    "all-equal", "All weights equal",
    "Seed 000: a 2-3-3-2 network with every weight 1 never differentiates its neurons.",
    (
        Step("Every weight is 1",
             "<p>This is seed 000's network: two inputs, two hidden layers of three sigmoid "
             "neurons, two outputs, every weight and bias 1, the cost C = Σ (a − y)², "
             "learning rate 0.5.</p>"
             "<p>The three neurons of layer 1 get the same inputs through the same weights. "
             "They are <b>interchangeable</b>: the graph outlines them in one colour and the "
             "status bar counts one distinct neuron per layer. So are the three of layer 2, "
             "and, for now, the two outputs.</p>",
             (Load(seed_000, "Lesson: seed 000, every weight 1"),),
             (all_parameters(1.0), distinct_hidden(1)),
             select=((1, 0),), show=("inspector_dock",)),
        Step("Forward: identical columns",
             "<p>The lesson stepped iteration 0 forward through layers 1 and 2 (F11 steps "
             "one phase). <b>Matrices</b> shows the last one: [1 | a<sup>1</sup>] × "
             "[b<sup>1</sup>; W<sup>1</sup>] = n<sup>2</sup>, then a<sup>2</sup> = "
             "f(n<sup>2</sup>).</p>"
             "<p>For each observation (a row) the three columns of a<sup>1</sup> (the left "
             "table) are the same number, and so are those of a<sup>2</sup> (the block "
             "below): one tint marks them. The three neurons compute the same thing. These "
             "are the numbers seed 000 printed.</p>",
             (StepPhases("forward layer 3"),),
             (identical("activations", (1, 2), 1, "a^{l}"),),
             show=("matrix_view",), matrix="n^2 = "),
        Step("Backward: identical rows",
             "<p>On through layer 3 and the loss, then back through the output layer. "
             "<b>Matrices</b> now shows the table seed 000 printed: [∂C/∂b<sup>2</sup>; "
             "∂C/∂W<sup>2</sup>] = [1 | a<sup>2</sup>]<sup>T</sup> × δ<sup>3</sup>, where "
             "δ<sup>3</sup> = ∂C/∂n<sup>3</sup> is the seed's ∂C/∂a<sup>3</sup> · "
             "∂a<sup>3</sup>/∂n<sup>3</sup>.</p>"
             "<p>Row 0 is the bias. Rows 1 to 3, one per neuron of layer 2, are identical "
             "(0.028122 | 0.0580562): the three neurons feed the same a<sup>2</sup> forward, "
             "so their weights get the same gradient. The two columns differ: the two "
             "outputs have different targets.</p>",
             (StepPhases("backward layer 2"),),
             (identical("weight_gradients", (2,), 0, "∂C/∂W^{l}",
                        "The rows of ∂C/∂W^2 for the three neurons of layer 2 are identical"),
              columns_differ("weight_gradients", 2, "∂C/∂W^2",
                             "Its two columns differ (the outputs have other targets)")),
             show=("matrix_view",), matrix="∂C/∂W^2]"),
        Step("The update keeps them equal",
             "<p>The lesson finished the iteration: back through layers 2 and 1, then the "
             "update W ← W − 0.5 · ∂C/∂W (plain gradient descent). The three neurons of each "
             "hidden layer got identical gradients, so they change by the same amount and "
             "stay identical.</p>"
             "<p>The two <b>output</b> neurons have parted (their outline is gone): same "
             "inputs and weights, but different targets, 0.2 against 0.4, so a different "
             "∂C/∂a and a different update. Neurons part when something in their chain "
             "differs: a target, an outgoing weight or a starting value. Hidden neurons "
             "have no target of their own and their outgoing weights are equal, so only "
             "different starting weights can part them.</p>"
             "<p>Step on yourself (F10) and watch the outlines stay.</p>",
             (StepPhases("next iteration"),),
             (distinct_hidden(1), distinct_outputs(2)),
             select=((1, 0),), show=("inspector_dock",)),
        Step("The outputs settle on the averages",
             "<p>The lesson ran on to iteration 2000. The outputs are the same for both "
             "observations (the Inspector lists them per observation): close to the "
             "<b>averages of the targets</b>, [0.6, 0.2]. With "
             "one effective neuron per layer, this is the best the network found for a "
             "long while: the loss sits on a plateau from about iteration 50 to "
             "5000.</p>",
             (RunTo(2000),),
             (outputs_near_target_means(0.01), distinct_hidden(1)),
             select=((3, 0),), show=("loss_dock", "inspector_dock")),
        Step("A plateau, not a cure",
             "<p>The lesson ran on to 6000. After about iteration 5000 the loss falls: with "
             "only two observations, one neuron per layer is enough to fit them. But the "
             "neurons never differentiated: each hidden layer has had one distinct neuron "
             "at every iteration. This network has the power of a 2-1-1-2 network; two "
             "observations cannot show what it lost, more data would (the lesson Zero "
             "initialisation shows it).</p>",
             (RunTo(6000),),
             (loss_below(0.01), one_distinct_throughout()),
             show=("symmetry_dock",)),
        Step("Random initial weights break the symmetry",
             "<p>The same network, re-initialised with uniform(−1, 1) and seed 0, then run "
             "to iteration 2000. Every neuron starts different, gets its own gradient and "
             "keeps its own role: three distinct neurons per hidden layer. The loss falls "
             "below 0.01 by iteration 571, where the tied network took 5660.</p>"
             "<p>Try another seed: the Initialisation box of the <b>Network</b> panel "
             "(right), then Re-initialise.</p>",
             (Load(seed_000, "Lesson: seed 000 again"), Reinitialise(RANDOM), RunTo(2000)),
             (distinct_hidden(None), outputs_near_targets(0.03)),
             show=("loss_dock", "settings_dock")),
    ))

W5_EQUALS_W6 = Lesson(
    "w5-w6", "w5 = w6",
    "Seed 001: with w1 = w3, w2 = w4 and w5 = w6 two hidden neurons stay identical for ever.",
    (
        Step("Two neurons, tied",
             "<p>Seed 001's network: two inputs, two hidden sigmoid neurons, one output, no "
             "biases. The weights are tied: <b>w1 = w3</b>, <b>w2 = w4</b> (the two hidden "
             "neurons see the inputs the same way) and <b>w5 = w6</b> (the output sees them "
             "the same way).</p>"
             "<p>The chain rule panel (right) sets ∂J/∂w1 beside ∂J/∂w3. The chains "
             "differ only where the neurons do: w5 against w6, and a1 against a2 (through "
             "∂a/∂z). Tied, every factor is equal, so the gradients are equal.</p>",
             (Load(seed_001_tied, "Lesson: seed 001, tied"),),
             (equal_pairs(TIED, throughout=False), distinct_hidden(1)),
             select=(W1, W3), show=("inspector_dock",)),
        Step("They move as one",
             "<p>The lesson ran 500 iterations: equal gradients, equal updates, for ever. "
             "The <b>Weights</b> plot colours each weight by the neuron it goes to: w1 (into "
             "neuron 1) lies exactly on w3 (into neuron 2), and w2 on w4, so four weights "
             "draw two curves. w5 and w6 both go to the output and share one colour.</p>",
             (RunTo(500),),
             (equal_pairs(TIED, throughout=True), distinct_hidden(1)),
             select=(W1, W3), show=("weights_dock", "inspector_dock")),
        Step("Nudge one weight",
             "<p>The lesson added 0.1 to w5 (Edit ▸ Undo takes it back) and ran 500 more "
             "iterations. In the chain rule the factor w5 against w6 is now marked: that one "
             "factor is why the two neurons learn different things. Same data, different "
             "weights, so different gradients, and the trajectories part.</p>"
             "<p>That is the answer to seed 001: neurons that see the same data end up "
             "different because they <i>start</i> different.</p>"
             "<p>Try your own: double-click any weight, type a value, run on (F5).</p>",
             (Nudge(W5, 0.1, "w5"), RunTo(1000)),
             (parted("w1 − w3", W1, W3, 0.01), parted("w5 − w6", W5, W6, 0.1),
              distinct_hidden(None)),
             select=(W1, W3), show=("weights_dock", "inspector_dock")),
        Step("Tie them again",
             "<p>Setting w3 = w1, w4 = w2 and w6 = w5 (select two weights, Edit ▸ Set equal, "
             "Ctrl+E) makes the neurons one again, and they stay one from there: symmetry "
             "is a property of the weights now, not of their past. The lesson did it and ran "
             "on to 1500. The loss jumps up at 1000: tied, the network loses what the "
             "difference had learnt.</p>",
             (Tie(((W3, W1), (W4, W2), (W6, W5)), "Lesson: w3 = w1, w4 = w2, w6 = w5"),
              RunTo(1500)),
             (equal_pairs(TIED, throughout=False), distinct_hidden(1)),
             select=(W5, W6), show=("weights_dock",)),
    ))

ZERO_INITIALISATION = Lesson(
    "zeros", "Zero initialisation",
    "All-zero weights are fine without a hidden layer and fatal with one.",
    (
        Step("Logistic regression from zeros",
             "<p>One sigmoid neuron on seed 001's six observations (cross-entropy loss), "
             "every weight and the bias 0: each output is σ(0) = 0.5.</p>"
             "<p>The chain rule (right) sets ∂J/∂w1 beside ∂J/∂w2: they differ in the input "
             "each weight multiplies, x1 against x2.</p>",
             (Load(logistic_zeros, "Lesson: logistic regression, zeros"),),
             (all_parameters(0.0),),
             select=(_w(0, 0, 0), _w(0, 1, 0)), show=("inspector_dock",)),
        Step("It learns",
             "<p>After 2000 iterations the neuron separates the classes. The gradient of "
             "w<sub>i</sub> is (1/m) Σ<sub>o</sub> (a<sub>o</sub> − y<sub>o</sub>) "
             "x<sub>o,i</sub>, summed over the m observations o: the inputs differ, so the "
             "weights get different gradients and move apart. With no hidden layer there "
             "is no symmetry to break.</p>",
             (RunTo(2000),),
             (loss_below(0.2), classified(at_least=6),
              weights_differ(_w(0, 0, 0), _w(0, 1, 0), "w1 and w2")),
             show=("decision_boundary_dock",)),
        Step("A hidden layer from zeros",
             "<p>Now a 2-4-1 sigmoid network, every weight 0, on a band: class 1 where the "
             "first input (x_0 on the decision boundary's axis) is 0.25 or 0.5; the Data "
             "panel lists the 15 points. No straight line separates the band; two lines "
             "do.</p>"
             "<p>The four hidden neurons start identical.</p>",
             (Load(band_zeros, "Lesson: 2-4-1 from zeros"),),
             (all_parameters(0.0), distinct_hidden(1)),
             show=("decision_boundary_dock",)),
        Step("Four neurons acting as one",
             "<p>After 2000 iterations the network has learnt something, but the four hidden "
             "neurons are still one: same weights, same bias, same outgoing weight at every "
             "iteration. It computes exactly what a network with one hidden neuron "
             "computes: one straight line, 12 of 15 right at best. The decision boundary "
             "is straight.</p>",
             (RunTo(2000),),
             (one_distinct_throughout(), one_neuron_equivalent(),
              classified(at_most=12, why="a straight line's best on the band")),
             show=("decision_boundary_dock", "weights_dock")),
        Step("Random initial weights",
             "<p>The same network from uniform(−1, 1), seed 0, for 2000 iterations: four "
             "distinct neurons, a boundary on each side of the band, all 15 right.</p>",
             (Load(band_seed(0), "Lesson: 2-4-1 from random weights"), RunTo(2000)),
             (distinct_hidden(None), classified(at_least=15, why="all of them")),
             show=("decision_boundary_dock",)),
    ))

SEED_1, SEED_2 = InitSpec("uniform", 1), InitSpec("uniform", 2)

FIX_THE_SEED = Lesson(
    "seed", "Why fix the random seed",
    "The same seed gives the same run, bit for bit; another seed another run.",
    (
        Step("Run A",
             "<p>The 2-4-1 network on the band, initialised with uniform(−1, 1) and "
             "<b>seed 1</b>, trained for 2000 iterations. The lesson remembers this run as "
             "run A.</p>"
             "<p>A seed fixes the random draw: numpy's random generator, given the same "
             "seed, gives the same numbers on every machine (with the same numpy version). "
             "It does not make w1 = w3: every weight gets its own number from the draw. "
             "The seed ties one run to the next, not one neuron to another.</p>",
             (Load(band_seed(1), "Lesson: band, seed 1"), RunTo(2000), Remember("A")),
             (initial_weights_drawn(SEED_1),),
             show=("settings_dock", "loss_dock")),
        Step("The same seed again",
             "<p>The network loaded afresh, seed 1 again, 2000 iterations. The loss curve "
             "lies on run A's (the grey one) and every weight at the end is run A's, bit for "
             "bit. This is what makes a run reproducible: to check your own backprop "
             "against this one, or a change against the run before it, fix the seed "
             "first.</p>",
             (Load(band_seed(1), "Lesson: band, seed 1 again"), RunTo(2000)),
             (same_run_as("A"),),
             show=("loss_dock",), reference="A"),
        Step("Another seed, another run",
             "<p>Seed 2: other initial weights, another loss curve, other final weights. "
             "Both runs learn the band, by different routes. Without a fixed seed you cannot "
             "tell whether a difference comes from your change or from the draw.</p>"
             "<p>With mini-batches (a batch size below the number of observations) the "
             "batches are drawn too, every epoch; the file's <tt>training.shuffle_seed</tt> "
             "fixes that draw in the same way.</p>",
             (Load(band_seed(2), "Lesson: band, seed 2"), RunTo(2000)),
             (different_run_from("A"), classified(at_least=15, why="it learns the band too")),
             show=("loss_dock",), reference="A"),
    ))

LESSONS: tuple[Lesson, ...] = (ALL_WEIGHTS_EQUAL, W5_EQUALS_W6, ZERO_INITIALISATION,
                               FIX_THE_SEED)


def lesson(key: str) -> Lesson:
    for candidate in LESSONS:
        if candidate.key == key:
            return candidate
    known = ", ".join(candidate.key for candidate in LESSONS)
    raise ValueError(f"unknown lesson {key!r} (known: {known})")


def build(lesson: Lesson, index: int, **stepper_options) -> EngineLab:
    """Step ``index`` of ``lesson`` set up afresh: the actions of steps 0 … index on a new
    lab (less those a later load replaces). Deterministic: the same state (θ, history,
    memo) every time. ``stepper_options`` go to the Stepper (the window's seek_seconds)."""
    if not 0 <= index < len(lesson.steps):
        raise ValueError(f"{lesson.title}: no step {index + 1} (it has {len(lesson.steps)})")
    lab = EngineLab(stepper_options=stepper_options)
    last_load = _last_load(lesson, index)
    for k in range(_first_needed(lesson, index), index + 1):
        step = lesson.steps[k]
        if k < last_load and not _remembers(step):
            continue  # replaced by a later load; kept only for what it remembers
        for action in step.actions:
            action.apply(lab)
    return lab


def _loads(step: Step) -> bool:
    return bool(step.actions) and isinstance(step.actions[0], Load)


def _remembers(step: Step) -> bool:
    return any(isinstance(action, Remember) for action in step.actions)


def _last_load(lesson: Lesson, index: int) -> int:
    """The last step up to ``index`` that starts by loading a network: the earlier steps'
    state does not reach past it."""
    return max(k for k in range(index + 1) if _loads(lesson.steps[k]))


def _first_needed(lesson: Lesson, index: int) -> int:
    """The first step whose actions ``build`` must apply: the last load, or an earlier one
    that a remembered run needs (a step that remembers must start by loading)."""
    first = _last_load(lesson, index)
    for k in range(first):
        if _remembers(lesson.steps[k]):
            return _last_load(lesson, k)
    return first


def check(step: Step, stepper: Stepper, memo: dict) -> list[tuple[Check, Verdict]]:
    return [(claim, claim(stepper, memo)) for claim in step.checks]


def structure_of(network: Network) -> tuple:
    """What a step's actions need the live network to keep: its shape and activations."""
    return tuple(network.sizes), tuple(network.activation_names), network.bias

