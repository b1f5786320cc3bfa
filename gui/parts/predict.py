"""Predict mode's switch (issue 15): Run ▸ Predict and its toolbar button. Turning it on
shows the Predict panel (gui/views/predict_panel.py); the mode itself is the controller's
(gui/predict_mode.py): stepping then goes one phase at a time, each hidden until predicted."""

from __future__ import annotations

from PySide6.QtCore import QObject

from .actions import make_action


class Predict(QObject):
    """Given the controller, the window's dock ``layout`` and ``owner`` (whose shortcuts the
    action shares)."""

    def __init__(self, controller, layout, owner) -> None:
        super().__init__(owner)
        self.controller = controller
        self.layout = layout
        self.action_predict = make_action(
            owner, "action_predict", "&Predict", "Ctrl+Shift+P", self.set_on,
            "Predict each phase before it is shown: stepping goes one phase at a time and its "
            "results stay hidden (?) until you check your numbers in the Predict panel")
        self.action_predict.setCheckable(True)

    def set_on(self, on: bool) -> None:
        self.controller.set_predicting(on)
        self.action_predict.setChecked(self.controller.predicting)
        if on:
            self.layout.show_dock("predict")
