"""Live pyqtgraph plots of the loss, the weights and the distinct neurons (their shared base:
history_plot.py). Each creates its items once and calls ``setData`` from ``refresh``,
which the window's scheduler calls (while running, about ten times a second, spaced by their
cost); curves downsample by peak and clip to the view, so a run of a million iterations stays
smooth."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine.analysis.symmetry import distinct_counts_over_history
from engine.core.losses import get_loss

from ..notation import parameter_label, typeset
from .history_plot import (  # noqa: F401 (envelope and steps: importable from here too)
    ENVELOPE_BINS,
    HistoryPlot,
    LegendBelow,
    dots_while_few,
    envelope,
    fast_curve,
    palette,
    plain_axes,
    set_curve,
    steps,
    visible,
)

MAX_WEIGHT_CURVES = 120
SEPARATE_CURVES_UP_TO = 12  # more weights than this are drawn one curve per colour
NAMED_CURVES_UP_TO = 8  # the legend names this many curves at most
MAX_COLOUR_GROUPS = 16
POINT_BUDGET = 15_000  # points the weights plot draws in all
SPREAD_PERCENTILES = (5, 50, 95)  # a large network's weights: each layer's middle 90 %
SPREAD_ROWS = 100  # for the point budget: so many rows of three curves a layer
SYMMETRY_SECONDS = 0.001  # time a redraw may spend catching up on the symmetry history …
PAUSED_SYMMETRY_SECONDS = 0.025  # … while paused (scrubbing): a long run of a small network
SAMPLED_ROWS = 1000  # beyond what was counted, the counts at this many snapshots are drawn


class LossPlot(HistoryPlot):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(controller, "loss_plot", "loss C", parent)
        # another run to compare with (a lesson's run A), wide and grey under the curve: a
        # run that repeats it lies on it
        self.reference = fast_curve(self.getPlotItem(), pen=pg.mkPen((170, 170, 170), width=5))
        self.reference_losses: np.ndarray | None = None
        self.curve = fast_curve(self.getPlotItem(), pen=pg.mkPen("#1f77b4", width=1))
        self.log_scale = False
        self.formula_label = None  # the panel's label naming the loss (LossPanel)

    def formula_text(self) -> str:
        """The loss named with its formula: "loss C = ½ Σ (a − y)²  (half_sse)"."""
        loss = get_loss(self.controller.stepper.config.loss)
        return f"loss C = {typeset(loss.formula)}  ({loss.name})"

    def show_formula(self) -> None:
        label = self.formula_label
        if label is not None and label.text() != (text := self.formula_text()):
            label.setText(text)
            description = get_loss(self.controller.stepper.config.loss).describe()
            label.setToolTip(description)
            self.setToolTip(description)

    def set_reference(self, losses: np.ndarray | None, name: str = "") -> None:
        """Show another run's losses under this one's (None: none); the title names it."""
        self.reference_losses = None if losses is None else np.array(losses, dtype=float)
        self.setTitle(f"grey: {name}" if losses is not None and name else None, size="9pt")
        self._forget_shown()
        self.refresh()

    def set_log_scale(self, on: bool) -> None:
        self.log_scale = on
        self.setLogMode(y=on)
        self._forget_shown()
        self.getViewBox().setRange(yRange=(0, 1), padding=0)  # re-fitted by refresh
        self.refresh()

    def refresh(self) -> None:
        self.starts_afresh()
        self.show_formula()
        stepper = self.controller.stepper
        log = stepper.history.loss_log
        # up to the current position; rewound (the timeline, step back), the whole history,
        # with the cursor where the timeline stands
        stop = log.stop if stepper.has_future else min(
            log.stop,
            stepper.iteration + (1 if stepper.phase > stepper.loss_phase_index else 0))
        begin, end = log.start, stop
        if not self.follow:  # zoomed or panned: what is in view (with a point either side)
            low, high = self.getViewBox().viewRange()[0]
            begin = max(begin, int(np.floor(low)) - 1)
            end = min(end, int(np.ceil(high)) + 2)
        key = (id(log), stop, begin, end, id(self.reference_losses))
        if key == self._shown:
            return
        self._shown = key
        # the log draws like the exact losses at any zoom: exact values over a span of up
        # to EXACT_SPAN iterations (recomputed where long runs dropped them), its kept
        # minima and maxima beyond (engine.loss_log)
        bins = self._bins()
        if log.needs_replay(begin, end, bins):
            # zoomed into losses a long run dropped: they are recomputed from the
            # checkpoints (about 3 s per 100,000 iterations of seed 000)
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            self.controller.post_message(
                f"Recomputing the losses of iterations {begin:,} … {end - 1:,} from the "
                "checkpoints (a long run keeps only the newest exactly)")
            try:
                x, losses = log.envelope(begin, end, bins)
            finally:
                QApplication.restoreOverrideCursor()
        else:
            x, losses = log.envelope(begin, end, bins)
        values = np.maximum(losses, 1e-300) if self.log_scale else losses
        dots_while_few(self.curve, len(x))
        self.curve.setData(x, values)
        reference = self.reference_losses
        if reference is None:
            self.reference.setData([], [])
            reference = np.empty(0)
        else:
            reference = np.maximum(reference, 1e-300) if self.log_scale else reference
            x_reference = np.arange(len(reference), dtype=float)
            set_curve(self.reference, x_reference, reference, visible(self, x_reference))
        extremes = log.extremes() if stop > log.start else None
        both = np.concatenate([[] if extremes is None else extremes, reference])
        if len(both):
            both = np.maximum(both, 1e-300) if self.log_scale else both
            shown = np.log10(both) if self.log_scale else both
            self.follow_data(max(stop - 1.0, len(reference) - 1.0), float(shown.min()),
                             float(shown.max()))

    def _bins(self) -> int:
        width = self.getViewBox().screenGeometry().width()
        return int(min(ENVELOPE_BINS, max(100, width)))  # two points per pixel at most

    @property
    def point_count(self) -> int:
        x, _ = self.curve.getOriginalDataset()
        return 0 if x is None else len(x)


class WeightsPlot(HistoryPlot):
    """Weight trajectories: one neuron's incoming weights and bias, or every weight coloured
    by the neuron it goes to (so w1 = w3 shows as two lines lying on each other)."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(controller, "weights_plot", "value", parent)
        self.legend = LegendBelow(self.getPlotItem())  # under the axis: never over a curve
        self.neuron: tuple[int, int] | None = None  # None: every weight
        self.curves: list[pg.PlotDataItem] = []
        self.indices = np.empty(0, dtype=np.int64)
        self.truncated = False
        # more weights than MAX_WEIGHT_CURVES, all asked for: each layer's spread instead
        # (a wall of 120 curves told nothing), cached per recorded row
        self.summary = False
        self._spreads: dict[tuple, np.ndarray] = {}
        self.note_label = None  # the panel's label beside the chooser (WeightsPanel)
        self.note_text = ""
        self.rebuild()

    def say(self, text: str) -> None:
        """What the plot draws when not every weight has a curve of its own ("" when each
        has): beside the panel's chooser, or as the plot's title without a panel. The tooltip
        says it in full."""
        self.note_text = text
        full = {"": ""}.get(text, text + (
            ": the thick line is the median of the layer's weights, the thin ones the 5th and "
            "95th percentiles" if self.summary else ": choose a neuron for its own"))
        if self.note_label is not None:
            self.note_label.setText(text)
            self.note_label.setToolTip(full)
            self.setTitle(None)
        else:
            self.setTitle(text or None, size="8pt")

    def show_neuron(self, neuron: tuple[int, int] | None) -> None:
        self.neuron = neuron
        self.rebuild()

    def rebuild(self) -> None:
        for curve in self.curves:
            self.removeItem(curve)
        self.curves = []
        network = self.controller.network
        addresses = network.addresses()
        index_of = {a: k for k, a in enumerate(addresses)}
        if self.neuron is None:  # colour by the neuron each weight goes to
            targets = sorted({(a.layer + 1, a.target) for a in addresses})
            colours = dict(zip(targets, palette(len(targets)), strict=True))
            chosen = [(a, (a.layer + 1, a.target), colours[(a.layer + 1, a.target)])
                      for a in addresses if a.kind == "w"]
        else:
            layer, j = self.neuron
            incoming = [a for a in addresses if a.layer == layer - 1 and a.target == j]
            colours = palette(min(len(incoming), 8))
            chosen = [(a, k % 8, colours[k % len(colours)]) for k, a in enumerate(incoming)]
        self.truncated = len(chosen) > MAX_WEIGHT_CURVES
        self.summary = self.truncated and self.neuron is None
        if self.summary:
            self._rebuild_summary(network, len(chosen))
            return
        self.say(f"first {MAX_WEIGHT_CURVES} of {len(chosen):,} weights" if self.truncated else "")
        chosen = chosen[:MAX_WEIGHT_CURVES]
        self.groups = []
        entries = []
        if len(chosen) <= SEPARATE_CURVES_UP_TO:  # one curve each, named in the legend
            for address, _, colour in chosen:
                bias = address.kind == "b"
                style = Qt.PenStyle.DashLine if bias else Qt.PenStyle.SolidLine
                self.curves.append(fast_curve(
                    self.getPlotItem(), pen=pg.mkPen(colour, width=1, style=style)))
                self.groups.append(np.array([index_of[address]], dtype=np.int64))
                entries.append((address, parameter_label(network, address),
                                pg.mkColor(colour).name(), bias))
        else:  # many: one curve per colour, its lines separated by NaN (far cheaper)
            keys = sorted({key for _, key, _ in chosen}, key=str)
            if len(keys) > MAX_COLOUR_GROUPS:  # colours cycle: a hundred hues tell nothing apart
                bucket_of = {key: k % MAX_COLOUR_GROUPS for k, key in enumerate(keys)}
                colours = palette(MAX_COLOUR_GROUPS)
                chosen = [(a, bucket_of[key], colours[bucket_of[key]]) for a, key, _ in chosen]
            by_colour: dict = {}
            for address, key, colour in chosen:
                by_colour.setdefault(key, (colour, []))[1].append(index_of[address])
            for colour, indices in by_colour.values():
                self.curves.append(self.getPlotItem().plot(pen=pg.mkPen(colour, width=1)))
                self.groups.append(np.array(indices, dtype=np.int64))
        # seed 001's six weights, a neuron's few incoming: named (more would crowd the plot),
        # in seed 001's order w1, w2, … where the network has those names
        plain = network.plain_weight_names() or {}
        if all(address in plain for address, *_ in entries):
            entries.sort(key=lambda entry: int(plain[entry[0]][1:]))
        named = [entry[1:] for entry in entries] if len(entries) <= NAMED_CURVES_UP_TO else []
        self.legend.set_entries(named)
        self.indices = np.concatenate(self.groups) if self.groups else np.empty(0, np.int64)
        self._shown = None
        self.refresh()

    def _rebuild_summary(self, network, count: int) -> None:
        """Each layer's weights as three curves over time: their median (thick) and the 5th
        and 95th percentiles (thin), one colour a layer."""
        # short (beside the chooser in a narrow dock); the legend gives each layer's count
        self.say("each layer's median, 5–95 %")
        colours = palette(network.layer_count)
        entries = []
        self.groups = []
        for k, colour in enumerate(colours):
            for width in (1, 2, 1):  # 5 %, median, 95 %
                self.curves.append(self.getPlotItem().plot(pen=pg.mkPen(colour, width=width)))
            size = network.sizes[k] * network.sizes[k + 1]
            entries.append((typeset(f"W^{k}") + f" ({size:,})", pg.mkColor(colour).name(),
                            False))
        self.legend.set_entries(entries)
        self.indices = np.empty(0, dtype=np.int64)
        self._spreads = {}
        self._pending_spread = None  # (key, θ, spread) of θ before its row is recorded
        self._shown = None
        self.refresh()

    def spread(self, theta: np.ndarray) -> np.ndarray:
        """(layers, 3): each layer's 5th, 50th and 95th percentile of its weights in
        ``theta``."""
        weights, _, _ = self.controller.network.layout(theta)
        return np.array([np.percentile(w, SPREAD_PERCENTILES) for w in weights])

    def _refresh_summary(self, x: np.ndarray, rows: np.ndarray, snapshots, iterations,
                         theta: np.ndarray, current: bool) -> None:
        history = self.controller.stepper.history
        spreads = []
        pending = self._pending_spread
        for row in rows[rows < len(snapshots)]:
            key = (id(history), history.revision, int(iterations[row]))
            if key not in self._spreads:
                if (pending is not None and pending[0] == key
                        and np.array_equal(pending[1], snapshots[row])):
                    self._spreads[key] = pending[2]  # the row is the θ spread last time
                else:
                    self._spreads[key] = self.spread(snapshots[row])
            spreads.append(self._spreads[key])
        if current:
            stepper = self.controller.stepper
            # at the start of an iteration its snapshot is θ itself: spread once, kept as
            # that row's (the next refresh draws it as a recorded row)
            recorded, rows_kept = history.snapshot_iterations, history.snapshots
            key = (id(history), history.revision, stepper.iteration)
            recorded_now = bool(stepper.phase == 0 and len(recorded)
                                and int(recorded[-1]) == stepper.iteration
                                and np.array_equal(rows_kept[-1], theta))  # not edited since
            spread = self._spreads.get(key) if recorded_now else None
            if spread is None:
                spread = self.spread(theta)
                if recorded_now:
                    self._spreads[key] = spread
                else:  # θ becomes this iteration's row when it starts: spread once
                    self._pending_spread = (key, theta.copy(), spread)
            spreads.append(spread)
        if not spreads:
            return
        values = np.stack(spreads)  # (rows, layers, 3)
        xs = x[rows][: len(values)]
        self.follow_data(x[-1], float(values.min()), float(values.max()))
        for k in range(values.shape[1]):
            for q in range(3):
                curve = self.curves[3 * k + q]
                dots_while_few(curve, len(xs))
                curve.setData(xs, values[:, k, q])

    def trajectory(self, flat_index: int) -> tuple[np.ndarray, np.ndarray]:
        """The (iterations, values) drawn for the parameter θ[flat_index], whether it has a
        curve of its own or shares one with its colour (lines separated by NaN)."""
        for curve, indices in zip(self.curves, self.groups, strict=True):
            where = np.flatnonzero(indices == flat_index)
            if len(where):
                x, y = curve.getOriginalDataset()
                if len(indices) == 1:
                    return x, y
                length = len(x) // len(indices)  # each line: its points, then a NaN
                line = slice(where[0] * length, (where[0] + 1) * length - 1)
                return x[line], y[line]
        raise KeyError(f"θ[{flat_index}] is not drawn in the weights plot")

    def refresh(self) -> None:
        self.starts_afresh()
        stepper = self.controller.stepper
        history = stepper.history
        iterations = history.snapshot_iterations
        # rewound, the whole history is drawn (the cursor marks the position), so moving
        # along the timeline redraws nothing here; else the snapshots and the current θ (an
        # edit of θ at the same position redraws: its values are in the key)
        future = stepper.has_future
        drawn = stepper.network.theta if self.summary else stepper.network.theta[self.indices]
        key = (id(history), history.revision, len(iterations)) + (
            ("whole",) if future else (stepper.iteration, stepper.phase,
                                       hash(drawn.tobytes())))
        if key == self._shown:
            return
        self._shown = key
        snapshots = history.snapshots
        if future:
            x = iterations.astype(float)
        else:
            if len(iterations) and iterations[-1] >= stepper.iteration:
                keep = iterations < stepper.iteration
                iterations, snapshots = iterations[keep], snapshots[keep]
            x = np.append(iterations, stepper.iteration).astype(float)
        window = visible(self, x)
        theta = stepper.network.theta
        if not len(self.indices) and not self.summary:
            return
        # Weight trajectories are smooth: evenly spaced rows draw them, at a cost that does not
        # grow with the history (the loss, which can spike, gets a min/max envelope instead).
        width = self.getViewBox().screenGeometry().width()
        drawn_count = SPREAD_ROWS if self.summary else len(self.indices)
        bins = int(max(50, min(ENVELOPE_BINS, width, POINT_BUDGET // max(1, drawn_count))))
        rows = np.arange(len(x))[window]
        if not len(rows):
            return
        if len(rows) > bins:
            rows = np.unique(np.linspace(rows[0], rows[-1], bins).astype(np.int64))
        history_rows = rows[rows < len(snapshots)]
        current = not future and rows[-1] == len(x) - 1  # the last point is the current θ
        if self.summary:
            self._refresh_summary(x, rows, snapshots, iterations, theta, current)
            return
        values = np.vstack([snapshots[history_rows][:, self.indices],
                            theta[self.indices][np.newaxis, :]][: 1 + current])
        xs = x[rows]
        self.follow_data(x[-1], float(values.min()), float(values.max()))
        start = 0
        for curve, indices in zip(self.curves, self.groups, strict=True):
            columns = values[:, start:start + len(indices)]
            start += len(indices)
            if len(indices) == 1:
                set_curve(curve, xs, columns[:, 0])
                continue
            separator = np.full((1, len(indices)), np.nan)
            dots_while_few(curve, len(xs))
            curve.setData(np.tile(np.append(xs, np.nan), len(indices)),
                          np.vstack([columns, separator]).T.ravel(), connect="finite")


class SymmetryPlot(HistoryPlot):
    """Distinct neurons per layer over the iterations (from the θ snapshots)."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(controller, "symmetry_plot", "distinct neurons", parent)
        self.legend = LegendBelow(self.getPlotItem())  # under the axis: never over a curve
        self.curves: list[pg.PlotDataItem] = []
        self.rebuild()

    def rebuild(self) -> None:
        for curve in self.curves:
            self.removeItem(curve)
        network = self.controller.network
        colours = palette(network.layer_count)
        # earlier layers drawn thicker, underneath: equal counts stay visible side by side
        self.curves = [
            fast_curve(self.getPlotItem(), stepMode=None,
                       pen=pg.mkPen(colours[l], width=2 + 3 * (network.layer_count - 1 - l)))
            for l in range(network.layer_count)
        ]
        self.legend.set_entries([
            (f"layer {l + 1} ({network.sizes[l + 1]} neuron{'s' * (network.sizes[l + 1] != 1)})",
             pg.mkColor(colours[l]).name(), False) for l in range(network.layer_count)])
        self._iterations = np.empty(0, dtype=np.int64)
        self._counts = np.empty((0, network.layer_count), dtype=np.int64)
        self._history_id = None
        self._revision = -1
        self._frozen = None
        self._block = 16
        self._per_row = 1e-5
        self._shown = None
        self.refresh()

    def refresh(self) -> None:
        self.starts_afresh()
        stepper = self.controller.stepper
        history = stepper.history
        iterations = history.snapshot_iterations
        known = len(self._iterations)
        # the frozen set joins the neurons' signatures: another set, other counts
        source = (id(history), history.revision, stepper.config.frozen)
        if (self._history_id, self._revision, self._frozen) != source or (
                known > len(iterations)):
            self._iterations = np.empty(0, dtype=np.int64)
            self._counts = np.empty((0, stepper.network.layer_count), dtype=np.int64)
            self._history_id, self._revision, self._frozen = source
            known = 0
        # catch up in slices within a time budget, so a redraw stays short (paused, the
        # budget is larger: a learner scrubbing the timeline sees the whole history at once)
        budget = SYMMETRY_SECONDS if self.controller.running else PAUSED_SYMMETRY_SECONDS
        started = time.perf_counter()
        known = self._catch_up(stepper, iterations, known, started + budget)
        # the current state as the last point (rewound: the whole history, unchanged as the
        # timeline moves); the counts change seldom, so each curve is drawn from its change
        # points only, as steps
        future = stepper.has_future
        key = (id(history), history.revision, known, len(iterations),
               self.getViewBox().viewRange()[0][0],
               self.getViewBox().viewRange()[0][1]) if future else None
        if key is not None and key == self._shown:
            return
        self._shown = key
        x, counts = self._iterations, self._counts
        if known < len(iterations):  # not caught up: the rest sampled, so the whole shows
            extra_x, extra_counts = self._sampled(stepper, iterations, known,
                                                  started + 2 * budget)
            x, counts = np.append(x, extra_x), np.vstack([counts, extra_counts])
        if future:
            x = x.astype(float)
        else:
            keep = x < stepper.iteration
            current = [len(groups) for groups in self.controller.symmetry()[1:]]  # cached
            x = np.append(x[keep], stepper.iteration).astype(float)
            counts = np.vstack([counts[keep], np.array(current, dtype=np.int64)[np.newaxis]])
        window = visible(self, x)
        x = x[window]
        for l, curve in enumerate(self.curves):
            xs, ys = steps(x, counts[:, l].astype(float)[window])
            set_curve(curve, xs, ys)
        if len(x):
            high = max(x[-1], float(stepper.head_iteration) if future else x[-1])
            self.follow_data(high, 0.0, float(max(self.controller.network.sizes[1:])))

    def _catch_up(self, stepper, iterations: np.ndarray, known: int, deadline: float) -> int:
        """Count the distinct neurons of the snapshots not counted yet, in blocks sized to
        take a fraction of the budget each, until ``deadline``; returns how many are known."""
        block = self._block
        history = stepper.history
        while known < len(iterations) and time.perf_counter() < deadline:
            new = iterations[known:known + block]
            began = time.perf_counter()
            counts = distinct_counts_over_history(
                stepper.network, history.snapshots[known:known + len(new)],
                frozen=stepper.config.frozen)
            self._iterations = np.append(self._iterations, new)
            self._counts = np.vstack([self._counts, counts])
            known += len(new)
            per_row = (time.perf_counter() - began) / len(new)
            self._per_row = per_row
            block = int(max(1, min(65536, SYMMETRY_SECONDS / 2 / max(per_row, 1e-7))))
        self._block = block
        return known

    def _sampled(self, stepper, iterations: np.ndarray, known: int, deadline: float
                 ) -> tuple[np.ndarray, np.ndarray]:
        """The counts at evenly spaced snapshots of those not counted yet (as many as the
        time left allows, the last one always): drawn, not kept, until the exact ones come."""
        remaining = len(iterations) - known
        affordable = (deadline - time.perf_counter()) / max(self._per_row, 1e-7)
        samples = int(max(2, min(SAMPLED_ROWS, remaining, affordable)))
        rows = np.unique(np.linspace(known, len(iterations) - 1, samples).astype(np.int64))
        counts = distinct_counts_over_history(stepper.network, stepper.history.snapshots[rows],
                                              frozen=stepper.config.frozen)
        return iterations[rows], counts
