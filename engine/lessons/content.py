"""What a lesson is, once read from its file (engine/lessons/lessonfile.py): its steps, each
with its text, actions, claims, what to select and which topics it shows (the window maps a
topic to the panel that shows it). The lessons themselves are files in resources/lessons."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .checks import Check

# what a step may be about, for the window to bring forward the panels that show it:
# "selection" (the selected neuron or weight and its chain rule), "matrices", "loss",
# "weights", "symmetry", "decision boundary", "initialisation"
TOPICS = ("selection", "matrices", "loss", "weights", "symmetry", "decision boundary",
          "initialisation")


@dataclass(frozen=True)
class Exercise:
    """A prediction the learner makes before the engine shows it: the ``quantity`` (a key as
    engine/analysis/compare.py names them: "a^1", "n^2", "delta^3", "dC/dW^1", "loss") that
    ``phase`` ("forward layer 1", "loss", "backward layer 2", "update") computes."""

    phase: str
    quantity: str


@dataclass(frozen=True)
class Step:
    title: str
    text: str  # simple HTML (from the file's Markdown: engine/lessons/markup.py)
    actions: tuple = ()
    checks: tuple[Check, ...] = ()
    select: tuple = ()  # ParameterAddress or (layer, neuron) to select in the graph
    show: tuple[str, ...] = ()  # topics (TOPICS)
    reference: str | None = None  # a remembered run for the loss plot to show beside
    matrix: str | None = None  # the Matrices block to scroll to: text in its title
    predict: tuple[Exercise, ...] = ()  # for the window's predict mode


@dataclass(frozen=True)
class Lesson:
    key: str  # the file's name without its number and .json: "01-all-equal.json" → "all-equal"
    title: str
    summary: str
    steps: tuple[Step, ...]
    path: Path | None = None  # the file it was read from
