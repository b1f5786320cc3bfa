"""Live pyqtgraph plots. Each creates its items once and calls ``setData`` from ``refresh``,
which the window's refresh timer calls at most ~30 times a second; curves downsample by
peak and clip to the view, so a run of a million iterations stays smooth."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.symmetry import distinct_counts_over_history

MAX_WEIGHT_CURVES = 300
SYMMETRY_SECONDS = 0.004  # time a redraw may spend catching up on the symmetry history
SYMBOLS_BELOW = 40

pg.setConfigOptions(antialias=False, background="w", foreground="k")


def _fast_curve(plot: pg.PlotItem, **style) -> pg.PlotDataItem:
    curve = plot.plot(**style)
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


def _set_curve(curve: pg.PlotDataItem, x: np.ndarray, y: np.ndarray) -> None:
    """setData, with dots while there are few points (a single point has no line)."""
    few = len(x) <= SYMBOLS_BELOW
    if few != (curve.opts.get("symbol") is not None):
        pen = curve.opts["pen"]
        curve.setSymbol("o" if few else None)
        curve.setSymbolSize(5)
        curve.setSymbolPen(pen)
        curve.setSymbolBrush(pg.mkBrush(pen.color()) if hasattr(pen, "color") else None)
    curve.setData(x, y)


def _plain_axes(plot: pg.PlotWidget) -> None:
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)


def _palette(count: int) -> list:
    return [pg.intColor(i, hues=max(count, 1), values=1, maxValue=200) for i in range(count)]


class LossPlot(pg.PlotWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("loss_plot")
        self.controller = controller
        self.setLabel("bottom", "iteration")
        self.setLabel("left", "loss C")
        _plain_axes(self)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.curve = _fast_curve(self.getPlotItem(), pen=pg.mkPen("#1f77b4", width=1.5))
        self.log_scale = False
        self._shown = (None, -1)

    def set_log_scale(self, on: bool) -> None:
        self.log_scale = on
        self.setLogMode(y=on)
        self._shown = (None, -1)
        self.refresh()

    def refresh(self) -> None:
        stepper = self.controller.stepper
        history = stepper.history
        # up to the current position: after stepping back, later iterations are not shown
        count = min(len(history.losses),
                    stepper.iteration + (1 if stepper.phase > stepper.loss_phase_index else 0))
        key = (id(history), count)
        if key == self._shown:
            return
        self._shown = key
        losses = history.losses[:count]
        values = np.maximum(losses, 1e-300) if self.log_scale else losses
        _set_curve(self.curve, np.arange(count, dtype=float), values)

    @property
    def point_count(self) -> int:
        x, _ = self.curve.getOriginalDataset()
        return 0 if x is None else len(x)


class WeightsPlot(pg.PlotWidget):
    """Weight trajectories: one neuron's incoming weights and bias, or every weight coloured
    by the neuron it goes to (so w1 = w3 shows as two lines lying on each other)."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("weights_plot")
        self.controller = controller
        self.setLabel("bottom", "iteration")
        self.setLabel("left", "value")
        _plain_axes(self)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.legend = self.addLegend(offset=(5, 5), labelTextSize="8pt")
        self.neuron: tuple[int, int] | None = None  # None: every weight
        self.curves: list[pg.PlotDataItem] = []
        self.indices = np.empty(0, dtype=np.int64)
        self.truncated = False
        self._shown = None
        controller.parameters_changed.connect(self._forget_shown)
        self.rebuild()

    def _forget_shown(self) -> None:
        self._shown = None

    def show_neuron(self, neuron: tuple[int, int] | None) -> None:
        self.neuron = neuron
        self.rebuild()

    def rebuild(self) -> None:
        for curve in self.curves:
            self.removeItem(curve)
        self.legend.clear()
        self.curves = []
        network = self.controller.network
        addresses = network.addresses()
        index_of = {a: k for k, a in enumerate(addresses)}
        chosen = []
        if self.neuron is None:
            targets = sorted({(a.layer + 1, a.target) for a in addresses})
            colours = dict(zip(targets, _palette(len(targets)), strict=True))
            chosen = [(a, colours[(a.layer + 1, a.target)]) for a in addresses if a.kind == "w"]
        else:
            layer, j = self.neuron
            incoming = [a for a in addresses if a.layer == layer - 1 and a.target == j]
            chosen = list(zip(incoming, _palette(len(incoming)), strict=True))
        self.truncated = len(chosen) > MAX_WEIGHT_CURVES
        chosen = chosen[:MAX_WEIGHT_CURVES]
        plain = network.plain_weight_names() or {}
        for address, colour in chosen:
            style = Qt.PenStyle.DashLine if address.kind == "b" else Qt.PenStyle.SolidLine
            name = f"{address}" + (f" ({plain[address]})" if address in plain else "")
            show_name = self.neuron is not None or len(chosen) <= 12
            curve = _fast_curve(self.getPlotItem(), pen=pg.mkPen(colour, width=1.5, style=style),
                                name=name if show_name else None)
            self.curves.append(curve)
        self.indices = np.array([index_of[a] for a, _ in chosen], dtype=np.int64)
        self._shown = None
        self.refresh()

    def refresh(self) -> None:
        stepper = self.controller.stepper
        history = stepper.history
        iterations = history.snapshot_iterations
        key = (id(history), len(iterations), stepper.iteration, stepper.phase)
        if key == self._shown:
            return
        self._shown = key
        snapshots = history.snapshots
        if len(iterations) and iterations[-1] >= stepper.iteration:
            keep = iterations < stepper.iteration
            iterations, snapshots = iterations[keep], snapshots[keep]
        x = np.append(iterations, stepper.iteration).astype(float)
        for curve, index in zip(self.curves, self.indices, strict=True):
            _set_curve(curve, x, np.append(snapshots[:, index], stepper.network.theta[index]))


