"""Cost functions over a batch: ``n`` the output layer's pre-activations, ``a = f(n)`` its
activations, ``y`` the targets, all (observations × outputs); m = observations, k = outputs.

=================  ==========================================  ============================
name               C                                           ∂C/∂a
=================  ==========================================  ============================
``sse``            Σ_o Σ_j (a − y)²   (seed 000's cost)         2 (a − y)
``half_sse``       ½ Σ_o Σ_j (a − y)²   (Mazur's E)             a − y
``mse``            sse / (m · k)                               2 (a − y) / (m · k)
``bce``            −(1/m) Σ_o Σ_j [y ln a + (1 − y) ln(1 − a)]  (a − y) / (m · a (1 − a))
``cross_entropy``  −(1/m) Σ_o Σ_j y ln a                       −y / (m · a)
=================  ==========================================  ============================

Conventions: ``bce`` and ``cross_entropy`` average over the m observations only and sum over
the k outputs (PyTorch's and Keras's ``mean`` averages over m · k elements, so with k outputs
ours is k times theirs); ``mse`` averages over all m · k; ``sse`` sums.

``bce`` needs a sigmoid output layer and ``cross_entropy`` a softmax one, and for those two
pairs the cost is computed from the pre-activations n, in the stable form, unclipped:

- sigmoid + bce: −ln σ(n) = softplus(−n) and −ln(1 − σ(n)) = softplus(n), so
  C = (1/m) Σ [y softplus(−n) + (1 − y) softplus(n)], softplus(x) = ln(1 + eˣ);
- softmax + cross-entropy: ln a_j = n_j − logsumexp(n), so
  C = (1/m) Σ_o Σ_j y_j (logsumexp(n_o) − n_oj) (taken as ln a while no output is below
  1e-290: a carries its 16 digits there, and a logarithm costs less than a log-softmax).

That is the function the gradients descend: a saturated output (σ(40) rounds to 1) costs its
true 40, not the ln(1e12) ≈ 27.63 that a logarithm of a clipped a would cap it at.

δ = ∂C/∂n of the output layer is also computed in its closed form for those pairs
(sigmoid + bce: (a − y)/m; softmax + cross-entropy: (a Σ_j y_j − y)/m), the exact product
∂C/∂a · ∂a/∂n without the division by a (1 − a) that fails when a neuron saturates. The
∂C/∂a shown for them sees a clipped into [1e-12, 1 − 1e-12], so that it stays finite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LOG_CLIP = 1e-12


@dataclass(frozen=True)
class Loss:
    name: str
    formula: str
    derivative_formula: str
    value: Callable[[np.ndarray, np.ndarray, np.ndarray], float]  # C(n, a, y)
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]  # ∂C/∂a (a, y)
    required_output: str | None = None
    reduction: str = ""  # in words: what is summed and what is averaged
    stable_form: str | None = None  # how C is computed from n, for the pairs that do
    # δ of the output layer in closed form, (a, y) → δ, for the pair with required_output
    closed_delta: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    # the exported NumPy script's cost(n, a, y) (and dcost_da(a, y) where it is used)
    numpy_code: str = ""
    numpy_closed_delta: str | None = None  # the body of its output_delta for the pair
    torch_cost: str = ""  # the PyTorch script's cost(output, y), its reduction said

    def describe(self) -> str:
        """Several lines on the loss: its formula, ∂C/∂a, the reduction, how it is computed."""
        lines = [f"{self.name}: C = {self.formula}", f"∂C/∂a = {self.derivative_formula}",
                 f"reduction: {self.reduction}"]
        if self.required_output is not None:
            lines.append(f"needs a {self.required_output} output layer; computed as "
                         f"{self.stable_form}")
        return "\n".join(lines)


def _sse(n: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    error = a - y
    error *= error
    return float(np.add.reduce(error, axis=None))  # np.sum's sum, without its wrapper


def _sse_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 2.0 * (a - y)


def _half_sse(n: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    # ½ Σ (a − y)²: halving is exact in binary, so this is ½ of sse's sum to the last bit
    return 0.5 * _sse(n, a, y)


def _half_sse_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return a - y


def _mse(n: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    error = a - y
    return float(np.sum(error * error) / a.size)  # divided in the run's dtype


def _mse_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (2.0 / a.size) * (a - y)


def softplus(x: np.ndarray) -> np.ndarray:
    """ln(1 + eˣ), without overflow for large x and without losing digits for small."""
    return np.logaddexp(0.0, x)


def _bce(n: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    # −[y ln σ(n) + (1 − y) ln(1 − σ(n))] = y softplus(−n) + (1 − y) softplus(n)
    terms = y * softplus(-n) + (1.0 - y) * softplus(n)
    return float(np.sum(terms) / n.shape[0])


def _clip_bound(dtype) -> float:
    # 1 − 1e-12 is 1 in float32: there the clip stays one float32 step below 1
    return max(LOG_CLIP, float(np.finfo(dtype).epsneg))


def _bce_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    bound = _clip_bound(a.dtype)
    clipped = np.clip(a, bound, 1.0 - bound)
    return (clipped - y) / (a.shape[0] * clipped * (1.0 - clipped))


def log_softmax(n: np.ndarray) -> np.ndarray:
    """ln softmax(n) per row: n − logsumexp(n), shifted by the row's maximum."""
    shifted = n - np.max(n, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


SATURATED = 1e-290  # a softmax output below this has lost digits (or is 0): ln a from n


def _cross_entropy(n: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    # −Σ y ln a_j with ln a_j = n_j − logsumexp(n). While every output is well inside the
    # floats, ln a is as accurate (a carries 16 digits) and five times cheaper; once one
    # saturates (a_j → 0), the log-softmax form from n. A float32 run (7 digits) takes the
    # log-softmax form always, as PyTorch's cross_entropy does
    log_a = (np.log(a) if a.dtype == np.float64 and a.min() > SATURATED
             else log_softmax(n))
    return float(-np.sum(y * log_a) / n.shape[0])


def _cross_entropy_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -y / (a.shape[0] * np.maximum(a, LOG_CLIP))


def _sigmoid_bce_delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # (a − y) / (m a (1 − a)) ⊙ a (1 − a) = (a − y) / m
    return (a - y) / a.shape[0]


def _softmax_cross_entropy_delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Σ_k ∂C/∂a_k ∂a_k/∂n_j = (a_j Σ_k y_k − y_j) / m
    return (a * np.sum(y, axis=1, keepdims=True) - y) / a.shape[0]


LOSSES: dict[str, Loss] = {
    "sse": Loss(
        "sse", "Σ (a − y)²", "2 (a − y)", _sse, _sse_gradient,
        reduction="summed over observations and outputs (seed 000's cost)",
        numpy_code='''\
def cost(n, a, y):
    # C = Σ_o Σ_j (a − y)²   (seed 000's cost: summed, not averaged)
    error = a - y
    return float(np.sum(error * error))


def dcost_da(a, y):
    # ∂C/∂a^L = 2 (a − y)
    return 2.0 * (a - y)''',
        torch_cost='''\
def cost(output, y):
    # C = Σ_o Σ_j (a − y)²   (seed 000's cost: summed, not averaged: reduction="sum");
    # autograd gives ∂C/∂a^L = 2 (a − y)
    return torch.nn.functional.mse_loss(output, y, reduction="sum")'''),
    "half_sse": Loss(
        "half_sse", "½ Σ (a − y)²", "a − y", _half_sse, _half_sse_gradient,
        reduction="summed over observations and outputs, halved so that ∂C/∂a = a − y "
                  "(Mazur's E = ½ Σ (target − out)²)",
        numpy_code='''\
def cost(n, a, y):
    # C = ½ Σ_o Σ_j (a − y)²   (summed, not averaged; the ½ cancels the 2 of the square)
    error = a - y
    return 0.5 * float(np.sum(error * error))


def dcost_da(a, y):
    # ∂C/∂a^L = a − y
    return a - y''',
        torch_cost='''\
def cost(output, y):
    # C = ½ Σ_o Σ_j (a − y)²   (summed, not averaged, and halved);
    # autograd gives ∂C/∂a^L = a − y
    return 0.5 * torch.nn.functional.mse_loss(output, y, reduction="sum")'''),
    "mse": Loss(
        "mse", "Σ (a − y)² / (m·k)", "2 (a − y) / (m·k)", _mse, _mse_gradient,
        reduction="averaged over observations × outputs (m·k), as PyTorch's "
                  "mse_loss(reduction='mean')",
        numpy_code='''\
def cost(n, a, y):
    # C = Σ_o Σ_j (a − y)² / (m k): the mean over all m·k outputs of the batch
    error = a - y
    return float(np.sum(error * error) / a.size)  # divided in a's dtype


def dcost_da(a, y):
    # ∂C/∂a^L = 2 (a − y) / (m k)
    return (2.0 / a.size) * (a - y)''',
        torch_cost='''\
def cost(output, y):
    # C = Σ_o Σ_j (a − y)² / (m k): the mean over all m·k outputs of the batch
    # (reduction="mean", which for mse_loss divides by m·k, as Backprop Lab does)
    return torch.nn.functional.mse_loss(output, y, reduction="mean")'''),
    "bce": Loss(
        "bce",
        "−(1/m) Σ [y ln a + (1 − y) ln(1 − a)]",
        "(a − y) / (m · a (1 − a))",
        _bce,
        _bce_gradient,
        required_output="sigmoid",
        reduction="summed over outputs, averaged over observations only (m): with k "
                  "outputs it is k times PyTorch's and Keras's mean over m·k",
        stable_form="(1/m) Σ [y softplus(−n) + (1 − y) softplus(n)], from n, unclipped",
        closed_delta=_sigmoid_bce_delta,
        numpy_code='''\
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
        numpy_closed_delta='''\
    # δ^L = ∂C/∂a ⊙ ∂a/∂n = (a − y) / (m a (1 − a)) ⊙ a (1 − a) = (a − y) / m,
    # computed in this simplified form (no division by a (1 − a) when a saturates)
    return (a - y) / a.shape[0]''',
        torch_cost='''\
def cost(output, y):
    # C = −(1/m) Σ_o Σ_j [y ln a + (1 − y) ln(1 − a)] with a = sigmoid(n^L).
    # The model stops at n^L: binary_cross_entropy_with_logits applies the sigmoid itself,
    # in the stable form Backprop Lab uses too (no clipping: a saturated output costs its
    # true value), and its gradient is δ^L = (a − y) / m, Backprop Lab's simplified form.
    # Reduction: "sum" over o and j, then / m. Backprop Lab averages over the observations
    # only; reduction="mean" would also divide by the k outputs.
    m = output.shape[0]
    return torch.nn.functional.binary_cross_entropy_with_logits(output, y, reduction="sum") / m'''),
    "cross_entropy": Loss(
        "cross_entropy",
        "−(1/m) Σ y ln a",
        "−y / (m · a)",
        _cross_entropy,
        _cross_entropy_gradient,
        required_output="softmax",
        reduction="summed over outputs, averaged over observations (m), as PyTorch's "
                  "cross_entropy(reduction='mean') with class probabilities",
        stable_form="(1/m) Σ y (logsumexp(n) − n), from n, unclipped",
        closed_delta=_softmax_cross_entropy_delta,
        numpy_code='''\
def log_softmax(n):
    # ln a_j = n_j − logsumexp(n), per observation (row), shifted by the row's maximum
    shifted = n - np.max(n, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def cost(n, a, y):
    # C = −(1/m) Σ_o Σ_j y ln a with a = softmax(n), unclipped: ln a_j = n_j − logsumexp(n),
    # taken as ln a while every output is above 1e-290 (a keeps its 16 digits there), and
    # from n once an output saturates towards 0 (where ln a would be −inf or imprecise);
    # float32 (7 digits) always from n, as PyTorch's cross_entropy
    log_a = (np.log(a) if a.dtype == np.float64 and a.min() > 1e-290
             else log_softmax(n))
    return float(-np.sum(y * log_a) / n.shape[0])''',
        numpy_closed_delta='''\
    # δ^L_j = Σ_k ∂C/∂a_k ∂a_k/∂n_j = (a_j Σ_k y_k − y_j) / m
    # (softmax followed by cross-entropy, simplified: no division by a)
    return (a * np.sum(y, axis=1, keepdims=True) - y) / a.shape[0]''',
        torch_cost='''\
def cost(output, y):
    # C = −(1/m) Σ_o Σ_j y ln a with a = softmax(n^L). The model stops at n^L:
    # cross_entropy applies the log-softmax itself (y holds one probability per class), and
    # its gradient is δ^L_j = (a_j Σ_k y_k − y_j) / m, the form Backprop Lab uses.
    # Reduction: "sum" over o and j, then / m (the same as reduction="mean" here, which for
    # class probabilities divides by the m observations only).
    m = output.shape[0]
    return torch.nn.functional.cross_entropy(output, y, reduction="sum") / m'''),
}

LOSS_NAMES = tuple(LOSSES)


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(LOSS_NAMES)
        raise ValueError(f"unknown loss {name!r} (known: {known})") from None


def output_delta(
    loss: Loss, activation_name: str, a: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """δ of the output layer in closed form for the matched pairs, else None."""
    if loss.closed_delta is not None and loss.required_output == activation_name:
        return loss.closed_delta(a, y)
    return None
