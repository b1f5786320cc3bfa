"""Exact rewind, mixed into :class:`engine.core.stepper.Stepper`: seek to the start of any
recorded iteration, step back, restart, go to any position, take an edit back, replay the
tape forward, and recompute a dropped stretch of the loss log.

A rewind restores the latest checkpoint at or before the target and replays to it with the
same kernels, applying the recorded edits at their positions (phase by phase in an
iteration edited mid-way, the fast path elsewhere), so the state reached is bit-identical
to the one first computed. The live state is what the history recorded, so dragging a
timeline forward replays only the gap.

The history is a tape: from a rewound position, stepping and running go forward along it —
the same replay, the recorded edits applied where they were made, nothing recorded again and
nothing discarded — and record afresh only past its end (the head). Only an edit forks it.
"""

from __future__ import annotations

import numpy as np

# a non-finite value is checked for and named by the stepper, not warned about by numpy
QUIET = {"over": "ignore", "under": "ignore", "invalid": "ignore", "divide": "ignore"}


class Rewinding:
    """The stepper's rewinding half; it uses the stepper's history, position and phases."""

    def seek(self, iteration: int) -> None:
        """Go to the start of ``iteration`` (start_iteration … head_iteration),
        bit-identically."""
        first = self.history.start
        if not first <= iteration <= self.head_iteration:
            raise ValueError(f"iteration {iteration} is outside {first} … {self.head_iteration}")
        with np.errstate(**QUIET):
            self._rewind_to(iteration, from_here=True)

    def step_back(self) -> None:
        """Back to the start of this iteration, or of the previous one at a boundary."""
        target = self.iteration if self.phase > 0 else self.iteration - 1
        if target < self.history.start:
            raise ValueError(f"already at the start of iteration {self.history.start}"
                             + (" (where the saved run continued)" if self.history.start
                                else ""))
        self.seek(target)

    def restart(self) -> None:
        """Back to the first iteration (0, or where a saved run continued): the parameters
        there (with the edits made there)."""
        self.seek(self.history.start)

    def go_to(self, iteration: int, phase: int = 0) -> None:
        """To position (``iteration``, ``phase``), from ``start_iteration`` on: along the
        tape as far as it reaches (bit-identical), computing and recording on from its end.
        Raises NonFiniteError where a phase beyond the end of the tape makes inf/NaN."""
        target = (iteration, phase)
        if target < (self.history.start, 0) or not 0 <= phase < len(self.phases):
            raise ValueError(f"position ({iteration}, {phase}) is outside the history")
        if target < (self.iteration, self.phase) or self.fault is not None:
            self.seek(min(iteration, self.head_iteration))
        if self.iteration < iteration and self.phase != 0:
            self.step_iteration()
        if self.iteration < iteration:
            self.run(iteration - self.iteration)
        while self.phase < phase:
            self.step_phase()

    def undo_edit(self, event) -> None:
        """Take back ``event``, an edit the history holds (what ``set_values``, ``set_theta``
        and ``set_config`` return): back to the position where it was made, as it was just
        before it, with the rest of the tape — the edit, any made after it there, the
        iterations after — discarded. ValueError when the history no longer holds it (an
        edit made before it has replaced what followed)."""
        history = self.history
        index = next((i for i, e in enumerate(history.events) if e is event), None)
        if index is None:
            raise ValueError("that edit is no longer in the history: an edit made before it "
                             "replaced what followed")
        iteration, phase = event.position
        # the events are in the order made, and an edit discards those after its position:
        # the ones after this one are at its position or later
        history.truncate(iteration, phase, self.loss_phase_index)
        del history.events[index:]
        self._head = event.position
        with np.errstate(**QUIET):
            self._rewind_to(iteration)  # from a checkpoint: the live state may hold the edit
            while self.phase < phase:
                self._tape_phase()
        if phase == 0:
            self.trace = None

    # ------------------------------------------------------------------ the tape
    def _tape_phase(self):
        """The next phase: along the tape while rewound (nothing recorded again; the edits
        recorded at the position reached are applied, as when it was first reached),
        computed and recorded past its end."""
        replaying = (self.iteration, self.phase) < self._head
        phase = self._do_phase(record=not replaying)
        if replaying:
            self._apply_events_at(self.iteration, self.phase)
        return phase

    def _to_boundary(self) -> int:
        """Phase by phase to the start of the next iteration (a whole one from a boundary);
        returns 1, the iterations finished."""
        self._tape_phase()
        while self.phase != 0:
            self._tape_phase()
        return 1

    def _replay_iterations(self, count: int) -> int:
        """Up to ``count`` whole iterations along the tape from a boundary, never past the
        last iteration it holds whole; returns how many."""
        t = self.iteration
        target = min(t + count, self._head[0])
        if target <= t:
            return 0
        self._replay(t, target)
        return target - t

    def _apply_events_at(self, iteration: int, phase: int) -> None:
        for event in self.history.events:
            if event.iteration == iteration and event.phase == phase:
                self._apply_event(event)

    def _rewind_to(self, target: int, from_here: bool = False) -> None:
        """Restore the latest checkpoint at or before ``target`` and replay to it; with
        ``from_here`` (a public seek, so the live state is one the history recorded) go on
        from the current state instead when it lies between the two."""
        history = self.history
        base, checkpoint, apply_first = history.base_for(target)
        if (from_here and self.phase == 0 and self.fault is None
                and base <= self.iteration <= target):
            # forward along the recorded line from a state on it (the start of an iteration,
            # its edits applied, as a checkpoint there would hold): going on from here is
            # the same replay, shorter — a timeline dragged forward replays only the gap
            base = self.iteration
            self.trace = None
        else:
            self._restore(checkpoint)
            self.iteration, self.phase, self.trace, self.fault = base, 0, None, None
            if apply_first:
                self._apply_boundary_events(base)
        self._replay(base, target)
        self.trace = None

    def _replay(self, t: int, target: int, losses: np.ndarray | None = None) -> None:
        """From the start of iteration ``t`` (its boundary edits applied) to the start of
        ``target``, applying the recorded edits at their positions; ``losses``, when given,
        receives the loss of each iteration replayed (losses[0] is t's)."""
        history, first = self.history, t
        event_iterations = sorted({e.iteration for e in history.events if t < e.iteration})
        while t < target:
            if history.has_mid_iteration_events(t):
                mid = [e for e in history.events if e.iteration == t and e.phase > 0]
                while True:
                    for event in mid:
                        if event.phase == self.phase:
                            self._apply_event(event)
                    self._do_phase(record=False)
                    if self.phase == 0:
                        break
                if losses is not None:
                    losses[t - first] = self.trace.loss
                t += 1
            else:
                later = [u for u in event_iterations if t < u <= target]
                stop = later[0] if later else target
                self._fast(stop - t, record=False,
                           losses=None if losses is None else losses[t - first: stop - first])
                t = stop
            self._apply_boundary_events(t)

    def _replay_losses(self, begin: int, end: int) -> np.ndarray:
        """The losses of iterations ``begin`` … ``end`` − 1, recomputed from the checkpoints
        (bit-identical to those first recorded) for a loss log that dropped them. The live
        state — parameters, optimiser, settings, position, trace — is left as it was."""
        saved = (self.network.theta.copy(), self.optimizer, self.optimizer.get_state(),
                 self.config, self.loss, self.iteration, self.phase, self.trace, self.fault,
                 self._gradient, self._gradient_weights, self._gradient_biases)
        # the last iteration's gradient, which breakpoints read (last_gradient), is in the
        # fast path's buffer that the replay reuses
        fast_gradient = self._fast_gradient.copy()
        losses = np.empty(end - begin)
        try:
            with np.errstate(**QUIET):
                self._rewind_to(begin)
                self._replay(begin, end, losses)
        finally:
            (theta, self.optimizer, state, self.config, self.loss, self.iteration, self.phase,
             self.trace, self.fault, self._gradient, self._gradient_weights,
             self._gradient_biases) = saved
            if self.network.theta.dtype != theta.dtype:  # the replay crossed a dtype change
                self._use_dtype(theta.dtype)
            self.network.theta[...] = theta
            self.optimizer.set_state(state)
            self._fast_gradient[...] = fast_gradient
        return losses

    def _apply_boundary_events(self, iteration: int) -> None:
        self._apply_events_at(iteration, 0)
