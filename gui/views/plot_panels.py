"""The plots as their docks hold them: the loss plot under its log-scale box, the weights plot
under the chooser of whose weights it draws."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .plots import LossPlot, WeightsPlot


def stacked(box: QWidget, control: QWidget, plot: QWidget) -> None:
    """``plot`` with its ``control`` above it in ``box``, edge to edge."""
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(control)
    layout.addWidget(plot)


def beside(control: QWidget, label: QLabel, spacing: int) -> QWidget:
    """``control`` with ``label`` to its right taking the rest of the line: a plot's line of
    controls, so that what a title would say leaves the plot its height."""
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(control)
    line.addSpacing(spacing)
    line.addWidget(label, 1)
    return row


class LossPanel(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.plot = LossPlot(controller)
        self.log_scale_box = QCheckBox("log scale")
        self.log_scale_box.setObjectName("loss_log_scale")
        self.log_scale_box.setToolTip("Show the loss on a logarithmic axis")
        self.log_scale_box.toggled.connect(self.plot.set_log_scale)
        # the loss named with its formula, beside the box (the plot keeps its height)
        self.formula = QLabel()
        self.formula.setObjectName("loss_formula")
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        stacked(self, beside(self.log_scale_box, self.formula, 16), self.plot)
        self.plot.formula_label = self.formula
        self.plot.show_formula()


class WeightsPanel(QWidget):
    """The weights plot and its chooser: every weight, or one neuron's incoming weights and
    bias; the chooser follows the neuron selected in the graph."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.plot = WeightsPlot(controller)
        self.selector = QComboBox()
        self.selector.setObjectName("weights_neuron_selector")
        self.selector.setToolTip(
            "Every weight, coloured by the neuron it goes to, or one neuron's incoming weights "
            "and bias")
        self.selector.currentIndexChanged.connect(self._neuron_chosen)
        # what is drawn when not every weight has a curve, beside the chooser (a title
        # would take the plot's height: at 1280 × 720 it left the curves 20 pixels)
        self.note = QLabel()
        self.note.setObjectName("weights_note")
        # the chooser keeps its width; the note takes what is left (its tooltip says it all)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        stacked(self, beside(self.selector, self.note, 8), self.plot)
        self.plot.note_label = self.note
        self.plot.say(self.plot.note_text)

    def rebuild(self) -> None:
        """Another network: every weight again, and its neurons to choose from."""
        self.plot.show_neuron(None)
        self.fill_selector()

    def fill_selector(self) -> None:
        """Every weight, or one neuron's, for each neuron of the network. (Filled once the
        docks are laid out: the items' width would widen the dock.)"""
        selector = self.selector
        selector.blockSignals(True)
        selector.clear()
        # short texts (a narrow dock shows them whole); the item's tooltip says the rest
        selector.addItem("all weights", None)
        selector.setItemData(0, "Every weight, coloured by the neuron it goes to",
                             Qt.ItemDataRole.ToolTipRole)
        network = self.controller.network
        for l in range(1, len(network.sizes)):
            for j in range(network.sizes[l]):
                selector.addItem(f"into neuron {j} of layer {l}", (l, j))
                selector.setItemData(selector.count() - 1,
                                     f"The weights into neuron {j} of layer {l}"
                                     + (" and its bias" if network.bias else ""),
                                     Qt.ItemDataRole.ToolTipRole)
        selector.blockSignals(False)

    def _neuron_chosen(self, index: int) -> None:
        self.plot.show_neuron(self.selector.itemData(index))

    def follow(self, neuron: tuple[int, int] | None) -> None:
        """The neuron selected in the graph: its incoming weights (not for an input)."""
        if neuron is not None and neuron[0] > 0:
            index = self.selector.findData(neuron)
            if index >= 0:
                self.selector.setCurrentIndex(index)
