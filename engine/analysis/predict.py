"""Predict before the engine reveals, and name the mistake.

In predict mode the learner steps one phase at a time; before a phase runs the window hides
what it will compute and the learner types their numbers for one of its results. A
``PhaseQuiz`` is made just before the phase (``PhaseQuiz.before(stepper)``: it keeps the
parameters the phase will use); once the phase has run, ``check`` reads the learner's text
(engine.io.matrix_text, never evaluated), marks each cell right or wrong with
engine.analysis.compare's rule (a number is compared to the digits it was typed with) and,
for a wrong answer, names the common mistake its numbers fit (engine.analysis.mistakes).

What a phase computes (its main result first):
    forward layer l   a^l, n^l
    loss              C, ∂C/∂a^L
    backward layer l  δ^l, ∂C/∂a^l (hidden layers), ∂a^l/∂n^l, ∂C/∂W^{l−1}, ∂C/∂b^{l−1}
    update            W^{L−1} after the update, then every W^k and b^k after it
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..core.network import Network
from ..core.optimizers import TrainingConfig
from ..core.phases import Phase
from .compare import Quantity, compare, quantity, read_matrix
from .mistakes import Mistake, Situation, first_fit

__all__ = ["Mistake", "PhaseQuiz", "Prediction", "Target"]


@dataclass(frozen=True)
class Target:
    """One result of a phase the learner may predict: ``key`` a compare.Quantity key
    ("a^1", "delta^3", "dC/dW^1", …), "loss", or "W^k new" / "b^k new" (after the update);
    ``label`` in the seeds' notation ("δ^3", "C", "W^0 after the update")."""

    key: str
    label: str


@dataclass
class Prediction:
    target: Target
    yours: np.ndarray  # 2-D, as typed
    expected: np.ndarray  # 2-D, what the engine computed (in the shape compared)
    correct: np.ndarray | None  # per cell; None when the shapes do not match
    status: str  # "right", "wrong" or "shape"
    message: str  # one line for the learner
    mistake: Mistake | None  # the common mistake the numbers fit, for "wrong" and "shape"


_STATUS = {"agree": "right", "differ": "wrong", "shape": "shape"}
DIGITS_NOTE = "(compared to the digits you typed)"
PREDICT_DECIMALS = 2  # numbers typed with fewer decimals are compared as they are


