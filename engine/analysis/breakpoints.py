"""Breakpoints: conditions that pause a run, checked after each whole iteration.

``Stepper.run(n, until=breakpoints.until)`` asks ``until`` between iterations; call
``breakpoints.start(stepper)`` when the user starts or resumes a run (not for each chunk of
it: ``until`` itself checks the last iteration of the previous chunk at the next chunk's
first question). Breakpoints fire when their condition *becomes* true, so resuming after a
hit does not stop again at once: ``loss < 0.01`` stops when the loss first falls below 0.01,
then only after it has risen above and fallen below again.

inf and NaN are not checked here: the stepper raises NonFiniteError at the first phase that
makes one and refuses a non-finite update, so it always stops, whether or not the
:class:`NonFinite` breakpoint is switched on; ``Breakpoints.fault_hit`` turns that error into
a Hit naming the neuron or weight.
"""

from __future__ import annotations

from ..core.limits import MAX_BREAKPOINTS
from ..core.network import Network
from ..core.phases import NonFiniteError
from .breakpoint_kinds import (
    KINDS,
    Breakpoint,
    GradientNormAbove,
    Hit,
    IterationReaches,
    LossBelow,
    NonFinite,
    SymmetryChange,
    WeightCrosses,
    address_from_dict,
    address_to_dict,
    last_gradient,
)

__all__ = [
    "KINDS", "Breakpoint", "Breakpoints", "GradientNormAbove", "Hit", "IterationReaches",
    "LossBelow", "NonFinite", "SymmetryChange", "WeightCrosses", "address_from_dict",
    "address_to_dict", "last_gradient",
]


