"""The data set editor: the observations as a table (x_0 … then y_0 …, one row per
observation o), editable cell by cell, with rows added or removed, CSV import and export and
seeded generators.

Every change builds new input and target arrays and goes through
``controller.replace_stepper`` (one undoable edit with a name that says what changed); the
table is a model over the stepper's arrays, so 10,000 rows cost no widgets, and it follows
each structure change (a data edit swaps the stepper): the scheduler calls ``reload``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.core.stepper import MAX_OBSERVATIONS
from engine.io import datasets, generators

from .column_roles import ColumnRolesDialog
from .notation import describe_error, parse_number
from .panels import named_button

TARGET_TINT = QColor("#f3f0fa")  # target columns, so inputs and targets read apart
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
EDIT = int(Qt.ItemDataRole.EditRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LISTED_ROWS = 8  # an undo name lists at most this many removed observations


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _listing(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:LISTED_ROWS])
    return shown if len(rows) <= LISTED_ROWS else f"{shown}, … ({len(rows)} in all)"


def _sizes(network) -> str:
    return "-".join(str(s) for s in network.sizes)


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


class DatasetEditor(QWidget):
    """The table, and buttons to add and remove observations, import and export CSV and
    generate a data set. ``confirm_resize(input_count, target_count) -> bool`` is asked before
    the network's input and output layers change to fit new data (a message box by default;
    tests set their answer); ``choose_roles(error, file_label) -> dict | None`` when a CSV
    file's column names leave roles open (ColumnRolesDialog by default; None: cancelled)."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("dataset_editor")
        self.controller = controller
        self.confirm_resize = self.ask_resize
        self.choose_roles = self.ask_roles
        self.model = DatasetModel(controller, self)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("dataset_summary")
        layout.addWidget(self.summary)
        self.table = self._make_table()
        layout.addWidget(self.table, 1)
        layout.addLayout(self._make_buttons())
        layout.addLayout(self._make_generator_row())
        self.refresh()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("dataset_table")
        table.setModel(self.model)
        table.setToolTip("One row per observation o: the inputs x_j, then the targets y_j. "
                         "Double-click a cell to edit it; every edit can be undone.")
        # fixed row heights: nothing is measured per row, so 100,000 rows scroll freely
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.horizontalHeader().setDefaultSectionSize(96)
        table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        return table

    def _make_buttons(self) -> QGridLayout:
        grid = QGridLayout()
        self.add_button = named_button(
            "dataset_add_row", "Add row", "Append an observation of zeros after the last one",
            self.add_row)
        self.remove_button = named_button(
            "dataset_remove_rows", "Remove rows",
            "Remove the observations that have a selected cell (at least one must remain)",
            self.remove_rows)
        self.import_button = named_button(
            "dataset_import", "Import CSV…",
            "Replace the data by a CSV file: a header naming the columns, the targets named "
            "y, y0, y_… or target…, the inputs anything else (for a name such as years or "
            "label the import asks); one line per observation",
            self.import_csv)
        self.export_button = named_button(
            "dataset_export", "Export CSV…",
            "Write the data to a CSV file (x_0, …, y_0, … header; numbers exact)",
            self.export_csv)
        for position, button in enumerate((self.add_button, self.remove_button,
                                           self.import_button, self.export_button)):
            grid.addWidget(button, position // 2, position % 2)
        return grid

    def _make_generator_row(self) -> QGridLayout:
        grid = QGridLayout()
        self.generator = QComboBox()
        self.generator.setObjectName("dataset_generator")
        self.generator.setToolTip("The kind of data set Generate makes")
        for name, generator in generators.GENERATORS.items():
            self.generator.addItem(name)
            self.generator.setItemData(
                self.generator.count() - 1,
                f"{generator.description}\n{_plural(generator.input_count, 'input')}, "
                f"{_plural(generator.target_count, 'target')}", Qt.ItemDataRole.ToolTipRole)
        self.points = QSpinBox()
        self.points.setObjectName("dataset_points")
        self.points.setRange(2, MAX_OBSERVATIONS)
        self.points.setValue(100)
        self.points.setToolTip("n: the number of observations to generate")
        self.seed = QSpinBox()
        self.seed.setObjectName("dataset_seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed gives the same data set, on every machine")
        self.generate_button = named_button(
            "dataset_generate", "Generate",
            "Replace the data by a generated data set (the network is resized to fit, after "
            "asking)", self.generate)
        grid.addWidget(self.generator, 0, 0, 1, 4)
        grid.addWidget(QLabel("n"), 1, 0)
        grid.addWidget(self.points, 1, 1)
        grid.addWidget(QLabel("seed"), 1, 2)
        grid.addWidget(self.seed, 1, 3)
        grid.addWidget(self.generate_button, 2, 0, 1, 4)
        self.generator.currentTextChanged.connect(self._generator_chosen)
        self._generator_chosen(self.generator.currentText())
        return grid

    def _generator_chosen(self, name: str) -> None:
        parameters = generators.GENERATORS[name].parameters
        self.points.setEnabled("n" in parameters)
        self.seed.setEnabled("seed" in parameters)

    def reload(self) -> None:
        """Another stepper (new data or network): the table and the summary follow it (the
        window's scheduler calls this at once on a structure change)."""
        self.model.reload()
        self.refresh()

    def refresh(self) -> None:
        s = self.controller.stepper
        self.summary.setText(f"{_plural(len(s.inputs), 'observation')} · "
                             f"{_plural(s.inputs.shape[1], 'input')} · "
                             f"{_plural(s.targets.shape[1], 'target')}")

    # ------------------------------------------------------------------ rows
    def selected_rows(self) -> list[int]:
        """Observations with at least one selected cell, in order."""
        selection = self.table.selectionModel()
        return sorted({index.row() for index in selection.selectedIndexes()})

    def add_row(self) -> bool:
        s = self.controller.stepper
        row = len(s.inputs)
        inputs = np.vstack([s.inputs, np.zeros((1, s.inputs.shape[1]))])
        targets = np.vstack([s.targets, np.zeros((1, s.targets.shape[1]))])
        if not self.controller.replace_stepper(f"Add observation {row}", inputs=inputs,
                                               targets=targets):
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def remove_rows(self, rows: list[int] | None = None) -> bool:
        """Remove ``rows`` (default: the selected observations); never the last one."""
        s = self.controller.stepper
        rows = self.selected_rows() if rows is None else sorted(set(rows))
        if not rows:
            self.controller.post_message("Select a cell of each observation to remove")
            return False
        if len(rows) >= len(s.inputs):
            self.controller.post_message(
                "Nothing removed: the data needs at least one observation")
            return False
        keep = np.setdiff1d(np.arange(len(s.inputs)), rows)
        word = "observation" if len(rows) == 1 else "observations"
        if not self.controller.replace_stepper(f"Remove {word} {_listing(rows)}",
                                               inputs=s.inputs[keep], targets=s.targets[keep]):
            return False
        self.table.clearSelection()
        return True

    # ------------------------------------------------------------- whole data
    def ask_resize(self, input_count: int, target_count: int) -> bool:
        network = self.controller.network
        answer = QMessageBox.question(
            self, "Resize the network?",
            f"The data has {_plural(input_count, 'input')} and "
            f"{_plural(target_count, 'target')}; the network ({_sizes(network)}) has "
            f"{_plural(network.sizes[0], 'input')} and {_plural(network.sizes[-1], 'output')}."
            "\n\nResize its input and output layers to fit? Weights between neurons that "
            "stay are kept, new ones are drawn from the initialisation scheme; Undo gives "
            "the old network back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def apply_data(self, inputs: np.ndarray, targets: np.ndarray, text: str) -> bool:
        """Replace the data as one undoable edit named ``text``; data of other widths than
        the network's asks ``confirm_resize`` and, if agreed, resizes the network with it."""
        network = self.controller.network
        if inputs.shape[1] == network.sizes[0] and targets.shape[1] == network.sizes[-1]:
            return self.controller.replace_stepper(text, inputs=inputs, targets=targets)
        if not self.confirm_resize(inputs.shape[1], targets.shape[1]):
            self.controller.post_message(
                f"Nothing changed: the data has {_plural(inputs.shape[1], 'input')} and "
                f"{_plural(targets.shape[1], 'target')}, the network "
                f"{_plural(network.sizes[0], 'input')} and "
                f"{_plural(network.sizes[-1], 'output')}")
            return False
        try:
            resized = datasets.resize_network(network, inputs.shape[1], targets.shape[1],
                                              self.controller.init_spec)
        except ValueError as error:
            self.controller.post_message(f"Nothing changed: {error}")
            return False
        return self.controller.replace_stepper(f"{text}, network resized to {_sizes(resized)}",
                                               network=resized, inputs=inputs, targets=targets)

    def ask_roles(self, error: datasets.DatasetRolesError, path_label: str
                  ) -> dict[str, str] | None:
        """The learner's role for every column of the file, or None when cancelled."""
        dialog = ColumnRolesDialog(error, path_label, self)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.roles() if accepted else None
        finally:
            dialog.deleteLater()

    def import_text(self, text: str, path_label: str) -> bool:
        """Import CSV text (the file dialog-free part of Import CSV…); ``path_label`` names
        the file in messages and in the undo name. Columns whose names leave their role open
        are asked about (``choose_roles``). Returns whether the data was replaced."""
        counts = self.controller.network.sizes[0], self.controller.network.sizes[-1]
        try:
            try:
                inputs, targets, _, _ = datasets.read_csv(text, *counts)
            except datasets.DatasetRolesError as error:
                roles = self.choose_roles(error, path_label)
                if roles is None:
                    self.controller.post_message(
                        f"Nothing imported: {path_label}: no roles chosen for "
                        f"{', '.join(error.columns)}")
                    return False
                inputs, targets, _, _ = error.with_roles(roles, *counts)
        except datasets.DatasetShapeError as error:
            inputs, targets = error.dataset[0], error.dataset[1]
        except datasets.DatasetError as error:
            self.controller.post_message(f"Nothing imported: {path_label}: {error}")
            return False
        return self.apply_data(inputs, targets,
                               f"Import {path_label} ({_plural(len(inputs), 'observation')})")

    def import_file(self, path: str | os.PathLike) -> bool:
        try:
            text = datasets.load_text(path)
        except (OSError, ValueError, MemoryError) as error:
            self.controller.post_message(
                f"Nothing imported: {path}: {describe_error(error)}")
            return False
        return self.import_text(text, Path(path).name)

    def import_csv(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import data set", "",
                                              "CSV files (*.csv *.txt);;All files (*)")
        if name:
            self.import_file(name)

    def export_to(self, path: str | os.PathLike) -> bool:
        """Write the data as CSV, atomically (an interrupted export leaves the old file)."""
        s = self.controller.stepper
        try:
            datasets.save_csv(path, s.inputs, s.targets)
        except (OSError, ValueError, MemoryError) as error:
            self.controller.post_message(
                f"Could not export to {path}: {describe_error(error)}")
            return False
        self.controller.post_message(
            f"Exported {_plural(len(s.inputs), 'observation')} to {path}")
        return True

    def export_csv(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export data set", "data.csv",
                                              "CSV files (*.csv)")
        if name:
            self.export_to(name)

    def generate(self) -> bool:
        """Replace the data by the chosen generator's, with the n and seed shown."""
        name = self.generator.currentText()
        parameters = generators.GENERATORS[name].parameters
        n, seed = self.points.value(), self.seed.value()
        try:
            inputs, targets = generators.generate(name, n, seed)
        except ValueError as error:
            self.controller.post_message(f"Nothing generated: {error}")
            return False
        details = ([f"seed {seed}"] if "seed" in parameters else []) + [
            _plural(len(inputs), "point")]
        return self.apply_data(inputs, targets, f"Generate {name} ({', '.join(details)})")
