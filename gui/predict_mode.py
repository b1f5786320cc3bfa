"""Predict mode, the controller's part (mixed into gui.controller.LabController): the learner
predicts what a phase computes before the window shows it (issue 15).

While predict mode is on, stepping goes one phase at a time. Each phase is asked as a quiz
(engine.analysis.predict.PhaseQuiz, made just before the phase runs): what it computed is
*concealed* — the views read ``display_trace()`` and ``concealed()`` and show "?" — until the
learner checks their numbers (``check_prediction``) or gives up (``reveal``). A check marks
each cell right or wrong, names the mistake that fits a wrong answer, reveals the phase and
counts in the session's score. Anything else that moves the position (running, rewinding,
an edit, another file) reveals the phase unasked and leaves the score as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import TYPE_CHECKING

from engine.core.backprop import Trace
from engine.core.phases import Phase

if TYPE_CHECKING:  # imported when predict mode first asks (not at the window's start-up)
    from engine.analysis.predict import PhaseQuiz, Prediction, Target

# what each kind of phase computes, as the trace's fields (by layer)
_FORWARD = ("pre_activations", "activations")
_BACKWARD = ("dcost_dactivations", "dactivation_dpre", "deltas")


@dataclasses.dataclass
class Score:
    """The session's predictions: checked, of which right, and phases revealed unanswered."""

    right: int = 0
    checked: int = 0
    revealed: int = 0

    def text(self) -> str:
        if not self.checked and not self.revealed:
            return "No predictions yet this session."
        text = f"{self.right} of {self.checked} predictions right this session"
        if self.revealed:
            text += f" ({self.revealed} revealed without an answer)"
        return text + "."


def concealed_trace(trace: Trace, phase: Phase) -> Trace:
    """``trace`` with what ``phase`` computed taken out (None, as a quantity not computed
    yet): the views then show "?" for it."""
    lists = {name: list(getattr(trace, name)) for name in (
        "pre_activations", "activations", "dcost_dactivations", "dactivation_dpre", "deltas",
        "weight_gradients", "bias_gradients")}
    hidden = dataclasses.replace(trace, **lists)
    l = phase.layer
    if phase.kind == "forward":
        for name in _FORWARD:
            getattr(hidden, name)[l] = None
    elif phase.kind == "loss":
        hidden.loss = None
        hidden.dcost_dactivations[trace.layer_count] = None
    elif phase.kind == "backward":
        for name in _BACKWARD:
            if l < trace.layer_count or name != "dcost_dactivations":
                getattr(hidden, name)[l] = None
        hidden.weight_gradients[l - 1] = None
        hidden.bias_gradients[l - 1] = None
    return hidden


class PredictMode:
    """Uses the controller's stepper, ``pause``, ``_guarded`` and signals; the controller
    calls ``_init_predict`` once and ``_predict_moved`` whenever the position moved other
    than by a quiz's own step."""

    def _init_predict(self) -> None:
        self.predicting = False
        self.quiz: PhaseQuiz | None = None  # the phase asked, still concealed
        self._quiz_at: tuple[int, int] | None = None  # the position just after it
        self.prediction: Prediction | None = None  # the last one checked
        self.score = Score()
        # a lesson step's exercises: the quantity to offer first for a phase ("forward layer
        # 1": "n^1")
        self.predict_hints: dict[str, str] = {}
        self._own_move = False  # inside a quiz's own step or reveal
        for signal in (self.position_changed, self.parameters_changed, self.structure_changed,
                       self.settings_changed, self.document_loaded):
            signal.connect(self._predict_moved)

    @contextlib.contextmanager
    def _quiz_moving(self):
        self._own_move = True
        try:
            yield
        finally:
            self._own_move = False

    # ------------------------------------------------------------------ state
    def set_predicting(self, on: bool) -> None:
        """Predict mode on or off; off reveals a phase still concealed."""
        on = bool(on)
        if on == self.predicting:
            return
        self.pause()
        self.predicting = on
        was_concealed = self.concealed() is not None
        if not on:
            self._drop_quiz(count=True)
        self.prediction = None
        if was_concealed and not on:
            with self._quiz_moving():
                self.position_changed.emit()  # the views show the phase now
        self.prediction_changed.emit()

    def concealed(self) -> Phase | None:
        """The phase whose results the views hide now, or None."""
        s = self.stepper
        if self.quiz is None or self._quiz_at != (s.iteration, s.phase):
            return None
        return self.quiz.phase

    def concealed_update(self) -> bool:
        """Whether the parameters the update just made are hidden."""
        phase = self.concealed()
        return phase is not None and phase.kind == "update"

    def predict_targets(self) -> list[Target]:
        """What the phase asked computed (the main result first), or [] with none asked."""
        if self.quiz is None:
            return []
        targets = self.quiz.targets(self.network)
        hint = self.predict_hints.get(str(self.quiz.phase))
        # a lesson's exercise first (then the phase's main result and the rest)
        return sorted(targets, key=lambda target: target.key != hint)

    # --------------------------------------------------------------- stepping
    def step_predicted_phase(self) -> None:
        """Predict mode's step: the next phase, run and concealed, asked as a quiz (a phase
        still concealed is revealed first, unanswered)."""
        self.pause()
        self._drop_quiz(count=True)
        from engine.analysis.predict import PhaseQuiz

        quiz = PhaseQuiz.before(self.stepper)
        self.prediction = None
        with self._quiz_moving():
            # concealed before the views hear of the step (the step's own signal)
            s = self.stepper
            self.quiz = quiz
            self._quiz_at = None
            if not self._guarded(lambda: (s.step_phase(), self._conceal_here())):
                self.quiz, self._quiz_at = None, None
        self.prediction_changed.emit()

    def _conceal_here(self) -> None:
        s = self.stepper
        self._quiz_at = (s.iteration, s.phase)
        self._display_trace = None

    def check_prediction(self, text: str, target: Target | None = None) -> Prediction:
        """Check the learner's ``text`` for ``target`` (the phase's main result by default)
        against the phase concealed; reveals it and counts in the score. ValueError (the
        text is not a matrix, or nothing is asked) leaves everything as it was."""
        if self.concealed() is None:
            raise ValueError("nothing to predict: step a phase in predict mode first")
        prediction = self.quiz.check(text, self.stepper, target)
        self.prediction = prediction
        self.score.checked += 1
        self.score.right += prediction.status == "right"
        self._drop_quiz(count=False)
        with self._quiz_moving():
            self.position_changed.emit()  # the views show the phase now
        self.prediction_changed.emit()
        return prediction

    def reveal(self) -> None:
        """Show the phase concealed without an answer (counted as revealed)."""
        if self.concealed() is None:
            return
        self._drop_quiz(count=True)
        with self._quiz_moving():
            self.position_changed.emit()
        self.prediction_changed.emit()

    def _drop_quiz(self, count: bool) -> None:
        if self.quiz is not None and count and self.concealed() is not None:
            self.score.revealed += 1
        self.quiz, self._quiz_at = None, None

    def _predict_moved(self) -> None:
        """The position moved by something else than a quiz's step: a phase concealed is
        revealed (unanswered), the last answer forgotten."""
        if self._own_move:
            return
        if self.quiz is not None or self.prediction is not None:
            self._drop_quiz(count=True)
            self.prediction = None
            self.prediction_changed.emit()
