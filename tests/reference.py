"""The tests' independent reference, written once from the seeds' formulas and never from
the engine: a vectorised sigmoid network (forward, backward, gradient descent) and the same
backward pass one scalar at a time, as a learner writes it by hand.

Notation (seed 000): n^{l+1} = a^l W^l + b^l, a^{l+1} = σ(n^{l+1}); W^l[i, j] is the weight
from neuron i of layer l to neuron j of layer l+1.

* sse (seed 000): C = Σ (a^L − y)² over observations and outputs, ∂C/∂a^L = 2 (a^L − y);
* bce (seed 001): C = −(1/m) Σ [y ln a^L + (1 − y) ln(1 − a^L)], so δ^L = (a^L − y) / m.

Every function here is checked against finite differences of its own cost in
tests/engine/analysis/test_gradcheck.py and tests/engine/lessons/test_lessons.py, so that a
wrong reference cannot make a wrong engine look right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# seed 000's two observations and its 2-3-3-2 network
SEED_000_INPUTS = np.array([[0.8, 0.4], [0.3, 0.3]])
SEED_000_TARGETS = np.array([[0.2, 0.4], [1.0, 0.0]])
SEED_000_SIZES = (2, 3, 3, 2)


def sigmoid(n):
    """σ(n) = 1 / (1 + e^−n), for a number or an array."""
    return 1.0 / (1.0 + np.exp(-n))


def forward(W, b, x) -> list[np.ndarray]:
    """a^0 … a^L of a sigmoid network; ``b`` None: no biases."""
    a = [np.asarray(x, dtype=float)]
    for l, weights in enumerate(W):
        a.append(sigmoid(a[-1] @ weights + (0.0 if b is None else b[l])))
    return a


@dataclass
class Pass:
    """One forward and backward pass: C, a^l, ∂C/∂a^L, δ^l, ∂C/∂W^l, ∂C/∂b^l."""

    cost: float
    a: list
    dcost_da_out: np.ndarray
    delta: dict
    dW: list
    db: list


def backprop(W, b, x, y, loss: str) -> Pass:
    """Forward and backward over all observations at once (``loss`` "sse" or "bce")."""
    a = forward(W, b, x)
    y = np.asarray(y, dtype=float)
    out, m, L = a[-1], len(a[0]), len(W)
    if loss == "sse":
        cost = float(np.sum((out - y) ** 2))
        dcost_da = 2.0 * (out - y)
        delta = dcost_da * out * (1.0 - out)
    elif loss == "bce":
        cost = float(-np.sum(y * np.log(out) + (1.0 - y) * np.log(1.0 - out)) / m)
        dcost_da = (out - y) / (m * out * (1.0 - out))
        delta = (out - y) / m
    else:
        raise ValueError(f"the reference knows sse and bce, not {loss!r}")
    deltas, dW, db = {L: delta}, [None] * L, [None] * L
    for l in range(L, 0, -1):
        dW[l - 1] = a[l - 1].T @ deltas[l]
        db[l - 1] = deltas[l].sum(axis=0)
        if l > 1:
            deltas[l - 1] = (deltas[l] @ np.asarray(W[l - 1]).T) * a[l - 1] * (1.0 - a[l - 1])
    return Pass(cost, a, dcost_da, deltas, dW, db)


def gd_step(W, b, x, y, loss: str, rate: float) -> float:
    """One gradient-descent iteration in place (``b`` None: no biases); returns the loss
    before it."""
    result = backprop(W, b, x, y, loss)
    for l in range(len(W)):
        W[l] -= rate * result.dW[l]
        if b is not None:
            b[l] -= rate * result.db[l]
    return result.cost


def train(W, b, x, y, loss: str, rate: float, iterations: int, each=None) -> np.ndarray:
    """``iterations`` steps in place; ``each(W, b)`` after every step. Returns the losses."""
    losses = np.empty(iterations)
    for t in range(iterations):
        losses[t] = gd_step(W, b, x, y, loss, rate)
        if each is not None:
            each(W, b)
    return losses


def hand_backprop(sizes, weights, biases, inputs, targets):
    """Seed 000's sse network, one scalar at a time, with plain Python floats.

    weights[l][i][j] = w^l_{i,j} (neuron i of layer l → neuron j of layer l+1), biases[l][j].
    Returns (cost, ∂C/∂w as nested lists, ∂C/∂b as nested lists), summed over observations.
    """
    layer_count = len(sizes) - 1
    dweights = [[[0.0] * sizes[l + 1] for _ in range(sizes[l])] for l in range(layer_count)]
    dbiases = [[0.0] * sizes[l + 1] for l in range(layer_count)]
    cost = 0.0
    for x, y in zip(inputs, targets, strict=True):
        # forward: n^l_j = Σ_i a^{l−1}_i w^{l−1}_{i,j} + b^{l−1}_j,  a^l_j = σ(n^l_j)
        a = [[float(value) for value in x]]
        for l in range(layer_count):
            layer = []
            for j in range(sizes[l + 1]):
                n = biases[l][j]
                for i in range(sizes[l]):
                    n += a[l][i] * weights[l][i][j]
                layer.append(1.0 / (1.0 + math.exp(-n)))
            a.append(layer)
        # cost Σ_k (a^L_k − y_k)², ∂C/∂a^L_k = 2 (a^L_k − y_k)
        dcost_da = []
        for k in range(sizes[-1]):
            cost += (a[-1][k] - y[k]) ** 2
            dcost_da.append(2.0 * (a[-1][k] - y[k]))
        # backward: δ^l_j = ∂C/∂a^l_j · a^l_j (1 − a^l_j);  ∂C/∂a^{l−1}_i = Σ_j w^{l−1}_{i,j} δ^l_j
        for l in range(layer_count, 0, -1):
            delta = [dcost_da[j] * a[l][j] * (1.0 - a[l][j]) for j in range(sizes[l])]
            for j in range(sizes[l]):
                dbiases[l - 1][j] += delta[j]
                for i in range(sizes[l - 1]):
                    dweights[l - 1][i][j] += a[l - 1][i] * delta[j]
            dcost_da = [
                sum(weights[l - 1][i][j] * delta[j] for j in range(sizes[l]))
                for i in range(sizes[l - 1])
            ]
    return cost, dweights, dbiases
