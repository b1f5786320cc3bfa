"""Compare your numbers: paste your own matrix for a quantity of the iteration and see which
cells part from the engine's, why a shape does not fit, and — with several quantities pasted —
the earliest phase of the iteration where yours and ours disagree."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.compare import (
    Comparison,
    MatrixParseError,
    Quantity,
    compare,
    earliest_disagreement,
    quantities,
    read_matrix,
)
from engine.core.backprop import Trace
from engine.io.tables import format_number

from ..notation import typeset

MISMATCH_COLOR = QColor(244, 166, 166)
TOLERANCES = ["1e-3", "1e-4", "1e-5", "1e-6", "1e-7", "1e-8", "1e-10"]
DEFAULT_TOLERANCE = "1e-6"
MAX_SHOWN_ROWS, MAX_SHOWN_COLUMNS = 500, 100
PLACEHOLDER = ("Paste your matrix: a numpy repr  array([[0.9, 0.9], [0.8, 0.8]]),  a Python "
               "list  [[0.9, 0.9], [0.8, 0.8]],  CSV,  columns separated by spaces, or the "
               "seed's tables  | 0.9   0.9 |")
ERROR_STYLE, GOOD_STYLE = "color: #b00020;", "color: #1b5e20;"


class ComparePanel(QWidget):
    """Your matrix against the engine's, for the quantity chosen; each paste is kept per
    quantity, so several can be checked at once."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("compare_panel")
        self.controller = controller
        self._pasted: dict[str, str] = {}
        self._keys: list[str] = []
        self._current_key: str | None = None

        self.quantity_box = QComboBox(objectName="compare_quantity")
        self.quantity_box.setToolTip("The quantity of the iteration your matrix is for, in the "
                                     "order one iteration computes them; (pasted) marks those "
                                     "you have given")
        self.tolerance_box = QComboBox(objectName="compare_tolerance")
        self.tolerance_box.addItems(TOLERANCES)
        self.tolerance_box.setCurrentText(DEFAULT_TOLERANCE)
        self.tolerance_box.setToolTip(
            "A cell agrees when |yours − engine| ≤ tol·|engine| + tol/1000; a number written "
            "with 4 or more decimals is compared to the digits it has: it may also be off by "
            "one unit of its last digit (it was rounded when printed)")
        self.input = QPlainTextEdit(objectName="compare_input")
        self.input.setPlaceholderText(PLACEHOLDER)
        self.input.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.input.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # a table stays a table
        self.input.setToolTip("Your numbers for the chosen quantity; rows are as the quantity's "
                              "tooltip says (observations for n, a, δ; source neurons for W)")
        self.compare_button = QPushButton("Compare", objectName="compare_button")
        self.compare_button.setToolTip("Read the pasted matrix and compare it with the engine's "
                                       "at the current phase")
        self.message = QLabel(objectName="compare_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.setToolTip("What was read, and how it compares")
        self.result = QTableWidget(objectName="compare_result")
        self.result.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.result.setToolTip("Your matrix; cells that differ from the engine's are red and "
                               "show both values (hover for more digits)")
        self.earliest = QLabel(objectName="compare_earliest")
        self.earliest.setWordWrap(True)
        self.earliest.setToolTip("Of all the quantities you pasted, the earliest in the "
                                 "iteration where yours and the engine's disagree")

        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Quantity:"))
        chooser.addWidget(self.quantity_box, 1)
        chooser.addWidget(QLabel("Tolerance:"))
        chooser.addWidget(self.tolerance_box)
        chooser.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.input, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.result, 2)
        layout.addWidget(self.earliest)

        self._fill_chooser(self._catalogue())
        self.quantity_box.currentIndexChanged.connect(self._quantity_chosen)
        self.compare_button.clicked.connect(self.compare_now)
        self.tolerance_box.currentTextChanged.connect(lambda _text: self.refresh())
        self.refresh()

    # ------------------------------------------------------------------ public helpers
    def set_pasted(self, key: str, text: str) -> None:
        """Give ``text`` as your matrix for quantity ``key`` and show that quantity."""
        if key not in self._keys:
            raise KeyError(f"no quantity {key!r} in this network")
        self._store_input()
        self._pasted[key] = text
        self._current_key = key
        self.quantity_box.blockSignals(True)
        self.quantity_box.setCurrentIndex(self._keys.index(key))
        self.quantity_box.blockSignals(False)
        self.input.setPlainText(text)  # as if typed: compared on compare_now()

    def pasted(self) -> dict[str, str]:
        self._store_input()
        return {key: text for key, text in self._pasted.items() if text.strip()}

    def current_key(self) -> str | None:
        return self._current_key

    def tolerance(self) -> float:
        return float(self.tolerance_box.currentText())

    def compare_now(self) -> None:
        self._store_input()
        self.refresh()

    def refresh(self) -> None:
        """Compare again against the controller's current trace (the window's scheduler calls
        this after a change, once paused and in view)."""
        self._store_input()
        catalogue = self._catalogue()
        if [q.key for q in catalogue] != self._keys:
            self._fill_chooser(catalogue)
        pasted = self.pasted()
        self._mark_pasted()
        if not pasted:
            self._show(self._find(catalogue), None)
            self.earliest.setText("")
            return
        items = quantities(self.controller.network, self.controller.display_trace(backward=True))
        self._show(self._find(items), pasted.get(self._current_key))
        self._show_earliest(items, pasted)

    # ------------------------------------------------------------------------ internals
    def _catalogue(self) -> list[Quantity]:
        """The quantities' names and order, without computing a trace."""
        stepper = self.controller.stepper
        trace = Trace(stepper.network.layer_count, stepper.inputs, stepper.targets)
        return quantities(stepper.network, trace)

    def _find(self, items: list[Quantity]) -> Quantity | None:
        return next((q for q in items if q.key == self._current_key), None)

    def _fill_chooser(self, catalogue: list[Quantity]) -> None:
        self._keys = [q.key for q in catalogue]
        self._pasted = {k: v for k, v in self._pasted.items() if k in self._keys}
        keep = self._current_key if self._current_key in self._keys else self._keys[0]
        self.quantity_box.blockSignals(True)
        self.quantity_box.clear()
        for index, q in enumerate(catalogue):
            self.quantity_box.addItem(typeset(q.label), q.key)
            rows, columns = (f"rows: {q.rows}", f"columns: {q.columns}")
            also = f"; also accepted: {q.augmented_label}" if q.augmented_label else ""
            self.quantity_box.setItemData(
                index, typeset(f"{q.description}\n{rows}; {columns}{also}\n"
                               f"computed in {q.phase_text}"), Qt.ToolTipRole)
        self.quantity_box.setCurrentIndex(self._keys.index(keep))
        self.quantity_box.blockSignals(False)
        self._current_key = keep
        self.input.setPlainText(self._pasted.get(keep, ""))

    def _mark_pasted(self) -> None:
        for index, key in enumerate(self._keys):
            label = self.quantity_box.itemText(index).removesuffix("  (pasted)")
            marked = bool(self._pasted.get(key, "").strip())
            self.quantity_box.setItemText(index, label + ("  (pasted)" if marked else ""))

    def _store_input(self) -> None:
        if self._current_key is not None:
            self._pasted[self._current_key] = self.input.toPlainText()

    def _quantity_chosen(self, index: int) -> None:
        self._store_input()
        self._current_key = self._keys[index] if 0 <= index < len(self._keys) else None
        self.input.setPlainText(self._pasted.get(self._current_key, ""))
        self.refresh()

    def _say(self, text: str, style: str = "") -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)

    def _show(self, q: Quantity | None, text: str | None) -> None:
        if q is None:
            self._say("")
            self._fill_table(None, None, None)
            return
        if not text:
            shape = "" if q.value is None else f" (ours is {q.value.shape[0]}×{q.value.shape[1]})"
            self._say(f"Paste your {typeset(q.label)}{shape}: rows {q.rows}, columns {q.columns}; "
                      "then press Compare")
            self._fill_table(None, None, None)
            return
        try:
            parsed = read_matrix(text)
        except MatrixParseError as error:
            self._say(f"Could not read your {typeset(q.label)}: {error}", ERROR_STYLE)
            self._fill_table(None, None, None)
            return
        tolerance = self.tolerance()
        result = compare(parsed.values, q, tolerance, tolerance / 1000, parsed.rounding)
        notes = "".join(f"\n({note})" for note in parsed.notes)
        # the engine's message typeset; the notes quote the pasted text as it was
        self._say(typeset(result.message) + notes, GOOD_STYLE if result.ok else
                  "" if result.status == "pending" else ERROR_STYLE)
        self._fill_table(parsed.values, result, q)

    def _show_earliest(self, items: list[Quantity], pasted: dict[str, str]) -> None:
        matrices, rounding, unreadable = {}, {}, []
        labels = {q.key: typeset(q.label) for q in items}
        for key, text in pasted.items():
            try:
                parsed = read_matrix(text)
            except MatrixParseError:
                unreadable.append(labels[key])
                continue
            matrices[key], rounding[key] = parsed.values, parsed.rounding
        tolerance = self.tolerance()
        found = earliest_disagreement(matrices, self.controller.network,
                                      self.controller.display_trace(backward=True),
                                      tolerance, tolerance / 1000, rounding)
        pending = [typeset(q.label) for q in items if q.key in matrices and q.value is None]
        if found is not None:
            q, result = found
            text = f"first disagreement: {typeset(q.label)} ({q.phase_text})"
            self.earliest.setToolTip(typeset(result.message))
        elif matrices:
            count = len(matrices) - len(pending)
            text = ("" if not count else "the pasted quantity agrees" if count == 1
                    else f"all {count} pasted quantities agree")
            self.earliest.setToolTip("Of all the quantities you pasted, the earliest in the "
                                     "iteration where yours and the engine's disagree")
        else:
            text = ""
        if pending:
            text += f"{'; ' if text else ''}not computed yet at this phase: {', '.join(pending)}"
        if unreadable:
            text += f"{'; ' if text else ''}could not read: {', '.join(unreadable)}"
        self.earliest.setText(text)
        self.earliest.setStyleSheet(ERROR_STYLE if found or unreadable else GOOD_STYLE)

    def _fill_table(self, yours: np.ndarray | None, result: Comparison | None,
                    q: Quantity | None) -> None:
        table = self.result
        table.clear()
        if yours is None:
            table.setRowCount(0)
            table.setColumnCount(0)
            return
        rows, columns = min(len(yours), MAX_SHOWN_ROWS), min(yours.shape[1], MAX_SHOWN_COLUMNS)
        table.setRowCount(rows)
        table.setColumnCount(columns)
        compared = result is not None and result.mismatch is not None
        augmented = compared and result.engine_value is not q.value
        row_names, column_names = _headers(q, augmented, rows, columns)
        table.setVerticalHeaderLabels(row_names if compared else [str(r) for r in range(rows)])
        table.setHorizontalHeaderLabels(column_names if compared
                                        else [str(c) for c in range(columns)])
        for r in range(rows):
            for c in range(columns):
                item = QTableWidgetItem(format_number(yours[r, c]))
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                if compared:
                    ours = result.engine_value[r, c]
                    both = f"yours {yours[r, c]:.10g}, engine {ours:.10g}"
                    if result.mismatch[r, c]:
                        item.setText(f"{format_number(yours[r, c])} ≠ {format_number(ours)}")
                        item.setBackground(MISMATCH_COLOR)
                        item.setToolTip(f"{both}: they differ by {abs(yours[r, c] - ours):.3g}")
                    else:
                        item.setToolTip(f"{both}: they agree")
                table.setItem(r, c, item)
        table.resizeColumnsToContents()


def _headers(q: Quantity | None, augmented: bool, rows: int, columns: int
             ) -> tuple[list[str], list[str]]:
    """Row and column names in the quantity's terms (0-based, like the seed's notation)."""
    if q is None:
        return [str(r) for r in range(rows)], [str(c) for c in range(columns)]
    if q.rows == "observations":
        row_names = [f"obs {r}" for r in range(rows)]
    elif q.key.startswith("dC/db"):
        row_names = ["Σ_o"] * rows
    else:  # weights and their gradients: rows are source neurons, row 0 the bias if augmented
        row_names = (["b"] if augmented else []) + [f"from {i}" for i in range(rows)]
    if q.rows == "observations":
        column_names = (["1"] if augmented else []) + [f"neuron {j}" for j in range(columns)]
    else:
        column_names = [f"to {j}" for j in range(columns)]
    return row_names[:rows], column_names[:columns]
