"""The controller's run loop: what each tick of its run timer does (a part of LabController,
kept apart by concept; gui/controller.py owns the timer, starts and pauses it).

At full speed a tick runs a chunk of whole iterations sized by time (gui/pacing.py's
ChunkSizing); at a chosen speed it does what the Pace says is due, one iteration or one phase
when each is to be seen (the scheduler draws it before the next tick), and spaces the ticks
to the speed. After every step the breakpoints are asked about the iteration just finished,
so a run stops where one fires, at any speed.
"""

from __future__ import annotations

import time

from .pacing import BATCH_TICK_SECONDS

SLICES = 4  # a chunk runs in up to this many slices, the clock read between them


class RunLoop:
    """Mixed into LabController: uses its stepper, breakpoints, run timer, pace, chunk
    sizing, ``_guarded``, ``pause`` and ``breakpoint_hit``."""

    _stopped = False  # a breakpoint said stop during this tick

    def _run_chunk(self) -> None:
        self._stopped = False
        until = self._until() if self.breakpoints.active else None
        if self.pace.full:
            self._run_full(until)
            return
        count = self.pace.steps_now(time.perf_counter())
        if count:
            if self.pace.phases:
                if not self._guarded(self.stepper.step_phase):
                    return
                if self.stepper.phase == 0 and not self._ran(1, until):
                    return
            else:
                count = count if self._remaining is None else min(count, self._remaining)
                done = self._run_for(count, until, BATCH_TICK_SECONDS)
                if done is None or not self._ran(done, until):
                    return
                self.pace.give_back(count - done)
        # each step was drawn as it came (shows_each_step): the wait counts from now
        wait = self.pace.wait_after(time.perf_counter(), len(self.stepper.phases))
        self._run_timer.setInterval(round(1000 * wait))

    def _run_full(self, until) -> None:
        sizing = self.chunk_sizing
        started = time.perf_counter()
        done = self._run_for(sizing.count(self._remaining), until, sizing.chunk_seconds)
        if done is not None:
            now = time.perf_counter()
            sizing.measured(done, started, now - started, now)
            self._ran(done, until)

    def _run_for(self, count: int, until, seconds: float) -> int | None:
        """Up to ``count`` whole iterations in slices of about 1/SLICES of ``seconds``
        each, the clock read between them: the run stops after the slice that passes
        ``seconds`` (iterations can suddenly cost far more than the last ones did: the
        machine busy, BLAS's threads waiting for a processor), so that input still waits
        little; or where a breakpoint fires. Returns how many ran, None when a fault
        stopped the run."""
        stepper, sizing = self.stepper, self.chunk_sizing
        started = time.perf_counter()
        deadline = started + seconds
        # a slice: a share of the time by the last measured cost of an iteration
        size = max(1, min(count, int(seconds / SLICES / sizing.iteration_seconds)))
        done = 0
        while done < count:
            before, n = stepper.iteration, min(size, count - done)
            sliced = time.perf_counter()
            if not self._guarded(lambda n=n: stepper.run(n, until=until)):
                return None
            now = time.perf_counter()
            ran = stepper.iteration - before
            sizing.iteration_cost(ran, now - sliced)
            done += ran
            if not ran or self._stopped or now >= deadline:
                break
        return done

    def _until(self):
        """The breakpoints' question for ``Stepper.run``, noting whether it said stop."""
        def until(stepper) -> bool:
            self._stopped = self._stopped or self.breakpoints.until(stepper)
            return self._stopped
        return until

    def _ran(self, count: int, until) -> bool:
        """After ``count`` whole iterations of a run: pause where a breakpoint fired (the
        last iteration is asked about now, not at the next tick) or at the end of a run of
        N. Returns whether the run goes on."""
        if until is not None and not self._stopped:
            until(self.stepper)
        if until is not None and self._stopped:
            hit = self.breakpoints.hit
            self.breakpoints.hit = None
            self.pause()
            self.breakpoint_hit.emit(hit)
            return False
        if self._remaining is not None:
            self._remaining -= count
            if self._remaining <= 0:
                self.pause()
                return False
        return True
