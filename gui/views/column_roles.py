"""The questions a CSV import asks.

``ColumnRolesDialog``: when a column's name does not say whether it is an input or a target
(``years``, ``label``: engine.datasets' naming rule), one dialog with a role for every column
of the file, the ambiguous ones marked and preset to their likelier role, so that the
learner may also make a clear name (``salary``) the target.

``LabelledImportDialog``: for an MNIST-style file (a label column and pixels), which column
holds the label, how many classes, whether to scale the pixels from 0–255 to 0–1, and how
many observations to take (a seeded sample: 60,000 rows of 784 pixels are far more than a
teaching window shows)."""

from __future__ import annotations

import html
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.core.limits import MAX_NEURONS_PER_LAYER
from engine.io.datasets import ROLES, TARGET_RULE, DatasetRolesError, LabelledPeek

SAMPLE_ROWS = 1000  # the observations a labelled import offers to take at first


class ColumnRolesDialog(QDialog):
    """``roles()`` once accepted: {column name: "input" or "target"} for every column. OK
    waits until there is at least one input and one target."""

    def __init__(self, error: DatasetRolesError, file_label: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("column_roles_dialog")
        self.setWindowTitle("Inputs or targets?")
        listed = ", ".join(error.columns)
        doubt = (f"the name {listed} does not say whether the column is an input or a target"
                 if len(error.columns) == 1 else f"the names {listed} do not say whether the "
                 "columns are inputs or targets")
        question = QLabel(
            f"In {file_label}, {doubt} (targets are named {TARGET_RULE}). Choose the role of "
            "each column; the uncertain ones are marked ?.")
        question.setObjectName("column_roles_question")
        question.setTextFormat(Qt.TextFormat.PlainText)
        question.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        self.combos: dict[str, QComboBox] = {}
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        for index, name in enumerate(error.names):
            combo = QComboBox()
            combo.setObjectName(f"column_role_{index}")
            combo.addItems(ROLES)
            combo.setCurrentText(error.suggested[name])
            combo.setToolTip(f"Is the column {name!r} an input (a^0) or a target (y)?")
            combo.currentTextChanged.connect(self._check)
            label = QLabel(f"<b>{html.escape(name)} ?</b>" if name in error.columns
                           else html.escape(name))
            label.setTextFormat(Qt.TextFormat.RichText)
            form.addRow(label, combo)
            self.combos[name] = combo
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)
        layout.addWidget(scroll, 1)
        self.note = QLabel()
        self.note.setObjectName("column_roles_note")
        self.note.setStyleSheet("QLabel { color: #b00020; }")
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._check()

    def roles(self) -> dict[str, str]:
        return {name: combo.currentText() for name, combo in self.combos.items()}

    def _check(self, *args) -> None:
        chosen = set(self.roles().values())
        missing = [role for role in ROLES if role not in chosen]
        self.note.setText(f"Choose at least one {missing[0]} column." if missing else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not missing)


class LabelledOptions(NamedTuple):
    """What ``engine.io.datasets.read_labelled_csv`` is given (its keyword arguments)."""

    label: int
    classes: int | None
    scale: bool
    observations: int | None
    seed: int


class LabelledImportDialog(QDialog):
    """``options()`` once accepted: the label column (preset to the one named label, class,
    digit, target or y, else the first), the classes (0: as many as the labels say), the
    scaling of 0–255 pixels to 0–1, and the observations (all, or a seeded sample)."""

    def __init__(self, peek: LabelledPeek, file_label: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("labelled_import_dialog")
        self.setWindowTitle("Import labelled CSV")
        self.rows = peek.rows
        header = "a header" if peek.header else "no header (its columns are numbered)"
        about = QLabel(f"{file_label}: {len(peek.names)} columns, {peek.rows:,} observations, "
                       f"{header}. The label column becomes one-hot targets (one per class), "
                       "the other columns the inputs.")
        about.setObjectName("labelled_import_about")
        about.setTextFormat(Qt.TextFormat.PlainText)
        about.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        form = QFormLayout()
        self.label_box = QComboBox()
        self.label_box.setObjectName("labelled_label")
        self.label_box.addItems(peek.names)
        self.label_box.setCurrentIndex(peek.label)
        self.label_box.setToolTip("The column holding each observation's class: a whole "
                                  "number from 0")
        form.addRow("Label column", self.label_box)
        self.classes_box = QSpinBox()
        self.classes_box.setObjectName("labelled_classes")
        self.classes_box.setRange(0, MAX_NEURONS_PER_LAYER)
        self.classes_box.setSpecialValueText("from the labels")
        self.classes_box.setToolTip("The targets' count (10 for digits); 'from the labels': "
                                    "the largest label + 1")
        form.addRow("Classes", self.classes_box)
        self.scale_box = QCheckBox("pixels 0–255 scaled to 0–1")
        self.scale_box.setObjectName("labelled_scale")
        self.scale_box.setChecked(True)
        self.scale_box.setToolTip("Divide every input by 255 (a file with a value outside "
                                  "0–255 is refused, naming its line and column)")
        form.addRow("Inputs", self.scale_box)
        self.observations_box = QSpinBox()
        self.observations_box.setObjectName("labelled_observations")
        self.observations_box.setRange(1, max(1, peek.rows))
        self.observations_box.setValue(min(peek.rows, SAMPLE_ROWS))
        self.observations_box.setGroupSeparatorShown(True)
        self.observations_box.setToolTip("How many observations to take: fewer than the "
                                         "file's are a seeded sample, in file order")
        form.addRow(f"Observations (of {peek.rows:,})", self.observations_box)
        self.seed_box = QSpinBox()
        self.seed_box.setObjectName("labelled_seed")
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setToolTip("The same seed takes the same sample")
        form.addRow("Sample seed", self.seed_box)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def options(self) -> LabelledOptions:
        observations = self.observations_box.value()
        return LabelledOptions(self.label_box.currentIndex(),
                               self.classes_box.value() or None, self.scale_box.isChecked(),
                               None if observations >= self.rows else observations,
                               self.seed_box.value())
