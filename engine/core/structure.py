"""Structure edits that keep every weight whose two neurons still exist.

A new network is described by, for each of its layers, the old layer it continues (or None for
a new layer) and, for each of its neurons, the old neuron it continues (or None). The weight
w^l_{i,j} of the new network keeps its old value when layers l and l+1 continue two
consecutive old layers and neurons i and j both continue old neurons; a bias keeps its value
when its neuron continues an old one. Every other parameter comes from the init scheme, drawn
for the whole new structure with the scheme's seed.
"""

from __future__ import annotations

from .init import InitSpec, initial_theta
from .network import Network


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


def _identity(network: Network) -> tuple[list[int | None], list[list[int | None]]]:
    return list(range(len(network.sizes))), [list(range(s)) for s in network.sizes]


def _check_hidden(network: Network, layer: int) -> None:
    if not 1 <= layer < network.layer_count:
        raise ValueError(
            f"layer {layer} is not a hidden layer (hidden layers: 1 … {network.layer_count - 1})"
        )


def add_neuron(network: Network, layer: int, spec: InitSpec) -> Network:
    """Append a neuron to hidden ``layer``."""
    _check_hidden(network, layer)
    layers, neurons = _identity(network)
    neurons[layer].append(None)
    sizes = list(network.sizes)
    sizes[layer] += 1
    return restructure(network, sizes, network.activation_names, network.bias, layers, neurons,
                       spec)


def remove_neuron(network: Network, layer: int, index: int, spec: InitSpec) -> Network:
    _check_hidden(network, layer)
    if network.sizes[layer] == 1:
        raise ValueError(f"layer {layer} has only one neuron: remove the layer instead")
    if not 0 <= index < network.sizes[layer]:
        raise ValueError(f"layer {layer} has no neuron {index}")
    layers, neurons = _identity(network)
    del neurons[layer][index]
    sizes = list(network.sizes)
    sizes[layer] -= 1
    return restructure(network, sizes, network.activation_names, network.bias, layers, neurons,
                       spec)


def insert_layer(
    network: Network, position: int, size: int, activation: str, spec: InitSpec
) -> Network:
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
    return restructure(network, sizes, activations, network.bias, layers, neurons, spec)


def remove_layer(network: Network, layer: int, spec: InitSpec) -> Network:
    _check_hidden(network, layer)
    layers, neurons = _identity(network)
    del layers[layer]
    del neurons[layer]
    sizes = list(network.sizes)
    del sizes[layer]
    activations = list(network.activation_names)
    del activations[layer - 1]
    return restructure(network, sizes, activations, network.bias, layers, neurons, spec)


def set_activation(network: Network, layer: int, name: str) -> Network:
    if not 1 <= layer <= network.layer_count:
        raise ValueError(f"layer {layer} has no activation (layers 1 … {network.layer_count})")
    activations = list(network.activation_names)
    activations[layer - 1] = name
    return Network(network.sizes, activations, network.bias, network.theta)


def set_bias(network: Network, bias: bool, spec: InitSpec) -> Network:
    layers, neurons = _identity(network)
    return restructure(network, network.sizes, network.activation_names, bias, layers, neurons,
                       spec)
