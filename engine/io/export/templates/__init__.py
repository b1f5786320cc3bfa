"""The exported scripts' functions as real Python files, read as text: the exporters copy each
function by name, word for word (``function_source``). The modules are linted and importable
like any other; the names they use from the script (its settings and tables) are defined at
their top as stand-ins."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def _functions(module: str) -> dict[str, str]:
    """Every top-level function of ``module`` (a file here) by name, as its source lines."""
    text = (_HERE / f"{module}.py").read_text(encoding="utf-8")
    lines = text.splitlines()
    return {node.name: "\n".join(lines[node.lineno - 1:node.end_lineno])
            for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}


def function_source(module: str, name: str, as_name: str | None = None) -> str:
    """The source of function ``name`` of template ``module``, renamed ``as_name`` (the name
    the script calls it by) when given."""
    source = _functions(module)[name]
    if as_name is not None:
        source = source.replace(f"def {name}(", f"def {as_name}(", 1)
    return source
