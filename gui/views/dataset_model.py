"""The data set as a Qt table model: inputs then targets, one row per observation, every
cell editable (a typed number goes through the controller, so it can be undone); target
columns tinted so that inputs and targets read apart."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from ..notation import parse_number

TARGET_TINT = QColor("#f3f0fa")  # target columns, so inputs and targets read apart
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
EDIT = int(Qt.ItemDataRole.EditRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class DatasetModel(QAbstractTableModel):
    """The stepper's inputs then targets as one table: column j < inputs is x_j (a^0_j),
    the rest y_j; row o is observation o. Edits become replace_stepper calls."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._inputs, self._targets = controller.stepper.inputs, controller.stepper.targets

    # ------------------------------------------------------------------ reading
    def reload(self) -> None:
        """Follow the controller's stepper. Same shape: the cells change in place (an open
        editor, the selection and the scroll position survive); else a model reset."""
        inputs, targets = self.controller.stepper.inputs, self.controller.stepper.targets
        if inputs is self._inputs and targets is self._targets:
            return
        if inputs.shape == self._inputs.shape and targets.shape == self._targets.shape:
            self._inputs, self._targets = inputs, targets
            if self.rowCount() and self.columnCount():
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(self.rowCount() - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self._inputs, self._targets = inputs, targets
        self.endResetModel()

    @property
    def input_count(self) -> int:
        return self._inputs.shape[1]

    def is_target(self, column: int) -> bool:
        return column >= self.input_count

    def column_name(self, column: int) -> str:
        if self.is_target(column):
            return f"y_{column - self.input_count}"
        return f"x_{column}"

    def cell_name(self, row: int, column: int) -> str:
        """The cell in the seed's notation: ``_o x_j`` (input j of observation o) or ``_o y_j``."""
        return f"_{row} {self.column_name(column)}"

    def value(self, row: int, column: int) -> float:
        if self.is_target(column):
            return float(self._targets[row, column - self.input_count])
        return float(self._inputs[row, column])

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._inputs.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.input_count + self._targets.shape[1]

    def data(self, index: QModelIndex, role: int = DISPLAY):
        if not index.isValid():
            return None
        role, row, column = int(role), index.row(), index.column()
        if role == DISPLAY:
            return f"{self.value(row, column):.10g}"
        if role == EDIT:  # text, so the editor is a line edit showing every digit
            return repr(self.value(row, column))
        if role == ALIGNMENT:
            return RIGHT_ALIGNED
        if role == BACKGROUND:
            return TARGET_TINT if self.is_target(column) else None
        if role == TOOLTIP:
            if self.is_target(column):
                meaning = (f"target {column - self.input_count} of observation {row}, for "
                           f"output neuron {column - self.input_count}")
            else:
                meaning = f"input {column} of observation {row}: _{row} a^0_{column}"
            return (f"{self.cell_name(row, column)} = {self.value(row, column)!r}\n{meaning}\n"
                    "double-click or F2 to edit")
        return None

    def headerData(self, section: int, orientation, role: int = DISPLAY):
        role = int(role)
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == DISPLAY:
            return self.column_name(section) if horizontal else f"o = {section}"
        if role == TOOLTIP:
            if not horizontal:
                return f"observation {section}"
            if self.is_target(section):
                j = section - self.input_count
                return f"y_{j}: the target of output neuron {j}"
            return f"x_{section}: input neuron {section} (a^0_{section})"
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsEditable)

    # ------------------------------------------------------------------ editing
    def setData(self, index: QModelIndex, value, role: int = EDIT) -> bool:
        """Parse the text (never evaluated); a refusal posts its reason and keeps the old
        value; a change is one undoable replace_stepper named after the cell."""
        if not index.isValid() or int(role) != EDIT:
            return False
        row, column = index.row(), index.column()
        name, old = self.cell_name(row, column), self.value(row, column)
        try:
            number = parse_number(str(value), name)
        except ValueError as error:
            self.controller.post_message(f"{error}; kept {old!r}")
            return False
        if number == old and np.signbit(number) == np.signbit(old):
            return True
        inputs, targets = self._inputs.copy(), self._targets.copy()
        if self.is_target(column):
            targets[row, column - self.input_count] = number
        else:
            inputs[row, column] = number
        return self.controller.replace_stepper(f"Set {name} = {number:.6g}", inputs=inputs,
                                               targets=targets)
