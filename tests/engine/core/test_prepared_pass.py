"""A window evaluates a whole pass at the current parameters after every step (to draw the
activations and gradients); the next iteration takes those numbers instead of computing
them again. These tests check that it does, and that it never takes them when anything
changed in between: the numbers are always those of a stepper that never evaluated."""

from __future__ import annotations

import numpy as np
import pytest

from engine import InitSpec, Network, Stepper, TrainingConfig, initialise
from engine.core.network import ParameterAddress


def make(optimizer: str = "adam", batch_size: int | None = None) -> Stepper:
    network = Network([3, 4, 2], ["tanh", "sigmoid"], bias=True)
    initialise(network, InitSpec("xavier_uniform", 3))
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(6, 3))
    targets = rng.uniform(size=(6, 2))
    config = TrainingConfig(loss="sse", optimizer=optimizer, learning_rate=0.1,
                            batch_size=batch_size)
    return Stepper(network, inputs, targets, config)


def trace_arrays(stepper: Stepper) -> list[np.ndarray]:
    t = stepper.trace
    return [a for a in (*t.pre_activations[1:], *t.activations, *t.deltas[1:],
                        *t.dactivation_dpre[1:], *t.dcost_dactivations[1:], t.gradient)]


def test_the_next_iteration_takes_the_evaluated_pass():
    stepper = make()
    stepper.step_iteration()
    shown = stepper.evaluate(full=True, backward=True)
    stepper.step_phase()  # the first forward phase
    assert stepper.trace.activations[1] is shown.activations[1]
    stepper.step_phase()
    stepper.step_phase()  # the loss
    assert stepper.trace.loss == shown.loss


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_evaluating_between_steps_changes_no_number(optimizer):
    plain, watched = make(optimizer), make(optimizer)
    for _ in range(4):
        watched.evaluate(full=True, backward=True)
        plain.step_iteration()
        watched.step_iteration()
    np.testing.assert_array_equal(plain.network.theta, watched.network.theta)
    np.testing.assert_array_equal(plain.history.losses, watched.history.losses)
    # phase by phase, each phase's numbers the same
    watched.evaluate(full=True, backward=True)
    for _ in range(len(plain.phases) - 1):
        plain.step_phase()
        watched.step_phase()
        for a, b in zip(trace_arrays(plain), trace_arrays(watched), strict=True):
            if a is None:
                assert b is None
            else:
                np.testing.assert_array_equal(a, b)


def test_an_edit_after_the_evaluation_is_computed_with():
    plain, watched = make(), make()
    watched.evaluate(full=True, backward=True)
    w = [ParameterAddress.weight(0, 1, 2)]
    plain.set_values(w, [0.75])
    watched.set_values(w, [0.75])
    plain.step_iteration()
    watched.step_iteration()
    np.testing.assert_array_equal(plain.network.theta, watched.network.theta)
    assert plain.history.losses[-1] == watched.history.losses[-1]


def test_an_edit_between_two_phases_is_computed_with():
    plain, watched = make(), make()
    watched.evaluate(full=True, backward=True)
    plain.step_phase()
    watched.step_phase()  # layer 1 forward taken from the evaluation
    w = [ParameterAddress.weight(1, 0, 1)]  # W^1: read by the next forward phase
    plain.set_values(w, [-2.0])
    watched.set_values(w, [-2.0])
    plain.step_iteration()
    watched.step_iteration()
    np.testing.assert_array_equal(plain.network.theta, watched.network.theta)
    assert plain.history.losses[-1] == watched.history.losses[-1]


def test_a_settings_change_after_the_evaluation_is_computed_with():
    plain, watched = make(), make()
    watched.evaluate(full=True, backward=True)
    for stepper in (plain, watched):
        stepper.set_config(stepper.config.with_changes(loss="mse"))
        stepper.step_iteration()
    np.testing.assert_array_equal(plain.network.theta, watched.network.theta)
    assert plain.history.losses[-1] == watched.history.losses[-1]


def test_a_mini_batch_iteration_never_takes_the_whole_data_sets_pass():
    plain, watched = make("sgd", batch_size=2), make("sgd", batch_size=2)
    for _ in range(3):
        watched.evaluate(full=True, backward=True)
        plain.step_iteration()
        watched.step_iteration()
    np.testing.assert_array_equal(plain.network.theta, watched.network.theta)


def test_a_rewind_after_the_evaluation_is_computed_with():
    plain, watched = make(), make()
    for stepper in (plain, watched):
        stepper.run(5)
    watched.evaluate(full=True, backward=True)
    for stepper in (plain, watched):
        stepper.seek(2)
        stepper.step_iteration()
    np.testing.assert_array_equal(plain.network.theta, watched.network.theta)
