"""A matrix too large to read as a table, drawn as a heatmap: one block of pixels per cell,
coloured on a diverging map centred at 0 (orange below, white at 0, blue above: the graph's
colours), a colour bar with its range under it, and the exact value of the cell under the
mouse in a tooltip (row, column, the value's repr). Every cell is drawn: 784 rows take at
least 784 pixels, in the matrix view's scroll area.

It stands in for a ``MatrixTable`` in a block of the matrix view (``matrix_widget`` picks
one by the matrix's size): the same ``name`` and ``set_matrix(matrix, hidden)``."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..notation import FROZEN_NOTE
from .matrix_table import MAX_SHOWN, MatrixModel, MatrixTable

HEATMAP_ABOVE = 400  # cells: a matrix of more (over 20×20) is a heatmap
EXTENT = 360  # pixels a heatmap side aims at: each cell gets EXTENT // cells pixels …
MAX_CELL = 16  # … at most this many, at least one
BAR_WIDTH = 180  # the colour bar's width, pixels
BAR_HEIGHT = 10
NEGATIVE = np.array([245, 127, 23])  # the graph's colours (graph_items.py)
POSITIVE = np.array([31, 119, 180])
NOT_A_NUMBER = 0xFFA0A0A0  # grey
HIDDEN = 0xFFDDDDDD
LEVELS = 257  # colours of the map: −1 … 0 … 1


def shows_as_heatmap(shape: tuple[int, ...]) -> bool:
    """Whether a matrix of ``shape`` is drawn as a heatmap rather than a table: more than
    ``HEATMAP_ABOVE`` cells, or more rows or columns than a table shows."""
    rows, columns = (shape[0], 1) if len(shape) == 1 else shape[:2]
    return rows * columns > HEATMAP_ABOVE or max(rows, columns) > MAX_SHOWN


def _colour_table() -> np.ndarray:
    """ARGB32 of the LEVELS colours from −1 (orange) through 0 (white) to 1 (blue)."""
    t = np.linspace(-1.0, 1.0, LEVELS)
    target = np.where(t[:, None] < 0, NEGATIVE, POSITIVE)
    rgb = np.rint(255 - np.abs(t)[:, None] * (255 - target)).astype(np.uint32)
    return (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)


COLOURS = _colour_table()


def colour_indices(matrix: np.ndarray, scale: float) -> np.ndarray:
    """Each cell's level in ``COLOURS``: value / scale from −1 to 1, 0 in the middle."""
    with np.errstate(invalid="ignore"):
        t = np.clip(np.nan_to_num(matrix, nan=0.0) / scale, -1.0, 1.0)
    return np.rint((t + 1.0) * (LEVELS - 1) / 2).astype(np.intp)


