"""The exported NumPy script's functions (engine/io/export/numpy_script.py copies them into the
script by name). Each script defines the names below above these functions: its settings,
its tables of activations and its output_delta."""

# ruff: noqa: B905 (the learner's script zips lists it built the same length itself)

import numpy as np

# ----------------------------------------------- stand-ins for the script's own names
DTYPE = np.float64  # what every array is held and computed in
LEARNING_RATE = MOMENTUM = BETA1 = BETA2 = EPSILON = 0.0
OPTIMIZER_STATE = None
L = 0  # the output layer
FROZEN_WEIGHTS: list = []  # (l, i, j) of each frozen w^l_{i,j}
FROZEN_BIASES: list = []  # (l, j) of each frozen b^l_j
F: list = []  # f_l of layer l
F_DERIVATIVE: list = []  # f_l' of layer l


def output_delta(n, a, y):  # the script's: the loss's δ^L for its output activation
    raise NotImplementedError


# --------------------------------------------------------- the optimisers
def make_gd_optimizer(parameters):
    def update(gradients):
        # θ ← θ − η ∂C/∂θ, every parameter in place
        for theta, g in zip(parameters, gradients):
            theta -= LEARNING_RATE * g
    return update


def make_momentum_optimizer(parameters):
    velocities = saved_state("velocity", parameters)  # v where the run stands (0 at its start)

    def update(gradients):
        for theta, g, v in zip(parameters, gradients, velocities):
            v *= MOMENTUM  # v ← μ v + g
            v += g
            theta -= LEARNING_RATE * v  # θ ← θ − η v
    return update


def make_adam_optimizer(parameters):
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
            m_hat = m / (1.0 - BETA1**t)  # bias correction (1 − β₁ᵗ in double: t is an int)
            v_hat = v / (1.0 - BETA2**t)
            theta -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + EPSILON)
    return update


def frozen_masks(W, b):
    """True where a parameter is frozen: one mask per array of parameters, in their order
    (W^0 …, then b^0 …)."""
    masks = [np.zeros(w.shape, dtype=bool) for w in W]
    masks += [] if b is None else [np.zeros(v.shape, dtype=bool) for v in b]
    for l, i, j in FROZEN_WEIGHTS:
        masks[l][i, j] = True  # w^l_{i,j}
    for l, j in FROZEN_BIASES:
        masks[L + l][j] = True  # b^l_j: the biases follow the L weight matrices
    return masks


def leave_frozen_alone(update, parameters, masks):
    """The update, after which every frozen parameter is put back as it was: as if the
    optimiser skipped it (its gradient is computed all the same). Momentum's v and Adam's m
    and v of a frozen parameter still change inside the update, but no other parameter's
    step uses them, and the frozen parameter itself is put back: the numbers are those of
    an optimiser that leaves it out."""
    def frozen_update(gradients):
        kept = [theta[mask] for theta, mask in zip(parameters, masks)]
        update(gradients)
        for theta, mask, values in zip(parameters, masks, kept):
            theta[mask] = values  # a frozen parameter as it was before the update
    return frozen_update


def saved_state(name, parameters):
    """The optimiser's saved arrays OPTIMIZER_STATE[name] in the order of parameters (W^0 …,
    then b^0 …), or zeros when the run starts afresh."""
    if OPTIMIZER_STATE is None:
        return [np.zeros_like(theta) for theta in parameters]
    arrays = [np.array(w, dtype=DTYPE) for w in OPTIMIZER_STATE[name]["weights"]]
    arrays += [np.array(v, dtype=DTYPE) for v in OPTIMIZER_STATE[name].get("biases", [])]
    return arrays


# --------------------------------------------------------- one pass
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
    return dW, db
