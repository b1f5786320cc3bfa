"""Backprop Lab's engine: numpy only, no Qt.

The numbers of backpropagation, one phase at a time, in seed 000's notation.
"""

from .activations import ACTIVATION_NAMES, get_activation
from .backprop import Trace
from .init import SCHEME_NAMES, InitSpec, initial_theta, initialise, jog_noise
from .losses import LOSS_NAMES, get_loss
from .network import Network, ParameterAddress, augment
from .optimizers import OPTIMIZER_NAMES, TrainingConfig
from .stepper import NonFiniteError, Phase, Stepper

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
