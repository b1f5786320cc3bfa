"""Frozen parameters across structure edits (engine.core.structure.carry_frozen and Plan): each
frozen name follows its parameter to its new place, or is dropped with it.

Two references: mappings worked out by hand on small networks, and value tracking (every
parameter of the old network given a distinct value, the new ones drawn as -7: a frozen
parameter carried over must hold, under its new name, the value it held under its old one,
and one dropped must hold that value nowhere)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import InitSpec, Network, Stepper, TrainingConfig
from engine.core import structure
from engine.core.network import ParameterAddress

SPEC = InitSpec("constant", 0, {"value": -7.0})


def numbered(sizes, bias=True) -> Network:
    """A sigmoid network whose parameters are 1, 2, 3, … in θ order: each value names one."""
    network = Network(sizes, ["sigmoid"] * (len(sizes) - 1), bias)
    network.theta[...] = np.arange(1, network.theta.size + 1, dtype=float)
    return network


def all_names(network: Network) -> tuple[str, ...]:
    return tuple(str(a) for a in network.addresses())


# ------------------------------------------------------------------ worked out by hand
def test_remove_neuron_renumbers_the_neurons_after_it():
    network = numbered([2, 3, 1])
    plan = structure.plan_remove_neuron(network, 1, 0)
    frozen = ["w^0_{0,0}", "w^0_{0,1}", "w^0_{1,2}", "b^0_0", "b^0_2", "w^1_{0,0}",
              "w^1_{2,0}", "b^1_0"]
    # neuron 0 of layer 1 is gone: its weights in and out and its bias with it; neurons 1
    # and 2 become 0 and 1
    assert plan.frozen(frozen) == ("w^0_{0,0}", "w^0_{1,1}", "b^0_1", "w^1_{1,0}", "b^1_0")


def test_add_neuron_keeps_every_name():
    network = numbered([2, 2, 1])
    names = all_names(network)
    assert structure.plan_add_neuron(network, 1).frozen(names) == names


def test_remove_layer_moves_the_later_layers_down():
    network = numbered([2, 3, 3, 2])
    plan = structure.plan_remove_layer(network, 1)
    frozen = ["w^0_{0,0}", "b^0_0", "w^1_{2,1}", "b^1_2", "w^2_{1,0}", "b^2_1"]
    # W^0 and W^1 went with layer 1 (its bias too); old layer 2 is the new layer 1, so
    # b^1_2 (its neuron 2's bias) is b^0_2; W^2 is the new W^1
    assert plan.frozen(frozen) == ("b^0_2", "w^1_{1,0}", "b^1_1")


def test_insert_layer_moves_the_later_layers_up_and_drops_the_weights_it_parts():
    network = numbered([2, 2, 1])
    plan = structure.plan_insert_layer(network, 1, 3, "tanh")
    frozen = ["w^0_{1,0}", "b^0_1", "w^1_{0,0}", "b^1_0"]
    # between the inputs and old layer 1 now stands the new layer: old W^0 is drawn anew;
    # old layer 1 is layer 2, its biases b^1_j; W^1 is W^2 and b^1 is b^2
    assert plan.frozen(frozen) == ("b^1_1", "w^2_{0,0}", "b^2_0")


def test_biases_off_drops_the_frozen_biases_only():
    network = numbered([2, 2, 1])
    plan = structure.plan_set_bias(network, False)
    assert plan.frozen(["w^0_{1,1}", "b^0_0", "b^1_0"]) == ("w^0_{1,1}",)
    assert structure.plan_set_bias(network, True).frozen(["b^1_0"]) == ("b^1_0",)


def test_a_name_that_is_no_parameter_name_is_refused():
    network = numbered([2, 2, 1])
    with pytest.raises(ValueError, match=r"training.frozen\[1\]"):
        structure.plan_add_neuron(network, 1).frozen(["w^0_{0,0}", "W5"])


# ------------------------------------------------------------------ by value tracking
def edits(network: Network):
    """Every structure edit the Structure panel can make on ``network``, as (what, plan)."""
    for layer in range(1, network.layer_count):
        yield f"add a neuron to {layer}", structure.plan_add_neuron(network, layer)
        for index in range(network.sizes[layer]):
            if network.sizes[layer] > 1:
                yield (f"remove neuron {index} of {layer}",
                       structure.plan_remove_neuron(network, layer, index))
        yield f"remove layer {layer}", structure.plan_remove_layer(network, layer)
    for position in range(1, network.layer_count + 1):
        yield f"insert at {position}", structure.plan_insert_layer(network, position, 2, "tanh")
    yield "biases off" if network.bias else "biases on", structure.plan_set_bias(
        network, not network.bias)


@pytest.mark.parametrize("sizes,bias", [([2, 3, 1], True), ([2, 3, 3, 2], True),
                                        ([3, 2, 4, 2, 1], True), ([2, 3, 2, 1], False)])
def test_each_frozen_parameter_keeps_its_value_under_its_new_name(sizes, bias):
    old = numbered(sizes, bias)
    frozen = all_names(old)  # every parameter frozen: each one's fate is checked
    for what, plan in edits(old):
        new = plan.build(old, SPEC)
        carried = plan.frozen(frozen)
        values = {float(v) for v in new.theta}
        kept = {}
        for name in carried:
            kept[name] = new.get(ParameterAddress.parse(name))
        # every carried name holds one of the old values, each old value once
        assert len(set(kept.values())) == len(kept), what
        assert all(v != -7.0 for v in kept.values()), what
        # and every old value that survived somewhere is frozen there, under that name
        for name in frozen:
            value = old.get(ParameterAddress.parse(name))
            places = [str(a) for a in new.addresses() if new.get(a) == value]
            assert len(places) <= 1, what
            if places:
                assert places[0] in carried, f"{what}: {name} = {value} is at {places[0]}"
            else:
                assert value not in values
        # and the new network takes them: a stepper with them frozen is made
        config = TrainingConfig(loss="sse", frozen=carried)
        inputs = np.zeros((1, new.sizes[0]))
        targets = np.zeros((1, new.sizes[-1]))
        Stepper(new, inputs, targets, config)


def test_the_carried_parameters_stay_where_they_were_through_an_update():
    """Removing a layer under a frozen weight: after the edit the renamed weight is still
    the one no update changes."""
    old = numbered([2, 3, 3, 1])
    old.theta[...] = np.linspace(-0.9, 0.8, old.theta.size)
    plan = structure.plan_remove_layer(old, 1)
    new = plan.build(old, InitSpec("normal", 3, {"std": 0.5}))
    frozen = plan.frozen(["w^2_{2,0}", "w^0_{0,0}"])
    assert frozen == ("w^1_{2,0}",)
    inputs = np.array([[0.1, 0.7], [0.4, 0.2]])
    targets = np.array([[1.0], [0.0]])
    stepper = Stepper(new, inputs, targets, TrainingConfig(loss="sse", frozen=frozen))
    before = stepper.network.theta.copy()
    stepper.run(5)
    after = stepper.network.theta
    index = new.flat_index(ParameterAddress.weight(1, 2, 0))
    assert after[index] == before[index] == old.weights[2][2, 0]
    changed = [i for i in range(after.size) if after[i] != before[i]]
    assert len(changed) == after.size - 1


def test_plans_build_what_the_edit_functions_build():
    """The edit functions are their plans built: the same networks as before plans existed
    (the old parameters where restructure's rule keeps them, the rest drawn)."""
    old = numbered([2, 3, 2])
    for (name, args), plan in zip(
            [("add_neuron", (1,)), ("remove_neuron", (1, 1)), ("remove_layer", (1,)),
             ("insert_layer", (2, 4, "relu"))],
            [structure.plan_add_neuron(old, 1), structure.plan_remove_neuron(old, 1, 1),
             structure.plan_remove_layer(old, 1),
             structure.plan_insert_layer(old, 2, 4, "relu")], strict=True):
        made = getattr(structure, name)(old, *args, SPEC)
        built = plan.build(old, SPEC)
        assert made.sizes == built.sizes and made.activation_names == built.activation_names
        assert np.array_equal(made.theta, built.theta)
    # remove neuron 1 of layer 1 by hand: W^0 loses column 1, W^1 row 1, b^0 entry 1
    removed = structure.remove_neuron(old, 1, 1, SPEC)
    assert np.array_equal(removed.weights[0], old.weights[0][:, [0, 2]])
    assert np.array_equal(removed.weights[1], old.weights[1][[0, 2], :])
    assert np.array_equal(removed.biases[0], old.biases[0][[0, 2]])
    assert np.array_equal(removed.biases[1], old.biases[1])
