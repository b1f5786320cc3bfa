"""Backprop Lab files: one JSON document with a network, its data and its training settings.

    {"format": "backprop-lab/1",
     "network": {"layers": [2, 3, 3, 2], "activations": [...], "bias": true,
                 "weights": [...], "biases": [...], "init": {"scheme": ..., "seed": 0}},
     "data": {"inputs": [[...], ...], "targets": [[...], ...]},
     "training": {"loss": "sse", "optimizer": "gd", "learning_rate": 0.5, ...}}

``weights[l][i][j]`` is w^l_{i,j}, from neuron i of layer l to neuron j of layer l+1
(sizes[l] × sizes[l+1]); ``biases[l][j]`` is b^l_j. docs/file-format.md describes every field.

Loading checks everything and raises one :class:`FileFormatError` whose message starts with
the path of the offending field (``network.weights[1][2]: expected 3 numbers, got 2``).
Nothing in a file is ever executed: it is parsed as JSON and read as numbers and names.
Saving writes a temporary file beside the target, fsyncs it and renames it over the target,
so an interrupted save leaves the old file as it was.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATION_NAMES
from .atomic import read_regular_file, write_bytes_atomic
from .init import SCHEME_PARAMETERS, InitSpec, initial_theta
from .jsonfields import FileFormatError as FileFormatError  # part of this module's API
from .jsonfields import (
    decode,
    describe,
    expect_object,
    fail,
    integer,
    known_name,
    list_of,
    matrix,
    no_duplicates,
    number,
    parse_json,
    vector,
    with_path,
)
from .losses import LOSS_NAMES
from .network import MAX_LAYERS, MAX_NEURONS_PER_LAYER, Network, validate_structure
from .optimizers import OPTIMIZER_NAMES, TrainingConfig
from .stepper import MAX_OBSERVATIONS, Stepper, validate_data, validate_training

FORMAT = "backprop-lab/1"
FORMAT_PREFIX = "backprop-lab/"
MAX_FILE_BYTES = 64 * 2**20
MAX_SEED = 2**64 - 1  # seeds are non-negative integers below 2⁶⁴

# training key → kind of value; the keys are exactly the fields of TrainingConfig
TRAINING_FIELDS = {
    "loss": "loss", "optimizer": "optimizer", "learning_rate": "number",
    "batch_size": "batch", "momentum": "number", "beta1": "number", "beta2": "number",
    "epsilon": "number", "shuffle_seed": "seed",
}


@dataclass
class Document:
    network: Network
    inputs: np.ndarray
    targets: np.ndarray
    training: TrainingConfig
    init: InitSpec | None = None

    def make_stepper(self, **history_options) -> Stepper:
        """A stepper on a copy of the network (so the document keeps its initial parameters)."""
        return Stepper(self.network.copy(), self.inputs, self.targets, self.training,
                       **history_options)

    @classmethod
    def from_stepper(cls, stepper: Stepper, init: InitSpec | None = None) -> Document:
        """The stepper's current parameters, data and settings as a document."""
        return cls(stepper.network.copy(), stepper.inputs.copy(), stepper.targets.copy(),
                   stepper.config, init)


# ----------------------------------------------------------------- sections
def _read_init(value, path: str) -> InitSpec:
    if not isinstance(value, dict):
        fail(path, f"expected an object {{…}}, got {describe(value)}")
    if "scheme" not in value:
        fail(f"{path}.scheme", "missing")
    scheme = known_name(value["scheme"], f"{path}.scheme", tuple(SCHEME_PARAMETERS), "init scheme")
    names = tuple(SCHEME_PARAMETERS[scheme])
    expect_object(value, path, ("scheme",), ("seed", *names))
    seed = integer(value.get("seed", 0), f"{path}.seed", 0, MAX_SEED)
    parameters = {key: number(value[key], f"{path}.{key}") for key in names if key in value}
    return with_path("network.", InitSpec, scheme, seed, parameters)


