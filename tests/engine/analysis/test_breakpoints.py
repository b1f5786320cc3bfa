"""Breakpoints stop a run at exactly the iteration where their condition becomes true.

Each expected iteration comes from an independent record: a run without breakpoints (its
losses, its parameter snapshots), plain GD's update rule (gradient = (θ_t − θ_{t+1}) / η),
``Stepper.evaluate`` at a rewound position, or symmetry_groups after every step_iteration.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from paths import EXAMPLES

from engine import Network, NonFiniteError, Phase, Stepper, TrainingConfig
from engine.analysis.breakpoints import (
    Breakpoint,
    Breakpoints,
    GradientNormAbove,
    IterationReaches,
    LossBelow,
    NonFinite,
    SymmetryChange,
    WeightCrosses,
    last_gradient,
)
from engine.analysis.symmetry import symmetry_groups
from engine.core.network import ParameterAddress
from engine.core.phases import Quantity
from engine.io import fileformat

SEED_000 = EXAMPLES / "seed-000.json"
SEED_001_TIED = EXAMPLES / "seed-001-tied.json"
RATE = 0.5  # seed 000's learning rate (plain gradient descent, full batch)
W000 = ParameterAddress.weight(0, 0, 0)


def stepper_of(path=SEED_000) -> Stepper:
    return fileformat.load(path).make_stepper()


@pytest.fixture(scope="module")
def seed_000_record():
    """A run of 6000 iterations without breakpoints: its losses and θ at every iteration."""
    stepper = stepper_of()
    stepper.run(6000)
    assert stepper.history.parameter_stride == 1
    return stepper.history.losses.copy(), stepper.history.snapshots.copy()


def run_with(breakpoints: Breakpoints, stepper: Stepper, iterations: int) -> int:
    breakpoints.start(stepper)
    return stepper.run(iterations, until=breakpoints.until)


def first_edge(holds: np.ndarray, start: int = 0) -> int:
    """The first t > start with holds[t] true and holds[t − 1] false."""
    edges = np.flatnonzero(holds[start + 1:] & ~holds[start:-1])
    assert edges.size, "the reference never meets the condition"
    return start + 1 + int(edges[0])


# ------------------------------------------------------------------------ loss
@pytest.mark.parametrize("value", [1.5, 0.3])
def test_loss_below_stops_after_the_first_iteration_whose_loss_is_below(seed_000_record, value):
    losses, _ = seed_000_record
    below = np.flatnonzero(losses < value)
    assert below.size and below[0] > 0
    k = int(below[0])  # iteration k is the first to compute a loss below the value
    stepper, breakpoints = stepper_of(), Breakpoints([LossBelow(value)])
    ran = run_with(breakpoints, stepper, 6000)
    assert (ran, stepper.iteration) == (k + 1, k + 1)
    hit = breakpoints.hit
    assert hit.iteration == k + 1 and f"iteration {k}," in hit.message
    assert stepper.history.losses[-1] < value <= stepper.history.losses[-2]
    # resuming does not stop again at once: the loss stays below, nothing newly true
    assert run_with(breakpoints, stepper, 100) == 100


def test_chunked_runs_stop_at_the_same_iteration(seed_000_record):
    """The controller runs in chunks; the iteration that ends a chunk is checked at the next
    chunk's first question (a run asks nothing after its last iteration)."""
    losses, _ = seed_000_record
    k = int(np.flatnonzero(losses < 1.0)[0])
    stepper, breakpoints = stepper_of(), Breakpoints([LossBelow(1.0)])
    breakpoints.start(stepper)
    chunk = 1
    while breakpoints.hit is None and stepper.iteration < 2000:
        stepper.run(chunk, until=breakpoints.until)
        chunk = chunk % 7 + 1
    assert stepper.iteration == k + 1 and breakpoints.hit.iteration == k + 1


