"""The matrix view: the current phase's matrices laid out as seed 000 drew them.

A product ``left × right = result`` puts ``right`` above ``result`` and ``left`` beside it, so
every number of the result sits in the row of ``left`` and the column of ``right`` that make
it; an element-wise product shows its two operands and the result side by side. Equal rows or
columns (the fingerprint of symmetry) share a tint, and their tooltip names them. Each matrix
can be copied as the seed's text table, as a numpy literal or as LaTeX.

The view only reads the controller: ``refresh()`` rebuilds it from the engine's trace (the
window's scheduler calls it while the view is in view). Small matrices are tables, through
a thin table model (matrix_table.py); matrices over 20×20 are heatmaps with every cell
drawn, the exact value of the cell under the mouse in its tooltip (matrix_heatmap.py).
Copies are always of the whole matrix, exact. The cells of frozen parameters (in [b; W], W,
(W)ᵀ and the gradients laid out as [b; W]) carry a padlock and say so in their tooltip.
"""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.matrices import (
    MatrixBlock,
    as_latex,
    as_numpy,
    as_text,
    block_text,
    phase_blocks,
)

from ..notation import typeset
from .block_layout import BlockLayout, cell
from .matrix_heatmap import MatrixHeatmap, matrix_widget
from .matrix_table import MatrixTable, listing

FORMATS = {"text": ("text", as_text), "numpy": ("numpy", as_numpy), "latex": ("LaTeX", as_latex)}
FORMAT_TIPS = {
    "text": "the seed's pipe table, numbers rounded to 7 decimals",
    "numpy": "a numpy literal, np.array([[...]]), every number exact",
    "latex": r"a LaTeX \begin{bmatrix} … \end{bmatrix}",
}
# the titles of matrices laid out as [b^k; W^k] (row 0 the biases), as W^k, as (W^k)ᵀ, and
# the gradients laid out as the first two: their cells are parameters, which may be frozen
_PARAMETER_TITLE = re.compile(r"\[(?:∂C/∂)?b\^(\d+); (?:∂C/∂)?W\^\1\]"
                              r"|(?:∂C/∂)?W\^(\d+)|\(W\^(\d+)\)ᵀ")


def frozen_cells(title: str, frozen, bias: bool) -> frozenset[tuple[int, int]]:
    """The (row, column) cells of the matrix titled ``title`` (the engine's ASCII title)
    that hold the ``frozen`` parameters (addresses): in [b^k; W^k], b^k_j at (0, j) and
    w^k_{i,j} at (i + 1, j); in W^k at (i, j); in (W^k)ᵀ at (j, i). None for other
    matrices."""
    match = _PARAMETER_TITLE.fullmatch(title)
    if match is None or not frozen:
        return frozenset()
    augmented, plain, transposed = match.groups()
    k = int(augmented or plain or transposed)
    cells = set()
    for address in frozen:
        if address.layer != k:
            continue
        if augmented is not None and bias:
            cells.add((0, address.target) if address.kind == "b"
                      else (address.source + 1, address.target))
        elif address.kind == "w" and plain is not None:
            cells.add((address.source, address.target))
        elif address.kind == "w" and transposed is not None:
            cells.add((address.target, address.source))
    return frozenset(cells)


def layout_key(block: MatrixBlock) -> tuple:
    """What a BlockWidget's widgets depend on: blocks with equal keys differ only in their
    numbers and title, and a refresh updates them in place."""
    return (block.kind, block.left_title, block.right_title, block.result_title,
            tuple((part, m.shape) for part, m in block.matrices().items()))


