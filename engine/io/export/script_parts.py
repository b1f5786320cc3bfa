"""What the NumPy and the PyTorch scripts share: the check that the engine could train the
document, the network, data and settings as exact literals, the docstring, the mini-batches
and the command line."""

from __future__ import annotations

import math
import numbers
from string import Template

import numpy as np

from ...core.losses import get_loss
from ...core.network import ParameterAddress
from ...core.precision import check_fits, shortest_floats
from ...core.validation import validate_data, validate_training
from ..fileformat import Document, optimizer_state_json, render_json


def check(document: Document, iterations) -> None:
    """Refuse what the engine would refuse, naming the field."""
    if (isinstance(iterations, bool) or not isinstance(iterations, numbers.Integral)
            or iterations < 0):
        raise ValueError(f"iterations: expected a whole number ≥ 0, got {iterations!r}")
    network = document.network
    validate_data(network, np.asarray(document.inputs, dtype=float),
                  np.asarray(document.targets, dtype=float))
    validate_training(network, document.training)
    for address, value in zip(network.addresses(), network.theta, strict=True):
        if not math.isfinite(value):
            raise ValueError(f"network: {address} is {float(value)!r}, not a finite number")
    if float32(document):  # the engine refuses a number float32 cannot hold, and so do we
        dtype = document.training.numpy_dtype
        for l, weights in enumerate(network.weights):
            check_fits(dtype, weights, f"network.weights[{l}]")
        for l, biases in enumerate(network.biases if network.bias else []):
            check_fits(dtype, biases, f"network.biases[{l}]")
        check_fits(dtype, np.asarray(document.inputs, dtype=float), "data.inputs")
        check_fits(dtype, np.asarray(document.targets, dtype=float), "data.targets")


def float32(document: Document) -> bool:
    """Whether the document's run computes in float32 (``training.dtype``), as PyTorch by
    default; the scripts then do too."""
    return document.training.dtype == "float32"


def _rows_literal(rows, indent: str) -> str:
    """A list of rows, one per line, floats as exact reprs (a float32 array's as the shortest
    text of each float32, which reads back as the same float32: ``shortest_floats``)."""
    inner = indent + "    "
    return ("[\n" + "".join(f"{inner}{row!r},\n" for row in shortest_floats(rows))
            + f"{indent}]")


def _matrices_literal(matrices) -> str:
    return "[\n" + "".join(f"    {_rows_literal(m, '    ')},\n" for m in matrices) + "]"


def _vectors_literal(vectors) -> str:
    return "[\n" + "".join(f"    {shortest_floats(v)!r},\n" for v in vectors) + "]"


def data_section(document: Document) -> str:
    network = document.network
    lines = [
        f"LAYERS = {list(network.sizes)!r}  # neurons per layer; layer 0 is the inputs",
        f"ACTIVATIONS = {list(network.activation_names)!r}  # f_l of layers 1 … L",
        "",
        "# WEIGHTS[l][i][j] = w^l_{i,j}: from neuron i of layer l to neuron j of layer l+1",
        f"WEIGHTS = {_matrices_literal(network.weights)}",
        "",
    ]
    if network.bias:
        lines += ["# BIASES[l][j] = b^l_j: the bias of neuron j of layer l+1",
                  f"BIASES = {_vectors_literal(network.biases)}"]
    else:
        lines += ["BIASES = None  # this network has no biases"]
    lines += [
        "",
        "# one row per observation o: its inputs _o a^0 and its targets _o y",
        f"INPUTS = {_rows_literal(np.asarray(document.inputs, dtype=float), '')}",
        f"TARGETS = {_rows_literal(np.asarray(document.targets, dtype=float), '')}",
    ]
    return "\n".join(lines)


def mini_batches(document: Document) -> bool:
    config = document.training
    observations = len(document.inputs)
    return config.effective_batch_size(observations) < observations


def settings_section(document: Document, iterations: int) -> str:
    config = document.training
    lines = [
        f"LOSS = {config.loss!r}  # C = {get_loss(config.loss).formula}, "
        f"∂C/∂a = {get_loss(config.loss).derivative_formula}",
        f"# reduction: {get_loss(config.loss).reduction}",
        f"OPTIMIZER = {config.optimizer!r}",
        f"LEARNING_RATE = {float(config.learning_rate)!r}  # η",
    ]
    if config.optimizer == "momentum":
        lines.append(f"MOMENTUM = {float(config.momentum)!r}  # μ")
    if config.optimizer == "adam":
        lines += [f"BETA1 = {float(config.beta1)!r}  # β₁",
                  f"BETA2 = {float(config.beta2)!r}  # β₂",
                  f"EPSILON = {float(config.epsilon)!r}  # ε"]
    lines += frozen_lines(document)
    if mini_batches(document):
        size = config.effective_batch_size(len(document.inputs))
        lines += [f"BATCH_SIZE = {int(size)!r}  # observations per iteration",
                  f"SHUFFLE_SEED = {int(config.shuffle_seed)!r}"]
    else:
        lines.append("# every iteration uses all observations (no mini-batches)")
    lines.append(f"ITERATIONS = {int(iterations)!r}  # the default; --iterations N changes it")
    start = int(document.state.iteration)
    lines.append(f"START_ITERATION = {start!r}  # " + (
        "the run continues: its next iteration is this one (its mini-batch follows from it)"
        if start else "a fresh run"))
    if config.optimizer in ("momentum", "adam"):
        state = optimizer_state_json(document)
        lines += ["# the optimiser's state where the run stands, laid out like WEIGHTS and "
                  "BIASES (None: all 0,", "# as at the start of a run)",
                  f"OPTIMIZER_STATE = {'None' if state is None else render_json(state)}"]
    return "\n".join(lines)


