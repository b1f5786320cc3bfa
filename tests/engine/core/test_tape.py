"""The history is a tape (issue 14, points 2 and 3).

Going forward from a rewound position — a phase, an iteration, a run, with or without a
breakpoint's ``until`` — replays the recorded future: the same parameters, optimiser state,
losses and trace, bit for bit, as the first pass that recorded it, and the recorded future is
kept. Only an edit forks the history. ``undo_edit`` takes an edit back: to where it was made,
as it was just before it.

The reference for every comparison is the first pass, written down while walking forward
(never produced by seeking or replaying), or a second stepper that never had the edit."""

from __future__ import annotations

import numpy as np
import pytest

from engine import InitSpec, Network, Stepper, TrainingConfig, initialise

OBSERVATIONS = 7
CASES = [("gd", None), ("sgd", 3), ("momentum", 2), ("adam", None), ("adam", 4)]
RATES = {"gd": 0.5, "sgd": 0.3, "momentum": 0.1, "adam": 0.02}
TRACE_LISTS = ("pre_activations", "activations", "dcost_dactivations", "dactivation_dpre",
               "deltas", "weight_gradients", "bias_gradients")


def make_stepper(optimizer="adam", batch_size=None, checkpoint_stride=4) -> Stepper:
    rng = np.random.default_rng(7)
    network = Network([3, 4, 2], ["tanh", "sigmoid"], bias=True)
    initialise(network, InitSpec("normal", seed=3, parameters={"std": 0.8}))
    config = TrainingConfig(loss="mse", optimizer=optimizer, batch_size=batch_size,
                            learning_rate=RATES[optimizer], shuffle_seed=5)
    return Stepper(network, rng.uniform(-1, 1, (OBSERVATIONS, 3)),
                   rng.uniform(0, 1, (OBSERVATIONS, 2)), config,
                   checkpoint_stride=checkpoint_stride)


def state(stepper: Stepper):
    """Everything a position holds: where, θ, the optimiser's state, the settings, and a copy
    of the trace of the iteration in progress (None at a boundary)."""
    trace = None
    if stepper.phase > 0 and stepper.trace is not None:
        t = stepper.trace
        trace = {name: [None if v is None else np.array(v) for v in getattr(t, name)]
                 for name in TRACE_LISTS}
        trace["loss"] = t.loss
        trace["batch"] = None if t.batch is None else np.array(t.batch)
    return ((stepper.iteration, stepper.phase), stepper.network.theta.copy(),
            {k: v.copy() for k, v in stepper.optimizer.get_state().items()}, stepper.config,
            trace)


def assert_same(actual, expected, where="") -> None:
    assert actual[0] == expected[0], where
    assert np.array_equal(actual[1], expected[1]), f"θ differs {where}"
    assert actual[2].keys() == expected[2].keys(), where
    for key in actual[2]:
        assert np.array_equal(actual[2][key], expected[2][key]), f"optimiser {key} {where}"
    assert actual[3] == expected[3], where
    if expected[4] is None:
        assert actual[4] is None, where
        return
    for name, values in expected[4].items():
        got = actual[4][name]
        if isinstance(values, list):
            for a, e in zip(got, values, strict=True):
                assert (a is None) == (e is None), f"{name} {where}"
                if e is not None:
                    assert np.array_equal(a, e), f"{name} {where}"
        elif values is None:
            assert got is None, f"{name} {where}"
        else:
            assert np.array_equal(got, values), f"{name} {where}"


def history_of(stepper: Stepper):
    h = stepper.history
    return (stepper.head_position, h.losses.copy(), h.snapshot_iterations.copy(),
            h.snapshots.copy(), {t: c.theta.copy() for t, c in h.checkpoints.items()},
            list(h.events))


def assert_history_kept(stepper: Stepper, recorded) -> None:
    head, losses, snapshot_iterations, snapshots, checkpoints, events = recorded
    h = stepper.history
    assert stepper.head_position == head
    assert np.array_equal(h.losses, losses)
    assert np.array_equal(h.snapshot_iterations, snapshot_iterations)
    assert np.array_equal(h.snapshots, snapshots)
    assert h.checkpoints.keys() == checkpoints.keys()
    for t, theta in checkpoints.items():
        assert np.array_equal(h.checkpoints[t].theta, theta)
    assert len(h.events) == len(events)
    assert all(a is b for a, b in zip(h.events, events, strict=True))


EDITED = [(3, 0), (5, 2), (8, 4)]  # where first_pass edits