class BlockWidget(QFrame):
    """One block: its title, its tables in the seed's layout and its copy buttons."""

    def __init__(self, view: MatrixView, index: int, block: MatrixBlock, parent=None,
                 hidden: frozenset[str] = frozenset()) -> None:
        super().__init__(parent)
        self.view, self.index, self.block = view, index, block
        self.hidden = hidden  # the parts shown as "?" (predict mode)
        self.setObjectName(f"matrix_block_{index}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.title = QLabel(typeset(block.title))  # the block keeps the engine's ASCII
        self.title.setObjectName("matrix_block_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.tables: dict[str, MatrixTable | MatrixHeatmap] = {}
        for part, matrix in block.matrices().items():
            table = matrix_widget(matrix, typeset(block.part_title(part)), self,
                                  hidden=part in hidden)
            table.set_frozen(self._frozen_cells(part))
            table.setObjectName(f"matrix_{part}")
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda point, p=part, t=table: self._show_menu(p, t.mapToGlobal(point)))
            self.tables[part] = table
        layout.addLayout(self._arrangement())
        # a table shows all its cells: a matrix it would cap is a heatmap (kept for safety)
        shown = [t for t in self.tables.values() if isinstance(t, MatrixTable)
                 and t.model().shown.shape != t.model().matrix.shape]
        if shown:
            note = QLabel("; ".join(
                f"{t.name}: showing the first {t.model().shown.shape[0]} of "
                f"{t.model().matrix.shape[0]} rows and {t.model().shown.shape[1]} of "
                f"{t.model().matrix.shape[1]} columns" for t in shown) + " (copies are whole)")
            note.setObjectName("matrix_cap_note")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(self._buttons())
        self._enable_copies()
        self.layout_key = layout_key(block)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(
            lambda point: self._show_menu("result", self.mapToGlobal(point)))

    def update_block(self, block: MatrixBlock, hidden: frozenset[str] = frozenset()) -> None:
        """Show ``block``, laid out as the one shown (``layout_key`` equal): new numbers in
        the same widgets (``hidden`` parts as "?")."""
        self.block, self.hidden = block, hidden
        self.title.setText(typeset(block.title))
        for part, matrix in block.matrices().items():
            self.tables[part].set_matrix(matrix, part in hidden)
            self.tables[part].set_frozen(self._frozen_cells(part))
        self._enable_copies()

    def _frozen_cells(self, part: str) -> frozenset[tuple[int, int]]:
        controller = self.view.controller
        return frozen_cells(self.block.part_title(part), controller.frozen_addresses(),
                            controller.network.bias)

    def _enable_copies(self) -> None:
        """A hidden result is not copied (it would tell the answer)."""
        for button in self.findChildren(QPushButton):
            if button.objectName().startswith("copy_"):
                button.setEnabled("result" not in self.hidden)

    def _arrangement(self) -> BlockLayout:
        """The tables in seed 000's arrangement while the width holds it, else one under
        the other (block_layout.py): every table whole, in any dock."""
        block, tables = self.block, self.tables
        if block.kind == "matrix":
            arranged = BlockLayout("row")
            arranged.addWidget(tables["result"])
            return arranged
        sign = "×" if block.kind == "product" else "⊙"
        arranged = BlockLayout("product" if block.kind == "product" else "row")
        for part, caption in (("left", block.left_title),
                              ("right", f"{sign} {block.right_title}"),
                              ("result", f"= {block.result_title}")):
            arranged.addWidget(cell(typeset(caption), tables[part]))
        return arranged

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        name = typeset(self.block.part_title("result"))
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
        name = typeset(self.block.part_title(part))
        for fmt, (label, _) in FORMATS.items():
            action = menu.addAction(f"Copy {name} as {label}")
            action.setEnabled(part not in self.hidden)  # predict mode: not the answer
            action.setToolTip(FORMAT_TIPS[fmt])
            action.triggered.connect(
                lambda _=False, f=fmt: self.view.copy_block(self.index, f, part))
        menu.addSeparator()
        action = menu.addAction("Copy the whole block as text")
        action.setEnabled(not self.hidden)
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
        network, loss, frozen = stepper.network, stepper.config.loss, stepper.config.frozen
        concealed = self.controller.concealed()
        if concealed is not None and concealed.kind == "update" and stepper.trace is not None:
            # predict mode: the update just made, its new parameters hidden
            heading = (f"Iteration {stepper.iteration - 1}, after the phase update: the new "
                       "parameters are hidden until you predict them")
            return heading, phase_blocks(network, stepper.trace, concealed, loss, frozen)
        if stepper.phase > 0 and stepper.trace is not None:
            phase = stepper.phases[stepper.phase - 1]
            trace = stepper.trace
            heading = f"Iteration {stepper.iteration}, after the phase {phase}"
            if trace.batch is not None:
                listed = listing(trace.batch[:12].tolist()) + (
                    ", …" if len(trace.batch) > 12 else "")
                heading += f" (rows: this iteration's batch, observations {listed})"
            return heading, phase_blocks(network, trace, phase, loss, frozen)
        trace = self.controller.display_trace(backward=True)
        heading = (f"Before iteration {stepper.iteration}: a whole forward and backward pass "
                   "at the current parameters, on every observation")
        return heading, phase_blocks(network, trace, None, loss, frozen)

    def hidden_parts(self) -> list[frozenset[str]]:
        """For each block shown, its parts hidden in predict mode: what the phase asked
        computed (each block's result, and an operand that is one of those results; after
        the update, the parameters it made)."""
        concealed = self.controller.concealed()
        if concealed is None:
            return [frozenset()] * len(self._blocks)
        if concealed.kind == "update":
            return [frozenset({"result"}) if "the parameters now" in b.title else frozenset()
                    for b in self._blocks]
        results = [b.result for b in self._blocks]

        def computed(matrix) -> bool:
            return matrix is not None and any(
                matrix.shape == r.shape and np.array_equal(matrix, r) for r in results)

        return [frozenset({"result"} | {part for part in ("left", "right")
                                         if computed(getattr(b, part))}) for b in self._blocks]

    def refresh(self) -> None:
        """Show the blocks of the controller's current phase."""
        heading, self._blocks = self._current()
        self.heading.setText(heading)
        hidden = self.hidden_parts()
        widgets = self.block_widgets
        if widgets and [w.layout_key for w in widgets] == [
                layout_key(b) for b in self._blocks]:
            for widget, block, parts in zip(widgets, self._blocks, hidden, strict=True):
                widget.update_block(block, parts)  # scrubbing, stepping: only the numbers
            return
        container = QWidget()
        container.setObjectName("matrix_view_blocks")
        column = QVBoxLayout(container)
        column.setContentsMargins(2, 2, 2, 2)
        self.block_widgets = []
        for index, block in enumerate(self._blocks):
            widget = BlockWidget(self, index, block, container, hidden[index])
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
        hidden = self.block_widgets[index].hidden if index < len(self.block_widgets) else ()
        if part in hidden or (part == "block" and hidden):
            raise ValueError(f"copy_block: block {index}'s {part} is hidden until you "
                             "predict it")
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
