"""The exported PyTorch script's functions (engine/io/export/pytorch_script.py copies them into
the script by name). Each script imports torch and defines the names below above these
functions: its settings. PyTorch is an optional extra: the app reads this file as text."""

try:
    import torch
except ImportError:  # the app never runs these functions; the exported script imports torch
    torch = None

# ----------------------------------------------- stand-ins for the script's own names
LEARNING_RATE = MOMENTUM = BETA1 = BETA2 = EPSILON = 0.0
OPTIMIZER_STATE = None
FROZEN_WEIGHTS: list = []  # (l, i, j) of each frozen w^l_{i,j}
FROZEN_BIASES: list = []  # (l, j) of each frozen b^l_j


# --------------------------------------------------------- the optimisers
def make_gd_optimizer(model):
    # θ ← θ − η ∂C/∂θ
    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)


def make_momentum_optimizer(model):
    # v ← μ v + g;  θ ← θ − η v   (v = 0 before the first update)
    # torch's SGD with momentum (dampening 0, no Nesterov) is exactly this rule: its first
    # v is g itself, which is μ·0 + g
    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM,
                           dampening=0.0, nesterov=False)


def make_adam_optimizer(model):
    # m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²   (t = 1, 2, …)
    # θ ← θ − η m̂ / (√v̂ + ε),
    #     m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
    # torch computes θ − (η / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε):
    # the same formula, ε added after the square root of the bias-corrected v
    return torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(BETA1, BETA2),
                            eps=EPSILON, weight_decay=0.0, amsgrad=False)


# ------------------------------------------- where a saved run stands, in torch's places
def restore_momentum_state(model, optimizer):
    """Momentum's v where the run stands, in torch's place for it (its "momentum_buffer";
    nn.Linear holds W^l transposed, so its v is too)."""
    if OPTIMIZER_STATE is None:
        return  # a fresh run: torch starts v at the first gradient, which is μ·0 + g
    velocity, state = OPTIMIZER_STATE["velocity"], optimizer.state
    linears = [module for module in model if isinstance(module, torch.nn.Linear)]
    for l, linear in enumerate(linears):
        state[linear.weight]["momentum_buffer"] = torch.tensor(velocity["weights"][l]).T
        if linear.bias is not None:
            state[linear.bias]["momentum_buffer"] = torch.tensor(velocity["biases"][l])


def restore_adam_state(model, optimizer):
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
                exp_avg=m.T if transposed else m, exp_avg_sq=v.T if transposed else v)


# ------------------------------------------------------------- frozen parameters
def frozen_masks(model):
    """(parameter, mask) for each of the model's tensors that holds a frozen parameter, True
    where one is (nn.Linear holds W^l transposed: w^l_{i,j} is its weight[j, i])."""
    linears = [module for module in model if isinstance(module, torch.nn.Linear)]
    masks = {}
    for l, i, j in FROZEN_WEIGHTS:
        weight = linears[l].weight
        masks.setdefault(weight, torch.zeros_like(weight, dtype=torch.bool))[j, i] = True
    for l, j in FROZEN_BIASES:
        bias = linears[l].bias
        masks.setdefault(bias, torch.zeros_like(bias, dtype=torch.bool))[j] = True
    return list(masks.items())


def step_leaving_frozen_alone(optimizer, frozen):
    """optimizer.step(), then every frozen parameter put back as it was: as if the optimiser
    skipped it (autograd computes its gradient all the same). Its momentum buffer or Adam
    moments still change inside step(), but no other parameter's step uses them, and the
    frozen parameter itself is put back."""
    kept = [(theta, mask, theta[mask].clone()) for theta, mask in frozen]
    optimizer.step()
    with torch.no_grad():
        for theta, mask, values in kept:
            theta[mask] = values  # a frozen parameter as it was before the step


# --------------------------------------------------------- one pass
def forward(model, x):
    """The model's output and every n^l (what each Linear layer computes), to check them."""
    pre_activations = []
    for module in model:
        x = module(x)
        if isinstance(module, torch.nn.Linear):
            pre_activations.append(x)
    return x, pre_activations
