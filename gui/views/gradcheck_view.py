"""Gradient check in the window: backprop's gradient of every parameter against central
finite differences at the current state, as a table; relative errors above 1e-6 flagged.

Every network is checked in slices from a zero-interval timer, so the event loop runs between
them (repaints, the Cancel button), with a progress bar (four forward passes per parameter: a
17,000-weight network takes a while); ``finished`` says when the check is done."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.gradcheck import (
    FLAG_ABOVE,
    FLAG_ABOVE_FLOAT32,
    GradientCheck,
    gradient_check,
)
from engine.io.tables import format_number

from ..notation import parameter_label, typeset

SLICE_SECONDS = 0.05  # work between two looks at the event loop (cancel, repaint)
MAX_ROWS = 2000  # rows listed: the flagged ones first, then the worst of the rest
FLAGGED = QColor(255, 205, 205)


@dataclass
class _Check:
    """A check in progress: where it was started, and the slices done so far."""

    stepper: object
    theta: np.ndarray
    parts: list[GradientCheck] = field(default_factory=list)
    done: int = 0
    block: int = 1  # parameters in the next slice, aimed at SLICE_SECONDS


class GradientCheckPanel(QWidget):
    finished = Signal(object)  # the GradientCheck, or None when it stopped without one

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("gradcheck_panel")
        self.controller = controller
        self.result: GradientCheck | None = None
        self._checked_at: tuple | None = None  # (stepper, iteration, phase, θ) of the result
        self.stale = False
        self._check: _Check | None = None
        self._slices = QTimer(self)
        self._slices.setInterval(0)
        self._slices.timeout.connect(self._next_slice)
        self.button = QPushButton("Check gradients")
        self.button.setObjectName("gradcheck_button")
        self.button.setToolTip(
            "Compare backprop's ∂C/∂θ of every parameter with central finite differences "
            f"at the current state; relative errors above {FLAG_ABOVE:g} are flagged (above "
            f"{FLAG_ABOVE_FLOAT32:g} in a float32 run, whose numbers carry about 7 digits)")
        self.button.clicked.connect(self.run_check)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the check; nothing is shown")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.summary = QLabel("Not checked yet.")
        self.summary.setObjectName("gradcheck_summary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("gradcheck_table")
        self.table.setHorizontalHeaderLabels(
            ["parameter", "backprop", "numeric", "relative error"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Flagged rows (red) disagree beyond the tolerance: look at the "
                              "backward pass of that layer")
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    @property
    def checking(self) -> bool:
        return self._check is not None

    def run_check(self) -> None:
        """Start checking every parameter at the current state (the run pauses); slice by
        slice, the window staying live. ``finished`` carries the result, or None when the
        check is cancelled or the parameters change meanwhile."""
        if self.checking:
            return
        controller = self.controller
        controller.pause()
        stepper = controller.stepper
        self._check = _Check(stepper, stepper.network.theta.copy())
        self.button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, self._check.theta.size)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._slices.start()

    def cancel(self) -> None:
        """Stop the check in progress; nothing is shown."""
        if self.checking:
            self._stop(None)

    def _next_slice(self) -> None:
        check = self._check
        stepper = check.stepper
        if self.controller.stepper is not stepper or not np.array_equal(
                stepper.network.theta, check.theta):
            self._stop(None)
            return
        size = check.theta.size
        started = time.perf_counter()
        indices = np.arange(check.done, min(size, check.done + check.block))
        check.parts.append(gradient_check(stepper, indices=indices))
        check.done += len(indices)
        elapsed = time.perf_counter() - started
        check.block = int(max(1, min(4096, len(indices) * SLICE_SECONDS / max(elapsed, 1e-6))))
        self.progress.setValue(check.done)
        if check.done >= size:
            self._stop(GradientCheck.joined(check.parts))

    def _stop(self, result: GradientCheck | None) -> None:
        check, self._check = self._check, None
        self._slices.stop()
        self.button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setVisible(False)
        if result is None:
            self.summary.setText("Check stopped: nothing to show "
                                 "(cancelled, or the parameters changed).")
        else:
            stepper = check.stepper
            self.result = result
            self._checked_at = (stepper, stepper.iteration, stepper.phase, check.theta)
            self.stale = False
            self._show(result, stepper)
        self.finished.emit(result)

    def refresh(self) -> None:
        """Say so when the table no longer describes the current state."""
        if self._checked_at is None:
            return
        stepper, iteration, phase, theta = self._checked_at
        now = self.controller.stepper
        stale = not (now is stepper and now.iteration == iteration and now.phase == phase
                     and np.array_equal(now.network.theta, theta))
        if stale and not self.stale:
            self.summary.setText(f"Made at iteration {iteration}: the state has changed since; "
                                 "press Check gradients again. " + self.summary.text())
        if self.stale and not stale and self.result is not None:  # back where it was made
            self._show(self.result, now)
        self.stale = stale

    def _show(self, result: GradientCheck, stepper) -> None:
        flagged = result.flagged()
        where = f"iteration {stepper.iteration}" + (
            f", after phase {stepper.phases[stepper.phase - 1]}" if stepper.phase else "")
        if flagged:
            self.summary.setText(
                f"{len(flagged)} of {len(result.addresses)} parameters flagged (relative error "
                f"above {result.threshold:g}) at {where}; worst {typeset(str(result.worst))} "
                f"({result.max_relative_error:.2g}).")
        else:
            self.summary.setText(
                f"All {len(result.addresses)} parameters agree within {result.threshold:g} at "
                f"{where} (worst relative error {result.max_relative_error:.2g}"
                + (f" at {typeset(str(result.worst))}" if result.worst is not None else "")
                + ").")
        if result.frozen_count:
            self.summary.setText(
                self.summary.text() + f" {result.frozen_count} of them frozen: checked all "
                "the same (their gradient is computed; the update leaves them).")
        errors = result.relative_error
        order = np.arange(len(errors))
        if len(order) > MAX_ROWS:
            order = np.argsort(-errors, kind="stable")[:MAX_ROWS]
        table = self.table
        table.setRowCount(len(order))
        for row, k in enumerate(order):
            address = result.addresses[k]
            name = parameter_label(stepper.network, address)  # w¹₀,₀ (w5)
            note = result.row_note(k)  # "" or that it is frozen
            if note:
                name += " (frozen)"
            cells = [name, format_number(result.backprop[k]), format_number(result.numeric[k]),
                     f"{errors[k]:.2g}"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if errors[k] > result.threshold:
                    item.setBackground(QBrush(FLAGGED))
                if note:
                    item.setToolTip(note)
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
