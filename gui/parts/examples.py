"""File ▸ Examples: every example network of resources/examples/, sorted by name, each with the
one line its file's ``description`` gives (docs/file-format.md).

The list is read when the menu is about to show, not when the window is built: the window's
start-up reads no example, and a file added or changed is seen the next time the menu opens.
Reading the ten or so small example files whole takes a few milliseconds; reading them whole
(not just their descriptions) is what finds a broken one, which is listed disabled with what
is wrong as its tooltip, so that the menu never offers a file that Open would refuse.
Choosing an example opens it as File ▸ Open does (``FileManager.open_file``: the question
about unsaved work first; an example is a template that Save does not overwrite).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from engine.io import fileformat

from ..notation import describe_error

MENU_TEXT_LIMIT = 110  # characters of "name — description" in the menu; the tooltip has all


@dataclass(frozen=True)
class Example:
    """An example file: its description, or why it cannot be opened."""

    path: Path
    description: str | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return self.path.stem


def read_examples(folder: Path) -> list[Example]:
    """Every ``*.json`` of ``folder`` by name, read as Open reads it (a missing folder: none)."""
    found = []
    for path in sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else []:
        try:
            document = fileformat.load(path)
        except (OSError, ValueError, MemoryError) as error:
            found.append(Example(path, error=describe_error(error)))
        else:
            found.append(Example(path, document.description))
    return found


def _menu_text(example: Example) -> str:
    text = example.name if not example.description else (
        f"{example.name} — {example.description}")
    if len(text) > MENU_TEXT_LIMIT:
        text = text[:MENU_TEXT_LIMIT - 1].rstrip() + "…"
    return text.replace("&", "&&")  # a literal &, not a mnemonic


class ExamplesMenu(QObject):
    """The File ▸ Examples submenu: filled from ``folder`` each time it is about to show;
    ``open_file(path)`` opens the example chosen (asking about unsaved work)."""

    def __init__(self, menu: QMenu, folder: Path, open_file: Callable[[Path], bool]) -> None:
        super().__init__(menu)
        self.menu = menu
        self.folder = Path(folder)
        self.open_file = open_file
        menu.setObjectName("menu_examples")
        menu.setToolTipsVisible(True)
        menu.aboutToShow.connect(self.fill)

    def fill(self) -> list[Example]:
        """List the examples afresh; returns them."""
        menu = self.menu
        menu.clear()
        examples = read_examples(self.folder)
        for example in examples:
            action = menu.addAction(_menu_text(example))
            action.setObjectName("action_example")
            action.setData(str(example.path))
            if example.error is not None:
                action.setText(f"{example.name} (cannot be opened)".replace("&", "&&"))
                action.setEnabled(False)
                action.setToolTip(example.error)
                action.setStatusTip(f"{example.path.name}: {example.error}")
                continue
            tip = example.description or "(no description in the file)"
            action.setToolTip(f"{example.path.name}: {tip}")
            action.setStatusTip(f"{example.path.name}: {tip}")
            action.triggered.connect(lambda _=False, p=example.path: self.open_file(p))
        if not examples:
            empty = menu.addAction("(no examples found)")
            empty.setEnabled(False)
        return examples
