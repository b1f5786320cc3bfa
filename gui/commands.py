"""Every edit is a QUndoCommand that only calls controller methods (after orange-canvas-core).

An edit of the parameters or settings is made at a position of the stepper's history (an
``EditCommand``). Undo means "as it was just before my edit": back to the position where it
was made, the edit taken out of the history there (``Stepper.undo_edit``), the iterations
after it discarded; redo makes it again there (the controller goes there first). The
controller asks before either discards later iterations.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

from engine.core.init import InitSpec
from engine.core.network import ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.core.stepper import Stepper

from .notation import short_parameter_name


def _number(value: float) -> str:
    return f"{value:.6g}"


def parameter_label(network, address: ParameterAddress) -> str:
    """A parameter as an undo text names it: seed 001's w1 … w6 where the network has those
    plain names, else its address typeset (w¹₀,₀, b¹₀)."""
    return short_parameter_name(network, address)


class EditCommand(QUndoCommand):
    """An edit of the stepper where it stands (``position``, its iteration and phase):
    ``apply(new)`` makes it and returns the Event the history records; undo takes that event
    back (``controller.take_back``): to ``position``, as it was just before the edit. The
    controller brings the stepper to ``position`` before a redo."""

    discards_future = True  # doing or undoing it changes the history at ``position``

    def __init__(self, text: str, controller, apply, new) -> None:
        super().__init__(text)
        self.controller = controller
        self.stepper = controller.stepper  # the history the edit belongs to
        self.position = (self.stepper.iteration, self.stepper.phase)
        self.apply, self.new = apply, new
        self.event = None

    def holds(self, stepper) -> bool:
        """Whether ``stepper``'s history still holds this edit (an edit made before its
        position, later, replaced what followed)."""
        return stepper is self.stepper and self.event is not None and any(
            e is self.event for e in stepper.history.events)

    def redo(self) -> None:
        self.event = self.apply(self.new)

    def undo(self) -> None:
        if self.event is not None:  # None: nothing was changed (the settings as they were)
            self.controller.take_back(self.event)
        self.event = None


class SetParametersCommand(EditCommand):
    def __init__(self, controller, addresses: list[ParameterAddress], values: list[float],
                 text: str | None = None) -> None:
        network = controller.network
        if text is None:
            if len(addresses) == 1:
                text = f"Set {parameter_label(network, addresses[0])} = {_number(values[0])}"
            else:
                text = f"Set {len(addresses)} parameters"
        self.addresses = list(addresses)
        self.new_values = [float(v) for v in values]
        self.old_values = [network.get(a) for a in addresses]
        super().__init__(text, controller,
                         lambda values: controller.apply_values(self.addresses, values),
                         self.new_values)


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


class SetThetaCommand(EditCommand):
    """Replace every parameter: re-initialise or jog."""

    def __init__(self, controller, theta: np.ndarray, text: str) -> None:
        super().__init__(text, controller, controller.apply_theta,
                         np.array(theta, dtype=float))


class ChangeSettingsCommand(EditCommand):
    def __init__(self, controller, config: TrainingConfig, text: str) -> None:
        super().__init__(text, controller, controller.apply_config, config)


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
        # the file's one-line description belongs to the old network, not to a lesson's
        self.old = (controller.stepper, controller.init_spec, controller.description)
        self.new = (stepper, init_spec if init_spec is not None else controller.init_spec,
                    None)
        self.after_redo, self.after_undo = after_redo, after_undo
        self._pushed = False  # the first redo is the push itself: no callback

    def _apply(self, state, after) -> None:
        stepper, spec, description = state
        self.controller.description = description
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
