"""Interchangeable neurons: the symmetry that keeps seed 000's neurons identical.

Two neurons j, k of layer l (1 ≤ l ≤ L) are interchangeable when they have the same incoming
weights (columns j, k of W^{l−1}), the same bias (b^{l−1}_j = b^{l−1}_k) and, below the
output layer, the same outgoing weights (rows j, k of W^l). Such neurons compute the same
activation for every observation, receive the same δ, get the same gradient and so stay
identical under every update: gradient descent cannot tell them apart (seed 001's
w1 = w3, w2 = w4, w5 = w6). Input neurons carry the data and are never grouped.

Frozen parameters (``TrainingConfig.frozen``) count too: the update leaves a frozen one as it
is and moves its unfrozen counterpart, so two neurons stay identical only when their
parameters agree AND each pair of corresponding parameters (w^{l−1}_{i,j} and w^{l−1}_{i,k},
b^{l−1}_j and b^{l−1}_k, w^l_{j,q} and w^l_{k,q}) is frozen alike. One neuron's bias frozen
and the other's not, and the first update that has a non-zero gradient there parts them.
Every function here takes ``frozen``, the config's names (or None: nothing frozen); the
frozen status joins each neuron's signature as one flag per parameter (1.0 frozen, 0.0 not),
which the same relative comparison separates (|1 − 0| > rtol · 1).

Values are equal within a relative tolerance: |u − v| ≤ rtol · max(|u|, |v|).
"""

from __future__ import annotations

import numpy as np

from ..core.network import Network, ParameterAddress

DEFAULT_RTOL = 1e-9


def frozen_mask(network: Network, frozen=None) -> np.ndarray | None:
    """True at the positions in θ of the ``frozen`` names (TrainingConfig.frozen), or None
    when nothing is frozen. A name the network lacks raises ValueError naming it."""
    if not frozen:
        return None
    mask = np.zeros(network.theta.size, dtype=bool)
    for name in frozen:
        mask[network.flat_index(ParameterAddress.parse(name))] = True
    return mask


def with_frozen_flags(rows: np.ndarray, indices: np.ndarray,
                      mask: np.ndarray | None) -> np.ndarray:
    """``rows`` (one signature per neuron, θ[indices]) with each entry's frozen flag appended
    (1.0 frozen, 0.0 not) when some entry of these neurons is frozen; ``rows`` itself when
    none is, so a network without frozen parameters is grouped exactly as before."""
    if mask is None:
        return rows
    flags = mask[indices]
    if not flags.any():
        return rows
    return np.hstack([rows, flags.astype(rows.dtype)])


def neuron_signatures(network: Network, layer: int, frozen=None) -> np.ndarray:
    """One row per neuron of ``layer``: [incoming weights, bias, outgoing weights], and with
    ``frozen`` (the config's names) their frozen flags after them when any is frozen."""
    parts = [network.weights[layer - 1].T]
    if network.bias:
        parts.append(network.biases[layer - 1][:, np.newaxis])
    if layer < network.layer_count:
        parts.append(network.weights[layer])
    rows = np.hstack(parts)
    mask = frozen_mask(network, frozen)
    if mask is None:
        return rows
    return with_frozen_flags(rows, signature_indices(network, layer), mask)


def _close(u: np.ndarray, v: np.ndarray, rtol: float) -> bool:
    return bool(np.all(np.abs(u - v) <= rtol * np.maximum(np.abs(u), np.abs(v))))


def group_rows(rows: np.ndarray, rtol: float = DEFAULT_RTOL) -> list[list[int]]:
    """Groups of equal rows, each in ascending order, ordered by their first member.

    Greedy: row j joins the first group whose first member it is close to. For many rows a
    random projection p = rows · r narrows the comparisons: close rows have
    |p_j − p_k| ≤ rtol · (q_j + q_k) with q = |rows| · |r|, so only rows within that distance
    in sorted p are compared.
    """
    count = len(rows)
    candidates: list[set[int]] | None = None
    if count > 16:
        direction = np.random.default_rng(20201).standard_normal(rows.shape[1])
        p = rows @ direction
        q = np.abs(rows) @ np.abs(direction)
        reach = (rtol + 1e-12) * (q + q.max()) + 1e-300
        order = np.argsort(p, kind="stable")
        sorted_p = p[order]
        if np.all(np.diff(sorted_p) > reach[order][:-1]):  # no two rows within reach:
            return [[index] for index in range(count)]  # all distinct, the usual case
        candidates = [set() for _ in range(count)]
        for a in range(count):
            j = order[a]
            b = a + 1
            while b < count and sorted_p[b] - sorted_p[a] <= reach[j]:
                k = order[b]
                candidates[j].add(int(k))
                candidates[k].add(int(j))
                b += 1
    groups: list[list[int]] = []
    for index, row in enumerate(rows):
        for group in groups:
            first = group[0]
            if candidates is not None and first not in candidates[index]:
                continue
            if _close(rows[first], row, rtol):
                group.append(index)
                break
        else:
            groups.append([index])
    return groups


