"""Training settings and the optimisers that turn a gradient into an update.

All optimisers act on the flat parameter vector θ and its gradient g = ∂C/∂θ, in place.

==============  =====================================================================
``gd``          θ ← θ − η g, on the whole data set every iteration (the seeds' case)
``sgd``         the same rule on mini-batches of ``batch_size`` observations
``momentum``    v ← μ v + g;  θ ← θ − η v
``adam``        m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
                θ ← θ − η m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)
==============  =====================================================================

``sgd``, ``momentum`` and ``adam`` use mini-batches when ``batch_size`` is set; iteration t
takes batch t mod B of epoch ⌊t / B⌋ (B batches an epoch), each epoch shuffled by
``default_rng([shuffle_seed, epoch])``, the last batch short (MINI_BATCH_RULE says it in
words). The batch of an iteration depends only on t and the settings, so replaying history
needs no random state.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, replace

import numpy as np

from .losses import LOSSES
from .network import ParameterAddress
from .precision import DEFAULT_DTYPE, dtype_of

OPTIMIZER_NAMES = ("gd", "sgd", "momentum", "adam")
MINI_BATCH_RULE = (
    "Iteration t takes batch t mod B of epoch ⌊t / B⌋ (B = ⌈m / batch size⌉ batches an "
    "epoch); every epoch is shuffled by numpy's default_rng([shuffle_seed, epoch])"
    ".permutation(m), and its last batch is shorter when m is not a multiple of the batch "
    "size. gd always uses every observation.")
MAX_LEARNING_RATE = 1e6


def _is_whole(value, minimum: int) -> bool:
    return (not isinstance(value, bool) and isinstance(value, numbers.Integral)
            and value >= minimum)


@dataclass(frozen=True)
class TrainingConfig:
    loss: str = "sse"
    optimizer: str = "gd"
    learning_rate: float = 0.5
    batch_size: int | None = None
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    shuffle_seed: int = 0
    dtype: str = DEFAULT_DTYPE  # "float64", or "float32" as PyTorch (engine.core.precision)
    # the parameters no update changes, by name (``w^l_{i,j}``, ``b^l_j``): their gradient
    # is still computed and shown; see ``frozen_indices`` and ``Optimizer.update``
    frozen: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        dtype_of(self.dtype)  # ValueError "training.dtype: unknown dtype …"
        object.__setattr__(self, "frozen", canonical_frozen(self.frozen))
        if self.loss not in LOSSES:
            raise ValueError(f"training.loss: unknown loss {self.loss!r} (known: "
                             f"{', '.join(LOSSES)})")
        if self.optimizer not in OPTIMIZER_NAMES:
            raise ValueError(f"training.optimizer: unknown optimizer {self.optimizer!r} "
                             f"(known: {', '.join(OPTIMIZER_NAMES)})")
        checks = {
            "learning_rate": 0.0 < self.learning_rate <= MAX_LEARNING_RATE,
            "momentum": 0.0 <= self.momentum < 1.0,
            "beta1": 0.0 <= self.beta1 < 1.0,
            "beta2": 0.0 <= self.beta2 < 1.0,
            "epsilon": 0.0 < self.epsilon <= 1.0,
        }
        limits = {
            "learning_rate": f"greater than 0 and at most {MAX_LEARNING_RATE:g}",
            "momentum": "in [0, 1)",
            "beta1": "in [0, 1)",
            "beta2": "in [0, 1)",
            "epsilon": "in (0, 1]",
        }
        for name, ok in checks.items():
            value = getattr(self, name)
            if not (math.isfinite(value) and ok):
                raise ValueError(f"training.{name}: must be {limits[name]}, not {value!r}")
        if self.batch_size is not None and not _is_whole(self.batch_size, 1):
            raise ValueError(
                f"training.batch_size: must be a whole number ≥ 1, not {self.batch_size!r}")
        if not _is_whole(self.shuffle_seed, 0):
            raise ValueError(
                f"training.shuffle_seed: must be a whole number ≥ 0, not {self.shuffle_seed!r}")

    @property
    def numpy_dtype(self) -> np.dtype:
        return dtype_of(self.dtype)

    def with_changes(self, **changes) -> TrainingConfig:
        return replace(self, **changes)

    def to_json(self) -> dict:
        return asdict(self)

    def effective_batch_size(self, observations: int) -> int:
        if self.optimizer == "gd" or self.batch_size is None:
            return observations
        return min(self.batch_size, observations)


def canonical_frozen(names) -> tuple[str, ...]:
    """``names`` as TrainingConfig keeps them: each parsed and written back in its canonical
    form, without repeats, in the order of the parameters' addresses (weights before biases
    within a layer), so that two configs freezing the same parameters are equal. A name that
    is not a weight or bias name raises ValueError naming ``training.frozen[i]``."""
    if isinstance(names, str):
        raise ValueError("training.frozen: a list of parameter names, not one string")
    addresses = set()
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise ValueError(f"training.frozen[{i}]: a parameter name like w^0_{{1,2}} or "
                             f"b^1_0, not {name!r}")
        try:
            addresses.add(ParameterAddress.parse(name))
        except ValueError as error:
            raise ValueError(f"training.frozen[{i}]: {error}") from None
    order = sorted(addresses, key=lambda a: (a.layer, a.kind != "w", a.source or 0, a.target))
    return tuple(str(address) for address in order)


def frozen_indices(network, config: TrainingConfig) -> np.ndarray | None:
    """The positions in θ of ``config.frozen`` (None when nothing is frozen). The names must
    belong to ``network`` (``validate_training`` checks that)."""
    if not config.frozen:
        return None
    return np.array([network.flat_index(ParameterAddress.parse(name))
                     for name in config.frozen], dtype=np.intp)


def batch_indices(config: TrainingConfig, observations: int, iteration: int) -> np.ndarray | None:
    """Rows of the data set used by ``iteration``; None means all of them, in order."""
    size = config.effective_batch_size(observations)
    if size >= observations:
        return None
    per_epoch = -(-observations // size)
    epoch, position = divmod(iteration, per_epoch)
    order = np.random.default_rng([config.shuffle_seed, epoch]).permutation(observations)
    return order[position * size : (position + 1) * size]


def batch_position(config: TrainingConfig, observations: int, iteration: int) -> dict:
    """Where ``iteration`` stands in the mini-batch order: its epoch, its batch in that
    epoch and the batches an epoch has (a file states it for the reader; it follows from
    the iteration and the settings)."""
    size = config.effective_batch_size(observations)
    per_epoch = -(-observations // size)
    epoch, index = divmod(iteration, per_epoch)
    return {"epoch": epoch, "index": index, "batches_per_epoch": per_epoch}


class Optimizer:
    """Plain gradient step; subclasses keep state arrays in ``self.state``, their vectors in
    the run's dtype (Adam's step is a count: float64, exact however long the run; PyTorch
    too takes its bias corrections in double)."""

    per_parameter: tuple[str, ...] = ()  # the state's vectors with one entry per parameter

    def __init__(self, config: TrainingConfig, parameter_count: int) -> None:
        self.config = config
        self.dtype = config.numpy_dtype
        self.state: dict[str, np.ndarray] = {}
        self.frozen: np.ndarray | None = None  # positions in θ the update leaves alone

    def update(self, theta: np.ndarray, gradient: np.ndarray) -> None:
        """One update of θ from its gradient, in place. A frozen parameter keeps its value
        and its entries of the optimiser's state (momentum's velocity, Adam's moments): as a
        PyTorch parameter with ``requires_grad=False``, which its optimiser skips, whatever
        its gradient. The maths is done on every entry and the frozen ones put back, so an
        unfrozen parameter's numbers are those of a run with nothing frozen."""
        frozen = self.frozen
        if frozen is None:
            self._step(theta, gradient)
            return
        kept = theta[frozen]
        vectors = [(self.state[key], self.state[key][frozen]) for key in self.per_parameter]
        self._step(theta, gradient)
        theta[frozen] = kept
        for vector, values in vectors:
            vector[frozen] = values

    def _step(self, theta: np.ndarray, gradient: np.ndarray) -> None:
        # θ ← θ − η g
        theta -= self.config.learning_rate * gradient

    def get_state(self) -> dict[str, np.ndarray]:
        return {key: value.copy() for key, value in self.state.items()}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        for key, value in state.items():
            self.state[key][...] = value


