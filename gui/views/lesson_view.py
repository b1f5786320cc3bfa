"""The lesson panel: the text of the current step, its claims checked live, and Back / Set up
again / Next (gui/parts/lesson_panel.py runs the lesson in the window)."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from engine import lessons

from ..notation import quantity_label, typeset
from .panels import named_button

HOLDS, FAILS = "✓", "✗"
CHECKS_ROOM = 170  # the live checks take the room they need up to this height (then scroll)
TEXT_ROOM = 70  # the step's text keeps at least this much (it scrolls)


def rich(text: str) -> str:
    """Plain notation as HTML: a^{l} or a^1 as a superscript, w_{0,0} as a subscript."""
    text = html.escape(text)
    text = re.sub(r"\^\{([^}]*)\}|\^(\w)", lambda m: f"<sup>{m[1] or m[2]}</sup>", text)
    # w_{0,0}, and b^0_0's single index (digits only: prose may hold a snake_case word)
    return re.sub(r"_\{([^}]*)\}|_(\d+)\b", lambda m: f"<sub>{m[1] or m[2]}</sub>", text)


class LessonPanel(QWidget):
    """The text of the current step, its claims checked live, Back / Set up again / Next."""

    back_requested = Signal()
    again_requested = Signal()
    next_requested = Signal()
    step_chosen = Signal(int)  # a step picked from the list
    predict_requested = Signal()  # the step's exercise: predict mode on

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.heading = QLabel()
        self.heading.setObjectName("lesson_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.steps = QComboBox()
        self.steps.setObjectName("lesson_steps")
        self.steps.setToolTip("Go to any step of the lesson, set up as the lesson does "
                              "(Undo comes back)")
        self.steps.activated.connect(self.step_chosen)
        self.text = QTextBrowser()
        self.text.setObjectName("lesson_text")
        self.text.setOpenLinks(False)
        self.text.setMinimumHeight(TEXT_ROOM)
        # a browser of its own (a word-wrapped label overlapped the text in a short dock), as
        # tall as its claims (up to CHECKS_ROOM): they are what the step asks the learner to see
        self.checks = QTextBrowser()
        self.checks.setObjectName("lesson_checks")
        self.checks.setOpenLinks(False)
        self.checks.setMinimumHeight(40)
        self.checks.document().documentLayout().documentSizeChanged.connect(self._fit_checks)
        self.checks.setToolTip("The step's claims, checked on the network as it is now: edit, "
                               "step or run, and see whether they still hold")
        # the step's prediction exercises, and the button that turns predict mode on
        self.exercise = QLabel()
        self.exercise.setObjectName("lesson_exercise")
        self.exercise.setWordWrap(True)
        self.predict_button = named_button(
            "lesson_predict", "Predict it", "Predict mode on (Run ▸ Predict): step with F11 "
            "and type your numbers in the Predict panel before they are shown",
            self.predict_requested)
        exercise_row = QHBoxLayout()
        exercise_row.addWidget(self.exercise, 1)
        exercise_row.addWidget(self.predict_button)
        buttons = QHBoxLayout()
        self.back_button = named_button("lesson_back", "◀ Back",
                                        "The previous step, as the lesson sets it up (Alt+Left)",
                                        self.back_requested)
        self.again_button = named_button("lesson_again", "Set up again",
                                         "This step as the lesson sets it up, your changes "
                                         "undone (Undo brings them back)", self.again_requested)
        self.next_button = named_button("lesson_next", "Next ▶",
                                        "The next step, from the network as it is now "
                                        "(Alt+Right)", self.next_requested)
        for button in (self.back_button, self.again_button, self.next_button):
            buttons.addWidget(button)
        layout.addWidget(self.heading)
        layout.addWidget(self.steps)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.checks)
        layout.addLayout(exercise_row)
        layout.addLayout(buttons)
        self.show_none()

    def _fit_checks(self, size=None) -> None:
        """The checks' box as tall as its text at its width, up to CHECKS_ROOM."""
        document = self.checks.document()
        frame = 2 * self.checks.frameWidth()
        needed = int(document.size().height()) + frame + 2 if document.toPlainText() else 40
        self.checks.setMinimumHeight(min(needed, CHECKS_ROOM))
        self.checks.setMaximumHeight(max(needed, 40))

    def show_none(self) -> None:
        """No lesson open: what there is to choose from the Lessons menu."""
        self.heading.setText("<b>No lesson open</b>")
        self.text.setHtml("<p>Choose one from the <b>Lessons</b> menu:</p><ul>" + "".join(
            f"<li><b>{html.escape(lesson.title)}</b>: {html.escape(lesson.summary)}</li>"
            for lesson in lessons.HEADERS) + "</ul>")
        self.checks.clear()
        self._show_exercises(())
        self.steps.clear()
        self.steps.setEnabled(False)
        for button in (self.back_button, self.again_button, self.next_button):
            button.setEnabled(False)

    def show_step(self, lesson: lessons.Lesson, index: int) -> None:
        step = lesson.steps[index]
        self.heading.setText(f"<b>{html.escape(lesson.title)}</b><br>Step {index + 1} of "
                             f"{len(lesson.steps)}: {html.escape(step.title)}")
        self.text.setHtml(step.text)
        self._show_exercises(step.predict)
        titles = [f"{k + 1}. {candidate.title}" for k, candidate in enumerate(lesson.steps)]
        if [self.steps.itemText(k) for k in range(self.steps.count())] != titles:
            self.steps.clear()
            self.steps.addItems(titles)
        self.steps.setCurrentIndex(index)
        self.steps.setEnabled(True)
        self.back_button.setEnabled(index > 0)
        self.again_button.setEnabled(True)
        self.next_button.setEnabled(True)
        last = index == len(lesson.steps) - 1
        self.next_button.setText("Finish" if last else "Next ▶")
        self.next_button.setToolTip("Close the lesson; the network stays as it is" if last
                                    else "The next step, from the network as it is now "
                                         "(Alt+Right)")

    def _show_exercises(self, exercises) -> None:
        """"Predict n¹ (after forward layer 1)": the step's exercises, or nothing."""
        shown = bool(exercises)
        self.exercise.setVisible(shown)
        self.predict_button.setVisible(shown)
        self.exercise.setText("Predict " + "; ".join(
            f"{typeset(quantity_label(e.quantity))} (after {e.phase})" for e in exercises)
            if shown else "")

    def show_verdicts(self, verdicts: list[tuple[lessons.Check, lessons.Verdict]] | None,
                      note: str = "") -> None:
        """The claims with ✓ or ✗ and their numbers; ``note`` instead when they cannot be
        checked (the network is not the lesson's)."""
        if verdicts is None:
            self.checks.setHtml(f"<i>{html.escape(note, quote=False)}</i>")
            return
        rows = []
        for claim, verdict in verdicts:
            mark, colour = (HOLDS, "#1a7f37") if verdict.holds else (FAILS, "#c62828")
            rows.append(f"<span style='color:{colour}'><b>{mark}</b></span> "
                        f"{rich(claim.text)}<br><small style='color:#555'>"
                        f"{rich(verdict.detail)}</small>")
        bar = self.checks.verticalScrollBar()
        where = bar.value()  # a live update keeps the learner's place in the list
        self.checks.setHtml("<b>Check, live:</b><br>" + "<br>".join(rows))
        bar.setValue(where)
