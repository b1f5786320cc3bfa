"""The exported PyTorch script: torch's own layers, autograd, losses and optimisers in the
document's dtype (float64, or float32: PyTorch's own default), the engine's mini-batches; its
numbers agree with the engine's to rounding (1e-12 in float64, 1e-5 in float32).
Activations and losses bring their own modules and costs (engine.core.activations,
engine.core.losses); the optimisers, the restoring of a saved run's state and the forward
pass are real Python in templates/torch_functions.py."""

from __future__ import annotations

from string import Template

from ...core.activations import get_activation
from ...core.losses import get_loss
from ...core.network import Network
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

# torch's optimiser for each of ours (sgd is gd on a mini-batch), and for those with a state,
# the function that puts a saved run's state in torch's places
_OPTIMIZER_FUNCTION = {"gd": "make_gd_optimizer", "sgd": "make_gd_optimizer",
                       "momentum": "make_momentum_optimizer", "adam": "make_adam_optimizer"}
_RESTORE_FUNCTION = {"momentum": "restore_momentum_state", "adam": "restore_adam_state"}


def _template(name: str, as_name: str | None = None) -> str:
    return function_source("torch_functions", name, as_name)


_TORCH_MAIN = Template('''\
def main():
    args = arguments()
    model = make_model()
    optimizer = make_optimizer(model)
$restore$freeze    X, Y = torch.tensor(INPUTS), torch.tensor(TARGETS)
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
        $step
        if not all(torch.isfinite(theta).all() for theta in model.parameters()):
            stop(t, "the update")
    with torch.no_grad():  # all observations, at the parameters after the updates
        value = cost(model(X), Y).item()
    where = f" from iteration {START_ITERATION}" if START_ITERATION else ""
    print(f"loss after {args.iterations} iterations{where}: {value!r}")
    return model  # the trained model, for a program that imports this one


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
    in_loss = get_loss(loss).required_output is not None  # it applies f_L itself
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
            lines.append(f"        {get_activation(name).torch_module},  # a^{l} = {name}(n^{l})")
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
    """The same as :func:`numpy_script` with PyTorch (in the document's dtype, float64 or
    float32, set as torch's default dtype): ``torch.nn.Linear`` layers
    holding the same weights (transposed, as nn.Linear stores them out × in), torch's
    activations, its losses (bce and cross_entropy on the logits n^L, whose gradients are
    the engine's simplified δ^L), ``torch.optim.SGD`` (gd, sgd, momentum: the engine's rule)
    or ``torch.optim.Adam`` (the engine's formula), and the engine's mini-batches (drawn
    with numpy, which the script then imports too).

    It prints the same lines as the numpy script, and stops by the same rule on non-finite
    values. The numbers agree with the engine's to rounding: torch orders its operations
    differently (in float32 that is about 1e-7 relative an iteration, docs/file-format.md).
    """
    check(document, iterations)
    network, config = document.network, document.training
    batches = mini_batches(document)
    imports = "import argparse\nimport math\nimport sys\n\n"
    if batches:
        imports += "import numpy as np  # only to draw the mini-batches as Backprop Lab does\n"
    if float32(document):
        imports += ("import torch\n\ntorch.set_default_dtype(torch.float32)  # as Backprop "
                    "Lab's float32 run (PyTorch's own default)")
    else:
        imports += "import torch\n\ntorch.set_default_dtype(torch.float64)  # as Backprop Lab"
    if batches:
        batch = ("        rows = torch.from_numpy(batch_rows(t))\n"
                 "        x, y = X[rows], Y[rows]  # this iteration's mini-batch")
    else:
        batch = "        x, y = X, Y  # every iteration uses all observations"
    header = [
        DOCSTRING.substitute(
            title=title(document, "PyTorch"),
            about=(f"PyTorch's nn.Linear layers, autograd, losses and optimisers, in "
                   f"{document.training.dtype}; autograd computes\nthe deltas below for "
                   f"you.")),
        imports,
        data_section(document),
        settings_section(document, iterations),
    ]
    blocks = [_torch_model(network, config.loss), _template("forward"),
              get_loss(config.loss).torch_cost,
              _template(_OPTIMIZER_FUNCTION[config.optimizer], "make_optimizer")]
    restore = ""
    if config.optimizer in _RESTORE_FUNCTION:
        blocks.append(_template(_RESTORE_FUNCTION[config.optimizer], "restore_state"))
        restore = "    restore_state(model, optimizer)\n"
    freeze, step = "", "optimizer.step()"
    if frozen(document):
        blocks += [_template("frozen_masks"), _template("step_leaving_frozen_alone")]
        freeze = "    frozen = frozen_masks(model)  # the tensors holding frozen parameters\n"
        step = "step_leaving_frozen_alone(optimizer, frozen)  # the frozen ones put back"
    if batches:
        blocks.append(BATCHES)
    blocks += [ARGUMENTS, _TORCH_MAIN.substitute(batch=batch, restore=restore, freeze=freeze,
                                                 step=step)]
    return assemble(header, blocks)

