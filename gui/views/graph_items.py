"""The items of the network graph: neurons, biases, weight edges, batched edges for
networks too large for one item per edge, and the fold item of a wide layer. Colours follow
TensorFlow Playground: blue for positive weights, orange for negative, width ∝ |w|."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)

from engine.core.network import ParameterAddress

from .lock_glyph import LockItem

POSITIVE = QColor(31, 119, 180)
NEGATIVE = QColor(245, 127, 23)
GRADIENT_POSITIVE = QColor(200, 30, 60)
GRADIENT_NEGATIVE = QColor(40, 160, 70)
NOT_COMPUTED = QColor(225, 225, 225)
GROUP_COLOURS = [QColor(c) for c in ("#d62728", "#9467bd", "#2ca02c", "#e377c2", "#8c564b",
                                      "#17becf", "#bcbd22", "#7f7f7f")]
MAX_EDGE_WIDTH = 7.0
BIAS_PEN = QPen(QColor(150, 150, 150), 0.8)
SELECTED_BIAS_PEN = QPen(QColor(0, 0, 0), 2.0)
LOCK_PIXELS = 13.0  # a lock on an unlabelled edge: its height on screen
LOCK_FRACTION = 0.35  # and where along the edge (from the source) it sits


def activation_colour(value: float | None) -> QColor:
    """White (0) to dark blue (1); values outside [0, 1] are squashed with tanh."""
    if value is None or not np.isfinite(value):
        return NOT_COMPUTED
    if not 0.0 <= value <= 1.0:
        value = 0.5 + 0.5 * float(np.tanh(value))
    shade = int(255 - 200 * value)
    return QColor(shade, shade + int(30 * value), 255)


def text_colour(value: float | None) -> QColor:
    return QColor("white") if value is not None and np.isfinite(value) and value > 0.6 else (
        QColor("black"))


def weight_pen(value: float, scale: float, gradient: bool = False) -> QPen:
    if gradient:
        colour = GRADIENT_POSITIVE if value > 0 else GRADIENT_NEGATIVE
    else:
        colour = POSITIVE if value >= 0 else NEGATIVE
    width = 0.6 + MAX_EDGE_WIDTH * min(1.0, abs(value) / scale) if scale > 0 else 1.0
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setCosmetic(False)
    return pen


class NeuronItem(QGraphicsEllipseItem):
    def __init__(self, layer: int, index: int, radius: float, show_text: bool) -> None:
        super().__init__(-radius, -radius, 2 * radius, 2 * radius)
        self.layer, self.index, self.radius = layer, index, radius
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.label = QGraphicsSimpleTextItem(self) if show_text else None
        if self.label is not None:
            font = QFont()
            font.setPointSizeF(max(6.0, radius * 0.42))
            self.label.setFont(font)
        # what is shown now: Qt is told only of changes (a redraw touches hundreds of neurons)
        self._fill: int | None = None
        self._text: str | None = None
        self._outline: object = ()
        self._ring: QGraphicsEllipseItem | None = None
        self.set_outline(None)

    def set_value(self, value: float | None, unknown: bool = False) -> None:
        """The activation shown (None: not computed yet); ``unknown``: computed but hidden
        until the learner predicts it ("?")."""
        fill = activation_colour(value)
        if fill.rgb() != self._fill:
            self._fill = fill.rgb()
            self.setBrush(QBrush(fill))
        if self.label is not None:
            text = ("?" if unknown else "" if value is None
                    else f"{value:.3f}" if abs(value) < 1000 else f"{value:.2g}")
            if text != self._text:
                self._text = text
                self.label.setText(text)
                self.label.setBrush(QBrush(text_colour(value)))
                rect = self.label.boundingRect()
                self.label.setPos(-rect.width() / 2, -rect.height() / 2)

    def set_outline(self, colour: QColor | None) -> None:
        key = None if colour is None else colour.rgb()
        if key == self._outline:
            return
        self._outline = key
        if colour is None:
            self.setPen(QPen(QColor(90, 90, 90), 1.2))
        else:
            self.setPen(QPen(colour, max(3.0, self.radius * 0.22)))

    # Selection shows as a child item made when it changes, not in a paint() override: a
    # Python paint() is a call back into Python per neuron per redraw (hundreds of them).
    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            if self.isSelected() and self._ring is None:
                r = self.radius + 5
                self._ring = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r, self)
                self._ring.setPen(QPen(QColor(0, 0, 0), 1.5, Qt.PenStyle.DashLine))
                self._ring.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            elif not self.isSelected() and self._ring is not None:
                self._ring.setParentItem(None)
                if self._ring.scene() is not None:
                    self._ring.scene().removeItem(self._ring)
                self._ring = None
        return super().itemChange(change, value)


class BiasItem(QGraphicsRectItem):
    """The bias b^{l-1}_j of a neuron, drawn as a small tag below it; double-click edits."""

    def __init__(self, address: ParameterAddress, width: float) -> None:
        super().__init__(-width / 2, 0, width, 16)
        self.address = address
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setBrush(QBrush(QColor(250, 250, 240)))
        self.setPen(BIAS_PEN)
        self.setZValue(3)
        self.text = QGraphicsSimpleTextItem(self)
        font = QFont()
        font.setPointSizeF(7.5)
        self.text.setFont(font)
        self.lock: LockItem | None = None  # drawn while the bias is frozen

    @property
    def frozen(self) -> bool:
        return self.lock is not None

    def set_frozen(self, frozen: bool) -> None:
        """Draw a padlock at the tag's left while the bias is frozen."""
        if frozen == self.frozen:
            return
        if frozen:
            self.lock = LockItem(_line_height(self.text) * 0.72, self)
        else:
            _remove(self.lock)
            self.lock = None
        self._lay_out()

    def set_value(self, value: float | None) -> None:
        """The bias shown; None: hidden until the learner predicts the update ("b ?")."""
        self.text.setText("b ?" if value is None else f"b {value:.4g}")
        self._lay_out()

    def _lay_out(self) -> None:
        rect = self.text.boundingRect()
        room = self.lock.width + 3 if self.lock is not None else 0.0
        width = max(rect.width() + room + 8, 30)
        self.setRect(-width / 2, 0, width, rect.height() + 2)
        left = -(rect.width() + room) / 2
        self.text.setPos(left + room, 1)
        if self.lock is not None:
            self.lock.setPos(left, 1 + (rect.height() - self.lock.height) / 2)

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setPen(SELECTED_BIAS_PEN if self.isSelected() else BIAS_PEN)
        return super().itemChange(change, value)


