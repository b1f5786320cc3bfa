"""The loss of every iteration in bounded memory (issue 12, point 10): exact losses within a
budget, a min/max envelope for ever, dropped losses recomputed bit for bit from the
checkpoints. The reference is the same run with a budget large enough to keep everything."""

from __future__ import annotations

import numpy as np
import pytest
from paths import EXAMPLES

from engine.core import loss_log
from engine.core.loss_log import BLOCK, BUCKET, EXACT_SPAN, LossLog
from engine.core.optimizers import TrainingConfig
from engine.io.fileformat import load

SEED_000 = EXAMPLES / "seed-000.json"


@pytest.fixture
def block(monkeypatch) -> int:
    """Blocks of 256 iterations instead of 16,384: the same code paths, runs 64 times shorter."""
    monkeypatch.setattr(loss_log, "BLOCK", 256)
    return 256


def seed_000_stepper(optimizer: str = "gd", batch_size: int | None = None, budget_blocks=None):
    document = load(SEED_000)
    document.training = TrainingConfig(optimizer=optimizer, batch_size=batch_size,
                                       learning_rate=0.5 if optimizer != "adam" else 0.01)
    stepper = document.make_stepper(seek_seconds=0.04)
    if budget_blocks is not None:
        stepper.history.loss_log.exact_budget_bytes = budget_blocks * loss_log.BLOCK * 8
    return stepper


def test_a_plain_log_records_and_reads_every_loss():
    log = LossLog(start=5)
    values = np.random.default_rng(0).normal(size=3 * BLOCK + 17)
    for value in values:
        log.append(value)
    assert (log.start, log.stop, len(log)) == (5, 5 + len(values), len(values))
    np.testing.assert_array_equal(log.values(), values)
    np.testing.assert_array_equal(log.values(5 + BLOCK - 3, 5 + 2 * BLOCK + 4),
                                  values[BLOCK - 3: 2 * BLOCK + 4])
    assert log[5 + 100] == values[100] and log.last == values[-1]
    with pytest.raises(IndexError):
        log[4]
    low, high = log.extremes()
    assert (low, high) == (values.min(), values.max())
    log.truncate(BLOCK + 1)
    np.testing.assert_array_equal(log.values(), values[: BLOCK + 1])
    assert log.extremes() == (values[: BLOCK + 1].min(), values[: BLOCK + 1].max())


def test_dropped_losses_are_recomputed_bit_for_bit_from_the_checkpoints(block):
    """Budget for two blocks of exact losses, a run of six: the four oldest are dropped and
    come back, when read, exactly as the unbounded run recorded them — with mini-batches and
    Adam, whose state the checkpoints carry."""
    bounded = seed_000_stepper("adam", 1, budget_blocks=2)
    unbounded = seed_000_stepper("adam", 1)
    iterations = 6 * block - 5
    bounded.run(iterations)
    unbounded.run(iterations)
    log = bounded.history.loss_log
    assert len(log.exact_blocks) == 2 and 5 in log.exact_blocks  # the newest is kept
    theta = bounded.network.theta.copy()
    state = {k: v.copy() for k, v in bounded.optimizer.get_state().items()}
    np.testing.assert_array_equal(bounded.history.losses, unbounded.history.losses)
    # reading replayed from the checkpoints and left the live state exactly as it was
    np.testing.assert_array_equal(bounded.network.theta, theta)
    for key, value in state.items():
        np.testing.assert_array_equal(bounded.optimizer.state[key], value)
    assert bounded.iteration == iterations and not bounded.has_future
    bounded.run(7)
    unbounded.run(7)
    np.testing.assert_array_equal(bounded.network.theta, unbounded.network.theta)
    np.testing.assert_array_equal(bounded.history.losses, unbounded.history.losses)
    assert len(log.exact_blocks) <= 2


