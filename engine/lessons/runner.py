"""Setting a lesson's step up afresh on a bare Stepper (``build``: how Back works and how
the tests walk every lesson), and running its checks."""

from __future__ import annotations

from ..core.network import Network
from ..core.stepper import Stepper
from .actions import EngineLab, Load, Remember
from .checks import Check, Verdict
from .content import Lesson, Step


def build(lesson: Lesson, index: int, **stepper_options) -> EngineLab:
    """Step ``index`` of ``lesson`` set up afresh: the actions of steps 0 … index on a new
    lab (less those a later load replaces). Deterministic: the same state (θ, history,
    memo) every time. ``stepper_options`` go to the Stepper (the window's seek_seconds)."""
    if not 0 <= index < len(lesson.steps):
        raise ValueError(f"{lesson.title}: no step {index + 1} (it has {len(lesson.steps)})")
    lab = EngineLab(stepper_options=stepper_options)
    last_load = _last_load(lesson, index)
    for k in range(_first_needed(lesson, index), index + 1):
        step = lesson.steps[k]
        if k < last_load and not _remembers(step):
            continue  # replaced by a later load; kept only for what it remembers
        for action in step.actions:
            action.apply(lab)
    return lab


def _loads(step: Step) -> bool:
    return bool(step.actions) and isinstance(step.actions[0], Load)


def _remembers(step: Step) -> bool:
    return any(isinstance(action, Remember) for action in step.actions)


def _last_load(lesson: Lesson, index: int) -> int:
    """The last step up to ``index`` that starts by loading a network: the earlier steps'
    state does not reach past it."""
    return max(k for k in range(index + 1) if _loads(lesson.steps[k]))


def _first_needed(lesson: Lesson, index: int) -> int:
    """The first step whose actions ``build`` must apply: the last load, or an earlier one
    that a remembered run needs (a step that remembers must start by loading)."""
    first = _last_load(lesson, index)
    for k in range(first):
        if _remembers(lesson.steps[k]):
            return _last_load(lesson, k)
    return first


def check(step: Step, stepper: Stepper, memo: dict) -> list[tuple[Check, Verdict]]:
    return [(claim, claim(stepper, memo)) for claim in step.checks]


def structure_of(network: Network) -> tuple:
    """What a step's actions need the live network to keep: its shape and activations."""
    return tuple(network.sizes), tuple(network.activation_names), network.bias


def walk(lesson: Lesson, **stepper_options):
    """Walk ``lesson`` headless as a learner pressing Next does: every step's actions on one
    lab, in turn; yields (index, step, [(claim, verdict), …]) after each step."""
    lab = EngineLab(stepper_options=stepper_options)
    for index, step in enumerate(lesson.steps):
        for action in step.actions:
            action.apply(lab)
        yield index, step, check(step, lab.stepper, lab.memo)