def _read_network(value) -> tuple[Network, InitSpec | None]:
    section = expect_object(value, "network", ("layers", "activations"),
                      ("bias", "weights", "biases", "init"))
    sizes = list_of(section["layers"], "network.layers", None, "layer sizes")
    if not 2 <= len(sizes) <= MAX_LAYERS:
        fail("network.layers", f"expected 2 to {MAX_LAYERS} layer sizes, got {len(sizes)}")
    for index, size in enumerate(sizes):
        integer(size, f"network.layers[{index}]", 1, MAX_NEURONS_PER_LAYER)
    layer_count = len(sizes) - 1
    names = list_of(section["activations"], "network.activations", layer_count,
                  "activation names (one per non-input layer)")
    for index, name in enumerate(names):
        known_name(name, f"network.activations[{index}]", ACTIVATION_NAMES, "activation")
    bias = section.get("bias", True)
    if not isinstance(bias, bool):
        fail("network.bias", f"expected true or false, got {describe(bias)}")
    with_path("network.", validate_structure, sizes, names)
    network = Network(sizes, names, bias)

    init = None
    if section.get("init") is not None:
        init = _read_init(section["init"], "network.init")
        with np.errstate(all="ignore"):  # initial_theta rejects non-finite draws itself
            network.theta[...] = with_path("network.", initial_theta, network, init)

    weights = section.get("weights")
    if weights is not None:
        list_of(weights, "network.weights", layer_count, "matrices (one per non-input layer)")
        for l in range(layer_count):
            network.weights[l][...] = matrix(
                weights[l], f"network.weights[{l}]", sizes[l], sizes[l + 1],
                f" (one per neuron of layer {l})", f" (one per neuron of layer {l + 1})")
    elif init is None:
        fail("network.weights", "missing (give the weights, or an init to draw them from)")

    biases = section.get("biases")
    if not bias:
        if biases is not None:
            fail("network.biases", "must be absent or null when network.bias is false")
    elif biases is not None:
        list_of(biases, "network.biases", layer_count, "vectors (one per non-input layer)")
        for l in range(layer_count):
            network.biases[l][...] = vector(biases[l], f"network.biases[{l}]", sizes[l + 1],
                                             f" (one per neuron of layer {l + 1})")
    elif init is None:
        fail("network.biases", "missing (give the biases, or an init to draw them from)")
    return network, init


def _read_data(value, network: Network) -> tuple[np.ndarray, np.ndarray]:
    section = expect_object(value, "data", ("inputs", "targets"))
    for key in ("inputs", "targets"):
        rows = list_of(section[key], f"data.{key}", None, "rows")
        if not 1 <= len(rows) <= MAX_OBSERVATIONS:
            fail(f"data.{key}", f"expected 1 to {MAX_OBSERVATIONS} rows (observations), "
                                 f"got {len(rows)}")
    inputs = matrix(section["inputs"], "data.inputs", None, network.sizes[0], "",
                     " (one per input neuron)")
    targets = matrix(section["targets"], "data.targets", len(inputs), network.sizes[-1],
                      " (one per row of data.inputs)", " (one per output neuron)")
    with_path("", validate_data, network, inputs, targets)
    return inputs, targets


def _read_training(value, network: Network) -> TrainingConfig:
    section = expect_object({} if value is None else value, "training", (), tuple(TRAINING_FIELDS))
    settings = {}
    for key, kind in TRAINING_FIELDS.items():
        if key not in section:
            continue
        item, path = section[key], f"training.{key}"
        if kind == "loss":
            settings[key] = known_name(item, path, LOSS_NAMES, "loss")
        elif kind == "optimizer":
            settings[key] = known_name(item, path, OPTIMIZER_NAMES, "optimizer")
        elif kind == "number":
            settings[key] = number(item, path)
        elif kind == "seed":
            settings[key] = integer(item, path, 0, MAX_SEED)
        elif item is not None:  # batch: null (the whole data set) or a count
            settings[key] = integer(item, path, 1, MAX_OBSERVATIONS)
    config = with_path("", TrainingConfig, **settings)
    with_path("", validate_training, network, config)
    return config