def symmetry_groups(network: Network, rtol: float = DEFAULT_RTOL,
                    frozen=None) -> list[list[list[int]]]:
    """For each layer 0 … L, its groups of interchangeable neurons (singletons included).
    ``frozen``: the training's frozen parameters by name (``stepper.config.frozen``); neurons
    whose corresponding parameters are frozen differently are never grouped."""
    result = [[[i] for i in range(network.sizes[0])]]
    for layer in range(1, network.layer_count + 1):
        result.append(group_rows(neuron_signatures(network, layer, frozen), rtol))
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


def signature_indices(network: Network, layer: int) -> np.ndarray:
    """Indices into θ of each neuron's signature (as in ``neuron_signatures``): (neurons, f)."""
    size_in, size = network.sizes[layer - 1], network.sizes[layer]
    neurons = np.arange(size)
    incoming_start = network.flat_index(ParameterAddress.weight(layer - 1, 0, 0))
    # w^{l−1}_{i,j} sits at incoming_start + i·size + j: column j of W^{l−1}
    parts = [incoming_start + np.arange(size_in)[np.newaxis, :] * size + neurons[:, np.newaxis]]
    if network.bias:
        bias_start = network.flat_index(ParameterAddress.bias(layer - 1, 0))
        parts.append((bias_start + neurons)[:, np.newaxis])
    if layer < network.layer_count:
        size_out = network.sizes[layer + 1]
        outgoing_start = network.flat_index(ParameterAddress.weight(layer, 0, 0))
        # w^l_{j,k} sits at outgoing_start + j·size_out + k: row j of W^l
        parts.append(outgoing_start + neurons[:, np.newaxis] * size_out
                     + np.arange(size_out)[np.newaxis, :])
    return np.hstack(parts).astype(np.int64)


def distinct_counts_over_history(
    network: Network, snapshots: np.ndarray, rtol: float = DEFAULT_RTOL, frozen=None
) -> np.ndarray:
    """Distinct neurons per non-input layer for each row of θ snapshots: (rows, L).

    The same greedy grouping as ``group_rows``, vectorised over the rows: neuron j starts a
    new group unless it is close to an earlier neuron that started one. ``frozen`` (names)
    applies to every row alike: the flags of the frozen set given, not of the set in force
    when each snapshot was taken.
    """
    snapshots = np.atleast_2d(snapshots)
    counts = np.empty((len(snapshots), network.layer_count), dtype=np.int64)
    mask = frozen_mask(network, frozen)
    for layer in range(1, network.layer_count + 1):
        indices = signature_indices(network, layer)
        signatures = snapshots[:, indices]  # (rows, neurons, f)
        if mask is not None and mask[indices].any():  # the same flags on every row
            flags = np.broadcast_to(mask[indices].astype(signatures.dtype),
                                    signatures.shape)
            signatures = np.concatenate([signatures, flags], axis=2)
        if signatures.shape[1] > 16:  # many neurons: the projection-pruned grouping per row
            counts[:, layer - 1] = [len(group_rows(rows, rtol)) for rows in signatures]
            continue
        magnitude = np.abs(signatures)
        starts_group = np.ones(signatures.shape[:2], dtype=bool)
        for j in range(1, signatures.shape[1]):
            for k in range(j):
                close = np.all(
                    np.abs(signatures[:, k] - signatures[:, j])
                    <= rtol * np.maximum(magnitude[:, k], magnitude[:, j]),
                    axis=1,
                )
                starts_group[:, j] &= ~(starts_group[:, k] & close)
        counts[:, layer - 1] = starts_group.sum(axis=1)
    return counts
