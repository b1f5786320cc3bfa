"""An inline editor for one weight or bias: Enter applies, Escape cancels; text that is not
a finite number is refused with a visible message and the old value stays."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit

from ..notation import parse_number


class _LineEdit(QLineEdit):
    cancelled = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # QLineEdit ignores Return after emitting returnPressed, so it would go on to the
            # graph behind, where Enter means "edit the selected weight": the editor that
            # just applied (or refused) the value would open again with the old text
            event.accept()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.cancelled.emit()


class InlineEditor(QObject):
    accepted = Signal(object, float)  # address, value

    def __init__(self, view) -> None:
        super().__init__(view)
        self.view = view
        self.line_edit = _LineEdit(view.viewport())
        self.line_edit.setObjectName("inline_editor")
        self.line_edit.setFixedWidth(150)
        self.line_edit.hide()
        self.message = QLabel(view.viewport())
        self.message.setObjectName("inline_editor_message")
        self.message.setStyleSheet(
            "QLabel { background: #fdecea; color: #a61b1b; border: 1px solid #e0a0a0;"
            " padding: 2px 4px; }")
        self.message.hide()
        self.address = None
        self.line_edit.returnPressed.connect(self._commit)
        self.line_edit.cancelled.connect(self.cancel)

    @property
    def is_open(self) -> bool:
        return self.line_edit.isVisible()

    def open(self, address, text: str, position: QPoint) -> None:
        self.address = address
        self.line_edit.setText(text)
        self.line_edit.setToolTip(f"new value of {address}: Enter applies, Escape cancels")
        x = max(0, min(position.x() - 75, self.view.viewport().width() - 150))
        y = max(0, min(position.y() - 12, self.view.viewport().height() - 48))
        self.line_edit.move(x, y)
        self.message.hide()
        self.line_edit.show()
        self.line_edit.raise_()
        self.line_edit.selectAll()
        self.line_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel(self) -> None:
        self.message.hide()
        if self.line_edit.isVisible():
            self.line_edit.hide()
            self.view.setFocus()
        self.address = None

    def _show_message(self, text: str) -> None:
        """``text`` under the field, inside the graph: moved left, or wrapped, to fit."""
        room = self.view.viewport().width()
        self.message.setMinimumWidth(0)
        self.message.setMaximumWidth(16777215)
        self.message.setWordWrap(False)
        self.message.setText(text)
        self.message.adjustSize()
        if self.message.width() > room:
            self.message.setWordWrap(True)
            self.message.setFixedWidth(room)
            self.message.adjustSize()
        x = max(0, min(self.line_edit.x(), room - self.message.width()))
        self.message.move(x, self.line_edit.y() + self.line_edit.height())
        self.message.show()

    def _commit(self) -> None:
        try:
            value = parse_number(self.line_edit.text(), str(self.address))
        except ValueError as error:
            self._show_message(f"{error}; the old value is kept")
            self.message.raise_()
            self.line_edit.selectAll()
            return
        address = self.address
        self.message.hide()
        self.cancel()
        self.accepted.emit(address, value)
