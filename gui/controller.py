"""The one QObject that owns the engine state.

Views subscribe to its past-tense signals and redraw from the engine; they never change the
engine behind its back, never touch the undo stack and never emit its signals. Every edit
is a method here (``set_parameters``, ``set_theta``, ``set_config``, ``set_frozen``,
``set_init_spec``, ``reinitialise``, ``replace_stepper``, ``restructure``, ``swap_in``;
``post_message`` for a status-bar
message): the controller builds the QUndoCommand (gui/commands.py) and pushes it, and the
command calls the ``apply_*`` methods here. The collaborators it asks (the breakpoints, the
question before history is discarded) are given when it is built; ``discarding_agreed`` is
the one way to stand in for that question for a while.

The history is a tape: stepping and running from a rewound position replay it and ask
nothing. An edit there forks it, and so do the undo of an edit (back to where it was made,
as it was just before it) and its redo (made again there) when later iterations lie
beyond: those ask first (gui/undo_history.py, the controller's other half).

Running advances the engine from a timer, so the event loop (repaints, the pause button) gets a
turn between its ticks (gui/run_loop.py): at full speed in chunks sized by time, at a chosen
speed (``set_run_speed``, gui/pacing.py) as the speed says, one iteration or one phase a tick
when each is to be seen (``shows_each_step``: the scheduler draws each).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack

from engine.analysis.breakpoints import Breakpoints
from engine.analysis.symmetry import symmetry_groups
from engine.core.backprop import Trace
from engine.core.init import InitSpec, initial_theta
from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.core.stepper import NonFiniteError, Stepper
from engine.core.structure import Plan
from engine.io.fileformat import Document

from .commands import (
    ChangeInitCommand,
    ChangeSettingsCommand,
    ChangeStructureCommand,
    SetParametersCommand,
    SetThetaCommand,
    SwapInCommand,
)
from .notation import short_parameter_name
from .pacing import ChunkSizing, Pace
from .predict_mode import PredictMode, concealed_trace
from .run_loop import RunLoop
from .undo_history import UndoHistory

SEEK_SECONDS = 0.04  # the longest replay a seek (timeline, step back) should need


class LabController(QObject, UndoHistory, RunLoop, PredictMode):
    position_changed = Signal()  # stepped, ran, rewound: iteration or phase moved
    parameters_changed = Signal()  # θ edited by hand, re-initialised or jogged
    structure_changed = Signal()  # a different network (new layers, neurons, activations)
    settings_changed = Signal()  # training settings or initialisation scheme
    run_state_changed = Signal(bool)  # running or paused
    fault_raised = Signal(str)  # a phase produced inf/NaN: the run stopped there
    message_posted = Signal(str)  # a short status-bar message
    document_loaded = Signal()  # load(): other work replaced this one (new, open, recover)
    document_changed = Signal()  # file path or modified flag
    breakpoint_hit = Signal(object)  # engine.breakpoints.Hit: the run paused there
    breakpoints_changed = Signal()  # one added, removed or switched, or the list replaced
    prediction_changed = Signal()  # predict mode on or off, a phase asked, checked, revealed

    def __init__(self, document: Document, path: Path | None = None, parent=None, *,
                 breakpoints: Breakpoints | None = None, confirm_discard=None) -> None:
        """``breakpoints``: checked while running (a new empty list by default);
        ``confirm_discard(iterations)``: asked before an edit (or an undo or redo) would
        discard that many later iterations (the window asks the learner; by default yes);
        ``discarding`` says what is asking while it is asked."""
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self.document_changed)
        self._run_timer = QTimer(self)
        self._run_timer.setInterval(0)
        self._run_timer.setTimerType(Qt.TimerType.PreciseTimer)  # a slow run's even beat
        self._run_timer.timeout.connect(self._run_chunk)  # gui/run_loop.py
        self.pace = Pace()  # full speed, whole iterations, until set_run_speed says otherwise
        self.chunk_sizing = ChunkSizing()  # at full speed
        self._remaining: int | None = None
        self.path: Path | None = None
        self.stepper: Stepper
        self.init_spec: InitSpec
        self._display_trace: Trace | None = None
        self._display_backward = False
        self._backward_asked = False  # a view has asked for the backward pass
        self._symmetry: list | None = None
        # training.frozen as addresses, and the names they were parsed from
        self._frozen: frozenset[ParameterAddress] = frozenset()
        self._frozen_for: tuple[str, ...] = ()
        self.breakpoints = breakpoints if breakpoints is not None else Breakpoints()
        self._confirm_discard = confirm_discard or (lambda iterations: True)
        self._agreed = 0  # inside discarding_agreed: the question stands answered
        # while confirm_discard is asked: (what asks — None for an edit where the run stands,
        # else a sentence such as 'Undo "Set w6 = 0.7" goes back to iteration 0 …' —, the
        # iteration after which the history would be discarded)
        self.discarding: tuple[str | None, int] | None = None
        for signal in (self.position_changed, self.parameters_changed, self.structure_changed,
                       self.settings_changed):
            signal.connect(self._forget_display_trace)
        self._init_predict()  # gui/predict_mode.py
        self._install(document, path)
        self.breakpoints.replace(document.breakpoints)  # the file's own

    # --------------------------------------------------------------- document
    def _install(self, document: Document, path: Path | None,
                 stepper: Stepper | None = None) -> None:
        self.stepper = (stepper if stepper is not None
                        else document.make_stepper(seek_seconds=SEEK_SECONDS))
        self.init_spec = document.init or InitSpec("normal", 0, {"std": 1.0})
        self.description = document.description  # the file's one line, written back on save
        self.path = path
        self.undo_stack.clear()

    def load(self, document: Document, path: Path | None = None,
             stepper: Stepper | None = None) -> None:
        """Replace the work (undo history included) by ``document``, its breakpoints with
        it; ``stepper``, when given, is that document already stepped (a lesson's step, its
        history kept)."""
        self.pause()
        self._install(document, path, stepper)
        self.breakpoints.replace(document.breakpoints)
        self.breakpoints_changed.emit()
        self.document_loaded.emit()
        self.structure_changed.emit()
        self.document_changed.emit()

    # ------------------------------------------------------------ breakpoints
    def add_breakpoint(self, breakpoint) -> None:
        """Add ``breakpoint`` to the list checked while running; ValueError (saying why)
        when the list is full."""
        self.breakpoints.add(breakpoint)
        self.breakpoints_changed.emit()

    def remove_breakpoints(self, items) -> None:
        for breakpoint in items:
            self.breakpoints.remove(breakpoint)
        self.breakpoints_changed.emit()

    def set_breakpoint_enabled(self, breakpoint, enabled: bool) -> None:
        self.breakpoints.set_enabled(breakpoint, enabled)
        self.breakpoints_changed.emit()

    def document(self) -> Document:
        """The work as a file holds it: the parameters, data and settings where the run
        stands, the optimiser's state and the iteration (the run goes on from there when the
        file is opened again), the breakpoints."""
        return Document.from_stepper(self.stepper, self.init_spec, self.breakpoints.items,
                                     self.description)

    def _forget_display_trace(self) -> None:
        self._display_trace = None
        self._display_backward = False
        self._symmetry = None

    def symmetry(self) -> list[list[list[int]]]:
        """Groups of interchangeable neurons per layer at the current parameters (cached)."""
        if self._symmetry is None:
            self._symmetry = symmetry_groups(self.stepper.network,
                                             frozen=self.stepper.config.frozen)
        return self._symmetry

    def display_trace(self, backward: bool = True) -> Trace:
        """What the views show: the current iteration's trace while it is in progress (layers
        not reached yet are None), else a pass at the current parameters — forward only
        unless ``backward`` (the graph's fills need activations; tooltips need gradients)."""
        s = self.stepper
        if s.phase > 0 and s.trace is not None and s.trace.batch is None:
            concealed = self.concealed()  # predict mode: what the phase asked computed, hidden
            return s.trace if concealed is None else concealed_trace(s.trace, concealed)
        if self._display_trace is None or (backward and not self._display_backward):
            # once a view has asked for the backward pass (the inspector, the matrices), the
            # next evaluations include it at once: a forward pass and then a whole pass again
            # cost 2.6 forward passes a step, where one whole pass costs 1.6
            whole = backward or self._backward_asked
            self._display_trace = s.evaluate(full=True, backward=whole)
            self._display_backward = whole
        self._backward_asked = self._backward_asked or backward
        return self._display_trace

    def frozen_addresses(self) -> frozenset[ParameterAddress]:
        """The frozen parameters (``training.frozen``) as addresses, parsed once per
        setting: the views ask at every redraw."""
        frozen = self.stepper.config.frozen
        if self._frozen_for != frozen:
            self._frozen_for = frozen
            self._frozen = frozenset(ParameterAddress.parse(name) for name in frozen)
        return self._frozen

    @property
    def network(self) -> Network:
        return self.stepper.network

    @property
    def running(self) -> bool:
        return self._run_timer.isActive()

    # ---------------------------------------------------------------- stepping
    def _guarded(self, action) -> bool:
        try:
            action()
        except NonFiniteError as error:
            self.pause()
            self.position_changed.emit()
            self.fault_raised.emit(str(error))
            return False
        except ValueError as error:
            self.message_posted.emit(str(error))
            return False
        except MemoryError:
            # the budget checked when the network was made is an estimate; the step that did
            # not fit left the state at a phase boundary, so the work goes on from there
            self.pause()
            self.position_changed.emit()
            self.message_posted.emit("Not enough memory for that step: paused. Use fewer "
                                     "observations or smaller layers, or close other programs")
            return False
        self.position_changed.emit()
        return True

    def step_phase(self, *, asked: bool = True) -> None:
        """The next phase; from a rewound position, replayed from the tape (nothing asked,
        nothing discarded). In predict mode, asked as a quiz (gui/predict_mode.py) unless
        not ``asked`` (a lesson setting up its step)."""
        if self.predicting and asked:
            self.step_predicted_phase()
            return
        self.pause()
        self._guarded(self.stepper.step_phase)

    def step_iteration(self) -> None:
        """The rest of the iteration; in predict mode one phase, asked as a quiz."""
        if self.predicting:
            self.step_predicted_phase()
            return
        self.pause()
        self._guarded(self.stepper.step_iteration)

    def step_back(self) -> None:
        self.pause()
        self._guarded(self.stepper.step_back)

    def restart(self) -> None:
        self.pause()
        self._guarded(self.stepper.restart)

    def seek(self, iteration: int) -> None:
        self.pause()
        self._guarded(lambda: self.stepper.seek(iteration))

    def run(self, iterations: int | None = None) -> None:
        """Run until paused, or ``iterations`` iterations, at the speed ``set_run_speed``
        chose (from a rewound position along the tape first: nothing asked, nothing
        discarded)."""
        if iterations is not None and iterations <= 0:
            return
        self._remaining = iterations
        if not self.running:
            self.breakpoints.start(self.stepper)
            self._start_pacing()
            self._run_timer.start()
            self.run_state_changed.emit(True)

    def run_now(self, iterations: int) -> bool:
        """Run ``iterations`` iterations at once, without breakpoints or asking (a lesson's
        step: the caller has asked). Returns whether they all ran."""
        self.pause()
        return iterations <= 0 or self._guarded(lambda: self.stepper.run(iterations))

    def pause(self) -> None:
        if self.running:
            self._run_timer.stop()
            self._remaining = None
            self.run_state_changed.emit(False)

    def toggle_run(self) -> None:
        if self.running:
            self.pause()
        else:
            self.run()

    def set_run_speed(self, per_second: int | None, phases: bool = False) -> None:
        """How runs go from now on (the one running too): ``per_second`` iterations a
        second, 1 … gui.pacing.MAX_PER_SECOND (None: full speed), and ``phases``: phase by
        phase, the graph tinting each layer in turn. A run setting, not an edit of the work:
        nothing to undo. ValueError for a speed out of range."""
        self.pace = Pace(per_second, phases)
        if self.running:
            self._start_pacing()

    @property
    def shows_each_step(self) -> bool:
        """Running slowly enough that every iteration (or phase) is to be seen: the
        scheduler draws each one as it comes, the plots too."""
        return self.running and self.pace.each_shown

    def _start_pacing(self) -> None:
        self.pace.start(time.perf_counter())
        self.chunk_sizing.restart()
        self._run_timer.setInterval(0)  # the first step at once, whatever the speed

    # ------------------------------------------------------------------ edits
    def post_message(self, text: str) -> None:
        """A short message for the status bar (a refusal, what an action did)."""
        self.message_posted.emit(text)

    def set_parameters(self, addresses: list[ParameterAddress], values: list[float],
                       text: str | None = None) -> bool:
        """Set each parameter to its value: one undoable edit. Returns whether it was made."""
        return self.push(SetParametersCommand(self, addresses, values, text))

    def set_theta(self, theta: np.ndarray, text: str) -> bool:
        """Replace every parameter (re-initialise, jog): one undoable edit."""
        return self.push(SetThetaCommand(self, theta, text))

    def set_config(self, config: TrainingConfig, text: str) -> bool:
        """Change the training settings: one undoable edit. Settings the engine refuses
        (a frozen name the network lacks, a loss its output layer cannot take) are posted as
        a message and nothing changes."""
        try:
            self.stepper.validate_config(config)
        except ValueError as error:
            self.post_message(f"Nothing changed: {error}")
            return False
        return self.push(ChangeSettingsCommand(self, config, text))

    def set_frozen(self, addresses: list[ParameterAddress], frozen: bool) -> bool:
        """Freeze the parameters at ``addresses`` (no update changes them; their gradient is
        still computed), or unfreeze them: one undoable settings edit ("Freeze w5",
        "Unfreeze 3 parameters"). Returns whether it was made (False when nothing would
        change, or the learner kept the later history)."""
        config = self.stepper.config
        names = {str(address) for address in addresses}
        kept = set(config.frozen)
        wanted = kept | names if frozen else kept - names
        if wanted == kept:
            return False
        verb = "Freeze" if frozen else "Unfreeze"
        if len(addresses) == 1:
            text = f"{verb} {short_parameter_name(self.network, addresses[0])}"
        else:
            text = f"{verb} {len(addresses)} parameters"
        return self.set_config(config.with_changes(frozen=tuple(wanted)), text)

    def set_init_spec(self, spec: InitSpec, text: str) -> bool:
        """Change the initialisation scheme (no parameter changes, so nothing discarded)."""
        return self.push(ChangeInitCommand(self, spec, text), discards_future=False)

    def reinitialise(self, spec: InitSpec, text: str) -> bool:
        """Draw every parameter from ``spec`` (and make it the scheme): one undoable edit.
        A draw the engine refuses (not finite) is posted as a message."""
        try:
            theta = initial_theta(self.network, spec)
        except ValueError as error:
            self.post_message(f"Nothing changed: {error}")
            return False
        if not self.may_discard_future():
            self.post_message("Nothing changed: the later history is kept")
            return False
        with self.discarding_agreed():
            self.undo_stack.beginMacro(text)
            if spec != self.init_spec:
                self.undo_stack.push(ChangeInitCommand(self, spec, text))
            self.undo_stack.push(SetThetaCommand(self, theta, text))
            self.undo_stack.endMacro()
        return True

    # ---------------------------------------------------------- applying edits
    def apply_values(self, addresses: list[ParameterAddress], values: list[float]):
        """Set the values where the run stands; returns the edit as the history holds it."""
        event = self.stepper.set_values(addresses, values)
        self.parameters_changed.emit()
        return event

    def apply_theta(self, theta: np.ndarray):
        event = self.stepper.set_theta(theta)
        self.parameters_changed.emit()
        return event

    def apply_config(self, config: TrainingConfig):
        event = self.stepper.set_config(config)
        self.settings_changed.emit()
        return event

    def apply_init_spec(self, spec: InitSpec) -> None:
        self.init_spec = spec
        self.settings_changed.emit()

    def replace_stepper(self, text: str, network: Network | None = None,
                        inputs: np.ndarray | None = None,
                        targets: np.ndarray | None = None,
                        frozen: tuple[str, ...] | None = None) -> bool:
        """An undoable edit of the network's structure or of the data: a new stepper from
        iteration 0 with the current parameters (or ``network``), the data (or ``inputs``,
        ``targets``) and the settings; undo gives back the old one, history and all. The
        frozen parameters are ``frozen`` when given (a structure edit's, carried over by
        ``restructure``), else those of the old ones the new network has under the same
        names (the data changed, or the network kept its first neurons). A refusal
        (ValueError: the data does not fit the network, …) is posted as a message.
        Returns whether the edit was made."""
        old = self.stepper
        new_network = network if network is not None else old.network.copy()
        if frozen is None:
            frozen = tuple(name for name in old.config.frozen
                           if _has_parameter(new_network, name))
        try:
            stepper = Stepper(new_network,
                              old.inputs if inputs is None else inputs,
                              old.targets if targets is None else targets,
                              old.config.with_changes(frozen=frozen),
                              seek_seconds=old.seek_seconds)
        except ValueError as error:
            self.message_posted.emit(str(error))
            return False
        return self.push(ChangeStructureCommand(self, stepper, text), discards_future=False)

    def restructure(self, plan: Plan, text: str) -> bool:
        """An undoable structure edit (engine.core.structure's plans: add or remove a neuron
        or a layer, biases on or off): the new network keeps the parameters whose neurons
        survive, the others drawn from the initialisation scheme, and the frozen parameters
        stay frozen where they went (renumbered; dropped with their parameter). A refusal
        is posted as a message. Returns whether the edit was made."""
        try:
            network = plan.build(self.network, self.init_spec)
        except ValueError as error:
            self.message_posted.emit(str(error))
            return False
        return self.replace_stepper(text, network=network,
                                    frozen=plan.frozen(self.stepper.config.frozen))

    def swap_in(self, stepper: Stepper, init_spec: InitSpec | None, text: str,
                after_redo=None, after_undo=None) -> None:
        """Another network, data, settings and history at once (a lesson's step), with its
        initialisation scheme: one undoable edit that discards nothing (undo gives back the
        old ones, history and all); see SwapInCommand for the callbacks."""
        self.undo_stack.push(SwapInCommand(self, stepper, init_spec, text, after_redo,
                                           after_undo))

    def apply_stepper(self, stepper: Stepper) -> None:
        """Swap in another network (a structure edit or its undo), history and all."""
        self.pause()
        self.stepper = stepper
        self.structure_changed.emit()


def _has_parameter(network: Network, name: str) -> bool:
    try:
        network.check_address(ParameterAddress.parse(name))
    except ValueError:
        return False
    return True