def first_pass(stepper: Stepper, iterations: int, before: dict | None = None) -> dict:
    """Walk forward phase by phase for ``iterations`` iterations, with edits on the way (a
    weight at a boundary, two mid-iteration, a learning rate); returns the state at every
    position passed, its edits made. ``before`` receives the state just before the edits
    at each edited position."""
    seen = {}
    addresses = stepper.network.addresses()
    while True:
        position = (stepper.iteration, stepper.phase)
        if position in EDITED and before is not None:
            before[position] = state(stepper)
        if position == (3, 0):
            stepper.set_parameter(addresses[2], 0.75)
        if position == (5, 2):
            stepper.set_values([addresses[0], addresses[-1]], [-0.5, 0.25])
        if position == (8, 4):
            stepper.set_config(stepper.config.with_changes(
                learning_rate=stepper.config.learning_rate * 1.5))
        seen[position] = state(stepper)
        if stepper.iteration == iterations:
            return seen
        stepper.step_phase()


@pytest.mark.parametrize(("optimizer", "batch_size"), CASES)
def test_stepping_phases_from_a_rewound_position_replays_the_tape_bit_for_bit(optimizer,
                                                                               batch_size):
    stepper = make_stepper(optimizer, batch_size)
    seen = first_pass(stepper, 12)
    recorded = history_of(stepper)
    assert len(recorded[5]) == 3  # the three edits
    for start in (0, 4, 5, 9):
        stepper.seek(start)
        assert_same(state(stepper), seen[(start, 0)], f"seek({start})")
        while stepper.has_future:
            stepper.step_phase()
            where = (stepper.iteration, stepper.phase)
            assert_same(state(stepper), seen[where], f"phase replay from {start} at {where}")
            assert_history_kept(stepper, recorded)
    # past the end of the tape: recorded afresh, as before
    stepper.step_phase()
    assert stepper.head_position == (12, 1)


@pytest.mark.parametrize(("optimizer", "batch_size"), CASES)
def test_step_iteration_and_run_from_a_rewound_position_replay_the_tape(optimizer, batch_size):
    stepper = make_stepper(optimizer, batch_size)
    seen = first_pass(stepper, 12)
    recorded = history_of(stepper)
    stepper.seek(2)
    for t in range(3, 7):
        stepper.step_iteration()
        assert_same(state(stepper), seen[(t, 0)], f"step_iteration to {t}")
    assert_history_kept(stepper, recorded)
    stepper.seek(1)
    stepper.step_phase()  # mid-iteration: run finishes it first
    assert stepper.run(5) == 5
    assert_same(state(stepper), seen[(6, 0)], "run(5) from (1, 1)")
    assert stepper.run(6) == 6  # to the end of the tape exactly
    assert_same(state(stepper), seen[(12, 0)], "run to the head")
    assert_history_kept(stepper, recorded)
    # a run with a breakpoint's question after each iteration
    stepper.seek(0)
    asked = []
    ran = stepper.run(100, until=lambda s: asked.append(s.iteration) or s.iteration == 9)
    assert ran == 9 and asked == list(range(10))
    assert_same(state(stepper), seen[(9, 0)], "run(until) stopped at 9")
    assert_history_kept(stepper, recorded)


def test_a_run_goes_on_past_the_end_of_the_tape_as_one_straight_run_would():
    straight = make_stepper("adam", 3)
    first_pass(straight, 6)
    straight.run(16)  # to 22, as the other below
    stepper = make_stepper("adam", 3)
    first_pass(stepper, 6)
    for _ in range(3):
        stepper.step_phase()  # the tape ends in the middle of iteration 6
    losses = stepper.history.losses.copy()
    stepper.seek(2)
    assert stepper.run(20) == 20
    assert stepper.head_position == (22, 0)
    assert np.array_equal(stepper.network.theta, straight.network.theta)
    assert np.array_equal(stepper.history.losses, straight.history.losses)
    assert np.array_equal(stepper.history.losses[:6], losses[:6])
    stepper.seek(10)
    straight.seek(10)
    assert np.array_equal(stepper.network.theta, straight.network.theta)


def test_only_an_edit_forks_the_tape():
    stepper = make_stepper("momentum", None)
    seen = first_pass(stepper, 12)
    stepper.seek(7)
    stepper.step_phase()
    assert stepper.head_position == (12, 0)
    address = stepper.network.addresses()[1]
    event = stepper.set_parameter(address, 2.0)  # at (7, 1): what followed is discarded
    assert event.position == (7, 1)
    assert stepper.head_position == (7, 1) and not stepper.has_future
    assert stepper.history.loss_count == 7
    assert [e.position for e in stepper.history.events] == [(3, 0), (5, 2), (7, 1)]
    stepper.step_iteration()
    assert not np.array_equal(stepper.network.theta, seen[(8, 0)][1])