def test_loss_below_in_a_run_continued_from_a_file(seed_000_record, monkeypatch):
    """A run opened at iteration 50 numbers its losses from 50: the breakpoint stops after
    the same iteration as the uninterrupted run, and reads one loss per check (not a copy of
    the history each time: that made long runs quadratic)."""
    from engine.core.loss_log import LossLog

    losses, _ = seed_000_record
    k = int(np.flatnonzero(losses < 0.3)[0])
    assert k > 50
    stepper = stepper_of()
    stepper.run(50)
    continued = fileformat.loads(fileformat.dumps(stepper)).make_stepper()
    assert continued.start_iteration == 50
    breakpoints = Breakpoints([LossBelow(0.3)])
    reads = []
    values = LossLog.values
    monkeypatch.setattr(LossLog, "values", lambda log, begin=None, end=None: reads.append(
        (end or log.stop) - (begin or log.start)) or values(log, begin, end))
    ran = run_with(breakpoints, continued, 6000)
    assert (ran, continued.iteration) == (k + 1 - 50, k + 1)
    assert f"iteration {k}," in breakpoints.hit.message
    assert reads and max(reads) == 1


# -------------------------------------------------------------- gradient norm
def test_last_gradient_is_the_gradient_each_path_used():
    fast, phased = stepper_of(), stepper_of()
    fast.run(5)
    phased.run(5)
    theta_before = phased.network.theta.copy()
    expected = phased.evaluate(full=True).gradient
    for _ in range(len(phased.phases)):  # iteration 5 phase by phase
        phased.step_phase()
    fast.run(1)
    np.testing.assert_allclose(last_gradient(phased), expected, rtol=1e-12)
    np.testing.assert_allclose(last_gradient(fast), expected, rtol=1e-12)
    # plain gradient descent: θ_{t+1} = θ_t − η g
    np.testing.assert_allclose(expected, (theta_before - phased.network.theta) / RATE,
                               rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("value", [0.5, 0.03])
def test_gradient_norm_above_stops_where_it_first_rises_above(seed_000_record, value):
    _, snapshots = seed_000_record
    norms = np.linalg.norm((snapshots[:-1] - snapshots[1:]) / RATE, axis=1)
    # 0.5: below at the start, above by iteration 11; 0.03: above at the start (no stop
    # then), below on the plateau, above again as the loss falls near iteration 5000
    t = first_edge(norms > value)
    assert (value == 0.5) == (t < 100)
    stepper, breakpoints = stepper_of(), Breakpoints([GradientNormAbove(value)])
    run_with(breakpoints, stepper, 6000)
    assert stepper.iteration == t + 1 and breakpoints.hit.iteration == t + 1
    # an independent gradient: evaluate at θ_t, rewound
    stepper.seek(t)
    gradient = stepper.evaluate(full=True).gradient
    assert np.linalg.norm(gradient) > value >= np.linalg.norm(
        (snapshots[t - 1] - snapshots[t]) / RATE)
    largest = stepper.network.addresses()[int(np.argmax(np.abs(gradient)))]
    assert breakpoints.hit.parameter == largest


def test_gradient_norm_above_from_the_middle_of_an_iteration(seed_000_record):
    """A run started mid-iteration finishes it phase by phase; the baseline is that
    iteration's own gradient, so only a later iteration can newly rise above."""
    _, snapshots = seed_000_record
    norms = np.linalg.norm((snapshots[:-1] - snapshots[1:]) / RATE, axis=1)
    t = first_edge(norms > 0.5)
    for begin, ran in ((t - 1, 2), (t, 50)):
        stepper, breakpoints = stepper_of(), Breakpoints([GradientNormAbove(0.5)])
        stepper.run(begin)
        stepper.step_phase()
        breakpoints.start(stepper)
        assert stepper.run(50, until=breakpoints.until) == ran
        assert (breakpoints.hit is not None) == (ran == 2)
        assert ran == 50 or breakpoints.hit.iteration == t + 1


# ------------------------------------------------------------------ iteration
def test_iteration_reaches_stops_there_once_and_again_after_rewinding():
    stepper, breakpoints = stepper_of(), Breakpoints([IterationReaches(7)])
    assert run_with(breakpoints, stepper, 100) == 7 and stepper.iteration == 7
    assert breakpoints.hit.iteration == 7
    assert run_with(breakpoints, stepper, 10) == 10  # already past 7
    stepper.seek(3)
    assert run_with(breakpoints, stepper, 100) == 4 and stepper.iteration == 7


# ---------------------------------------------------------------------- weight
@pytest.mark.parametrize("address, value", [(W000, 0.99), (ParameterAddress.bias(0, 0), 0.0)])
def test_weight_crosses_stops_at_each_crossing(seed_000_record, address, value):
    _, snapshots = seed_000_record
    index = fileformat.load(SEED_000).network.flat_index(address)
    side = np.sign(snapshots[:, index] - value)
    crossings = np.flatnonzero(side[1:] != side[:-1]) + 1  # θ_m on the other side of θ_{m−1}
    assert crossings.size >= 1
    stepper = stepper_of()
    breakpoints = Breakpoints([WeightCrosses(address, value)])
    for m in crossings[:2]:
        run_with(breakpoints, stepper, 6000)
        assert stepper.iteration == m and breakpoints.hit.parameter == address
        before, after = snapshots[m - 1, index], snapshots[m, index]
        assert (before - value) * (after - value) <= 0 and stepper.network.get(address) == after
    if address == W000:
        # w^0_{0,0} goes down through 0.99, then back up
        assert len(crossings) >= 2 and side[crossings[0]] < 0 < side[crossings[1]]


def test_weight_crosses_reaching_the_value_counts_and_leaving_it_does_not():
    breakpoint = WeightCrosses(W000, 0.5)
    stepper = stepper_of()
    breakpoint.start(stepper)
    stepper.set_parameter(W000, 0.5)
    stepper.iteration += 1  # as if an iteration had moved it: check reads θ only
    assert "reached 0.5" in breakpoint.check(stepper).message
    stepper.set_parameter(W000, 0.7)
    assert breakpoint.check(stepper) is None  # left the value: not a crossing
    stepper.set_parameter(W000, 0.2)
    assert "crossed 0.5" in breakpoint.check(stepper).message


# -------------------------------------------------------------------- symmetry
def nudged_seed_001() -> Stepper:
    """Seed 001 with w5 = w6 except a relative difference of 1e-11: the two hidden neurons
    start grouped (within symmetry's 1e-9) and training drives them apart and back."""
    stepper = stepper_of(SEED_001_TIED)
    w6 = ParameterAddress.weight(1, 1, 0)
    stepper.set_parameter(w6, stepper.network.get(w6) * (1 + 1e-11))
    return stepper


def reference_changes(stepper: Stepper, iterations: int, layer: int) -> list:
    """(iteration, groups before, groups after) from symmetry_groups after every iteration."""
    groups, changes = symmetry_groups(stepper.network)[layer], []
    for _ in range(iterations):
        stepper.step_iteration()
        now = symmetry_groups(stepper.network)[layer]
        if now != groups:
            changes.append((stepper.iteration, groups, now))
            groups = now
    return changes


def test_symmetry_change_stops_where_the_groups_break_and_form():
    expected = reference_changes(nudged_seed_001(), 500, layer=1)
    assert len(expected) >= 2
    counts = [(len(before), len(after)) for _, before, after in expected]
    assert (1, 2) in counts and (2, 1) in counts  # it breaks, and it forms again
    stepper = nudged_seed_001()
    breakpoints = Breakpoints([SymmetryChange(1)])
    for iteration, before, after in expected:
        run_with(breakpoints, stepper, 500)
        hit = breakpoints.hit
        assert stepper.iteration == iteration == hit.iteration
        assert hit.detail == {"layer": 1, "before": before, "after": after}
        assert hit.neuron == (1, 1)  # neuron 1 splits off from, or joins, neuron 0
        assert ("broke" if len(after) > len(before) else "formed") in hit.message
    assert run_with(breakpoints, stepper, 500 - stepper.iteration) == 500 - expected[-1][0]


def test_symmetry_change_of_a_tied_network_never_fires():
    stepper = stepper_of(SEED_001_TIED)
    assert reference_changes(stepper_of(SEED_001_TIED), 300, layer=1) == []
    breakpoints = Breakpoints([SymmetryChange(), SymmetryChange(1)])
    assert run_with(breakpoints, stepper, 300) == 300 and breakpoints.hit is None


def test_any_layer_names_the_layer_that_changed():
    # seed 000: the two output neurons have equal weights but different targets
    expected = [(layer, change) for layer in (1, 2, 3)
                for change in reference_changes(stepper_of(), 20, layer)]
    assert [(layer, change[0]) for layer, change in expected] == [(3, 1)]
    stepper, breakpoints = stepper_of(), Breakpoints([SymmetryChange()])
    run_with(breakpoints, stepper, 20)
    assert stepper.iteration == 1 and breakpoints.hit.detail["layer"] == 3
    assert breakpoints.hit.neuron == (3, 1)


# ------------------------------------------------------------------ non-finite
def test_non_finite_is_the_engines_and_a_fault_names_where():
    breakpoint = NonFinite()
    assert "even when" in breakpoint.describe() and breakpoint.check(stepper_of()) is None
    assert not Breakpoints([breakpoint]).active
    network = Network([2, 3, 1], ["relu", "linear"])
    network.theta[...] = np.random.default_rng(0).normal(size=network.theta.size)
    rng = np.random.default_rng(1)
    stepper = Stepper(network, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)),
                      TrainingConfig(loss="sse", learning_rate=1e5))
    breakpoints = Breakpoints([breakpoint])
    with pytest.raises(NonFiniteError) as info:
        run_with(breakpoints, stepper, 100)
    hit = breakpoints.fault_hit(info.value, network)
    assert hit.breakpoint is breakpoint and hit.iteration == info.value.iteration
    assert breakpoints.fired(breakpoint) and str(info.value) == hit.message
    cases = [  # what the engine raises, typed: where the fault is, without parsing text
        (Phase("forward", 2), Quantity("pre_activations", 2), (0, 0), None,
         "pre-activations n^2", "inf at observation 0, neuron 0", (2, 0), None),
        (Phase("backward", 1), Quantity("delta", 1), (3, 2), None, "δ^1",
         "inf at observation 3, neuron 2", (1, 2), None),
        (Phase("backward", 2), Quantity("weight_gradient", 1), (2, 0), None, "∂C/∂W^1",
         "inf at observation 2, neuron 0", None, ParameterAddress.weight(1, 2, 0)),
        (Phase("backward", 1), Quantity("bias_gradient", 0), (1,), None, "∂C/∂b^0",
         "inf at index (1,)", None, ParameterAddress.bias(0, 1)),
        (Phase("update"), Quantity("update"), (5,), ParameterAddress.weight(0, 1, 2),
         "the update of w^0_{1,2}", "inf at index 5 of θ", None,
         ParameterAddress.weight(0, 1, 2)),
        (Phase("loss"), Quantity("loss"), (), None, "loss", "inf", None, None),
    ]
    for phase, what, index, changed, quantity, where, neuron, parameter in cases:
        error = NonFiniteError(4, phase, what, index, math.inf, parameter=changed)
        assert (error.quantity, error.where) == (quantity, where)
        hit = Breakpoints().fault_hit(error, network)
        assert (hit.neuron, hit.parameter) == (neuron, parameter), quantity