class SymmetryPlot(pg.PlotWidget):
    """Distinct neurons per layer over the iterations (from the θ snapshots)."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("symmetry_plot")
        self.controller = controller
        self.setLabel("bottom", "iteration")
        self.setLabel("left", "distinct neurons")
        _plain_axes(self)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.legend = self.addLegend(offset=(5, 5), labelTextSize="8pt")
        self.curves: list[pg.PlotDataItem] = []
        self.rebuild()

    def rebuild(self) -> None:
        for curve in self.curves:
            self.removeItem(curve)
        self.legend.clear()
        network = self.controller.network
        colours = _palette(network.layer_count)
        self.curves = [
            _fast_curve(self.getPlotItem(), pen=pg.mkPen(colours[l], width=2), stepMode=None,
                        name=f"layer {l + 1} ({network.sizes[l + 1]} neurons)")
            for l in range(network.layer_count)
        ]
        self._iterations = np.empty(0, dtype=np.int64)
        self._counts = np.empty((0, network.layer_count), dtype=np.int64)
        self._history_id = None
        self._block = 16
        self.refresh()

    def refresh(self) -> None:
        stepper = self.controller.stepper
        history = stepper.history
        iterations = history.snapshot_iterations
        known = len(self._iterations)
        if (self._history_id != id(history) or known > len(iterations)
                or not np.array_equal(iterations[:known], self._iterations)):
            self._iterations = np.empty(0, dtype=np.int64)
            self._counts = np.empty((0, stepper.network.layer_count), dtype=np.int64)
            self._history_id = id(history)
            known = 0
        # catch up in slices within a time budget, so a redraw stays short
        started = time.perf_counter()
        block = self._block
        while known < len(iterations) and time.perf_counter() - started < SYMMETRY_SECONDS:
            new = iterations[known:known + block]
            began = time.perf_counter()
            counts = distinct_counts_over_history(
                stepper.network, history.snapshots[known:known + len(new)])
            self._iterations = np.append(self._iterations, new)
            self._counts = np.vstack([self._counts, counts])
            known += len(new)
            per_row = (time.perf_counter() - began) / len(new)
            block = int(max(1, min(4096, SYMMETRY_SECONDS / 2 / max(per_row, 1e-7))))
        self._block = block
        # the current state as the last point
        keep = self._iterations < stepper.iteration
        x = np.append(self._iterations[keep], stepper.iteration).astype(float)
        current = distinct_counts_over_history(stepper.network, stepper.network.theta)[0]
        for l, curve in enumerate(self.curves):
            _set_curve(curve, x, np.append(self._counts[keep, l], current[l]).astype(float))
