"""The one way the window and its parts make their actions."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def make_action(owner: QWidget, name: str, text: str, shortcut, slot, tip: str) -> QAction:
    """An action of ``owner`` (its shortcut works wherever ``owner`` has the focus, a menu
    or not): an object name (tests and layouts find it), a tooltip and status tip that end
    with the shortcut, and its slot."""
    action = QAction(text, owner)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def follow_undo_stack(undo: QAction, redo: QAction, stack) -> None:
    """``undo`` and ``redo`` named after the edit they would undo or redo ("&Undo Set w1 =
    0.5"), and enabled while there is one."""
    for action, word, text_changed, can_changed, text, can in (
            (undo, "Undo", stack.undoTextChanged, stack.canUndoChanged, stack.undoText(),
             stack.canUndo()),
            (redo, "Redo", stack.redoTextChanged, stack.canRedoChanged, stack.redoText(),
             stack.canRedo())):
        # the signals carry what they say: the stack may be gone when they come
        def name(text: str, action=action, word=word) -> None:
            action.setText(f"&{word} {text}" if text else f"&{word}")
        text_changed.connect(name)
        can_changed.connect(action.setEnabled)
        name(text)
        action.setEnabled(can)
