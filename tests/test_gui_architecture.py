"""One wiring for the window (issue 13): only the controller builds undo commands, pushes
them and emits its signals; views and window parts call its methods. Checked on the sources,
as the no-Qt rule of the engine is (tests/test_engine_no_qt.py)."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[1] / "gui"
OWNERS = {"controller.py", "commands.py"}  # the controller and the commands it builds


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
    for path in sorted(GUI.glob("*.py")):
        if path.name in OWNERS:
            continue
        bad = [name for name in calls(path.read_text(encoding="utf-8"))
               if name.endswith(("undo_stack.push", "undo_stack.beginMacro",
                                 "undo_stack.endMacro", "message_posted.emit"))
               or name.split(".")[-1].endswith("Command")]
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_the_check_would_notice_a_view_pushing_a_command():
    sample = ("def edit(self):\n"
              "    self.controller.undo_stack.push(SetThetaCommand(self.controller, t, 'x'))\n"
              "    self.controller.message_posted.emit('done')\n")
    assert sorted(calls(sample)) == ["SetThetaCommand", "self.controller.message_posted.emit",
                                     "self.controller.undo_stack.push"]