# -------------------------------------------------------------- the list itself
def test_list_switching_removing_and_counting_changes():
    loss, iteration = LossBelow(1e-12), IterationReaches(5)
    breakpoints = Breakpoints([loss])
    start = breakpoints.revision
    breakpoints.add(iteration)
    breakpoints.set_enabled(iteration, False)
    breakpoints.set_enabled(iteration, False)  # no change: not counted
    stepper = stepper_of()
    assert run_with(breakpoints, stepper, 10) == 10  # 5 is off
    breakpoints.set_enabled(iteration, True)
    breakpoints.remove(loss)
    assert breakpoints.items == (iteration,) and breakpoints.active
    stepper.seek(0)
    run_with(breakpoints, stepper, 10)
    assert stepper.iteration == 5 and breakpoints.fired(iteration)
    assert breakpoints.revision - start == 5  # add, off, on, remove, fired
    breakpoints.set_enabled(iteration, False)
    assert not breakpoints.active


def test_switched_on_during_a_run_takes_a_fresh_baseline(seed_000_record):
    _, snapshots = seed_000_record
    index = fileformat.load(SEED_000).network.flat_index(W000)
    side = np.sign(snapshots[:, index] - 0.99)
    m = int(np.flatnonzero(side[1:] != side[:-1])[0]) + 1
    stepper, crossing = stepper_of(), WeightCrosses(W000, 0.99)
    breakpoints = Breakpoints([crossing])
    assert run_with(breakpoints, stepper, m - 2) == m - 2
    breakpoints.set_enabled(crossing, False)
    assert stepper.run(5, until=breakpoints.until) == 5  # crosses while off
    breakpoints.set_enabled(crossing, True)
    assert stepper.run(10, until=breakpoints.until) == 10 and breakpoints.hit is None


