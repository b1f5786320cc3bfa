"""The loss of every iteration, in bounded memory.

A run of an hour makes tens of millions of iterations; keeping every loss would grow by
8 bytes an iteration for ever. The log keeps

- the exact losses in blocks of ``BLOCK`` iterations, as many blocks as ``exact_budget_bytes``
  allows: the newest block always, then the blocks used most recently (appended to, read);
- for every iteration ever recorded, the minimum and maximum of each run of ``BUCKET``
  iterations (16 bytes per 64 iterations: 2.5 MB for ten million).

A block that was dropped is recomputed on demand by ``replay(begin, end)`` — the stepper
replays those iterations from its checkpoints, with the same kernels, so the values are
bit-identical to the ones first recorded — and kept again, as most recently used.

A plot never needs more than it can show: ``envelope(begin, end, bins)`` draws like the exact
values. Over a span of at most ``EXACT_SPAN`` iterations it is computed from the exact
losses (recomputed where needed); over a longer span, from the bucket minima and maxima —
a bin of a wide plot holds thousands of iterations, and its minimum and maximum are the same
whether taken over the iterations or over their buckets (only a bin's edges move to the
nearest bucket boundary).

Iterations are numbered from ``start`` (a file saved in the middle of a run continues it:
its first recorded loss is that of iteration ``start``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np

BLOCK = 1 << 14  # iterations per block of exact losses (128 KiB)
BUCKET = 64  # iterations per min/max pair kept for ever
EXACT_SPAN = 100_000  # a plot of at most this many iterations is drawn from exact losses
DEFAULT_EXACT_BUDGET = 32 * 2**20  # 4 million iterations kept exactly


class _Column:
    """An append-only float column that doubles its capacity."""

    def __init__(self, capacity: int = 256, dtype=np.float64) -> None:
        self.buffer = np.empty(capacity, dtype)
        self.length = 0

    def append(self, value: float) -> None:
        if self.length == len(self.buffer):
            grown = np.empty(2 * len(self.buffer), self.buffer.dtype)
            grown[: self.length] = self.buffer[: self.length]
            self.buffer = grown
        self.buffer[self.length] = value
        self.length += 1

    @property
    def values(self) -> np.ndarray:
        return self.buffer[: self.length]


class LossLog:
    def __init__(self, start: int = 0, exact_budget_bytes: int = DEFAULT_EXACT_BUDGET,
                 replay: Callable[[int, int], np.ndarray] | None = None,
                 dtype=np.float64) -> None:
        """``dtype``: what the losses are kept in (float32 in a float32 run, whose losses
        are float32 numbers; ``widen`` to float64 when the run changes to it)."""
        self.start = start
        self.dtype = np.dtype(dtype)
        self.length = 0
        self.exact_budget_bytes = exact_budget_bytes
        # replay(begin, end): the exact losses of iterations begin … end − 1 (the stepper's)
        self.replay = replay
        self._blocks: OrderedDict[int, np.ndarray] = OrderedDict()  # kept, least recent first
        self._low, self._high = _Column(dtype=dtype), _Column(dtype=dtype)  # per bucket

    def widen(self, dtype) -> None:
        """Keep the losses in ``dtype`` from now on if it is wider (float32 → float64: every
        loss kept is exactly the same number); a narrower one changes nothing."""
        dtype = np.promote_types(self.dtype, dtype)
        if dtype == self.dtype:
            return
        self.dtype = dtype
        with np.errstate(all="ignore"):  # the unused tail of a buffer holds whatever it held
            for block in self._blocks:
                self._blocks[block] = self._blocks[block].astype(dtype)
            for column in (self._low, self._high):
                column.buffer = column.buffer.astype(dtype)

    # ----------------------------------------------------------------- recording
    @property
    def stop(self) -> int:
        """One past the last iteration recorded."""
        return self.start + self.length

    def __len__(self) -> int:
        return self.length

    def append(self, value: float) -> None:
        block, offset = divmod(self.length, BLOCK)
        if offset == 0:
            self._blocks[block] = np.empty(BLOCK, self.dtype)
        values = self._blocks[block]
        self._blocks.move_to_end(block)  # the newest block is the most recently used
        values[offset] = value
        self.length += 1
        if offset == 0:
            self._drop_beyond_budget(keep=block)
        if self.length % BUCKET == 0:  # a bucket is complete: its min and max for ever
            bucket = values[offset + 1 - BUCKET: offset + 1]
            self._low.append(bucket.min())
            self._high.append(bucket.max())

    def truncate(self, length: int) -> None:
        """Keep the first ``length`` iterations recorded (positions from ``start``)."""
        length = max(0, min(self.length, length))
        if length == self.length:
            return
        self.length = length
        buckets = length // BUCKET
        self._low.length = min(self._low.length, buckets)
        self._high.length = min(self._high.length, buckets)
        last_block = (length - 1) // BLOCK if length else -1
        for block in [b for b in self._blocks if b > last_block]:
            del self._blocks[block]
        if length and length % BLOCK and last_block not in self._blocks:
            # the block being appended to must be exact: bring it back
            self._load(last_block)

    def _drop_beyond_budget(self, keep: int) -> None:
        """Drop the least recently used blocks beyond the budget, never ``keep`` (just
        loaded or created) nor the newest block (the one appended to)."""
        protected = {keep, (self.length - 1) // BLOCK if self.length else 0}
        excess = len(self._blocks) - max(len(protected),
                                         self.exact_budget_bytes
                                         // (BLOCK * self.dtype.itemsize))
        for block in [b for b in self._blocks if b not in protected][:max(0, excess)]:
            del self._blocks[block]

    # -------------------------------------------------------------------- reading
    @property
    def exact_blocks(self) -> list[int]:
        """Blocks whose exact losses are kept now (least recently used first)."""
        return list(self._blocks)

    def _load(self, block: int) -> np.ndarray:
        if block in self._blocks:
            self._blocks.move_to_end(block)
            return self._blocks[block]
        if self.replay is None:
            raise RuntimeError("losses dropped from memory and no way to recompute them")
        begin = block * BLOCK
        end = min(begin + BLOCK, self.length)
        values = np.empty(BLOCK, self.dtype)
        values[: end - begin] = self.replay(self.start + begin, self.start + end)
        self._blocks[block] = values
        self._drop_beyond_budget(keep=block)
        return values

    def kept(self, begin: int, end: int) -> bool:
        """Whether the exact losses of iterations ``begin`` … ``end`` − 1 are all in memory
        (reading them then costs no replay)."""
        first, last = max(begin, self.start) - self.start, min(end, self.stop) - self.start
        return last <= first or all(
            block in self._blocks for block in range(first // BLOCK, (last - 1) // BLOCK + 1))

    def needs_replay(self, begin: int, end: int, bins: int) -> bool:
        """Whether ``envelope(begin, end, bins)`` would recompute dropped losses."""
        span = min(end, self.stop) - max(begin, self.start)
        return span <= max(EXACT_SPAN, 2 * bins + 1) and not self.kept(begin, end)

    def values(self, begin: int | None = None, end: int | None = None) -> np.ndarray:
        """The exact losses of iterations ``begin`` … ``end`` − 1 (default: all), recomputed
        where they were dropped. A new array."""
        begin = self.start if begin is None else max(begin, self.start)
        end = self.stop if end is None else min(end, self.stop)
        if end <= begin:
            return np.empty(0, self.dtype)
        out = np.empty(end - begin, self.dtype)
        first, last = begin - self.start, end - self.start
        for block in range(first // BLOCK, (last - 1) // BLOCK + 1):
            values = self._load(block)
            low, high = max(first, block * BLOCK), min(last, (block + 1) * BLOCK)
            out[low - first: high - first] = values[low - block * BLOCK: high - block * BLOCK]
        return out

    def __getitem__(self, iteration: int) -> float:
        if not self.start <= iteration < self.stop:
            raise IndexError(f"no loss recorded for iteration {iteration}")
        return float(self.values(iteration, iteration + 1)[0])

    @property
    def last(self) -> float | None:
        return self[self.stop - 1] if self.length else None

    def envelope(self, begin: int, end: int, bins: int) -> tuple[np.ndarray, np.ndarray]:
        """Points (x, y) that draw like the losses of iterations ``begin`` … ``end`` − 1: at
        most about 2·bins of them, each bin's minimum and maximum, the last point exact."""
        begin, end = max(begin, self.start), min(end, self.stop)
        if end <= begin:
            return np.empty(0), np.empty(0)
        if end - begin <= max(EXACT_SPAN, 2 * bins + 1):
            x = np.arange(begin, end, dtype=float)
            return bin_extremes(x, self.values(begin, end), bins)
        # long spans: the kept minimum and maximum of every bucket the span touches (a bin
        # of a wide plot holds thousands of iterations: a bucket's 64 at its edges are the
        # same pixel), and the newest iterations, which no bucket holds yet, exactly
        first = (begin - self.start) // BUCKET
        last = min(-(-(end - self.start) // BUCKET), self._low.length)
        low = self._low.values[first:last]
        high = self._high.values[first:last]
        middle = self.start + (first + np.arange(last - first)) * BUCKET + BUCKET // 2
        covered = self.start + last * BUCKET
        if end > covered:
            newest = self.values(covered, end)  # in the newest block: always in memory
            low = np.append(low, newest.min())
            high = np.append(high, newest.max())
            middle = np.append(middle, (covered + end - 1) // 2)
        x, low, high = bin_extremes(middle.astype(float), np.stack([low, high], axis=1),
                                    bins, pairs=True)
        final = end - 1
        return (np.append(np.repeat(x, 2), float(final)),
                np.append(np.stack([low, high], axis=1).reshape(-1), self[final]))

    def extremes(self) -> tuple[float, float] | None:
        """The smallest and largest loss recorded (for a plot's range), without replaying."""
        if not self.length:
            return None
        low = [self._low.values.min()] if self._low.length else []
        high = [self._high.values.max()] if self._high.length else []
        tail_block = (self.length - 1) // BLOCK
        tail = self._blocks.get(tail_block)
        if tail is not None:  # the newest block holds the iterations no bucket covers yet
            covered = self._low.length * BUCKET - tail_block * BLOCK
            part = tail[max(0, covered): self.length - tail_block * BLOCK]
            if len(part):
                low.append(part.min())
                high.append(part.max())
        return float(min(low)), float(max(high))

    @property
    def nbytes(self) -> int:
        return (len(self._blocks) * BLOCK * self.dtype.itemsize + self._low.buffer.nbytes
                + self._high.buffer.nbytes)


def bin_extremes(x: np.ndarray, y: np.ndarray, bins: int, pairs: bool = False):
    """Points that draw like (x, y) (x ascending): for more than 2·bins + 1 points, the
    minimum and maximum of each of ``bins`` runs of consecutive points — every point in
    one of them, so every peak survives — at the run's middle x, and the last point
    exactly; fewer points are returned as they are. ``y`` may have one column per curve.

    With ``pairs``, ``y`` holds (low, high) pairs already (one row per point) and the
    result is (x, low, high) per run, with no last point added."""
    count = len(x)
    if count <= 2 * bins + (0 if pairs else 1):
        if pairs:
            return x, y[:, 0], y[:, 1]
        return x, y
    starts = (np.arange(bins) * count) // bins
    stops = np.append(starts[1:], count)
    middles = x[(starts + stops - 1) // 2]
    if pairs:
        return (middles, np.minimum.reduceat(y[:, 0], starts),
                np.maximum.reduceat(y[:, 1], starts))
    low, high = np.minimum.reduceat(y, starts, axis=0), np.maximum.reduceat(y, starts, axis=0)
    ys = np.stack([low, high], axis=1).reshape(2 * bins, *y.shape[1:])
    return np.append(np.repeat(middles, 2), x[-1]), np.concatenate([ys, y[-1:]])
