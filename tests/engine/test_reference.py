"""The tests' reference (tests/reference.py) is itself checked, without the engine: its
gradients are central differences of its own cost, its two backward passes (vectorised and
scalar) agree, and seed 000's all-ones network gives the seed's printed first iteration."""

from __future__ import annotations

import json

import numpy as np
import pytest
from paths import REFERENCE_FILE
from reference import (
    SEED_000_INPUTS,
    SEED_000_SIZES,
    SEED_000_TARGETS,
    backprop,
    hand_backprop,
)

SEED_001_INPUTS = np.array([[0.2, 0.9], [0.3, 0.7], [0.4, 0.8], [0.8, 0.9], [0.7, 0.2],
                            [0.1, 0.3]])
SEED_001_TARGETS = np.array([[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]])


def random_network(sizes, seed: int, bias: bool):
    rng = np.random.default_rng(seed)
    W = [rng.uniform(-1, 1, (sizes[l], sizes[l + 1])) for l in range(len(sizes) - 1)]
    b = [rng.uniform(-1, 1, sizes[l + 1]) for l in range(len(sizes) - 1)] if bias else None
    return W, b


CASES = [
    (SEED_000_SIZES, SEED_000_INPUTS, SEED_000_TARGETS, "sse", True),
    (SEED_000_SIZES, SEED_000_INPUTS, SEED_000_TARGETS, "sse", False),
    ((2, 2, 1), SEED_001_INPUTS, SEED_001_TARGETS, "bce", False),
    ((2, 2, 1), SEED_001_INPUTS, SEED_001_TARGETS, "bce", True),
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("sizes", "x", "y", "loss", "bias"), CASES)
def test_gradients_are_central_differences_of_the_cost(sizes, x, y, loss, bias, seed):
    W, b = random_network(sizes, seed, bias)
    result = backprop(W, b, x, y, loss)
    h = 1e-6
    for l in range(len(W)):
        for array, gradient in [(W[l], result.dW[l])] + ([(b[l], result.db[l])] if bias else []):
            for index in np.ndindex(array.shape):
                kept = array[index]
                array[index] = kept + h
                plus = backprop(W, b, x, y, loss).cost
                array[index] = kept - h
                minus = backprop(W, b, x, y, loss).cost
                array[index] = kept
                numeric = (plus - minus) / (2 * h)
                assert abs(numeric - gradient[index]) < 1e-7 + 1e-6 * abs(numeric), (l, index)


@pytest.mark.parametrize("seed", [0, 5])
def test_the_scalar_loops_agree_with_the_vectorised_pass(seed):
    W, b = random_network(SEED_000_SIZES, seed, bias=True)
    result = backprop(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse")
    cost, dweights, dbiases = hand_backprop(
        SEED_000_SIZES, [w.tolist() for w in W], [v.tolist() for v in b],
        SEED_000_INPUTS.tolist(), SEED_000_TARGETS.tolist(),
    )
    assert cost == pytest.approx(result.cost, rel=1e-14)
    for l in range(len(W)):
        np.testing.assert_allclose(dweights[l], result.dW[l], rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(dbiases[l], result.db[l], rtol=1e-12, atol=1e-16)


def test_seed_000s_first_iteration_is_the_seeds_printout():
    """All ones: the activations, ∂C/∂a³, δ³ and the last layer's gradients are the numbers
    seed 000 printed (rounded to 7–8 decimals)."""
    printed = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    tolerance = printed["tolerance"]
    W = [np.ones((SEED_000_SIZES[l], SEED_000_SIZES[l + 1])) for l in range(3)]
    b = [np.ones(SEED_000_SIZES[l + 1]) for l in range(3)]
    result = backprop(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse")
    for l in (1, 2, 3):
        np.testing.assert_allclose(result.a[l], printed[f"activation_layer_{l}"], atol=tolerance)
    np.testing.assert_allclose(result.dcost_da_out, printed["dcost_dactivation_layer_3"],
                               atol=tolerance)
    np.testing.assert_allclose(result.delta[3], printed["delta_layer_3"], atol=tolerance)
    augmented = np.vstack([result.db[2], result.dW[2]])
    np.testing.assert_allclose(augmented, printed["weight_gradient_2_augmented"]["value"],
                               atol=tolerance)
