"""The kinds of breakpoint (see engine/breakpoints.py for the list that runs them).

Each fires when its condition *becomes* true — an edge, not a level: ``start`` records where
things stand when a run starts or resumes and ``check``, after each iteration, compares.
A :class:`Hit` says why: ``hit.iteration`` is where the stepper stands (the start of that
iteration); the iteration before it met the condition, and the message names it.
``to_dict`` gives plain JSON; ``Breakpoint.from_dict`` checks every field, never evaluates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..core.network import Network, ParameterAddress
from .symmetry import (
    DEFAULT_RTOL,
    frozen_mask,
    group_rows,
    signature_indices,
    with_frozen_flags,
)

MAX_ITERATION = 10**12


@dataclass
class Hit:
    """Why a run paused; ``neuron`` (layer, j) or ``parameter`` is the thing to select."""

    breakpoint: Breakpoint
    message: str
    iteration: int
    neuron: tuple[int, int] | None = None
    parameter: ParameterAddress | None = None
    detail: dict = field(default_factory=dict)


# ------------------------------------------------------------------- checking
def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _finite(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{what}: expected a number, got {_show(value)}")
    if not math.isfinite(value):
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return float(value)


def _count(value, what: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{what}: expected a whole number, got {_show(value)}")
    if not low <= value <= MAX_ITERATION:
        raise ValueError(f"{what}: {value} is outside {low} … {MAX_ITERATION}")
    return int(value)


def address_to_dict(address: ParameterAddress) -> dict:
    return {"kind": address.kind, "layer": address.layer, "source": address.source,
            "target": address.target}


def address_from_dict(data, what: str = "parameter") -> ParameterAddress:
    if not isinstance(data, dict):
        raise ValueError(f"{what}: expected an object like {{\"kind\": \"w\", \"layer\": 0, "
                         f"\"source\": 1, \"target\": 0}}, got {_show(data)}")
    kind = data.get("kind")
    if kind not in ("w", "b"):
        raise ValueError(f"{what}.kind: expected \"w\" (weight) or \"b\" (bias), got {_show(kind)}")
    layer = _count(data.get("layer"), f"{what}.layer", 0)
    target = _count(data.get("target"), f"{what}.target", 0)
    if kind == "b":
        if data.get("source") is not None:
            raise ValueError(f"{what}.source: a bias has no source neuron")
        return ParameterAddress.bias(layer, target)
    return ParameterAddress.weight(layer, _count(data.get("source"), f"{what}.source", 0), target)


def last_gradient(stepper) -> np.ndarray:
    """∂C/∂θ of the iteration just run: the vector its update used.

    The phase path keeps it in ``trace.gradient``; the fast path clears ``trace`` and keeps
    its own buffer. A public ``Stepper.last_gradient`` is used when the stepper has one.
    """
    public = getattr(type(stepper), "last_gradient", None)
    if public is not None:
        value = stepper.last_gradient
        return value() if callable(value) else value
    if stepper.trace is not None and stepper.trace.gradient is not None:
        return stepper.trace.gradient
    return stepper._fast_gradient


# ---------------------------------------------------------------- breakpoints
class Breakpoint:
    """A condition that pauses a run. A kind describes itself for the panel that adds it:
    ``chooser`` (the words after "pause when"), ``tooltip``, and ``FORM``, its fields in the
    order asked, each with the control that asks for it — "number" (a value), "count" (an
    iteration), "layer" (a layer, or any) or "parameter" (a weight or bias) — and a prompt.
    The panel builds its form from these and makes the breakpoint with ``from_dict``, so a
    new kind is one class here, added to KINDS."""

    kind = ""
    chooser = ""
    tooltip = ""
    FORM: dict[str, tuple[str, str]] = {}
    checkable = True  # NonFinite is reported by the engine, not checked here

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = bool(enabled)
        self.ready = False  # has a baseline from start()

    def describe(self) -> str:
        raise NotImplementedError

    def problem(self, network: Network, frozen=()) -> str | None:
        """Why this breakpoint cannot watch ``network`` (a layer or weight it lacks, or a
        parameter that ``frozen``, the training's frozen names, keeps still), or None."""
        return None

    def start(self, stepper) -> None:
        self.ready = True

    def check(self, stepper) -> Hit | None:
        raise NotImplementedError

    def _fields(self) -> dict:
        return {}

    def to_dict(self) -> dict:
        return {"kind": self.kind, **self._fields(), "enabled": self.enabled}

    @staticmethod
    def from_dict(data) -> Breakpoint:
        if not isinstance(data, dict):
            raise ValueError(f"breakpoint: expected an object {{\"kind\": …}}, got {_show(data)}")
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValueError(f"breakpoint.kind: {_show(kind)} is not one of {', '.join(KINDS)}")
        cls = KINDS[kind]
        unknown = [key for key in data if key not in {"kind", "enabled", *cls.FIELDS}]
        if unknown:
            raise ValueError(f"{kind}: unknown field {_show(unknown[0])} (expected "
                             f"{', '.join(('enabled', *cls.FIELDS))})")
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValueError(f"{kind}.enabled: expected true or false, got {_show(enabled)}")
        return cls._read(data, enabled)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()!r}{'' if self.enabled else ' off'}>"


