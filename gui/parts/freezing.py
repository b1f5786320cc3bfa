"""Edit ▸ Frozen (issue 17): freeze the selected weights and biases, or unfreeze them.

A frozen parameter keeps its value through every update (every optimiser; its gradient is
still computed and shown); the names are the training setting ``training.frozen``, so
freezing is one undoable settings edit (``controller.set_frozen``: "Freeze w5"), saved with
the file. The action is checkable, and its check follows the selection: checked when every
selected parameter is frozen. Triggering it freezes them all unless they all are, in which
case it unfreezes them. The graph's right-click menu on a weight or bias offers it too."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from .actions import make_action

SHORTCUT = "Ctrl+L"  # L for lock: free among the window's shortcuts (Help ▸ Keyboard shortcuts)


class Freezing(QObject):
    """Given the controller and the graph whose selection it acts on; ``owner`` (the
    window) owns the action, so its shortcut works wherever the window has the focus."""

    message = Signal(str, int)  # for the status bar, shown for that many ms

    def __init__(self, controller, graph, owner) -> None:
        super().__init__(owner)
        self.controller, self.graph = controller, graph
        self.action = make_action(
            owner, "action_freeze", "&Frozen", SHORTCUT, self.toggle,
            "Freeze the selected weights and biases (the update leaves them as they are; "
            "their gradient is still computed and shown), or unfreeze them")
        self.action.setCheckable(True)
        graph.parameter_actions.append(self.action)
        graph.selection_changed.connect(self.follow)
        for signal in (controller.settings_changed, controller.structure_changed,
                       controller.document_loaded):
            signal.connect(self.follow)
        self.follow()

    def selection(self) -> list:
        return self.graph.selected_parameters()

    def all_frozen(self, addresses) -> bool:
        frozen = self.controller.frozen_addresses()
        return bool(addresses) and all(address in frozen for address in addresses)

    def follow(self) -> None:
        """The check says whether every selected parameter is frozen."""
        self.action.setChecked(self.all_frozen(self.selection()))

    def toggle(self) -> bool:
        """Freeze the selection, or unfreeze it when all of it is frozen. Returns whether
        the settings changed."""
        selected = self.selection()
        if not selected:
            self.follow()  # the action checked itself when triggered
            self.message.emit("Select a weight or bias first (click its edge or its tag; "
                              "Ctrl+click for more)", 6000)
            return False
        changed = self.controller.set_frozen(selected, not self.all_frozen(selected))
        self.follow()
        return changed
