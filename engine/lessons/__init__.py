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
    LessonHeader,
    lesson_files,
    lesson_key,
    load_lesson,
    loads_lesson,
    read_header,
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
        _loaded[header.key] = load_lesson(header.path)
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