def frozen(document: Document) -> bool:
    return bool(document.training.frozen)


def frozen_lines(document: Document) -> list[str]:
    """FROZEN_WEIGHTS and FROZEN_BIASES, the positions of the frozen parameters (none: no
    lines, and the script has no freezing code)."""
    names = document.training.frozen
    if not names:
        return []
    addresses = [ParameterAddress.parse(name) for name in names]
    weights = [(a.layer, a.source, a.target) for a in addresses if a.kind == "w"]
    biases = [(a.layer, a.target) for a in addresses if a.kind == "b"]
    return [
        "# frozen parameters: every update leaves them as they are (their gradient is still",
        f"# computed): {', '.join(names)}",
        f"FROZEN_WEIGHTS = {weights!r}  # (l, i, j): w^l_{{i,j}}, WEIGHTS[l][i][j]",
        f"FROZEN_BIASES = {biases!r}  # (l, j): b^l_j, BIASES[l][j]",
    ]


def assemble(header: list[str], blocks: list[str]) -> str:
    """Header sections one blank line apart, functions two (PEP 8), one final newline."""
    return ("\n\n".join(header) + "\n\n\n" + "\n\n\n".join(b.strip("\n") for b in blocks)
            + "\n")


def title(document: Document, library: str) -> str:
    network, config = document.network, document.training
    sizes = "-".join(map(str, network.sizes))
    frozen = f", {len(config.frozen)} parameters frozen" if config.frozen else ""
    return (f"Backprop Lab export: the {sizes} network ({', '.join(network.activation_names)}), "
            f"{config.loss} loss C = {get_loss(config.loss).formula}, {config.optimizer}"
            f"{frozen}, in {library}{', float32' if float32(document) else ''}.")


DOCSTRING = Template('''\
"""$title

The network, data and training settings of a Backprop Lab file, trained as the app trains
them: the same weights and biases, the same maths, the same optimiser, the same batches.
$about

Usage:  python SCRIPT.py [--iterations N] [--every]

Output, one line each, numbers as Python reprs (exact):
  with --every, for t = 0 … N−1:
      iteration t: loss C
    the loss computed in iteration t, on its batch, at the parameters before its update
    (the app's loss plot, history.losses[t]);
  always, as the last line:
      loss after N iterations: C
    the loss on ALL observations at the parameters after N updates: the "loss" that
    `python -m engine FILE --steps N --json` prints.
A non-finite value stops the training where Backprop Lab stops (exit status 1).

Notation (seed 000): layer 0 is the inputs, layer L the outputs; in every matrix the rows
are observations o and the columns neurons j.
    n^l = a^{l-1} W^{l-1} + b^{l-1}           pre-activations of layer l (often called z)
    a^l = f_l(n^l)                            activations; a^0 = the inputs
    C(a^L, y)                                 the cost ("loss") of the batch
    δ^l = ∂C/∂n^l                             from the loss for l = L, then for l = L-1 … 1
    ∂C/∂a^l = δ^{l+1} (W^l)ᵀ,  δ^l = ∂C/∂a^l ⊙ f_l′(n^l)   (⊙: element by element)
    ∂C/∂W^{l-1} = (a^{l-1})ᵀ δ^l,  ∂C/∂b^{l-1} = Σ_o δ^l   (summed over the observations o)
W[l][i][j] is w^l_{i,j}, the weight from neuron i of layer l to neuron j of layer l+1, and
b[l][j] is b^l_j, the bias of neuron j of layer l+1.
"""''')


BATCHES = '''\
def batch_rows(t):
    """The observations of iteration t, as Backprop Lab picks them: batch t mod B of epoch
    floor(t / B) (B batches an epoch), every epoch in the order of numpy's
    default_rng([SHUFFLE_SEED, epoch]).permutation, the last batch possibly shorter."""
    per_epoch = -(-len(INPUTS) // BATCH_SIZE)  # B = ceil(m / BATCH_SIZE)
    epoch, position = divmod(t, per_epoch)
    order = np.random.default_rng([SHUFFLE_SEED, epoch]).permutation(len(INPUTS))
    return order[position * BATCH_SIZE:(position + 1) * BATCH_SIZE]'''


ARGUMENTS = '''\
def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=ITERATIONS, metavar="N",
                        help=f"parameter updates to make (default {ITERATIONS})")
    parser.add_argument("--every", action="store_true",
                        help="print the loss of every iteration too")
    args = parser.parse_args()
    if args.iterations < 0:
        parser.error("--iterations must be 0 or more")
    return args


def stop(t, what):
    sys.exit(f"iteration {t}: {what} is not finite; Backprop Lab stops here too")'''


