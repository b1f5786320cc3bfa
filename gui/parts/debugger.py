"""The debugger as one part of the window: the inspector, chain rule, matrix view, gradient
check, compare-your-numbers and breakpoints panels (built with their docks from the dock
table, gui/parts/docks.py) and the timeline in a toolbar of its own. Here they follow the
graph's selection, and a breakpoint hit or a fault selects what it names; the scheduler
refreshes them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QToolBar

from ..notation import typeset
from ..views.timeline import Timeline
from .docks import Section

# the inspector's share of its dock's height above the chain rule, by what is selected
NEURON_SHARE, WEIGHT_SHARE = 0.8, 0.3


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
    ``question`` asked before the later history is discarded and the window's dock
    ``layout`` (gui/parts/dock_layout.py), whose docks build their panels when first shown:
    a panel asked for here is built then."""

    message = Signal(str, int)  # for the status bar, shown for that many ms (0: until replaced)

    def __init__(self, controller, graph, question, layout, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.graph = graph
        self.breakpoints = controller.breakpoints
        self.question = question
        self.layout = layout
        self.docks = {row.key: layout.docks[row.key] for row in layout.rows
                      if row.section is Section.DEBUGGER}
        self.last_break: str | None = None  # why the last breakpoint paused the run
        self.timeline = Timeline(controller)
        self.toolbar = QToolBar("Timeline")
        self.toolbar.setObjectName("timeline_toolbar")
        self.toolbar.addWidget(self.timeline)
        graph.selection_changed.connect(self._selection_changed)
        controller.breakpoint_hit.connect(self._breakpoint_hit)
        controller.fault_raised.connect(self._fault)
        # a panel built after the selection was made shows it at once
        layout.on_built.append(lambda row, parts: self._selection_changed()
                               if {"inspector", "breakpoints_panel"} & set(parts) else None)

    # the panels, built if their docks were not yet
    inspector = property(lambda self: self.layout.part("inspector"))
    chain_rule = property(lambda self: self.layout.part("chain_rule"))
    matrix_view = property(lambda self: self.layout.part("matrix_view"))
    gradcheck = property(lambda self: self.layout.part("gradcheck"))
    compare = property(lambda self: self.layout.part("compare"))
    breakpoints_panel = property(lambda self: self.layout.part("breakpoints_panel"))

    def _selection_changed(self) -> None:
        """The selection in the panels built so far (the others show it when built)."""
        parameters = self.graph.selected_parameters()
        neuron = self.graph.selected_neuron()
        inspector = self.layout.built_part("inspector")
        if inspector is not None:
            if parameters:
                inspector.show_parameter(parameters[0])
            else:
                inspector.show_neuron(neuron)
            self.layout.part("chain_rule").show_parameters(parameters)
            self._share_room(inspector.parentWidget(), bool(parameters))
        panel = self.layout.built_part("breakpoints_panel")
        if panel is not None and parameters:
            panel.set_parameter(parameters[0])

    def _share_room(self, splitter, weight: bool) -> None:
        """The inspector above the chain rule: a neuron's table of observations gets most of
        the height (the chain rule has nothing to show), a weight's few lines leave it to its
        chain; only when the kind of selection changes (a height the learner set stays)."""
        if weight == getattr(self, "_weight_room", None):
            return
        self._weight_room = weight
        share = WEIGHT_SHARE if weight else NEURON_SHARE
        total = sum(splitter.sizes()) or 1000
        splitter.setSizes([round(share * total), total - round(share * total)])

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
        panel = self.layout.built_part("breakpoints_panel")
        if panel is not None:
            panel.refresh()

    def _breakpoint_hit(self, hit) -> None:
        self._select(hit)
        self.last_break = hit.message
        self.message.emit(f"Paused at iteration {hit.iteration}: {typeset(hit.message)}", 0)

    def _fault(self, text: str) -> None:
        """A non-finite value stopped the engine: select the neuron or weight it names."""
        fault = self.controller.stepper.fault
        if fault is None:
            return
        self._select(self.breakpoints.fault_hit(fault, self.controller.network))
