"""The data set editor: the observations as a table (x_0 … then y_0 …, one row per
observation o), editable cell by cell, with rows added or removed, CSV import and export,
the import of MNIST-style labelled files and the generators (seeded, and the digits).

Every change builds new input and target arrays and goes through
``controller.replace_stepper`` (one undoable edit with a name that says what changed); the
table is a model over the stepper's arrays, so 10,000 rows cost no widgets, and it follows
each structure change (a data edit swaps the stepper): the scheduler calls ``reload``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
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

from ..notation import describe_error
from .column_roles import ColumnRolesDialog, LabelledImportDialog, LabelledOptions
from .dataset_model import DatasetModel
from .panels import named_button

LISTED_ROWS = 8  # an undo name lists at most this many removed observations


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _listing(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:LISTED_ROWS])
    return shown if len(rows) <= LISTED_ROWS else f"{shown}, … ({len(rows)} in all)"


def _sizes(network) -> str:
    return "-".join(str(s) for s in network.sizes)


class DatasetEditor(QWidget):
    """The table, and buttons to add and remove observations, import and export CSV and
    generate a data set. ``confirm_resize(input_count, target_count) -> bool`` is asked before
    the network's input and output layers change to fit new data (a message box by default;
    tests set their answer); ``choose_roles(error, file_label) -> dict | None`` when a CSV
    file's column names leave roles open (ColumnRolesDialog by default; None: cancelled).
    Import labelled CSV… asks ``ask_labelled_path() -> str`` for the file (a file dialog;
    "" cancels) and ``choose_labelled(peek, file_label) -> LabelledOptions | None`` how to
    read it (LabelledImportDialog)."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("dataset_editor")
        self.controller = controller
        self.confirm_resize = self.ask_resize
        self.choose_roles = self.ask_roles
        self.ask_labelled_path = self.ask_labelled_file
        self.choose_labelled = self.ask_labelled_options
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
        self.import_labelled_button = named_button(
            "dataset_import_labelled", "Import labelled CSV…",
            "Replace the data by an MNIST-style file: a label column (the first, or one "
            "named label) made one-hot, the pixels as inputs (optionally scaled from 0–255 "
            "to 0–1), a header line or none; all its observations or a seeded sample",
            self.import_labelled)
        for position, button in enumerate((self.add_button, self.remove_button,
                                           self.import_button, self.export_button)):
            grid.addWidget(button, position // 2, position % 2)
        grid.addWidget(self.import_labelled_button, 2, 0, 1, 2)
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
        self.points.setMaximum(generators.largest_n(name))
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

    def _read(self, path: str | os.PathLike) -> str | None:
        """A data file's text, or None after saying why it cannot be read."""
        try:
            return datasets.load_text(path)
        except (OSError, ValueError, MemoryError) as error:
            self.controller.post_message(
                f"Nothing imported: {path}: {describe_error(error)}")
            return None

    def import_file(self, path: str | os.PathLike) -> bool:
        text = self._read(path)
        return text is not None and self.import_text(text, Path(path).name)

    def import_csv(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import data set", "",
                                              "CSV files (*.csv *.txt);;All files (*)")
        if name:
            self.import_file(name)

    def ask_labelled_file(self) -> str:
        name, _ = QFileDialog.getOpenFileName(self, "Import labelled data set", "",
                                              "CSV files (*.csv *.txt);;All files (*)")
        return name

    def ask_labelled_options(self, peek: datasets.LabelledPeek, file_label: str
                             ) -> LabelledOptions | None:
        dialog = LabelledImportDialog(peek, file_label, self)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.options() if accepted else None
        finally:
            dialog.deleteLater()

    def import_labelled(self) -> None:
        """Import labelled CSV…: the file asked for, then how to read it."""
        path = self.ask_labelled_path()
        if path:
            self.import_labelled_file(path)

    def import_labelled_file(self, path: str | os.PathLike) -> bool:
        text = self._read(path)
        return text is not None and self.import_labelled_text(text, Path(path).name)

    def import_labelled_text(self, text: str, path_label: str) -> bool:
        """Import an MNIST-style file's text, asking ``choose_labelled`` how to read it;
        every refusal is a message naming the file (and line and column), nothing changed."""
        try:
            peek = datasets.peek_labelled(text)
        except datasets.DatasetError as error:
            self.controller.post_message(f"Nothing imported: {path_label}: {error}")
            return False
        options = self.choose_labelled(peek, path_label)
        if options is None:
            self.controller.post_message(f"Nothing imported: {path_label}: cancelled")
            return False
        try:
            data = datasets.read_labelled_csv(text, **options._asdict())
        except (datasets.DatasetError, MemoryError) as error:
            self.controller.post_message(
                f"Nothing imported: {path_label}: {describe_error(error)}")
            return False
        kept = len(data.inputs)
        taken = (_plural(kept, "observation") if kept == data.rows else
                 f"{kept:,} of {data.rows:,} observations, seed {options.seed}")
        scaled = ", pixels scaled to 0–1" if options.scale else ""
        return self.apply_data(
            data.inputs, data.targets, f"Import {path_label} ({taken}, label "
            f"{data.label_name}, {data.classes} class{'' if data.classes == 1 else 'es'}"
            f"{scaled})")

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
