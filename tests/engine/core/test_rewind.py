"""Rewind is exact: seeking to any iteration gives bit-for-bit the state the stepper had when
it first got there, whatever was edited along the way, for every optimiser.

A *driver* walks the stepper forward one iteration (or one phase) at a time and writes down
the state at every iteration boundary as it passes. Those records are the reference: they
come from walking forward, never from seeking, so seeking is checked against something it
did not produce.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import InitSpec, Network, ParameterAddress, Stepper, TrainingConfig, initialise

OBSERVATIONS = 7
LEARNING_RATES = {"gd": 0.5, "sgd": 0.3, "momentum": 0.1, "adam": 0.02}
OPTIMIZER_CASES = [
    ("gd", None),
    ("sgd", 3),  # 7 observations: batches of 3, 3, 1 in a shuffled order each epoch
    ("sgd", 1),
    ("momentum", None),
    ("momentum", 2),
    ("adam", None),
    ("adam", 4),
]


def make_stepper(optimizer: str, batch_size: int | None, checkpoint_stride: int = 256,
                 seed: int = 0) -> Stepper:
    rng = np.random.default_rng(100 + seed)
    network = Network([3, 4, 2], ["tanh", "sigmoid"], bias=True)
    initialise(network, InitSpec("normal", seed=seed, parameters={"std": 0.8}))
    inputs = rng.uniform(-1, 1, (OBSERVATIONS, 3))
    targets = rng.uniform(0, 1, (OBSERVATIONS, 2))
    config = TrainingConfig(loss="mse", optimizer=optimizer, batch_size=batch_size,
                            learning_rate=LEARNING_RATES[optimizer], shuffle_seed=11)
    return Stepper(network, inputs, targets, config, checkpoint_stride=checkpoint_stride)


def capture(stepper: Stepper):
    return (stepper.network.theta.copy(), stepper.optimizer.get_state(), stepper.config)


def assert_same_state(stepper: Stepper, expected, where: str = "") -> None:
    theta, optimizer_state, config = expected
    assert np.array_equal(stepper.network.theta, theta), where
    state = stepper.optimizer.get_state()
    assert state.keys() == optimizer_state.keys(), where
    for key in state:
        assert np.array_equal(state[key], optimizer_state[key]), (where, key)
    assert stepper.config == config, where


class Driver:
    """Acts on a stepper and records S_t, the state at the start of each iteration t."""

    def __init__(self, stepper: Stepper) -> None:
        self.stepper = stepper
        self.states: dict[int, tuple] = {}
        self.losses_seen: dict[int, float] = {}
        self._note()

    def _note(self, moved: bool = False) -> None:
        """After an action: S_t at a boundary. ``moved`` (a step or run, no edit): a state
        recorded before is one the stepper replayed from its tape, and must be the same."""
        s = self.stepper
        # everything after the head is forgotten by the stepper (an edit), and so here
        self.states = {t: v for t, v in self.states.items() if t <= s.head_iteration}
        if s.phase == 0:
            if moved and s.iteration in self.states:
                assert_same_state(s, self.states[s.iteration], f"replayed to {s.iteration}")
            self.states[s.iteration] = capture(s)

    def run(self, iterations: int) -> None:
        for _ in range(iterations):
            self.stepper.run(1)
            self._note(moved=True)

    def step_iteration(self) -> None:
        self.stepper.step_iteration()
        self._note(moved=True)

    def phases(self, count: int) -> None:
        for _ in range(count):
            self.stepper.step_phase()
            self._note(moved=True)

    def set(self, index: int, value: float) -> None:
        s = self.stepper
        address = s.network.addresses()[index % s.network.theta.size]
        s.set_parameter(address, value)
        self._note()

    def learning_rate(self, value: float) -> None:
        s = self.stepper
        s.set_config(s.config.with_changes(learning_rate=value))
        self._note()

    def optimizer(self, kind: str, batch_size: int | None) -> None:
        s = self.stepper
        s.set_config(s.config.with_changes(optimizer=kind, batch_size=batch_size,
                                           learning_rate=LEARNING_RATES[kind]))
        self._note()

    def theta(self, seed: int) -> None:
        s = self.stepper
        s.set_theta(np.random.default_rng(seed).normal(0, 0.5, s.network.theta.size))
        self._note()

    def seek(self, iteration: int) -> None:
        self.stepper.seek(iteration)
        assert_same_state(self.stepper, self.states[iteration], f"seek({iteration})")
        self._note()

    def verify(self, iterations=None) -> None:
        """Seek to each iteration (shuffled) and compare with the record."""
        s = self.stepper
        head = s.head_iteration
        losses = s.history.losses.copy()
        assert sorted(self.states) == list(range(head + 1))
        order = list(range(head + 1)) if iterations is None else list(iterations)
        np.random.default_rng(len(order)).shuffle(order)
        for t in order:
            s.seek(t)
            assert (s.iteration, s.phase) == (t, 0)
            assert_same_state(s, self.states[t], f"seek({t})")
        # seeking changes neither the head nor the recorded losses
        assert s.head_iteration == head
        assert np.array_equal(s.history.losses, losses)


# ------------------------------------------------------------------ deterministic stories
@pytest.mark.parametrize("optimizer,batch_size", OPTIMIZER_CASES)
def test_seek_is_bit_identical_across_default_checkpoints(optimizer, batch_size):
    """600 iterations with the default checkpoint stride (256): seeks on both sides of the
    boundaries 256 and 512, with edits between iterations, mid-iteration and a new
    learning rate along the way."""
    stepper = make_stepper(optimizer, batch_size)
    assert stepper.history.checkpoint_stride == 256
    driver = Driver(stepper)
    driver.set(0, 0.3)  # an edit before anything ran: part of S_0
    driver.run(100)
    driver.set(5, -0.7)  # between iterations
    driver.run(200)
    driver.phases(3)  # into iteration 300 …
    driver.set(2, 1.25)  # … an edit between its phases …
    driver.phases(2)
    driver.set(7, -0.1)  # … and another
    driver.run(1)  # finishes iteration 300
    driver.run(99)
    driver.learning_rate(LEARNING_RATES[optimizer] / 2)
    driver.run(200)
    assert stepper.iteration == 600
    assert set(stepper.history.checkpoints) >= {0, 256, 512}
    boundaries = [0, 1, 99, 100, 101, 255, 256, 257, 299, 300, 301, 302, 399, 400, 401,
                  511, 512, 513, 599, 600]
    extra = np.random.default_rng(1).choice(601, size=10, replace=False).tolist()
    driver.verify(boundaries + extra)
    # the learning rate came back with the states: iteration 400 on ran with η/2
    stepper.seek(450)
    assert stepper.config.learning_rate == LEARNING_RATES[optimizer] / 2
    stepper.seek(399)
    assert stepper.config.learning_rate == LEARNING_RATES[optimizer]


@pytest.mark.parametrize("optimizer,batch_size", OPTIMIZER_CASES)
def test_seek_is_bit_identical_with_many_checkpoints(optimizer, batch_size):
    stepper = make_stepper(optimizer, batch_size, checkpoint_stride=7)
    driver = Driver(stepper)
    driver.run(20)
    driver.phases(4)
    driver.set(3, 0.9)  # mid-iteration 20
    driver.step_iteration()
    driver.learning_rate(LEARNING_RATES[optimizer] * 1.5)  # at boundary 21 (not a multiple of 7)
    driver.run(6)
    driver.set(1, -0.2)  # at boundary 27
    driver.run(1)
    driver.set(4, 0.4)  # at boundary 28, a checkpoint
    driver.phases(1)
    driver.learning_rate(LEARNING_RATES[optimizer] * 0.7)  # mid-iteration 28
    driver.run(40)
    assert set(stepper.history.checkpoints) >= set(range(0, 64, 7))
    driver.verify()  # every iteration 0 … 69


@pytest.mark.parametrize("optimizer,batch_size", OPTIMIZER_CASES)
def test_phase_path_and_fast_path_are_bit_identical(optimizer, batch_size):
    phased = make_stepper(optimizer, batch_size)
    fast = make_stepper(optimizer, batch_size)
    for _ in range(60):
        phased.step_iteration()
    assert fast.run(60) == 60
    assert np.array_equal(phased.network.theta, fast.network.theta)
    assert np.array_equal(phased.history.losses, fast.history.losses)
    assert phased.history.losses.shape == (60,)
    for key, value in phased.optimizer.get_state().items():
        assert np.array_equal(value, fast.optimizer.get_state()[key])
    # phase by phase, one step_phase at a time, too
    single = make_stepper(optimizer, batch_size)
    for _ in range(60 * len(single.phases)):
        single.step_phase()
    assert single.iteration == 60
    assert np.array_equal(single.network.theta, fast.network.theta)
    assert np.array_equal(single.history.losses, fast.history.losses)


def test_run_from_mid_iteration_finishes_it_first():
    reference = make_stepper("momentum", None)
    reference.run(10)
    stepper = make_stepper("momentum", None)
    stepper.run(4)
    for _ in range(3):
        stepper.step_phase()
    assert stepper.run(6) == 6  # the rest of iteration 4, then 5 … 9
    assert (stepper.iteration, stepper.phase) == (10, 0)
    assert np.array_equal(stepper.network.theta, reference.network.theta)
    assert np.array_equal(stepper.history.losses, reference.history.losses)


@pytest.mark.parametrize("optimizer,batch_size", OPTIMIZER_CASES)
def test_step_back_and_restart(optimizer, batch_size):
    stepper = make_stepper(optimizer, batch_size)
    driver = Driver(stepper)
    driver.set(0, 2.0)  # edits at iteration 0 belong to S_0
    driver.set(4, -1.0)
    driver.run(5)
    driver.phases(4)  # mid-iteration 5
    driver.set(1, 0.5)  # an edit mid-iteration 5: not part of S_5
    driver.phases(1)

    stepper.step_back()  # mid-iteration: back to the start of this iteration
    assert (stepper.iteration, stepper.phase) == (5, 0)
    assert_same_state(stepper, driver.states[5])
    stepper.step_back()  # at a boundary: back one iteration
    assert (stepper.iteration, stepper.phase) == (4, 0)
    assert_same_state(stepper, driver.states[4])

    stepper.restart()
    assert (stepper.iteration, stepper.phase) == (0, 0)
    assert_same_state(stepper, driver.states[0])
    assert stepper.network.get(stepper.network.addresses()[0]) == 2.0
    assert stepper.network.get(stepper.network.addresses()[4]) == -1.0
    with pytest.raises(ValueError):
        stepper.step_back()
    # rewinding did not forget the future: the head is still mid-iteration 5
    assert stepper.head_iteration == 5
    stepper.seek(5)
    assert_same_state(stepper, driver.states[5])


def test_restart_after_rewriting_iteration_0_keeps_both_edits():
    """Edits at iteration 0, a run, restart, another edit at iteration 0 (which forgets the
    old future, checkpoint 0 included): restart still gives S_0 with both edits, the same as
    a fresh stepper given both edits before it ever ran."""
    stepper = make_stepper("adam", 2, checkpoint_stride=3)
    addresses = stepper.network.addresses()
    stepper.set_parameter(addresses[0], 0.75)
    stepper.run(10)
    stepper.restart()
    stepper.set_parameter(addresses[3], -0.5)
    assert stepper.head_iteration == 0
    stepper.run(7)
    after_7 = stepper.network.theta.copy()
    stepper.restart()

    fresh = make_stepper("adam", 2)
    fresh.set_parameter(addresses[0], 0.75)
    fresh.set_parameter(addresses[3], -0.5)
    assert_same_state(stepper, capture(fresh))
    fresh.run(7)
    stepper.seek(7)
    assert np.array_equal(stepper.network.theta, after_7)
    assert np.array_equal(stepper.network.theta, fresh.network.theta)


def test_stepping_after_seeking_back_replays_the_future_and_an_edit_forks_it():
    stepper = make_stepper("adam", 3)
    driver = Driver(stepper)
    driver.run(30)
    losses = stepper.history.losses.copy()
    assert stepper.head_iteration == 30 and losses.shape == (30,)

    driver.seek(12)
    assert stepper.head_iteration == 30  # seeking alone forgets nothing
    stepper.step_phase()  # forward 1 of iteration 12: along the tape, nothing forgotten
    stepper.step_phase()  # forward 2
    stepper.step_phase()  # the loss phase of iteration 12: its loss is already recorded
    assert stepper.head_iteration == 30
    assert np.array_equal(stepper.history.losses, losses)
    assert stepper.trace.loss == losses[12]
    checkpoints = sorted(stepper.history.checkpoints)
    driver.phases(len(stepper.phases) - 3)
    assert stepper.iteration == 13 and stepper.head_iteration == 30

    # an edit here forks the tape: what followed is forgotten, a new future recorded
    driver.set(2, 3.0)
    assert stepper.head_iteration == 13
    assert stepper.history.losses.shape == (13,)
    assert np.array_equal(stepper.history.losses, losses[:13])
    with pytest.raises(ValueError):
        stepper.seek(14)
    assert sorted(stepper.history.checkpoints) == [t for t in checkpoints if t <= 12]
    assert all(t <= 12 for t in stepper.history.snapshot_iterations)
    driver.run(10)
    assert stepper.head_iteration == 23
    assert not np.array_equal(stepper.history.losses[13:23], losses[13:23])
    driver.verify()


def test_edit_after_seeking_back_at_a_boundary_replaces_the_old_edits_future():
    """Seek to 10, change a weight there: S_10 holds the new value, S_11 … follow from it,
    and an edit made at 10 in the old future (before the seek) is still part of S_10."""
    stepper = make_stepper("momentum", 2, checkpoint_stride=4)
    driver = Driver(stepper)
    driver.run(10)
    driver.set(0, 0.25)
    driver.run(10)
    driver.seek(10)
    driver.set(1, -0.75)  # truncates the old 11 … 20
    assert stepper.head_iteration == 10
    assert stepper.network.get(stepper.network.addresses()[0]) == 0.25
    driver.run(8)
    driver.verify()
    stepper.seek(10)
    assert stepper.network.get(stepper.network.addresses()[1]) == -0.75
    assert stepper.network.get(stepper.network.addresses()[0]) == 0.25


def test_parameter_history_budget_doubles_the_stride_and_keeps_exact_snapshots():
    reference = make_stepper("adam", 3)
    thetas = [reference.network.theta.copy()]
    for _ in range(300):
        reference.run(1)
        thetas.append(reference.network.theta.copy())

    stepper = make_stepper("adam", 3)
    history = stepper.history
    assert history.parameter_stride == 1
    history.parameter_budget_bytes = 8 * stepper.network.theta.nbytes  # room for 8 snapshots
    stepper.run(300)
    stride = history.parameter_stride
    assert stride > 1 and stride & (stride - 1) == 0  # doubled, a power of two
    assert len(history.snapshots) * stepper.network.theta.nbytes <= 8 * stepper.network.theta.nbytes
    iterations = history.snapshot_iterations.tolist()
    assert iterations == list(range(0, 300, stride))
    for row, t in zip(history.snapshots, iterations, strict=True):
        assert np.array_equal(row, thetas[t]), t
    # losses are kept for every iteration regardless
    assert np.array_equal(history.losses, reference.history.losses)
    # rewinding is unaffected
    for t in (0, 1, 150, 257, 299, 300):
        stepper.seek(t)
        assert np.array_equal(stepper.network.theta, thetas[t]), t


def test_checkpoint_budget_coarsens_checkpoints_and_seeking_stays_exact():
    stepper = make_stepper("momentum", 3, checkpoint_stride=2)
    stepper.history.checkpoint_budget_bytes = 5 * 2 * stepper.network.theta.nbytes
    driver = Driver(stepper)
    driver.run(40)
    driver.phases(2)
    driver.set(3, 0.1)
    driver.run(40)
    assert stepper.history.checkpoint_stride > 2
    assert all(t % stepper.history.checkpoint_stride == 0 for t in stepper.history.checkpoints)
    driver.verify()


def test_sgd_batch_after_seek_is_the_batch_of_that_iteration():
    stepper = make_stepper("sgd", 3)
    batches = {}
    for _ in range(12):
        stepper.step_phase()  # forward 1 makes the trace and its batch
        batches[stepper.iteration] = stepper.trace.batch.copy()
        stepper.step_iteration()
    for t in (11, 3, 7, 0, 12):
        stepper.seek(t)  # seeking (not stepping) keeps the future for the next seek
        if t in batches:
            assert np.array_equal(stepper.evaluate(full=False).batch, batches[t]), t
    # stepping from a rewound iteration uses that iteration's batch again
    stepper.seek(7)
    stepper.step_phase()
    assert np.array_equal(stepper.trace.batch, batches[7])


# ------------------------------------------------------------------ random stories
ACTIONS = st.one_of(
    st.tuples(st.just("run"), st.integers(1, 12)),
    st.tuples(st.just("iteration")),
    st.tuples(st.just("phases"), st.integers(1, 9)),
    st.tuples(st.just("set"), st.integers(0, 100), st.floats(-2, 2)),
    st.tuples(st.just("learning_rate"), st.floats(0.5, 1.5)),
    st.tuples(st.just("theta"), st.integers(0, 1000)),
    st.tuples(st.just("optimizer"), st.sampled_from(OPTIMIZER_CASES)),
    st.tuples(st.just("seek"), st.floats(0, 1)),
    st.tuples(st.just("step_back")),
)


@settings(deadline=None, max_examples=60)
@given(
    case=st.sampled_from(OPTIMIZER_CASES),
    checkpoint_stride=st.sampled_from([1, 3, 7, 256]),
    actions=st.lists(ACTIONS, min_size=1, max_size=14),
)
def test_random_stories_rewind_exactly(case, checkpoint_stride, actions):
    optimizer, batch_size = case
    stepper = make_stepper(optimizer, batch_size, checkpoint_stride=checkpoint_stride)
    driver = Driver(stepper)
    for action in actions:
        kind = action[0]
        if kind == "run":
            driver.run(action[1])
        elif kind == "iteration":
            driver.step_iteration()
        elif kind == "phases":
            driver.phases(action[1])
        elif kind == "set":
            driver.set(action[1], action[2])
        elif kind == "learning_rate":
            driver.learning_rate(LEARNING_RATES[optimizer] * action[1])
        elif kind == "theta":
            driver.theta(action[1])
        elif kind == "optimizer":  # a change of optimiser (and its state) or of batch size
            driver.optimizer(*action[1])
        elif kind == "seek":
            driver.seek(int(action[1] * stepper.head_iteration))
        elif kind == "step_back":
            if (stepper.iteration, stepper.phase) != (0, 0):
                target = stepper.iteration if stepper.phase else stepper.iteration - 1
                stepper.step_back()
                assert (stepper.iteration, stepper.phase) == (target, 0)
                assert_same_state(stepper, driver.states[target], "step_back")
                driver._note()
    head = stepper.head_iteration
    driver.verify()
    assert stepper.history.losses.shape[0] in (head, head + 1)


def test_parameter_addresses_in_the_stories_exist():
    """The drivers' set() picks addresses by index; all of them must be settable."""
    stepper = make_stepper("gd", None)
    addresses = stepper.network.addresses()
    assert len(addresses) == stepper.network.theta.size == 3 * 4 + 4 + 4 * 2 + 2
    assert addresses[0] == ParameterAddress.weight(0, 0, 0)
    for index, address in enumerate(addresses):
        stepper.set_parameter(address, float(index))
    assert np.array_equal(stepper.network.theta, np.arange(len(addresses), dtype=float))


