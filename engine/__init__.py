"""Backprop Lab's engine: numpy only, no Qt.

The numbers of backpropagation, one phase at a time, in seed 000's notation.
"""

from .core.activations import ACTIVATION_NAMES, get_activation
from .core.backprop import Trace
from .core.init import SCHEME_NAMES, InitSpec, initial_theta, initialise, jog_noise
from .core.losses import LOSS_NAMES, get_loss
from .core.network import Network, ParameterAddress, augment
from .core.optimizers import OPTIMIZER_NAMES, TrainingConfig
from .core.stepper import NonFiniteError, Phase, Stepper

__all__ = [
    "ACTIVATION_NAMES",
    "LOSS_NAMES",
    "OPTIMIZER_NAMES",
    "SCHEME_NAMES",
    "InitSpec",
    "Network",
    "NonFiniteError",
    "ParameterAddress",
    "Phase",
    "Stepper",
    "Trace",
    "TrainingConfig",
    "augment",
    "get_activation",
    "get_loss",
    "initial_theta",
    "initialise",
    "jog_noise",
]
