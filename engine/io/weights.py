"""Weights made by other programs: a NumPy ``.npz``, a PyTorch ``state_dict`` (``.pt``,
``.pth``) or an ONNX model (``.onnx``) of a fully connected network.

- ``.npz``: arrays ``W0, b0, W1, b1, …`` in the engine's layout: W^l of shape (neurons of
  layer l, neurons of layer l+1), b^l of shape (neurons of layer l+1,). Read with
  ``np.load(..., allow_pickle=False)``: an array of Python objects is refused, never
  unpickled.
- ``.pt``: the ``state_dict()`` of an ``nn.Sequential`` of ``Linear`` layers and
  activations (keys ``0.weight``, ``0.bias``, ``2.weight``, … in index order; a common prefix
  such as ``net.`` is allowed), in PyTorch's (out, in) layout: transposed here. Read with
  ``torch.load(path, weights_only=True)`` only, when PyTorch is installed: anything but
  tensors is refused. A state_dict says nothing of activations.
- ``.onnx``: an MLP graph of MatMul/Gemm (+ Add) and activation nodes, read by
  engine/io/onnx_model.py (the optional ``onnx`` package).

``import_weights(path, network)`` gives the θ the file holds for ``network`` (the same layout
as ``network.theta``) or raises :class:`WeightsError` with one message naming the array and
both shapes (``W1: expected shape (128, 10), the file has (10, 128)``); nothing is changed
here, so the caller's network stays as it was. ``model_document(path)`` builds a whole
document from a ``.pt`` or ``.onnx`` file: its structure, activations and weights, one
placeholder observation of zeros as data.
"""

from __future__ import annotations

import os
import pickle
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.limits import MAX_PARAMETERS, check_memory
from ..core.network import Network, validate_structure
from ..core.optimizers import STATE_VECTORS, TrainingConfig
from .fileformat import Document

WEIGHT_SUFFIXES = (".npz", ".pt", ".pth", ".onnx")  # Import weights… reads these
MODEL_SUFFIXES = (".pt", ".pth", ".onnx")  # Open builds a network from these
TORCH_NEEDED = "reading .pt files needs PyTorch: pip install -e '.[torch]'"
# float64 parameters with room for the container (zip, protobuf, pickle) and names
MAX_WEIGHT_FILE_BYTES = 8 * MAX_PARAMETERS + 64 * 2**20
DEFAULT_HIDDEN = "relu"  # what a state_dict's hidden layers are read as (it names none)
STATE_DICT_NOTE = ("a state_dict holds no activations: the hidden layers are read as relu "
                   "and the output layer as linear; change them in the window if yours differ")


class WeightsError(ValueError):
    """A weight file that cannot be read or does not fit: the message says what and where."""


@dataclass
class FileLayer:
    """One Linear layer as a file holds it."""

    weight: np.ndarray  # as in the file: (in, out), or (out, in) when ``transposed``
    bias: np.ndarray | None  # a vector (out,)
    weight_name: str  # the array's name in the file: W0, 0.weight, an initializer's
    bias_name: str | None
    transposed: bool = False  # the file holds Wᵀ (PyTorch's Linear, Gemm with transB=1)
    activation: str | None = None  # the activation after it, where the file says
    layout: str = ""  # how the file lays W^l out, for messages

    @property
    def matrix(self) -> np.ndarray:
        """W^l in the engine's layout: (neurons of layer l, neurons of layer l+1)."""
        return self.weight.T if self.transposed else self.weight

    def file_shape(self, inputs: int, outputs: int) -> tuple[int, int]:
        return (outputs, inputs) if self.transposed else (inputs, outputs)


@dataclass
class WeightFile:
    path: Path
    kind: str  # "npz", "pt" or "onnx"
    layers: list[FileLayer]
    activations_known: bool = False  # ONNX names them; .npz and .pt do not

    @property
    def has_biases(self) -> bool:
        return any(layer.bias is not None for layer in self.layers)


# ------------------------------------------------------------------ helpers
def real_numbers(value: np.ndarray, name: str) -> np.ndarray:
    """An array of real numbers as float64 (a copy); WeightsError for anything else."""
    if value.dtype.kind not in "fiu":
        kind = {"O": "Python objects", "c": "complex numbers", "b": "true/false values",
                "U": "text", "S": "bytes", "V": "records"}.get(value.dtype.kind,
                                                             f"values of type {value.dtype}")
        raise WeightsError(f"{name}: holds {kind}; expected real numbers")
    array = np.array(value, dtype=np.float64)
    if not np.isfinite(array).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise WeightsError(f"{name}: {float(array[where])!r} at {list(where)} is not a finite "
                           "number")
    return array