class EdgeItem(QGraphicsLineItem):
    """One weight w^l_{i,j}; selectable (Ctrl+click, rubber band), double-click edits.

    Thin lines are hard to hit, so the view finds the edge nearest a click itself
    (``NetworkView.edge_near``) rather than through a wider ``shape()``."""

    def __init__(self, address: ParameterAddress, start: QPointF, end: QPointF) -> None:
        super().__init__(start.x(), start.y(), end.x(), end.y())
        self.address = address
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setZValue(1)
        self.label: QGraphicsRectItem | None = None
        self.lock: LockItem | None = None  # drawn while the weight is frozen
        self._fraction = 0.28  # where along the line the label sits

    def paint(self, painter, option, widget=None) -> None:
        if self.isSelected():
            halo = QPen(QColor(0, 0, 0, 110), self.pen().widthF() + 6)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.drawLine(self.line())
        painter.setPen(self.pen())
        painter.drawLine(self.line())

    def add_label(self) -> None:
        self.label = QGraphicsRectItem(self)
        self.label.setBrush(QBrush(QColor(255, 255, 255, 215)))
        self.label.setPen(QPen(Qt.PenStyle.NoPen))
        self.label.setZValue(4)
        self.label_text = QGraphicsSimpleTextItem(self.label)
        font = QFont()
        font.setPointSizeF(8)
        self.label_text.setFont(font)

    def set_label(self, text: str, fraction: float = 0.28) -> None:
        """Label the edge near its source end, where edges of one neuron fan apart."""
        if self.label is None:
            return
        self.label_text.setText(text)
        self._fraction = fraction
        self._lay_out_label()

    def _lay_out_label(self) -> None:
        rect = self.label_text.boundingRect()
        room = self.lock.width + 3 if self.lock is not None else 0.0
        width = rect.width() + room
        point = self.line().pointAt(self._fraction)
        self.label.setRect(0, 0, width + 4, rect.height())
        self.label_text.setPos(2 + room, 0)
        if self.lock is not None:
            self.lock.setPos(2, (rect.height() - self.lock.height) / 2)
        self.label.setPos(point.x() - width / 2 - 2, point.y() - rect.height() / 2)

    @property
    def frozen(self) -> bool:
        return self.lock is not None

    def set_frozen(self, frozen: bool) -> None:
        """Draw a padlock while the weight is frozen: in its label, before the name, or
        where the edge has no label, on the line near its source (the same size at any
        zoom)."""
        if frozen == self.frozen:
            return
        if not frozen:
            _remove(self.lock)
            self.lock = None
        elif self.label is not None:
            self.lock = LockItem(_line_height(self.label_text) * 0.72, self.label)
        else:
            self.lock = LockItem(LOCK_PIXELS, self, backed=True, fixed_size=True)
            self.lock.setPos(self.line().pointAt(LOCK_FRACTION))
        if self.label is not None:
            self._lay_out_label()


def _line_height(text: QGraphicsSimpleTextItem) -> float:
    """The height of a line of ``text``'s font (its bounding box is empty until it has
    text, and a lock is sized before the first value is shown)."""
    return QFontMetricsF(text.font()).height()


def _remove(item: QGraphicsItem | None) -> None:
    """Take a child item out of its parent and the scene (it is dropped)."""
    if item is None:
        return
    item.setParentItem(None)
    if item.scene() is not None:
        item.scene().removeItem(item)


