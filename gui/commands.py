"""Every edit is a QUndoCommand that only calls controller methods (after orange-canvas-core).

Undoing an edit made before some steps sets the old values at the current position: it is a
new edit in the engine's history, not a rewind.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

from engine.core.init import InitSpec
from engine.core.network import ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.core.stepper import Stepper


def _number(value: float) -> str:
    return f"{value:.6g}"


class SetParametersCommand(QUndoCommand):
    discards_future = True  # doing or undoing it edits the stepper where it stands
    def __init__(self, controller, addresses: list[ParameterAddress], values: list[float],
                 text: str | None = None) -> None:
        network = controller.network
        if text is None:
            if len(addresses) == 1:
                text = f"Set {addresses[0]} = {_number(values[0])}"
            else:
                text = f"Set {len(addresses)} parameters"
        super().__init__(text)
        self.controller = controller
        self.addresses = list(addresses)
        self.new_values = [float(v) for v in values]
        self.old_values = [network.get(a) for a in addresses]

    def redo(self) -> None:
        self.controller.apply_values(self.addresses, self.new_values)

    def undo(self) -> None:
        self.controller.apply_values(self.addresses, self.old_values)


class _SwapCommand(QUndoCommand):
    """An edit that replaces one whole value by another through one controller method."""

    discards_future = True

    def __init__(self, text: str, apply, old, new) -> None:
        super().__init__(text)
        self.apply, self.old, self.new = apply, old, new

    def redo(self) -> None:
        self.apply(self.new)

    def undo(self) -> None:
        self.apply(self.old)


class SetThetaCommand(_SwapCommand):
    """Replace every parameter: re-initialise or jog."""

    def __init__(self, controller, theta: np.ndarray, text: str) -> None:
        super().__init__(text, controller.apply_theta, controller.network.theta.copy(),
                         np.array(theta, dtype=float))


class ChangeSettingsCommand(_SwapCommand):
    def __init__(self, controller, config: TrainingConfig, text: str) -> None:
        super().__init__(text, controller.apply_config, controller.stepper.config, config)


class ChangeInitCommand(_SwapCommand):
    discards_future = False  # the scheme only: no parameter changes
    def __init__(self, controller, spec: InitSpec, text: str) -> None:
        super().__init__(text, controller.apply_init_spec, controller.init_spec, spec)


class ChangeStructureCommand(_SwapCommand):
    """Swap the whole stepper; undo gives back the old network with its history."""

    discards_future = False  # each stepper keeps its own history

    def __init__(self, controller, stepper: Stepper, text: str) -> None:
        super().__init__(text, controller.apply_stepper, controller.stepper, stepper)


class SwapInCommand(QUndoCommand):
    """Another network, data, settings and history at once with its initialisation scheme
    (a lesson's step); undo gives back the old ones. ``after_redo`` and ``after_undo``, when
    given, are called after an undo and a later redo (the lesson panel follows the step
    whose network is shown), not after the push."""

    discards_future = False  # each stepper keeps its own history

    def __init__(self, controller, stepper: Stepper, init_spec: InitSpec | None, text: str,
                 after_redo=None, after_undo=None) -> None:
        super().__init__(text)
        self.controller = controller
        self.old = (controller.stepper, controller.init_spec)
        self.new = (stepper, init_spec if init_spec is not None else controller.init_spec)
        self.after_redo, self.after_undo = after_redo, after_undo
        self._pushed = False  # the first redo is the push itself: no callback

    def _apply(self, state, after) -> None:
        stepper, spec = state
        self.controller.apply_stepper(stepper)
        if spec != self.controller.init_spec:
            self.controller.apply_init_spec(spec)
        if after is not None:
            after()

    def redo(self) -> None:
        self._apply(self.new, self.after_redo if self._pushed else None)
        self._pushed = True

    def undo(self) -> None:
        self._apply(self.old, self.after_undo)
