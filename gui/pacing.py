"""How fast a run goes (issue 14, point 11): the learner's chosen speed, and at each tick of
the controller's run timer how much to do and when to come back. No Qt: plain arithmetic on
the clock the controller passes in.

Three ways to run:

- **full** (no speed, whole iterations): as fast as the machine goes; the controller sizes
  its chunks by time (``ChunkSizing`` below, gui/run_loop.py);
- **one step at a time** (a speed up to ``EACH_SHOWN_UP_TO`` iterations a second, or phase
  by phase at any speed): each tick does one iteration, or one phase, and the scheduler
  draws it before the next (``shows_each_step``); the ticks are spaced to the speed, and a
  step whose drawing took longer than the speed allows is not made up by a burst after it
  (the drawing sets the pace: nothing is skipped);
- **batched** (faster, up to ``MAX_PER_SECOND``): a tick every ``BATCH_TICK_SECONDS`` does
  the iterations due by then; the views follow at their usual rate.

Phase by phase, the speed still counts iterations a second: one iteration's 2L + 2 phases
share the time of one iteration; at full speed the phases go as fast as they are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_PER_SECOND = 999  # the highest speed that is not "full"
EACH_SHOWN_UP_TO = 40  # iterations a second: up to here each one is drawn (the frame rate)
BATCH_TICK_SECONDS = 0.02  # faster paced runs do the iterations due every 20 ms …
CATCH_UP_SECONDS = 0.1  # … and a stall (a slow redraw, a dialog) is made up only this far


@dataclass
class Pace:
    """``per_second``: iterations a second, 1 … MAX_PER_SECOND (None: full speed);
    ``phases``: one phase at a time (the graph tints each layer in turn)."""

    per_second: int | None = None
    phases: bool = False
    _due: float = field(default=0.0, repr=False)  # one step at a time: the next step's time
    _last: float = field(default=0.0, repr=False)  # batched: the last tick
    _credit: float = field(default=0.0, repr=False)  # batched: iterations owed

    def __post_init__(self) -> None:
        if self.per_second is not None:
            if isinstance(self.per_second, bool) or not isinstance(self.per_second, int):
                raise ValueError(f"run speed: {self.per_second!r} is not a whole number")
            if not 1 <= self.per_second <= MAX_PER_SECOND:
                raise ValueError(f"run speed: {self.per_second} iterations a second is not "
                                 f"between 1 and {MAX_PER_SECOND} (or full)")
        self.phases = bool(self.phases)

    @property
    def full(self) -> bool:
        """Whole iterations as fast as the machine goes."""
        return self.per_second is None and not self.phases

    @property
    def each_shown(self) -> bool:
        """One iteration (or phase) a tick, each drawn before the next."""
        return self.phases or (self.per_second is not None
                               and self.per_second <= EACH_SHOWN_UP_TO)

    def describe(self) -> str:
        speed = "full speed" if self.per_second is None else (
            f"{self.per_second} iteration{'' if self.per_second == 1 else 's'} a second")
        return f"{speed}, phase by phase" if self.phases else speed

    def start(self, now: float) -> None:
        """A run starts (or the speed changed while running): the first step at once."""
        self._due = self._last = now
        self._credit = 1.0

    def steps_now(self, now: float) -> int:
        """How many steps this tick does: one at a time, 1; batched, the iterations due
        (0 when none is due yet)."""
        if self.each_shown:
            return 1
        self._credit = min(self._credit + (now - self._last) * self.per_second,
                           1 + self.per_second * CATCH_UP_SECONDS)
        self._last = now
        count = int(self._credit)
        self._credit -= count
        return count

    def give_back(self, count: int) -> None:
        """Batched: ``count`` of the iterations due did not fit in the tick; owed still."""
        self._credit += max(0, count)

    def wait_after(self, now: float, phases_per_iteration: int) -> float:
        """Seconds from ``now`` (this tick's steps done and drawn) to the next tick."""
        if not self.each_shown:
            return BATCH_TICK_SECONDS
        if self.per_second is None:  # phase by phase at full speed: as fast as drawn
            return 0.0
        steps = self.per_second * (phases_per_iteration if self.phases else 1)
        self._due = max(self._due + 1.0 / steps, now)
        return self._due - now


# full speed: chunks sized by time
CHUNK_SECONDS = 0.012
MAX_CHUNK_SECONDS = 0.045  # with a redraw of as long, input waits < 100 ms
MAX_CHUNK = 100_000
FRAME_SECONDS = 0.045  # a chunk and a redraw: over 20 redraws a second while running


class ChunkSizing:
    """At full speed, how many iterations the next chunk runs.

    Each chunk aims at as long as the rest of the event loop took since the last one
    (redraws, input), so training gets about half the time, but short enough that a chunk and
    a redraw fit in FRAME_SECONDS (heavy redraws of large networks: the window stays fluid and
    training gets less), within CHUNK_SECONDS … MAX_CHUNK_SECONDS so that pause stays
    prompt."""

    def __init__(self) -> None:
        self.chunk = 16
        self.chunk_seconds = CHUNK_SECONDS
        self._others_seconds = CHUNK_SECONDS
        self._last_end: float | None = None
        self.iteration_seconds = 1e-4  # what an iteration took lately (a running estimate)

    def restart(self) -> None:
        """A run starts: what happened before it is not the run's event loop."""
        self._last_end = None

    def count(self, remaining: int | None) -> int:
        return self.chunk if remaining is None else min(self.chunk, remaining)

    def iteration_cost(self, count: int, elapsed: float) -> None:
        """``count`` iterations took ``elapsed`` seconds: a slower one counts at once, a
        faster one gradually."""
        if count > 0:
            each = elapsed / count
            self.iteration_seconds = max(each, 0.7 * self.iteration_seconds + 0.3 * each)

    def measured(self, count: int, started: float, elapsed: float, now: float) -> None:
        """``count`` iterations ran from ``started`` for ``elapsed`` seconds; ``now`` is
        when the chunk's work ended."""
        if self._last_end is not None:
            others = started - self._last_end
            self._others_seconds = 0.8 * self._others_seconds + 0.2 * others
            self.chunk_seconds = min(MAX_CHUNK_SECONDS, max(CHUNK_SECONDS, min(
                self._others_seconds, FRAME_SECONDS - self._others_seconds)))
        self._last_end = now
        scale = self.chunk_seconds / max(elapsed, 1e-6)
        self.chunk = int(min(MAX_CHUNK, max(1, count * min(2.0, max(0.5, scale)))))
