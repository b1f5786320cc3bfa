"""Activation functions: everything about each in one entry (after nn.ts's {output, der}).

Every function takes the pre-activations ``n`` (the seed's n, often called z) of a
whole layer as an (observations × neurons) array.

- ``apply(n)`` gives ``a = f(n)``.
- ``derivative(n, a)`` gives ∂a/∂n element-wise (for softmax: the diagonal
  ∂a_j/∂n_j = a_j (1 − a_j) of its Jacobian, shown for reading only).
- ``backward(dcost_da, da_dn, a)`` gives δ = ∂C/∂n. For the element-wise functions this is
  ∂C/∂a ⊙ ∂a/∂n; for softmax it is the Jacobian–vector product
  δ_j = a_j (∂C/∂a_j − Σ_k ∂C/∂a_k a_k).

An entry also says what the rest of the app needs to know: the symbol the seed's tables use,
the range of a (for the colour scales of the decision boundary), whether it maps an infinite
n to a finite a (the fast path then checks n), and its code in the exported NumPy script and
its module in the PyTorch one. A new activation is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_RELU_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    name: str
    formula: str
    apply: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    elementwise: bool = True
    output_only: bool = False
    # maps an infinite n to a finite a (σ(−inf) = 0, relu(−inf) = 0, softmax of a −inf
    # entry): the loss and θ would not show it, so the fast path checks n of such layers
    hides_infinity: bool = False
    output_range: tuple[float, float] | None = None  # a's bounds, where it has them
    symbol: str = ""  # in the seed's tables (a = σ(n)); the name when empty
    # the exported NumPy script's functions NAME(n) and, for a hidden layer, NAME_derivative(n, a)
    numpy_code: str = ""
    # the output layer's δ in the NumPy script when it is not ∂C/∂a ⊙ f′(n) (softmax mixes)
    numpy_output_delta: str | None = None
    torch_module: str = ""  # the PyTorch script's module for the layer

    @property
    def shown_symbol(self) -> str:
        return self.symbol or self.name

    def backward(self, dcost_da: np.ndarray, da_dn: np.ndarray, a: np.ndarray) -> np.ndarray:
        if self.elementwise:
            # δ = ∂C/∂a ⊙ ∂a/∂n
            return dcost_da * da_dn
        # softmax: δ_j = a_j (g_j − Σ_k g_k a_k), g = ∂C/∂a
        return a * (dcost_da - np.sum(dcost_da * a, axis=1, keepdims=True))


def _sigmoid(n: np.ndarray) -> np.ndarray:
    # σ(n) = 1 / (1 + e^(−n)); e^(−n) may overflow to inf, giving exactly 0, its limit.
    return 1.0 / (1.0 + np.exp(-n))


def _sigmoid_derivative(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    # σ'(n) = σ(n) (1 − σ(n)) = a (1 − a)
    return a * (1.0 - a)


def _tanh_derivative(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    # tanh'(n) = 1 − tanh²(n)
    return 1.0 - a * a


def _relu(n: np.ndarray) -> np.ndarray:
    return np.maximum(n, 0.0)


def _relu_derivative(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    # 1 where n > 0, else 0 (0 at the kink n = 0)
    return (n > 0.0).astype(n.dtype)


def _leaky_relu(n: np.ndarray) -> np.ndarray:
    return np.where(n > 0.0, n, LEAKY_RELU_SLOPE * n)


def _leaky_relu_derivative(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    # np.where of two Python floats is float64: a float32 run keeps float32
    return np.where(n > 0.0, 1.0, LEAKY_RELU_SLOPE).astype(n.dtype, copy=False)


def _linear(n: np.ndarray) -> np.ndarray:
    return n.copy()


def _linear_derivative(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(n)


def _softmax(n: np.ndarray) -> np.ndarray:
    # a_j = e^(n_j − max n) / Σ_k e^(n_k − max n), per observation (row)
    shifted = np.exp(n - np.max(n, axis=1, keepdims=True))
    return shifted / np.sum(shifted, axis=1, keepdims=True)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", "σ(n) = 1 / (1 + e^(−n))", _sigmoid, _sigmoid_derivative,
        hides_infinity=True, output_range=(0.0, 1.0), symbol="σ",
        torch_module="torch.nn.Sigmoid()",
        numpy_code='''\
def sigmoid(n):
    # a = 1 / (1 + e^(−n)); for very negative n, e^(−n) overflows to inf and a = 0, its limit
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-n))


def sigmoid_derivative(n, a):
    # ∂a/∂n = a (1 − a)
    return a * (1.0 - a)'''),
    "tanh": Activation(
        "tanh", "tanh(n)", np.tanh, _tanh_derivative, hides_infinity=True,
        output_range=(-1.0, 1.0), torch_module="torch.nn.Tanh()",
        numpy_code='''\
def tanh(n):
    return np.tanh(n)


def tanh_derivative(n, a):
    # ∂a/∂n = 1 − tanh²(n) = 1 − a²
    return 1.0 - a * a'''),
    "relu": Activation(
        "relu", "max(n, 0)", _relu, _relu_derivative, hides_infinity=True,
        torch_module="torch.nn.ReLU()",
        numpy_code='''\
def relu(n):
    return np.maximum(n, 0.0)


def relu_derivative(n, a):
    # ∂a/∂n = 1 where n > 0, else 0 (0 at the kink n = 0), in n's dtype
    return (n > 0.0).astype(n.dtype)'''),
    "leaky_relu": Activation(
        "leaky_relu", f"n if n > 0 else {LEAKY_RELU_SLOPE}·n", _leaky_relu,
        _leaky_relu_derivative, torch_module=f"torch.nn.LeakyReLU({LEAKY_RELU_SLOPE!r})",
        numpy_code=f'''\
def leaky_relu(n):
    # a = n where n > 0, else {LEAKY_RELU_SLOPE!r} n
    return np.where(n > 0.0, n, {LEAKY_RELU_SLOPE!r} * n)


def leaky_relu_derivative(n, a):
    # ∂a/∂n = 1 where n > 0, else {LEAKY_RELU_SLOPE!r} (also at n = 0); np.where of two
    # Python floats is float64, so it is given n's dtype
    return np.where(n > 0.0, 1.0, {LEAKY_RELU_SLOPE!r}).astype(n.dtype)'''),
    "linear": Activation(
        "linear", "n", _linear, _linear_derivative, torch_module="torch.nn.Identity()",
        numpy_code='''\
def linear(n):
    return n.copy()


def linear_derivative(n, a):
    return np.ones_like(n)'''),
    "softmax": Activation(
        "softmax",
        "e^(n_j) / Σ_k e^(n_k)",
        _softmax,
        _sigmoid_derivative,  # diagonal of the Jacobian: a_j (1 − a_j)
        elementwise=False,
        output_only=True,
        hides_infinity=True,
        output_range=(0.0, 1.0),
        torch_module="torch.nn.Softmax(dim=1)",
        numpy_code='''\
def softmax(n):
    # a_j = e^(n_j − max n) / Σ_k e^(n_k − max n), per observation (row); shifting by the
    # row's maximum changes nothing but keeps e^ from overflowing
    shifted = np.exp(n - np.max(n, axis=1, keepdims=True))
    return shifted / np.sum(shifted, axis=1, keepdims=True)''',
        numpy_output_delta='''\
    # softmax mixes the outputs of a row: δ_j = a_j (g_j − Σ_k g_k a_k), g = ∂C/∂a
    g = dcost_da(a, y)
    return a * (g - np.sum(g * a, axis=1, keepdims=True))'''),
}

ACTIVATION_NAMES = tuple(ACTIVATIONS)  # the built-in ones; ACTIVATIONS is the registry


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (known: {known})") from None