def test_added_during_a_run_takes_its_baseline_first(seed_000_record):
    losses, _ = seed_000_record
    stepper, breakpoints = stepper_of(), Breakpoints([IterationReaches(10_000)])
    run_with(breakpoints, stepper, 20)
    breakpoints.add(LossBelow(2.0))  # already true: must not fire at the next check
    assert losses[20] < 2.0
    assert stepper.run(30, until=breakpoints.until) == 30 and breakpoints.hit is None


def test_breakpoints_that_do_not_fit_the_network_are_skipped_and_said():
    breakpoints = Breakpoints([SymmetryChange(7), WeightCrosses(ParameterAddress.weight(0, 5, 0),
                                                                1.0), IterationReaches(3)])
    stepper = stepper_of()
    messages = breakpoints.start(stepper)
    assert len(messages) == 2 and "layers 1 … 3" in messages[0] and "no neuron 5" in messages[1]
    assert stepper.run(10, until=breakpoints.until) == 3


# ---------------------------------------------------------------- serialising
def test_round_trip_through_json():
    items = [SymmetryChange(), SymmetryChange(2, enabled=False), LossBelow(0.01),
             GradientNormAbove(10), IterationReaches(500), NonFinite(),
             WeightCrosses(ParameterAddress.weight(0, 1, 0), 0.5),
             WeightCrosses(ParameterAddress.bias(1, 2), -1.25)]
    text = json.dumps(Breakpoints(items).to_dict())
    again = Breakpoints.from_dict(json.loads(text))
    assert [b.to_dict() for b in again.items] == [b.to_dict() for b in items]
    assert [b.describe() for b in again.items] == [
        "any layer's symmetry changes", "layer 2's symmetry changes", "loss < 0.01",
        "gradient norm > 10", "iteration reaches 500", NonFinite().describe(),
        "w^0_{1,0} crosses 0.5", "b^1_2 crosses -1.25"]
    assert [b.enabled for b in again.items] == [True, False] + [True] * 6