def number(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def _same_read_only(matrix: np.ndarray, shown: np.ndarray) -> bool:
    """Whether ``matrix`` is the read-only array ``shown`` is (or the same view of one): its
    numbers cannot have changed, and comparing them (1,000 × 785 for the inputs) is skipped."""
    if matrix.flags.writeable or shown.flags.writeable:
        return False
    if matrix is shown:
        return True
    return (matrix.base is not None and matrix.base is shown.base
            and matrix.strides == shown.strides
            and matrix.__array_interface__["data"] == shown.__array_interface__["data"])


def _finite_range(matrix: np.ndarray) -> tuple[float, float]:
    """The least and greatest finite entries (0, 0 when there is none): min and max at once
    when they are finite (NaN and ±inf would show there), the finite entries picked out only
    when they are not."""
    if matrix.size:
        low, high = float(matrix.min()), float(matrix.max())
        if math.isfinite(low) and math.isfinite(high):
            return low, high
    finite = matrix[np.isfinite(matrix)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)


def _same_numbers(matrix: np.ndarray, shown: np.ndarray) -> bool:
    """Whether ``matrix`` holds the numbers ``shown`` does (same shape): at once for the same
    read-only array, else its first and last rows first (a step changes most of a matrix
    that changes at all: 25 whole comparisons a step cost 1.6 ms), then every entry."""
    if _same_read_only(matrix, shown):
        return True
    if not (np.array_equal(matrix[0], shown[0]) and np.array_equal(matrix[-1], shown[-1])):
        return False
    return np.array_equal(matrix, shown)


class MatrixHeatmap(QWidget):
    """One matrix as a heatmap with its colour bar; hover a cell for its exact value."""

    def __init__(self, matrix: np.ndarray, name: str, parent=None,
                 hidden: bool = False) -> None:
        super().__init__(parent)
        self.name = name
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.hovered: tuple[int, int] | None = None
        self.frozen: frozenset[tuple[int, int]] = frozenset()  # cells of frozen parameters
        self.set_matrix(matrix, hidden)

    def set_frozen(self, cells) -> None:
        """The (row, column) cells that hold frozen parameters: their tooltip says so (a
        heatmap's cells are too small for a padlock)."""
        self.frozen = frozenset(cells)

    # ------------------------------------------------------------------ the matrix
    def set_matrix(self, matrix: np.ndarray, hidden: bool = False) -> None:
        """Show another matrix; ``hidden``: its shape only, grey, every cell "?" (predict
        mode: nothing of its numbers is kept)."""
        matrix = np.asarray(matrix)
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        if (not hidden and not getattr(self, "hidden", True) and matrix.shape == self.matrix.shape
                and _same_numbers(matrix, self.matrix)):
            return  # the same numbers (the inputs, a step later): its picture stands
        self.hidden = hidden
        self.matrix = np.full(matrix.shape, np.nan) if hidden else matrix
        rows, columns = matrix.shape
        self.cell_size = QSize(min(MAX_CELL, max(1, EXTENT // max(columns, 1))),
                               min(MAX_CELL, max(1, EXTENT // max(rows, 1))))
        self.low, self.high = _finite_range(self.matrix)
        self.scale = max(abs(self.low), abs(self.high)) or 1.0
        self._image: QImage | None = None  # made when first painted
        self.setFixedSize(self._size())
        self.setToolTip("")  # the cells' tooltips are shown on hover (mouseMoveEvent)
        self.setAccessibleDescription(self.summary())
        self.hovered = None
        self.update()

    def summary(self) -> str:
        rows, columns = self.matrix.shape
        if self.hidden:
            return f"{self.name}: {rows}×{columns}, hidden until predicted"
        return (f"{self.name}: {rows}×{columns} as a heatmap, values from {self.low!r} to "
                f"{self.high!r}; hover a cell for its value, right-click to copy it whole")

    def legend_text(self) -> str:
        """What the colour bar says: the values at its two ends and in its middle."""
        if self.hidden:
            return "hidden until predicted"
        return (f"{number(-self.scale)} … 0 … {number(self.scale)} "
                f"(min {number(self.low)}, max {number(self.high)})")

    def image_rect(self) -> QRect:
        rows, columns = self.matrix.shape
        return QRect(0, 0, columns * self.cell_size.width(), rows * self.cell_size.height())

    def _size(self) -> QSize:
        metrics = QFontMetrics(self.font())
        image = self.image_rect()
        width = max(image.width(), BAR_WIDTH, metrics.horizontalAdvance(self.legend_text()))
        return QSize(width + 1, image.height() + 6 + BAR_HEIGHT + 2 + metrics.height() + 2)

    def image(self) -> QImage:
        """The cells, one pixel each (painted scaled up, without smoothing)."""
        if self._image is None:
            rows, columns = self.matrix.shape
            if self.hidden:
                argb = np.full((rows, columns), HIDDEN, dtype=np.uint32)
            else:
                argb = COLOURS[colour_indices(self.matrix, self.scale)]
                argb[np.isnan(self.matrix)] = NOT_A_NUMBER
            argb = np.ascontiguousarray(argb)
            self._image = QImage(argb.data, columns, rows, 4 * columns,
                                 QImage.Format.Format_RGB32).copy()  # owns its pixels
        return self._image

    # ------------------------------------------------------------------ the mouse
    def cell_at(self, point: QPoint) -> tuple[int, int] | None:
        """(row, column) of the cell at a widget position, None outside the cells."""
        if not self.image_rect().contains(point):
            return None
        return point.y() // self.cell_size.height(), point.x() // self.cell_size.width()

    def cell_centre(self, row: int, column: int) -> QPoint:
        size = self.cell_size
        return QPoint(column * size.width() + size.width() // 2,
                      row * size.height() + size.height() // 2)

    def cell_tooltip(self, row: int, column: int) -> str:
        note = f"\n{FROZEN_NOTE}" if (row, column) in self.frozen else ""
        if self.hidden:
            return f"row {row}, column {column}: ? (predict it first: the Predict panel)" + note
        return f"row {row}, column {column}: {float(self.matrix[row, column])!r}" + note

    def _show_cell(self, point: QPoint, global_point: QPoint) -> None:
        cell = self.cell_at(point)
        if cell is None:
            if self.hovered is not None:
                QToolTip.hideText()
            self.hovered = None
            QToolTip.showText(global_point, self.summary(), self)
            return
        self.hovered = cell
        size = self.cell_size
        area = QRect(cell[1] * size.width(), cell[0] * size.height(), size.width(),
                     size.height())
        QToolTip.showText(global_point, self.cell_tooltip(*cell), self, area)

    def mouseMoveEvent(self, event) -> None:
        point = event.position().toPoint()
        if self.cell_at(point) != self.hovered:
            self._show_cell(point, event.globalPosition().toPoint())
        super().mouseMoveEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self._show_cell(event.pos(), event.globalPos())
            return True
        return super().event(event)

    def leaveEvent(self, event) -> None:
        self.hovered = None
        QToolTip.hideText()
        super().leaveEvent(event)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        image = self.image_rect()
        painter.drawImage(image, self.image())  # nearest neighbour: a block per cell
        if self.hidden:
            painter.drawText(image, Qt.AlignmentFlag.AlignCenter, "?")
        painter.setPen(QPen(QColor(150, 150, 150)))
        painter.drawRect(image.adjusted(0, 0, -1, -1))
        # the colour bar: −scale … 0 … scale, and the range under it
        bar = QRect(0, image.height() + 6, BAR_WIDTH, BAR_HEIGHT)
        if not self.hidden:
            strip = np.ascontiguousarray(COLOURS[None, :])
            painter.drawImage(bar, QImage(strip.data, LEVELS, 1, 4 * LEVELS,
                                          QImage.Format.Format_RGB32))
            painter.drawRect(bar.adjusted(0, 0, -1, -1))
        painter.setPen(QPen(self.palette().windowText().color()))
        text = QRect(0, bar.bottom() + 2, self.width(), self.height() - bar.bottom() - 2)
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         self.legend_text())
        painter.end()


def matrix_widget(matrix: np.ndarray, name: str, parent=None,
                  hidden: bool = False) -> MatrixTable | MatrixHeatmap:
    """A table for a small matrix, a heatmap for a large one (``shows_as_heatmap``)."""
    if shows_as_heatmap(np.shape(matrix)):
        return MatrixHeatmap(matrix, name, parent, hidden)
    return MatrixTable(MatrixModel(matrix, hidden=hidden), name, parent)
