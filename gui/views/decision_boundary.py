"""The decision boundary: a heatmap of the output (or of one neuron) over the input plane of a
two-input network, with the training points on top, coloured by their target.

Colour levels are FIXED, so the image never flickers while training: a bounded activation
uses its range (sigmoid, softmax: 0 … 1; tanh: −1 … 1); an unbounded output (linear, relu,
leaky_relu) uses its targets' range with a margin, recomputed only when the data, the network
or the chosen output changes; an unbounded hidden neuron uses the range of its map when it is
chosen, until another is. Values beyond the levels show in the end colours (the colour bar
gives the levels). The diverging colour map is white in the middle of the levels, so for a
sigmoid output the white band is the boundary a = 0.5.

The map follows the controller's current parameters (``controller.network``) wherever the
timeline stands: the window's scheduler refreshes it like the plots (spaced by its cost while
running, not at all while hidden); its grid has as many points as a refresh can afford in a
few ms (engine.boundary.resolution_for: 64 × 64 for small networks, fewer points for big
ones).
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QComboBox, QLabel

from engine.analysis.boundary import (
    check_neuron,
    grid,
    neuron_map,
    output_levels,
    resolution_for,
    two_input_message,
    value_levels,
)

from ..notation import typeset

COLOUR_MAP = "CET-D1"  # blue – white – red: the middle of the levels stands out
POINT_SIZE = 9


class DecisionBoundaryView(pg.PlotWidget):
    """``show_neuron((l, j))`` shows that neuron's own map, ``show_neuron(None)`` the chosen
    output again; the combo box (several outputs only) chooses the output."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("decision_boundary_view")
        self.controller = controller
        self.neuron: tuple[int, int] | None = None  # None: the chosen output
        self.output = 0
        self.resolution = 0
        self.xs = self.ys = self.points = None  # the grid of the image shown
        self._rect = QRectF()
        self.levels: tuple[float, float] = (0.0, 1.0)
        self.available = False
        self._levels_chosen = False
        self._fit_view = True  # the data's plane in view (again after a change of data)
        self.refresh_seconds = 0.0  # the last refresh, for the bench and the report

        plot = self.getPlotItem()
        plot.setLabel("bottom", typeset("x_0"))
        plot.setLabel("left", typeset("x_1"))
        for side in ("bottom", "left"):
            plot.getAxis(side).enableAutoSIPrefix(False)  # inputs read as they are typed
        plot.hideButtons()
        plot.setMenuEnabled(False)
        self.colour_map = pg.colormap.get(COLOUR_MAP)
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        # each point a fill in its target's colour inside a white ring inside a black one:
        # visible on any colour of the map
        self.halo = pg.ScatterPlotItem(size=POINT_SIZE + 4, pen=None, brush=pg.mkBrush("k"))
        self.scatter = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen("w", width=1.5))
        plot.addItem(self.halo)
        plot.addItem(self.scatter)
        self.colour_bar = pg.ColorBarItem(values=self.levels, colorMap=self.colour_map,
                                          interactive=False, colorMapMenu=False, width=14,
                                          pen="k")
        self.colour_bar.setImageItem(self.image, insert_in=plot)

        self.message = QLabel(self)
        self.message.setObjectName("decision_boundary_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.hide()
        self.output_box = QComboBox(self)
        self.output_box.setObjectName("decision_boundary_output")
        self.output_box.setToolTip("the output whose map is shown")
        self.output_box.currentIndexChanged.connect(self._output_chosen)
        self.rebuild()

    # ------------------------------------------------------------------ public API
    def show_neuron(self, neuron: tuple[int, int] | None) -> None:
        """Show neuron (l, j)'s own activation over the plane (hovering it in the graph), or
        the chosen output again (None). A neuron this network lacks raises ValueError."""
        if neuron is not None:
            neuron = check_neuron(self.controller.network, neuron)
        if neuron == self.neuron:
            return
        self.neuron = neuron
        self._levels_chosen = False
        self.refresh()

    def title(self) -> str:
        """Which map is shown, in the seed's notation (short: the output chooser sits at the
        top left)."""
        network = self.controller.network
        L = network.layer_count
        l, j = self.neuron if self.neuron is not None else (L, self.output)
        if l == 0:
            return typeset(f"input x_{j}")
        kind = "output" if l == L else "hidden neuron"
        return f"{kind} {typeset(f'a^{l}_{j}')} ({network.activation_names[l - 1]})"

    # ------------------------------------------------------------------ structure
    def rebuild(self) -> None:
        """A different network or data (a structure change): the output choice, the points,
        the levels and the grid again; the next refresh draws the map."""
        network = self.controller.network
        outputs = network.sizes[-1]
        self.neuron = None  # a new network starts from its output (hovering picks again)
        self.output = self.output if self.output < outputs else 0
        self.output_box.blockSignals(True)
        self.output_box.clear()
        self.output_box.addItems([f"output {k}" for k in range(outputs)])
        self.output_box.setCurrentIndex(self.output)
        self.output_box.blockSignals(False)
        self.output_box.adjustSize()
        message = two_input_message(network)
        self.available = message is None
        self.message.setText(message or "")
        self.message.setVisible(not self.available)
        self.output_box.setVisible(self.available and outputs > 1)
        self.getPlotItem().setVisible(self.available)
        self.resolution = 0  # a new grid for the new data
        self._fit_view = True
        self._levels_chosen = False
        if self.available:
            self._show_points()

    def _output_chosen(self, index: int) -> None:
        if index < 0:
            return
        self.output = index
        self._levels_chosen = False
        self._show_points()
        self.refresh()

    def _show_points(self) -> None:
        """The training points at their inputs, filled by the chosen output's target on the
        output's levels (so a point lies on its own colour where the map fits it)."""
        stepper = self.controller.stepper
        targets = stepper.targets[:, self.output]
        low, high = output_levels(self.controller.network.activation_names[-1], targets)
        fractions = np.clip((targets - low) / (high - low), 0.0, 1.0)
        brushes = [pg.mkBrush(colour) for colour in self.colour_map.mapToQColor(fractions)]
        x, y = stepper.inputs[:, 0], stepper.inputs[:, 1]
        self.halo.setData(x, y)
        self.scatter.setData(x, y, brush=brushes)

    def _choose_levels(self, values: np.ndarray) -> None:
        """Fix the colour levels for the map now shown (see the module docstring)."""
        network = self.controller.network
        L = network.layer_count
        l, j = self.neuron if self.neuron is not None else (L, self.output)
        if l == L:
            targets = self.controller.stepper.targets[:, j]
            levels = output_levels(network.activation_names[-1], targets)
        elif l == 0:
            levels = value_levels(values)
        else:
            name = network.activation_names[l - 1]
            levels = output_levels(name, values)  # bounded: its range; else the map's own
        self.levels = levels
        self.colour_bar.setLevels(values=levels)
        self._levels_chosen = True

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        """Recompute the map at the current parameters and show it."""
        if not self.available:
            return
        started = time.perf_counter()
        network = self.controller.network
        layer = self.neuron[0] if self.neuron is not None else None
        self._fit_grid(network, layer)
        values = neuron_map(network, self.points, self.neuron, self.output)
        if not self._levels_chosen:
            self._choose_levels(values)
        image = values.reshape(len(self.ys), len(self.xs))
        if not np.all(np.isfinite(image)):  # overflow: the end colours (NaN is transparent)
            image = np.nan_to_num(image, nan=np.nan, posinf=self.levels[1],
                                  neginf=self.levels[0])
        self.image.setImage(image, autoLevels=False, levels=self.levels, rect=self._rect)
        self.getPlotItem().setTitle(self.title(), size="9pt")
        self.refresh_seconds = time.perf_counter() - started

    def _fit_grid(self, network, layer: int | None) -> None:
        """A grid of the resolution this map affords (a layer-1 neuron's map is cheaper than
        the output's), made again only when that changes."""
        wanted = resolution_for(network, layer)
        if wanted == self.resolution:
            return
        self.resolution = wanted
        self.xs, self.ys, self.points = grid(self.controller.stepper.inputs, wanted)
        dx = self.xs[1] - self.xs[0]
        dy = self.ys[1] - self.ys[0]
        # pixel centres on the grid points
        self._rect = QRectF(self.xs[0] - dx / 2, self.ys[0] - dy / 2,
                            len(self.xs) * dx, len(self.ys) * dy)
        if self._fit_view:  # not on every change of grid: the learner may have zoomed
            self.getPlotItem().getViewBox().setRange(rect=self._rect, padding=0)
            self._fit_view = False

    # ------------------------------------------------------------------ Qt events
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if "message" not in self.__dict__:  # pyqtgraph resizes before __init__ is done
            return
        self.message.setGeometry(self.rect().adjusted(12, 12, -12, -12))
        self.output_box.move(4, 4)
