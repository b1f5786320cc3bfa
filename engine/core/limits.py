"""Every size limit of Backprop Lab in one place, shared by whoever writes and whoever reads.

The counts bound what a network and its data may hold; the byte limits of files are derived
from them, so that anything within the counts that the app saves, it also opens again:

    MAX_FILE_BYTES   a network file: parameters, optimiser state (up to twice the
                     parameters, Adam's two moments), data, settings, breakpoints
    MAX_CSV_BYTES    a data set as CSV

Each number is written as its shortest exact repr, at most ``NUMBER_CHARS`` characters
(``-2.2250738585072014e-308``), so the bounds below hold for any values; the writers still
measure what they wrote and refuse, with a message, anything over the limit.

Memory is the other limit: a network with 4,096-neuron layers and 100,000 observations is
within every count, yet training and showing it needs tens of GiB. ``check_memory`` estimates
what the engine and its views hold for a network and its data and refuses, naming the
figures, what exceeds the budget: half of this machine's memory, or
``$BACKPROP_LAB_MEMORY_BUDGET`` (bytes, or with a K, M or G suffix).
"""

from __future__ import annotations

import os
import re

MAX_LAYERS = 32
MAX_NEURONS_PER_LAYER = 4096
MAX_PARAMETERS = 4_000_000
MAX_OBSERVATIONS = 100_000
MAX_DATA_VALUES = 16_000_000  # observations × (inputs + targets): 160 columns of 100,000 rows
MAX_BREAKPOINTS = 1000
MAX_STATE_ITERATION = 2**53  # iterations a file can record: far beyond any run (and exact)

NUMBER_CHARS = 24  # the longest repr of a float64
# a network file's numbers: parameters, up to two optimiser state vectors, the data; each
# number with its separator (", "), each row with its indentation, brackets and line break
_FILE_NUMBERS = 3 * MAX_PARAMETERS + MAX_DATA_VALUES
_FILE_ROWS = 3 * (MAX_LAYERS * MAX_NEURONS_PER_LAYER + MAX_LAYERS) + 2 * MAX_OBSERVATIONS
MAX_FILE_BYTES = (NUMBER_CHARS + 2) * _FILE_NUMBERS + 16 * _FILE_ROWS + 2**20
# a CSV file: one separator per number (a comma or the line break), a header of names
MAX_CSV_BYTES = (NUMBER_CHARS + 1) * MAX_DATA_VALUES + 2**20

MEMORY_ENV = "BACKPROP_LAB_MEMORY_BUDGET"
GIB = 2**30
# What the engine and its views keep per observation and neuron (float64 each): a full pass
# for the views (n, a, ∂C/∂a, ∂a/∂n, δ: 5) while a training step holds its own (about 5).
ARRAYS_PER_NEURON_SHOWN = 5
ARRAYS_PER_NEURON_STEP = 5
# per parameter: θ, the document's copy, two gradient buffers, the update's temporaries (3)
ARRAYS_PER_PARAMETER = 7
HISTORY_BYTES = 160 * 2**20  # snapshots, checkpoints (64 MiB each) and exact losses (32 MiB)
# reading a file: its text, then about 32 bytes per number as Python objects (measured:
# 2.9 times the file at the largest network, bench/file_limits.py)
READ_BYTES_PER_FILE_BYTE = 4
# --trace as JSON: a Python float in a list (32 bytes), then its text (up to 26)
TRACE_BYTES_PER_NUMBER = 60


