"""Built-in data sets: the seeds' own observations, XOR, seeded generators (circles, two
gaussians, a spiral, a noisy line) and a real one, a seeded sample of the 8×8 digits. Each
returns (inputs, targets) as float arrays, rows being observations; the same n and seed
always give the same points, bit for bit. ``GENERATORS`` lists them for the GUI and
``generate`` calls one by name. A bad n, seed or noise raises
:class:`engine.io.datasets.DatasetError` naming the argument.
"""

from __future__ import annotations

import gzip
import inspect
import math
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..core.limits import MAX_OBSERVATIONS
from .datasets import DatasetError, read_labelled_csv


def _check_size(n: int, least: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise DatasetError(f"n: expected a whole number of points, got {n!r}")
    if not least <= n <= MAX_OBSERVATIONS:
        raise DatasetError(f"n: {least} to {MAX_OBSERVATIONS} points, not {n}")
    return int(n)


def _rng(seed: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DatasetError(f"seed: expected a whole number from 0, got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_noise(noise: float) -> float:
    if not (math.isfinite(noise) and 0 <= noise <= 10):
        raise DatasetError(f"noise: expected a standard deviation from 0 to 10, got {noise!r}")
    return float(noise)


def _classes(n: int) -> np.ndarray:
    """Class of each point: 0, 1, 0, 1, … (balanced, and a prefix of the data is too)."""
    return np.arange(n) % 2


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four corners of the unit square; target 1 where exactly one input is 1."""
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return inputs, np.array([[0.0], [1.0], [1.0], [0.0]])


def seed_000() -> tuple[np.ndarray, np.ndarray]:
    """Seed 000's two observations (2 inputs, 2 targets), as in resources/examples."""
    return np.array([[0.8, 0.4], [0.3, 0.3]]), np.array([[0.2, 0.4], [1.0, 0.0]])


def seed_001() -> tuple[np.ndarray, np.ndarray]:
    """Seed 001's six observations (2 inputs, 1 target): the first three are class 1."""
    inputs = np.array([[0.2, 0.9], [0.3, 0.7], [0.4, 0.8], [0.8, 0.9], [0.7, 0.2], [0.1, 0.3]])
    return inputs, np.array([[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]])


CIRCLE_RADII = (1.0, 0.5)  # class 0 on the outer circle, class 1 on the inner one


def circles(n: int = 100, seed: int = 0, noise: float = 0.05
            ) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles, class 0 of radius 1 and class 1 of radius 0.5, at uniform
    angles, with N(0, noise²) added to each coordinate: not separable by one line."""
    n, rng, noise = _check_size(n, 2), _rng(seed), _check_noise(noise)
    labels = _classes(n)
    radius = np.where(labels == 0, *CIRCLE_RADII)
    angle = rng.uniform(0.0, 2 * math.pi, n)
    inputs = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    inputs += rng.normal(0.0, noise, inputs.shape)
    return inputs, labels[:, None].astype(float)


GAUSSIAN_CENTRES = ((-1.0, -1.0), (1.0, 1.0))
GAUSSIAN_STD = 0.5


def two_gaussians(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two round clouds of std 0.5, class 0 around (−1, −1) and class 1 around (1, 1):
    separable by a line, up to a few points in the overlap."""
    n, rng = _check_size(n, 2), _rng(seed)
    labels = _classes(n)
    centres = np.array(GAUSSIAN_CENTRES)[labels]
    inputs = centres + rng.normal(0.0, GAUSSIAN_STD, (n, 2))
    return inputs, labels[:, None].astype(float)


SPIRAL_TURNS = 1.5


def spiral(n: int = 100, seed: int = 0, noise: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms of 1.5 turns, class 1 the other arm rotated by π: radius
    r ~ U(0.05, 1), angle 2π·1.5·r (+ π for class 1), then N(0, noise²) per coordinate."""
    n, rng, noise = _check_size(n, 2), _rng(seed), _check_noise(noise)
    labels = _classes(n)
    radius = rng.uniform(0.05, 1.0, n)
    angle = 2 * math.pi * SPIRAL_TURNS * radius + math.pi * labels
    inputs = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    inputs += rng.normal(0.0, noise, inputs.shape)
    return inputs, labels[:, None].astype(float)


LINE_SLOPE, LINE_INTERCEPT = 0.5, 0.5


def linear_regression(n: int = 100, seed: int = 0, noise: float = 0.05
                      ) -> tuple[np.ndarray, np.ndarray]:
    """One input x ~ U(−1, 1) and one target y = 0.5 x + 0.5 + N(0, noise²): without noise
    the targets lie in [0, 1], within reach of a sigmoid output too."""
    n, rng, noise = _check_size(n, 1), _rng(seed), _check_noise(noise)
    x = rng.uniform(-1.0, 1.0, n)
    y = LINE_SLOPE * x + LINE_INTERCEPT + rng.normal(0.0, noise, n)
    return x[:, None], y[:, None]


DIGITS_CSV = Path(__file__).resolve().parents[2] / "resources" / "data" / "digits.csv.gz"
DIGITS_COUNT, DIGITS_PIXELS, DIGITS_CLASSES, DIGITS_RANGE = 1797, 64, 10, 16.0
DIGITS_SOURCES = ("auto", "sklearn", "csv")
SKLEARN_EXTRA = "scikit-learn (pip install scikit-learn)"


def _digits_table(source: str) -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits: (pixels 0–16, labels 0–9), from scikit-learn's ``load_digits`` or
    from the copy of its file in resources/data (``source``: "auto" takes scikit-learn when
    it is installed)."""
    if source not in DIGITS_SOURCES:
        raise DatasetError(f"source: one of {', '.join(DIGITS_SOURCES)}, not {source!r}")
    if source != "csv":
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            if source == "sklearn":
                raise DatasetError(f"source: scikit-learn is not installed; install the "
                                   f"optional extra {SKLEARN_EXTRA}") from None
        else:
            digits = load_digits()
            return np.asarray(digits.data, dtype=float), np.asarray(digits.target, dtype=int)
    try:
        with gzip.open(DIGITS_CSV, "rb") as file:
            text = file.read()
    except OSError as error:
        raise DatasetError(f"the digits file {DIGITS_CSV} cannot be read ({error}); "
                           f"reinstall the app or install {SKLEARN_EXTRA}") from None
    table = read_labelled_csv(text, label=-1)  # its last column is the digit
    return table.inputs, table.targets.argmax(axis=1)


def digits(n: int = 200, seed: int = 0, source: str = "auto"
           ) -> tuple[np.ndarray, np.ndarray]:
    """A seeded sample of ``n`` of the 1,797 8×8 images of handwritten digits (the UCI
    optical digits test set, as scikit-learn ships it), in their file order: 64 inputs, the
    pixels scaled from 0–16 to [0, 1], row by row; 10 targets, the digit one-hot."""
    n, rng = _check_size(n, 1), _rng(seed)
    if n > DIGITS_COUNT:
        raise DatasetError(f"n: 1 to {DIGITS_COUNT} digits, not {n}")
    pixels, labels = _digits_table(source)
    rows = np.sort(rng.choice(DIGITS_COUNT, n, replace=False))
    targets = np.zeros((n, DIGITS_CLASSES))
    targets[np.arange(n), labels[rows]] = 1.0
    return pixels[rows] / DIGITS_RANGE, targets


class Generator(NamedTuple):
    """A data set generator for the GUI: ``function(**{n, seed that it takes})``."""

    function: Callable[..., tuple[np.ndarray, np.ndarray]]
    description: str
    input_count: int
    target_count: int

    @property
    def parameters(self) -> tuple[str, ...]:
        """Which of n and seed the function takes (xor and the seeds take neither)."""
        accepted = inspect.signature(self.function).parameters
        return tuple(name for name in ("n", "seed") if name in accepted)


GENERATORS: dict[str, Generator] = {
    "xor": Generator(xor, "XOR: the 4 corners of the unit square, target 1 where exactly "
                          "one input is 1", 2, 1),
    "seed 000": Generator(seed_000, "Seed 000's 2 observations (2 inputs, 2 targets)", 2, 2),
    "seed 001": Generator(seed_001, "Seed 001's 6 observations (2 inputs, 1 target)", 2, 1),
    "circles": Generator(circles, "Two concentric circles (radius 1: class 0, radius 0.5: "
                                  "class 1), slightly noisy", 2, 1),
    "two gaussians": Generator(two_gaussians, "Two clouds of std 0.5 around (−1, −1) "
                                              "(class 0) and (1, 1) (class 1)", 2, 1),
    "spiral": Generator(spiral, "Two interleaved spiral arms, one per class", 2, 1),
    "linear regression": Generator(linear_regression, "One input x in [−1, 1], target "
                                                      "0.5 x + 0.5 plus a little noise", 1, 1),
    "digits": Generator(digits, "8×8 images of handwritten digits (a sample of the 1,797 "
                                "of scikit-learn's digits set): 64 pixels in [0, 1], the "
                                "digit one-hot", DIGITS_PIXELS, DIGITS_CLASSES),
}
LARGEST_N = {"digits": DIGITS_COUNT}  # the others: up to MAX_OBSERVATIONS


def largest_n(name: str) -> int:
    """The most observations the generator ``name`` makes."""
    return LARGEST_N.get(name, MAX_OBSERVATIONS)


def generate(name: str, n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) of the generator ``name``, given n and seed where it takes them."""
    if name not in GENERATORS:
        raise DatasetError(f"unknown generator {name!r} (known: {', '.join(GENERATORS)})")
    generator = GENERATORS[name]
    given = {"n": n, "seed": seed}
    return generator.function(**{key: given[key] for key in generator.parameters})
