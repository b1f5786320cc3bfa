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

_add = np.add.reduce
SMALL_SUM = 256  # up to this many numbers a Python sum of .tolist() beats np.add.reduce


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

    def _fast_plan(self) -> list[tuple]:
        """One tuple per layer l = 1 … L of what ``_fast`` reads every iteration, looked up
        once: W^{l−1}, b^{l−1} (None without biases), f, f′, whether f is elementwise, the
        layer's gradient views, and the output layer's closed δ (the matched loss pairs)."""
        network, loss = self.network, self.loss
        L = network.layer_count
        biases = network.biases if network.bias else [None] * L
        gradient_weights, gradient_biases = self._fast_views
        plan = []
        for l in range(1, L + 1):
            activation = network.activations[l - 1]
            closed = (loss.closed_delta if l == L and loss.closed_delta is not None
                      and loss.required_output == activation.name else None)
            plan.append((network.weights[l - 1], biases[l - 1], activation,
                         activation.apply, activation.derivative, activation.elementwise,
                         gradient_weights[l - 1], gradient_biases[l - 1], closed))
        return plan

    def _fast(self, count: int, record: bool, losses: np.ndarray | None = None) -> int:
        """``count`` whole iterations; ``losses``, when given, receives each one's loss.

        The same kernels as the phase path (engine.core.backprop), written out inline with
        the same numpy operations in the same order, so that both give bit-identical
        numbers: on the seeds' tiny networks a Python call costs as much as the arithmetic.
        What the iteration does not show is skipped: ∂C/∂a^L and ∂a/∂n of the output layer
        when its δ has a closed form. One finiteness test at the iteration's end covers the
        saturating layers' n, the loss and θ (any non-finite intermediate reaches one of
        them); a fault found there is replayed phase by phase, which names it."""
        network, L = self.network, self.network.layer_count
        theta, history = network.theta, self.history
        gradient = self._fast_gradient
        plan = self._fast_plan()
        pre = [None] * (L + 1)
        post = [None] * (L + 1)
        full_batch = self.config.effective_batch_size(len(self.inputs)) >= len(self.inputs)
        saturating = [l for l in range(1, L + 1) if plan[l - 1][2].hides_infinity]
        loss_value, loss_gradient = self.loss.value, self.loss.gradient
        update = self.optimizer.update
        backward = list(enumerate(plan, start=1))[::-1]  # (l, layer) for l = L … 1
        x, y = self._inputs, self._targets  # in the run's dtype
        # inf and NaN carry into a sum of any kind; one that overflows from finite numbers
        # is looked at entry by entry (_all_finite)
        small = theta.size + len(x) * max(network.sizes[1:]) <= SMALL_SUM
        for done in range(count):
            t = self.iteration
            if record and (
                t % history.parameter_stride == 0 or t % history.checkpoint_stride == 0
            ):
                history.record_start(t, self._capture)
            if not full_batch:
                _, x, y = self._batch(t)
            # forward: n^l = a^{l−1} W^{l−1} + b^{l−1};  a^l = f(n^l)
            a = post[0] = x
            l = 1
            for weights, biases, _, apply, *_ in plan:
                n = a @ weights
                if biases is not None:
                    n += biases
                pre[l] = n
                post[l] = a = apply(n)
                l += 1
            value = loss_value(n, a, y)
            # backward: δ^l, then ∂C/∂W^{l−1} = (a^{l−1})ᵀ δ^l and ∂C/∂b^{l−1} = Σ_o δ^l
            delta = next_weights = None
            for l, (weights, _, activation, _, derivative, elementwise, gradient_weights,
                    gradient_biases, closed) in backward:
                n, a = pre[l], post[l]
                if closed is not None:  # the output layer's δ in closed form
                    delta = closed(a, y)
                else:
                    dcost_da = loss_gradient(a, y) if delta is None else delta @ next_weights.T
                    da_dn = derivative(n, a)
                    delta = (dcost_da * da_dn if elementwise
                             else activation.backward(dcost_da, da_dn, a))
                np.matmul(post[l - 1].T, delta, out=gradient_weights)
                if gradient_biases is not None:
                    _add(delta, axis=0, out=gradient_biases)
                next_weights = weights
            update(theta, gradient)
            # sigmoid, tanh, relu, softmax map an infinite n to a finite a: the loss and θ
            # would not show it
            if small:  # a Python sum of a few numbers costs half of np.add.reduce's call
                total = value + sum(theta.tolist())
                for l in saturating:
                    total += sum(pre[l].ravel().tolist())
            else:
                total = value + _add(theta, axis=None)
                for l in saturating:
                    total += _add(pre[l], axis=None)
            # the update puts frozen parameters back: their gradient would not reach θ
            frozen = self.optimizer.frozen
            if frozen is not None:
                total += _add(gradient[frozen], axis=None)
            if not math.isfinite(total) and not self._all_finite(value, theta, pre, saturating,
                                                                 gradient, frozen):
                return done + self._locate_fault(t, record)
            if record:
                history.record_loss(t, value)
            if losses is not None:
                losses[done] = value
            self.iteration = t + 1
        self.trace = None
        return count

    @staticmethod
    def _all_finite(value: float, theta: np.ndarray, pre: list, saturating: list,
                    gradient: np.ndarray, frozen: np.ndarray | None) -> bool:
        """Entry by entry, for when the one sum overflowed from finite numbers."""
        return (math.isfinite(value) and bool(np.isfinite(theta).all())
                and all(bool(np.isfinite(pre[l]).all()) for l in saturating)
                and (frozen is None or bool(np.isfinite(gradient[frozen]).all())))

    def _locate_fault(self, iteration: int, record: bool) -> int:
        """The fast path saw inf/NaN in ``iteration``: replay it phase by phase to name it."""
        if record:  # a replay (seek) never moves the head
            self._head = (iteration, 0)
        self._rewind_to(iteration)
        while True:
            self._do_phase(record)  # raises NonFiniteError at the first bad phase
            if self.phase == 0:
                return 1
