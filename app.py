"""Backprop Lab: start the window (or, with --screenshot, render it to a PNG and exit).

    python app.py [FILE] [--screenshot OUT.png] [--steps N]

Qt is imported inside main() only, so `import app` stays cheap and the engine stays Qt-free.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "resources" / "examples" / "seed-000.json"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="backprop-lab", description="Step through backpropagation like a debugger."
    )
    parser.add_argument("file", nargs="?", type=Path, default=None,
                        help="a backprop-lab/1 JSON file (default: seed 000's network)")
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png",
                        help="render the window offscreen to OUT.png and exit")
    parser.add_argument("--steps", type=int, default=0, metavar="N",
                        help="with --screenshot: iterations to run first (default 0)")
    arguments = parser.parse_args(argv)
    if arguments.steps < 0:
        parser.error("--steps must be 0 or more")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    path = arguments.file or DEFAULT_FILE
    try:
        from gui.main_window import run_app
    except ImportError:
        # Until the window exists: print the network's tables in the seed's style.
        from engine.__main__ import main as engine_main

        return engine_main([str(path), "--steps", str(arguments.steps)])
    return run_app(path, screenshot=arguments.screenshot, steps=arguments.steps)


if __name__ == "__main__":
    sys.exit(main())
