"""inf and NaN: the stepper stops at the first phase that makes one, says where, and leaves
the parameters finite so the learner can step back and try again."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import Network, NonFiniteError, Phase, Stepper, TrainingConfig

RNG = np.random.default_rng(1)
INPUTS = RNG.normal(size=(4, 2))
TARGETS = RNG.normal(size=(4, 1))
DIVERGENT_RATE = 1e5


def diverging_stepper(activations=("relu", "linear")) -> Stepper:
    """A relu/linear network with a learning rate of 1e5: every update overshoots, the
    parameters grow by ~1e12 an iteration until the squared error overflows."""
    network = Network([2, 3, 1], list(activations), bias=True)
    network.theta[...] = np.random.default_rng(0).normal(0.0, 1.0, network.theta.size)
    config = TrainingConfig(loss="sse", learning_rate=DIVERGENT_RATE)
    return Stepper(network, INPUTS, TARGETS, config)


def fault_of(call) -> NonFiniteError:
    with pytest.raises(NonFiniteError) as info:
        call()
    return info.value


def where(error: NonFiniteError) -> tuple:
    return (error.iteration, error.phase, error.layer, error.quantity)


@pytest.mark.parametrize("activations", [("relu", "linear"), ("linear", "linear")])
def test_divergence_is_caught_named_and_leaves_finite_parameters(activations):
    stepper = diverging_stepper(activations)
    error = fault_of(lambda: stepper.run(1000))
    assert isinstance(error, ArithmeticError)
    # the squared error overflows first: n^2 ≈ 1e155 is finite, (n^2 − y)² is not
    assert error.phase == Phase("loss")
    assert error.layer is None  # the loss phase belongs to no layer
    assert error.quantity == "loss"
    assert error.iteration > 1
    message = str(error)
    assert f"iteration {error.iteration}" in message and "loss" in message
    assert "not finite" in message
    # the stepper stays before the failed phase, at that iteration
    assert stepper.iteration == error.iteration
    assert stepper.next_phase == error.phase
    assert stepper.fault is error
    assert np.isfinite(stepper.network.theta).all()
    assert np.abs(stepper.network.theta).max() > 1e50  # it did diverge
    # the losses recorded are those of the iterations before, all finite
    assert stepper.history.losses.shape == (error.iteration,)
    assert np.isfinite(stepper.history.losses).all()
    assert np.all(np.diff(stepper.history.losses[1:]) > 0)

    # stepping again meets the same fault
    again = fault_of(stepper.step_phase)
    assert where(again) == where(error)
    assert where(fault_of(lambda: stepper.run(5))) == where(error)
    assert np.isfinite(stepper.network.theta).all()


def test_run_and_step_phase_find_the_same_fault():
    fast = diverging_stepper()
    by_run = fault_of(lambda: fast.run(1000))

    phased = diverging_stepper()

    def step_until_fault():
        for _ in range(100_000):
            phased.step_phase()

    by_phase = fault_of(step_until_fault)
    assert where(by_phase) == where(by_run)
    assert by_phase.where == by_run.where
    assert (phased.iteration, phased.phase) == (fast.iteration, fast.phase)
    assert np.array_equal(phased.network.theta, fast.network.theta)
    assert np.array_equal(phased.history.losses, fast.history.losses)

    stopped = diverging_stepper()
    by_until = fault_of(lambda: stopped.run(1000, until=lambda s: False))
    assert where(by_until) == where(by_run)


def test_step_back_after_a_fault_and_recover_with_a_smaller_rate():
    stepper = diverging_stepper()
    error = fault_of(lambda: stepper.run(1000))
    t = error.iteration

    reference = diverging_stepper()
    reference.run(t)  # the iterations before the fault run without error
    assert reference.iteration == t

    stepper.step_back()  # mid-iteration t: back to its start
    assert (stepper.iteration, stepper.phase) == (t, 0)
    assert stepper.fault is None
    assert np.array_equal(stepper.network.theta, reference.network.theta)
    stepper.step_back()
    assert (stepper.iteration, stepper.phase) == (t - 1, 0)
    assert np.isfinite(stepper.network.theta).all()

    # "try a smaller learning rate": from the start, η = 1e-3 trains without trouble
    stepper.restart()
    stepper.set_config(stepper.config.with_changes(learning_rate=1e-3))
    assert stepper.run(200) == 200
    losses = stepper.history.losses
    assert losses.shape == (200,) and np.isfinite(losses).all()
    assert losses[-1] < losses[0]


def test_overflow_in_a_forward_layer_names_the_layer():
    """w^0_{0,0} = 1e308 and x = 10: n^1 = 1e309 overflows in forward layer 1."""
    network = Network([1, 1, 1], ["relu", "linear"], bias=True)
    stepper = Stepper(network, [[10.0]], [[1.0]], TrainingConfig(loss="sse"))
    stepper.set_theta([1e308, 0.0, 1.0, 0.0])
    before = stepper.network.theta.copy()
    error = fault_of(stepper.step_phase)
    assert (error.iteration, error.phase, error.layer) == (0, Phase("forward", 1), 1)
    assert error.quantity == "pre-activations n^1"
    assert "observation 0, neuron 0" in error.where
    assert "forward layer 1" in str(error)
    assert (stepper.iteration, stepper.phase) == (0, 0)
    assert np.array_equal(stepper.network.theta, before)
    assert where(fault_of(lambda: stepper.run(3))) == where(error)


def test_overflow_in_a_backward_layer_names_the_layer():
    """A dead relu neuron (n^1 = −1, a^1 = 0) with an outgoing weight of 1.7e308: the forward
    pass is finite (0 · w = 0), but ∂C/∂a^1 = δ^2 w = 2 (0 − 5) · 1.7e308 overflows."""
    network = Network([1, 1, 1], ["relu", "linear"], bias=True)
    network.theta[...] = [-1.0, 0.0, 1.7e308, 0.0]
    stepper = Stepper(network, [[1.0]], [[5.0]], TrainingConfig(loss="sse"))
    error = fault_of(lambda: stepper.run(1))
    assert (error.iteration, error.phase, error.layer) == (0, Phase("backward", 1), 1)
    assert error.quantity == "∂C/∂a^1"
    assert error.where.startswith("-inf")
    assert stepper.trace.loss == 25.0  # (0 − 5)², the phases before it are there to see
    assert np.array_equal(stepper.network.theta, [-1.0, 0.0, 1.7e308, 0.0])


def test_an_update_that_would_overflow_is_not_applied():
    """x = 1e152: C = (w x)² = 1e304 and ∂C/∂w = 2 w x² = 2e304 are finite, but momentum's
    step η v = 1e6 · 2e304 is not. Neither θ nor the velocity may change."""
    network = Network([1, 1], ["linear"], bias=False)
    network.theta[...] = [1.0]
    config = TrainingConfig(loss="sse", optimizer="momentum", learning_rate=1e6)
    stepper = Stepper(network, [[1e152]], [[0.0]], config)
    error = fault_of(lambda: stepper.run(1))
    assert (error.iteration, error.phase, error.layer) == (0, Phase("update"), None)
    assert error.quantity == "the update of w^0_{0,0}"
    assert stepper.next_phase == Phase("update")
    assert np.array_equal(stepper.network.theta, [1.0])
    assert np.array_equal(stepper.optimizer.get_state()["velocity"], [0.0])
    assert math.isclose(stepper.trace.loss, 1e304, rel_tol=1e-12)
    assert where(fault_of(stepper.step_phase)) == where(error)
    # a smaller rate, set right there, lets the same update through
    stepper.set_config(stepper.config.with_changes(learning_rate=1e-310))
    stepper.step_phase()
    assert (stepper.iteration, stepper.phase) == (1, 0)
    assert np.isfinite(stepper.network.theta).all()


def test_an_update_fault_points_at_the_parameter_that_overflowed():
    """Only the second parameter's update overflows (x_1 = 1e152, x_0 = 1). The message's
    detail must point there, not at the first entry of some other array."""
    network = Network([2, 1], ["linear"], bias=False)
    network.theta[...] = [1.0, 1.0]
    config = TrainingConfig(loss="sse", learning_rate=1e6)
    stepper = Stepper(network, [[1.0, 1e152]], [[0.0]], config)
    error = fault_of(lambda: stepper.run(1))
    assert error.quantity == "the update of w^0_{1,0}"
    assert "index 1" in error.where or "(1,)" in error.where, error.where
    assert error.where.startswith("-inf"), error.where  # θ_1 − η · 2e304 → −inf


def test_an_infinite_pre_activation_hidden_by_a_sigmoid_is_caught_by_run_as_by_stepping():
    """n = 1e308 · 10 overflows to inf, and σ(inf) = 1 is finite: the loss and θ stay finite,
    so the fast path must look at n itself to stop where stepping stops."""
    faults = []
    for advance in (lambda s: s.run(5), lambda s: s.step_phase()):
        network = Network([1, 1, 1], ["sigmoid", "sigmoid"], False)
        network.theta[...] = [1e308, 1.0]
        stepper = Stepper(network, [[10.0]], [[0.5]], TrainingConfig())
        with pytest.raises(NonFiniteError) as caught:
            advance(stepper)
        faults.append((caught.value.iteration, str(caught.value.phase), caught.value.quantity))
        assert (stepper.iteration, stepper.phase) == (0, 0)
        assert np.array_equal(network.theta, [1e308, 1.0])
    assert faults[0] == faults[1] == (0, "forward layer 1", "pre-activations n^1")


@pytest.mark.parametrize("sizes,activations,loss,targets", [
    ([1, 1, 1], ["relu", "linear"], "sse", [[1.0]]),
    ([1, 2], ["softmax"], "cross_entropy", [[0.0, 1.0]]),
])
def test_running_stops_where_stepping_stops_when_an_activation_hides_infinity(
        sizes, activations, loss, targets):
    """Found in review: relu maps n = −inf to 0, softmax a −inf entry to 0; the fast path
    checked only sigmoid's and tanh's n, so Run trained on where Step and both exported
    scripts stop (w = 1e308, x = −10: n = −inf in iteration 0)."""
    from engine.core.network import Network
    from engine.core.optimizers import TrainingConfig
    from engine.core.stepper import NonFiniteError, Stepper

    network = Network(sizes, activations)
    network.theta[...] = 0.5
    network.weights[0][0, 0] = 1e308
    runner = Stepper(network.copy(), [[-10.0]], targets, TrainingConfig(loss=loss))
    stepper = Stepper(network.copy(), [[-10.0]], targets, TrainingConfig(loss=loss))
    with pytest.raises(NonFiniteError) as stepped:
        stepper.step_iteration()
    with pytest.raises(NonFiniteError) as ran:
        runner.run(3)
    assert str(ran.value) == str(stepped.value)
    assert ran.value.iteration == 0 and runner.iteration == 0
    assert "n^1" in str(ran.value)  # named at the pre-activation that went to −inf
