"""Interchangeable neurons: the symmetry that keeps seed 000's neurons identical.

Two neurons j, k of layer l (1 ≤ l ≤ L) are interchangeable when they have the same incoming
weights (columns j, k of W^{l−1}), the same bias (b^{l−1}_j = b^{l−1}_k) and, below the
output layer, the same outgoing weights (rows j, k of W^l). Such neurons compute the same
activation for every observation, receive the same δ, get the same gradient and so stay
identical under every update: gradient descent cannot tell them apart (seed 001's
w1 = w3, w2 = w4, w5 = w6). Input neurons carry the data and are never grouped.

Values are equal within a relative tolerance: |u − v| ≤ rtol · max(|u|, |v|).
"""

from __future__ import annotations

import numpy as np

from .network import Network

DEFAULT_RTOL = 1e-9


def neuron_signatures(network: Network, layer: int) -> np.ndarray:
    """One row per neuron of ``layer``: [incoming weights, bias, outgoing weights]."""
    parts = [network.weights[layer - 1].T]
    if network.bias:
        parts.append(network.biases[layer - 1][:, np.newaxis])
    if layer < network.layer_count:
        parts.append(network.weights[layer])
    return np.hstack(parts)


def _close(u: np.ndarray, v: np.ndarray, rtol: float) -> bool:
    return bool(np.all(np.abs(u - v) <= rtol * np.maximum(np.abs(u), np.abs(v))))


def group_rows(rows: np.ndarray, rtol: float = DEFAULT_RTOL) -> list[list[int]]:
    """Groups of equal rows, each in ascending order, ordered by their first member."""
    groups: list[list[int]] = []
    for index, row in enumerate(rows):
        for group in groups:
            if _close(rows[group[0]], row, rtol):
                group.append(index)
                break
        else:
            groups.append([index])
    return groups


def symmetry_groups(network: Network, rtol: float = DEFAULT_RTOL) -> list[list[list[int]]]:
    """For each layer 0 … L, its groups of interchangeable neurons (singletons included)."""
    result = [[[i] for i in range(network.sizes[0])]]
    for layer in range(1, network.layer_count + 1):
        result.append(group_rows(neuron_signatures(network, layer), rtol))
    return result


def distinct_counts(groups: list[list[list[int]]]) -> list[int]:
    """The number of distinct neurons in each layer."""
    return [len(layer_groups) for layer_groups in groups]


def describe(network: Network, groups: list[list[list[int]]]) -> str:
    """E.g. 'layer 1: 3 neurons, 1 distinct · layer 2: 3 neurons, 1 distinct'."""
    parts = []
    for layer in range(1, network.layer_count + 1):
        size = network.sizes[layer]
        parts.append(f"layer {layer}: {size} neuron{'s' if size != 1 else ''}, "
                     f"{len(groups[layer])} distinct")
    return " · ".join(parts)


def distinct_counts_over_history(
    network: Network, snapshots: np.ndarray, rtol: float = DEFAULT_RTOL
) -> np.ndarray:
    """Distinct neurons per non-input layer for each row of θ snapshots: (rows, L)."""
    probe = network.copy()
    counts = np.empty((len(snapshots), network.layer_count), dtype=np.int64)
    for row, theta in enumerate(snapshots):
        probe.theta[...] = theta
        for layer in range(1, network.layer_count + 1):
            counts[row, layer - 1] = len(group_rows(neuron_signatures(probe, layer), rtol))
    return counts
