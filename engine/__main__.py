"""Headless Backprop Lab: ``python -m engine FILE [--weights PATH] [--steps N] [--json]
[--trace]``.

Loads FILE (a Backprop Lab file, or a .onnx or .pt model: engine/io/weights.py), replaces its
weights and biases by those of PATH (.npz, .pt or .onnx) when given, runs N full iterations
(N parameter updates; default 0) and prints the network state at the parameters reached:
loss, outputs, weights, biases, symmetry groups, and with --trace every intermediate of one
more forward + backward pass (no update). --json prints one JSON object
(engine.report.network_state); otherwise tables in seed 000's style.

Exit status 0 on success, 2 on any error with one line on stderr (no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

MAX_STEPS = 1_000_000
EXIT_ERROR = 2


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, like every other error."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _step_count(text: str) -> int:
    from .io.numbers import read_whole_number  # ASCII digits only: not "1_0", not "１"

    try:
        steps = read_whole_number(text, "steps")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= steps <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_STEPS}, got {steps}")
    return steps


def make_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="python -m engine",
        description="Run a Backprop Lab file without the GUI and print the network state.",
    )
    parser.add_argument("file", help="a Backprop Lab JSON file (backprop-lab/1 or /2), or a "
                        ".onnx or .pt model (its network on one placeholder observation)")
    parser.add_argument("--weights", metavar="PATH",
                        help="replace the weights and biases by those of PATH: a NumPy .npz "
                        "(W0, b0, W1, b1, …), a PyTorch state_dict (.pt) or an ONNX model")
    parser.add_argument("--steps", type=_step_count, default=0, metavar="N",
                        help=f"full iterations to run first (0 to {MAX_STEPS}; default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--trace", action="store_true",
                        help="add every intermediate of the forward and backward pass")
    return parser


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename is not None else ""
        text = f"{where}{error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def run(args: argparse.Namespace) -> str:
    from .core.limits import check_trace_memory
    from .io.fileformat import load
    from .io.report import network_state
    from .io.tables import state_text
    from .io.weights import MODEL_SUFFIXES, WeightsError, import_weights, model_document

    try:
        if str(args.file).lower().endswith(MODEL_SUFFIXES):
            document, _ = model_document(args.file)
        else:
            document = load(args.file)
    except WeightsError as error:
        raise WeightsError(f"{args.file}: {error}") from None
    if args.weights is not None:
        try:
            theta, _ = import_weights(args.weights, document.network)
        except WeightsError as error:  # the file's name, then the array and both shapes
            raise WeightsError(f"{args.weights}: {error}") from None
        document.network.theta[...] = theta
    if args.trace:
        check_trace_memory(document.network.sizes, len(document.inputs))
    # Snapshots at a wide stride: a headless run never rewinds.
    stepper = document.make_stepper(parameter_stride=1024, checkpoint_stride=4096)
    stepper.run(args.steps)
    state = network_state(stepper, trace=args.trace)
    if args.json:
        return json.dumps(state, allow_nan=False)
    return state_text(state, stepper.network.activation_names, stepper.config.loss).rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        text = run(args)
    except KeyboardInterrupt:
        print("python -m engine: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:  # the budget is an estimate: say so plainly if it was too generous
        print("python -m engine: error: not enough memory for this network and data (see "
              "$BACKPROP_LAB_MEMORY_BUDGET in docs/file-format.md)", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # every failure is reported the same way: one line
        kind = "" if isinstance(error, (OSError, ValueError, ArithmeticError)) else (
            f"internal error ({type(error).__name__}): ")
        print(f"python -m engine: error: {kind}{_one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