def test_undo_edit_goes_back_to_where_it_was_made_as_it_was_just_before():
    """w6 = 0.7 at iteration 0, a long run, a step back, then the edit taken back: the stepper
    is at iteration 0 with the old value, and runs as one that was never edited."""
    never_edited = make_stepper("gd", None)
    never_edited.run(300)
    stepper = make_stepper("gd", None)
    original = stepper.network.theta.copy()
    w6 = stepper.network.addresses()[-3]
    event = stepper.set_parameter(w6, 0.7)
    stepper.run(300)
    stepper.step_back()
    assert stepper.iteration == 299
    stepper.undo_edit(event)
    assert (stepper.iteration, stepper.phase) == (0, 0)
    assert stepper.head_position == (0, 0) and not stepper.history.events
    assert np.array_equal(stepper.network.theta, original)
    assert stepper.history.loss_count == 0
    stepper.run(300)
    assert np.array_equal(stepper.network.theta, never_edited.network.theta)
    assert np.array_equal(stepper.history.losses, never_edited.history.losses)
    with pytest.raises(ValueError, match="no longer in the history"):
        stepper.undo_edit(event)


@pytest.mark.parametrize(("optimizer", "batch_size"), CASES)
def test_undo_edit_in_the_middle_of_an_iteration_keeps_what_came_before(optimizer, batch_size):
    stepper = make_stepper(optimizer, batch_size)
    before = {}
    first_pass(stepper, 12, before)  # edits at (3, 0), (5, 2), (8, 4)
    events = list(stepper.history.events)
    stepper.seek(10)
    stepper.undo_edit(events[1])  # the one at (5, 2): the one at (8, 4) goes with the tape
    assert stepper.head_position == (5, 2)
    assert stepper.history.events == events[:1]
    assert stepper.history.loss_count == 5
    # as it was just before the edit: the state first passed at (5, 2), trace and all
    assert_same(state(stepper), before[(5, 2)], "undo_edit at (5, 2)")
    # two edits at one position: taking back the second keeps the first
    address = stepper.network.addresses()[4]
    first = stepper.set_parameter(address, 1.25)
    second = stepper.set_parameter(address, -1.25)
    stepper.run(3)
    stepper.undo_edit(second)
    assert stepper.history.events == [events[0], first]
    assert stepper.network.get(address) == 1.25
    assert (stepper.iteration, stepper.phase) == (5, 2)
    stepper.undo_edit(first)
    assert_same(state(stepper), before[(5, 2)], "both taken back")


def test_undo_edit_of_a_boundary_edit_drops_the_checkpoint_that_held_it():
    stepper = make_stepper("adam", None, checkpoint_stride=1)
    before = {}
    seen = first_pass(stepper, 12, before)
    assert 3 in stepper.history.checkpoints  # taken after the edit at (3, 0)
    stepper.undo_edit(stepper.history.events[0])
    assert stepper.head_position == (3, 0)
    assert 3 not in stepper.history.checkpoints and 2 in stepper.history.checkpoints
    assert_same(state(stepper), before[(3, 0)], "undo_edit at (3, 0)")
    stepper.seek(2)
    assert_same(state(stepper), seen[(2, 0)], "before the edit")
    stepper.run(1)  # the tape reaches (3, 0): replayed, without the edit now
    assert_same(state(stepper), before[(3, 0)], "replayed to (3, 0)")
    stepper.run(1)  # a new iteration 3, recorded
    assert stepper.head_position == (4, 0) and 3 in stepper.history.checkpoints
    stepper.seek(3)
    assert_same(state(stepper), before[(3, 0)], "seek to the new checkpoint")


def test_go_to_replays_within_the_tape_and_computes_beyond_it():
    stepper = make_stepper("sgd", 3)
    seen = first_pass(stepper, 12)
    recorded = history_of(stepper)
    for position in [(5, 2), (0, 0), (8, 5), (8, 1), (12, 0), (3, 0)]:
        stepper.go_to(*position)
        assert_same(state(stepper), seen[position], f"go_to{position}")
    assert_history_kept(stepper, recorded)
    straight = make_stepper("sgd", 3)
    first_pass(straight, 12)
    straight.run(4)
    for _ in range(3):
        straight.step_phase()
    stepper.go_to(16, 3)
    assert stepper.head_position == (16, 3)
    assert_same(state(stepper), state(straight), "go_to beyond the end")
    with pytest.raises(ValueError):
        stepper.go_to(-1)
    with pytest.raises(ValueError):
        stepper.go_to(2, len(stepper.phases))
