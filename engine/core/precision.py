"""The floating-point type a run computes in: ``training.dtype``.

``float64`` (the default) is numpy's double, 16 significant digits; ``float32`` is PyTorch's
default, 7 to 8 digits, so that a learner sees the numbers their PyTorch code shows. In a
float32 run every phase is computed in float32 — parameters, pre-activations, activations,
∂C/∂a, δ, gradients, the loss, the optimiser's vectors — and the history keeps float32
snapshots and checkpoints. The data stays as given (float64, as the file has it) and is
rounded to float32 once, as ``torch.tensor(data, dtype=torch.float32)`` does.

A float32 number is shown by ``number_text``: the shortest text that reads back as the same
float32 (0.1, not 0.10000000149011612, the float64 that holds it exactly).
"""

from __future__ import annotations

import numpy as np

DTYPES = {"float64": np.dtype(np.float64), "float32": np.dtype(np.float32)}
DTYPE_NAMES = tuple(DTYPES)
DEFAULT_DTYPE = "float64"


def dtype_of(name: str) -> np.dtype:
    """The numpy dtype of a ``training.dtype`` name; ValueError naming the field."""
    try:
        return DTYPES[name]
    except (KeyError, TypeError):
        raise ValueError(f"training.dtype: unknown dtype {name!r} (known: "
                         f"{', '.join(DTYPE_NAMES)})") from None


def largest(dtype) -> float:
    """The largest finite number of ``dtype`` (3.4028235e+38 for float32)."""
    return float(np.finfo(dtype).max)


def check_fits(dtype, values: np.ndarray, what: str) -> None:
    """ValueError when a finite value of ``values`` would be inf in ``dtype`` (a float32
    run holds numbers up to 3.4028235e+38), naming ``what`` and where."""
    values = np.asarray(values)
    if values.dtype == np.dtype(dtype) or not values.size:
        return
    big = np.abs(values) > largest(dtype)
    if big.any():
        index = tuple(int(i) for i in np.argwhere(big)[0])
        where = f"[{']['.join(map(str, index))}]" if index else ""
        raise ValueError(f"{what}{where}: {float(values[index])!r} does not fit "
                         f"{np.dtype(dtype).name} (at most {largest(dtype):.8g} in size)")


def number_text(value) -> str:
    """The shortest text that reads back as exactly this number in its own precision: a
    float32 element as float32 (0.1), anything else as a Python float (its repr)."""
    if isinstance(value, np.float32):
        return str(value)  # numpy's shortest float32 repr: 0.1, 1e-08, inf, nan
    return repr(float(value))


def shortest_floats(array: np.ndarray) -> list:
    """``array.tolist()`` with float32 values as the float64 of their shortest text (0.1
    rather than 0.10000000149011612): a file or a script written from a float32 run shows
    the numbers PyTorch prints, and reading them back as float32 gives the same bits."""
    array = np.asarray(array)
    if array.dtype != np.float32:
        return array.tolist()
    return array.astype(str).astype(np.float64).tolist()