class _Threshold(Breakpoint):
    """Fires when ``holds(measured)`` becomes true: the loss below, the norm above a value."""

    FIELDS = ("value",)

    def __init__(self, value: float, enabled: bool = True) -> None:
        super().__init__(enabled)
        self.value = _finite(value, f"{self.kind}.value")
        self._holds = False

    def _fields(self) -> dict:
        return {"value": self.value}

    @classmethod
    def _read(cls, data: dict, enabled: bool):
        return cls(_finite(data.get("value"), f"{cls.kind}.value"), enabled)

    def holds(self, measured: float) -> bool:
        raise NotImplementedError

    def start(self, stepper) -> None:
        # the quantity the next iteration will compute, from where the run starts
        self._holds = self.holds(self.measure_next(stepper))
        self.ready = True

    def check(self, stepper) -> Hit | None:
        measured = self.measure_last(stepper)
        holds, was = self.holds(measured), self._holds
        self._holds = holds
        if holds and not was:
            return self.hit(stepper, measured)
        return None


class LossBelow(_Threshold):
    kind = "loss_below"
    chooser = "the loss falls below"
    tooltip = "Pause after the first iteration whose loss is below the value"
    FORM = {"value": ("number", "loss, e.g. 0.01")}

    def describe(self) -> str:
        return f"loss < {self.value:g}"

    def holds(self, measured: float) -> bool:
        return measured < self.value

    def measure_next(self, stepper) -> float:
        return float(stepper.evaluate(full=False).loss)

    def measure_last(self, stepper) -> float:
        # one loss from the log (its newest block is always in memory): no copy of them all
        log = stepper.history.loss_log
        t = stepper.iteration - 1
        return log[t] if log.start <= t < log.stop else math.inf

    def hit(self, stepper, measured: float) -> Hit:
        t = stepper.iteration - 1
        return Hit(self, f"the loss of iteration {t}, {measured:.6g}, fell below {self.value:g}",
                   stepper.iteration)


