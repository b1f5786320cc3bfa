"""engine.io.generators: the built-in data sets, checked against the seeds' example files
and their defining formulas; the same seed gives the same points, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from paths import EXAMPLES

from engine.core.stepper import MAX_OBSERVATIONS
from engine.io import fileformat, generators
from engine.io.datasets import DatasetError


def test_xor_exact_values():
    inputs, targets = generators.xor()
    assert inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert targets.tolist() == [[0], [1], [1], [0]]
    # target = x_0 XOR x_1, by hand
    assert [int(a) ^ int(b) for a, b in inputs] == targets[:, 0].astype(int).tolist()


@pytest.mark.parametrize("generator, file", [
    (generators.seed_000, "seed-000.json"),
    (generators.seed_001, "seed-001-free.json"),
])
def test_the_seeds_data_sets_match_the_example_files(generator, file):
    document = fileformat.load(EXAMPLES / file)
    inputs, targets = generator()
    assert inputs.tolist() == document.inputs.tolist()
    assert targets.tolist() == document.targets.tolist()


SEEDED = [generators.circles, generators.two_gaussians, generators.spiral,
          generators.linear_regression]


@pytest.mark.parametrize("generator", SEEDED)
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(generator):
    first, again, other = generator(50, 3), generator(50, 3), generator(50, 4)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("generator", SEEDED)
@pytest.mark.parametrize("n", [2, 7, 100])
def test_shapes(generator, n):
    inputs, targets = generator(n, 0)
    width = 1 if generator is generators.linear_regression else 2
    assert inputs.shape == (n, width) and targets.shape == (n, 1)
    assert np.isfinite(inputs).all() and np.isfinite(targets).all()


@pytest.mark.parametrize("generator", [generators.circles, generators.two_gaussians,
                                       generators.spiral])
def test_classes_alternate_and_balance(generator):
    _, targets = generator(7, 1)
    assert targets[:, 0].tolist() == [0, 1, 0, 1, 0, 1, 0]


def test_circles_lie_on_their_radii():
    inputs, targets = generators.circles(200, 5, noise=0.0)
    radius = np.hypot(inputs[:, 0], inputs[:, 1])
    np.testing.assert_allclose(radius[targets[:, 0] == 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(radius[targets[:, 0] == 1], 0.5, rtol=1e-12)
    noisy, _ = generators.circles(200, 5)  # std 0.05 per coordinate: within 6σ of the circle
    deviation = np.hypot(noisy[:, 0], noisy[:, 1]) - np.where(targets[:, 0] == 0, 1.0, 0.5)
    assert np.abs(deviation).max() < 6 * 0.05 * math.sqrt(2)
    assert np.abs(deviation).max() > 0


def test_two_gaussians_centres_and_spread():
    inputs, targets = generators.two_gaussians(4000, 2)
    for label, centre in ((0, [-1, -1]), (1, [1, 1])):
        cloud = inputs[targets[:, 0] == label]
        # 2000 points of std 0.5: the mean is within 6 standard errors (6 × 0.5 / √2000)
        assert np.abs(cloud.mean(axis=0) - centre).max() < 6 * 0.5 / math.sqrt(2000)
        assert np.abs(cloud.std(axis=0) - 0.5).max() < 0.05


def test_spiral_follows_its_formula():
    inputs, targets = generators.spiral(300, 8, noise=0.0)
    radius = np.hypot(inputs[:, 0], inputs[:, 1])
    assert radius.min() >= 0.05 and radius.max() <= 1.0
    angle = np.arctan2(inputs[:, 1], inputs[:, 0])
    # angle = 2π · 1.5 · r, plus π on the other arm, modulo 2π
    expected = 3 * math.pi * radius + math.pi * targets[:, 0]
    difference = np.angle(np.exp(1j * (angle - expected)))
    assert np.abs(difference).max() < 1e-9


def test_linear_regression_follows_its_line():
    x, y = generators.linear_regression(100, 1, noise=0.0)
    assert x.min() >= -1 and x.max() <= 1
    np.testing.assert_allclose(y[:, 0], 0.5 * x[:, 0] + 0.5, rtol=0, atol=1e-15)
    x, y = generators.linear_regression(2000, 1)
    slope, intercept = np.polyfit(x[:, 0], y[:, 0], 1)
    assert abs(slope - 0.5) < 0.02 and abs(intercept - 0.5) < 0.02
    residual = y[:, 0] - (0.5 * x[:, 0] + 0.5)
    assert abs(residual.std() - 0.05) < 0.005


@pytest.mark.parametrize("call, message", [
    (lambda: generators.circles(1), "n: 2 to 100000 points, not 1"),
    (lambda: generators.spiral(MAX_OBSERVATIONS + 1), "n: 2 to 100000 points, not 100001"),
    (lambda: generators.linear_regression(0), "n: 1 to 100000 points, not 0"),
    (lambda: generators.two_gaussians(True), "n: expected a whole number of points, got True"),
    (lambda: generators.two_gaussians(10.0), "n: expected a whole number of points, got 10.0"),
    (lambda: generators.circles(10, -1), "seed: expected a whole number from 0, got -1"),
    (lambda: generators.circles(10, 0, math.nan), "noise: expected a standard deviation from 0 "
                                                "to 10, got nan"),
    (lambda: generators.generate("moons"), "unknown generator 'moons' (known: xor, seed 000, "),
])
def test_generator_refusals(call, message):
    with pytest.raises(DatasetError) as info:
        call()
    assert str(info.value).startswith(message)


def test_the_registry_describes_each_generator():
    assert list(generators.GENERATORS) == ["xor", "seed 000", "seed 001", "circles",
                                         "two gaussians", "spiral", "linear regression",
                                         "digits"]
    for name, entry in generators.GENERATORS.items():
        function, description, input_count, target_count = entry
        inputs, targets = generators.generate(name, 20, 1)
        assert (inputs.shape[1], targets.shape[1]) == (input_count, target_count), name
        assert description
    assert generators.GENERATORS["xor"].parameters == ()
    assert generators.GENERATORS["spiral"].parameters == ("n", "seed")
    assert len(generators.generate("xor", 20, 1)[0]) == 4  # n does not apply
    assert len(generators.generate("circles", 20, 1)[0]) == 20
