"""The stepper: one phase or one iteration at a time, like a debugger, with history and
exact rewind.

One iteration of a network with L non-input layers is 2L + 2 phases:
    forward 1 … forward L, loss, backward L … backward 1, update.
A position is (iteration, phases done in it); ``phase == 0`` is the boundary between
iterations. After each phase its results are in ``trace`` and checked: the first
non-finite value raises :class:`NonFiniteError` naming the iteration, phase, layer and
quantity, and the stepper stays before that phase (an update that would make the
parameters non-finite is not applied). Stepping again retries the same phase.

``run`` takes the fast path (engine.core.fast_path): the same kernels without per-phase
bookkeeping, raising the same error stepping would have given.

The history is a tape. Stepping or running from a rewound position replays the recorded
future — the same kernels, the recorded edits applied where they were made, bit for bit —
and discards nothing; only an edit (``set_values``, ``set_theta``, ``set_config``) made
before the end of the tape discards what follows it. Seeking, stepping back, restarting,
replaying and taking an edit back (exact rewind by checkpoint and replay) are in
engine.core.rewind; what data and settings a network can train with, in
engine.core.validation.

``training.dtype`` (engine.core.precision) says what every phase computes in: float64, or
float32 as PyTorch. The network's parameters, the working copy of the data (``inputs`` and
``targets`` keep the numbers as given), the trace, the gradients, the optimiser's vectors
and the history are in it; changing it is an edit like any other setting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from .backprop import Trace, adopt_phase, compute_phase
from .fast_path import FastPath
from .history import Checkpoint, Event, History
from .limits import MAX_OBSERVATIONS, check_memory
from .losses import get_loss
from .network import Network, ParameterAddress
from .optimizers import (
    STATE_VECTORS,
    TrainingConfig,
    batch_indices,
    frozen_indices,
    make_optimizer,
)
from .phases import NonFiniteError, Phase, Quantity, first_non_finite, phases_of
from .precision import check_fits, largest
from .rewind import QUIET, Rewinding
from .validation import validate_data, validate_training

__all__ = ["MAX_OBSERVATIONS", "NonFiniteError", "Stepper"]

PROBE_ITERATIONS = 4  # timed at the start of a run to space its checkpoints (fast_path)


class Stepper(Rewinding, FastPath):
    def __init__(
        self,
        network: Network,
        inputs,
        targets,
        config: TrainingConfig | None = None,
        *,
        start_iteration: int = 0,
        optimizer_state: dict[str, np.ndarray] | None = None,
        parameter_stride: int = 1,
        checkpoint_stride: int = 256,
        seek_seconds: float | None = None,
    ) -> None:
        """``start_iteration`` and ``optimizer_state`` continue a run saved in a file: the
        next iteration is number ``start_iteration`` (its mini-batch follows from it) and the
        optimiser goes on from that state (momentum's velocity, Adam's moments and step).

        ``seek_seconds``: when given, ``run`` times the iterations and lowers the checkpoint
        stride (powers of two, at most ``checkpoint_stride``) so that a seek replays for
        about that long at most: a timeline scrubbed across a slow network stays fluid.
        Results never depend on it: a replay from any checkpoint is bit-identical."""
        self.seek_seconds = seek_seconds
        self._max_checkpoint_stride = checkpoint_stride
        self.network = network
        self.inputs = np.array(inputs, dtype=float)
        self.targets = np.array(targets, dtype=float)
        # a stepper's data never changes (another data set is another stepper): read-only, so
        # that views may keep what they made of it without comparing it again
        self.inputs.flags.writeable = self.targets.flags.writeable = False
        validate_data(network, self.inputs, self.targets)
        self.config = config or TrainingConfig()
        validate_training(network, self.config)
        self.loss = get_loss(self.config.loss)
        self.optimizer = make_optimizer(self.config, network.theta.size,
                                        frozen_indices(network, self.config))
        self.validate_config(self.config)  # and the memory it all needs
        if optimizer_state is not None:
            self.optimizer.set_state(optimizer_state)
        if isinstance(start_iteration, bool) or not 0 <= int(start_iteration) == start_iteration:
            raise ValueError(f"state.iteration: a whole number ≥ 0, not {start_iteration!r}")
        self.phases = phases_of(network.layer_count)
        self.iteration = int(start_iteration)
        self.phase = 0
        self.trace: Trace | None = None
        self.fault: NonFiniteError | None = None
        self._head = (self.iteration, 0)
        # the phase path's gradient belongs to the iteration's trace (made in _new_trace);
        # the fast path has one buffer of its own, every entry overwritten each iteration
        self._gradient: np.ndarray | None = None
        self._gradient_weights: list | None = None
        # evaluate()'s last pass at a boundary: (iteration, config, θ, trace); see _prepared_for
        self._prepared: tuple | None = None
        self._gradient_biases: list | None = None
        self.history: History | None = None
        self._use_dtype(self.config.numpy_dtype)  # the parameters, the data, the buffers
        self.history = History(
            self._capture(), self.iteration, parameter_stride=parameter_stride,
            checkpoint_stride=checkpoint_stride,
        )
        self.history.loss_log.replay = self._replay_losses

    # ---------------------------------------------------------------- position
    @property
    def next_phase(self) -> Phase:
        return self.phases[self.phase]

    @property
    def loss_phase_index(self) -> int:
        return self.network.layer_count

    @property
    def start_iteration(self) -> int:
        """The first iteration of this history: 0, or where a saved run continued from."""
        return self.history.start

    @property
    def head_iteration(self) -> int:
        """The furthest iteration reached; ``seek`` can go anywhere from
        ``start_iteration`` to here."""
        return self._head[0]

    @property
    def head_position(self) -> tuple[int, int]:
        """The furthest position reached: (iteration, phases done in it)."""
        return self._head

    @property
    def has_future(self) -> bool:
        """Rewound: stepping or running here replays the history after it; an edit here
        would discard it."""
        return (self.iteration, self.phase) < self._head

    # ------------------------------------------------------------------- state
    def _capture(self, theta_only: bool = False):
        if theta_only:  # a snapshot row: the history copies it into its own buffer
            return self.network.theta
        return Checkpoint(self.network.theta.copy(), self.optimizer.get_state(), self.config)

    def _restore(self, checkpoint: Checkpoint) -> None:
        self._apply_config(checkpoint.config, keep_state=False)  # its dtype first
        self.network.theta[...] = checkpoint.theta
        self.optimizer.set_state(checkpoint.optimizer_state)

    def _apply_config(self, config: TrainingConfig, keep_state: bool = True) -> None:
        same_kind = config.optimizer == self.config.optimizer
        retype = config.numpy_dtype != self.network.theta.dtype
        self.config = config
        self.loss = get_loss(config.loss)
        if retype:
            self._use_dtype(config.numpy_dtype)
        if keep_state and same_kind and not retype:
            self.optimizer.config = config
            self.optimizer.frozen = frozen_indices(self.network, config)
        else:
            state = self.optimizer.get_state() if keep_state and same_kind else None
            self.optimizer = make_optimizer(config, self.network.theta.size,
                                            frozen_indices(self.network, config))
            if state is not None:  # the same optimiser in another dtype: its state kept
                self.optimizer.set_state(state)

    def _use_dtype(self, dtype) -> None:
        """Compute in ``dtype`` from here on: the parameters, the data's working copy, the
        gradient buffers and the trace of the iteration under way are converted (float32
        rounds to nearest, as ``tensor.float()``); the history widens to keep both."""
        network = self.network
        network.set_dtype(dtype)
        # the data as the phases read it (the same arrays in float64: nothing copied)
        self._inputs = self.inputs.astype(dtype, copy=False)
        self._targets = self.targets.astype(dtype, copy=False)
        self._inputs.flags.writeable = self._targets.flags.writeable = False
        # the fast path's buffer holds the last iteration's gradient (breakpoints read it)
        old = getattr(self, "_fast_gradient", None)
        self._fast_gradient = (np.zeros_like(network.theta) if old is None
                               else old.astype(dtype))
        fast_weights, fast_biases, _ = network.layout(self._fast_gradient)
        self._fast_views = (fast_weights,
                            fast_biases if network.bias else [None] * network.layer_count)
        if self._gradient is not None and self._gradient.dtype != dtype:
            self._retype_trace(dtype)
        if self.history is not None:
            self.history.widen(dtype)

    def _retype_trace(self, dtype) -> None:
        """The iteration under way goes on in ``dtype``: what its phases computed so far is
        converted, its gradient with it (the dtype changed between two of its phases)."""
        trace = self.trace
        self._gradient = self._gradient.astype(dtype)
        self._gradient_weights, self._gradient_biases, _ = self.network.layout(self._gradient)
        if trace is None:
            return
        for name in ("pre_activations", "activations", "dcost_dactivations",
                     "dactivation_dpre", "deltas"):
            setattr(trace, name, [None if value is None else value.astype(dtype)
                                  for value in getattr(trace, name)])
        trace.inputs, trace.targets = trace.activations[0], trace.targets.astype(dtype)
        trace.gradient = self._gradient
        trace.weight_gradients = [None if value is None else self._gradient_weights[l]
                                  for l, value in enumerate(trace.weight_gradients)]
        trace.bias_gradients = [None if value is None else self._gradient_biases[l]
                                for l, value in enumerate(trace.bias_gradients)]

    def _batch(self, iteration: int) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        batch = batch_indices(self.config, len(self.inputs), iteration)
        if batch is None:
            return None, self._inputs, self._targets
        return batch, self._inputs[batch], self._targets[batch]

    # ----------------------------------------------------------------- editing
    def set_parameters(self, addresses: Sequence[ParameterAddress], value: float) -> Event:
        """Set one or several parameters to one value, between any two phases."""
        return self.set_values(addresses, [value] * len(addresses))

    def set_values(self, addresses: Sequence[ParameterAddress],
                   values: Sequence[float]) -> Event:
        """Set each parameter to its own value (all or nothing: bad input changes none).
        Returns the edit as the history records it (``undo_edit`` takes it back)."""
        values = np.array(values, dtype=float)
        if values.shape != (len(addresses),):
            raise ValueError(f"{len(addresses)} parameters but {values.size} values")
        dtype = self.network.theta.dtype
        for address, value in zip(addresses, values, strict=True):
            if not math.isfinite(value):
                raise ValueError(f"{address}: {value!r} is not a finite number")
            if abs(value) > largest(dtype):
                raise ValueError(f"{address}: {float(value)!r} does not fit {dtype.name} "
                                 f"(at most {largest(dtype):.8g} in size)")
        indices = np.array([self.network.flat_index(a) for a in addresses], dtype=np.int64)
        return self._mutate(Event(self.iteration, self.phase, indices,
                                  values.astype(dtype, copy=False)))

    def set_parameter(self, address: ParameterAddress, value: float) -> Event:
        return self.set_parameters([address], value)

    def set_theta(self, theta: np.ndarray) -> Event:
        """Replace every parameter (re-initialise, jog, load)."""
        theta = np.array(theta, dtype=float)
        if theta.shape != self.network.theta.shape:
            raise ValueError(f"expected {self.network.theta.size} parameters, got {theta.shape}")
        if not np.isfinite(theta).all():
            raise ValueError("every parameter must be a finite number")
        self._check_parameters_fit(self.network.theta.dtype, theta)
        theta = theta.astype(self.network.theta.dtype, copy=False)
        indices = np.arange(theta.size, dtype=np.int64)
        return self._mutate(Event(self.iteration, self.phase, indices, theta))

    def validate_config(self, config: TrainingConfig) -> None:
        """Raise ValueError if ``config`` cannot train this network: a loss that does not fit
        its output layer, or an optimiser or batch that would not fit the memory budget
        (Adam keeps two vectors like θ: the file it saves must open again)."""
        validate_training(self.network, config)
        dtype = config.numpy_dtype
        if dtype != np.float64:  # float32 holds numbers up to 3.4e38
            check_fits(dtype, self.inputs, "training.dtype: data.inputs")
            check_fits(dtype, self.targets, "training.dtype: data.targets")
            self._check_parameters_fit(dtype, self.network.theta, "training.dtype: ")
        observations = len(self.inputs)
        check_memory(self.network.sizes, observations,
                     config.effective_batch_size(observations),
                     STATE_VECTORS[config.optimizer], f"training with {config.optimizer}")

    def _check_parameters_fit(self, dtype, theta: np.ndarray, prefix: str = "") -> None:
        big = np.abs(theta) > largest(dtype)
        if big.any():
            index = int(np.argmax(big))
            address = self.network.addresses()[index]
            raise ValueError(f"{prefix}{address}: {float(theta[index])!r} does not fit "
                             f"{np.dtype(dtype).name} (at most {largest(dtype):.8g} in size)")

    def set_config(self, config: TrainingConfig) -> Event | None:
        """Change training settings; the parameters are kept. Returns the edit (None when
        ``config`` is the current one: nothing changes)."""
        self.validate_config(config)
        if config == self.config:
            return None
        return self._mutate(Event(self.iteration, self.phase, config=config))

    def _mutate(self, event: Event) -> Event:
        self._truncate_future()
        if self.phase == 0:
            # an iteration that faulted in its first phase has begun (its snapshot and
            # checkpoint were taken) and stays at phase 0: an edit here must replace them,
            # or a rewind would replay from the state before the edit
            self.history.truncate(self.iteration, 0, self.loss_phase_index)
        self.history.record_event(event)
        self._apply_event(event)
        self.fault = None
        return event

    def _apply_event(self, event: Event) -> None:
        if event.indices is not None:
            self.network.theta[event.indices] = event.values
        if event.config is not None:
            self._apply_config(event.config)

    def _truncate_future(self) -> None:
        if (self.iteration, self.phase) < self._head:
            self.history.truncate(self.iteration, self.phase, self.loss_phase_index)
        self._head = (self.iteration, self.phase)

    # ------------------------------------------------------------- phase path
    def step_phase(self) -> Phase:
        """Do the next phase (replayed from the tape when rewound); returns it. Raises
        NonFiniteError (and stays) on inf/NaN."""
        try:
            with np.errstate(**QUIET):
                return self._tape_phase()
        finally:
            self._moved()

    def step_iteration(self) -> None:
        """Finish the current iteration (a whole one from a boundary)."""
        try:
            with np.errstate(**QUIET):
                self._to_boundary()
        finally:
            self._moved()

    def _moved(self) -> None:
        """After going forward: the head is the furthest position reached."""
        self._head = max(self._head, (self.iteration, self.phase))

    def _check(self, values, quantity: Quantity) -> None:
        ok = math.isfinite(values) if isinstance(values, float) else bool(
            np.isfinite(values).all())
        if not ok:
            index, value = first_non_finite(values)
            self.fault = NonFiniteError(self.iteration, self.phases[self.phase], quantity,
                                        index, value)
            raise self.fault

    def _new_trace(self) -> None:
        batch, x, y = self._batch(self.iteration)
        self.trace = Trace(self.network.layer_count, x, y, batch)
        self.trace.gradient = self._gradient = np.zeros_like(self.network.theta)
        self._gradient_weights, self._gradient_biases, _ = self.network.layout(self._gradient)

    def _do_phase(self, record: bool) -> Phase:
        network, p = self.network, self.phase
        phase = self.phases[p]
        if p == 0:
            if record:
                self.history.record_start(self.iteration, self._capture)
            self._new_trace()
        if phase.kind == "update":
            before, state = network.theta.copy(), self.optimizer.get_state()
            self.optimizer.update(network.theta, self._gradient)
            bad = ~np.isfinite(network.theta)
            if bad.any():
                index = int(np.argmax(bad))
                address, value = network.addresses()[index], network.theta[index]
                network.theta[...] = before
                self.optimizer.set_state(state)
                self.fault = NonFiniteError(self.iteration, phase, Quantity("update"),
                                            (index,), value, parameter=address)
                raise self.fault
        else:
            prepared = self._prepared_for(p)
            computed = prepared and adopt_phase(
                phase.kind, phase.layer, prepared, self.trace,
                self._gradient_weights, self._gradient_biases,
            )
            if not computed:
                computed = compute_phase(
                    network, self.loss, phase.kind, phase.layer, self.trace,
                    self._gradient_weights, self._gradient_biases,
                )
            for quantity, values in computed:
                self._check(values, quantity)
            if phase.kind == "loss" and record:
                self.history.record_loss(self.iteration, self.trace.loss)
        self.fault = None
        self.phase = (p + 1) % len(self.phases)
        if self.phase == 0:
            self.iteration += 1
        return phase

    # --------------------------------------------------------------- fast path
    def run(self, iterations: int, until: Callable[[Stepper], bool] | None = None) -> int:
        """Run whole iterations (finishing the current one first); returns how many ran.

        ``until`` is asked after each iteration; when it returns True the run stops there.
        From a rewound position the run replays the tape up to its end, then goes on.
        """
        done = 0
        try:
            with np.errstate(**QUIET):
                if self.phase != 0 and iterations > 0:
                    self._to_boundary()
                    done = 1
                if until is None:
                    done += self._replay_iterations(iterations - done)
                    if done < iterations and self.has_future:  # the tape ends mid-iteration
                        self._to_boundary()
                        done += 1
                    # a few iterations timed first, so that the checkpoints of the rest
                    # are already spaced by what an iteration costs (a new network's first
                    # run would otherwise keep one checkpoint per 256 iterations)
                    remaining = iterations - done
                    probe = min(remaining, PROBE_ITERATIONS) if self.seek_seconds else 0
                    for chunk in (probe, remaining - probe):
                        if chunk <= 0:
                            continue
                        started = time.perf_counter()
                        count = self._fast(chunk, record=True)
                        self._adapt_checkpoints(count, time.perf_counter() - started)
                        done += count
                        if count < chunk:  # stopped by a fault
                            break
                else:
                    while done < iterations and not until(self):
                        if self.has_future:
                            done += self._replay_iterations(1) or self._to_boundary()
                        else:
                            done += self._fast(1, record=True)
        finally:
            self._moved()
        return done

    # -------------------------------------------------------------- evaluation
    def evaluate(self, full: bool = True, backward: bool = True) -> Trace:
        """Forward and backward at the current parameters, nothing updated or recorded.

        ``full`` uses every observation; otherwise the batch of the current iteration.
        ``backward=False`` stops after the forward phases (activations only).
        Non-finite values are left in the trace for the caller to see.
        """
        batch, x, y = ((None, self._inputs, self._targets) if full
                       else self._batch(self.iteration))
        trace = Trace(self.network.layer_count, x, y, batch)
        trace.gradient = np.zeros_like(self.network.theta)
        gradient_weights, gradient_biases, _ = self.network.layout(trace.gradient)
        phases = self.phases[:-1] if backward else self.phases[: self.network.layer_count]
        with np.errstate(**QUIET):
            for phase in phases:
                compute_phase(self.network, self.loss, phase.kind, phase.layer, trace,
                              gradient_weights, gradient_biases)
        if self.phase == 0 and self._batch(self.iteration)[0] is None:
            # the next iteration's own pass, if nothing changes first: it takes these numbers
            # rather than computing them again (a window evaluates after every step)
            self._prepared = (self.iteration, self.config, self.network.theta.copy(), trace)
        return trace

    def _prepared_for(self, p: int) -> Trace | None:
        """``evaluate``'s pass, for phase ``p`` of the iteration under way, when it was made
        for this iteration at the same parameters and settings (checked bit for bit at every
        phase: an edit may come between two phases); else None, and it is let go."""
        prepared = self._prepared
        if prepared is None:
            return None
        iteration, config, theta, trace = prepared
        current = self.network.theta
        if (iteration == self.iteration and config == self.config
                and self.trace is not None and self.trace.batch is None
                and theta.shape == current.shape and theta.dtype == current.dtype
                and np.array_equal(theta.view(np.uint8), current.view(np.uint8))):
            return trace
        self._prepared = None
        return None