class GradientNormAbove(_Threshold):
    """‖∂C/∂θ‖₂ over every parameter, of the gradient the iteration's update used. Frozen
    parameters count: their gradient is computed and shown like any other (the norm is of
    ∂C/∂θ, not of the step the update took)."""

    kind = "gradient_norm_above"
    chooser = "the gradient norm rises above"
    tooltip = ("Pause after the first iteration whose gradient ‖∂C/∂θ‖₂ (over every parameter) "
               "is above the value; its largest component is selected")
    FORM = {"value": ("number", "norm, e.g. 10")}

    def __init__(self, value: float, enabled: bool = True) -> None:
        super().__init__(value, enabled)
        if self.value < 0:
            raise ValueError(f"{self.kind}.value: a norm is never negative, {value!r} < 0")

    def describe(self) -> str:
        return f"gradient norm > {self.value:g}"

    def holds(self, measured: float) -> bool:
        return measured > self.value

    def measure_next(self, stepper) -> float:
        gradient = stepper.evaluate(full=False).gradient
        return float(np.sqrt(gradient @ gradient))

    def measure_last(self, stepper) -> float:
        gradient = last_gradient(stepper)
        return float(np.sqrt(gradient @ gradient))

    def hit(self, stepper, measured: float) -> Hit:
        gradient = last_gradient(stepper)
        largest = int(np.argmax(np.abs(gradient)))
        address = stepper.network.addresses()[largest] if gradient.size < 100_000 else None
        t = stepper.iteration - 1
        biggest = f"; the largest component is ∂C/∂{address}" if address is not None else ""
        return Hit(self, f"the gradient norm of iteration {t}, {measured:.6g}, rose above "
                   f"{self.value:g}{biggest}", stepper.iteration, parameter=address)


class IterationReaches(Breakpoint):
    kind = "iteration_reaches"
    chooser = "the iteration reaches"
    tooltip = "Pause when the run arrives at the start of this iteration"
    FIELDS = ("iteration",)
    FORM = {"iteration": ("count", "iteration, e.g. 500")}

    def __init__(self, iteration: int, enabled: bool = True) -> None:
        super().__init__(enabled)
        self.iteration = _count(iteration, f"{self.kind}.iteration", 1)
        self._reached = False

    def describe(self) -> str:
        return f"iteration reaches {self.iteration}"

    def _fields(self) -> dict:
        return {"iteration": self.iteration}

    @classmethod
    def _read(cls, data: dict, enabled: bool):
        return cls(_count(data.get("iteration"), f"{cls.kind}.iteration", 1), enabled)

    def start(self, stepper) -> None:
        self._reached = stepper.iteration >= self.iteration
        self.ready = True

    def check(self, stepper) -> Hit | None:
        reached, was = stepper.iteration >= self.iteration, self._reached
        self._reached = reached
        if reached and not was:
            return Hit(self, f"iteration {stepper.iteration} reached", stepper.iteration)
        return None


class WeightCrosses(Breakpoint):
    """Fires when θ − value changes sign or becomes 0 (leaving the value is no crossing).

    A frozen parameter never moves in a run, so it could never fire: rather than watch in
    silence, ``problem`` names it and the run skips the breakpoint, saying why (as for a
    weight the network lacks). The breakpoint stays in the list, and watches again in a run
    started after the parameter is unfrozen: freezing is a setting that can change, so it is
    not refused when added.
    """

    kind = "weight_crosses"
    chooser = "a weight crosses"
    tooltip = "Pause when the chosen weight or bias passes the value, either way"
    FIELDS = ("parameter", "value")
    FORM = {"parameter": ("parameter", "weight"), "value": ("number", "value, e.g. 0.5")}

    def __init__(self, address: ParameterAddress, value: float, enabled: bool = True) -> None:
        super().__init__(enabled)
        if not isinstance(address, ParameterAddress):
            raise ValueError(f"{self.kind}.parameter: expected a weight or bias, got {address!r}")
        self.address = address
        self.value = _finite(value, f"{self.kind}.value")
        self._index = -1
        self._side = 0.0
        self._last = math.nan

    def describe(self) -> str:
        return f"{self.address} crosses {self.value:g}"

    def _fields(self) -> dict:
        return {"parameter": address_to_dict(self.address), "value": self.value}

    @classmethod
    def _read(cls, data: dict, enabled: bool):
        address = address_from_dict(data.get("parameter"), f"{cls.kind}.parameter")
        return cls(address, _finite(data.get("value"), f"{cls.kind}.value"), enabled)

    def problem(self, network: Network, frozen=()) -> str | None:
        try:
            network.check_address(self.address)
        except ValueError as error:
            return str(error)
        if str(self.address) in frozen:
            return (f"{self.describe()}: {self.address} is frozen, so no update moves it "
                    "and it can never cross; skipped while it is frozen (unfreeze it to "
                    "watch it)")
        return None

    def start(self, stepper) -> None:
        self._index = stepper.network.flat_index(self.address)
        self._last = float(stepper.network.theta[self._index])
        self._side = np.sign(self._last - self.value)
        self.ready = True

    def check(self, stepper) -> Hit | None:
        current = float(stepper.network.theta[self._index])
        side, was, before = np.sign(current - self.value), self._side, self._last
        self._side, self._last = side, current
        if was != 0 and side != was:
            t = stepper.iteration - 1
            verb = "reached" if side == 0 else "crossed"
            return Hit(self, f"{self.address} {verb} {self.value:g} in iteration {t}: "
                       f"{before:.6g} → {current:.6g}", stepper.iteration, parameter=self.address)
        return None


