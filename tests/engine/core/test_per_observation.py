"""Gradients per observation (issue 2: ∂C/∂W and ∂C/∂b per observation and summed), and the
gradient check's list of flagged parameters."""

from __future__ import annotations

import numpy as np

from engine import InitSpec, Network, ParameterAddress, Stepper, TrainingConfig, initialise
from engine.analysis.gradcheck import gradient_check

INPUTS = [[0.8, 0.4], [0.3, 0.3], [-0.5, 0.9]]
TARGETS = [[0.2, 0.4], [1.0, 0.0], [0.5, 0.5]]


def stepper_for(seed: int = 2) -> Stepper:
    network = Network([2, 3, 2], ["tanh", "sigmoid"], True)
    initialise(network, InitSpec("normal", seed, {"std": 1.0}))
    return Stepper(network, INPUTS, TARGETS, TrainingConfig())


def test_per_observation_gradients_are_outer_products_that_sum_to_the_total():
    trace = stepper_for().evaluate()
    for l in range(2):
        per_observation = trace.weight_gradient_per_observation(l)
        assert per_observation.shape == (3, *trace.weight_gradients[l].shape)
        for o in range(3):  # ∂C_o/∂W^l = (a^l[o])ᵀ δ^{l+1}[o], by hand
            expected = np.outer(trace.activations[l][o], trace.deltas[l + 1][o])
            assert np.allclose(per_observation[o], expected, rtol=0, atol=1e-15)
        assert np.allclose(per_observation.sum(axis=0), trace.weight_gradients[l], atol=1e-15)
        bias = trace.bias_gradient_per_observation(l)
        assert np.allclose(bias.sum(axis=0), trace.bias_gradients[l], atol=1e-15)


def test_per_observation_gradients_are_none_before_the_backward_phase():
    stepper = stepper_for()
    stepper.step_phase()  # forward layer 1 only
    assert stepper.trace.weight_gradient_per_observation(0) is None
    assert stepper.trace.bias_gradient_per_observation(0) is None


def test_the_gradient_check_flags_only_what_disagrees():
    stepper = stepper_for()
    check = gradient_check(stepper)
    assert check.flagged() == []  # backprop is right
    wrong = ParameterAddress.weight(0, 1, 2)
    k = check.addresses.index(wrong)
    check.backprop[k] *= 1.01  # a 1 % error in one gradient, as a bug would make
    check.relative_error[k] = abs(check.backprop[k] - check.numeric[k]) / max(
        abs(check.backprop[k]), abs(check.numeric[k]))
    assert check.flagged() == [wrong]
