"""Initialisation schemes, reproducible from an explicit integer seed.

Draws come from ``numpy.random.default_rng(seed)`` (PCG64), layer by layer, the weights of
layer l then its biases, so a seed gives the same parameters on every machine.

==================  =============================================  ======================
scheme              weights                                        biases
==================  =============================================  ======================
``constant``        value                                          value
``zeros``           0                                              0
``uniform``         U(low, high)                                   U(low, high)
``normal``          N(0, std²)                                     N(0, std²)
``xavier_uniform``  U(−r, r), r = √(6 / (fan_in + fan_out))        0
``he_normal``       N(0, 2 / fan_in)                               0
==================  =============================================  ======================

``jog`` adds N(0, scale²) noise from its own seed to every parameter: the smallest push that
breaks a symmetry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .network import Network

SCHEME_PARAMETERS: dict[str, dict[str, float]] = {
    "constant": {"value": 1.0},
    "zeros": {},
    "uniform": {"low": -1.0, "high": 1.0},
    "normal": {"std": 1.0},
    "xavier_uniform": {},
    "he_normal": {},
}
SCHEME_NAMES = tuple(SCHEME_PARAMETERS)


@dataclass
class InitSpec:
    scheme: str = "constant"
    seed: int = 0
    parameters: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scheme not in SCHEME_PARAMETERS:
            known = ", ".join(SCHEME_NAMES)
            raise ValueError(f"init.scheme: unknown scheme {self.scheme!r} (known: {known})")
        merged = dict(SCHEME_PARAMETERS[self.scheme])
        for key, value in self.parameters.items():
            if key not in merged:
                allowed = ", ".join(merged) or "none"
                raise ValueError(
                    f"init.{key}: not a parameter of {self.scheme} (its parameters: {allowed})"
                )
            if not math.isfinite(value):
                raise ValueError(f"init.{key}: must be a finite number")
            merged[key] = float(value)
        if self.scheme == "uniform" and not merged["low"] <= merged["high"]:
            raise ValueError("init.low: must not be greater than init.high")
        if self.scheme == "uniform" and not math.isfinite(merged["high"] - merged["low"]):
            raise ValueError("init.high: high − low must be a finite number")
        if self.scheme == "normal" and merged["std"] < 0:
            raise ValueError("init.std: must not be negative")
        self.parameters = merged
        self.seed = int(self.seed)
        if self.seed < 0:
            raise ValueError("init.seed: must be a whole number ≥ 0")

    def to_json(self) -> dict:
        return {"scheme": self.scheme, **self.parameters, "seed": self.seed}


def initial_theta(network: Network, spec: InitSpec) -> np.ndarray:
    """The flat parameter vector that ``spec`` gives for this network's structure."""
    # the generator only for schemes that draw: numpy.random costs ~10 ms to import, the
    # start-up's seed-000 network is constant
    rng = None if spec.scheme in ("constant", "zeros") else np.random.default_rng(spec.seed)
    theta = np.zeros_like(network.theta)
    weights, biases, _ = network.layout(theta)
    p = spec.parameters
    for l, weight in enumerate(weights):
        fan_in, fan_out = weight.shape
        bias = biases[l] if network.bias else None
        if spec.scheme == "constant":
            weight[...] = p["value"]
            if bias is not None:
                bias[...] = p["value"]
        elif spec.scheme == "uniform":
            weight[...] = rng.uniform(p["low"], p["high"], weight.shape)
            if bias is not None:
                bias[...] = rng.uniform(p["low"], p["high"], bias.shape)
        elif spec.scheme == "normal":
            weight[...] = rng.normal(0.0, p["std"], weight.shape)
            if bias is not None:
                bias[...] = rng.normal(0.0, p["std"], bias.shape)
        elif spec.scheme == "xavier_uniform":
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            weight[...] = rng.uniform(-limit, limit, weight.shape)
        elif spec.scheme == "he_normal":
            weight[...] = rng.normal(0.0, math.sqrt(2.0 / fan_in), weight.shape)
        # "zeros": nothing to do
    if not np.isfinite(theta).all():
        raise ValueError("init: these parameters give weights that are not finite")
    return theta


def initialise(network: Network, spec: InitSpec) -> None:
    network.theta[...] = initial_theta(network, spec)


def jog_noise(network: Network, scale: float, seed: int) -> np.ndarray:
    """Seeded N(0, scale²) noise, one value per parameter."""
    if not math.isfinite(scale) or scale < 0:
        raise ValueError("jog scale: must be a finite number ≥ 0")
    return np.random.default_rng(seed).normal(0.0, scale, network.theta.shape)