class Momentum(Optimizer):
    per_parameter = ("velocity",)

    def __init__(self, config: TrainingConfig, parameter_count: int) -> None:
        super().__init__(config, parameter_count)
        self.state = {"velocity": np.zeros(parameter_count, self.dtype)}

    def _step(self, theta: np.ndarray, gradient: np.ndarray) -> None:
        velocity = self.state["velocity"]
        velocity *= self.config.momentum  # v ← μ v + g
        velocity += gradient
        theta -= self.config.learning_rate * velocity


class Adam(Optimizer):
    per_parameter = ("first_moment", "second_moment")  # not its step, a count

    def __init__(self, config: TrainingConfig, parameter_count: int) -> None:
        super().__init__(config, parameter_count)
        self.state = {
            "first_moment": np.zeros(parameter_count, self.dtype),
            "second_moment": np.zeros(parameter_count, self.dtype),
            "step": np.zeros(1),
        }

    def _step(self, theta: np.ndarray, gradient: np.ndarray) -> None:
        c = self.config
        m, v, step = self.state["first_moment"], self.state["second_moment"], self.state["step"]
        step += 1.0
        t = float(step[0])  # the bias corrections in double, as PyTorch takes them
        m *= c.beta1
        m += (1.0 - c.beta1) * gradient
        v *= c.beta2
        v += (1.0 - c.beta2) * (gradient * gradient)
        m_hat = m / (1.0 - c.beta1**t)
        v_hat = v / (1.0 - c.beta2**t)
        theta -= c.learning_rate * m_hat / (np.sqrt(v_hat) + c.epsilon)


# how many vectors as long as θ each optimiser keeps (its state; Adam's step is one number)
STATE_VECTORS = {"gd": 0, "sgd": 0, "momentum": 1, "adam": 2}


def make_optimizer(config: TrainingConfig, parameter_count: int,
                   frozen: np.ndarray | None = None) -> Optimizer:
    """The optimiser ``config`` names; ``frozen``: the positions in θ it leaves alone
    (``frozen_indices``)."""
    kind = {"gd": Optimizer, "sgd": Optimizer, "momentum": Momentum, "adam": Adam}
    optimizer = kind[config.optimizer](config, parameter_count)
    optimizer.frozen = frozen
    return optimizer
