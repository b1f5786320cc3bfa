"""The timeline: a slider over every iteration so far. Moving it rewinds the engine exactly
(``Stepper.seek``) and the whole window follows. The history is a tape: stepping or running
from an earlier iteration replays the iterations recorded; only an edit there discards the
later ones, after the window asks (``LabController.may_discard_future``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

SLIDER_LIMIT = 2**31 - 1


class JumpingSlider(QSlider):
    """A slider on which a left click in the groove goes to the value under the mouse (and
    the handle follows the drag from there), as the README says, rather than a page step
    towards it. (A press on the handle drags it as usual.)"""

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            style = self.style()
            handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                          QStyle.SubControl.SC_SliderHandle, self)
            point = event.position().toPoint()
            if not handle.contains(point):
                groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                              QStyle.SubControl.SC_SliderGroove, self)
                # the handle's centre travels between the groove's ends less half a handle
                span = max(1, groove.width() - handle.width())
                offset = round(point.x() - groove.x() - handle.width() / 2)
                self.setSliderPosition(QStyle.sliderValueFromPosition(
                    self.minimum(), self.maximum(), min(max(offset, 0), span), span,
                    option.upsideDown))
        super().mousePressEvent(event)  # the handle is under the mouse now: a drag follows


def iterations_text(count: int) -> str:
    """"1 iteration", "0 iterations", "3000 iterations"."""
    return f"{count} iteration{'' if count == 1 else 's'}"


class Timeline(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._offset, self._scale = 0, 1  # slider value v shows iteration offset + v·scale
        self.slider = JumpingSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline_slider")
        self.slider.setMinimumWidth(240)
        self.slider.setToolTip(
            "Every iteration so far: click or drag to rewind to any of them exactly (the "
            "graph, the panels and a cursor on the plots follow). Stepping or running from an "
            "earlier iteration replays the recorded ones; an edit there discards the later "
            "ones, after asking.")
        self.slider.valueChanged.connect(self._moved)
        self.label = QLabel()
        self.label.setObjectName("timeline_label")
        self.label.setMinimumWidth(150)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("timeline"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.refresh()

    def _moved(self, value: int) -> None:
        stepper = self.controller.stepper
        iteration = min(self._offset + value * self._scale, stepper.head_iteration)
        if iteration != stepper.iteration or stepper.phase:
            self.controller.seek(iteration)

    def _position(self, iteration: int) -> int:
        return (iteration - self._offset) // self._scale

    def refresh(self) -> None:
        stepper = self.controller.stepper
        head, first = stepper.head_iteration, stepper.start_iteration
        # a QSlider counts in 32 bits: a run continued from beyond 2³¹ − 1 iterations is
        # shown from its first iteration, and a span beyond that in steps of several
        self._offset, self._scale = 0, 1
        if head > SLIDER_LIMIT:
            self._offset = first
            self._scale = max(1, -(-(head - first) // SLIDER_LIMIT))
        self.slider.blockSignals(True)
        self.slider.setRange(self._position(first), self._position(head))
        self.slider.setValue(self._position(stepper.iteration))
        self.slider.setPageStep(max(1, (head - first) // self._scale // 20))
        self.slider.blockSignals(False)
        since = f" (from {first})" if first else ""
        self.label.setText(f"at {stepper.iteration} of {head}{since}"
                           if stepper.has_future else f"{iterations_text(head)}{since}")