class FoldItem(QGraphicsRectItem):
    """The neurons of a wide layer that are not drawn, as one item: "+720 more" (a click
    shows them) or, the layer shown whole, "fold 720" (a click folds them back).

    Its size is in pixels, whatever the zoom (a graph of 784 neurons is fitted small), so it
    reaches into the graph rather than out of it: the first column's item starts at its
    column, the last column's ends there, the others are centred (``align`` -1, 1, 0)."""

    def __init__(self, layer: int, first: int, count: int, expanded: bool,
                 align: int = 0) -> None:
        super().__init__()
        self.layer, self.first, self.count, self.expanded = layer, first, count, expanded
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(5)
        self.setBrush(QBrush(QColor(255, 250, 225) if not expanded else QColor(240, 240, 240)))
        self.setPen(QPen(QColor(120, 120, 120), 1.0))
        self.text = QGraphicsSimpleTextItem(self.label(), self)
        font = QFont()
        font.setPointSizeF(9)
        self.text.setFont(font)
        rect = self.text.boundingRect()
        width, height = rect.width() + 12, rect.height() + 6
        left = {-1: -8.0, 0: -width / 2, 1: 8.0 - width}[align]
        self.setRect(left, -height / 2, width, height)
        self.text.setPos(left + 6, -rect.height() / 2)

    def label(self) -> str:
        return f"fold {self.count:,} ▲" if self.expanded else f"+{self.count:,} more ▼"

    def tooltip(self) -> str:
        last = self.first + self.count - 1
        if self.expanded:
            return (f"Layer {self.layer}: neurons {self.first} to {last} ({self.count:,}) are "
                    "shown: click to fold them back")
        return (f"Layer {self.layer}: neurons {self.first} to {last} ({self.count:,}) are "
                "folded, their edges not drawn: click to show them")


class _EdgeLayer(QGraphicsItem):
    """All the batched edges as one item, painted from one cached pixmap until they change.

    One item rather than one per path: each cached item is a pixmap of the whole graph, and
    compositing eight of them cost more than stroking the lines once."""

    def __init__(self, batched: BatchedEdges, rect: QRectF) -> None:
        super().__init__()
        self._batched, self._rect = batched, rect
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        for pen, path in zip(self._batched.pens, self._batched.paths, strict=True):
            if not path.isEmpty():
                painter.setPen(pen)
                painter.drawPath(path)


class BatchedEdges:
    """Thousands of edges as a few paths, one per colour and width bucket, in one item.

    Opaque colours (alpha blending multiplies the cost of stroking by twenty), and at most
    ``MAX_DRAWN`` edges: the strongest by |w|. At that density a learner cannot tell more
    lines apart, and stroking lines is most of a redraw (about 3 µs each)."""

    BUCKETS = 4
    MAX_DRAWN = 1500

    def __init__(self, scene, starts: np.ndarray, ends: np.ndarray) -> None:
        # starts, ends: (edges, 2) scene coordinates, in θ order of the weights
        self.starts, self.ends = starts, ends
        self.drawn = 0
        self.pens: list[QPen] = []
        for sign in (POSITIVE, NEGATIVE):  # weak to strong: strong edges on top
            for bucket in range(self.BUCKETS):
                strength = 0.25 + 0.75 * (bucket + 1) / self.BUCKETS
                colour = QColor(
                    *(int(255 - strength * (255 - c)) for c in (sign.red(), sign.green(),
                                                                 sign.blue())))
                pen = QPen(colour, 1.0 if bucket < self.BUCKETS - 1 else 2.0)
                pen.setCosmetic(True)  # pixels, not scene units: thin at any zoom
                self.pens.append(pen)
        order = sorted(range(len(self.pens)), key=lambda i: i % self.BUCKETS)
        self.pens = [self.pens[i] for i in order]
        self._order = order
        self.paths = [QPainterPath() for _ in self.pens]
        corner = np.minimum(starts.min(axis=0), ends.min(axis=0)) - 4
        far = np.maximum(starts.max(axis=0), ends.max(axis=0)) + 4
        self.layer = _EdgeLayer(self, QRectF(*corner, *(far - corner)))
        scene.addItem(self.layer)

    def update(self, values: np.ndarray, scale: float) -> None:
        strongest = np.arange(len(values))
        if len(values) > self.MAX_DRAWN:
            strongest = np.argpartition(np.abs(values), -self.MAX_DRAWN)[-self.MAX_DRAWN:]
        self.drawn = len(strongest)
        values, starts, ends = values[strongest], self.starts[strongest], self.ends[strongest]
        magnitude = np.abs(values) / scale if scale > 0 else np.zeros_like(values)
        bucket = np.minimum((magnitude * self.BUCKETS).astype(int), self.BUCKETS - 1)
        for position, index in enumerate(self._order):
            positive, b = index < self.BUCKETS, index % self.BUCKETS
            mask = (values >= 0 if positive else values < 0) & (bucket == b)
            if not mask.any():
                self.paths[position] = QPainterPath()
                continue
            x = np.empty(2 * mask.sum())
            y = np.empty_like(x)
            x[0::2], x[1::2] = starts[mask, 0], ends[mask, 0]
            y[0::2], y[1::2] = starts[mask, 1], ends[mask, 1]
            self.paths[position] = pg.arrayToQPath(x, y, connect="pairs")
        self.layer.update()
