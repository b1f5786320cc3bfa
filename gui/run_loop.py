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


class RunLoop:
    """Mixed into LabController: uses its stepper, breakpoints, run timer, pace, chunk
    sizing, ``_guarded``, ``pause`` and ``breakpoint_hit``."""

    _stopped = False  # a breakpoint said stop during this tick

    def _run_chunk(self) -> None:
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
                if not self._guarded(lambda: self.stepper.run(count, until=until)):
                    return
                if not self._ran(count, until):
                    return
        # each step was drawn as it came (shows_each_step): the wait counts from now
        wait = self.pace.wait_after(time.perf_counter(), len(self.stepper.phases))
        self._run_timer.setInterval(round(1000 * wait))

    def _run_full(self, until) -> None:
        sizing = self.chunk_sizing
        count = sizing.count(self._remaining)
        started = time.perf_counter()
        ok = self._guarded(lambda: self.stepper.run(count, until=until))
        elapsed = time.perf_counter() - started
        if ok:
            sizing.measured(count, started, elapsed, time.perf_counter())
            self._ran(count, until)

    def _until(self):
        """The breakpoints' question for ``Stepper.run``, noting whether it said stop."""
        self._stopped = False

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