def test_seek_seconds_picks_the_checkpoint_stride_from_the_iteration_cost():
    # an iteration of about 1 ms against a 10 ms seek budget: stride 8 (a power of two ≤ 10)
    stepper = make_stepper("adam", 2)
    stepper.seek_seconds = 0.010
    stepper._adapt_checkpoints(100, 0.100)
    assert stepper.history.checkpoint_stride == 8
    # never above the stride asked for at construction, never below the budget's floor
    stepper._adapt_checkpoints(100, 1e-6)
    assert stepper.history.checkpoint_stride == 256
    stepper.history.checkpoint_floor = 64
    stepper._adapt_checkpoints(100, 0.100)
    assert stepper.history.checkpoint_stride == 64


def test_an_adapted_checkpoint_stride_keeps_seeking_exact():
    stepper = make_stepper("adam", 3)
    stepper.seek_seconds = 1e-9  # as if every iteration were slow: stride 1
    stepper.run(10)
    stepper.run(30)  # a timed run: the stride drops to 1 for the iterations after it
    assert stepper.history.checkpoint_stride == 1
    stepper.run(10)
    assert set(range(40, 50)) <= set(stepper.history.checkpoints)
    reference = make_stepper("adam", 3)
    states = {}
    for t in range(51):
        states[t] = capture(reference)
        reference.run(1)
    for t in (50, 3, 45, 41, 11, 0, 39):
        stepper.seek(t)
        assert_same_state(stepper, states[t], f"seek({t})")


