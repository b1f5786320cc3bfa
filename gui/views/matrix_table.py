"""A matrix as a table, as seed 000 prints it: a thin Qt model over the first MAX_SHOWN rows
and columns (texts made as they are drawn), cells of identical rows or columns tinted per
group and named in their tooltip, cells of frozen parameters marked with a padlock (and
tinted where no group tint is); a view sized to its matrix."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QSizePolicy, QTableView

from engine.analysis.matrices import identical_columns, identical_rows
from engine.core.precision import number_text
from engine.io.tables import DECIMALS, format_number

from ..notation import FROZEN_NOTE
from .lock_glyph import lock_pixmap

MAX_SHOWN = 50  # rows and columns shown of each matrix
EAGER_CELLS = 400  # matrices up to this size get columns exactly as wide as their texts
COLUMN_TINTS = ("#cfe3fb", "#d4f0d0", "#fbe3c4", "#e6d6f5", "#f9d3dc", "#d2efee")
ROW_TINTS = ("#fff1a8", "#f3d0e9", "#c9ecd9", "#e2e2f8", "#f6dcc8", "#dbeec2")
# roles as plain ints: data() and headerData() are called for every cell and section
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
FROZEN_TINT = "#e4e4ec"  # a frozen parameter's cell, where no group tint is
LOCK_HEIGHT = 10  # the padlock in a frozen cell, pixels
LOCK_ROOM = 12  # the width it takes beside the number
RIGHT_ALIGNED = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
HORIZONTAL = Qt.Orientation.Horizontal


def listing(indices: list[int]) -> str:
    return ", ".join(str(i) for i in indices)


def cell_text(value: float) -> str:
    """``format_number(value)``, with a fast path for the usual magnitudes (1e-4 … 1e7)."""
    if value == 0.0:
        return "0"
    if 1e-4 <= abs(value) < 1e7:  # false for inf and nan
        return f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return format_number(value)


def longest_text_bound(matrix: np.ndarray) -> list[int]:
    """Per column, at least the length of the longest ``cell_text`` (vectorised: large
    matrices are not formatted cell by cell to size their columns)."""
    if not matrix.size:
        return [0] * matrix.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.abs(matrix)
        fixed = (magnitude >= 1e-4) & (magnitude < 1e7)
        digits = np.where(fixed, np.floor(np.log10(np.where(fixed, magnitude, 1.0))) + 1, 0)
    length = np.where(fixed, np.maximum(digits, 1) + 1 + DECIMALS,
                      np.where(np.isfinite(matrix), DECIMALS + 6, 4))  # 1.234567e-100, nan
    length = length + (matrix < 0)
    return [int(n) for n in length.max(axis=0)]


class MatrixModel(QAbstractTableModel):
    """Read-only cells of one matrix (its first ``limit`` rows and columns), numbers as the
    seed prints them; cells of identical columns and rows tinted per group."""

    def __init__(self, matrix: np.ndarray, limit: int = MAX_SHOWN, parent=None,
                 hidden: bool = False) -> None:
        super().__init__(parent)
        self.limit = limit
        self.frozen: frozenset[tuple[int, int]] = frozenset()  # cells of frozen parameters
        self._lock = None  # the padlock pixmap, made when first drawn
        self._load(matrix, hidden)

    def set_frozen(self, cells) -> None:
        """Mark the (row, column) cells that hold frozen parameters (of [b; W], of its
        gradient): a padlock, a tint where no group tint is, a line in the tooltip."""
        cells = frozenset(cells)
        if cells != self.frozen:
            self.frozen = cells
            rows, columns = self.shown.shape
            if rows and columns:
                self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))

    def set_matrix(self, matrix: np.ndarray, hidden: bool = False) -> None:
        """Show another matrix (the views reset; a table keeps its widget); ``hidden``: its
        shape only, every cell "?" (predict mode: not revealed yet)."""
        self.beginResetModel()
        self._load(matrix, hidden)
        self.endResetModel()

    def _load(self, matrix: np.ndarray, hidden: bool = False) -> None:
        limit = self.limit
        self.hidden = hidden
        if hidden:  # nothing of its numbers kept: neither cells, tints nor tooltips tell
            matrix = np.full(matrix.shape, np.nan)
        self.matrix = matrix
        rows, columns = min(matrix.shape[0], limit), min(matrix.shape[1], limit)
        self.shown = matrix[:rows, :columns]
        self._values = self.shown.tolist()
        self._texts: dict[tuple[int, int], str] = {}  # formatted when first shown
        if rows * columns <= EAGER_CELLS:
            self.column_texts = [max((self.text(i, j) for i in range(rows)), key=len, default="")
                                 for j in range(columns)]
        else:  # a wide bound per column instead of formatting every cell
            self.column_texts = ["0" * n for n in longest_text_bound(self.shown)]
        # groups among the shown columns (all rows compared) and shown rows (all columns)
        self.column_groups = [] if hidden else identical_columns(matrix[:, :columns])
        self.row_groups = [] if hidden else identical_rows(matrix[:rows, :])
        self._column_group = {j: g for g, group in enumerate(self.column_groups) for j in group}
        self._row_group = {i: g for g, group in enumerate(self.row_groups) for i in group}
        self._tints = {}  # (row, column) → QColor, for the tinted cells only
        for j, g in self._column_group.items():
            color = QColor(COLUMN_TINTS[g % len(COLUMN_TINTS)])
            self._tints.update({(i, j): color for i in range(rows)})
        for i, g in self._row_group.items():
            color = QColor(ROW_TINTS[g % len(ROW_TINTS)])
            for j in range(columns):
                self._tints.setdefault((i, j), color)

    def text(self, row: int, column: int) -> str:
        if self.hidden:
            return "?"
        key = (row, column)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = cell_text(self._values[row][column])
        return text

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.shown.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.shown.shape[1]

    def tint(self, row: int, column: int) -> QColor | None:
        """The cell's background: its column group's tint, else its row group's, else None."""
        return self._tints.get((row, column))

    def cell_tooltip(self, row: int, column: int) -> str:
        if self.hidden:
            return (f"row {row}, column {column}: ? (predict it first: the Predict panel)"
                    + (f"\n{FROZEN_NOTE}" if (row, column) in self.frozen else ""))
        lines = [f"row {row}, column {column}: {number_text(self.shown[row, column])}"]
        if (row, column) in self.frozen:
            lines.append(FROZEN_NOTE)
        if column in self._column_group:
            group = self.column_groups[self._column_group[column]]
            lines.append(f"columns {listing(group)} are identical")
        if row in self._row_group:
            lines.append(f"rows {listing(self.row_groups[self._row_group[row]])} are identical")
        return "\n".join(lines)

    def data(self, index: QModelIndex, role: int = DISPLAY):
        if not index.isValid():
            return None
        role = int(role)
        if role == DISPLAY:
            return self.text(index.row(), index.column())
        if role == ALIGNMENT:
            return RIGHT_ALIGNED
        if role == BACKGROUND:
            key = (index.row(), index.column())
            tint = self._tints.get(key)
            return QColor(FROZEN_TINT) if tint is None and key in self.frozen else tint
        if role == DECORATION:
            if (index.row(), index.column()) not in self.frozen:
                return None
            if self._lock is None:
                self._lock = lock_pixmap(LOCK_HEIGHT)
            return self._lock
        if role == TOOLTIP:
            return self.cell_tooltip(index.row(), index.column())
        return None

    def headerData(self, section: int, orientation, role: int = DISPLAY):
        role = int(role)
        if role == DISPLAY:
            return str(section)
        if role == TOOLTIP:
            return f"{'column' if orientation == HORIZONTAL else 'row'} {section}"
        return None

    def flags(self, index: QModelIndex):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class MatrixTable(QTableView):
    """A compact, read-only table exactly as large as its cells."""

    def __init__(self, model: MatrixModel, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setModel(model)
        model.setParent(self)
        self.name = name
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._describe(model)

    def set_matrix(self, matrix: np.ndarray, hidden: bool = False) -> None:
        model = self.model()
        model.set_matrix(matrix, hidden)
        self._describe(model)

    def set_frozen(self, cells) -> None:
        """Mark the cells of frozen parameters (MatrixModel.set_frozen); their columns
        widen for the padlock."""
        model = self.model()
        if frozenset(cells) != model.frozen:
            model.set_frozen(cells)
            self._fit(model)

    def _describe(self, model: MatrixModel) -> None:
        """The tooltip (size, identical rows and columns) and the size, from the model."""
        name = self.name
        rows, columns = model.matrix.shape
        shown = model.shown.shape
        tip = f"{name}: {rows}×{columns}"
        if (rows, columns) != shown:
            tip += f" (showing the first {shown[0]}×{shown[1]})"
        groups = [f"columns {listing(g)} are identical" for g in model.column_groups]
        groups += [f"rows {listing(g)} are identical" for g in model.row_groups]
        self.setToolTip("\n".join([tip, *groups, "right-click to copy"]))
        self._fit(model)

    def _fit(self, model: MatrixModel) -> None:
        metrics = QFontMetrics(self.font())
        row_height = metrics.height() + 6
        vertical, horizontal = self.verticalHeader(), self.horizontalHeader()
        vertical.setDefaultSectionSize(row_height)
        vertical.setMinimumSectionSize(row_height)
        horizontal.setMinimumSectionSize(metrics.horizontalAdvance("00") + 8)
        locked = {column for _, column in model.frozen}
        for j in range(model.shown.shape[1]):
            longest = max(model.column_texts[j], str(j), key=len)
            horizontal.resizeSection(j, metrics.horizontalAdvance(longest) + 12
                                     + (LOCK_ROOM if j in locked else 0))
        width = horizontal.length()  # sections never narrower than the header's minimum
        frame = 2 * self.frameWidth()
        header_width = metrics.horizontalAdvance(str(max(model.shown.shape[0] - 1, 0))) + 10
        vertical.setFixedWidth(header_width)
        horizontal.setFixedHeight(row_height)
        self.setFixedSize(header_width + width + frame,
                          row_height * (model.shown.shape[0] + 1) + frame)
