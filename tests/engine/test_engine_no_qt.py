"""The engine is numpy only: importing any of it must not bring Qt or pyqtgraph along
(after napari's test that its model imports no Qt)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from paths import REPO

ROOT = REPO
ENGINE = ROOT / "engine"
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "PyQt")

PROBE = r"""
import contextlib, importlib, io, json, sys
from pathlib import Path
root = Path(sys.argv[1])
forbidden = tuple(sys.argv[2:])
sys.path.insert(0, str(root))
imported = []
for path in sorted((root / "engine").rglob("*.py")):
    parts = path.relative_to(root).with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    if name == "engine.__main__":
        # a __main__ may run its command line on import: ask it for --help, quietly
        sys.argv = ["python -m engine", "--help"]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            importlib.import_module(name)
    else:
        importlib.import_module(name)
    imported.append(name)
qt = sorted(m for m in sys.modules if m.startswith(forbidden))
print(json.dumps({"imported": imported, "qt": qt}))
"""


def test_importing_every_engine_module_loads_no_qt():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), *FORBIDDEN],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    expected = set()
    for path in ENGINE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        expected.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert set(report["imported"]) == expected
    # the modules this test was written for are among them, in their packages
    assert {"engine.core.stepper", "engine.core.backprop", "engine.analysis.gradcheck",
            "engine.analysis.chain_rule", "engine.analysis.symmetry", "engine.core.history",
            "engine.io.fileformat", "engine.lessons"} <= expected
    assert report["qt"] == []


def test_the_probe_would_notice_qt():
    """The same probe, with a module that does import a forbidden name, reports it."""
    result = subprocess.run(
        [sys.executable, "-c",
         "import sys, types; sys.modules['PySide6'] = types.ModuleType('PySide6');"
         f"print(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r})))"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "PySide6" in result.stdout


def qt_imports(source: str) -> list[str]:
    """Every import of a forbidden module in a Python source, including nested ones and
    importlib.import_module / __import__ calls with a literal name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                names = [str(first.value)]
        found += [name for name in names if name.split(".")[0].startswith(FORBIDDEN)]
    return found


def test_engine_sources_import_no_qt():
    sources = sorted(ENGINE.rglob("*.py"))
    assert len(sources) >= 10
    offenders = {str(p.relative_to(ENGINE)): qt_imports(p.read_text(encoding="utf-8"))
                 for p in sources}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_static_check_would_notice_qt():
    sample = (
        "import numpy\n"
        "def view():\n"
        "    from PySide6.QtWidgets import QWidget\n"
        "    import pyqtgraph as pg\n"
        "    importlib.import_module('shiboken6')\n"
        "from PyQt5 import QtCore\n"
    )
    assert sorted(qt_imports(sample)) == ["PyQt5", "PySide6.QtWidgets", "pyqtgraph", "shiboken6"]
    assert qt_imports("import numpy as np\nfrom .network import Network\n") == []