class MemoryBudgetError(ValueError):
    """What was asked for needs more memory than the budget; the message gives the figures."""


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _parse_size(text: str) -> int | None:
    """Bytes from "8000000000", "8G", "1.5G", "512M", "3GiB"; None for anything else."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    if not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", number):
        return None
    return int(float(number) * scale)


def memory_budget() -> tuple[int, str]:
    """(bytes the app may use for one network, where that figure comes from)."""
    chosen = os.environ.get(MEMORY_ENV)
    if chosen:
        size = _parse_size(chosen)
        if size is not None and size > 0:
            return size, f"${MEMORY_ENV}"
    physical = _physical_memory()
    if physical is None:
        return 4 * GIB, "a guess: this machine's memory is unknown"
    return physical // 2, f"half of this machine's {gib(physical)}"


def gib(size: float) -> str:
    return f"{size / GIB:.1f} GiB" if size >= GIB / 10 else f"{size / 2**20:.0f} MiB"


def training_memory(sizes: list[int], observations: int, batch: int | None = None,
                    optimizer_vectors: int = 2) -> int:
    """Bytes the engine and its views hold for a network of ``sizes`` trained on
    ``observations`` (``batch`` a step: all of them by default) with an optimiser keeping
    ``optimizer_vectors`` vectors like θ (momentum 1, Adam 2), counting what reading its
    file back takes too."""
    neurons = sum(sizes)
    batch = observations if batch is None else min(batch, observations)
    parameters = sum(sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(len(sizes) - 1))
    per_neuron = 8 * neurons * (ARRAYS_PER_NEURON_SHOWN * observations
                                + ARRAYS_PER_NEURON_STEP * batch)
    per_parameter = 8 * parameters * (ARRAYS_PER_PARAMETER + optimizer_vectors)
    data_values = observations * (sizes[0] + sizes[-1])
    data = 8 * 3 * data_values  # the stepper's, the document's, a batch
    # and opening its file again (what this machine trains, it must also read back)
    file_bytes = (NUMBER_CHARS + 2) * (parameters * (1 + optimizer_vectors) + data_values)
    return (per_neuron + per_parameter + data + HISTORY_BYTES
            + READ_BYTES_PER_FILE_BYTE * file_bytes)


def check_memory(sizes: list[int], observations: int, batch: int | None = None,
                 optimizer_vectors: int = 2, what: str = "layers and data") -> None:
    """MemoryBudgetError, naming the figures and what would fit, when training and showing
    this network on this many observations would need more memory than the budget."""
    needed = training_memory(sizes, observations, batch, optimizer_vectors)
    budget, source = memory_budget()
    if needed <= budget:
        return
    advice = "use smaller layers"
    fixed = training_memory(sizes, 0, 0, optimizer_vectors)
    per_observation = training_memory(sizes, 1, 1, optimizer_vectors) - fixed
    if fixed < budget:
        fits = int((budget - fixed) // per_observation)
        if fits >= 1:
            advice = f"at most about {fits:,} observations fit, or use smaller layers"
    raise MemoryBudgetError(
        f"{what}: {observations:,} observations through {sum(sizes):,} neurons "
        f"({'-'.join(map(str, sizes))}) need about {gib(needed)} to train and show, more "
        f"than the {gib(budget)} this app allows itself ({source}); {advice}")


def check_trace_memory(sizes: list[int], observations: int) -> None:
    """MemoryBudgetError when printing every intermediate of a pass as JSON (the CLI's
    --trace: five numbers per observation and neuron, each a Python float in a list and then
    text) would need more memory than the budget."""
    numbers = 5 * observations * sum(sizes[1:]) + 2 * sum(
        sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(len(sizes) - 1))
    needed = TRACE_BYTES_PER_NUMBER * numbers + training_memory(sizes, observations)
    budget, source = memory_budget()
    if needed > budget:
        raise MemoryBudgetError(
            f"--trace: {numbers:,} numbers to print need about {gib(needed)}, more than the "
            f"{gib(budget)} this app allows itself ({source}); leave out --trace, or use "
            "fewer observations")


def check_read_memory(size: int) -> None:
    """MemoryBudgetError when reading a file of ``size`` bytes would need more memory than
    the budget (its text and the numbers it holds, before anything is checked)."""
    needed = READ_BYTES_PER_FILE_BYTE * size
    budget, source = memory_budget()
    if needed > budget:
        raise MemoryBudgetError(
            f"file: {size:,} bytes; reading it needs about {gib(needed)}, more than the "
            f"{gib(budget)} this app allows itself ({source})")
