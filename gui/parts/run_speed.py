"""The run's speed in the run toolbar (issue 14, point 11): a spin box of iterations a second,
from 1 to "full" at its maximum, and a "phases" check box that animates each iteration phase
by phase. Both are remembered between sessions (gui/parts/settings.py) and given to the
controller (``set_run_speed``), which paces the run (gui/pacing.py).

A spin box rather than a slider: the value is a number the learner reads and can type
exactly ("3" for three iterations a second), the arrow keys and the wheel step through
1, 2, 5, 10, 20, 50 … 500, full, and it takes little room in a toolbar that is already full.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from ..pacing import EACH_SHOWN_UP_TO, MAX_PER_SECOND
from . import settings as store

FULL = MAX_PER_SECOND + 1  # the spin box's maximum, shown as "full"
FULL_TEXT = "full"
SUFFIX = " it/s"
LADDER = (1, 2, 5, 10, 20, 50, 100, 200, 500, FULL)  # what the arrows step through


class SpeedBox(QSpinBox):
    """Iterations a second, 1 … MAX_PER_SECOND, and "full" at the maximum."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("run_speed")
        self.setRange(1, FULL)
        self.setValue(FULL)
        self.setKeyboardTracking(False)  # typing "25" is one change, at Enter, not 2 then 25
        self.setToolTip(
            f"Run speed: iterations a second, 1 to {MAX_PER_SECOND}, or full (as fast as the "
            f"machine goes; the arrow keys step 1, 2, 5, 10 … full). Up to {EACH_SHOWN_UP_TO} "
            "a second the graph and the plots show every iteration. Remembered.")

    def _wider(self, hint: QSize) -> QSize:
        """Qt sizes a spin box by the texts of its minimum and maximum ("1 it/s", "full"):
        wide enough for the widest value too."""
        metrics = self.fontMetrics()
        widest = metrics.horizontalAdvance(self.textFromValue(MAX_PER_SECOND))
        shown = max(metrics.horizontalAdvance(self.textFromValue(v)) for v in (1, FULL))
        return QSize(hint.width() + max(0, widest - shown), hint.height())

    def sizeHint(self) -> QSize:
        return self._wider(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._wider(super().minimumSizeHint())

    @property
    def per_second(self) -> int | None:
        """The speed: iterations a second, None at full speed."""
        return None if self.value() >= FULL else self.value()

    def set_per_second(self, per_second: int | None) -> None:
        self.setValue(FULL if per_second is None else per_second)

    def textFromValue(self, value: int) -> str:
        return FULL_TEXT if value >= FULL else f"{value}{SUFFIX}"

    def _number(self, text: str) -> str:
        text = text.strip().lower()
        return text[:-len(SUFFIX.strip())].strip() if text.endswith(SUFFIX.strip()) else text

    def valueFromText(self, text: str) -> int:
        number = self._number(text)
        if number and FULL_TEXT.startswith(number):
            return FULL
        return int(number) if number.isdigit() else self.value()

    def validate(self, text: str, position: int):
        number = self._number(text)
        if not number:
            return QValidator.State.Intermediate
        if FULL_TEXT.startswith(number):  # "f" and Enter: full speed
            return QValidator.State.Acceptable
        if not number.isdigit():
            return QValidator.State.Invalid
        value = int(number)
        if 1 <= value <= FULL:
            return QValidator.State.Acceptable
        return QValidator.State.Invalid if value > FULL else QValidator.State.Intermediate

    def stepBy(self, steps: int) -> None:
        """Up or down the ladder 1, 2, 5, 10 … full, from wherever the value is."""
        value = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                value = next((v for v in LADDER if v > value), FULL)
            else:
                value = next((v for v in reversed(LADDER) if v < value), 1)
        self.setValue(value)


class RunSpeedControls(QWidget):
    """The spin box (``speed``) and the check box (``phases``), set from the settings and
    given to ``controller`` whenever either changes."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.speed = SpeedBox()
        self.phases = QCheckBox("phases")
        self.phases.setObjectName("run_phases")
        self.phases.setToolTip(
            "Run phase by phase: forward layer by layer, the loss, backward layer by layer, "
            "the update, the graph tinting the layer of each phase in turn (green forward, "
            "red backward); at the chosen speed, an iteration's phases sharing its time")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        label = QLabel("speed")
        label.setBuddy(self.speed)
        for widget in (label, self.speed, self.phases):
            layout.addWidget(widget)
        per_second, phases = store.run_speed()
        self.speed.set_per_second(per_second)
        self.phases.setChecked(phases)
        controller.set_run_speed(per_second, phases)
        self.speed.valueChanged.connect(self._changed)
        self.phases.toggled.connect(self._changed)

    def _changed(self) -> None:
        per_second, phases = self.speed.per_second, self.phases.isChecked()
        self.controller.set_run_speed(per_second, phases)
        try:
            store.store_run_speed(per_second, phases)
        except OSError as error:
            self.controller.post_message(
                f"The run speed is set but could not be remembered: {error.strerror or error}")
