"""Guided lessons: the seeds' questions answered step by step on the live network.

A lesson is a file (resources/lessons/*.json; docs/lesson-format.md): a few steps, each with
a short text, the actions that set it up (load a network, step phases, run to an iteration,
nudge a weight, tie weights, re-initialise with a seed, remember a run) and the claims it
makes, as checks that anyone can run on a Stepper. The window (gui/parts/lesson_panel.py)
applies the actions through its undoable commands and shows each check live, so a learner
who deviates (edits, steps, runs) sees at once whether the step's claim still holds; here the
same actions run on a bare Stepper (``build``), which is how Back sets a step up afresh, how
``python -m engine.lessons check FILE`` walks a lesson and how the tests walk every lesson
without Qt.

The modules: lessonfile (reading a lesson file), markup (its Markdown), documents (the network
files lessons load), actions (what steps do, on a Lab), checks (the claims, as checks),
content (Lesson, Step, Exercise), runner (``build``, ``check``, ``walk``).

``LESSONS`` (the lessons of resources/lessons, in file-name order) is read when first asked
for, not at import: the window's start-up imports this package.
"""

from __future__ import annotations

from .actions import (
    EngineLab,
    Lab,
    Load,
    Nudge,
    Reinitialise,
    Remember,
    Remembered,
    RunTo,
    StepPhases,
    Tie,
    initial_parameters,
)
from .checks import (
    EQUAL_RTOL,
    Check,
    Verdict,
    all_parameters,
    classified,
    columns_differ,
    different_run_from,
    distinct_hidden,
    distinct_outputs,
    equal_pairs,
    identical,
    initial_weights_drawn,
    loss_at_least,
    loss_below,
    one_distinct_throughout,
    one_neuron_equivalent,
    output_near,
    outputs_near_target_means,
    outputs_near_targets,
    parted,
    same_run_as,
    shown_trace,
    weights_differ,
)
from .content import (
    TOPICS,
    Exercise,
    Lesson,
    Step,
)
from .documents import (
    EXAMPLES,
    NetworkFile,
    find_network,
)
from .lessonfile import (
    FORMAT,
    LESSONS_FOLDER,
    lesson_files,
    lesson_key,
    load_lesson,
    loads_lesson,
    read_lesson,
)
from .runner import (
    build,
    check,
    structure_of,
    walk,
)

__all__ = [
    "FORMAT",
    "LESSONS",
    "LESSONS_FOLDER",
    "TOPICS",
    "Exercise",
    "NetworkFile",
    "find_network",
    "lesson",
    "lesson_files",
    "lesson_key",
    "load_lesson",
    "loads_lesson",
    "loss_at_least",
    "output_near",
    "read_lesson",
    "walk",
    "Check",
    "EQUAL_RTOL",
    "EXAMPLES",
    "EngineLab",
    "Lab",
    "Lesson",
    "Load",
    "Nudge",
    "Reinitialise",
    "Remember",
    "Remembered",
    "RunTo",
    "Step",
    "StepPhases",
    "Tie",
    "Verdict",
    "all_parameters",
    "build",
    "check",
    "classified",
    "columns_differ",
    "different_run_from",
    "distinct_hidden",
    "distinct_outputs",
    "equal_pairs",
    "identical",
    "initial_parameters",
    "initial_weights_drawn",
    "loss_below",
    "one_distinct_throughout",
    "one_neuron_equivalent",
    "outputs_near_target_means",
    "outputs_near_targets",
    "parted",
    "same_run_as",
    "shown_trace",
    "structure_of",
    "weights_differ",
]


_lessons: tuple[Lesson, ...] | None = None
_broken: tuple[tuple[str, str], ...] = ()


def _read_all() -> None:
    """Every lesson file of resources/lessons; a file that cannot be read is left out and
    kept in ``BROKEN_LESSONS`` (its name and why), so that one broken file a teacher drops
    there does not stop the window, whose Lessons menu names it."""
    global _lessons, _broken
    read, broken = [], []
    for path in lesson_files():
        try:
            read.append(load_lesson(path))
        except (OSError, ValueError) as error:
            broken.append((path.name, str(error)))
    _lessons, _broken = tuple(read), tuple(broken)


def __getattr__(name: str):
    """``LESSONS`` and ``BROKEN_LESSONS``, read from resources/lessons the first time one
    is asked for."""
    if name in ("LESSONS", "BROKEN_LESSONS"):
        if _lessons is None:
            _read_all()
        return _lessons if name == "LESSONS" else _broken
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def lesson(key: str) -> Lesson:
    """One of ``LESSONS`` by its key ("all-equal")."""
    for candidate in __getattr__("LESSONS"):
        if candidate.key == key:
            return candidate
    known = ", ".join(candidate.key for candidate in __getattr__("LESSONS"))
    raise ValueError(f"unknown lesson {key!r} (known: {known})")