@pytest.mark.parametrize("data, message", [
    ({"kind": "exec"}, "'exec' is not one of"),
    ([1, 2], "expected an object"),
    ({"kind": "loss_below"}, "loss_below.value: expected a number, got None"),
    ({"kind": "loss_below", "value": "0.1"}, "expected a number, got '0.1'"),
    ({"kind": "loss_below", "value": float("nan")}, "not a finite number"),
    ({"kind": "loss_below", "value": True}, "expected a number, got True"),
    ({"kind": "loss_below", "value": 1, "colour": "red"}, "unknown field 'colour'"),
    ({"kind": "loss_below", "value": 1, "enabled": "yes"}, "enabled: expected true or false"),
    ({"kind": "gradient_norm_above", "value": -1}, "never negative"),
    ({"kind": "iteration_reaches", "iteration": 2.5}, "expected a whole number"),
    ({"kind": "iteration_reaches", "iteration": 0}, "outside 1"),
    ({"kind": "symmetry_change", "layer": 0}, "symmetry_change.layer: 0 is outside 1"),
    ({"kind": "weight_crosses", "value": 1}, "weight_crosses.parameter: expected an object"),
    ({"kind": "weight_crosses", "value": 1, "parameter": {"kind": "x"}}, "parameter.kind"),
    ({"kind": "weight_crosses", "value": 1,
      "parameter": {"kind": "b", "layer": 0, "source": 1, "target": 0}}, "a bias has no source"),
    ({"kind": "weight_crosses", "value": 1,
      "parameter": {"kind": "w", "layer": -1, "source": 1, "target": 0}}, "parameter.layer"),
])
def test_bad_dicts_are_refused_with_the_field_named(data, message):
    with pytest.raises(ValueError, match="^breakpoints\\[1\\]: .*" + _escape(message)):
        Breakpoints.from_dict({"breakpoints": [{"kind": "non_finite"}, data]})
    with pytest.raises(ValueError, match=_escape(message)):
        Breakpoint.from_dict(data)


def test_a_list_that_is_not_a_list_is_refused():
    for data in ({}, {"breakpoints": {"kind": "non_finite"}}, "[]"):
        with pytest.raises(ValueError, match="expected an object"):
            Breakpoints.from_dict(data)


def _escape(text: str) -> str:
    import re

    return re.escape(text)
