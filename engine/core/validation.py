"""What a network can train on: data of the right shape, finite and within the limits, and a
loss that fits its output layer. The stepper, the file format and the exporters ask the
same questions here, so a file that loads always trains and an export always runs."""

from __future__ import annotations

import numpy as np

from .limits import MAX_DATA_VALUES, MAX_OBSERVATIONS
from .losses import get_loss
from .network import Network, ParameterAddress
from .optimizers import TrainingConfig


def validate_training(network: Network, config: TrainingConfig) -> None:
    required = get_loss(config.loss).required_output
    output = network.activation_names[-1]
    if required is not None and output != required:
        raise ValueError(
            f"training.loss: {config.loss} needs a {required} output layer, "
            f"but the output layer is {output}"
        )
    for i, name in enumerate(config.frozen):
        address = ParameterAddress.parse(name)
        try:
            network.check_address(address)
        except (ValueError, IndexError) as error:
            raise ValueError(f"training.frozen[{i}]: {error}") from None


def validate_data(network: Network, inputs: np.ndarray, targets: np.ndarray) -> None:
    for name, array, width in (
        ("data.inputs", inputs, network.sizes[0]),
        ("data.targets", targets, network.sizes[-1]),
    ):
        if array.ndim != 2 or array.shape[1] != width:
            raise ValueError(
                f"{name}: expected rows of {width} numbers (one per neuron of the "
                f"{'input' if name == 'data.inputs' else 'output'} layer), got shape {array.shape}"
            )
        if not np.isfinite(array).all():
            raise ValueError(f"{name}: every value must be a finite number")
    if not 1 <= len(inputs) <= MAX_OBSERVATIONS:
        raise ValueError(f"data.inputs: 1 to {MAX_OBSERVATIONS} observations, not {len(inputs)}")
    if len(inputs) != len(targets):
        raise ValueError(
            f"data.targets: {len(targets)} rows for {len(inputs)} rows of inputs"
        )
    values = inputs.size + targets.size
    if values > MAX_DATA_VALUES:
        raise ValueError(f"data: {values:,} numbers (observations × (inputs + targets)), more "
                         f"than the limit of {MAX_DATA_VALUES:,}")
