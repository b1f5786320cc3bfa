"""Exact rewind, mixed into :class:`engine.core.stepper.Stepper`: seek to the start of any
recorded iteration, step back, restart, and recompute a dropped stretch of the loss log.

A rewind restores the latest checkpoint at or before the target and replays to it with the
same kernels, applying the recorded edits at their positions (phase by phase in an
iteration edited mid-way, the fast path elsewhere), so the state reached is bit-identical
to the one first computed. The live state is what the history recorded, so dragging a
timeline forward replays only the gap.
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
            self.network.theta[...] = theta
            self.optimizer.set_state(state)
            self._fast_gradient[...] = fast_gradient
        return losses

    def _apply_boundary_events(self, iteration: int) -> None:
        for event in self.history.events:
            if event.iteration == iteration and event.phase == 0:
                self._apply_event(event)
