"""The Predict panel (issue 15): in predict mode, what the phase just run computed stays hidden
("?" in the graph, the inspector and the matrices) until the learner types their numbers
here and checks them; each cell is then marked ✓ or ✗ (compared to the digits typed), a wrong
answer's likely mistake is named with its formula, the phase is revealed, and the session's
score grows. Reads the controller; checking, revealing and switching the mode go through it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
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

from engine.io.tables import format_number

from ..notation import typeset

RIGHT = QColor("#e3f4e1")
WRONG = QColor("#fdecea")
MAX_CELLS = 400  # the result table shows at most this many cells (a check compares all)


class PredictPanel(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("predict_panel")
        self.controller = controller
        self.heading = QLabel()
        self.heading.setObjectName("predict_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.quantity = QComboBox()
        self.quantity.setObjectName("predict_quantity")
        self.quantity.setToolTip("What you predict: the phase's main result, or any other "
                                 "quantity it computes")
        self.quantity.currentIndexChanged.connect(lambda _index: self.refresh())
        self.input = QPlainTextEdit()
        self.input.setObjectName("predict_input")
        self.input.setMinimumHeight(3 * self.fontMetrics().lineSpacing() + 12)
        self.input.setPlaceholderText(
            "Your numbers, one row per line, e.g.\n0.25 0.5 0.75\n0.1 0.2 0.3\n"
            "(or a pipe table as the seed prints, or a numpy literal; Ctrl+Enter checks)")
        self.input.setToolTip(
            "Type or paste your matrix: rows are observations (or source neurons, for "
            "weights). Each number is compared to the digits you typed.")
        self.check_button = QPushButton("Check")
        self.check_button.setObjectName("predict_check")
        self.check_button.setToolTip("Check your numbers against the engine's, then show the "
                                     "phase (Ctrl+Enter in the box)")
        self.check_button.clicked.connect(self.check)
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.setObjectName("predict_reveal")
        self.reveal_button.setToolTip("Show the phase without checking (counted as revealed)")
        self.reveal_button.clicked.connect(controller.reveal)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.input)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.check)
        self.message = QLabel()
        self.message.setObjectName("predict_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result = QTableWidget(0, 0)
        self.result.setObjectName("predict_result")
        self.result.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.result.setToolTip("Each cell: ✓ right or ✗ wrong, your number, and the engine's")
        self.score = QLabel()
        self.score.setObjectName("predict_score")
        buttons = QHBoxLayout()
        buttons.addWidget(self.quantity, 1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.reveal_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(buttons)
        layout.addWidget(self.input, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.result, 3)
        layout.addWidget(self.score)
        self._targets_of = None  # the quiz the chooser lists the targets of
        self._error = ""  # why the last Check was refused (the text is kept)
        self.refresh()

    # ---------------------------------------------------------------- refresh
    def refresh(self) -> None:
        c = self.controller
        concealed = c.concealed()
        if c.quiz is not self._targets_of:
            self._fill_targets()
        if not c.predicting:
            self.heading.setText("Predict mode is off. Turn it on (Run ▸ Predict, Ctrl+Shift+P) "
                                 "and step a phase: its results stay hidden until you predict "
                                 "them here.")
        elif concealed is None:
            self.heading.setText("Step a phase (F11): what it computes is hidden until you "
                                 "predict it here.")
        else:
            target = self.quantity.currentData()
            shape = "" if target is None else (
                f" {typeset(target.label)}: " + c.quiz.shape_text(c.stepper, target) + ".")
            self.heading.setText(f"Predict what the phase {concealed} computed, then Check."
                                 + shape)
        asking = concealed is not None
        for widget in (self.quantity, self.input, self.check_button, self.reveal_button):
            widget.setEnabled(asking)
        # once checked, the table (yours and the engine's) has the room the box had
        self.input.setVisible(asking or c.prediction is None)
        self._show_prediction()
        self.score.setText(c.score.text())

    def _fill_targets(self) -> None:
        c = self.controller
        self._targets_of = c.quiz
        self.quantity.blockSignals(True)
        self.quantity.clear()
        for target in c.predict_targets():
            self.quantity.addItem(typeset(target.label), target)
        self.quantity.setCurrentIndex(0)
        self.quantity.blockSignals(False)
        self._error = ""

    # ---------------------------------------------------------------- checking
    def check(self) -> None:
        c = self.controller
        if c.concealed() is None:
            return
        try:
            c.check_prediction(self.input.toPlainText(), self.quantity.currentData())
        except ValueError as error:  # not a matrix: say why, keep the text and the quiz
            self._error = f"Not checked: {error}"
            self._show_prediction()
            return
        self._error = ""

    def _show_prediction(self) -> None:
        prediction = self.controller.prediction
        table = self.result
        if prediction is None:
            self.message.setText(self._error)
            self.message.setStyleSheet("QLabel { color: #b00020; }" if self._error else "")
            table.setRowCount(0)
            table.setColumnCount(0)
            return
        self.message.setStyleSheet("")
        lines = [("✓ " if prediction.status == "right" else "✗ ") + prediction.message]
        mistake = prediction.mistake
        if mistake is not None:
            lines.append(f"It looks like {mistake.name} ({typeset(mistake.term)}): "
                         f"{typeset(mistake.explanation)} The formula: "
                         f"{typeset(mistake.formula)}")
        self.message.setText("\n".join(lines))
        yours, expected, correct = prediction.yours, prediction.expected, prediction.correct
        if correct is None:  # the shapes differ: the engine's numbers alone
            rows, columns = expected.shape
        else:
            rows, columns = correct.shape
        rows = min(rows, max(1, MAX_CELLS // max(columns, 1)))
        table.setRowCount(rows)
        table.setColumnCount(columns)
        # numbered from 0, as the seed's tables and the matrix view number them
        table.setVerticalHeaderLabels([str(i) for i in range(rows)])
        table.setHorizontalHeaderLabels([str(j) for j in range(columns)])
        for i in range(rows):
            for j in range(columns):
                ours = format_number(expected[i, j])
                if correct is None:
                    item = QTableWidgetItem(ours)
                else:
                    # yours above, the engine's below a wrong one: narrow columns
                    mark = "✓" if correct[i, j] else "✗"
                    item = QTableWidgetItem(f"{mark} {format_number(yours[i, j])}"
                                            + ("" if correct[i, j] else f"\n= {ours}"))
                    item.setBackground(QBrush(RIGHT if correct[i, j] else WRONG))
                item.setToolTip(f"row {i}, column {j}: the engine's {ours}")
                table.setItem(i, j, item)
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
