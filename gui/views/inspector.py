"""The inspector: every number of the selected neuron, weight or bias, in the seeds' notation.

For a neuron j of layer l, one row per observation o: _o n^l_j, _o a^l_j, _o ∂C/∂a^l_j,
_o ∂a^l_j/∂n^l_j and _o δ^l_j (blank where the current phase has not computed them yet).
For a weight or bias: its value, its gradient ∂C/∂w, the last update applied to it (from the
history's parameter snapshots), and the symmetry groups of the neurons at its two ends; a
frozen one says so, its gradient shown as ever and its update as none.
It reads the same trace as the graph, so it follows the current phase and the timeline.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.core.network import ParameterAddress
from engine.io.tables import format_number

from ..notation import FROZEN_NOTE, parameter_label, typeset
from .chain_rule_panel import content_height, share_room

MAX_ROWS = 200  # observations listed; the rest are summarised in a note
VISIBLE_ROWS = 12  # the table shows this many rows at once, and scrolls beyond
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _group_text(groups: list[list[int]], layer: int, neuron: int) -> str:
    group = next((g for g in groups[layer] if neuron in g), [neuron])
    if len(group) == 1:
        return f"neuron {neuron} of layer {layer} is distinct"
    others = ", ".join(str(k) for k in group)
    return f"neuron {neuron} of layer {layer} is interchangeable with neurons {{{others}}}"


def last_update(stepper, address: ParameterAddress) -> tuple[float | None, str]:
    """The change the last update made to one parameter: its value now minus its value at the
    start of the previous iteration (from the history's snapshots; hand edits made since
    count too); (None, why) when the history does not hold that snapshot."""
    t = stepper.iteration
    if t == 0:
        return None, "no update yet (iteration 0)"
    history = stepper.history
    iterations = history.snapshot_iterations
    index = stepper.network.flat_index(address)
    found = int(np.searchsorted(iterations, t - 1))
    if found >= len(iterations) or iterations[found] != t - 1:
        return None, (f"not kept: the history holds θ every {history.parameter_stride} "
                      "iterations")
    change = float(stepper.network.theta[index] - history.snapshots[found, index])
    return change, f"update of iteration {t - 1}"


class Inspector(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.controller = controller
        self.neuron: tuple[int, int] | None = None
        self.parameter: ParameterAddress | None = None
        self.title = QLabel()
        self.title.setObjectName("inspector_title")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget()
        self.table.setObjectName("inspector_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip("One row per observation o; blank: not computed in this phase yet")
        # as large as its numbers (VISIBLE_ROWS rows at most): every column in view
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.details = QLabel()
        self.details.setObjectName("inspector_details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.table)
        layout.addStretch(1)  # room left over stays below the numbers
        self.refresh()

    # ---------------------------------------------------------------- choosing
    def show_neuron(self, neuron: tuple[int, int] | None) -> None:
        self.neuron, self.parameter = neuron, None
        self.refresh()

    def show_parameter(self, address: ParameterAddress | None) -> None:
        self.neuron, self.parameter = None, address
        self.refresh()

    # -------------------------------------------------------------- refreshing
    def refresh(self) -> None:
        network = self.controller.network
        if self.neuron is not None and not (
                self.neuron[0] < len(network.sizes) and self.neuron[1] < network.sizes[
                    self.neuron[0]]):
            self.neuron = None
        if self.parameter is not None:
            try:
                network.check_address(self.parameter)
            except ValueError:
                self.parameter = None
        # the per-observation table is a neuron's; a weight's numbers fit in the details
        self.table.setVisible(self.neuron is not None)
        if self.neuron is not None:
            self._show_neuron(*self.neuron)
        elif self.parameter is not None:
            self._show_parameter(self.parameter)
        else:
            self.title.setText("Select a neuron, weight or bias in the graph to inspect it.")
            self.details.setText("")
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
        self._fit()

    def _fit(self) -> None:
        """The table exactly as large as its columns and (up to VISIBLE_ROWS) rows; without
        a table the inspector is no taller than its text, so that a panel below it (the
        chain rule, in a splitter) takes the room."""
        table = self.table
        if table.isVisibleTo(self) and table.columnCount():
            table.resizeColumnsToContents()
            frame = 2 * table.frameWidth()
            rows = min(table.rowCount(), VISIBLE_ROWS)
            header = table.horizontalHeader()
            height = (header.sizeHint().height() + frame
                      + sum(table.rowHeight(r) for r in range(rows)))
            width = table.verticalHeader().sizeHint().width() + header.length() + frame
            if table.rowCount() > rows:
                width += table.verticalScrollBar().sizeHint().width()
            table.setFixedHeight(height)
            table.setMinimumWidth(width)
            self.setMinimumHeight(0)
        else:
            table.setMinimumWidth(0)
            self.setMinimumHeight(content_height(self))  # the text never clipped
        share_room(self.parentWidget())

    def room_needed(self) -> int:
        """The height of the title, the text and the table (share_room)."""
        return content_height(self)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.table.isVisibleTo(self) and event.size().width() != event.oldSize().width():
            self.setMinimumHeight(content_height(self))  # the text wraps anew

    def columns(self, l: int, j: int, trace=None) -> list[tuple[str, np.ndarray | None]]:
        """(header, values per observation or None) of neuron j of layer l (from ``trace``,
        by default the one the views show)."""
        trace = trace if trace is not None else self.controller.display_trace(backward=True)

        def column(values):
            return None if values is None else np.asarray(values)[:, j]

        # typeset, without the seed's observation index _o: the rows are the observations
        if l == 0:
            return [(typeset(f"x_{j} = a^0_{j}"), column(trace.activations[0]))]
        return [
            (typeset(f"n^{l}_{j}"), column(trace.pre_activations[l])),
            (typeset(f"a^{l}_{j}"), column(trace.activations[l])),
            (typeset(f"∂C/∂a^{l}_{j}"), column(trace.dcost_dactivations[l])),
            (typeset(f"∂a^{l}_{j}/∂n^{l}_{j}"), column(trace.dactivation_dpre[l])),
            (typeset(f"δ^{l}_{j}"), column(trace.deltas[l])),
        ]

    def _show_neuron(self, l: int, j: int) -> None:
        network = self.controller.network
        kind = "input" if l == 0 else network.activations[l - 1].name
        self.title.setText(f"Neuron {j} of layer {l} ({kind})")
        groups = self.controller.symmetry()
        self.details.setText(_group_text(groups, l, j))
        columns = self.columns(l, j)
        # predict mode: what the phase asked computed shows "?" (not computed: empty)
        concealed = self.controller.concealed()
        computed = ([values is not None for _, values in
                     self.columns(l, j, self.controller.stepper.trace)]
                    if concealed is not None else [False] * len(columns))
        observations = self.controller.stepper.inputs.shape[0]
        rows = min(observations, MAX_ROWS)
        table = self.table
        table.clear()
        table.setColumnCount(len(columns))
        table.setRowCount(rows)
        table.setHorizontalHeaderLabels([header for header, _ in columns])
        table.setVerticalHeaderLabels([f"o = {o}" for o in range(rows)])
        for c, (_, values) in enumerate(columns):
            missing = "?" if computed[c] else ""
            for o in range(rows):
                item = QTableWidgetItem(missing if values is None else format_number(values[o]))
                item.setTextAlignment(NUMBER_ALIGNMENT)  # digits under digits, as in the seed
                table.setItem(o, c, item)
        table.resizeColumnsToContents()
        if observations > rows:
            self.details.setText(self.details.text() +
                                 f"\n(first {rows} of {observations} observations)")

    def _show_parameter(self, address: ParameterAddress) -> None:
        controller = self.controller
        network, stepper = controller.network, controller.stepper
        name = parameter_label(network, address)
        self.title.setText(f"{'Weight' if address.kind == 'w' else 'Bias'} {name}"
                           + (" (frozen)" if address in controller.frozen_addresses() else ""))
        trace = controller.display_trace(backward=True)
        gradients = trace.weight_gradients if address.kind == "w" else trace.bias_gradients
        gradient = gradients[address.layer]
        concealed = controller.concealed()
        if (gradient is None and concealed is not None and concealed.kind == "backward"
                and address.layer == concealed.layer - 1):
            gradient_text = "? (predict it first: the Predict panel)"
        elif gradient is None:
            gradient_text = "not computed in this phase yet"
        elif address.kind == "w":
            gradient_text = format_number(gradient[address.source, address.target])
        else:
            gradient_text = format_number(gradient[address.target])
        change, why = last_update(stepper, address)
        groups = controller.symmetry()
        frozen = address in controller.frozen_addresses()
        lines = [
            "value: " + ("? (predict it first: the Predict panel)"
                         if concealed is not None and concealed.kind == "update"
                         else format_number(network.get(address))),
            f"gradient {typeset(f'∂C/∂{address}')}: {gradient_text}",
            "last update: ? (predict it first: the Predict panel)"
            if concealed is not None and concealed.kind == "update" else
            f"last update: {why if change is None else format_number(change)}"
            + ("" if change is None else f"  ({why})"),
        ]
        if frozen:
            # the gradient above is computed as ever; what changes is the update
            lines.insert(0, FROZEN_NOTE)
            lines.append("its update: none (frozen)")
        if address.kind == "w":
            lines.append("from: " + _group_text(groups, address.layer, address.source))
        lines.append("to: " + _group_text(groups, address.layer + 1, address.target))
        self.details.setText("\n".join(lines))
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
