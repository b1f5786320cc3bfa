"""The networks and data the lessons start from: the seeds' own, and a band of points
that no straight line separates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core.init import InitSpec, initial_theta
from ..core.network import Network
from ..core.optimizers import TrainingConfig
from ..io import fileformat, generators
from ..io.fileformat import Document

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def seed_000() -> Document:
    """Seed 000: the 2-3-3-2 sigmoid network, every weight and bias 1, learning rate 0.5."""
    return fileformat.load(EXAMPLES / "seed-000.json")


def seed_001_tied() -> Document:
    """Seed 001: 2-2-1 without biases, w1 = w3, w2 = w4, w5 = w6."""
    document = fileformat.load(EXAMPLES / "seed-001-tied.json")
    document.init = InitSpec("uniform", 0)
    return document


def band_data() -> tuple[np.ndarray, np.ndarray]:
    """Fifteen points on a 5 × 3 grid of the unit square; class 1 where x1 is 0.25 or 0.5.

    No straight line separates the band from the rest (the best line gets 12 of 15 right),
    two lines do: one hidden neuron is not enough, two are."""
    columns = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    inputs = np.array([[x1, x2] for x2 in (0.0, 0.5, 1.0) for x1 in columns])
    targets = np.isin(inputs[:, 0], (0.25, 0.5)).astype(float)[:, np.newaxis]
    return inputs, targets


def logistic_zeros() -> Document:
    """Logistic regression (2-1, sigmoid, cross-entropy) from all-zero weights on seed 001's
    six observations, which a straight line separates."""
    inputs, targets = generators.seed_001()
    network = Network([2, 1], ["sigmoid"], bias=True)
    return Document(network, inputs, targets,
                    TrainingConfig(loss="bce", optimizer="gd", learning_rate=0.5),
                    InitSpec("zeros", 0))


def band_network(spec: InitSpec) -> Document:
    """A 2-4-1 sigmoid network on the band, initialised by ``spec``."""
    inputs, targets = band_data()
    network = Network([2, 4, 1], ["sigmoid", "sigmoid"], bias=True)
    network.theta[...] = initial_theta(network, spec)
    return Document(network, inputs, targets,
                    TrainingConfig(loss="bce", optimizer="gd", learning_rate=1.0), spec)


def band_zeros() -> Document:
    return band_network(InitSpec("zeros", 0))


def band_seed(seed: int) -> Callable[[], Document]:
    def make() -> Document:
        return band_network(InitSpec("uniform", seed))
    return make
