"""The numbers as CSV: the weights, the gradients, the loss history and the weight
trajectories (see the package docstring for the conventions)."""

from __future__ import annotations

import csv
import io

import numpy as np

from ...core.history import History
from ...core.network import Network
from ...core.precision import number_text


def _csv_text(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _number(value) -> str:
    """The shortest text that reads back as exactly this number: repr of the float, or of
    the float32 in a float32 run (0.1, not 0.10000000149011612)."""
    return number_text(value)


def _parameter_rows(network: Network) -> list[list[str]]:
    rows = []
    for address in network.addresses():
        source = "" if address.source is None else str(address.source)
        rows.append([str(address), str(address.layer), source, str(address.target)])
    return rows


def weights_csv(network: Network) -> str:
    """``parameter,layer,from,to,value``: one row per weight and bias, in the order of θ.

    ``layer`` is l of w^l_{i,j} / b^l_j (the parameter feeds layer l+1); ``from`` is i
    (empty for a bias), ``to`` is j.
    """
    rows = _parameter_rows(network)
    for row, value in zip(rows, network.theta, strict=True):
        row.append(_number(value))
    return _csv_text(["parameter", "layer", "from", "to", "value"], rows)


def gradients_csv(network: Network, gradient) -> str:
    """``parameter,layer,from,to,value,gradient``: as ``weights_csv`` plus ∂C/∂θ.

    ``gradient`` is a flat vector laid out like ``network.theta`` (a Trace's ``gradient``).
    Non-finite gradients are written as ``nan`` / ``inf`` (``float`` reads them back).
    """
    gradient = np.asarray(gradient)
    if gradient.dtype != np.float32:  # a float32 run's gradient is written as float32
        gradient = gradient.astype(float)
    if gradient.shape != network.theta.shape:
        raise ValueError(f"gradient: expected {network.theta.size} values (one per parameter, "
                         f"laid out like θ), got shape {gradient.shape}")
    rows = _parameter_rows(network)
    for row, value, slope in zip(rows, network.theta, gradient, strict=True):
        row += [_number(value), _number(slope)]
    return _csv_text(["parameter", "layer", "from", "to", "value", "gradient"], rows)


def history_csv(history: History) -> str:
    """``iteration,loss``: the loss recorded in every iteration so far (history.losses),
    numbered from the history's first iteration (0, or where a saved run continued)."""
    rows = ([str(t), _number(loss)]
            for t, loss in enumerate(history.losses, start=history.start))
    return _csv_text(["iteration", "loss"], rows)


def history_parameters_csv(history: History, network: Network) -> str:
    """``iteration,<parameter>,…``: θ at the start of each snapshotted iteration.

    Snapshots are kept at a stride (coarsened in long runs), so the iterations listed are
    ``history.snapshot_iterations``, not necessarily every one.
    """
    snapshots = history.snapshots
    if snapshots.shape[1] != network.theta.size:
        raise ValueError(f"history: snapshots hold {snapshots.shape[1]} parameters but the "
                         f"network has {network.theta.size}; export the history with the "
                         "network it was recorded for")
    header = ["iteration", *(str(address) for address in network.addresses())]
    rows = ([str(int(t)), *(_number(v) for v in row)]
            for t, row in zip(history.snapshot_iterations, snapshots, strict=True))
    return _csv_text(header, rows)