def test_replayed_losses_include_edits_made_along_the_way(block):
    """An edit between iterations and one in the middle of an iteration: the replay applies
    them where they were made, so the recomputed losses are the recorded ones."""
    bounded = seed_000_stepper(budget_blocks=1)
    unbounded = seed_000_stepper()
    weight = bounded.network.addresses()[4]
    for stepper in (bounded, unbounded):
        stepper.run(block + 10)
        stepper.set_parameter(weight, 0.25)
        stepper.run(300)
        stepper.step_phase()
        stepper.step_phase()
        stepper.set_parameter(weight, -0.5)
        stepper.run(2 * block)
    log = bounded.history.loss_log
    assert log.exact_blocks == [(log.length - 1) // block]  # the newest only
    np.testing.assert_array_equal(bounded.history.losses, unbounded.history.losses)


def runs(count: int, bins: int) -> list[range]:
    """The runs of consecutive points each bin covers: every point in one of them."""
    starts = [k * count // bins for k in range(bins)] + [count]
    return [range(starts[k], starts[k + 1]) for k in range(bins)]


def test_the_envelope_draws_like_the_exact_losses():
    """Up to EXACT_SPAN iterations: the min and max of each bin of the exact losses, every
    loss in a bin. Beyond: the same from the kept bucket extremes, each bin whole buckets —
    exactly the min and max of the exact losses over those iterations — and the newest
    iterations, which no bucket holds yet, from the exact ones."""
    log = LossLog()
    rng = np.random.default_rng(1)
    values = np.cumsum(rng.normal(size=EXACT_SPAN + 40 * BLOCK + 37))  # 37: not bucketed
    for value in values:
        log.append(value)
    x, y = log.envelope(1000, 1000 + EXACT_SPAN, 500)
    assert len(x) == 1001 and (x[-1], y[-1]) == (1000 + EXACT_SPAN - 1,
                                                  values[1000 + EXACT_SPAN - 1])
    for k, run in enumerate(runs(EXACT_SPAN, 500)):
        chunk = values[1000 + run.start: 1000 + run.stop]
        assert (y[2 * k], y[2 * k + 1]) == (chunk.min(), chunk.max())
    x, y = log.envelope(0, len(values), 700)
    assert len(x) == 1401 and y[-1] == values[-1]
    buckets = len(values) // BUCKET + 1  # the last holds the 37 newest
    for k, run in enumerate(runs(buckets, 700)):
        chunk = values[run.start * BUCKET: run.stop * BUCKET]
        assert (y[2 * k], y[2 * k + 1]) == (chunk.min(), chunk.max()), k
    assert np.all(np.diff(x[:-1:2]) > 0)


@pytest.mark.parametrize("back", [1, 20, 64, 9000, 50_000])
def test_the_envelope_of_a_long_run_shows_its_newest_iterations(back):
    """A spike among the newest iterations is drawn at any plot width (found in review: the
    newest iterations past the last whole bin were left out)."""
    log = LossLog()
    values = np.ones(EXACT_SPAN + 2_912_345)
    values[-back] = 100.0
    for value in values:
        log.append(value)
    for bins in (700, 1000, 2000):
        _, y = log.envelope(0, len(values), bins)
        assert y.max() == 100.0, bins


def test_memory_stays_bounded_however_long_the_run():
    """The exact part stays within its budget; what grows is 16 bytes per 64 iterations."""
    assert loss_log.DEFAULT_EXACT_BUDGET == 32 * 2**20  # the app's: 4 million iterations
    log = LossLog(exact_budget_bytes=3 * BLOCK * 8)
    for t in range(20 * BLOCK):
        log.append(float(t % 977))
    envelope_bytes = log._low.buffer.nbytes + log._high.buffer.nbytes
    assert len(log.exact_blocks) == 3
    assert log.nbytes == 3 * BLOCK * 8 + envelope_bytes
    assert envelope_bytes <= 2 * 2 * 8 * (20 * BLOCK // BUCKET)  # doubling capacity
    with pytest.raises(RuntimeError, match="no way to recompute"):
        log.values(0, 10)  # no stepper behind this log: nothing to replay from


def test_rewinding_and_editing_truncates_the_log_and_keeps_the_newest_block_exact(block):
    bounded = seed_000_stepper(budget_blocks=1)
    unbounded = seed_000_stepper()
    for stepper in (bounded, unbounded):
        stepper.run(3 * block + 50)
        stepper.seek(block + 7)  # rewound into a dropped block
        stepper.set_parameter(stepper.network.addresses()[0], 0.5)  # forks: later ones go
        stepper.run(40)
    log = bounded.history.loss_log
    assert log.stop == block + 47
    assert log.exact_blocks == [1]  # the block appended to, recomputed after the rewind
    np.testing.assert_array_equal(bounded.history.losses, unbounded.history.losses)


def test_a_replay_of_dropped_losses_leaves_the_breakpoints_gradient_alone(block):
    """Found in review: recomputing dropped losses reused the buffer of the last
    iteration's gradient, which a gradient-norm breakpoint reads at the next chunk: it fired
    on a gradient from thousands of iterations before."""
    from engine.analysis.breakpoints import Breakpoints, GradientNormAbove, last_gradient

    stepper = seed_000_stepper(budget_blocks=1)
    stepper.run(8 * block)
    gradient = last_gradient(stepper).copy()
    assert 0 not in stepper.history.loss_log.exact_blocks
    stepper.history.loss_log.values(0, 10)  # the loss plot zoomed into dropped losses
    np.testing.assert_array_equal(last_gradient(stepper), gradient)
    items = Breakpoints([GradientNormAbove(float(np.linalg.norm(gradient)) * 1.5)])
    items.start(stepper)
    stepper.run(50, until=items.until)
    stepper.history.loss_log.values(block, block + 10)
    stepper.run(50, until=items.until)
    assert items.hit is None
