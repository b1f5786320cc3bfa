"""Backprop Lab: start the window (or, with --screenshot, render it to a PNG and exit).

    python app.py [FILE] [--screenshot OUT.png] [--steps N]
    python app.py --lesson KEY|FILE [--lesson-step K] [--screenshot OUT.png]

Qt is imported inside main() only, so `import app` stays cheap and the engine stays Qt-free.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# numpy's BLAS in one thread unless the user chose: for networks of this size one thread is
# faster, and a second one waiting for a busy processor stalls a step, and the window with it,
# for up to 100 ms (bench/run_speed.py); set before numpy is first imported
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

DEFAULT_FILE = Path(__file__).resolve().parent / "resources" / "examples" / "seed-000.json"


def _lesson_keys() -> list[str]:
    """The keys of the lessons in resources/lessons, from their file names (nothing read)."""
    from engine.lessons import lesson_files, lesson_key

    return [lesson_key(path) for path in lesson_files()]


def _read_lesson(parser: argparse.ArgumentParser, name: str):
    """--lesson's lesson: one of resources/lessons by its key, else a lesson file."""
    from engine import lessons
    from engine.io.jsonfields import FileFormatError

    if name in _lesson_keys():
        return lessons.lesson(name)
    path = Path(name)
    if not path.exists():
        parser.error(f"--lesson: unknown lesson {name!r} (known: "
                     f"{', '.join(_lesson_keys())}; or give a lesson file)")
    try:
        return lessons.load_lesson(path)
    except FileFormatError as error:
        parser.error(f"--lesson {name}: {error}")
    except OSError as error:
        parser.error(f"--lesson {name}: {error.strerror or error}")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="backprop-lab", description="Step through backpropagation like a debugger."
    )
    parser.add_argument("file", nargs="?", type=Path, default=None,
                        help="a Backprop Lab JSON file (default: seed 000's network)")
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png",
                        help="render the window offscreen to OUT.png and exit")
    parser.add_argument("--steps", type=int, default=0, metavar="N",
                        help="with --screenshot: iterations to run first (default 0)")
    parser.add_argument("--lesson", metavar="KEY|FILE",
                        help="open a guided lesson (instead of FILE): the key of one in "
                             "resources/lessons (" + ", ".join(_lesson_keys()) + ") or a "
                             "lesson file (docs/lesson-format.md)")
    parser.add_argument("--lesson-step", type=int, default=1, metavar="K",
                        help="with --lesson: the step to open (default 1)")
    arguments = parser.parse_args(argv)
    if arguments.steps < 0:
        parser.error("--steps must be 0 or more")
    if arguments.lesson is not None:
        arguments.lesson = _read_lesson(parser, arguments.lesson)
        count = len(arguments.lesson.steps)
        if not 1 <= arguments.lesson_step <= count:
            parser.error(f"--lesson-step: {arguments.lesson.key} has steps 1 to {count}")
        if arguments.file is not None or arguments.steps:
            parser.error("--lesson opens its own network: give no FILE and no --steps")
    elif arguments.lesson_step != 1:
        parser.error("--lesson-step needs --lesson")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    path = arguments.file or DEFAULT_FILE
    try:
        from gui.main_window import run_app
    except ImportError as error:  # PySide6 or pyqtgraph missing: say so, not something else
        print(f"backprop-lab: the window cannot start: {error}. Install the app with "
              "`pip install -e .` (the tables alone: `python -m engine FILE`).",
              file=sys.stderr)
        return 2
    lesson = None if arguments.lesson is None else (arguments.lesson, arguments.lesson_step - 1)
    return run_app(path, screenshot=arguments.screenshot, steps=arguments.steps, lesson=lesson)


if __name__ == "__main__":
    sys.exit(main())