class SymmetryChange(Breakpoint):
    """Fires when a layer's groups of interchangeable neurons (engine/symmetry.py) change.

    The greedy grouping depends only on which pairs of neurons are close, so each check
    compares every pair of every watched layer in one flat numpy pass (layers whose pairs
    fit ``PAIR_BUDGET`` entries) and regroups only a layer whose pairs changed.

    The groups are those of ``symmetry_groups`` with the run's frozen parameters: two neurons
    whose corresponding parameters are frozen differently are never in one group. The frozen
    set is taken when the run starts (settings do not change within a run).
    """

    kind = "symmetry_change"
    chooser = "a layer's symmetry changes"
    tooltip = ("Pause when the groups of interchangeable neurons of a layer change: a symmetry "
               "breaks (neurons become distinct) or forms")
    FIELDS = ("layer",)
    FORM = {"layer": ("layer", "in")}
    PAIR_BUDGET = 200_000  # signature entries compared per check; larger layers regroup

    def __init__(self, layer: int | None = None, enabled: bool = True) -> None:
        super().__init__(enabled)
        self.layer = None if layer is None else _count(layer, f"{self.kind}.layer", 1)
        self._groups: dict[int, list[list[int]]] = {}
        self._paired: list[tuple[int, np.ndarray, slice]] = []  # layer, indices, its pairs
        self._regrouped: list[tuple[int, np.ndarray]] = []  # too large to pair up
        self._left = self._right = self._starts = self._far = np.empty(0, dtype=np.int64)
        self._mask: np.ndarray | None = None  # the frozen positions in θ, or None
        self._flags_differ = np.zeros(0, dtype=bool)  # per pair: frozen differently

    def describe(self) -> str:
        return ("any layer's symmetry changes" if self.layer is None
                else f"layer {self.layer}'s symmetry changes")

    def _fields(self) -> dict:
        return {"layer": self.layer}

    @classmethod
    def _read(cls, data: dict, enabled: bool):
        layer = data.get("layer")
        return cls(None if layer is None else _count(layer, f"{cls.kind}.layer", 1), enabled)

    def problem(self, network: Network, frozen=()) -> str | None:
        if self.layer is not None and self.layer > network.layer_count:
            return f"{self.describe()}: the network has layers 1 … {network.layer_count}"
        return None

    def _pairs_far(self, theta: np.ndarray) -> np.ndarray:
        # pair (j, k) is close when |s_j − s_k| ≤ rtol · max(|s_j|, |s_k|) in every entry
        u, v = theta[self._left], theta[self._right]
        far = np.abs(u - v) > DEFAULT_RTOL * np.maximum(np.abs(u), np.abs(v))
        far = np.logical_or.reduceat(far, self._starts)
        if self._mask is not None:
            far |= self._flags_differ
        return far

    def _groups_of(self, theta: np.ndarray, indices: np.ndarray) -> list[list[int]]:
        return group_rows(with_frozen_flags(theta[indices], indices, self._mask))

    def start(self, stepper) -> None:
        network, theta = stepper.network, stepper.network.theta
        layers = range(1, network.layer_count + 1) if self.layer is None else [self.layer]
        self._paired, self._regrouped, self._groups = [], [], {}
        self._mask = frozen_mask(network, getattr(stepper.config, "frozen", ()))
        left, right, budget, pairs = [], [], self.PAIR_BUDGET, 0
        for layer in layers:
            indices = signature_indices(network, layer)
            self._groups[layer] = self._groups_of(theta, indices)
            count = len(indices)
            if count < 2:
                continue  # a lone neuron's grouping never changes
            j, k = np.triu_indices(count, 1)
            if len(j) * indices.shape[1] > budget:
                self._regrouped.append((layer, indices))
                continue
            budget -= len(j) * indices.shape[1]
            left.append(indices[j].ravel())
            right.append(indices[k].ravel())
            self._paired.append((layer, indices, slice(pairs, pairs + len(j))))
            pairs += len(j)
        if self._paired:
            self._left, self._right = np.concatenate(left), np.concatenate(right)
            widths = np.concatenate([np.full(s.stop - s.start, i.shape[1])
                                     for _, i, s in self._paired])
            self._starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
            if self._mask is not None:  # constant through the run
                self._flags_differ = np.logical_or.reduceat(
                    self._mask[self._left] != self._mask[self._right], self._starts)
            self._far = self._pairs_far(theta)
        self.ready = True

    def check(self, stepper) -> Hit | None:
        theta, changed = stepper.network.theta, []
        if self._paired:
            far = self._pairs_far(theta)
            if not np.array_equal(far, self._far):
                changed = [(layer, indices) for layer, indices, pairs in self._paired
                           if not np.array_equal(far[pairs], self._far[pairs])]
                self._far = far
        hit = None
        for layer, indices in changed + self._regrouped:
            groups, before = self._groups_of(theta, indices), self._groups[layer]
            if groups != before:
                self._groups[layer] = groups
                if hit is None:
                    hit = self._hit(stepper, layer, before, groups)
        return hit

    def _hit(self, stepper, layer: int, before, after) -> Hit:
        was = {j: g for g in before for j in g}
        now = {j: g for g in after for j in g}
        moved = [j for j in now if was[j] != now[j]]
        # the neuron that split off or joined: not the first of its old and new groups
        neuron = next((j for j in moved if j != min(was[j] + now[j])), moved[0])
        verb = ("broke" if len(after) > len(before)
                else "formed" if len(after) < len(before) else "changed")

        def show(groups):
            return " ".join("{" + ", ".join(map(str, g)) + "}" for g in groups)

        t = stepper.iteration - 1
        return Hit(self, f"layer {layer}'s symmetry {verb} in iteration {t}: {show(before)} → "
                   f"{show(after)} (neuron {neuron} changed group)", stepper.iteration,
                   neuron=(layer, neuron), detail={"layer": layer, "before": before,
                                                   "after": after})


class NonFinite(Breakpoint):
    """inf or NaN anywhere. The engine checks every phase itself and always stops."""

    kind = "non_finite"
    chooser = "a value becomes non-finite"
    tooltip = ("inf or NaN anywhere. The engine always stops there, even without this "
               "breakpoint; listing it selects the neuron or weight that went bad")
    FIELDS = ()
    checkable = False

    def describe(self) -> str:
        return "a value becomes non-finite (the engine always stops there, even when off)"

    @classmethod
    def _read(cls, data: dict, enabled: bool):
        return cls(enabled)

    def check(self, stepper) -> Hit | None:
        return None


KINDS: dict[str, type[Breakpoint]] = {  # in the order the panel offers them
    cls.kind: cls for cls in (SymmetryChange, LossBelow, GradientNormAbove, IterationReaches,
                              WeightCrosses, NonFinite)
}
