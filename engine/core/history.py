"""What a run leaves behind: the loss of every iteration, parameter snapshots at a stride,
checkpoints of the whole training state, and the edits made along the way.

A history starts at iteration ``start``: 0 for a new network, the iteration a file was
saved at for a run that continues (nothing before it can be rewound to).

A *position* is (iteration, phases done in it). The state S_t of iteration t is the
parameters, optimiser state and settings at the moment t's first phase runs (so it
includes edits made between iterations). Rewinding to t restores the latest checkpoint
≤ t and replays the iterations after it, applying the recorded edits at their positions;
replay uses the same kernels, so the result is bit-identical.

Memory stays bounded: when the parameter snapshots outgrow their budget the stride doubles
and every other snapshot is dropped; checkpoints do the same against their own budget
(counting what each costs in Python objects, not only its arrays); the losses keep exact
values within a budget and a min/max envelope beyond it (engine.loss_log).
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass

import numpy as np

from .loss_log import LossLog
from .optimizers import TrainingConfig

# what a checkpoint costs beyond its arrays: the Checkpoint, its dict of optimiser state,
# the ndarray objects and its slot in History.checkpoints (measured: about 450 bytes)
CHECKPOINT_OVERHEAD = 512
LARGE_ROW = 64 * 2**10  # rows this large go into a shared mapping (see _empty)
KEEP_CHUNK_BYTES = 2**20  # rows thinned out (_GrowingArray.keep) this much at a time


def _empty(shape: tuple, dtype) -> np.ndarray:
    """``np.empty(shape, dtype)``; for rows of LARGE_ROW bytes or more, in a shared
    anonymous mapping (Unix). A snapshot row of a large network (0.8 MB for 784-128-10) is
    written into fresh memory at every step, and fresh memory costs a page fault at its
    first touch. numpy's private memory faults one 4 KB page at a time: 3–4 ms a row on the
    development machine's virtual machine, 19 ms at worst. A shared mapping is faulted
    64 KB at a time (the kernel's fault-around): 0.6 ms a row, 0.8 at worst. Transparent
    huge pages (a private mapping with MADV_HUGEPAGE) were worse still once memory was
    fragmented: the kernel compacts memory for each 2 MB page, 5–45 ms. Small rows (the
    seeds' networks) stay with numpy, where tracemalloc sees them; elsewhere (Windows), or
    when mapping fails, plain ``np.empty``."""
    dtype = np.dtype(dtype)
    row = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
    size = int(shape[0]) * row
    if len(shape) < 2 or row < LARGE_ROW or not hasattr(mmap, "MAP_SHARED"):
        return np.empty(shape, dtype)
    try:
        memory = mmap.mmap(-1, size, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    except (OSError, ValueError, AttributeError):  # AttributeError: no MAP_ANONYMOUS
        return np.empty(shape, dtype)
    return np.frombuffer(memory, dtype=dtype).reshape(shape)  # the array keeps it alive


@dataclass
class Checkpoint:
    theta: np.ndarray
    optimizer_state: dict[str, np.ndarray]
    config: TrainingConfig

    @property
    def nbytes(self) -> int:
        return (self.theta.nbytes + sum(v.nbytes for v in self.optimizer_state.values())
                + CHECKPOINT_OVERHEAD)


@dataclass
class Event:
    """An edit made at ``position``: parameters set, or settings changed."""

    iteration: int
    phase: int
    indices: np.ndarray | None = None
    values: np.ndarray | None = None
    config: TrainingConfig | None = None

    @property
    def position(self) -> tuple[int, int]:
        return (self.iteration, self.phase)


class _GrowingArray:
    """An append-only float array that doubles its capacity; rows may be vectors.

    ``most``: the rows it may ever hold (rows that are vectors). They are then reserved up
    front — memory is committed a page at a time as rows are first written — and never
    copied to grow: doubling a 64-128-64-10 network's 35 MB of snapshots stalled a run
    20–110 ms, seed 000's 44 MB up to 180 ms."""

    def __init__(self, width: int | None = None, capacity: int = 1024, dtype=float,
                 most: int | None = None) -> None:
        self.reserved = most is not None and width is not None
        if self.reserved:
            capacity = max(capacity, most)
        shape = (capacity,) if width is None else (capacity, width)
        self._buffer = _empty(shape, dtype)
        self.row_bytes = self._buffer[:1].nbytes  # one row's bytes
        self.length = 0
        self.touched = 0  # the most rows ever written: what a reserved buffer holds in memory
        self.last = None  # a 1-D array's last entry

    @property
    def capacity(self) -> int:
        return len(self._buffer)

    def append(self, value) -> None:
        if self.length == len(self._buffer):
            grown = _empty((2 * len(self._buffer),) + self._buffer.shape[1:],
                           self._buffer.dtype)
            grown[: self.length] = self._buffer[: self.length]
            self._buffer = grown
        self._buffer[self.length] = value
        self.length += 1
        self.touched = max(self.touched, self.length)
        if self._buffer.ndim == 1:
            self.last = value

    def truncate(self, length: int) -> None:
        self.length = min(self.length, max(0, length))
        self._remember_last()

    def retype(self, dtype) -> None:
        grown = _empty(self._buffer.shape, dtype)  # only the rows in use are converted
        grown[: self.length] = self._buffer[: self.length]
        self._buffer = grown
        self.row_bytes = self._buffer[:1].nbytes
        self.touched = self.length

    def keep(self, mask: np.ndarray) -> None:
        """Keep the rows where ``mask`` (one entry per row in use) is true, in order.

        In place, about a megabyte at a time: the kept rows k … k + c − 1 are gathered and
        written to rows k … k + c − 1, below their sources (a kept row's index is never less
        than its new one) and below every later chunk's. A copy of all the kept rows at once
        stalled a run for as long as growing did."""
        buffer = self._buffer
        rows = np.flatnonzero(mask)
        chunk = max(1, KEEP_CHUNK_BYTES // max(self.row_bytes, 1))
        for start in range(0, len(rows), chunk):
            sources = rows[start:start + chunk]
            if sources[0] != start or sources[-1] != start + len(sources) - 1:
                buffer[start:start + len(sources)] = buffer[sources]
        self.length = len(rows)
        self._remember_last()

    @property
    def values(self) -> np.ndarray:
        return self._buffer[: self.length]

    def _remember_last(self) -> None:
        """``last``: the last entry of a 1-D array as a Python number (None when empty),
        what a snapshot compares with every iteration, kept rather than read back."""
        self.last = (self._buffer[self.length - 1].item()
                     if self.length and self._buffer.ndim == 1 else None)

    @property
    def nbytes(self) -> int:
        """Its memory: the rows ever written of a reserved buffer (the rest is address
        space, not memory), else its capacity."""
        return self.touched * self.row_bytes if self.reserved else self._buffer.nbytes


class History:
    def __init__(
        self,
        origin: Checkpoint,
        start: int = 0,
        parameter_stride: int = 1,
        checkpoint_stride: int = 256,
        parameter_budget_bytes: int = 64 * 2**20,
        checkpoint_budget_bytes: int = 64 * 2**20,
    ) -> None:
        if parameter_stride < 1 or checkpoint_stride < 1:
            raise ValueError("history strides must be at least 1")
        self.origin = origin  # the state at the start of iteration ``start``
        self.start = start
        self.parameter_stride = parameter_stride
        self.checkpoint_stride = checkpoint_stride
        self.parameter_budget_bytes = parameter_budget_bytes
        self.checkpoint_budget_bytes = checkpoint_budget_bytes
        # in the run's dtype (float32 in a float32 run); ``widen`` when it changes to float64
        self.loss_log = LossLog(start, dtype=origin.theta.dtype)
        self._snapshot_iterations = _GrowingArray(dtype=np.int64)
        self.revision = 0  # counts changes to rows already recorded (coarsening, truncation)
        row_bytes = max(origin.theta.nbytes, 1)
        self._snapshots = _GrowingArray(
            width=origin.theta.size,
            capacity=int(max(1, min(64, parameter_budget_bytes // row_bytes))),
            dtype=origin.theta.dtype,
            most=int(max(1, parameter_budget_bytes // row_bytes)),
        )
        self.checkpoints: dict[int, Checkpoint] = {}
        self.checkpoint_floor = 1  # raised when the budget forces a coarser stride
        self.events: list[Event] = []

    def widen(self, dtype) -> None:
        """The run now computes in ``dtype``: the snapshots and losses are kept in it from
        now on when it is wider than theirs (float32 → float64, every number kept exactly);
        a float64 history keeps float64 when the run changes to float32."""
        snapshots = self._snapshots
        wider = np.promote_types(snapshots.values.dtype, dtype)
        if wider != snapshots.values.dtype:
            snapshots.retype(wider)
        self.loss_log.widen(dtype)

    # ------------------------------------------------------------------ losses
    @property
    def losses(self) -> np.ndarray:
        """The loss computed in each iteration from ``start`` on (at the parameters of S_t):
        ``losses[t − start]``. A new array, exact; losses the log dropped from memory are
        recomputed (see engine.loss_log), so prefer ``loss_log`` for long runs."""
        return self.loss_log.values()

    @property
    def loss_count(self) -> int:
        return len(self.loss_log)

    def record_loss(self, iteration: int, value: float) -> None:
        if iteration != self.loss_log.stop:
            raise RuntimeError(f"loss of iteration {iteration} recorded out of order")
        self.loss_log.append(value)

    # -------------------------------------------------------------- snapshots
    def record_start(self, iteration: int, checkpoint_factory) -> None:
        """Called as iteration ``iteration`` begins: snapshot and checkpoint at the strides."""
        last = self._snapshot_iterations.last
        if iteration % self.parameter_stride == 0 and (last is None or last < iteration):
            snapshots = self._snapshots
            row_bytes = snapshots.row_bytes
            if snapshots.length == snapshots.capacity and (
                2 * snapshots.capacity * row_bytes > self.parameter_budget_bytes
            ):
                # growing would pass the budget: thin out the rows we have instead
                self._coarsen_snapshots()
            if iteration % self.parameter_stride == 0:
                self._snapshot_iterations.append(iteration)
                snapshots.append(checkpoint_factory(theta_only=True))
                if snapshots.length * row_bytes > self.parameter_budget_bytes:
                    self._coarsen_snapshots()
        if iteration % self.checkpoint_stride == 0 and iteration not in self.checkpoints:
            checkpoint = checkpoint_factory(theta_only=False)
            self.checkpoints[iteration] = checkpoint
            if len(self.checkpoints) * checkpoint.nbytes > self.checkpoint_budget_bytes:
                self._coarsen_checkpoints()

    def _coarsen_snapshots(self) -> None:
        self.parameter_stride *= 2
        mask = self._snapshot_iterations.values % self.parameter_stride == 0
        self._snapshots.keep(mask)
        self._snapshot_iterations.keep(mask)
        self.revision += 1

    def _coarsen_checkpoints(self) -> None:
        self.checkpoint_stride *= 2
        self.checkpoint_floor = self.checkpoint_stride  # the budget allows no finer stride
        self.checkpoints = {
            t: c for t, c in self.checkpoints.items() if t % self.checkpoint_stride == 0
        }

    @property
    def snapshot_iterations(self) -> np.ndarray:
        return self._snapshot_iterations.values

    @property
    def snapshots(self) -> np.ndarray:
        """Row k: θ at the start of iteration ``snapshot_iterations[k]``."""
        return self._snapshots.values

    # ------------------------------------------------------------------ events
    def record_event(self, event: Event) -> None:
        self.events.append(event)

    def has_mid_iteration_events(self, iteration: int) -> bool:
        return any(e.iteration == iteration and e.phase > 0 for e in self.events)

    # --------------------------------------------------------------- rewinding
    def base_for(self, iteration: int) -> tuple[int, Checkpoint, bool]:
        """The latest checkpoint at or before ``iteration``: (its iteration, it, whether its
        between-iteration edits still have to be applied — true only for the origin)."""
        candidates = [t for t in self.checkpoints if t <= iteration]
        if candidates:
            t = max(candidates)
            return t, self.checkpoints[t], False
        return self.start, self.origin, True

    def truncate(self, iteration: int, phase: int, loss_phase: int) -> None:
        """Forget everything after position (iteration, phase)."""
        self.loss_log.truncate(iteration - self.start + (1 if phase > loss_phase else 0))
        last_kept = iteration if phase > 0 else iteration - 1
        mask = self._snapshot_iterations.values <= last_kept
        if not mask.all():
            self._snapshots.keep(mask)
            self._snapshot_iterations.keep(mask)
            self.revision += 1
        self.checkpoints = {t: c for t, c in self.checkpoints.items() if t <= last_kept}
        self.events = [e for e in self.events if e.position <= (iteration, phase)]

    @property
    def nbytes(self) -> int:
        return (
            self.loss_log.nbytes
            + self._snapshots.nbytes
            + self._snapshot_iterations.nbytes
            + sum(c.nbytes for c in self.checkpoints.values())
            + self.origin.nbytes
        )
