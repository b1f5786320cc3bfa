"""Structure edits that keep every weight whose two neurons still exist.

A new network is described by, for each of its layers, the old layer it continues (or None for
a new layer) and, for each of its neurons, the old neuron it continues (or None): a ``Plan``.
The weight w^l_{i,j} of the new network keeps its old value when layers l and l+1 continue two
consecutive old layers and neurons i and j both continue old neurons; a bias keeps its value
when its neuron continues an old one. Every other parameter comes from the init scheme, drawn
for the whole new structure with the scheme's seed.

The same correspondence carries the frozen parameters (``training.frozen``) over
(``carry_frozen``): a frozen parameter that keeps its value stays frozen under its new name
(renumbered where neurons or layers moved); one that no longer exists, or whose value is
drawn anew, is no longer frozen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .init import InitSpec, initial_theta
from .network import Network, ParameterAddress
from .optimizers import canonical_frozen


def restructure(
    old: Network,
    sizes: list[int],
    activations: list[str],
    bias: bool,
    layer_sources: list[int | None],
    neuron_sources: list[list[int | None]],
    spec: InitSpec,
) -> Network:
    new = Network(sizes, activations, bias)
    new.theta[...] = initial_theta(new, spec)
    for l in range(new.layer_count):
        source_layer, target_layer = layer_sources[l], layer_sources[l + 1]
        if target_layer is None:
            continue
        if bias and old.bias and target_layer >= 1:
            for j, old_j in enumerate(neuron_sources[l + 1]):
                if old_j is not None:
                    new.biases[l][j] = old.biases[target_layer - 1][old_j]
        if source_layer is not None and target_layer == source_layer + 1:
            for i, old_i in enumerate(neuron_sources[l]):
                for j, old_j in enumerate(neuron_sources[l + 1]):
                    if old_i is not None and old_j is not None:
                        new.weights[l][i, j] = old.weights[source_layer][old_i, old_j]
    return new


def carry_frozen(
    frozen: Iterable[str],
    bias: bool,
    layer_sources: list[int | None],
    neuron_sources: list[list[int | None]],
) -> tuple[str, ...]:
    """The names of ``frozen`` (parameters of the old network) in the new network that
    ``layer_sources`` and ``neuron_sources`` describe (``bias``: whether it has biases), by the
    rule ``restructure`` keeps values by: w^k_{i,j} becomes w^l_{i',j'} when the new layers l
    and l + 1 continue the old layers k and k + 1 and neurons i' and j' continue i and j;
    b^k_j becomes b^{l-1}_{j'} when the new layer l continues layer k + 1 and neuron j'
    continues j. Every other frozen name is dropped (its parameter is gone or drawn anew).
    Canonical order (``canonical_frozen``); ValueError for a name that is not a parameter
    name."""
    new_layer = {old: l for l, old in enumerate(layer_sources) if old is not None}
    new_neuron = [{old: j for j, old in enumerate(sources) if old is not None}
                  for sources in neuron_sources]
    carried = []
    for name in canonical_frozen(frozen):
        address = ParameterAddress.parse(name)
        k = address.layer
        target_layer = new_layer.get(k + 1)
        if target_layer is None or target_layer < 1:
            continue
        target = new_neuron[target_layer].get(address.target)
        if target is None:
            continue
        if address.kind == "b":
            if bias:
                carried.append(str(ParameterAddress.bias(target_layer - 1, target)))
            continue
        if new_layer.get(k) != target_layer - 1:
            continue  # a layer was put between the two, or the source layer is gone
        source = new_neuron[target_layer - 1].get(address.source)
        if source is not None:
            carried.append(str(ParameterAddress.weight(target_layer - 1, source, target)))
    return canonical_frozen(carried)


@dataclass(frozen=True)
class Plan:
    """A structure edit before it is made: the new structure, and for each of its layers and
    neurons the old one it continues (None: new). ``build`` makes the network, ``frozen``
    carries the frozen parameters' names over; both follow the same correspondence."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    bias: bool
    layer_sources: tuple[int | None, ...]
    neuron_sources: tuple[tuple[int | None, ...], ...]

    def build(self, old: Network, spec: InitSpec) -> Network:
        return restructure(old, list(self.sizes), list(self.activations), self.bias,
                           list(self.layer_sources), [list(n) for n in self.neuron_sources],
                           spec)

    def frozen(self, names: Iterable[str]) -> tuple[str, ...]:
        return carry_frozen(names, self.bias, list(self.layer_sources),
                            [list(n) for n in self.neuron_sources])


def _plan(sizes, activations, bias: bool, layers, neurons) -> Plan:
    return Plan(tuple(sizes), tuple(activations), bool(bias), tuple(layers),
                tuple(tuple(n) for n in neurons))


def _identity(network: Network) -> tuple[list[int | None], list[list[int | None]]]:
    return list(range(len(network.sizes))), [list(range(s)) for s in network.sizes]


def _check_hidden(network: Network, layer: int) -> None:
    if not 1 <= layer < network.layer_count:
        raise ValueError(
            f"layer {layer} is not a hidden layer (hidden layers: 1 … {network.layer_count - 1})"
        )


def plan_add_neuron(network: Network, layer: int) -> Plan:
    """Append a neuron to hidden ``layer``."""
    _check_hidden(network, layer)
    layers, neurons = _identity(network)
    neurons[layer].append(None)
    sizes = list(network.sizes)
    sizes[layer] += 1
    return _plan(sizes, network.activation_names, network.bias, layers, neurons)


def plan_remove_neuron(network: Network, layer: int, index: int) -> Plan:
    """Remove neuron ``index`` of hidden ``layer`` (the neurons after it move up one)."""
    _check_hidden(network, layer)
    if network.sizes[layer] == 1:
        raise ValueError(f"layer {layer} has only one neuron: remove the layer instead")
    if not 0 <= index < network.sizes[layer]:
        raise ValueError(f"layer {layer} has no neuron {index}")
    layers, neurons = _identity(network)
    del neurons[layer][index]
    sizes = list(network.sizes)
    sizes[layer] -= 1
    return _plan(sizes, network.activation_names, network.bias, layers, neurons)


def plan_insert_layer(network: Network, position: int, size: int, activation: str) -> Plan:
    """Insert a hidden layer so that it becomes layer ``position`` (1 … L)."""
    if not 1 <= position <= network.layer_count:
        raise ValueError(f"a hidden layer can go at positions 1 … {network.layer_count}")
    layers, neurons = _identity(network)
    layers.insert(position, None)
    neurons.insert(position, [None] * size)
    sizes = list(network.sizes)
    sizes.insert(position, size)
    activations = list(network.activation_names)
    activations.insert(position - 1, activation)
    return _plan(sizes, activations, network.bias, layers, neurons)


def plan_remove_layer(network: Network, layer: int) -> Plan:
    """Remove hidden ``layer`` (the layers after it move down one)."""
    _check_hidden(network, layer)
    layers, neurons = _identity(network)
    del layers[layer]
    del neurons[layer]
    sizes = list(network.sizes)
    del sizes[layer]
    activations = list(network.activation_names)
    del activations[layer - 1]
    return _plan(sizes, activations, network.bias, layers, neurons)


def plan_set_bias(network: Network, bias: bool) -> Plan:
    """Switch the biases of the whole network on or off."""
    layers, neurons = _identity(network)
    return _plan(network.sizes, network.activation_names, bias, layers, neurons)


def add_neuron(network: Network, layer: int, spec: InitSpec) -> Network:
    """Append a neuron to hidden ``layer``."""
    return plan_add_neuron(network, layer).build(network, spec)


def remove_neuron(network: Network, layer: int, index: int, spec: InitSpec) -> Network:
    return plan_remove_neuron(network, layer, index).build(network, spec)


def insert_layer(
    network: Network, position: int, size: int, activation: str, spec: InitSpec
) -> Network:
    """Insert a hidden layer so that it becomes layer ``position`` (1 … L)."""
    return plan_insert_layer(network, position, size, activation).build(network, spec)


def remove_layer(network: Network, layer: int, spec: InitSpec) -> Network:
    return plan_remove_layer(network, layer).build(network, spec)


def set_activation(network: Network, layer: int, name: str) -> Network:
    """The same parameters under another activation (the frozen names stay as they are)."""
    if not 1 <= layer <= network.layer_count:
        raise ValueError(f"layer {layer} has no activation (layers 1 … {network.layer_count})")
    activations = list(network.activation_names)
    activations[layer - 1] = name
    return Network(network.sizes, activations, network.bias, network.theta)


def set_bias(network: Network, bias: bool, spec: InitSpec) -> Network:
    return plan_set_bias(network, bias).build(network, spec)
