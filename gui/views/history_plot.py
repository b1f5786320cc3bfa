"""What every plot over the iterations shares: a HistoryPlot (labelled axes, a cursor where
the timeline stands, ranges that follow the data until the learner zooms or pans) and the
curves' helpers (envelopes of what is in view, dots while points are few)."""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetricsF

from engine.core.loss_log import bin_extremes

SYMBOLS_BELOW = 40
ENVELOPE_BINS = 1000  # at most ~2000 points a curve: two per pixel of a wide plot

pg.setConfigOptions(antialias=False, background="w", foreground="k")


def fast_curve(plot: pg.PlotItem, **style) -> pg.PlotDataItem:
    curve = plot.plot(**style)
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


# At most about 2·bins points that draw like (x, y): each run's minimum and maximum (peaks
# survive) and the last point exactly; y may have one column per curve (engine.loss_log)
envelope = bin_extremes


def visible(plot: HistoryPlot, x: np.ndarray) -> slice:
    """The slice of x (ascending) inside the plot's x-range, once the user has zoomed."""
    if plot.follow or len(x) == 0:
        return slice(None)
    low, high = plot.getViewBox().viewRange()[0]
    start = max(0, int(np.searchsorted(x, low)) - 1)
    stop = int(np.searchsorted(x, high)) + 1
    return slice(start, stop)


def set_curve(curve: pg.PlotDataItem, x: np.ndarray, y: np.ndarray,
               window: slice = slice(None)) -> None:
    """setData of an envelope of the part of (x, y) in view, with dots while there are few
    points (a single point has no line). A redraw then costs about the same at a million
    iterations as at a hundred."""
    view = curve.getViewBox()
    width = view.screenGeometry().width() if view is not None else 0
    bins = int(min(ENVELOPE_BINS, max(100, width)))  # two points per pixel at most
    x, y = envelope(x[window], y[window], bins)
    dots_while_few(curve, len(x))
    curve.setData(x, y)


def dots_while_few(curve: pg.PlotDataItem, points: int) -> None:
    """Dots on the points while a line has few of them (one point alone draws no line)."""
    few = points <= SYMBOLS_BELOW
    if few != (curve.opts.get("symbol") is not None):
        pen = curve.opts["pen"]
        curve.setSymbol("o" if few else None)
        curve.setSymbolSize(5)
        curve.setSymbolPen(pen)
        curve.setSymbolBrush(pg.mkBrush(pen.color()) if hasattr(pen, "color") else None)


def plain_axes(plot: pg.PlotWidget) -> None:
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)


def palette(count: int) -> list:
    return [pg.intColor(i, hues=max(count, 1), values=1, maxValue=200) for i in range(count)]


UNITS = ((1e9, "B"), (1e6, "M"), (1e3, "k"))  # 20k, 1.5M, 3B iterations


def iteration_label(value: float, spacing: float) -> str:
    """An iteration as a tick shows it: plain below a spacing of 1000 (0, 250, 500), else in
    thousands, millions or billions with at most one decimal (20k, 1.5M)."""
    for unit, suffix in UNITS:
        if spacing >= unit / 10 and spacing >= 1000:
            decimals = max(0, -math.floor(math.log10(spacing / unit) + 1e-9))
            text = f"{value / unit:.{decimals}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return ("0" if text in ("-0", "0") else text) + ("" if text in ("-0", "0")
                                                             else suffix)
    return f"{value:.0f}"


