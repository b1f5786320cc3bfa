"""The stepper's fast path, mixed into :class:`engine.core.stepper.Stepper`: whole iterations
with the same kernels as the phase path but no per-phase bookkeeping, for runs and replays.

It checks the pre-activations of the layers that turn n = ±inf into a finite a (sigmoid,
tanh, relu, softmax: ``Activation.hides_infinity``), the loss and the parameters every
iteration — any other non-finite intermediate reaches one of those — and when one is
non-finite it rewinds to that iteration and replays it phase by phase, so the error it
raises is the same one stepping would have given.
"""

from __future__ import annotations

import math

import numpy as np

from .backprop import forward_layer, hidden_dcost_da, layer_delta, layer_gradients

_add = np.add.reduce


def all_finite(array: np.ndarray) -> bool:
    """Whether every entry of ``array`` is finite: its sum is (inf and NaN carry into a
    sum), and only a sum that overflows from finite entries is checked entry by entry (a
    fifth of np.isfinite(x).all()'s cost on the seeds' arrays, where it is paid every
    iteration)."""
    return math.isfinite(_add(array, axis=None)) or bool(np.isfinite(array).all())


def all_finite_in(arrays: list[np.ndarray]) -> bool:
    """``all_finite`` of several arrays, one sum for them all."""
    total = 0.0
    for array in arrays:
        total += _add(array, axis=None)
    return math.isfinite(total) or all(bool(np.isfinite(array).all()) for array in arrays)


class FastPath:
    """The stepper's fast half; it uses the stepper's network, history, optimiser and
    position."""

    def _adapt_checkpoints(self, count: int, seconds: float) -> None:
        if self.seek_seconds is None or count < 4 or seconds <= 0:
            return
        affordable = self.seek_seconds * count / seconds  # iterations one seek may replay
        stride = 2 ** int(math.floor(math.log2(max(1.0, affordable))))
        history = self.history
        history.checkpoint_stride = max(history.checkpoint_floor,
                                        min(stride, self._max_checkpoint_stride))

    def _fast(self, count: int, record: bool, losses: np.ndarray | None = None) -> int:
        """``count`` whole iterations; ``losses``, when given, receives each one's loss."""
        network, L = self.network, self.network.layer_count
        weights, activations = network.weights, network.activations
        biases = network.biases if network.bias else [None] * L
        theta, history = network.theta, self.history
        gradient = self._fast_gradient
        gradient_weights, gradient_biases = self._fast_views
        pre = [None] * (L + 1)
        post = [None] * (L + 1)
        full_batch = self.config.effective_batch_size(len(self.inputs)) >= len(self.inputs)
        saturating = [l for l in range(1, L + 1) if activations[l - 1].hides_infinity]
        x, y = self._inputs, self._targets  # in the run's dtype
        for done in range(count):
            t = self.iteration
            if record and (
                t % history.parameter_stride == 0 or t % history.checkpoint_stride == 0
            ):
                history.record_start(t, self._capture)
            if not full_batch:
                _, x, y = self._batch(t)
            a = post[0] = x
            for l in range(1, L + 1):
                pre[l], a = forward_layer(weights[l - 1], biases[l - 1], activations[l - 1], a)
                post[l] = a
            # sigmoid, tanh, relu, softmax map an infinite n to a finite a: the loss and θ
            # would not show it
            if saturating and not all_finite_in([pre[l] for l in saturating]):
                return done + self._locate_fault(t, record)
            value = self.loss.value(pre[L], a, y)
            if not math.isfinite(value):
                return done + self._locate_fault(t, record)
            dcost_da = self.loss.gradient(a, y)
            delta = dcost_da  # replaced by δ^L before it is read
            for l in range(L, 0, -1):
                if l < L:
                    dcost_da = hidden_dcost_da(weights[l], delta)
                delta = layer_delta(activations[l - 1], self.loss if l == L else None,
                                    pre[l], post[l], dcost_da, y)[1]
                layer_gradients(post[l - 1], delta, gradient_weights[l - 1],
                                gradient_biases[l - 1])
            self.optimizer.update(theta, gradient)
            if not all_finite(theta):
                return done + self._locate_fault(t, record)
            if record:
                history.record_loss(t, value)
            if losses is not None:
                losses[done] = value
            self.iteration = t + 1
        self.trace = None
        return count

    def _locate_fault(self, iteration: int, record: bool) -> int:
        """The fast path saw inf/NaN in ``iteration``: replay it phase by phase to name it."""
        if record:  # a replay (seek) never moves the head
            self._head = (iteration, 0)
        self._rewind_to(iteration)
        while True:
            self._do_phase(record)  # raises NonFiniteError at the first bad phase
            if self.phase == 0:
                return 1
