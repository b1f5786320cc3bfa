"""The common mistakes of one phase, each as the numbers it would have given.

Predict mode (engine.analysis.predict) asks a learner for what a phase computes; when the
answer is wrong, the numbers of each mistake below are worked out from the same state and
compared with the learner's: the first that fits, in the order of ``CATALOGUE`` (the simplest
first), is named, with the term concerned and the right formula.

    bias_left_out           n^l = a^{l−1} W^{l−1}, without b^{l−1} (forward)
    activation_not_applied  n^l given for a^l (forward)
    a_for_derivative        a^l in place of f′(n^l) in ∂a/∂n and δ (backward)
    derivative_of_a         f′ taken at a^l instead of n^l: σ(a)(1 − σ(a)) (backward)
    sign_of_error           y − a for a − y in ∂C/∂a^L and δ^L (loss, output layer's backward)
    sse_factor_2            the 2 of ∂C/∂a = 2 (a − y) left out, or a ½ put in C (sse, mse);
                            for half_sse the opposite: a 2 put in ∂C/∂a = a − y, or the ½
                            of C = ½ Σ (a − y)² forgotten (named "the ½ of half_sse")
    mean_over_m             the 1/m of a mean loss left out (mse, bce, cross-entropy) or
                            added (sse)
    transposed              the answer transposed, or a product with a transposed operand
    previous_weights        W^{l−2} for W^{l−1} forward, W^{l−1} for W^l backward
    update_too_soon         δ^l through W^l already updated by −η ∂C/∂W^l (gd and sgd)
    frozen_updated          a frozen parameter updated all the same: the new W^k or b^k
                            with every entry moved by −η ∂C/∂θ (gd and sgd)

A mistake is only tried where it means something (the sign of (a − y) only where ∂C/∂a^L is
made) and where the shapes allow it. What the mistake would change downstream within the
phase follows from it: a δ^l made with a^l for f′(n^l) gives its own ∂C/∂W^{l−1} = (a^{l−1})ᵀ δ^l.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core.backprop import Trace
from ..core.losses import get_loss
from ..core.network import Network, ParameterAddress, augment
from ..core.optimizers import TrainingConfig
from ..core.phases import Phase
from .symmetry import frozen_mask

CATALOGUE: dict[str, str] = {  # key → name, simplest first: the first that fits is named
    "bias_left_out": "the bias left out",
    "activation_not_applied": "the activation not applied (n given for a)",
    "a_for_derivative": "a given for the derivative f′(n)",
    "derivative_of_a": "the derivative taken at a instead of n",
    "sign_of_error": "the sign of (a − y)",
    "sse_factor_2": "the factor 2 of sse",  # "the ½ of half_sse" under half_sse
    "mean_over_m": "the 1/m of a mean loss",
    "transposed": "a transposed matrix",
    "previous_weights": "the previous layer's weights",
    "update_too_soon": "the update applied before the gradient was complete",
    "frozen_updated": "a frozen parameter updated",
}

# f′(n) in words, for the formulas (the registry's activations carry their code, not this)
_DERIVATIVES = {
    "sigmoid": "σ′(n^{l}) = a^{l} (1 − a^{l})",
    "tanh": "tanh′(n^{l}) = 1 − (a^{l})²",
    "relu": "relu′(n^{l}) = 1 where n^{l} > 0, else 0",
    "leaky_relu": "leaky_relu′(n^{l}) = 1 where n^{l} > 0, else 0.01",
    "linear": "f′(n^{l}) = 1",
}
# losses whose ∂C/∂a^L holds (a − y), and those whose C has sse's square (a ½ fits there)
_ERROR_LOSSES = ("sse", "half_sse", "mse", "bce")
_SQUARE_LOSSES = ("sse", "mse")
# the name of sse_factor_2 where the loss has the ½ and the mistake is its opposite
_HALF_NAME = "the ½ of half_sse"


@dataclass(frozen=True)
class Mistake:
    key: str  # a key of CATALOGUE, e.g. "bias_left_out"
    name: str  # "the bias left out"
    term: str  # the term concerned: "b^0"
    formula: str  # the right formula: "n^1 = a^0 W^0 + b^0"
    explanation: str  # what the learner's numbers show, in a sentence or two


@dataclass(frozen=True)
class Candidate:
    """The numbers one mistake gives for a target (and their augmented form, when the
    target has one: [1 | a], [∂C/∂b; ∂C/∂W], [b; W])."""

    mistake: Mistake
    value: np.ndarray
    augmented: np.ndarray | None = None


@dataclass
class Situation:
    """What a phase saw and made: ``before`` the parameters it used (copied before it ran),
    ``after`` the network after it (the update's result), ``trace`` the iteration's
    intermediates after it, ``config`` the training settings."""

    phase: Phase
    before: Network
    after: Network
    trace: Trace
    config: TrainingConfig

    # ------------------------------------------------------------------ notation
    def symbol(self, l: int) -> str:
        return self.before.activations[l - 1].shown_symbol

    def derivative_text(self, l: int) -> str:
        name = self.before.activation_names[l - 1]
        return _DERIVATIVES.get(name, f"{self.symbol(l)}′(n^{{l}})").format(l=l)

    def formula(self, key: str) -> str:
        """The right formula for a target key, in the seeds' notation."""
        L, bias = self.before.layer_count, self.before.bias
        if key == "loss":
            return f"C = {get_loss(self.config.loss).formula}"
        if key.endswith(" new"):
            name, k = key[0], key.split("^")[1].split()[0]
            g = f"∂C/∂{name}^{k}"
            step = {"gd": f"η {g}", "sgd": f"η {g}", "momentum": "η v, v ← μ v + " + g,
                    "adam": "η m̂ / (√v̂ + ε)"}[self.config.optimizer]
            frozen = self.frozen_in(name, int(k))
            kept = f"; frozen, kept as they are: {', '.join(frozen)}" if frozen else ""
            return f"{name}^{k} ← {name}^{k} − {step}{kept}"
        kind, l = _split(key)
        if kind == "n":
            return f"n^{l} = a^{l - 1} W^{l - 1}" + (f" + b^{l - 1}" if bias else "")
        if kind == "a":
            return f"a^{l} = {self.symbol(l)}(n^{l}), {self.formula(f'n^{l}')}"
        if kind == "dC/da":
            if l == L:
                return f"∂C/∂a^{L} = {get_loss(self.config.loss).derivative_formula}"
            return f"∂C/∂a^{l} = δ^{l + 1} (W^{l})ᵀ"
        if kind == "da/dn":
            return f"∂a^{l}/∂n^{l} = {self.derivative_text(l)}"
        if kind == "delta":
            return f"δ^{l} = ∂C/∂a^{l} ⊙ ∂a^{l}/∂n^{l}, {self.derivative_text(l)}"
        if kind == "dC/dW":
            return f"∂C/∂W^{l} = (a^{l})ᵀ δ^{l + 1}"
        return f"∂C/∂b^{l} = Σ_o δ^{l + 1}"  # dC/db

    def frozen_in(self, name: str, k: int) -> list[str]:
        """The frozen weights (name "W") or biases ("b") of layer k, by name."""
        kind = "w" if name == "W" else "b"
        addresses = [(n, ParameterAddress.parse(n)) for n in self.config.frozen]
        return [n for n, a in addresses if a.kind == kind and a.layer == k]

    # ---------------------------------------------------------------- candidates
    def candidates(self, key: str, label: str, expected: np.ndarray,
                   expected_augmented: np.ndarray | None, rows: str, columns: str
                   ) -> list[Candidate]:
        """Every mistake's numbers for the target ``key``, simplest first."""
        kind = self.phase.kind
        found = {"forward": self._forward, "loss": self._loss, "backward": self._backward,
                 "update": self._update}[kind](key, label)
        found.append(self._make("transposed", label, key,
                                f"Your matrix is {label} transposed: its rows should be the "
                                f"{rows}, its columns the {columns}.",
                                expected.T, None if expected_augmented is None
                                else expected_augmented.T))
        order = list(CATALOGUE)
        return sorted(found, key=lambda c: order.index(c.mistake.key))  # stable

    def _make(self, mistake: str, term: str, key: str, explanation: str, value,
              augmented=None) -> Candidate:
        name = CATALOGUE[mistake]
        if mistake == "sse_factor_2" and self.config.loss == "half_sse":
            name = _HALF_NAME  # the same slip the other way round: a 2 too many
        return Candidate(Mistake(mistake, name, term, self.formula(key), explanation),
                         np.atleast_2d(value),
                         None if augmented is None else np.atleast_2d(augmented))

    # forward layer l: n^l = a^k W^k + b^k, a^l = f(n^l), k = l − 1
    def _forward(self, key: str, label: str) -> list[Candidate]:
        l = self.phase.layer
        k, net, trace = l - 1, self.before, self.trace
        a_prev, W, b = trace.activations[k], net.weights[k], net.biases[k]
        f, F = net.activations[k], self.symbol(l)
        wants_a = key == f"a^{l}"

        def made(mistake, term, inner, why, n):
            shown = f"{F}({inner})" if wants_a else inner
            value = f.apply(n) if wants_a else n
            return self._make(mistake, term, key, f"Your numbers are {shown}: {why}.", value,
                              augment(value) if wants_a and net.bias else None)

        bias = f" + b^{k}" if net.bias else ""
        found = []
        if net.bias:
            found.append(made("bias_left_out", f"b^{k}", f"a^{k} W^{k}",
                              f"n^{l} was computed without the bias b^{k}", a_prev @ W))
        if wants_a:
            n = trace.pre_activations[l]
            found.append(self._make("activation_not_applied", f"{F}(n^{l})", key,
                                    f"Your numbers are n^{l} itself: {F} was not applied "
                                    f"to it.", n, augment(n) if net.bias else None))
        if W.shape[0] == W.shape[1]:
            found.append(made("transposed", f"W^{k}", f"a^{k} (W^{k})ᵀ{bias}",
                              f"W^{k} was used transposed (its row i holds the weights "
                              f"leaving neuron i of layer {k})", a_prev @ W.T + b))
        if k >= 1 and net.weights[k - 1].shape == W.shape:
            earlier = net.weights[k - 1]
            why = f"the weights into layer {k}, W^{k - 1}, were used in place of W^{k}"
            found.append(made("previous_weights", f"W^{k}", f"a^{k} W^{k - 1}{bias}", why,
                              a_prev @ earlier + b))
            if net.bias:
                found.append(made("previous_weights", f"W^{k}",
                                  f"a^{k} W^{k - 1} + b^{k - 1}", why + f" (and b^{k - 1})",
                                  a_prev @ earlier + net.biases[k - 1]))
        return found

    def _loss_factors(self, derivative: bool) -> list[tuple[str, str, float, str]]:
        """(mistake, term, factor, why): the loss's constant factors got wrong, as the factor
        that the mistake multiplies C (or ∂C/∂a, δ) by."""
        name, y = self.config.loss, self.trace.targets
        m, k = y.shape[0], y.shape[1]
        found = []
        if name in _SQUARE_LOSSES:
            if derivative:
                found.append(("sse_factor_2", "2 (a − y)", 0.5,
                              "the factor 2 of ∂C/∂a = 2 (a − y) was left out (C = Σ (a − y)² "
                              "has no ½ to cancel it)"))
            else:
                found.append(("sse_factor_2", "½", 0.5,
                              "C was halved: a ½ was put in C, as in ½ Σ (a − y)²; this cost "
                              "has none"))
        if name == "half_sse":
            # the ½ cancels the square's 2: the slip is a 2 put back, or the ½ left out of C
            if derivative:
                found.append(("sse_factor_2", "a − y", 2.0,
                              "a 2 was put in ∂C/∂a, as in 2 (a − y): C = ½ Σ (a − y)² has "
                              "a ½ that cancels the 2 of the square, so ∂C/∂a = a − y"))
            else:
                found.append(("sse_factor_2", "½", 2.0,
                              "the ½ of C = ½ Σ (a − y)² was left out: that is sse's "
                              "Σ (a − y)², twice this cost"))
            found.append(("mean_over_m", "1/m", 1.0 / m,
                          f"it was divided by m = {m}: half_sse sums over the observations, "
                          "it does not average"))
        elif name == "sse":
            found.append(("mean_over_m", "1/m", 1.0 / m,
                          f"it was divided by m = {m}: this sse sums over the observations, "
                          "it does not average"))
            if not derivative:
                found.append(("sse_factor_2", "1/(2m)", 0.5 / m,
                              f"C was divided by 2m = {2 * m}: a ½ and a 1/m were put in C, "
                              "as in (1/2m) Σ (a − y)²; this sse has neither"))
        elif name == "mse":
            found.append(("mean_over_m", "1/(m·k)", float(m * k),
                          f"the 1/(m·k) of the mean was left out (m·k = {m * k})"))
            found.append(("mean_over_m", "1/(m·k)", float(k),
                          f"it was averaged over the m = {m} observations only; mse averages "
                          f"over all m·k = {m * k} outputs"))
        else:
            found.append(("mean_over_m", "1/m", float(m),
                          f"the 1/m of the mean over the m = {m} observations was left out"))
        return found

    # loss: C and ∂C/∂a^L
    def _loss(self, key: str, label: str) -> list[Candidate]:
        L, trace = self.before.layer_count, self.trace
        derivative = key != "loss"
        value = trace.dcost_dactivations[L] if derivative else np.array([[trace.loss]])
        found = []
        if derivative and self.config.loss in _ERROR_LOSSES:
            found.append(self._make("sign_of_error", "(a − y)", key,
                                    f"Your {label} has the opposite sign: y − a was used for "
                                    "a − y.", -value))
        for mistake, term, factor, why in self._loss_factors(derivative):
            found.append(self._make(mistake, term, key, f"Your {label} is {_times(factor)}: "
                                    f"{why}.", value * factor))
        return found

    # backward layer l: ∂C/∂a^l (hidden), ∂a^l/∂n^l, δ^l, ∂C/∂W^{l−1}, ∂C/∂b^{l−1}
    def _backward(self, key: str, label: str) -> list[Candidate]:
        l, L = self.phase.layer, self.before.layer_count
        net, trace = self.before, self.trace
        f = net.activations[l - 1]
        g, d, a = trace.dcost_dactivations[l], trace.dactivation_dpre[l], trace.activations[l]
        delta, a_prev = trace.deltas[l], trace.activations[l - 1]
        found: list[Candidate] = []

        def variant(mistake: str, term: str, changed: str, wrong: str, why: str,
                    g2=None, d2=None, delta2=None) -> None:
            """One mistake made in this layer, in the quantity ``changed`` (``wrong``: that
            quantity as the learner computed it); what follows from it in the phase follows."""
            values = {}
            if g2 is not None:
                if g2.shape != g.shape:
                    return
                values[f"dC/da^{l}"] = g2
            if d2 is not None:
                values[f"da^{l}/dn^{l}"] = d2
            if delta2 is None:
                delta2 = f.backward(g if g2 is None else g2, d if d2 is None else d2, a)
            values[f"delta^{l}"] = delta2
            values[f"dC/dW^{l - 1}"] = a_prev.T @ delta2
            bias_gradient = delta2.sum(axis=0, keepdims=True)
            if net.bias:
                values[f"dC/db^{l - 1}"] = bias_gradient
            if key not in values:
                return
            fits = "fits" if key == changed else "follows from"
            augmented = (np.vstack([bias_gradient, values[key]])
                         if key.startswith("dC/dW") and net.bias else None)
            found.append(self._make(mistake, term, key, f"Your {label} {fits} {wrong}: "
                                    f"{why}.", values[key], augmented))

        slope, dcost = f"da^{l}/dn^{l}", f"dC/da^{l}"
        if f.elementwise:
            derivative = self.derivative_text(l)
            variant("a_for_derivative", f"∂a^{l}/∂n^{l}", slope, f"∂a^{l}/∂n^{l} = a^{l}",
                    f"a^{l} was used in place of {derivative}", d2=a)
            variant("derivative_of_a", f"∂a^{l}/∂n^{l}", slope,
                    f"∂a^{l}/∂n^{l} = {self.symbol(l)}′(a^{l})",
                    f"the derivative was taken at a^{l} instead of n^{l}: {derivative}",
                    d2=f.derivative(a, f.apply(a)))
        if l == L:
            output = f"delta^{L}"
            if self.config.loss in _ERROR_LOSSES:
                variant("sign_of_error", "(a − y)", output,
                        f"the right δ^{L} with its sign changed",
                        f"y − a was used for a − y in ∂C/∂a^{L}", delta2=-delta)
            for mistake, term, factor, why in self._loss_factors(True):
                variant(mistake, term, output, f"the right δ^{L} × {_factor(factor)}", why,
                        delta2=delta * factor)
            return found
        W, after_delta = net.weights[l], trace.deltas[l + 1]
        if W.shape[0] == W.shape[1]:
            variant("transposed", f"W^{l}", dcost, f"∂C/∂a^{l} = δ^{l + 1} W^{l}",
                    f"W^{l} was not transposed: ∂C/∂a^{l} needs (W^{l})ᵀ", g2=after_delta @ W)
        earlier = net.weights[l - 1]
        if earlier.shape[1] == after_delta.shape[1]:
            variant("previous_weights", f"W^{l}", dcost,
                    f"∂C/∂a^{l} = δ^{l + 1} (W^{l - 1})ᵀ",
                    f"the weights into layer {l}, W^{l - 1}, were used in place of W^{l}",
                    g2=after_delta @ earlier.T)
        if self.config.optimizer in ("gd", "sgd"):
            rate = self.config.learning_rate
            updated = W - rate * trace.weight_gradients[l]
            keep = frozen_mask(net, self.config.frozen)
            if keep is not None:  # the frozen weights are not updated, even too soon
                updated = np.where(_layer_cells(net, l, keep), W, updated)
            variant("update_too_soon", f"W^{l}", dcost,
                    f"∂C/∂a^{l} = δ^{l + 1} (W^{l} − η ∂C/∂W^{l})ᵀ",
                    f"W^{l} had already been updated (η = {rate:g}); the update comes after "
                    "the whole backward pass, which uses the weights of the forward pass",
                    g2=after_delta @ updated.T)
        return found

    # update: W^k new and b^k new
    def _update(self, key: str, label: str) -> list[Candidate]:
        if self.config.optimizer not in ("gd", "sgd"):
            return []
        k, rate = int(key.split("^")[1].split()[0]), self.config.learning_rate
        found = []
        frozen = self.frozen_in(key[0], k)
        if frozen:  # every entry moved: the frozen ones too
            free_W = self.before.weights[k] - rate * self.trace.weight_gradients[k]
            free_b = (self.before.biases[k] - rate * self.trace.bias_gradients[k]
                      if self.before.bias else None)
            value = free_W if key.startswith("W^") else free_b
            augmented = (np.vstack([free_b[np.newaxis, :], free_W])
                         if key.startswith("W^") and self.before.bias else None)
            shown = ", ".join(frozen)
            found.append(self._make(
                "frozen_updated", shown, key,
                f"Your numbers moved {shown} too: a frozen parameter keeps its value through "
                "the update (its gradient is computed all the same).", value, augmented))
        if not key.startswith("W^"):
            return found
        W, gradient = self.before.weights[k], self.trace.weight_gradients[k]
        if W.shape[0] != W.shape[1]:
            return found
        value = W - rate * gradient.T
        keep = frozen_mask(self.before, self.config.frozen)
        if keep is not None:  # a transposed gradient on the free ones only
            mask = _layer_cells(self.before, k, keep)
            value = np.where(mask, W, value)
        augmented = (np.vstack([self.after.biases[k][np.newaxis, :], value])
                     if self.before.bias else None)
        return found + [self._make("transposed", f"∂C/∂W^{k}", key,
                                   f"Your numbers are W^{k} − η (∂C/∂W^{k})ᵀ: the gradient "
                                   f"was transposed; it has the shape of W^{k}, row i for "
                                   f"neuron i of layer {k}.", value, augmented)]


def _layer_cells(network: Network, k: int, mask: np.ndarray) -> np.ndarray:
    """The entries of θ's ``mask`` that belong to W^k, shaped like W^k."""
    start = network.flat_index(ParameterAddress.weight(k, 0, 0))
    rows, columns = network.sizes[k], network.sizes[k + 1]
    return mask[start:start + rows * columns].reshape(rows, columns)


def _factor(factor: float) -> str:
    """"1/2", "4": a loss's constant factor."""
    return f"1/{1 / factor:.6g}" if factor < 1 else f"{factor:.6g}"


def _times(factor: float) -> str:
    """"1/2 of ours", "4 times ours"."""
    return f"{_factor(factor)} of ours" if factor < 1 else f"{_factor(factor)} times ours"


def _split(key: str) -> tuple[str, int]:
    """("a", 1) from "a^1", ("dC/dW", 0) from "dC/dW^0", ("da/dn", 2) from "da^2/dn^2",
    ("delta", 3) from "delta^3"."""
    if key.startswith("da^"):
        return "da/dn", int(key[3:].split("/")[0])
    name, layer = key.rsplit("^", 1)
    return name, int(layer)


def first_fit(candidates: list[Candidate], fits: Callable[[Candidate], bool]
              ) -> Mistake | None:
    """The first candidate whose numbers ``fits`` says the learner's are."""
    for candidate in candidates:
        if fits(candidate):
            return candidate.mistake
    return None
