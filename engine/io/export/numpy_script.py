"""The exported NumPy script: plain numpy, one equation a line, the engine's operations in the
engine's order (its numbers agree with the engine's bit for bit). Activations and losses
bring their own code (engine.core.activations, engine.core.losses)."""

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
    mini_batches,
    settings_section,
    title,
)


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
        settings_section(document, iterations) + "\nL = len(LAYERS) - 1  # the output layer",
    ]
    blocks = [activations, cost, _output_delta(config.loss, network.activation_names[-1]),
              tables]
    if config.optimizer in ("momentum", "adam"):
        blocks.append(_NUMPY_SAVED_STATE)
    blocks += [_NUMPY_OPTIMIZERS[config.optimizer], _NUMPY_PASSES]
    if mini_batches(document):
        blocks.append(BATCHES)
    blocks += [ARGUMENTS, _NUMPY_MAIN.substitute(batch=batch)]
    return assemble(header, blocks)


