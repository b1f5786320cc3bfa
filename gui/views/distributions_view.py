"""Distributions (issue 16): per layer, the histogram of its weights, gradients or activations
at the current position, the same histogram over the iterations as a heatmap (TensorBoard's),
and a table of each layer's neurons that have stopped learning (dead ReLUs, saturated
sigmoids and tanh: the rules of engine.analysis.distributions, stated in the table's tips).

The heatmap's rows are the stepper's parameter snapshots before where the timeline stands (at
most 64, powers of two apart), and the current position's last, each snapshot a pass over the
data set computed once and kept as histograms, the newest first: one new row per refresh while
a run goes on, rows for up to ``PAUSED_SECONDS`` per refresh while paused (every row of a small
network), and the rest when the learner asks (the button under the heatmap says how many).
Refreshed like the plots."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.distributions import (
    BINS,
    QUANTITIES,
    DistributionHistory,
    histogram,
    histograms,
    layer_values,
    neuron_counts,
    rule,
)

from ..notation import typeset

ROWS_WHILE_RUNNING = 1  # heatmap rows a refresh computes during a run
PAUSED_SECONDS = 0.15  # what a refresh while paused may spend on rows (at least one)
HEAT_BINS = 48
COLOUR_MAP = "viridis"


def quantity_title(quantity: str, layer: int) -> str:
    return typeset({"weights": f"weights W^{layer - 1} into layer {layer}",
                    "gradients": f"gradients ∂C/∂W^{layer - 1}",
                    "activations": f"activations a^{layer}"}[quantity])


class DistributionsPanel(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("distributions_panel")
        self.controller = controller
        self.rows = DistributionHistory()
        self.counts = []
        self.current = None  # the histogram shown (engine Histogram) or None
        self.refreshes = 0
        self.heatmap = None  # the engine's Heatmap drawn, or None

        self.layer_box = QComboBox()
        self.layer_box.setObjectName("distributions_layer")
        self.layer_box.setToolTip("the layer whose numbers are shown")
        self.quantity_box = QComboBox()
        self.quantity_box.setObjectName("distributions_quantity")
        self.quantity_box.setToolTip("its weights, their gradients or its activations")
        for quantity in QUANTITIES:
            self.quantity_box.addItem(quantity, quantity)
        self.layer_box.currentIndexChanged.connect(lambda _i: self._chosen())
        self.quantity_box.currentIndexChanged.connect(lambda _i: self._chosen())
        controls = QHBoxLayout()
        controls.addWidget(self.layer_box)
        controls.addWidget(self.quantity_box)
        controls.addStretch(1)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("distributions_counts")
        self.table.setHorizontalHeaderLabels(["layer", "activation", "neurons",
                                              "stopped learning"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("distributions_plots")
        self.plots.setBackground("w")
        self.now_plot = self.plots.addPlot(row=0, col=0)
        self.now_plot.setLabel("left", "count")
        self.now_plot.hideButtons()
        self.now_plot.setMenuEnabled(False)
        self.bars = pg.PlotDataItem(stepMode="center", fillLevel=0,
                                    brush=pg.mkBrush(70, 110, 200, 150), pen=pg.mkPen("k"))
        self.now_plot.addItem(self.bars)
        self.heat_plot = self.plots.addPlot(row=1, col=0)
        self.heat_plot.setLabel("left", "iteration")
        self.heat_plot.hideButtons()
        self.heat_plot.setMenuEnabled(False)
        self.heat_plot.setXLink(self.now_plot)
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setColorMap(pg.colormap.get(COLOUR_MAP))
        self.heat_plot.addItem(self.heat)
        for plot in (self.now_plot, self.heat_plot):
            for side in ("bottom", "left"):
                plot.getAxis(side).enableAutoSIPrefix(False)

        self.note = QLabel()
        self.note.setObjectName("distributions_note")
        self.note.setWordWrap(True)
        self.more_button = QPushButton()
        self.more_button.setObjectName("distributions_more")
        self.more_button.setToolTip("Each row is a forward and backward pass over the data "
                                    "set at that iteration's parameters")
        self.more_button.clicked.connect(self.fill_now)
        self.more_button.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.table)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.more_button)
        self.rebuild()

    # ------------------------------------------------------------------ choices
    @property
    def layer(self) -> int:
        return self.layer_box.currentData() or 1

    @property
    def quantity(self) -> str:
        return self.quantity_box.currentData() or "weights"

    def choose(self, layer: int, quantity: str) -> None:
        """Show ``quantity`` of layer ``layer`` (as the two boxes do)."""
        self.layer_box.setCurrentIndex(self.layer_box.findData(layer))
        self.quantity_box.setCurrentIndex(self.quantity_box.findData(quantity))

    def _chosen(self, refresh: bool = True) -> None:
        for index, quantity in enumerate(QUANTITIES):
            self.quantity_box.setItemText(index, quantity_title(quantity, self.layer))
        if refresh:
            self.refresh()

    # ------------------------------------------------------------------ refreshing
    def rebuild(self) -> None:
        """Another network or data: its layers to choose from, the rows computed again (at
        the next refresh, when in view)."""
        self.rows.clear()
        network = self.controller.network
        layer = self.layer if self.layer_box.count() else 1
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for l in range(1, network.layer_count + 1):
            self.layer_box.addItem(f"layer {l} ({network.activation_names[l - 1]})", l)
        self.layer_box.setCurrentIndex(min(layer, network.layer_count) - 1)
        self.layer_box.blockSignals(False)
        self.table.clearContents()
        self.table.setRowCount(network.layer_count)
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setMaximumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + row_height * min(network.layer_count, 4)
                                    + 2 * self.table.frameWidth())
        self._chosen(refresh=False)

    def refresh(self) -> None:
        """The current position's histogram and counts, and the heatmap's rows so far."""
        controller = self.controller
        network = controller.network
        trace = controller.display_trace(backward=True)
        self.counts = neuron_counts(network, trace)
        self._fill_table()
        values = layer_values(network, trace, self.quantity, self.layer)
        self.current = None if values is None else histogram(values, BINS)
        self._draw_current()
        self.rows.sync(controller.stepper)
        self.rows.set_now(controller.stepper.iteration,
                          histograms(network, trace, self.rows.bins))
        if controller.running:
            self.rows.compute(controller.stepper, ROWS_WHILE_RUNNING)
        else:
            started = time.perf_counter()
            while (self.rows.compute(controller.stepper, 1)
                   and time.perf_counter() - started < PAUSED_SECONDS):
                pass
        self._draw_heat()
        self.refreshes += 1

    def fill_now(self) -> None:
        """Every row due, now (the button under the heatmap)."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.rows.sync(self.controller.stepper)
            self.rows.compute(self.controller.stepper)
        finally:
            QApplication.restoreOverrideCursor()
        self._draw_heat()

    # ------------------------------------------------------------------ drawing
    def _fill_table(self) -> None:
        for row, count in enumerate(self.counts):
            tip = rule(count.activation) or f"{count.activation}: no rule for neurons that " \
                                             "stop learning"
            if count.neurons is not None and count.count:
                shown = ", ".join(str(j) for j in count.neurons[:20])
                more = " …" if count.count > 20 else ""
                tip += f"\nneurons {shown}{more}"
            for column, text in enumerate((str(count.layer), count.activation,
                                           str(count.size), count.describe())):
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(row, column, item)
                if item.text() != text:
                    item.setText(text)
                item.setToolTip(tip)

    def _draw_current(self) -> None:
        title = quantity_title(self.quantity, self.layer)
        if self.current is None:
            self.bars.setData([], [])
            self.now_plot.setTitle(f"{title}: not computed yet at this position", size="9pt")
            return
        h = self.current
        self.bars.setData(h.edges, h.counts)
        extra = f", {h.non_finite} not finite" if h.non_finite else ""
        self.now_plot.setTitle(f"{title} now: {h.total:,} values{extra}", size="9pt")

    def _draw_heat(self) -> None:
        rows, stepper = self.rows, self.controller.stepper
        heat = rows.heatmap(self.quantity, self.layer, HEAT_BINS)
        self.heatmap = heat
        if heat is None:
            self.heat.clear()
        else:
            its = heat.iterations
            step = int(np.min(np.diff(its))) if len(its) > 1 else 1
            top = its[-1] + step
            # brightness ∝ √(share of the row's peak): a spike (relu's zeros) leaves the
            # tails visible
            self.heat.setImage(np.sqrt(heat.image), autoLevels=False, levels=(0.0, 1.0),
                               rect=QRectF(heat.edges[0], its[0], heat.edges[-1] - heat.edges[0],
                                           top - its[0]))
        history = stepper.history
        shown, missing = rows.shown_iterations, len(rows.missing)
        observations = len(stepper.inputs)
        stride = history.parameter_stride
        every = "every iteration" if stride == 1 else f"every {stride}th iteration"
        if len(shown):
            self.note.setText(f"{len(shown)} rows, iterations {shown[0]} to {shown[-1]}, every "
                              f"{max(rows.spacing, stride)}; the last is now.")
        else:
            self.note.setText("No row yet.")
        self.note.setToolTip(
            f"The heatmap: one row per iteration shown, from the parameters the history "
            f"keeps (at {every}, within {history.parameter_budget_bytes // 2**20} MB; at "
            f"most {rows.max_rows} rows, powers of two apart). Each row is that iteration's "
            f"histogram scaled to its own peak, brightness ∝ √(share of the peak). Gradients "
            f"and activations are a pass on all {observations} observations at that "
            f"iteration's parameters, with the loss in use now.")
        self.more_button.setText(f"Compute the other {missing} rows")
        self.more_button.setVisible(bool(missing) and not self.controller.running)
