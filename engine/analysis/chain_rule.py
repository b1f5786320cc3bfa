"""The chain rule for one weight, factor by factor, per observation.

For w^l_{i,j} (from neuron i of layer l to neuron j of layer l+1):

    ∂C/∂w^l_{i,j} = Σ_o ∂C/∂n^{l+1}_j · ∂n^{l+1}_j/∂w^l_{i,j}
                  = Σ_o δ^{l+1}_j · a^l_i                      (the δ form)

and ∂C/∂n^{l+1}_j expands into a sum over every path j → … → k to an output neuron k:

    ∂C/∂a^L_k · ∂a^L_k/∂n^L_k · ∂n^L_k/∂a^{L−1}_p · ∂a^{L−1}_p/∂n^{L−1}_p · …
        · ∂a^{l+1}_j/∂n^{l+1}_j

where ∂n^{m+1}_q/∂a^m_p = w^m_{p,q}. For seed 001's 2-2-1 net this is one path:
∂J/∂w1 = ∂J/∂a3 · ∂a3/∂z3 · ∂z3/∂a1 · ∂a1/∂z1 · ∂z1/∂w1, with ∂z3/∂a1 = w5 and ∂z1/∂w1 = x1.
A softmax output mixes its neurons, so there a path starts from δ^L_k = ∂C/∂n^L_k.
Biases have the one-factor chain ∂C/∂b^l_j = Σ_o δ^{l+1}_j.

Where a sigmoid output meets bce, the first two factors are shown as one, in their stable
form: ∂C/∂a · ∂a/∂n = (a − y)/(m a (1 − a)) · a (1 − a) = (a − y)/m. Multiplied out they
would fail exactly where a learner looks hardest: a saturated output has a (1 − a) = 0 in
floating point and ∂C/∂a clipped at about 1e12, so the path would read 0 while the gradient
is (a − y)/m (softmax with cross-entropy starts from δ^L, its stable form, for the same
reason and because softmax mixes its outputs).

A frozen parameter (``TrainingConfig.frozen``, given as ``frozen``) has its chain all the
same: its gradient is computed and shown. Only the update leaves it as it is, which
``ChainRule.update_note`` says and ``notes`` repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np

from ..core.backprop import Trace
from ..core.losses import Loss
from ..core.network import Network, ParameterAddress

MAX_PATHS = 64


@dataclass
class Factor:
    symbol: str  # seed 000's notation, e.g. ∂n^3_0/∂a^2_1
    plain: str | None  # seed 001's notation for small nets, e.g. ∂z3/∂a1
    meaning: str | None  # what the factor equals, e.g. w^2_{1,0} (plain: w5), or None
    values: np.ndarray  # one value per observation


@dataclass
class ChainRule:
    address: ParameterAddress
    plain_name: str | None
    delta_form: list[Factor]
    paths: list[list[Factor]] | None  # None when there are more than MAX_PATHS
    per_observation: np.ndarray
    total: float
    path_count: int = 0
    notes: list[str] = field(default_factory=list)
    frozen: bool = False  # the update leaves the parameter as it is; its gradient is shown

    @property
    def update_note(self) -> str | None:
        """For a frozen parameter, what its update does (nothing) and what still holds; None
        for a parameter the update moves."""
        if not self.frozen:
            return None
        name = str(self.address) + (f" ({self.plain_name})" if self.plain_name else "")
        return (f"{name} is frozen: the update leaves it as it is. Its gradient "
                f"∂C/∂{self.address} = {self.total:.6g} is computed and shown all the same; "
                "only the update skips it")

    @staticmethod
    def product(factors: list[Factor]) -> np.ndarray:
        result = np.ones_like(factors[0].values)
        for factor in factors:
            result = result * factor.values
        return result


class PlainNames:
    """Seed 001's names for networks of at most 12 weights: x1, x2 for the inputs, then
    a1, a2, … (z1, z2, … before the activation) numbered across the layers, J the cost."""

    def __init__(self, network: Network) -> None:
        self.weights = network.plain_weight_names()
        self.numbers: dict[tuple[int, int], int] = {}
        number = 1
        for l in range(1, network.layer_count + 1):
            for j in range(network.sizes[l]):
                self.numbers[(l, j)] = number
                number += 1

    @property
    def available(self) -> bool:
        return self.weights is not None

    def a(self, l: int, j: int) -> str:
        return f"x{j + 1}" if l == 0 else f"a{self.numbers[(l, j)]}"

    def z(self, l: int, j: int) -> str:
        return f"z{self.numbers[(l, j)]}"


def _ratio(top: str, bottom: str) -> str:
    return f"∂{top}/∂{bottom}"


def chain_rule(
    network: Network, trace: Trace, address: ParameterAddress, *, loss: Loss,
    max_paths: int = MAX_PATHS, frozen=()
) -> ChainRule:
    """The chain for one weight or bias from a complete trace (forward and backward done)
    of ``network`` trained with ``loss``; ``frozen``: the training's frozen names
    (``stepper.config.frozen``), to say when this parameter is one of them."""
    network.check_address(address)
    names = PlainNames(network)
    plain = names.available
    L, l, j = network.layer_count, address.layer, address.target
    observations = trace.activations[0].shape[0]
    if trace.deltas[l + 1] is None:
        raise ValueError(f"{address}: δ^{l + 1} is not computed yet (step the backward phase)")
    delta = trace.deltas[l + 1][:, j]
    is_weight = address.kind == "w"
    target_symbol = str(address)
    plain_target = names.weights[address] if plain and is_weight else None
    if plain and not is_weight:
        plain_target = f"b{names.numbers[(l + 1, j)]}"

    delta_factor = Factor(
        _ratio("C", f"n^{l + 1}_{j}"), _ratio("J", names.z(l + 1, j)) if plain else None,
        f"δ^{l + 1}_{j}", delta,
    )
    if is_weight:
        i = address.source
        local = Factor(
            _ratio(f"n^{l + 1}_{j}", target_symbol),
            _ratio(names.z(l + 1, j), plain_target) if plain else None,
            f"a^{l}_{i}" + (f" ({names.a(l, i)})" if plain else ""),
            trace.activations[l][:, i].copy(),
        )
    else:
        local = Factor(
            _ratio(f"n^{l + 1}_{j}", target_symbol),
            _ratio(names.z(l + 1, j), plain_target) if plain else None,
            "1",
            np.ones(observations),
        )
    delta_form = [delta_factor, local]

    later_sizes = [network.sizes[m] for m in range(l + 2, L + 1)]
    path_count = int(np.prod(later_sizes)) if later_sizes else 1
    softmax_output = not network.activations[L - 1].elementwise
    # sigmoid + bce: ∂C/∂a · ∂a/∂n shown as one factor, (a − y)/m (see the module docstring)
    combined = loss.required_output == network.activation_names[L - 1] and not softmax_output
    paths = None
    notes = []
    if path_count <= max_paths:
        paths = []
        for route in product(*[range(size) for size in later_sizes]):
            neurons = [j, *route]  # neuron of layer l+1, l+2, …, L
            factors = []
            k = neurons[-1]
            if softmax_output:
                factors.append(Factor(
                    _ratio("C", f"n^{L}_{k}"), _ratio("J", names.z(L, k)) if plain else None,
                    f"δ^{L}_{k} (softmax mixes its outputs)", trace.deltas[L][:, k].copy(),
                ))
            elif combined:
                cost_factor = _ratio("C", f"a^{L}_{k}")
                slope = _ratio(f"a^{L}_{k}", f"n^{L}_{k}")
                plain_names = (f"{_ratio('J', names.a(L, k))} · "
                               f"{_ratio(names.a(L, k), names.z(L, k))}") if plain else None
                a_name = names.a(L, k) if plain else f"a^{L}_{k}"
                factors.append(Factor(
                    f"{cost_factor} · {slope}", plain_names,
                    f"({a_name} − y)/m", trace.deltas[L][:, k].copy(),
                ))
            else:
                factors.append(Factor(
                    _ratio("C", f"a^{L}_{k}"), _ratio("J", names.a(L, k)) if plain else None,
                    None, trace.dcost_dactivations[L][:, k].copy(),
                ))
            for m in range(L, l, -1):
                q = neurons[m - (l + 1)]
                if not ((softmax_output or combined) and m == L):
                    factors.append(Factor(
                        _ratio(f"a^{m}_{q}", f"n^{m}_{q}"),
                        _ratio(names.a(m, q), names.z(m, q)) if plain else None,
                        None, trace.dactivation_dpre[m][:, q].copy(),
                    ))
                if m > l + 1:
                    p = neurons[m - 1 - (l + 1)]
                    weight = ParameterAddress.weight(m - 1, p, q)
                    factors.append(Factor(
                        _ratio(f"n^{m}_{q}", f"a^{m - 1}_{p}"),
                        _ratio(names.z(m, q), names.a(m - 1, p)) if plain else None,
                        str(weight) + (f" ({names.weights[weight]})" if plain else ""),
                        np.full(observations, network.weights[m - 1][p, q]),
                    ))
            factors.append(local)
            paths.append(factors)
        if len(paths) > 1:
            notes.append(f"{len(paths)} paths from neuron {j} of layer {l + 1} to the outputs; "
                         "∂C/∂n is their sum")
        if combined:
            notes.append(
                "sigmoid output with bce: ∂C/∂a · ∂a/∂n = (a − y)/(m a(1 − a)) · a(1 − a) "
                "= (a − y)/m, shown as one factor: multiplied out, a saturated output "
                "(a(1 − a) = 0 in floating point, ∂C/∂a clipped near 1e12) would give 0 "
                "instead of the gradient")
    else:
        notes.append(f"{path_count} paths: more than {max_paths}, shown in the δ form only")
    per_observation = delta * local.values
    rule = ChainRule(
        address, plain_target, delta_form, paths, per_observation,
        float(np.sum(per_observation)), path_count, notes, str(address) in frozen,
    )
    if rule.frozen:
        rule.notes.append(rule.update_note)
    return rule


def differing_factors(first: ChainRule, second: ChainRule, rtol: float = 1e-9,
                      atol: float = 1e-12) -> tuple[list[int], list[tuple[int, int]]]:
    """Where two chains part: the positions in the δ form, and (path, factor) positions in
    the path sums, whose values differ for some observation. Chains of different shapes are
    compared as far as they line up (path by path, factor by factor).

    For seed 001's w5 and w6 this is the last factor (a1 against a2); for w1 and w3 the
    weight factor (w5 against w6); for w1 and w2 the input (x1 against x2)."""

    def differ(a: Factor, b: Factor) -> bool:
        return a.values.shape != b.values.shape or not np.allclose(
            a.values, b.values, rtol=rtol, atol=atol, equal_nan=True)

    def pairs(a: list, b: list) -> zip:
        return zip(a, b, strict=False)  # as far as they line up

    delta = [k for k, (a, b) in enumerate(pairs(first.delta_form, second.delta_form))
             if differ(a, b)]
    paths = []
    for p, (path_a, path_b) in enumerate(pairs(first.paths or [], second.paths or [])):
        paths += [(p, k) for k, (a, b) in enumerate(pairs(path_a, path_b)) if differ(a, b)]
    return delta, paths
