"""``python -m engine.lessons check FILE``: read a lesson file and walk it headless.

For a teacher writing a lesson: the file is checked field by field (a broken one gets one
line naming the field, exit status 2), then every step's actions run on a bare Stepper, as
a learner pressing Next would have them, and each claim is checked there: ✓ or ✗ with the
numbers behind it. Exit status 0 when every claim holds, 1 when one does not.
"""

from __future__ import annotations

import argparse
import sys

from ..io.jsonfields import FileFormatError
from .lessonfile import load_lesson
from .runner import walk

DESCRIPTION = """\
Check a lesson file (docs/lesson-format.md): read it, then walk it step by step without a
window, printing each step's title and each claim with ✓ (it holds) or ✗ (it does not) and
the numbers behind it. Exit status: 0 when every claim holds, 1 when a claim does not, 2 when
the file is broken (one line says which field)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.lessons", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="check")
    check = commands.add_parser("check", help="validate a lesson file and walk its steps",
                                description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("file", metavar="FILE", help="a lesson file (.json)")
    arguments = parser.parse_args(argv)
    try:
        lesson = load_lesson(arguments.file)
    except FileFormatError as error:
        print(f"{arguments.file}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{arguments.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"{lesson.title} ({len(lesson.steps)} steps)")
    failed, done = 0, 0
    try:
        for index, step, results in walk(lesson):
            done = index + 1
            print(f"{done}. {step.title}")
            for claim, verdict in results:
                failed += not verdict.holds
                print(f"   {'✓' if verdict.holds else '✗'} {claim.text}: {verdict.detail}")
    except (ArithmeticError, ValueError) as error:  # a step's action failed on its network
        print(f"{arguments.file}: step {done + 1}: {error}", file=sys.stderr)
        return 2
    if failed:
        print("1 claim does not hold." if failed == 1 else f"{failed} claims do not hold.")
        return 1
    print("Every claim holds.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