def _shape(shape) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _names(layers: list[FileLayer], weights_only: bool = False) -> str:
    names = [layer.weight_name for layer in layers]
    if not weights_only:
        names += [layer.bias_name for layer in layers if layer.bias_name]
    return ", ".join(names)


def _check_size(path: Path) -> None:
    size = os.stat(path).st_size
    if size > MAX_WEIGHT_FILE_BYTES:
        raise WeightsError(f"{size:,} bytes, more than the {MAX_WEIGHT_FILE_BYTES:,} that "
                           f"{MAX_PARAMETERS:,} parameters need")


# --------------------------------------------------------------------- .npz
_NPZ_NAME = re.compile(r"([Wb])(0|[1-9][0-9]*)")


def read_npz(path: Path) -> WeightFile:
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError) as error:
        raise WeightsError(f"not a NumPy .npz archive ({error})") from None
    if isinstance(archive, np.ndarray):  # a .npy file renamed
        raise WeightsError(f"one array of shape {_shape(archive.shape)}, not a .npz archive of "
                           "W0, b0, W1, b1, …")
    with archive:
        found: dict[str, dict[int, str]] = {"W": {}, "b": {}}
        for key in archive.files:
            match = _NPZ_NAME.fullmatch(key)
            if match is None:
                raise WeightsError(f"{key!r}: not a name this file may hold (W0, b0, W1, b1, "
                                   "…: W^l of shape (neurons of layer l, neurons of layer l+1), "
                                   "b^l of shape (neurons of layer l+1,))")
            found[match[1]][int(match[2])] = key
        if not found["W"]:
            raise WeightsError("no weight matrices (expected arrays W0, b0, W1, b1, …)")
        count = max(found["W"]) + 1
        for kind in ("W", "b"):
            for index in sorted(found[kind]):
                if index >= count:
                    raise WeightsError(f"{kind}{index}: there is no W{index} (the file has "
                                       f"{', '.join(sorted(found['W'].values()))})")
        missing = [f"W{l}" for l in range(count) if l not in found["W"]]
        if missing:
            raise WeightsError(f"{missing[0]}: missing (the file has "
                               f"{', '.join(found['W'][l] for l in sorted(found['W']))})")
        if found["b"] and len(found["b"]) != count:
            gap = next(l for l in range(count) if l not in found["b"])
            raise WeightsError(f"b{gap}: missing (the file has biases for some layers only)")

        def read(key: str) -> np.ndarray:
            try:
                value = archive[key]
            except ValueError:  # an object array: refused, not unpickled
                raise WeightsError(f"{key}: holds Python objects, which are never read "
                                   "(allow_pickle=False); save arrays of numbers") from None
            except (OSError, EOFError, zipfile.BadZipFile) as error:
                raise WeightsError(f"{key}: cannot be read ({error})") from None
            return real_numbers(value, key)

        layers = [FileLayer(read(f"W{l}"), read(f"b{l}") if found["b"] else None,
                            f"W{l}", f"b{l}" if found["b"] else None)
                  for l in range(count)]
    return WeightFile(path, "npz", layers)


# ---------------------------------------------------------------------- .pt
_TORCH_KEY = re.compile(r"(?:(.*)\.)?(0|[1-9][0-9]*)\.(weight|bias)")


def _torch_load(path: Path):
    try:
        import torch
    except ImportError:
        raise WeightsError(TORCH_NEEDED) from None
    try:
        return torch, torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(error))
        what = f" ({found[1]})" if found else ""
        raise WeightsError(
            f"holds more than tensors{what}: PyTorch's safe loader (weights_only=True) refused "
            "it, and nothing else reads it. Save the state_dict alone: "
            "torch.save(model.state_dict(), PATH)") from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile,
            AttributeError, TypeError) as error:
        text = " ".join(str(error).split())[:200]
        raise WeightsError(f"not a file PyTorch can read ({text})") from None


