"""What a lesson's steps do: load a network, step phases, run to an iteration, nudge a
weight, tie weights, re-initialise, remember a run — on a Lab, which is a bare Stepper
(EngineLab, here) or the window (gui/parts/lesson_panel.py, through its undoable commands)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np

from ..core.init import InitSpec, initial_theta
from ..core.network import ParameterAddress
from ..core.stepper import Stepper
from ..io.fileformat import Document


class Lab(Protocol):
    """What a lesson's actions act on: a bare Stepper (``EngineLab``) or the window."""

    stepper: Stepper
    memo: dict

    def load(self, document: Document, text: str) -> None: ...
    def step_phase(self) -> None: ...
    def run(self, iterations: int) -> None: ...
    def set_values(self, addresses: list[ParameterAddress], values: list[float],
                   text: str) -> None: ...
    def reinitialise(self, spec: InitSpec) -> None: ...


class Remembered(NamedTuple):
    """A run kept for a later step to compare with: θ at its start and at its end, its
    losses and its recorded θ (row k at the start of iteration ``iterations[k]``)."""

    initial: np.ndarray
    final: np.ndarray
    losses: np.ndarray
    iterations: np.ndarray
    snapshots: np.ndarray


def initial_parameters(stepper: Stepper) -> np.ndarray | None:
    """θ at the start of iteration 0 (after any edit made there), or None when the history
    no longer holds it."""
    history = stepper.history
    rows = np.flatnonzero(history.snapshot_iterations == 0)
    if len(rows):
        return history.snapshots[rows[0]].copy()
    return stepper.network.theta.copy() if stepper.iteration == 0 else None


@dataclass
class EngineLab:
    """A lesson's actions on a bare Stepper: how a step is set up afresh, and tested."""

    stepper: Stepper | None = None
    init_spec: InitSpec | None = None
    memo: dict = field(default_factory=dict)
    stepper_options: dict = field(default_factory=dict)  # Stepper's keywords (seek_seconds)

    def load(self, document: Document, text: str = "") -> None:
        self.stepper = document.make_stepper(**self.stepper_options)
        self.init_spec = document.init

    def step_phase(self) -> None:
        self.stepper.step_phase()

    def run(self, iterations: int) -> None:
        self.stepper.run(iterations)

    def set_values(self, addresses, values, text: str = "") -> None:
        self.stepper.set_values(addresses, values)

    def reinitialise(self, spec: InitSpec) -> None:
        self.init_spec = spec
        self.stepper.set_theta(initial_theta(self.stepper.network, spec))


# ------------------------------------------------------------------- actions
@dataclass(frozen=True)
class Load:
    """Load a network (its data, settings and initialisation) at iteration 0."""

    make: Callable[[], Document]
    text: str

    def apply(self, lab: Lab) -> None:
        lab.load(self.make(), self.text)


@dataclass(frozen=True)
class StepPhases:
    """Step phase by phase until the next phase is ``until`` ("forward layer 3",
    "backward layer 1", "update", …; "next iteration" finishes the iteration)."""

    until: str

    def apply(self, lab: Lab) -> None:
        stepper = lab.stepper
        names = [str(phase) for phase in stepper.phases]
        if self.until != "next iteration" and self.until not in names:
            raise ValueError(f"no phase {self.until!r} in this network ({', '.join(names)})")
        until = 0 if self.until == "next iteration" else names.index(self.until)
        for _ in range(len(names)):
            if stepper.phase == until:
                return
            lab.step_phase()


@dataclass(frozen=True)
class RunTo:
    """Finish the iteration in progress, then run on to ``iteration`` (nothing if past it)."""

    iteration: int

    def apply(self, lab: Lab) -> None:
        if lab.stepper.phase != 0:
            StepPhases("next iteration").apply(lab)
        remaining = self.iteration - lab.stepper.iteration
        if remaining > 0:
            lab.run(remaining)


@dataclass(frozen=True)
class Nudge:
    """Add ``delta`` to one weight, as a learner would by hand."""

    address: ParameterAddress
    delta: float
    name: str

    def apply(self, lab: Lab) -> None:
        value = lab.stepper.network.get(self.address) + self.delta
        lab.set_values([self.address], [value], f"Lesson: {self.name} = {value:.6g}")


@dataclass(frozen=True)
class Tie:
    """Set each ``(copy, source)`` pair's copy to its source's value."""

    pairs: tuple[tuple[ParameterAddress, ParameterAddress], ...]
    text: str

    def apply(self, lab: Lab) -> None:
        network = lab.stepper.network
        lab.set_values([copy for copy, _ in self.pairs],
                       [network.get(source) for _, source in self.pairs], self.text)


@dataclass(frozen=True)
class Reinitialise:
    spec: InitSpec

    def apply(self, lab: Lab) -> None:
        lab.reinitialise(self.spec)


@dataclass(frozen=True)
class Remember:
    """Keep this run (θ at its start and end, its losses) for a later step's check."""

    key: str

    def apply(self, lab: Lab) -> None:
        stepper = lab.stepper
        history = stepper.history
        lab.memo[self.key] = Remembered(initial_parameters(stepper),
                                        stepper.network.theta.copy(), history.losses.copy(),
                                        history.snapshot_iterations.copy(),
                                        history.snapshots.copy())


# -------------------------------------------------------------------- checks