class IterationAxis(pg.AxisItem):
    """The iteration axis: ticks on whole iterations, spaced 1, 2 or 5 × 10ⁿ apart so that
    their labels (20k, 1.5M: never 020000400006000080000) leave a gap between them at every
    width; only the major ticks are labelled."""

    GAP_EMS = 1.0  # the least room between two labels, in widths of an "m"

    def __init__(self, orientation: str = "bottom", **options) -> None:
        super().__init__(orientation, **options)
        self.setStyle(maxTextLevel=0)  # minor ticks unlabelled: they would crowd the major
        self.enableAutoSIPrefix(False)

    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self.style["tickFont"] or self.font())

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        span = abs(maxVal - minVal)
        if span == 0 or size <= 0 or not math.isfinite(span):
            return super().tickSpacing(minVal, maxVal, size)
        metrics = self._metrics()
        gap = self.GAP_EMS * metrics.horizontalAdvance("m")
        per_pixel = span / size
        low, high = min(minVal, maxVal), max(minVal, maxVal)
        exponent = max(0, math.floor(math.log10(max(per_pixel * gap, 1.0))))
        while True:
            for step in (1, 2, 5):
                spacing = step * 10.0 ** exponent
                first = math.ceil(low / spacing) * spacing
                ends = [first, math.floor(high / spacing) * spacing, -spacing if low < 0
                        else first]
                width = max(metrics.horizontalAdvance(iteration_label(v, spacing))
                            for v in ends)
                if spacing / per_pixel >= width + gap:
                    minor = spacing / (2 if step == 1 else step)  # 5 → 1s, 2 → 1s, 1 → halves
                    return [(spacing, 0.0), (max(minor, 1.0), 0.0)]
            exponent += 1
            if exponent > 308:
                return super().tickSpacing(minVal, maxVal, size)

    def tickStrings(self, values, scale, spacing) -> list[str]:
        return [iteration_label(v * scale, spacing * scale) for v in values]


class LegendBelow(pg.LabelItem):
    """A plot's legend as a line of text under the iteration axis, so never over a curve:
    each entry a short stroke in its curve's colour (dashed for a bias) and its name, the
    entries wrapping to the plot's width."""

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__("", parent=plot, size="8pt", justify="left")
        plot.layout.addItem(self, 4, 0, 1, 3)
        plot.layout.setRowStretchFactor(4, 0)
        self.entries: list[tuple[str, str, bool]] = []
        self.item.setTextWidth(100)  # wrapped: never wider than the plot (fit_width)

    def set_entries(self, entries: list[tuple[str, str, bool]]) -> None:
        """(name, colour, dashed) of each curve, in order; none: the row takes no room."""
        self.entries = list(entries)
        self.setText("&nbsp; ".join(
            f"<span style='color:{colour}'>{'╍╍' if dashed else '━━'}</span>&nbsp;"
            + html.escape(name).replace(" ", "&nbsp;") for name, colour, dashed in entries))

    def fit_width(self, width: float) -> None:
        self.item.setTextWidth(max(60.0, width - 8.0))
        self.resizeEvent(None)
        self.updateGeometry()

    def updateMin(self) -> None:
        super().updateMin()
        if not getattr(self, "entries", None):  # no legend: no row
            self.setMinimumHeight(0)
            self.setMaximumHeight(0)
            self._sizeHint = {hint: (0, 0) for hint in self._sizeHint}
        else:
            self.setMaximumHeight(self.itemRect().height())


