"""The question a CSV import asks when a column's name does not say whether it is an input or
a target (``years``, ``label``: engine.datasets' naming rule): one dialog with a role for
every column of the file, the ambiguous ones marked and preset to their likelier role, so
that the learner may also make a clear name (``salary``) the target."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.io.datasets import ROLES, TARGET_RULE, DatasetRolesError


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