def _read_format(document: dict) -> None:
    if "format" not in document:
        fail("format", f'missing; is this a Backprop Lab file? (expected "format": "{FORMAT}")')
    value = document["format"]
    if value == FORMAT:
        return
    note = ""
    if isinstance(value, str) and value.startswith(FORMAT_PREFIX):
        version = value[len(FORMAT_PREFIX):]
        if version.isascii() and version.isdigit() and version.lstrip("0") not in ("", "1"):
            note = " (this file was written by a newer version)"
    fail("format", f'expected "{FORMAT}", got {describe(value)}{note}')


def _read_document(value) -> Document:
    if not isinstance(value, dict):
        fail("file", f"expected a JSON object {{…}} at the top level, got {describe(value)}")
    no_duplicates(value, "document")
    _read_format(value)
    expect_object(value, "", ("format", "network", "data"), ("training",))
    network, init = _read_network(value["network"])
    inputs, targets = _read_data(value["data"], network)
    training = _read_training(value.get("training"), network)
    return Document(network, inputs, targets, training, init)


# -------------------------------------------------------------- public API
def loads(text: str | bytes) -> Document:
    """A document from JSON text (or UTF-8 bytes); raises FileFormatError."""
    if len(text) > MAX_FILE_BYTES:
        fail("file", f"larger than the limit of {MAX_FILE_BYTES} bytes")
    if isinstance(text, (bytes, bytearray)):
        text = decode(bytes(text))
    return _read_document(parse_json(text))


def load(path: str | os.PathLike) -> Document:
    """Read a file; its size is checked before it is read, and anything but a regular file
    (a FIFO, a device) is refused without blocking. OSError passes through."""
    data = read_regular_file(path, MAX_FILE_BYTES, lambda size: FileFormatError(
        f"file: {size} bytes, larger than the limit of {MAX_FILE_BYTES} bytes"))
    return loads(data)


def to_json(source: Document | Stepper, init: InitSpec | None = None) -> dict:
    """The document as JSON-ready Python values: explicit weights and biases always."""
    if isinstance(source, Stepper):
        source = Document.from_stepper(source, init)
    network = source.network
    section: dict = {
        "layers": list(network.sizes),
        "activations": list(network.activation_names),
        "bias": network.bias,
        "weights": [w.tolist() for w in network.weights],
    }
    if network.bias:
        section["biases"] = [b.tolist() for b in network.biases]
    chosen = init if init is not None else source.init
    if chosen is not None:
        section["init"] = chosen.to_json()
    return {
        "format": FORMAT,
        "network": section,
        "data": {"inputs": source.inputs.tolist(), "targets": source.targets.tolist()},
        "training": source.training.to_json(),
    }


def _render(value, indent: str = "") -> str:
    """JSON with one line per row of numbers. Floats are written with repr: exact."""
    inner = indent + "  "
    if isinstance(value, dict):
        flat = json.dumps(value, allow_nan=False, ensure_ascii=False)
        if len(flat) <= 72 and not any(isinstance(v, (list, dict)) for v in value.values()):
            return flat
        items = [f"{inner}{json.dumps(k)}: {_render(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value):
        return "[\n" + ",\n".join(inner + _render(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def dumps(source: Document | Stepper, init: InitSpec | None = None) -> str:
    """Document (or a stepper's current state) → JSON text; ``init`` is recorded if given."""
    return _render(to_json(source, init)) + "\n"


def save(path: str | os.PathLike, source: Document | Stepper,
         init: InitSpec | None = None) -> None:
    """Write atomically: temp file in the same directory, fsync, rename over ``path``."""
    text = dumps(source, init).encode("utf-8")  # fails before the disk is touched
    write_bytes_atomic(path, text)