class PhaseQuiz:
    """Made just before a phase runs; it keeps what it needs of the state before (the
    parameters the phase uses: the update replaces them)."""

    def __init__(self, phase: Phase, index: int, iteration: int, before: Network,
                 config: TrainingConfig) -> None:
        self.phase = phase
        self.index = index  # into stepper.phases
        self.iteration = iteration
        self.network_before = before  # a copy of the network as the phase found it
        self.config = config

    @classmethod
    def before(cls, stepper) -> PhaseQuiz:
        """The quiz on the phase the stepper is about to do (``stepper.phase``)."""
        index = stepper.phase
        return cls(stepper.phases[index], index, stepper.iteration, stepper.network.copy(),
                   stepper.config)

    # ------------------------------------------------------------------ targets
    def targets(self, network: Network) -> list[Target]:
        """What the phase computes, its main result first."""
        L, kind, l = network.layer_count, self.phase.kind, self.phase.layer
        if kind == "forward":
            return [Target(f"a^{l}", f"a^{l}"), Target(f"n^{l}", f"n^{l}")]
        if kind == "loss":
            return [Target("loss", "C"), Target(f"dC/da^{L}", f"∂C/∂a^{L}")]
        if kind == "backward":
            k = l - 1
            found = [Target(f"delta^{l}", f"δ^{l}")]
            if l < L:
                found.append(Target(f"dC/da^{l}", f"∂C/∂a^{l}"))
            found += [Target(f"da^{l}/dn^{l}", f"∂a^{l}/∂n^{l}"),
                      Target(f"dC/dW^{k}", f"∂C/∂W^{k}")]
            if network.bias:
                found.append(Target(f"dC/db^{k}", f"∂C/∂b^{k}"))
            return found
        main = _new("W", L - 1)
        every = [_new(name, k) for k in range(L) for name in "Wb"
                 if name == "W" or network.bias]
        return [main] + [target for target in every if target != main]

    def main_target(self, network: Network) -> Target:
        return self.targets(network)[0]

    # -------------------------------------------------------------------- check
    def check(self, text: str, stepper, target: Target | None = None) -> Prediction:
        """``stepper`` after the phase ran; ``text`` the learner's numbers. ValueError with
        a clear message when the text is not a matrix (read_matrix's), when the target is
        not one of the phase's, or when the stepper is not just after the phase."""
        parsed = read_matrix(text)
        # compared to the digits typed: a number with at least two decimals is right within
        # one unit of its last digit (rounded or cut off: 0.7685248 typed 0.769 or 0.768, as
        # the Compare panel takes the seed's printed tables); one with fewer is compared as
        # it is (a "1" or "0.8" is not the learner's 0.7685)
        rounding = parsed.allowance(PREDICT_DECIMALS, 1.0)
        self._check_position(stepper)
        target = target or self.main_target(stepper.network)
        known = self.targets(stepper.network)
        if target.key not in {t.key for t in known}:
            raise ValueError(f"{target.label} is not computed by {self.phase} (it computes "
                             f"{', '.join(t.label for t in known)})")
        expected = self._expected(stepper, target)
        result = compare(parsed.values, expected, rounding=rounding)
        if result.status not in _STATUS:  # "pending": cannot happen once the phase ran
            raise ValueError(f"{target.label} has not been computed yet")
        status = _STATUS[result.status]
        correct = None if result.mismatch is None else ~result.mismatch
        mistake = None
        if status != "right":
            situation = Situation(self.phase, self.network_before, stepper.network, stepper.trace,
                                  self.config)
            candidates = situation.candidates(target.key, target.label, expected.value,
                                              expected.augmented, expected.rows,
                                              expected.columns)
            mistake = first_fit(candidates, lambda c: compare(
                parsed.values, replace(expected, value=c.value, augmented=c.augmented),
                rounding=rounding).status == "agree")
        return Prediction(target, result.yours, result.engine_value, correct, status,
                          _message(status, result, expected, target), mistake)

    def shape_text(self, stepper, target: Target) -> str:
        """What the learner types for ``target``, by its shape only (nothing of its numbers):
        "2 rows (observations) × 3 columns (neurons of layer 1)", "one number"."""
        q = self._expected(stepper, target)
        rows, columns = q.value.shape
        if (rows, columns) == (1, 1):
            return "one number"
        row_text = "" if q.rows == "one row" else f" ({q.rows})"
        return (f"{rows} row{'s' * (rows != 1)}{row_text} × {columns} column"
                f"{'s' * (columns != 1)} ({q.columns})")

    def _check_position(self, stepper) -> None:
        after = ((self.iteration + 1, 0) if self.index == len(stepper.phases) - 1
                 else (self.iteration, self.index + 1))
        if (stepper.iteration, stepper.phase) != after or stepper.trace is None:
            raise ValueError(f"this quiz is on {self.phase} of iteration {self.iteration}: "
                             "check it just after that phase has run")

    def _expected(self, stepper, target: Target) -> Quantity:
        """The engine's value for ``target`` as a compare.Quantity (its augmented form too,
        so that [1 | a], [∂C/∂b; ∂C/∂W] and [b; W] are accepted as compare() accepts them)."""
        network, trace = stepper.network, stepper.trace
        L = network.layer_count
        if target.key == "loss":
            return Quantity("loss", "C", L, Phase("loss"), np.array([[trace.loss]]),
                            "the loss", rows="one row", columns="the loss")
        if target.key.startswith("W^"):  # after the update: the network now holds it
            q = quantity(network, trace, target.key.split()[0])
            return replace(q, key=target.key, label=target.label, phase=self.phase,
                           phase_index=self.index)
        if target.key.startswith("b^"):
            k = int(target.key[2:].split()[0])
            return Quantity(target.key, target.label, self.index, self.phase,
                            np.array(network.biases[k], dtype=float)[np.newaxis, :],
                            f"the biases into layer {k + 1}", rows="one row",
                            columns=f"neurons of layer {k + 1}")
        return quantity(network, trace, target.key)


def _new(name: str, k: int) -> Target:
    return Target(f"{name}^{k} new", f"{name}^{k} after the update")


def _size(shape) -> str:
    return f"{shape[0]}×{shape[1]}"


def _message(status: str, result, expected: Quantity, target: Target) -> str:
    """One line: how many numbers are right, or what shape was expected."""
    if status == "shape":
        ours = expected.value.shape
        if ours == (1, 1):
            return (f"{target.label} is one number; yours is {_size(result.yours.shape)}")
        also = ("" if expected.augmented is None
                else f" (or {_size(expected.augmented.shape)} as {expected.augmented_label})")
        rows = "" if expected.rows == "one row" else f" ({expected.rows})"
        return (f"{target.label} is {_size(ours)}{also}: {ours[0]} row"
                f"{'s' * (ours[0] != 1)}{rows} of {ours[1]} number"
                f"{'s' * (ours[1] != 1)} ({expected.columns}); yours is "
                f"{_size(result.yours.shape)}")
    total = result.yours.size
    right = total - int(result.mismatch.sum())
    if total == 1:
        return f"the number is {status} {DIGITS_NOTE}"
    if right == total:
        return f"all {total} numbers right {DIGITS_NOTE}"
    return f"{right} of {total} numbers right {DIGITS_NOTE}"