def test_a_first_run_spaces_its_checkpoints_by_what_its_first_iterations_cost(monkeypatch):
    """Issue 16: a 784-128-10 network's first run of 200 iterations kept one checkpoint
    (the stride was tuned after the run), so a seek replayed up to 200 iterations. The run
    now times its first iterations and spaces the rest's checkpoints by them. The clock is
    made up: 2.5 ms an iteration, so a 40 ms seek may replay 16 of them."""
    import engine.core.stepper as stepper_module

    stepper = make_stepper("adam", 2)
    monkeypatch.setattr(stepper_module.time, "perf_counter", lambda: stepper.iteration * 0.0025)
    stepper.seek_seconds = 0.040
    stepper.run(100)
    assert stepper.history.checkpoint_stride == 16
    assert {16, 32, 48, 64, 80, 96} <= set(stepper.history.checkpoints)
    reference = make_stepper("adam", 2)
    reference.run(50)
    stepper.seek(50)
    assert np.array_equal(stepper.network.theta, reference.network.theta)


@pytest.mark.parametrize("optimizer,batch_size", [("adam", 4), ("sgd", 3), ("gd", None)])
def test_seeking_forward_goes_on_from_here_and_stays_exact(optimizer, batch_size):
    """A timeline dragged forward: each seek replays only the gap from the current state,
    and every state is the recorded one (edits along the way included)."""
    stepper = make_stepper(optimizer, batch_size, checkpoint_stride=64)
    driver = Driver(stepper)
    driver.run(40)
    driver.set(3, 0.9)
    driver.phases(2)
    driver.set(1, -0.4)  # mid-iteration edit in iteration 40
    driver.run(1)
    driver.run(159)
    assert stepper.iteration == 200
    replayed = []
    fast = stepper._fast
    stepper._fast = lambda count, record, **kw: replayed.append(count) or fast(count, record, **kw)
    stepper.seek(10)
    assert sum(replayed) == 10  # from the origin: no checkpoint before 10 but 0
    for t in range(11, 200, 7):
        replayed.clear()
        previous = stepper.iteration
        checkpoint = stepper.history.base_for(t)[0]
        stepper.seek(t)
        assert_same_state(stepper, driver.states[t], f"seek({t})")
        if not (previous <= 40 < t):  # iteration 40 is replayed phase by phase
            # from here, or from a checkpoint passed on the way when that is nearer
            assert sum(replayed) == t - max(previous, checkpoint), t
    replayed.clear()
    stepper.seek(130)  # backwards: from the checkpoint at 128
    assert sum(replayed) == 2
    assert_same_state(stepper, driver.states[130], "seek(130)")


