"""The exported NumPy script: plain numpy, one equation a line, the engine's operations in the
engine's order (its numbers agree with the engine's bit for bit), in the document's dtype
(``DTYPE``: float64, or float32 as PyTorch). Activations and losses bring their own code
(engine.core.activations, engine.core.losses); the optimisers and the passes are real Python
in templates/numpy_functions.py."""

from __future__ import annotations

from string import Template

from ...core.activations import get_activation
from ...core.losses import get_loss
from ..fileformat import Document
from .script_parts import (
    ARGUMENTS,
    BATCHES,
    DOCSTRING,
    assemble,
    check,
    data_section,
    float32,
    frozen,
    mini_batches,
    settings_section,
    title,
)
from .templates import function_source


def _output_delta(loss_name: str, output: str) -> str:
    """The script's output_delta(n, a, y): the loss's closed form for its pair, softmax's
    Jacobian product, or ∂C/∂a ⊙ f_L′(n^L)."""
    head = "def output_delta(n, a, y):\n"
    loss, activation = get_loss(loss_name), get_activation(output)
    if loss.numpy_closed_delta is not None:  # validate_training: its own output layer
        return head + loss.numpy_closed_delta
    if activation.numpy_output_delta is not None:
        return head + activation.numpy_output_delta
    return head + f'''\
    # δ^L = ∂C/∂a^L ⊙ f_L′(n^L)
    return dcost_da(a, y) * {output}_derivative(n, a)'''


def _dtype_lines(document: Document) -> str:
    """DTYPE, what every array of the script is held and computed in, and why."""
    if not float32(document):
        return ("DTYPE = np.float64  # every array (parameters, data, each n, a, δ, gradient "
                "and the optimiser's\n# vectors) in double precision, as Backprop Lab's "
                "default float64 run\n")
    lines = ("DTYPE = np.float32  # every array in float32, as PyTorch computes by default: the "
             "parameters,\n# the data (rounded once from the numbers above), each n, a, δ and "
             "gradient, the loss and\n# the optimiser's vectors (numpy keeps float32 when a "
             "float32 array meets a Python float)\n")
    if document.training.optimizer == "adam":
        lines += ("# Adam's update count t is a Python int and its bias corrections 1 − β₁ᵗ, "
                  "1 − β₂ᵗ Python floats\n# (double), as PyTorch takes them\n")
    return lines


# the optimisers' update rules (sgd is gd on a mini-batch)
_OPTIMIZER_FUNCTION = {"gd": "make_gd_optimizer", "sgd": "make_gd_optimizer",
                       "momentum": "make_momentum_optimizer", "adam": "make_adam_optimizer"}


def _template(name: str, as_name: str | None = None) -> str:
    return function_source("numpy_functions", name, as_name)


_NUMPY_MAIN = Template('''\
def main():
    args = arguments()
    W = [np.array(w, dtype=DTYPE) for w in WEIGHTS]
    b = None if BIASES is None else [np.array(v, dtype=DTYPE) for v in BIASES]
    X, Y = np.array(INPUTS, dtype=DTYPE), np.array(TARGETS, dtype=DTYPE)
    parameters = W if b is None else W + b
    update = make_optimizer(parameters)
$freeze    with np.errstate(all="ignore"):  # non-finite values are checked below, as the app does
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
    return W, b  # the trained parameters, for a program that imports this one


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
    check(document, iterations)
    network, config = document.network, document.training
    used = list(dict.fromkeys(network.activation_names))
    activations = "\n\n\n".join(get_activation(name).numpy_code for name in used)
    cost = get_loss(config.loss).numpy_code
    derivatives = [f"{name}_derivative" for name in network.activation_names[:-1]]
    tables = (
        "# f_l and f_l' of layer l = 1 … L (index 0, the inputs, has none;\n"
        "# f_L' is used inside output_delta only)\n"
        f"F = [None, {', '.join(network.activation_names)}]\n"
        f"F_DERIVATIVE = [None, {''.join(d + ', ' for d in derivatives)}None]"
    )
    if mini_batches(document):
        batch = ("            rows = batch_rows(t)\n"
                 "            x, y = X[rows], Y[rows]  # this iteration's mini-batch")
    else:
        batch = "            x, y = X, Y  # every iteration uses all observations"
    header = [
        DOCSTRING.substitute(
            title=title(document, "numpy"),
            about="Plain numpy, one equation a line: compare it with your own code."),
        "import argparse\nimport math\nimport sys\n\nimport numpy as np",
        data_section(document),
        _dtype_lines(document) + settings_section(document, iterations)
        + "\nL = len(LAYERS) - 1  # the output layer",
    ]
    blocks = [activations, cost, _output_delta(config.loss, network.activation_names[-1]),
              tables]
    if config.optimizer in ("momentum", "adam"):
        blocks.append(_template("saved_state"))
    blocks += [_template(_OPTIMIZER_FUNCTION[config.optimizer], "make_optimizer"),
               _template("forward"), _template("backward")]
    freeze = ""
    if frozen(document):
        blocks += [_template("frozen_masks"), _template("leave_frozen_alone")]
        freeze = ("    # the frozen parameters: put back after every update\n"
                  "    update = leave_frozen_alone(update, parameters, frozen_masks(W, b))\n")
    if mini_batches(document):
        blocks.append(BATCHES)
    blocks += [ARGUMENTS, _NUMPY_MAIN.substitute(batch=batch, freeze=freeze)]
    return assemble(header, blocks)


