"""The timeline: a slider over every iteration so far. Moving it rewinds the engine exactly
(``Stepper.seek``) and the whole window follows; going on from an earlier iteration discards
the later ones, after the window asks (``LabController.may_discard_future``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProxyStyle,
    QSlider,
    QStyle,
    QStyleFactory,
    QWidget,
)

SLIDER_LIMIT = 2**31 - 1


class JumpingStyle(QProxyStyle):
    """The platform's style, but a left click in a slider's groove goes to the iteration
    under the mouse (and the handle follows the drag from there), as the README says, rather
    than a page step towards it."""

    def styleHint(self, hint, option=None, widget=None, returned=None) -> int:
        if hint == QStyle.StyleHint.SH_Slider_AbsoluteSetButtons:
            return Qt.MouseButton.LeftButton.value
        return super().styleHint(hint, option, widget, returned)


def iterations_text(count: int) -> str:
    """"1 iteration", "0 iterations", "3000 iterations"."""
    return f"{count} iteration{'' if count == 1 else 's'}"


class Timeline(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._offset, self._scale = 0, 1  # slider value v shows iteration offset + v·scale
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline_slider")
        self.slider.setMinimumWidth(240)
        # the platform's style with left clicks that jump (a QObject child of the slider, so
        # that it lives as long as the slider, which does not own the styles it is given)
        self._style = JumpingStyle(QStyleFactory.create(QApplication.style().name()))
        self._style.setParent(self.slider)
        self.slider.setStyle(self._style)
        self.slider.setToolTip(
            "Every iteration so far: click or drag to rewind to any of them exactly (the "
            "graph, the panels and a cursor on the plots follow). Stepping or running from an "
            "earlier iteration discards the later ones, after asking.")
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