def _describe_value(value) -> str:
    name = type(value).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def read_pt(path: Path) -> WeightFile:
    torch, content = _torch_load(path)
    if not isinstance(content, dict):
        raise WeightsError(f"holds {_describe_value(content)}, not a state_dict (names → "
                           "tensors): save model.state_dict()")
    layers: dict[int | None, dict[str, tuple[str, np.ndarray]]] = {}
    prefixes = set()
    for key, value in content.items():
        if not isinstance(value, torch.Tensor):
            raise WeightsError(f"{key!r}: {_describe_value(value)}, not a tensor; a state_dict "
                               "of an nn.Sequential holds tensors only (save "
                               "model.state_dict())")
        if not isinstance(key, str):
            raise WeightsError(f"{key!r}: a key that is not text; expected 0.weight, 0.bias, …")
        match = _TORCH_KEY.fullmatch(key)
        if match is None and key in ("weight", "bias"):  # a lone nn.Linear
            index, part, prefix = None, key, ""
        elif match is None:
            raise WeightsError(f"{key}: not a Linear layer's weight or bias (expected keys "
                               "0.weight, 0.bias, 2.weight, … of an nn.Sequential of Linear "
                               "layers and activations)")
        else:
            prefix, index, part = match[1] or "", int(match[2]), match[3]
        prefixes.add(prefix)
        if len(prefixes) > 1:
            raise WeightsError(f"{key}: layers under different names ("
                               f"{', '.join(repr(p) for p in sorted(prefixes))}); expected one "
                               "nn.Sequential")
        if value.is_complex() or value.dtype == torch.bool:
            raise WeightsError(f"{key}: a tensor of {value.dtype}; expected real numbers")
        array = real_numbers(value.detach().to(torch.float64).numpy(), key)
        layers.setdefault(index, {})[part] = (key, array)
    if not layers:
        raise WeightsError("an empty state_dict: no layers")
    result = []
    indices = sorted(layers, key=lambda i: -1 if i is None else i)
    for position, index in enumerate(indices):
        parts = layers[index]
        if "weight" not in parts:
            key = parts["bias"][0]
            raise WeightsError(f"{key}: a bias without its weight "
                               f"({key[:-len('bias')]}weight is missing)")
        key, weight = parts["weight"]
        if weight.ndim != 2:
            raise WeightsError(f"{key}: shape {_shape(weight.shape)} is not a Linear layer's "
                               "(out, in) matrix")
        bias_key, bias = parts.get("bias", (None, None))
        activation = None
        if position + 1 < len(indices):  # a module between two Linear layers: relu, assumed
            activation = DEFAULT_HIDDEN if indices[position + 1] - index >= 2 else "linear"
        result.append(FileLayer(weight, bias, key, bias_key, transposed=True,
                                activation=activation,
                                layout=f"PyTorch's (out, in) layout of W^{position}"))
    return WeightFile(path, "pt", result)


# ------------------------------------------------------------------ reading
def read_weight_file(path: str | os.PathLike) -> WeightFile:
    """The layers a weight file holds, by its suffix; WeightsError (or OSError) otherwise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WEIGHT_SUFFIXES:
        raise WeightsError(f"{path.name}: choose a .npz (NumPy), .pt (PyTorch state_dict) or "
                           ".onnx file")
    if not path.is_file():
        if path.exists():
            raise WeightsError("not a regular file; nothing was read")
        raise FileNotFoundError(2, "No such file or directory", str(path))
    _check_size(path)
    if suffix == ".npz":
        return read_npz(path)
    if suffix == ".onnx":
        from .onnx_model import read_onnx

        return read_onnx(path)
    return read_pt(path)


def _check_layers(file: WeightFile, network: Network) -> None:
    """Every array of ``file`` fits ``network``: one message naming the first that does not."""
    count = network.layer_count
    if len(file.layers) != count:
        raise WeightsError(
            f"the file has {len(file.layers)} weight matrices ({_names(file.layers, True)}), "
            f"the network {count} ({'-'.join(map(str, network.sizes))})")
    for l, layer in enumerate(file.layers):
        inputs, outputs = network.sizes[l], network.sizes[l + 1]
        expected = layer.file_shape(inputs, outputs)
        if layer.weight.shape != expected:
            how = f" ({layer.layout})" if layer.layout else ""
            raise WeightsError(f"{layer.weight_name}: expected shape {_shape(expected)}{how}, "
                               f"the file has {_shape(layer.weight.shape)}")
        if layer.bias is None:
            if network.bias:
                raise WeightsError(f"b{l}: missing from the file (the network has biases; "
                                   "the file has none for this layer)")
            continue
        if not network.bias:
            raise WeightsError(f"{layer.bias_name}: the file has biases, but this network has "
                               "none (bias: false)")
        if layer.bias.shape != (outputs,):
            raise WeightsError(f"{layer.bias_name}: expected shape {_shape((outputs,))}, the "
                               f"file has {_shape(layer.bias.shape)}")


def theta_from(file: WeightFile, network: Network) -> np.ndarray:
    """θ laid out like ``network.theta`` from the file's arrays (the network is untouched)."""
    _check_layers(file, network)
    theta = np.zeros_like(network.theta)
    weights, biases, _ = network.layout(theta)
    for l, layer in enumerate(file.layers):
        weights[l][...] = layer.matrix
        if network.bias:
            biases[l][...] = layer.bias
    return theta


