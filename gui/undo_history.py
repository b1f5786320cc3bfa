"""The controller's other half (mixed into gui.controller.LabController): pushing edits,
undo and redo, and the question before the later history is discarded.

The history is a tape (engine.core.rewind): stepping and running from a rewound position
replay it and ask nothing. An edit of the parameters or settings (gui.commands.EditCommand)
is made at a position: making it before the end of the tape forks the history, its undo
goes back to that position as it was just before it (``Stepper.undo_edit``), its redo makes
it again there. Each of these asks first (``confirm_discard``) when it would discard later
iterations, saying how many.
"""

from __future__ import annotations

import contextlib

from .commands import EditCommand


class UndoHistory:
    """Uses the controller's stepper, undo stack, signals, ``pause``, ``_guarded`` and its
    discard question (``_confirm_discard``, ``_agreed``, ``discarding``)."""

    def may_discard_future(self, position: tuple[int, int] | None = None,
                           action: str | None = None) -> bool:
        """True when changing the history at ``position`` (default: where the run stands)
        is allowed: nothing lies beyond it, or ``confirm_discard`` (the window asks the
        learner) agrees to forget the iterations after it. ``action`` says what would
        (for the question: an undo or a redo; None for an edit here)."""
        s = self.stepper
        here = (s.iteration, s.phase) if position is None else tuple(position)
        if here >= s.head_position or self._agreed:
            return True
        self.discarding = (action, here[0])
        try:
            return bool(self._confirm_discard(s.head_iteration - here[0]))
        finally:
            self.discarding = None

    @contextlib.contextmanager
    def discarding_agreed(self):
        """While the block runs, going on from a rewound state asks nothing: the caller
        asked once, up front, for a series of actions (a lesson's step)."""
        self._agreed += 1
        try:
            yield
        finally:
            self._agreed -= 1

    def push(self, command, discards_future: bool = True) -> bool:
        """Do an edit through the undo stack; an edit of the past asks first (it discards
        the history after it). Returns whether it was done."""
        if discards_future and not self.may_discard_future():
            self.message_posted.emit("Nothing changed: the later history is kept")
            return False
        self.undo_stack.push(command)
        return True

    def undo(self) -> bool:
        """Undo the last edit: an edit of the parameters or settings goes back to the
        iteration (and phase) where it was made, as it was just before it — asking first
        when that discards later iterations. Returns whether it was undone."""
        command = self.undo_stack.command(self.undo_stack.index() - 1)
        if command is None:
            return False
        edit = _edit_of(command)
        if edit is not None:
            self.pause()  # it goes to another iteration: a run would go on from there
            if not edit.holds(self.stepper):
                # an edit made before it, later, replaced the history it was made in: its
                # effect is gone already; it leaves the stack (deleted) without being undone
                message = (f'Nothing to undo for "{command.text()}" (iteration '
                           f"{edit.position[0]:,}): a later edit at an earlier iteration "
                           "replaced the history it was in")
                command.setObsolete(True)
                self.undo_stack.undo()
                self.message_posted.emit(message)
                return False
            action = (f'Undo "{command.text()}" goes back to iteration '
                      f"{edit.position[0]:,}, where that edit was made, as it was just "
                      "before it")
            if not self.may_discard_future(edit.position, action):
                self.message_posted.emit("Nothing undone: the later history is kept")
                return False
        elif getattr(command, "discards_future", True) and not self.may_discard_future():
            self.message_posted.emit("Nothing changed: the later history is kept")
            return False
        with self.discarding_agreed():
            self.undo_stack.undo()
        return True

    def redo(self) -> bool:
        """Redo the edit undone last: an edit of the parameters or settings is made again
        where it was first made, asking first when that discards later iterations. Returns
        whether it was redone."""
        command = self.undo_stack.command(self.undo_stack.index())
        if command is None:
            return False
        edit = _edit_of(command)
        if edit is not None:
            self.pause()
            action = (f'Redo "{command.text()}" goes back to iteration '
                      f"{edit.position[0]:,}, where that edit was made, and makes it again")
            if not self.may_discard_future(edit.position, action):
                self.message_posted.emit("Nothing redone: the later history is kept")
                return False
            if (self.stepper.iteration, self.stepper.phase) != edit.position and not (
                    self._guarded(lambda: self.stepper.go_to(*edit.position))):
                return False
        elif getattr(command, "discards_future", True) and not self.may_discard_future():
            self.message_posted.emit("Nothing changed: the later history is kept")
            return False
        with self.discarding_agreed():
            self.undo_stack.redo()
        return True

    def take_back(self, event) -> None:
        """Take an edit out of the history (an undo): back where it was made, as it was
        just before it; the iterations after it are discarded (the caller asked)."""
        self.pause()
        config = self.stepper.config
        self.stepper.undo_edit(event)
        self.position_changed.emit()
        if event.indices is not None:
            self.parameters_changed.emit()
        if event.config is not None or self.stepper.config != config:
            self.settings_changed.emit()


def _edit_of(command) -> EditCommand | None:
    """The edit of the stepper at a position that ``command`` makes (itself, or the one in a
    macro such as re-initialise), or None."""
    if isinstance(command, EditCommand):
        return command
    for index in range(command.childCount()):
        child = command.child(index)
        if isinstance(child, EditCommand):
            return child
    return None
