"""The exported PyTorch script: torch's own layers, autograd, losses and optimisers in float64,
the engine's mini-batches; its numbers agree with the engine's to rounding (1e-12).
Activations and losses bring their own modules and costs (engine.core.activations,
engine.core.losses)."""

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
    mini_batches,
    settings_section,
    title,
)

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
    check(document, iterations)
    network, config = document.network, document.training
    batches = mini_batches(document)
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
        DOCSTRING.substitute(
            title=title(document, "PyTorch"),
            about=("PyTorch's nn.Linear layers, autograd, losses and optimisers, in float64; "
                   "autograd computes\nthe deltas below for you.")),
        imports,
        data_section(document),
        settings_section(document, iterations),
    ]
    blocks = [_torch_model(network, config.loss), _TORCH_FORWARD, get_loss(config.loss).torch_cost,
              _TORCH_OPTIMIZERS[config.optimizer]]
    restore = ""
    if config.optimizer in _TORCH_RESTORE:
        blocks.append(_TORCH_RESTORE[config.optimizer])
        restore = "    restore_state(model, optimizer)\n"
    if batches:
        blocks.append(BATCHES)
    blocks += [ARGUMENTS, _TORCH_MAIN.substitute(batch=batch, restore=restore)]
    return assemble(header, blocks)