def activation_note(file: WeightFile, network: Network) -> str:
    """'' or a note that the file's activations differ from the network's (only the weights
    are taken)."""
    if not file.activations_known:
        return ""
    theirs = [layer.activation or "linear" for layer in file.layers]
    if theirs == network.activation_names:
        return ""
    return (f"the file's activations ({', '.join(theirs)}) differ from the network's "
            f"({', '.join(network.activation_names)}): only the weights were taken")


def import_weights(path: str | os.PathLike, network: Network) -> tuple[np.ndarray, str]:
    """(θ for ``network`` from the file at ``path``, a note or ''); WeightsError naming the
    array and both shapes when the file does not fit, OSError when it cannot be read."""
    file = read_weight_file(path)
    return theta_from(file, network), activation_note(file, network)


# -------------------------------------------------------------------- models
def network_from(file: WeightFile) -> Network:
    """The network a model file describes: sizes from the shapes, activations from the file
    (a state_dict's: relu between Linear layers, linear at the end), biases if it has them."""
    layers = file.layers
    sizes = []
    for l, layer in enumerate(layers):
        if layer.weight.ndim != 2:
            raise WeightsError(f"{layer.weight_name}: shape {_shape(layer.weight.shape)} is not "
                               "a matrix")
        inputs, outputs = layer.matrix.shape
        if l == 0:
            sizes.append(inputs)
        elif inputs != sizes[-1]:
            previous = layers[l - 1]
            raise WeightsError(f"{layer.weight_name}: takes {inputs} inputs, but "
                               f"{previous.weight_name} gives {sizes[-1]} outputs")
        sizes.append(outputs)
    with_bias = [layer.bias is not None for layer in layers]
    if any(with_bias) and not all(with_bias):
        missing = next(l for l, present in enumerate(with_bias) if not present)
        raise WeightsError(f"{layers[missing].weight_name}: a layer without a bias among layers "
                           "with biases (a Backprop Lab network has biases on every layer or "
                           "none)")
    activations = [layer.activation or "linear" for layer in layers]
    try:
        validate_structure(sizes, activations)
    except ValueError as error:
        raise WeightsError(str(error)) from None
    network = Network(sizes, activations, all(with_bias))
    network.theta[...] = theta_from(file, network)
    return network


def placeholder_data(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """One observation of zeros (a softmax output's target: class 0), until real data is
    loaded."""
    inputs = np.zeros((1, network.sizes[0]))
    targets = np.zeros((1, network.sizes[-1]))
    if network.activation_names[-1] == "softmax":
        targets[0, 0] = 1.0
    return inputs, targets


def model_document(path: str | os.PathLike) -> tuple[Document, str]:
    """(A document built from a .pt or .onnx model, a note on what was assumed): the
    network with the file's weights, one placeholder observation, cross-entropy for a
    softmax output (bce for sigmoid, else mse), plain gradient descent."""
    path = Path(path)
    if path.suffix.lower() not in MODEL_SUFFIXES:
        raise WeightsError(f"{path.name}: a model is a .onnx or .pt file")
    file = read_weight_file(path)
    network = network_from(file)
    inputs, targets = placeholder_data(network)
    loss = {"softmax": "cross_entropy", "sigmoid": "bce"}.get(network.activation_names[-1],
                                                                 "mse")
    training = TrainingConfig(loss=loss, optimizer="gd", learning_rate=0.1)
    check_memory(network.sizes, len(inputs), len(inputs), STATE_VECTORS[training.optimizer],
                 "model")
    notes = ["the data is one placeholder observation of zeros: bring yours with Import CSV… "
             "in the Data workspace"]
    if file.kind == "pt" and network.layer_count > 0:
        notes.insert(0, STATE_DICT_NOTE)
    return Document(network, inputs, targets, training), "; ".join(notes)
