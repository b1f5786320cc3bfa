"""The claims a lesson's step makes, as checks anyone can run on a Stepper: each returns a
Verdict, whether it holds and the numbers behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..analysis.symmetry import distinct_counts_over_history, symmetry_groups
from ..core.backprop import Trace
from ..core.init import InitSpec, initial_theta
from ..core.network import Network, ParameterAddress
from ..core.stepper import Stepper
from .actions import Remembered, initial_parameters

EQUAL_RTOL = 1e-12  # "identical": equal to within a few rounding errors (in practice: equal)


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
        count = len(symmetry_groups(network, frozen=stepper.config.frozen)[-1])
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
        groups = symmetry_groups(network, frozen=stepper.config.frozen)
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
        frozen = stepper.config.frozen
        counts = distinct_counts_over_history(network, stepper.history.snapshots,
                                              frozen=frozen)[:, :-1]
        now = [len(g) for g in symmetry_groups(network, frozen=frozen)[1:-1]]
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


def loss_at_least(limit: float) -> Check:
    """The loss has not gone below ``limit``: what a network cannot fit (the other side of
    loss_below)."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        loss = float(stepper.evaluate(full=True, backward=True).loss)
        return Verdict(loss >= limit, f"loss {loss:.6g}")

    return Check(f"The loss is at least {limit:g}", test)


def output_near(observation: int, value: float, tolerance: float) -> Check:
    """The outputs for one observation (a row of the data, counted from 0) are within
    ``tolerance`` of ``value``: e.g. σ(0) = 0.5 at input (0, 0) without biases."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        outputs = _outputs(stepper)[observation]
        gap = float(np.max(np.abs(outputs - value)))
        inputs = ", ".join(f"{x:g}" for x in stepper.inputs[observation])
        shown = ", ".join(f"{a:.6g}" for a in outputs)
        return Verdict(gap <= tolerance, f"observation {observation} (inputs {inputs}): "
                                         f"output {shown}; largest |output − {value:g}| "
                                         f"{_scientific(gap)}")

    return Check(f"The output for observation {observation} is within {tolerance:g} of "
                 f"{value:g}", test)


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


# what each trace quantity is called in a claim's default text ({l}: the layer)
SYMBOLS = {"activations": "a^{l}", "pre_activations": "n^{l}",
           "dcost_dactivations": "∂C/∂a^{l}", "dactivation_dpre": "∂a^{l}/∂n^{l}",
           "deltas": "δ^{l}", "weight_gradients": "∂C/∂W^{l}", "bias_gradients": "∂C/∂b^{l}"}


def _near(name: str, actual: float, value: float, tolerance: float) -> Verdict:
    gap = abs(actual - value)
    return Verdict(gap <= tolerance, f"{name}: {actual:.12g}, {_scientific(gap)} from "
                                     f"{value:.12g}")


def quantity_near(quantity: str, layer: int, at: tuple[int, ...], value: float,
                  tolerance: float, name: str | None = None) -> Check:
    """One number of the pass the window shows, ``quantity`` of ``layer`` at index ``at``
    (observation and neuron; for ∂C/∂W, source and target neuron), is within ``tolerance`` of
    ``value``: a worked example's printed number, to the digits it prints."""
    label = name or f"{SYMBOLS[quantity].format(l=layer)}[{', '.join(map(str, at))}]"

    def test(stepper: Stepper, memo: dict) -> Verdict:
        matrix = getattr(shown_trace(stepper), quantity)[layer]
        if matrix is None:
            return Verdict(False, f"{label}: not computed yet")
        return _near(label, float(matrix[at]), value, tolerance)

    return Check(f"{label} is {value:.12g} (to within {tolerance:g})", test)


def parameter_near(name: str, address: ParameterAddress, value: float,
                   tolerance: float) -> Check:
    """A weight or bias is within ``tolerance`` of ``value`` (e.g. after an update)."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        return _near(name, float(stepper.network.get(address)), value, tolerance)

    return Check(f"{name} is {value:.12g} (to within {tolerance:g})", test)


def loss_near(value: float, tolerance: float) -> Check:
    """The loss of the pass the window shows is within ``tolerance`` of ``value``."""

    def test(stepper: Stepper, memo: dict) -> Verdict:
        loss = shown_trace(stepper).loss
        if loss is None:
            return Verdict(False, "C: not computed yet")
        return _near("C", float(loss), value, tolerance)

    return Check(f"The loss is {value:.12g} (to within {tolerance:g})", test)
