"""Where the network graph puts its neurons, and which of them it draws.

A layer of more than ``FOLD_ABOVE`` neurons (784 inputs, 128 hidden neurons) shows its first
``SHOWN`` and one fold item in the slot below them ("+720 more"); a click on it shows the
whole layer, and the item, then at the bottom of the column, folds it back. Small networks
(every layer of the seeds) are laid out exactly as they always were. Numpy only: the view
turns the plan into items."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FOLD_ABOVE = 64  # a layer with more neurons than this is folded
SHOWN = 64  # neurons drawn of a folded layer: its first ones
LAYER_SPACING = 230.0  # at least, between two columns


@dataclass(frozen=True)
class GraphPlan:
    sizes: tuple[int, ...]
    drawn: tuple[int, ...]  # neurons drawn per layer: always the first ones, 0 … drawn − 1
    folds: tuple[bool, ...]  # whether the layer has a fold item (it is wider than FOLD_ABOVE)
    spacing: float  # between two neurons of a column
    radius: float
    layer_spacing: float
    largest: int  # slots of the tallest column (a fold item takes a slot)
    positions: tuple[np.ndarray, ...]  # per layer, (drawn, 2) scene coordinates
    fold_positions: dict[int, tuple[float, float]]  # layer → the fold item's slot

    @property
    def top(self) -> float:
        return -(self.largest - 1) * self.spacing / 2

    @property
    def folded(self) -> bool:
        """Whether some neurons are not drawn."""
        return self.drawn != self.sizes


def drawn_counts(sizes, expanded=frozenset()) -> tuple[int, ...]:
    """How many neurons of each layer are drawn: all, unless the layer is wider than
    ``FOLD_ABOVE`` and not in ``expanded``."""
    return tuple(size if size <= FOLD_ABOVE or l in expanded else SHOWN
                 for l, size in enumerate(sizes))


def plan(sizes, expanded=frozenset()) -> GraphPlan:
    """The layout of a network of ``sizes`` with the layers ``expanded`` shown whole."""
    sizes = tuple(int(n) for n in sizes)
    drawn = drawn_counts(sizes, expanded)
    folds = tuple(size > FOLD_ABOVE for size in sizes)
    slots = [d + 1 if fold else d for d, fold in zip(drawn, folds, strict=True)]
    largest = max(slots)
    spacing = 90.0 if largest <= 12 else max(14.0, 1100.0 / largest)
    radius = min(24.0, spacing * 0.3)
    layer_count = len(sizes) - 1
    # columns far enough apart that the graph is about twice as wide as it is tall
    layer_spacing = max(LAYER_SPACING, 1.8 * (largest - 1) * spacing / layer_count)
    positions, fold_positions = [], {}
    for l, (count, slot_count) in enumerate(zip(drawn, slots, strict=True)):
        ys = (np.arange(slot_count) - (slot_count - 1) / 2) * spacing
        x = l * layer_spacing
        positions.append(np.column_stack([np.full(count, x), ys[:count]]))
        if folds[l]:
            fold_positions[l] = (x, float(ys[-1]))
    return GraphPlan(sizes, drawn, folds, spacing, radius, layer_spacing, largest,
                     tuple(positions), fold_positions)


def drawn_weights(graph: GraphPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The weights between drawn neurons: their indices into the weights of every layer
    raveled and concatenated (``np.concatenate([w.ravel() for w in network.weights])``),
    and their edges' start and end points, in that order."""
    indices, starts, ends = [], [], []
    offset = 0
    for l in range(len(graph.sizes) - 1):
        width = graph.sizes[l + 1]
        sources, targets = graph.drawn[l], graph.drawn[l + 1]
        # w^l_{i,j} is at offset + i·width + j
        indices.append((offset + np.add.outer(np.arange(sources) * width,
                                              np.arange(targets))).ravel())
        starts.append(np.repeat(graph.positions[l], targets, axis=0))
        ends.append(np.tile(graph.positions[l + 1], (sources, 1)))
        offset += graph.sizes[l] * width
    return (np.concatenate(indices).astype(np.intp), np.vstack(starts).reshape(-1, 2),
            np.vstack(ends).reshape(-1, 2))
