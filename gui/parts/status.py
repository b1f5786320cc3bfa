"""What the window tells the learner outside the docks: the status bar (its messages and the
count of distinct neurons), the run toolbar's phase label, and the dialogs for an error or
an unexpected exception.

A message shown without a timeout is about where the run stands ("Paused at iteration 1:
…", "Stopped: …"); it goes as soon as the position moves (issue 14, point 8: it said
"Paused at iteration 1" at iteration 999). The scheduler calls ``clear_stale`` after a
change of position."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QStatusBar, QWidget

from ..notation import describe_error


def phase_text(done, following, started: bool) -> str:
    """The toolbar's phase label: the phase just done (None: the update, between iterations)
    and the next one; before the first phase only the next."""
    return f"done: {done or 'update'} · next: {following}" if started else f"next: {following}"


def fit_phase_label(label: QLabel, phases) -> None:
    """``label`` as wide as its longest text for a network of these ``phases``: what
    follows it in the toolbar (the observation box) stays in place as the phases pass
    (issue 14, point 8: it jumped sideways)."""
    metrics = label.fontMetrics()
    widest = max(metrics.horizontalAdvance(phase_text(done, following, True))
                 for done in (*phases, None) for following in phases)
    margins = label.contentsMargins()
    label.setFixedWidth(widest + margins.left() + margins.right() + 4)


class Status:
    """Given the window's status ``bar``, the controller, and ``parent`` (the widget the
    dialogs belong to)."""

    def __init__(self, bar: QStatusBar, controller, parent: QWidget) -> None:
        self.bar = bar
        self.controller = controller
        self.parent = parent
        self.last_error: str | None = None
        self._at = None  # the position a message without a timeout is about
        self.symmetry_label = QLabel()
        self.symmetry_label.setObjectName("symmetry_label")
        self.symmetry_label.setToolTip("Neurons with the same incoming weights, bias and outgoing "
                                       "weights are interchangeable: gradient descent cannot "
                                       "tell them apart")
        bar.addPermanentWidget(self.symmetry_label)

    def _position(self) -> tuple:
        stepper = self.controller.stepper
        return stepper, stepper.iteration, stepper.phase

    def show(self, text: str, ms: int) -> None:
        """``text`` for ``ms`` milliseconds; with 0, a message about where the run stands,
        shown until the position moves."""
        self.bar.showMessage(text, ms)
        self._at = self._position() if ms == 0 else None

    def clear_stale(self) -> None:
        """A message about a position that is no longer the run's goes."""
        at, now = self._at, self._position()
        if at is not None and (at[0] is not now[0] or at[1:] != now[1:]):
            self.bar.clearMessage()
            self._at = None

    def fault(self, text: str) -> None:
        self.last_error = text
        self.show(f"Stopped: {text}", 0)

    def error(self, title: str, text: str) -> None:
        """A dialog that says what went wrong (and the same in the status bar)."""
        self.last_error = text
        self.show(text, 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                          self.parent)
        box.setObjectName("error_dialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def exception(self, kind, error, details: str) -> None:
        """An exception that escaped a slot: the run pauses, a dialog says so, work goes on."""
        self.controller.pause()
        self.last_error = f"{kind.__name__}: {error}"
        if issubclass(kind, MemoryError):  # not a bug: a network too large for the memory
            title, text = "Not enough memory", (
                f"Backprop Lab ran out of memory: {describe_error(error)}\n\nYour work is "
                "untouched and the app goes on; saving it now is a good idea.")
        else:
            title, text = "Something went wrong", (
                f"An unexpected error: {kind.__name__}: {error}\n\nYour work is "
                "untouched and the app goes on; saving it now is a good idea. "
                "The details below help to report it.")
        box = QMessageBox(QMessageBox.Icon.Critical, title, text,
                          QMessageBox.StandardButton.Ok, self.parent)
        box.setObjectName("exception_dialog")
        box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