class Breakpoints:
    """The breakpoints of a session. ``until`` is cheap when none is enabled, but pass
    ``until=None`` to ``Stepper.run`` when ``active`` is False to keep the fastest path."""

    def __init__(self, items=()) -> None:
        self._items: list[Breakpoint] = []
        self.hit: Hit | None = None  # the first hit of the last stop
        self.hits: list[Hit] = []  # every breakpoint that fired at that stop
        self.skipped: list[tuple[Breakpoint, str]] = []  # do not fit the network
        self.revision = 0  # counts changes: added, removed, switched, replaced, fired
        self._stepper = None
        self._iteration: int | None = None
        for item in items:
            self.add(item)

    # ---------------------------------------------------------------- editing
    @property
    def items(self) -> tuple[Breakpoint, ...]:
        return tuple(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, breakpoint: Breakpoint) -> Breakpoint:
        if not isinstance(breakpoint, Breakpoint):
            raise ValueError(f"not a breakpoint: {breakpoint!r}")
        if len(self._items) >= MAX_BREAKPOINTS:
            raise ValueError(f"at most {MAX_BREAKPOINTS} breakpoints (what a file holds): "
                             "remove one first")
        breakpoint.ready = False
        self._items.append(breakpoint)
        self._changed()
        return breakpoint

    def replace(self, items) -> None:
        """Another list altogether (a file opened): no hits, no baselines."""
        items = list(items)
        for item in items:
            if not isinstance(item, Breakpoint):
                raise ValueError(f"not a breakpoint: {item!r}")
            item.ready = False
        self._items = items
        self.hit, self.hits, self.skipped = None, [], []
        self._stepper, self._iteration = None, None
        self._changed()

    def remove(self, breakpoint: Breakpoint) -> None:
        self._items.remove(breakpoint)
        self.hits = [h for h in self.hits if h.breakpoint is not breakpoint]
        self.hit = self.hits[0] if self.hits else None
        self.skipped = [s for s in self.skipped if s[0] is not breakpoint]
        self._changed()

    def set_enabled(self, breakpoint: Breakpoint, enabled: bool) -> None:
        if breakpoint not in self._items:
            raise ValueError(f"{breakpoint.describe()}: not in this list")
        if breakpoint.enabled != bool(enabled):
            breakpoint.enabled = bool(enabled)
            breakpoint.ready = False  # its baseline is stale: taken afresh at the next check
            self._changed()

    def fired(self, breakpoint: Breakpoint) -> bool:
        """Whether ``breakpoint`` fired at the last stop."""
        return any(h.breakpoint is breakpoint for h in self.hits)

    def _changed(self) -> None:
        self.revision += 1

    @property
    def active(self) -> bool:
        """Any enabled breakpoint that ``until`` checks (NonFinite is the engine's)."""
        return any(b.enabled and b.checkable for b in self._items)

    # ---------------------------------------------------------------- running
    def start(self, stepper) -> list[str]:
        """A run starts or resumes here: take every baseline. Returns why breakpoints that
        do not fit the network (a missing layer or weight, or a frozen parameter that a
        ``WeightCrosses`` watches: it could never fire) are skipped for this run."""
        self._stepper, self._iteration = stepper, stepper.iteration
        self.skipped = []
        for breakpoint in self._items:
            breakpoint.ready = False
            if breakpoint.enabled and breakpoint.checkable:
                self._prepare(breakpoint, stepper)
        return [message for _, message in self.skipped]

    def _prepare(self, breakpoint: Breakpoint, stepper) -> bool:
        problem = breakpoint.problem(stepper.network, stepper.config.frozen)
        if problem is not None:
            self.skipped.append((breakpoint, problem))
            return False
        breakpoint.start(stepper)
        return True

    def until(self, stepper) -> bool:
        """For ``Stepper.run``: True to stop. Checks the iteration just run, once."""
        last = self._iteration
        if stepper is not self._stepper or last is None or stepper.iteration not in (
            last, last + 1
        ):
            self.start(stepper)  # a different stepper, or moved without us: new baselines
            return False
        if stepper.iteration == last:
            return False  # nothing ran since the last look (a run's first question)
        self._iteration = stepper.iteration
        hits = []
        skipped = {id(b) for b, _ in self.skipped} if self.skipped else ()
        for breakpoint in self._items:
            if not (breakpoint.enabled and breakpoint.checkable) or id(breakpoint) in skipped:
                continue
            if not breakpoint.ready:  # added or switched on during the run
                self._prepare(breakpoint, stepper)
                continue
            hit = breakpoint.check(stepper)
            if hit is not None:
                hits.append(hit)
        if hits:
            self.hits, self.hit = hits, hits[0]
            self._changed()
            return True
        return False

    def clear_hit(self) -> None:
        if self.hits:
            self.hits, self.hit = [], None
            self._changed()

    def fault_hit(self, error: NonFiniteError, network: Network) -> Hit:
        """The engine's non-finite stop as a Hit of the NonFinite breakpoint (the list's
        own, or a new one when there is none), with the neuron or weight it names."""
        breakpoint = next((b for b in self._items if isinstance(b, NonFinite)), None)
        hit = Hit(breakpoint or NonFinite(), str(error), error.iteration)
        hit.neuron, hit.parameter = _fault_location(error, network)
        if breakpoint is not None:
            self.hits, self.hit = [hit], hit
            self._changed()
        return hit

    # ----------------------------------------------------------- serialising
    def to_dict(self) -> dict:
        return {"breakpoints": [b.to_dict() for b in self._items]}

    @classmethod
    def from_dict(cls, data) -> Breakpoints:
        if not isinstance(data, dict) or not isinstance(data.get("breakpoints"), list):
            raise ValueError("breakpoints: expected an object {\"breakpoints\": [ … ]}")
        items = []
        for index, item in enumerate(data["breakpoints"]):
            try:
                items.append(Breakpoint.from_dict(item))
            except ValueError as error:
                raise ValueError(f"breakpoints[{index}]: {error}") from None
        return cls(items)


def _fault_location(error: NonFiniteError, network: Network):
    """(neuron, parameter) the error is about, where it is one this network has: a neuron
    for n, a, ∂C/∂a, ∂a/∂n, δ; a weight or bias for ∂C/∂W, ∂C/∂b and the update."""
    neuron = error.neuron
    if neuron is not None:
        if neuron[0] <= network.layer_count and neuron[1] < network.sizes[neuron[0]]:
            return neuron, None
        return None, None
    address = error.weight_or_bias
    if address is not None and WeightCrosses(address, 0.0).problem(network) is None:
        return None, address
    return None, None
