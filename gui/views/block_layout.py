"""How one block of the matrix view lays out its matrices in the width it has: seed 000's
arrangement when it fits (a product ``left × right = result`` with ``right`` above ``result``
and ``left`` beside it, an element-wise product's three matrices side by side), else one
matrix under the other, so that a narrow dock shows every table whole rather than clipping
it or scrolling sideways. Each matrix is a *cell*: its caption above its table."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget

GAP = 10  # between two cells, across and down


def cell(caption: str, table: QWidget, tooltip: str = "") -> QWidget:
    """``table`` under its ``caption``, as one widget of its natural size."""
    widget = QWidget()
    widget.setObjectName("matrix_cell")
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    label = QLabel(caption)
    label.setObjectName("matrix_caption")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setToolTip(tooltip or caption)
    layout.addWidget(label)
    layout.addWidget(table, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return widget


class BlockLayout(QLayout):
    """Cells in seed 000's arrangement (``product``: left, right, result; ``row``: side by
    side) while the width holds it, else stacked in their order."""

    def __init__(self, arrangement: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if arrangement not in ("product", "row"):
            raise ValueError(f"BlockLayout: unknown arrangement {arrangement!r}")
        self.arrangement = arrangement
        self.items = []
        # the cells' sizes and the heights asked for, until a cell's size changes: Qt asks
        # heightForWidth hundreds of times while a dock is laid out (the matrix view's first
        # showing took 130 ms in a workspace switch without them)
        self._sizes_cache: list[QSize] | None = None
        self._heights: dict[int, int] = {}
        self.setContentsMargins(0, 0, 0, 0)

    # ------------------------------------------------------------------ QLayout's
    def addItem(self, item) -> None:
        self.items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self.items)

    def itemAt(self, index: int):
        return self.items[index] if 0 <= index < len(self.items) else None

    def takeAt(self, index: int):
        if not 0 <= index < len(self.items):
            return None
        self.invalidate()
        return self.items.pop(index)

    def invalidate(self) -> None:
        self._sizes_cache = None
        self._heights.clear()
        super().invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if width not in self._heights:
            self._heights[width] = self._place(QRect(0, 0, width, 0), move=False).height()
        return self._heights[width]

    def sizeHint(self) -> QSize:
        return self._wide_size()

    def minimumSize(self) -> QSize:
        """As narrow as the widest cell (stacked); as short as the wide arrangement."""
        sizes = self._sizes()
        return QSize(max((s.width() for s in sizes), default=0), self._wide_size().height())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    # ------------------------------------------------------------------ placing
    def _sizes(self) -> list[QSize]:
        if self._sizes_cache is None:
            self._sizes_cache = [item.sizeHint() for item in self.items]
        return self._sizes_cache

    def _wide_positions(self) -> list[QPoint]:
        sizes = self._sizes()
        if self.arrangement == "product" and len(sizes) == 3:
            left, right, _ = sizes
            # right above the result, left beside the result: its rows in the result's
            return [QPoint(0, right.height() + GAP), QPoint(left.width() + GAP, 0),
                    QPoint(left.width() + GAP, right.height() + GAP)]
        positions, x = [], 0
        for size in sizes:
            positions.append(QPoint(x, 0))
            x += size.width() + GAP
        return positions

    def _extent(self, positions: list[QPoint]) -> QSize:
        sizes = self._sizes()
        width = max((p.x() + s.width() for p, s in zip(positions, sizes, strict=True)),
                    default=0)
        height = max((p.y() + s.height() for p, s in zip(positions, sizes, strict=True)),
                     default=0)
        return QSize(width, height)

    def _wide_size(self) -> QSize:
        return self._extent(self._wide_positions())

    def fits_wide(self, width: int) -> bool:
        """Whether seed 000's arrangement fits in ``width``."""
        return self._wide_size().width() <= width

    def _place(self, rect: QRect, move: bool) -> QRect:
        if self.fits_wide(rect.width()):
            positions = self._wide_positions()
        else:  # one under the other, in order
            positions, y = [], 0
            for size in self._sizes():
                positions.append(QPoint(0, y))
                y += size.height() + GAP
        if move:
            for item, position, size in zip(self.items, positions, self._sizes(), strict=True):
                item.setGeometry(QRect(rect.topLeft() + position, size))
        extent = self._extent(positions)
        return QRect(rect.topLeft(), extent)