@pytest.mark.parametrize("run_fast", [False, True])
def test_a_fix_after_a_fault_in_the_first_phase_is_replayed(run_fast):
    """A huge weight faults in forward 1 (the iteration began: its checkpoint was taken) and
    the learner repairs it at phase 0: rewinding must replay the repaired weight, not the
    huge one (found in review: restart gave 1e308 back and seek raised)."""
    from engine.core.phases import NonFiniteError

    network = Network([1, 1], ["linear"], bias=False)
    network.theta[...] = [0.5]
    stepper = Stepper(network, [[10.0]], [[0.0]], TrainingConfig(loss="sse", learning_rate=0.01))
    w = ParameterAddress.weight(0, 0, 0)
    stepper.run(2)
    stepper.set_parameter(w, 1e308)
    with pytest.raises(NonFiniteError):
        stepper.run(5) if run_fast else stepper.step_phase()
    assert (stepper.iteration, stepper.phase) == (2, 0)
    stepper.set_parameter(w, 0.25)
    walked = [stepper.network.theta.copy()]
    for _ in range(3):
        stepper.step_iteration()
        walked.append(stepper.network.theta.copy())
    # by hand: C = (10 w)², ∂C/∂w = 200 w, w ← w − 0.01 · 200 w = −w
    assert [float(t[0]) for t in walked] == [0.25, -0.25, 0.25, -0.25]
    for t in (2, 3, 4, 5):
        stepper.seek(t)
        assert np.array_equal(stepper.network.theta, walked[t - 2]), t
    stepper.restart()
    assert stepper.network.theta[0] == 0.5
    assert stepper.head_iteration == 5
