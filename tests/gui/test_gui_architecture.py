"""One wiring for the window (issue 13): only the controller builds undo commands, pushes
them and emits its signals; views and window parts call its methods. Checked on the sources,
as the no-Qt rule of the engine is (tests/engine/test_engine_no_qt.py)."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "gui"
# the controller (its undo, redo and discard question in undo_history.py, a mixin, to keep
# each module under 400 lines) and the commands it builds
OWNERS = {"controller.py", "undo_history.py", "commands.py"}


def calls(source: str) -> list[str]:
    """Dotted names of every call in ``source`` (``self.controller.undo_stack.push``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            parts, target = [], node.func
            while isinstance(target, ast.Attribute):
                parts.append(target.attr)
                target = target.value
            if isinstance(target, ast.Name):
                parts.append(target.id)
            found.append(".".join(reversed(parts)))
    return found


def test_only_the_controller_builds_and_pushes_edits_and_emits_its_signals():
    offenders = {}
    for path in sorted(GUI.rglob("*.py")):
        if path.name in OWNERS:
            continue
        bad = [name for name in calls(path.read_text(encoding="utf-8"))
               if name.endswith(("undo_stack.push", "undo_stack.beginMacro",
                                 "undo_stack.endMacro", "message_posted.emit",
                                 "breakpoints_changed.emit", "breakpoints.add",
                                 "breakpoints.remove", "breakpoints.set_enabled",
                                 "breakpoints.replace"))
               or name.split(".")[-1].endswith("Command")]
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_the_check_would_notice_a_view_pushing_a_command():
    sample = ("def edit(self):\n"
              "    self.controller.undo_stack.push(SetThetaCommand(self.controller, t, 'x'))\n"
              "    self.controller.message_posted.emit('done')\n"
              "    self.breakpoints.add(b)\n")
    assert sorted(calls(sample)) == ["SetThetaCommand", "self.breakpoints.add",
                                     "self.controller.message_posted.emit",
                                     "self.controller.undo_stack.push"]


# ----------------------------------------------------------- one refresh scheme
CHANGE_SIGNALS = {"position_changed", "parameters_changed", "structure_changed",
                  "settings_changed", "document_loaded", "document_changed",
                  "run_state_changed", "breakpoints_changed"}
SCHEDULER = "scheduler.py"  # the one module that turns the controller's changes into redraws
# controller signals other modules may follow, for what is not a redraw
NOT_REFRESHING = {("lesson_panel.py", "document_loaded", "self._other_work_loaded")}
# the timers of the window: the scheduler's frames, the run's chunks, the autosave and the
# gradient check's slices; no view has a refresh timer of its own
TIMER_OWNERS = {SCHEDULER, "controller.py", "files.py", "gradcheck_view.py"}


def signal_connections(source: str) -> set[tuple[str, str]]:
    """(signal, connected callable as written) of every ``….<signal>.connect(target)`` whose
    signal is one of the controller's changes."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect" and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in CHANGE_SIGNALS):
            target = ast.unparse(node.args[0]) if node.args else ""
            found.add((node.func.value.attr, target))
    return found


def test_only_the_scheduler_follows_the_controllers_changes_to_redraw():
    connections = set()
    for path in sorted(GUI.rglob("*.py")):
        if path.name in OWNERS | {SCHEDULER}:
            continue
        connections |= {(path.name, signal, target) for signal, target
                        in signal_connections(path.read_text(encoding="utf-8"))}
    assert connections == NOT_REFRESHING


def test_only_the_windows_own_timers_are_made():
    makers = {path.name for path in GUI.rglob("*.py")
              if "QTimer" in calls(path.read_text(encoding="utf-8"))}
    assert makers == TIMER_OWNERS


def test_the_check_would_notice_a_view_following_the_controller_itself():
    sample = ("class View:\n"
              "    def __init__(self, controller):\n"
              "        controller.position_changed.connect(self.refresh)\n"
              "        self.controller.run_state_changed.connect(lambda r: self.redraw())\n"
              "        controller.fault_raised.connect(self.say)\n")
    assert signal_connections(sample) == {("position_changed", "self.refresh"),
                                          ("run_state_changed", "lambda r: self.redraw()")}
