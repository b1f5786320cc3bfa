"""The padlock that marks a frozen parameter: on its edge's label or along its edge, on its
bias tag (graph_items.py) and in the cells of [b; W] (matrix_table.py).

Drawn, not a font glyph: 🔒 is missing from many systems' fonts (and from the offscreen
platform the tests run on), and a drawn shape is the same everywhere."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem

LOCK_COLOUR = QColor(70, 70, 80)
LOCK_BACKGROUND = QColor(255, 255, 255, 225)


def paint_lock(painter: QPainter, rect: QRectF, colour: QColor = LOCK_COLOUR) -> None:
    """A padlock filling ``rect`` (about 3 wide by 4 high): the shackle, an arch over the
    upper part, and the body, a rounded block over the lower part with a keyhole."""
    w, h = rect.width(), rect.height()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    body = QRectF(rect.left(), rect.top() + 0.45 * h, w, 0.55 * h)
    stroke = max(w * 0.16, 0.8)
    shackle = QRectF(rect.left() + 0.2 * w, rect.top() + stroke / 2, 0.6 * w, 0.75 * h)
    pen = QPen(colour, stroke)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(shackle, 0, 180 * 16)  # the arch; its legs go down into the body
    left, right = shackle.left(), shackle.right()
    middle = shackle.center().y()
    painter.drawLine(QPointF(left, middle), QPointF(left, body.top()))
    painter.drawLine(QPointF(right, middle), QPointF(right, body.top()))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    painter.drawRoundedRect(body, 0.12 * w, 0.12 * w)
    painter.setBrush(QBrush(QColor(255, 255, 255)))
    hole = 0.18 * w
    painter.drawEllipse(QRectF(body.center().x() - hole / 2, body.top() + 0.3 * body.height(),
                               hole, hole))
    painter.restore()


def lock_pixmap(height: int, colour: QColor = LOCK_COLOUR) -> QPixmap:
    """The padlock as a pixmap ``height`` pixels high (a table cell's decoration)."""
    width = max(round(height * 0.75), 4)
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_lock(painter, QRectF(0.5, 0.5, width - 1.0, height - 1.0), colour)
    painter.end()
    return pixmap


class LockItem(QGraphicsItem):
    """The padlock as a graph item ``height`` high, its top-left corner at its position;
    ``backed``: on a small white plate (along an edge, where lines run under it).
    ``fixed_size``: the same size in pixels at any zoom (a lock along an edge of a large,
    fitted-small graph), centred on its position."""

    def __init__(self, height: float, parent: QGraphicsItem | None = None,
                 backed: bool = False, fixed_size: bool = False) -> None:
        super().__init__(parent)
        self.height = height
        self.width = height * 0.75
        self.backed = backed
        # a lock of fixed size is placed by its centre (its position is a point on a line)
        self.origin = (-self.width / 2, -height / 2) if fixed_size else (0.0, 0.0)
        self.setZValue(6)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the edge
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, fixed_size)

    def boundingRect(self) -> QRectF:
        margin = 2.0 if self.backed else 0.0
        x, y = self.origin
        return QRectF(x - margin, y - margin, self.width + 2 * margin,
                      self.height + 2 * margin)

    def paint(self, painter, option, widget=None) -> None:
        if self.backed:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(LOCK_BACKGROUND))
            painter.drawRoundedRect(self.boundingRect(), 2.0, 2.0)
        paint_lock(painter, QRectF(*self.origin, self.width, self.height))
