"""The debugger as one part of the window: the inspector, chain rule, matrix view, gradient
check, compare-your-numbers and breakpoints panels (built with their docks from the dock
table, gui/parts/docks.py) and the timeline in a toolbar of its own. Here they follow the
graph's selection, and a breakpoint hit or a fault selects what it names; the scheduler
refreshes them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QToolBar

from ..views.timeline import Timeline


class DiscardQuestion:
    """The controller's question before an edit (or the undo or redo of one) discards the
    later history: a Yes/No box, No by default, saying what would be discarded and why.
    ``ask`` False answers yes without asking (tests, scripts). Given to the controller when
    it is built; it reads where the run stands, and what asks (``discarding``), from
    ``controller``, set once that exists."""

    def __init__(self, parent) -> None:
        self.parent = parent
        self.controller = None
        self.ask = True
        self.answer = None  # answer(iterations) -> bool instead of the box (tests answer here)

    def __call__(self, iterations: int) -> bool:
        if self.answer is not None:
            return bool(self.answer(iterations))
        if not self.ask:
            return True
        answer = QMessageBox.question(
            self.parent, "Discard the later history?", self.text(iterations),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def text(self, iterations: int) -> str:
        stepper = self.controller.stepper
        action, iteration = self.controller.discarding or (None, stepper.iteration)
        if action is None:
            since = (f"iteration {stepper.head_iteration:,}" if iterations else
                     "a later phase of it")
            action = (f"You are at iteration {iteration:,}, rewound from {since}. A change "
                      "here starts a new history")
        if iterations:
            lost = (f"the {iterations:,} later iteration{'' if iterations == 1 else 's'} of "
                    "history (the loss curve and the exact rewind to them) are discarded")
        else:
            lost = f"the rest of iteration {iteration:,} computed so far is discarded"
        return (f"{action}: {lost}. (Stepping or running from an earlier iteration replays "
                "the history and discards nothing.) Go on?")


class Debugger(QObject):
    """Given the controller, the ``graph`` whose selection the panels follow, the
    ``question`` asked before the later history is discarded, the ``panels`` by name and
    their ``docks`` by key (from the dock table)."""

    message = Signal(str, int)  # for the status bar, shown for that many ms (0: until replaced)

    def __init__(self, controller, graph, question, panels: dict, docks: dict,
                 parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.graph = graph
        self.breakpoints = controller.breakpoints
        self.question = question
        self.inspector = panels["inspector"]
        self.chain_rule = panels["chain_rule"]
        self.matrix_view = panels["matrix_view"]
        self.gradcheck = panels["gradcheck"]
        self.compare = panels["compare"]
        self.breakpoints_panel = panels["breakpoints_panel"]
        self.docks = docks
        self.last_break: str | None = None  # why the last breakpoint paused the run
        self.timeline = Timeline(controller)
        self.toolbar = QToolBar("Timeline")
        self.toolbar.setObjectName("timeline_toolbar")
        self.toolbar.addWidget(self.timeline)
        graph.selection_changed.connect(self._selection_changed)
        controller.breakpoint_hit.connect(self._breakpoint_hit)
        controller.fault_raised.connect(self._fault)

    def _selection_changed(self) -> None:
        parameters = self.graph.selected_parameters()
        neuron = self.graph.selected_neuron()
        if parameters:
            self.inspector.show_parameter(parameters[0])
        elif neuron is not None:
            self.inspector.show_neuron(neuron)
        else:
            self.inspector.show_neuron(None)
        self.chain_rule.show_parameters(parameters)
        if parameters:
            self.breakpoints_panel.set_parameter(parameters[0])

    # ---------------------------------------------------------- going on
    @property
    def ask_before_discarding(self) -> bool:
        return self.question.ask

    @ask_before_discarding.setter
    def ask_before_discarding(self, ask: bool) -> None:
        self.question.ask = bool(ask)

    # ---------------------------------------------------------- breakpoints
    def _select(self, hit) -> None:
        """Select in the graph the weight or neuron a hit names, and mark it in the list."""
        if hit.parameter is not None:
            self.graph.select_parameters([hit.parameter])
        elif hit.neuron is not None:
            self.graph.select_neuron(hit.neuron)
        self.breakpoints_panel.refresh()

    def _breakpoint_hit(self, hit) -> None:
        self._select(hit)
        self.last_break = hit.message
        self.message.emit(f"Paused at iteration {hit.iteration}: {hit.message}", 0)

    def _fault(self, text: str) -> None:
        """A non-finite value stopped the engine: select the neuron or weight it names."""
        fault = self.controller.stepper.fault
        if fault is None:
            return
        self._select(self.breakpoints.fault_hit(fault, self.controller.network))
