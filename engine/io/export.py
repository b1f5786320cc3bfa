"""Exports: the numbers as CSV, and the whole training as a script to run without the app.

CSV (``weights_csv``, ``gradients_csv``, ``history_csv``, ``history_parameters_csv``): a
header row, then one row per parameter or per iteration. Parameters are named as in the
app (``w^1_{0,2}``, ``b^0_1``) and listed in the order of θ (W^0 row by row, b^0, W^1, …).
Numbers are written with ``repr``, so reading a cell back with ``float`` gives the very
same float. Rows end with ``\\n``: write the text with ``open(path, "w", newline="")`` or in
text mode.

Scripts (``numpy_script``, ``pytorch_script``): a standalone Python program that rebuilds
the network with the same weights, biases, data and training settings and trains it as the
engine's Stepper does — same activations, loss, optimiser and mini-batches. It is the
bridge from the app to the code learners write themselves, so the maths is spelt out in the
seed's notation. Its output, one line each, numbers as exact reprs:

- with ``--every``, for t = 0 … N−1: ``iteration t: loss C`` — the loss computed in
  iteration t, on its batch, at the parameters before its update: ``history.losses[t]``,
  the app's loss plot;
- always, as the last line: ``loss after N iterations: C`` — the loss on all observations
  at the parameters after N updates: ``Stepper.run(N)`` then ``evaluate(full=True).loss``,
  the ``loss`` of ``python -m engine FILE --steps N --json``. With full-batch training it is
  also the loss the next iteration would record, ``history.losses[N]``.

The numpy script repeats the engine's operations in the engine's order, so its numbers
agree with the engine's to the last bit or nearly (relative 1e-12 is the promise). The
PyTorch script uses torch's own layers, autograd, losses and optimisers in float64: same
formulas, different rounding (measured: at most 2e-13 relative over 500 iterations). Both
compute bce and cross_entropy from n^L in the stable form, unclipped, as the engine does
(torch's losses on the logits), and both state the loss's reduction. Both stop where the
engine stops on a non-finite value, by the same rule: after the forward pass when a
pre-activation n^l or the loss is not finite, after the update when a parameter is not
(exit status 1, one line on stderr).

Nothing the engine can train is refused; the scripts refuse (ValueError) only what the
engine itself would refuse: data that does not fit the network, a loss that does not fit
its output layer, a non-finite parameter or data value, a negative iteration count.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from string import Template

import numpy as np

from ..core.activations import LEAKY_RELU_SLOPE
from ..core.history import History
from ..core.losses import get_loss
from ..core.network import Network
from ..core.stepper import validate_data, validate_training
from .fileformat import Document, optimizer_state_json, render_json

# ===================================================================== CSV


def _csv_text(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _number(value) -> str:
    """repr of the float: the shortest text that reads back as exactly this number."""
    return repr(float(value))


def _parameter_rows(network: Network) -> list[list[str]]:
    rows = []
    for address in network.addresses():
        source = "" if address.source is None else str(address.source)
        rows.append([str(address), str(address.layer), source, str(address.target)])
    return rows


def weights_csv(network: Network) -> str:
    """``parameter,layer,from,to,value``: one row per weight and bias, in the order of θ.

    ``layer`` is l of w^l_{i,j} / b^l_j (the parameter feeds layer l+1); ``from`` is i
    (empty for a bias), ``to`` is j.
    """
    rows = _parameter_rows(network)
    for row, value in zip(rows, network.theta, strict=True):
        row.append(_number(value))
    return _csv_text(["parameter", "layer", "from", "to", "value"], rows)


def gradients_csv(network: Network, gradient) -> str:
    """``parameter,layer,from,to,value,gradient``: as ``weights_csv`` plus ∂C/∂θ.

    ``gradient`` is a flat vector laid out like ``network.theta`` (a Trace's ``gradient``).
    Non-finite gradients are written as ``nan`` / ``inf`` (``float`` reads them back).
    """
    gradient = np.asarray(gradient, dtype=float)
    if gradient.shape != network.theta.shape:
        raise ValueError(f"gradient: expected {network.theta.size} values (one per parameter, "
                         f"laid out like θ), got shape {gradient.shape}")
    rows = _parameter_rows(network)
    for row, value, slope in zip(rows, network.theta, gradient, strict=True):
        row += [_number(value), _number(slope)]
    return _csv_text(["parameter", "layer", "from", "to", "value", "gradient"], rows)


def history_csv(history: History) -> str:
    """``iteration,loss``: the loss recorded in every iteration so far (history.losses),
    numbered from the history's first iteration (0, or where a saved run continued)."""
    rows = ([str(t), _number(loss)]
            for t, loss in enumerate(history.losses.tolist(), start=history.start))
    return _csv_text(["iteration", "loss"], rows)


def history_parameters_csv(history: History, network: Network) -> str:
    """``iteration,<parameter>,…``: θ at the start of each snapshotted iteration.

    Snapshots are kept at a stride (coarsened in long runs), so the iterations listed are
    ``history.snapshot_iterations``, not necessarily every one.
    """
    snapshots = history.snapshots
    if snapshots.shape[1] != network.theta.size:
        raise ValueError(f"history: snapshots hold {snapshots.shape[1]} parameters but the "
                         f"network has {network.theta.size}; export the history with the "
                         "network it was recorded for")
    header = ["iteration", *(str(address) for address in network.addresses())]
    rows = ([str(int(t)), *(_number(v) for v in row)]
            for t, row in zip(history.snapshot_iterations, snapshots, strict=True))
    return _csv_text(header, rows)


# ============================================================ shared script parts


def _check(document: Document, iterations) -> None:
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


def _rows_literal(rows, indent: str) -> str:
    """A list of rows, one per line, floats as exact reprs."""
    inner = indent + "    "
    return "[\n" + "".join(f"{inner}{list(map(float, row))!r},\n" for row in rows) + f"{indent}]"


def _matrices_literal(matrices) -> str:
    return "[\n" + "".join(f"    {_rows_literal(m, '    ')},\n" for m in matrices) + "]"


def _vectors_literal(vectors) -> str:
    return "[\n" + "".join(f"    {list(map(float, v))!r},\n" for v in vectors) + "]"


def _data_section(document: Document) -> str:
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


def _mini_batches(document: Document) -> bool:
    config = document.training
    observations = len(document.inputs)
    return config.effective_batch_size(observations) < observations


def _settings_section(document: Document, iterations: int) -> str:
    config = document.training
    lines = [
        f"LOSS = {config.loss!r}  # C = {get_loss(config.loss).formula}",
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
    if _mini_batches(document):
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


def _assemble(header: list[str], blocks: list[str]) -> str:
    """Header sections one blank line apart, functions two (PEP 8), one final newline."""
    return ("\n\n".join(header) + "\n\n\n" + "\n\n\n".join(b.strip("\n") for b in blocks)
            + "\n")


def _title(document: Document, library: str) -> str:
    network, config = document.network, document.training
    sizes = "-".join(map(str, network.sizes))
    return (f"Backprop Lab export: the {sizes} network ({', '.join(network.activation_names)}), "
            f"{config.loss} loss, {config.optimizer}, in {library}.")


_DOCSTRING = Template('''\
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


_BATCHES = '''\
def batch_rows(t):
    """The observations of iteration t, as Backprop Lab picks them: batch t mod B of epoch
    floor(t / B) (B batches an epoch), every epoch in the order of numpy's
    default_rng([SHUFFLE_SEED, epoch]).permutation, the last batch possibly shorter."""
    per_epoch = -(-len(INPUTS) // BATCH_SIZE)  # B = ceil(m / BATCH_SIZE)
    epoch, position = divmod(t, per_epoch)
    order = np.random.default_rng([SHUFFLE_SEED, epoch]).permutation(len(INPUTS))
    return order[position * BATCH_SIZE:(position + 1) * BATCH_SIZE]'''


_ARGUMENTS = '''\
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


# ============================================================== numpy script

_NUMPY_ACTIVATIONS = {
    "sigmoid": '''\
def sigmoid(n):
    # a = 1 / (1 + e^(−n)); for very negative n, e^(−n) overflows to inf and a = 0, its limit
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-n))


def sigmoid_derivative(n, a):
    # ∂a/∂n = a (1 − a)
    return a * (1.0 - a)''',
    "tanh": '''\
def tanh(n):
    return np.tanh(n)


def tanh_derivative(n, a):
    # ∂a/∂n = 1 − tanh²(n) = 1 − a²
    return 1.0 - a * a''',
    "relu": '''\
def relu(n):
    return np.maximum(n, 0.0)


def relu_derivative(n, a):
    # ∂a/∂n = 1 where n > 0, else 0 (0 at the kink n = 0)
    return (n > 0.0).astype(float)''',
    "leaky_relu": f'''\
def leaky_relu(n):
    # a = n where n > 0, else {LEAKY_RELU_SLOPE!r} n
    return np.where(n > 0.0, n, {LEAKY_RELU_SLOPE!r} * n)


def leaky_relu_derivative(n, a):
    # ∂a/∂n = 1 where n > 0, else {LEAKY_RELU_SLOPE!r} (also at n = 0)
    return np.where(n > 0.0, 1.0, {LEAKY_RELU_SLOPE!r})''',
    "linear": '''\
def linear(n):
    return n.copy()


def linear_derivative(n, a):
    return np.ones_like(n)''',
    "softmax": '''\
def softmax(n):
    # a_j = e^(n_j − max n) / Σ_k e^(n_k − max n), per observation (row); shifting by the
    # row's maximum changes nothing but keeps e^ from overflowing
    shifted = np.exp(n - np.max(n, axis=1, keepdims=True))
    return shifted / np.sum(shifted, axis=1, keepdims=True)''',
}

_NUMPY_COSTS = {
    "sse": '''\
def cost(n, a, y):
    # C = Σ_o Σ_j (a − y)²   (seed 000's cost: summed, not averaged)
    error = a - y
    return float(np.sum(error * error))


def dcost_da(a, y):
    # ∂C/∂a^L = 2 (a − y)
    return 2.0 * (a - y)''',
    "mse": '''\
def cost(n, a, y):
    # C = Σ_o Σ_j (a − y)² / (m k): the mean over all m·k outputs of the batch
    error = a - y
    return float(np.sum(error * error)) / a.size


def dcost_da(a, y):
    # ∂C/∂a^L = 2 (a − y) / (m k)
    return (2.0 / a.size) * (a - y)''',
    "bce": '''\
def softplus(x):
    # ln(1 + e^x), without overflow
    return np.logaddexp(0.0, x)


def cost(n, a, y):
    # C = −(1/m) Σ_o Σ_j [y ln a + (1 − y) ln(1 − a)] with a = σ(n), computed from n:
    # −ln σ(n) = softplus(−n), −ln(1 − σ(n)) = softplus(n), so a saturated output costs its
    # true value (σ(40) rounds to 1, yet −ln(1 − σ(40)) = 40). Averaged over the m
    # observations only, summed over the outputs (PyTorch's "mean" also divides by k).
    terms = y * softplus(-n) + (1.0 - y) * softplus(n)
    return float(np.sum(terms) / n.shape[0])''',
    "cross_entropy": '''\
def log_softmax(n):
    # ln a_j = n_j − logsumexp(n), per observation (row), shifted by the row's maximum
    shifted = n - np.max(n, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def cost(n, a, y):
    # C = −(1/m) Σ_o Σ_j y ln a with a = softmax(n), unclipped: ln a_j = n_j − logsumexp(n),
    # taken as ln a while every output is above 1e-290 (a keeps its 16 digits there), and
    # from n once an output saturates towards 0 (where ln a would be −inf or imprecise)
    log_a = np.log(a) if a.min() > 1e-290 else log_softmax(n)
    return float(-np.sum(y * log_a) / n.shape[0])''',
}


def _numpy_output_delta(loss: str, output: str) -> str:
    head = "def output_delta(n, a, y):\n"
    if loss == "bce":  # validate_training: the output layer is sigmoid
        return head + '''\
    # δ^L = ∂C/∂a ⊙ ∂a/∂n = (a − y) / (m a (1 − a)) ⊙ a (1 − a) = (a − y) / m,
    # computed in this simplified form (no division by a (1 − a) when a saturates)
    return (a - y) / a.shape[0]'''
    if loss == "cross_entropy":  # the output layer is softmax
        return head + '''\
    # δ^L_j = Σ_k ∂C/∂a_k ∂a_k/∂n_j = (a_j Σ_k y_k − y_j) / m
    # (softmax followed by cross-entropy, simplified: no division by a)
    return (a * np.sum(y, axis=1, keepdims=True) - y) / a.shape[0]'''
    if output == "softmax":
        return head + '''\
    # softmax mixes the outputs of a row: δ_j = a_j (g_j − Σ_k g_k a_k), g = ∂C/∂a
    g = dcost_da(a, y)
    return a * (g - np.sum(g * a, axis=1, keepdims=True))'''
    return head + f'''\
    # δ^L = ∂C/∂a^L ⊙ f_L′(n^L)
    return dcost_da(a, y) * {output}_derivative(n, a)'''


_NUMPY_OPTIMIZERS = {
    "gd": '''\
def make_optimizer(parameters):
    def update(gradients):
        # θ ← θ − η ∂C/∂θ, every parameter in place
        for theta, g in zip(parameters, gradients):
            theta -= LEARNING_RATE * g
    return update''',
    "momentum": '''\
def make_optimizer(parameters):
    velocities = saved_state("velocity", parameters)  # v where the run stands (0 at its start)

    def update(gradients):
        for theta, g, v in zip(parameters, gradients, velocities):
            v *= MOMENTUM  # v ← μ v + g
            v += g
            theta -= LEARNING_RATE * v  # θ ← θ − η v
    return update''',
    "adam": '''\
def make_optimizer(parameters):
    # m, v and the update count t where the run stands (all 0 at its start)
    first = saved_state("first_moment", parameters)
    second = saved_state("second_moment", parameters)
    step = [0 if OPTIMIZER_STATE is None else OPTIMIZER_STATE["step"]]  # t: 1 at the first update

    def update(gradients):
        step[0] += 1
        t = step[0]
        for theta, g, m, v in zip(parameters, gradients, first, second):
            m *= BETA1  # m ← β₁ m + (1 − β₁) g
            m += (1.0 - BETA1) * g
            v *= BETA2  # v ← β₂ v + (1 − β₂) g²
            v += (1.0 - BETA2) * (g * g)
            m_hat = m / (1.0 - BETA1**t)  # bias correction
            v_hat = v / (1.0 - BETA2**t)
            theta -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + EPSILON)
    return update''',
}
_NUMPY_OPTIMIZERS["sgd"] = _NUMPY_OPTIMIZERS["gd"]

_NUMPY_SAVED_STATE = '''\
def saved_state(name, parameters):
    """The optimiser's saved arrays OPTIMIZER_STATE[name] in the order of parameters (W^0 …,
    then b^0 …), or zeros when the run starts afresh."""
    if OPTIMIZER_STATE is None:
        return [np.zeros_like(theta) for theta in parameters]
    arrays = [np.array(w, dtype=float) for w in OPTIMIZER_STATE[name]["weights"]]
    arrays += [np.array(v, dtype=float) for v in OPTIMIZER_STATE[name].get("biases", [])]
    return arrays'''

_NUMPY_PASSES = '''\
def forward(W, b, x):
    """Every n^l and a^l of one batch (index 0: the inputs; n^0 is not defined)."""
    n, a = [None], [x]
    for l in range(1, L + 1):
        n_l = a[l - 1] @ W[l - 1]  # n^l = a^{l-1} W^{l-1} + b^{l-1}
        if b is not None:
            n_l = n_l + b[l - 1]
        n.append(n_l)
        a.append(F[l](n_l))  # a^l = f_l(n^l)
    return n, a


def backward(W, n, a, y):
    """dC/dW^{l-1} and dC/db^{l-1} for l = L … 1, summed over the observations of the batch."""
    dW, db = [None] * L, [None] * L
    delta = output_delta(n[L], a[L], y)  # δ^L = ∂C/∂n^L
    for l in range(L, 0, -1):
        if l < L:
            dC_da = delta @ W[l].T  # ∂C/∂a^l = δ^{l+1} (W^l)ᵀ
            delta = dC_da * F_DERIVATIVE[l](n[l], a[l])  # δ^l = ∂C/∂a^l ⊙ f_l′(n^l)
        dW[l - 1] = a[l - 1].T @ delta  # ∂C/∂W^{l-1} = (a^{l-1})ᵀ δ^l
        db[l - 1] = np.sum(delta, axis=0)  # ∂C/∂b^{l-1} = Σ_o δ^l
    return dW, db'''

_NUMPY_MAIN = Template('''\
def main():
    args = arguments()
    W = [np.array(w, dtype=float) for w in WEIGHTS]
    b = None if BIASES is None else [np.array(v, dtype=float) for v in BIASES]
    X, Y = np.array(INPUTS, dtype=float), np.array(TARGETS, dtype=float)
    parameters = W if b is None else W + b
    update = make_optimizer(parameters)
    with np.errstate(all="ignore"):  # non-finite values are checked below, as the app does
        for t in range(START_ITERATION, START_ITERATION + args.iterations):
$batch
            n, a = forward(W, b, x)
            C = cost(n[L], a[L], y)
            if not (math.isfinite(C) and all(np.isfinite(n_l).all() for n_l in n[1:])):
                stop(t, "the forward pass or the loss")
            if args.every:
                print(f"iteration {t}: loss {C!r}")
            dW, db = backward(W, n, a, y)
            update(dW if b is None else dW + db)
            if not all(np.isfinite(theta).all() for theta in parameters):
                stop(t, "the update")
        n, a = forward(W, b, X)  # all observations, at the parameters after the updates
        C = cost(n[L], a[L], Y)
    where = f" from iteration {START_ITERATION}" if START_ITERATION else ""
    print(f"loss after {args.iterations} iterations{where}: {C!r}")


if __name__ == "__main__":
    main()
''')


def numpy_script(document: Document, iterations: int) -> str:
    """A standalone script (numpy and the standard library only) that trains ``document``'s
    network for ``iterations`` updates as the engine does and prints the loss.

    Its last line is ``loss after N iterations: <repr>``: the loss on all observations at
    the parameters after N updates, i.e. ``document.make_stepper()``, ``run(N)``, then
    ``evaluate(full=True).loss`` (the loss of ``python -m engine FILE --steps N``). With
    ``--every`` it first prints ``iteration t: loss <repr>`` for t < N: ``history.losses[t]``.
    The script repeats the engine's operations in the engine's order; the two agree to a
    relative 1e-12 or better. ``--iterations M`` trains M updates instead.

    Raises ValueError naming the problem when the engine could not train the document
    either (see the module docstring); there is nothing else it cannot reproduce.
    """
    _check(document, iterations)
    network, config = document.network, document.training
    used = list(dict.fromkeys(network.activation_names))
    activations = "\n\n\n".join(_NUMPY_ACTIVATIONS[name] for name in used)
    cost = _NUMPY_COSTS[config.loss]
    derivatives = [f"{name}_derivative" for name in network.activation_names[:-1]]
    tables = (
        "# f_l and f_l' of layer l = 1 … L (index 0, the inputs, has none;\n"
        "# f_L' is used inside output_delta only)\n"
        f"F = [None, {', '.join(network.activation_names)}]\n"
        f"F_DERIVATIVE = [None, {''.join(d + ', ' for d in derivatives)}None]"
    )
    if _mini_batches(document):
        batch = ("            rows = batch_rows(t)\n"
                 "            x, y = X[rows], Y[rows]  # this iteration's mini-batch")
    else:
        batch = "            x, y = X, Y  # every iteration uses all observations"
    header = [
        _DOCSTRING.substitute(
            title=_title(document, "numpy"),
            about="Plain numpy, one equation a line: compare it with your own code."),
        "import argparse\nimport math\nimport sys\n\nimport numpy as np",
        _data_section(document),
        _settings_section(document, iterations) + "\nL = len(LAYERS) - 1  # the output layer",
    ]
    blocks = [activations, cost, _numpy_output_delta(config.loss, network.activation_names[-1]),
              tables]
    if config.optimizer in ("momentum", "adam"):
        blocks.append(_NUMPY_SAVED_STATE)
    blocks += [_NUMPY_OPTIMIZERS[config.optimizer], _NUMPY_PASSES]
    if _mini_batches(document):
        blocks.append(_BATCHES)
    blocks += [_ARGUMENTS, _NUMPY_MAIN.substitute(batch=batch)]
    return _assemble(header, blocks)


# ============================================================ PyTorch script

_TORCH_MODULES = {
    "sigmoid": "torch.nn.Sigmoid()",
    "tanh": "torch.nn.Tanh()",
    "relu": "torch.nn.ReLU()",
    "leaky_relu": f"torch.nn.LeakyReLU({LEAKY_RELU_SLOPE!r})",
    "linear": "torch.nn.Identity()",
    "softmax": "torch.nn.Softmax(dim=1)",
}

_TORCH_COSTS = {
    "sse": '''\
def cost(output, y):
    # C = Σ_o Σ_j (a − y)²   (seed 000's cost: summed, not averaged: reduction="sum");
    # autograd gives ∂C/∂a^L = 2 (a − y)
    return torch.nn.functional.mse_loss(output, y, reduction="sum")''',
    "mse": '''\
def cost(output, y):
    # C = Σ_o Σ_j (a − y)² / (m k): the mean over all m·k outputs of the batch
    # (reduction="mean", which for mse_loss divides by m·k, as Backprop Lab does)
    return torch.nn.functional.mse_loss(output, y, reduction="mean")''',
    "bce": '''\
def cost(output, y):
    # C = −(1/m) Σ_o Σ_j [y ln a + (1 − y) ln(1 − a)] with a = sigmoid(n^L).
    # The model stops at n^L: binary_cross_entropy_with_logits applies the sigmoid itself,
    # in the stable form Backprop Lab uses too (no clipping: a saturated output costs its
    # true value), and its gradient is δ^L = (a − y) / m, Backprop Lab's simplified form.
    # Reduction: "sum" over o and j, then / m. Backprop Lab averages over the observations
    # only; reduction="mean" would also divide by the k outputs.
    m = output.shape[0]
    return torch.nn.functional.binary_cross_entropy_with_logits(output, y, reduction="sum") / m''',
    "cross_entropy": '''\
def cost(output, y):
    # C = −(1/m) Σ_o Σ_j y ln a with a = softmax(n^L). The model stops at n^L:
    # cross_entropy applies the log-softmax itself (y holds one probability per class), and
    # its gradient is δ^L_j = (a_j Σ_k y_k − y_j) / m, the form Backprop Lab uses.
    # Reduction: "sum" over o and j, then / m (the same as reduction="mean" here, which for
    # class probabilities divides by the m observations only).
    m = output.shape[0]
    return torch.nn.functional.cross_entropy(output, y, reduction="sum") / m''',
}

_TORCH_OPTIMIZERS = {
    "gd": '''\
def make_optimizer(model):
    # θ ← θ − η ∂C/∂θ
    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)''',
    "momentum": '''\
def make_optimizer(model):
    # v ← μ v + g;  θ ← θ − η v   (v = 0 before the first update)
    # torch's SGD with momentum (dampening 0, no Nesterov) is exactly this rule: its first
    # v is g itself, which is μ·0 + g
    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM,
                           dampening=0.0, nesterov=False)''',
    "adam": '''\
def make_optimizer(model):
    # m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²   (t = 1, 2, …)
    # θ ← θ − η m̂ / (√v̂ + ε),
    #     m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
    # torch computes θ − (η / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε):
    # the same formula, ε added after the square root of the bias-corrected v
    return torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(BETA1, BETA2),
                            eps=EPSILON, weight_decay=0.0, amsgrad=False)''',
}
_TORCH_OPTIMIZERS["sgd"] = _TORCH_OPTIMIZERS["gd"]

_TORCH_RESTORE = {
    "momentum": '''\
def restore_state(model, optimizer):
    """Momentum's v where the run stands, in torch's place for it (its "momentum_buffer";
    nn.Linear holds W^l transposed, so its v is too)."""
    if OPTIMIZER_STATE is None:
        return  # a fresh run: torch starts v at the first gradient, which is μ·0 + g
    velocity, state = OPTIMIZER_STATE["velocity"], optimizer.state
    linears = [module for module in model if isinstance(module, torch.nn.Linear)]
    for l, linear in enumerate(linears):
        state[linear.weight]["momentum_buffer"] = torch.tensor(velocity["weights"][l]).T
        if linear.bias is not None:
            state[linear.bias]["momentum_buffer"] = torch.tensor(velocity["biases"][l])''',
    "adam": '''\
def restore_state(model, optimizer):
    """Adam's m, v and update count t where the run stands, in torch's places for them
    ("exp_avg", "exp_avg_sq", "step"; nn.Linear holds W^l transposed, so its m and v are)."""
    if OPTIMIZER_STATE is None:
        return
    linears = [module for module in model if isinstance(module, torch.nn.Linear)]
    for l, linear in enumerate(linears):
        pairs = [(linear.weight, "weights", True)]
        if linear.bias is not None:
            pairs.append((linear.bias, "biases", False))
        for parameter, key, transposed in pairs:
            m = torch.tensor(OPTIMIZER_STATE["first_moment"][key][l])
            v = torch.tensor(OPTIMIZER_STATE["second_moment"][key][l])
            optimizer.state[parameter].update(
                step=torch.tensor(float(OPTIMIZER_STATE["step"])),
                exp_avg=m.T if transposed else m, exp_avg_sq=v.T if transposed else v)''',
}

_TORCH_FORWARD = '''\
def forward(model, x):
    """The model's output and every n^l (what each Linear layer computes), to check them."""
    pre_activations = []
    for module in model:
        x = module(x)
        if isinstance(module, torch.nn.Linear):
            pre_activations.append(x)
    return x, pre_activations'''

_TORCH_MAIN = Template('''\
def main():
    args = arguments()
    model = make_model()
    optimizer = make_optimizer(model)
$restore    X, Y = torch.tensor(INPUTS), torch.tensor(TARGETS)
    for t in range(START_ITERATION, START_ITERATION + args.iterations):
$batch
        optimizer.zero_grad()
        output, n = forward(model, x)  # the forward pass
        C = cost(output, y)  # the loss, as a tensor autograd can differentiate
        value = C.item()
        if not (math.isfinite(value) and all(torch.isfinite(n_l).all() for n_l in n)):
            stop(t, "the forward pass or the loss")
        if args.every:
            print(f"iteration {t}: loss {value!r}")
        C.backward()  # every δ^l and ∂C/∂W^{l-1}, ∂C/∂b^{l-1} into .grad
        optimizer.step()
        if not all(torch.isfinite(theta).all() for theta in model.parameters()):
            stop(t, "the update")
    with torch.no_grad():  # all observations, at the parameters after the updates
        value = cost(model(X), Y).item()
    where = f" from iteration {START_ITERATION}" if START_ITERATION else ""
    print(f"loss after {args.iterations} iterations{where}: {value!r}")


if __name__ == "__main__":
    main()
''')


def _torch_model(network: Network, loss: str) -> str:
    lines = [
        "def make_model():",
        '    """nn.Linear(k, j) computes n = a Wt^T + b and stores its weight Wt as j × k',
        "    (out × in); W^l here is in × out (row i = neuron i of layer l), so each layer's",
        '    weight is W^l transposed."""',
        "    model = torch.nn.Sequential(",
    ]
    in_loss = loss in ("bce", "cross_entropy")
    L = network.layer_count
    for l in range(1, L + 1):
        fan_in, fan_out = network.sizes[l - 1], network.sizes[l]
        bias = "" if network.bias else ", bias=False"
        formula = f"n^{l} = a^{l - 1} W^{l - 1}" + (f" + b^{l - 1}" if network.bias else "")
        lines.append(f"        torch.nn.Linear({fan_in}, {fan_out}{bias}),  # {formula}")
        name = network.activation_names[l - 1]
        if l == L and in_loss:
            lines.append(f"        # a^{L} = {name}(n^{L}) is applied inside the loss (see cost)")
        else:
            lines.append(f"        {_TORCH_MODULES[name]},  # a^{l} = {name}(n^{l})")
    lines += [
        "    )",
        "    linears = [module for module in model if isinstance(module, torch.nn.Linear)]",
        "    with torch.no_grad():",
        "        for l, linear in enumerate(linears):",
        "            linear.weight.copy_(torch.tensor(WEIGHTS[l]).T)",
    ]
    if network.bias:
        lines.append("            linear.bias.copy_(torch.tensor(BIASES[l]))")
    lines.append("    return model")
    return "\n".join(lines)


def pytorch_script(document: Document, iterations: int) -> str:
    """The same as :func:`numpy_script` with PyTorch (float64): ``torch.nn.Linear`` layers
    holding the same weights (transposed, as nn.Linear stores them out × in), torch's
    activations, its losses (bce and cross_entropy on the logits n^L, whose gradients are
    the engine's simplified δ^L), ``torch.optim.SGD`` (gd, sgd, momentum: the engine's rule)
    or ``torch.optim.Adam`` (the engine's formula), and the engine's mini-batches (drawn
    with numpy, which the script then imports too).

    It prints the same lines as the numpy script, and stops by the same rule on non-finite
    values. The numbers agree with the engine's to rounding: torch orders its operations
    differently.
    """
    _check(document, iterations)
    network, config = document.network, document.training
    batches = _mini_batches(document)
    imports = "import argparse\nimport math\nimport sys\n\n"
    if batches:
        imports += "import numpy as np  # only to draw the mini-batches as Backprop Lab does\n"
    imports += "import torch\n\ntorch.set_default_dtype(torch.float64)  # as Backprop Lab"
    if batches:
        batch = ("        rows = torch.from_numpy(batch_rows(t))\n"
                 "        x, y = X[rows], Y[rows]  # this iteration's mini-batch")
    else:
        batch = "        x, y = X, Y  # every iteration uses all observations"
    header = [
        _DOCSTRING.substitute(
            title=_title(document, "PyTorch"),
            about=("PyTorch's nn.Linear layers, autograd, losses and optimisers, in float64; "
                   "autograd computes\nthe deltas below for you.")),
        imports,
        _data_section(document),
        _settings_section(document, iterations),
    ]
    blocks = [_torch_model(network, config.loss), _TORCH_FORWARD, _TORCH_COSTS[config.loss],
              _TORCH_OPTIMIZERS[config.optimizer]]
    restore = ""
    if config.optimizer in _TORCH_RESTORE:
        blocks.append(_TORCH_RESTORE[config.optimizer])
        restore = "    restore_state(model, optimizer)\n"
    if batches:
        blocks.append(_BATCHES)
    blocks += [_ARGUMENTS, _TORCH_MAIN.substitute(batch=batch, restore=restore)]
    return _assemble(header, blocks)