class HistoryPlot(pg.PlotWidget):
    """A plot over the iterations: labelled axes, and re-drawn from the engine's history
    when the user zooms or pans (the curves hold an envelope of what was in view)."""

    def __init__(self, controller, name: str, y_label: str, parent=None) -> None:
        super().__init__(parent, axisItems={"bottom": IterationAxis("bottom")})
        self.setObjectName(name)
        self.controller = controller
        self.setLabel("bottom", "iteration")
        self.setLabel("left", y_label)
        plain_axes(self)
        self._shown = None
        # The plot follows the data itself: pyqtgraph's auto-range would measure every curve
        # and re-tick both axes at every paint. Zooming or panning stops following; the
        # auto-range button ("A") starts it again.
        self.follow = True
        box = self.getViewBox()
        box.disableAutoRange()
        box.sigRangeChangedManually.connect(self._user_moved)
        box.sigStateChanged.connect(self._state_changed)
        # where the timeline stands when it is rewound (hidden at the newest iteration)
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(
            (200, 0, 0), width=1.5, style=Qt.PenStyle.DashLine))
        self.cursor.setZValue(20)
        self.addItem(self.cursor, ignoreBounds=True)
        self.cursor.hide()
        self._history = None  # the history drawn: another one (Open, New, Restart) starts afresh

    def starts_afresh(self) -> bool:
        """True, once, when the controller's history is not the one drawn before (another
        file, a restart): the plot follows the data again, from axes around its first
        iteration, whatever the last history's range or zoom was."""
        history = self.controller.stepper.history
        if history is self._history:
            return False
        self._history = history
        self.follow = True
        self._forget_shown()
        first = float(self.controller.stepper.start_iteration)
        self.getViewBox().setRange(xRange=(first - 0.3, first + 10.0), yRange=(0.0, 1.0),
                                   padding=0)
        return True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # resized while pyqtgraph builds the plot too, and as it closes (its items deleted)
        legend = getattr(self, "legend", None)
        if isinstance(legend, LegendBelow) and not self.closed and shiboken6.isValid(legend):
            legend.fit_width(self.width())

    def update_cursor(self) -> None:
        stepper = self.controller.stepper
        if stepper.has_future:
            self.cursor.setPos(stepper.iteration)
            self.cursor.show()
        else:
            self.cursor.hide()

    def _forget_shown(self) -> None:
        self._shown = None

    def _user_moved(self, *args) -> None:
        self.follow = False
        self._forget_shown()
        QTimer.singleShot(0, self.refresh)

    def _state_changed(self, *args) -> None:
        box = self.getViewBox()
        if any(box.autoRangeEnabled()):
            box.disableAutoRange()
            self.follow = True
            self._forget_shown()
            QTimer.singleShot(0, self.refresh)

    def follow_data(self, x_high: float, y_low: float, y_high: float) -> None:
        """Keep the data in view, changing the ranges seldom: x grows in steps of a quarter,
        y changes when the data leaves it or fills less than half of it. The x-axis starts
        at the history's first iteration (0, or where a saved run continued)."""
        if not self.follow or not (np.isfinite(y_low) and np.isfinite(y_high)):
            return
        x_low = float(self.controller.stepper.start_iteration)
        box = self.getViewBox()
        (x_left, x_now), (y_now_low, y_now_high) = box.viewRange()
        x_range = None
        if x_high > x_now or x_high - x_low < 0.5 * (x_now - x_low) or x_left > x_low:
            right = x_low + max(10.0, 1.25 * (x_high - x_low))
            x_range = (x_low - 0.03 * (right - x_low), right)  # the first iteration clear
        # at least a twentieth of the values' size: equal values get readable ticks
        span = max(y_high - y_low, 0.05 * max(1.0, abs(y_high), abs(y_low)))
        y_range = None
        if y_low < y_now_low or y_high > y_now_high or span < 0.5 * (y_now_high - y_now_low):
            middle = 0.5 * (y_low + y_high)
            y_range = (min(y_low, middle - 0.5 * span) - 0.08 * span,
                       max(y_high, middle + 0.5 * span) + 0.08 * span)
        # values near the float limit (a weight of 1e308 is legal) overflow the margins:
        # such a range is left as it was rather than handed to pyqtgraph, which refuses it
        with np.errstate(over="ignore", invalid="ignore"):
            if x_range is not None and not np.all(np.isfinite(x_range)):
                x_range = None
            if y_range is not None and not np.all(np.isfinite(y_range)):
                y_range = None
        if x_range is not None or y_range is not None:
            box.setRange(xRange=x_range, yRange=y_range, padding=0)

    def refresh(self) -> None:
        raise NotImplementedError


def steps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corners of the step curve through (x, y): the first point, a vertical step at
    each change, and the last point."""
    if len(x) < 3:
        return x, y
    change = np.flatnonzero(np.diff(y) != 0) + 1
    corners_x = np.concatenate([[x[0]], np.repeat(x[change], 2), [x[-1]]])
    corners_y = np.concatenate([[y[0]], np.column_stack([y[change - 1], y[change]]).ravel(),
                                [y[-1]]])
    return corners_x, corners_y
