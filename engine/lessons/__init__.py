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

from typing import TYPE_CHECKING

from .catalogue import (
    FORMAT,
    LESSONS_FOLDER,
    LessonHeader,
    lesson_files,
    lesson_key,
    read_header,
)

if TYPE_CHECKING:
    from .content import Lesson

# every other name is imported from its module when first asked for (``__getattr__``): the
# window's start-up lists the lessons (the catalogue) and reads one only when it starts
_LAZY = {
    "Check": "checks",
    "EQUAL_RTOL": "checks",
    "EXAMPLES": "documents",
    "EngineLab": "actions",
    "Exercise": "content",
    "Lab": "actions",
    "Lesson": "content",
    "Load": "actions",
    "NetworkFile": "documents",
    "Nudge": "actions",
    "Reinitialise": "actions",
    "Remember": "actions",
    "Remembered": "actions",
    "RunTo": "actions",
    "Step": "content",
    "StepPhases": "actions",
    "TOPICS": "content",
    "Tie": "actions",
    "Verdict": "checks",
    "all_parameters": "checks",
    "build": "runner",
    "check": "runner",
    "classified": "checks",
    "columns_differ": "checks",
    "different_run_from": "checks",
    "distinct_hidden": "checks",
    "distinct_outputs": "checks",
    "equal_pairs": "checks",
    "find_network": "documents",
    "identical": "checks",
    "initial_parameters": "actions",
    "initial_weights_drawn": "checks",
    "load_lesson": "lessonfile",
    "loads_lesson": "lessonfile",
    "loss_at_least": "checks",
    "loss_below": "checks",
    "one_distinct_throughout": "checks",
    "one_neuron_equivalent": "checks",
    "output_near": "checks",
    "outputs_near_target_means": "checks",
    "outputs_near_targets": "checks",
    "parted": "checks",
    "read_lesson": "lessonfile",
    "same_run_as": "checks",
    "shown_trace": "checks",
    "structure_of": "runner",
    "walk": "runner",
    "weights_differ": "checks",
}

__all__ = [
    "FORMAT",
    "LESSONS",
    "LessonHeader",
    "forget_read_lessons",
    "read_header",
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
_headers: tuple[LessonHeader, ...] | None = None
_broken: dict[str, str] = {}  # file name: why it cannot be read
_loaded: dict[str, Lesson] = {}  # lessons read whole so far, by key


def _read_headers() -> None:
    """The title and summary of every lesson file of resources/lessons (what the Lessons
    menu and the welcome need, without loading every lesson's networks); a file that cannot
    be read is left out and kept in ``BROKEN_LESSONS`` (its name and why), so that one
    broken file a teacher drops there does not stop the window, whose menu names it."""
    global _headers
    headers = []
    for path in lesson_files():
        try:
            headers.append(read_header(path))
        except (OSError, ValueError) as error:
            _broken[path.name] = str(error)
    _headers = tuple(headers)


def _read_all() -> None:
    """Every lesson of resources/lessons read whole (those that cannot be are named in
    ``BROKEN_LESSONS``)."""
    global _lessons
    read = []
    for header in __getattr__("HEADERS"):
        try:
            read.append(_load(header))
        except (OSError, ValueError) as error:
            _broken[header.path.name] = str(error)
    _lessons = tuple(read)


def _load(header: LessonHeader) -> Lesson:
    if header.key not in _loaded:
        _loaded[header.key] = __getattr__("load_lesson")(header.path)
    return _loaded[header.key]


def __getattr__(name: str):
    """``LESSONS`` (every lesson, read whole), ``HEADERS`` (their titles and summaries) and
    ``BROKEN_LESSONS`` ((file name, why) of those that cannot be read), read from
    resources/lessons the first time each is asked for."""
    if name == "HEADERS":
        if _headers is None:
            _read_headers()
        return _headers
    if name == "LESSONS":
        if _lessons is None:
            _read_all()
        return _lessons
    if name == "BROKEN_LESSONS":
        __getattr__("HEADERS")
        return tuple(_broken.items())
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value  # asked once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def forget_read_lessons() -> None:
    """Read resources/lessons afresh when next asked (a test that changes the folder)."""
    global _lessons, _headers
    _lessons, _headers = None, None
    _broken.clear()
    _loaded.clear()


def lesson(key: str) -> Lesson:
    """One of resources/lessons by its key ("all-equal"), read whole the first time
    (FileFormatError naming the field when it cannot be)."""
    for header in __getattr__("HEADERS"):
        if header.key == key:
            return _load(header)
    known = ", ".join(header.key for header in __getattr__("HEADERS"))
    raise ValueError(f"unknown lesson {key!r} (known: {known})")
