"""The matrix view: the current phase's matrices laid out as seed 000 drew them.

A product ``left × right = result`` puts ``right`` above ``result`` and ``left`` beside it, so
every number of the result sits in the row of ``left`` and the column of ``right`` that make
it; an element-wise product shows its two operands and the result side by side. Equal rows or
columns (the fingerprint of symmetry) share a tint, and their tooltip names them. Each matrix
can be copied as the seed's text table, as a numpy literal or as LaTeX.

The view only reads the controller: ``refresh()`` rebuilds it from the engine's trace (the
window's scheduler calls it while the view is in view). Large matrices show their first
``MAX_SHOWN`` rows and columns, through a thin table model.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.matrices import (
    MatrixBlock,
    as_latex,
    as_numpy,
    as_text,
    block_text,
    identical_columns,
    identical_rows,
    phase_blocks,
)
from engine.io.tables import DECIMALS, format_number

MAX_SHOWN = 50  # rows and columns shown of each matrix
EAGER_CELLS = 400  # matrices up to this size get columns exactly as wide as their texts
FORMATS = {"text": ("text", as_text), "numpy": ("numpy", as_numpy), "latex": ("LaTeX", as_latex)}
FORMAT_TIPS = {
    "text": "the seed's pipe table, numbers rounded to 7 decimals",
    "numpy": "a numpy literal, np.array([[...]]), every number exact",
    "latex": r"a LaTeX \begin{bmatrix} … \end{bmatrix}",
}
COLUMN_TINTS = ("#cfe3fb", "#d4f0d0", "#fbe3c4", "#e6d6f5", "#f9d3dc", "#d2efee")
ROW_TINTS = ("#fff1a8", "#f3d0e9", "#c9ecd9", "#e2e2f8", "#f6dcc8", "#dbeec2")
# roles as plain ints: data() and headerData() are called for every cell and section
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
RIGHT_ALIGNED = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
HORIZONTAL = Qt.Orientation.Horizontal


def _listing(indices: list[int]) -> str:
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

    def __init__(self, matrix: np.ndarray, limit: int = MAX_SHOWN, parent=None) -> None:
        super().__init__(parent)
        self.limit = limit
        self._load(matrix)

    def set_matrix(self, matrix: np.ndarray) -> None:
        """Show another matrix (the views reset; a table keeps its widget)."""
        self.beginResetModel()
        self._load(matrix)
        self.endResetModel()

    def _load(self, matrix: np.ndarray) -> None:
        limit = self.limit
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
        self.column_groups = identical_columns(matrix[:, :columns])
        self.row_groups = identical_rows(matrix[:rows, :])
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
        lines = [f"row {row}, column {column}: {float(self.shown[row, column])!r}"]
        if column in self._column_group:
            group = self.column_groups[self._column_group[column]]
            lines.append(f"columns {_listing(group)} are identical")
        if row in self._row_group:
            lines.append(f"rows {_listing(self.row_groups[self._row_group[row]])} are identical")
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
            return self._tints.get((index.row(), index.column()))
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

    def set_matrix(self, matrix: np.ndarray) -> None:
        model = self.model()
        model.set_matrix(matrix)
        self._describe(model)

    def _describe(self, model: MatrixModel) -> None:
        """The tooltip (size, identical rows and columns) and the size, from the model."""
        name = self.name
        rows, columns = model.matrix.shape
        shown = model.shown.shape
        tip = f"{name}: {rows}×{columns}"
        if (rows, columns) != shown:
            tip += f" (showing the first {shown[0]}×{shown[1]})"
        groups = [f"columns {_listing(g)} are identical" for g in model.column_groups]
        groups += [f"rows {_listing(g)} are identical" for g in model.row_groups]
        self.setToolTip("\n".join([tip, *groups, "right-click to copy"]))
        self._fit(model)

    def _fit(self, model: MatrixModel) -> None:
        metrics = QFontMetrics(self.font())
        row_height = metrics.height() + 6
        vertical, horizontal = self.verticalHeader(), self.horizontalHeader()
        vertical.setDefaultSectionSize(row_height)
        vertical.setMinimumSectionSize(row_height)
        horizontal.setMinimumSectionSize(metrics.horizontalAdvance("00") + 8)
        for j in range(model.shown.shape[1]):
            longest = max(model.column_texts[j], str(j), key=len)
            horizontal.resizeSection(j, metrics.horizontalAdvance(longest) + 12)
        width = horizontal.length()  # sections never narrower than the header's minimum
        frame = 2 * self.frameWidth()
        header_width = metrics.horizontalAdvance(str(max(model.shown.shape[0] - 1, 0))) + 10
        vertical.setFixedWidth(header_width)
        horizontal.setFixedHeight(row_height)
        self.setFixedSize(header_width + width + frame,
                          row_height * (model.shown.shape[0] + 1) + frame)


def layout_key(block: MatrixBlock) -> tuple:
    """What a BlockWidget's widgets depend on: blocks with equal keys differ only in their
    numbers and title, and a refresh updates them in place."""
    return (block.kind, block.left_title, block.right_title, block.result_title,
            tuple((part, m.shape) for part, m in block.matrices().items()))


class BlockWidget(QFrame):
    """One block: its title, its tables in the seed's layout and its copy buttons."""

    def __init__(self, view: MatrixView, index: int, block: MatrixBlock, parent=None) -> None:
        super().__init__(parent)
        self.view, self.index, self.block = view, index, block
        self.setObjectName(f"matrix_block_{index}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.title = QLabel(block.title)
        self.title.setObjectName("matrix_block_title")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.tables: dict[str, MatrixTable] = {}
        for part, matrix in block.matrices().items():
            table = MatrixTable(MatrixModel(matrix), block.part_title(part), self)
            table.setObjectName(f"matrix_{part}")
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda point, p=part, t=table: self._show_menu(p, t.mapToGlobal(point)))
            self.tables[part] = table
        layout.addLayout(self._arrangement())
        shown = [t for t in self.tables.values() if t.model().shown.shape != t.model().matrix.shape]
        if shown:
            note = QLabel("; ".join(
                f"{t.name}: showing the first {t.model().shown.shape[0]} of "
                f"{t.model().matrix.shape[0]} rows and {t.model().shown.shape[1]} of "
                f"{t.model().matrix.shape[1]} columns" for t in shown) + " (copies are whole)")
            note.setObjectName("matrix_cap_note")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(self._buttons())
        self.layout_key = layout_key(block)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(
            lambda point: self._show_menu("result", self.mapToGlobal(point)))

    def update_block(self, block: MatrixBlock) -> None:
        """Show ``block``, laid out as the one shown (``layout_key`` equal): new numbers in
        the same widgets."""
        self.block = block
        self.title.setText(block.title)
        for part, matrix in block.matrices().items():
            self.tables[part].set_matrix(matrix)

    def _caption(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(text)
        return label

    def _arrangement(self) -> QHBoxLayout:
        block, tables, row = self.block, self.tables, QHBoxLayout()
        if block.kind == "product":
            # right above the result, left beside it (seed 000's layout)
            grid = QGridLayout()
            grid.addWidget(self._caption(f"× {block.right_title}"), 0, 1)
            grid.addWidget(tables["right"], 1, 1, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(self._caption(block.left_title), 2, 0)
            grid.addWidget(self._caption(f"= {block.result_title}"), 2, 1)
            grid.addWidget(tables["left"], 3, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(tables["result"], 3, 1, Qt.AlignmentFlag.AlignTop)
            row.addLayout(grid)
        elif block.kind == "elementwise":
            for part, sign, caption in (("left", "", block.left_title),
                                        ("right", "⊙", block.right_title),
                                        ("result", "=", block.result_title)):
                if sign:
                    row.addWidget(QLabel(sign))
                column = QVBoxLayout()
                column.addWidget(self._caption(caption))
                column.addWidget(tables[part])
                column.addStretch(1)
                row.addLayout(column)
        else:
            row.addWidget(tables["result"])
        row.addStretch(1)
        return row

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        name = self.block.part_title("result")
        for fmt, (label, _) in FORMATS.items():
            button = QPushButton(f"Copy as {label}")
            button.setObjectName(f"copy_{fmt}")
            button.setToolTip(f"Copy {name} to the clipboard as {FORMAT_TIPS[fmt]}")
            button.setFlat(True)
            button.clicked.connect(lambda _=False, f=fmt: self.view.copy_block(self.index, f))
            row.addWidget(button)
        row.addStretch(1)
        return row

    def menu(self, part: str = "result") -> QMenu:
        """The context menu: the clicked matrix in each format, then the whole block."""
        menu = QMenu(self)
        name = self.block.part_title(part)
        for fmt, (label, _) in FORMATS.items():
            action = menu.addAction(f"Copy {name} as {label}")
            action.setToolTip(FORMAT_TIPS[fmt])
            action.triggered.connect(
                lambda _=False, f=fmt: self.view.copy_block(self.index, f, part))
        menu.addSeparator()
        action = menu.addAction("Copy the whole block as text")
        action.triggered.connect(lambda _=False: self.view.copy_block(self.index, "text", "block"))
        return menu

    def _show_menu(self, part: str, position: QPoint) -> None:
        menu = self.menu(part)
        menu.exec(position)
        menu.deleteLater()


class MatrixView(QWidget):
    """The seed-000 matrices of the last phase done (of a whole pass between iterations)."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("matrix_view")
        self.controller = controller
        self._blocks: list[MatrixBlock] = []
        self.block_widgets: list[BlockWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.heading = QLabel()
        self.heading.setObjectName("matrix_view_heading")
        self.heading.setWordWrap(True)
        self.heading.setToolTip(
            "Rows are observations, columns neurons (weight-shaped matrices: rows are source "
            "neurons, row 0 the bias). Tinted cells: identical rows or columns, the "
            "fingerprint of symmetry.")
        layout.addWidget(self.heading)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("matrix_view_scroll")
        self.scroll.setWidgetResizable(True)
        layout.addWidget(self.scroll)

    def blocks(self) -> list[MatrixBlock]:
        """The blocks shown."""
        return list(self._blocks)

    def _current(self) -> tuple[str, list[MatrixBlock]]:
        stepper = self.controller.stepper
        network, loss = stepper.network, stepper.config.loss
        if stepper.phase > 0 and stepper.trace is not None:
            phase = stepper.phases[stepper.phase - 1]
            trace = stepper.trace
            heading = f"Iteration {stepper.iteration}, after the phase {phase}"
            if trace.batch is not None:
                listed = _listing(trace.batch[:12].tolist()) + (
                    ", …" if len(trace.batch) > 12 else "")
                heading += f" (rows: this iteration's batch, observations {listed})"
            return heading, phase_blocks(network, trace, phase, loss)
        trace = self.controller.display_trace(backward=True)
        heading = (f"Before iteration {stepper.iteration}: a whole forward and backward pass "
                   "at the current parameters, on every observation")
        return heading, phase_blocks(network, trace, None, loss)

    def refresh(self) -> None:
        """Show the blocks of the controller's current phase."""
        heading, self._blocks = self._current()
        self.heading.setText(heading)
        widgets = self.block_widgets
        if widgets and [w.layout_key for w in widgets] == [
                layout_key(b) for b in self._blocks]:
            for widget, block in zip(widgets, self._blocks, strict=True):
                widget.update_block(block)  # scrubbing, stepping: only the numbers change
            return
        container = QWidget()
        container.setObjectName("matrix_view_blocks")
        column = QVBoxLayout(container)
        column.setContentsMargins(2, 2, 2, 2)
        self.block_widgets = []
        for index, block in enumerate(self._blocks):
            widget = BlockWidget(self, index, block, container)
            self.block_widgets.append(widget)
            column.addWidget(widget)
        if not self._blocks:
            column.addWidget(QLabel("Nothing computed yet in this iteration."))
        column.addStretch(1)
        old = self.scroll.takeWidget()
        self.scroll.setWidget(container)
        if old is not None:
            old.deleteLater()

    def show_block(self, text: str) -> BlockWidget | None:
        """Scroll to the first block whose title holds ``text`` (a lesson points at it) and
        return it; None when no block has it."""
        self.refresh()  # the state may have moved since the last refresh
        for widget in self.block_widgets:
            if text in widget.block.title:
                QTimer.singleShot(0, lambda w=widget: self._scroll_to(w))
                return widget
        return None

    def _scroll_to(self, widget: BlockWidget) -> None:
        """The block's title at the top, its left edge at the left (once it is laid out)."""
        self.scroll.verticalScrollBar().setValue(widget.y())
        self.scroll.horizontalScrollBar().setValue(0)

    def copy_block(self, index: int, fmt: str = "text", part: str = "result") -> str:
        """Put one matrix of block ``index`` on the clipboard; ``part`` "left", "right",
        "result", or "block" (the whole block as text). Returns the text copied."""
        count = len(self.blocks())
        if not 0 <= index < count:
            raise ValueError(f"copy_block: no block {index} (there are {count})")
        if fmt not in FORMATS:
            raise ValueError(f"copy_block: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        block = self.blocks()[index]
        if part == "block":
            if fmt != "text":
                raise ValueError("copy_block: a whole block is copied as text only")
            text = block_text(block)
        else:
            matrices = block.matrices()
            if part not in matrices:
                raise ValueError(f"copy_block: block {index} has no {part!r} matrix "
                                 f"(it has {', '.join(matrices)})")
            text = FORMATS[fmt][1](matrices[part])
        QApplication.clipboard().setText(text)
        return text
