"""Backprop Lab files: one JSON document with a network, its data, its training settings and,
from version 2, where a run stands and its breakpoints.

    {"format": "backprop-lab/2",
     "network": {"layers": [2, 3, 3, 2], "activations": [...], "bias": true,
                 "weights": [...], "biases": [...], "init": {"scheme": ..., "seed": 0}},
     "data": {"inputs": [[...], ...], "targets": [[...], ...]},
     "training": {"loss": "sse", "optimizer": "gd", "learning_rate": 0.5, ...},
     "state": {"iteration": 120, "optimizer": {"velocity": {"weights": [...], ...}}},
     "breakpoints": [{"kind": "loss_below", "value": 0.01, "enabled": true}]}

``weights[l][i][j]`` is w^l_{i,j}, from neuron i of layer l to neuron j of layer l+1
(sizes[l] × sizes[l+1]); ``biases[l][j]`` is b^l_j. docs/file-format.md describes every field.
Version 1 files (no ``state``, no ``breakpoints``) are read as runs at iteration 0; files are
written as version 2. A saved run continues bit for bit: the next iteration is ``iteration``
(its mini-batch follows from it), the optimiser goes on from its saved state.

Loading checks everything and raises one :class:`FileFormatError` whose message starts with
the path of the offending field (``network.weights[1][2]: expected 3 numbers, got 2``).
Nothing in a file is ever executed: it is parsed as JSON and read as numbers and names.
``training.dtype`` "float32" (engine.core.precision) is a float32 run: its parameters and
optimiser state are written as the shortest text of each float32 (0.1, which reads back as
the same float32), and every number of the file must fit float32.
Saving writes a temporary file beside the target, fsyncs it and renames it over the target,
so an interrupted save leaves the old file as it was.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from ..analysis.breakpoint_kinds import Breakpoint
from ..core.activations import ACTIVATIONS
from ..core.init import SCHEME_PARAMETERS, InitSpec, initial_theta
from ..core.limits import (
    MAX_BREAKPOINTS,
    MAX_DATA_VALUES,
    MAX_FILE_BYTES,
    MAX_LAYERS,
    MAX_NEURONS_PER_LAYER,
    MAX_OBSERVATIONS,
    MAX_STATE_ITERATION,
    check_memory,
    check_read_memory,
)
from ..core.losses import LOSSES
from ..core.network import Network, validate_structure
from ..core.optimizers import (
    OPTIMIZER_NAMES,
    STATE_VECTORS,
    TrainingConfig,
    batch_position,
    make_optimizer,
)
from ..core.precision import DTYPE_NAMES, check_fits, shortest_floats
from ..core.stepper import Stepper
from ..core.validation import validate_data, validate_training
from .atomic import read_regular_file, write_bytes_atomic
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

FORMAT = "backprop-lab/2"
FORMATS = ("backprop-lab/1", "backprop-lab/2")  # what this version reads
FORMAT_PREFIX = "backprop-lab/"
MAX_SEED = 2**64 - 1  # seeds are non-negative integers below 2⁶⁴
# a file's description is one line: File ▸ Examples shows it beside the file's name
MAX_DESCRIPTION = 200

# training key → kind of value; the keys are exactly the fields of TrainingConfig
TRAINING_FIELDS = {
    "loss": "loss", "optimizer": "optimizer", "learning_rate": "number",
    "batch_size": "batch", "momentum": "number", "beta1": "number", "beta2": "number",
    "epsilon": "number", "shuffle_seed": "seed", "dtype": "dtype", "frozen": "names",
}


@dataclass
class RunState:
    """Where a run stands: the next iteration to do, and the optimiser's state then (its
    arrays as ``Optimizer.get_state`` gives them: flat like θ; Adam's step of shape (1,))."""

    iteration: int = 0
    optimizer: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Document:
    network: Network
    inputs: np.ndarray
    targets: np.ndarray
    training: TrainingConfig
    init: InitSpec | None = None
    state: RunState = field(default_factory=RunState)
    breakpoints: list[Breakpoint] = field(default_factory=list)
    # one line on what the file shows (File ▸ Examples lists it); kept and written back
    description: str | None = None

    def make_stepper(self, **history_options) -> Stepper:
        """A stepper on a copy of the network (so the document keeps its parameters) that
        continues the run where the document stands."""
        return Stepper(self.network.copy(), self.inputs, self.targets, self.training,
                       start_iteration=self.state.iteration,
                       optimizer_state=self.state.optimizer or None, **history_options)

    @classmethod
    def from_stepper(cls, stepper: Stepper, init: InitSpec | None = None,
                     breakpoints=(), description: str | None = None) -> Document:
        """The stepper's current parameters, data, settings and run state as a document.
        In the middle of an iteration the run state is that iteration's start: the update
        comes last, so θ (with any edit made since) and the optimiser's state are as they
        were then, and the iteration is done again from its first phase."""
        return cls(stepper.network.copy(), stepper.inputs.copy(), stepper.targets.copy(),
                   stepper.config, init,
                   RunState(stepper.iteration, stepper.optimizer.get_state()),
                   list(breakpoints), description)


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
        known_name(name, f"network.activations[{index}]", tuple(ACTIVATIONS), "activation")
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
    values = len(section["inputs"]) * (network.sizes[0] + network.sizes[-1])
    if values > MAX_DATA_VALUES:
        fail("data", f"{len(section['inputs'])} observations of {network.sizes[0]} inputs and "
                     f"{network.sizes[-1]} targets are {values:,} numbers, more than the "
                     f"limit of {MAX_DATA_VALUES:,}")
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
            settings[key] = known_name(item, path, tuple(LOSSES), "loss")
        elif kind == "optimizer":
            settings[key] = known_name(item, path, OPTIMIZER_NAMES, "optimizer")
        elif kind == "number":
            settings[key] = number(item, path)
        elif kind == "seed":
            settings[key] = integer(item, path, 0, MAX_SEED)
        elif kind == "dtype":
            settings[key] = known_name(item, path, DTYPE_NAMES, "dtype")
        elif kind == "names":  # parameter names; TrainingConfig reads each, naming [i]
            if not isinstance(item, list):
                fail(path, "a list of parameter names like \"b^0_1\" or \"w^1_{0,1}\", not "
                     f"{type(item).__name__}")
            settings[key] = tuple(item)
        elif item is not None:  # batch: null (the whole data set) or a count
            settings[key] = integer(item, path, 1, MAX_OBSERVATIONS)
    config = with_path("", TrainingConfig, **settings)
    with_path("", validate_training, network, config)
    return config


def _read_format(document: dict) -> str:
    if "format" not in document:
        fail("format", f'missing; is this a Backprop Lab file? (expected "format": "{FORMAT}")')
    value = document["format"]
    if value in FORMATS:
        return value
    note = ""
    if isinstance(value, str) and value.startswith(FORMAT_PREFIX):
        version = value[len(FORMAT_PREFIX):]
        if version.isascii() and version.isdigit() and int(version) > len(FORMATS):
            note = " (this file was written by a newer version)"
    fail("format", f'expected {" or ".join(json.dumps(f) for f in FORMATS)}, got '
                   f"{describe(value)}{note}")


# the optimiser state each optimiser keeps: name → "vector" (laid out like θ) or "count"
OPTIMIZER_STATE = {name: {key: ("count" if value.shape == (1,) else "vector")
                          for key, value in make_optimizer(TrainingConfig(optimizer=name),
                                                           2).state.items()}
                   for name in OPTIMIZER_NAMES}


def _read_parameter_vector(value, path: str, network: Network) -> np.ndarray:
    """``{"weights": [...], "biases": [...]}`` laid out like the network's parameters."""
    keys = ("weights", "biases") if network.bias else ("weights",)
    section = expect_object(value, path, keys)
    flat = np.zeros_like(network.theta)
    weights, biases, _ = network.layout(flat)
    layers = network.layer_count
    list_of(section["weights"], f"{path}.weights", layers, "matrices (one per non-input layer)")
    for l in range(layers):
        weights[l][...] = matrix(section["weights"][l], f"{path}.weights[{l}]",
                                 network.sizes[l], network.sizes[l + 1],
                                 f" (one per neuron of layer {l})",
                                 f" (one per neuron of layer {l + 1})")
    if network.bias:
        list_of(section["biases"], f"{path}.biases", layers, "vectors (one per non-input layer)")
        for l in range(layers):
            biases[l][...] = vector(section["biases"][l], f"{path}.biases[{l}]",
                                    network.sizes[l + 1], f" (one per neuron of layer {l + 1})")
    return flat


def _read_state(value, network: Network, training: TrainingConfig, observations: int
                ) -> RunState:
    section = expect_object(value, "state", ("iteration",), ("batch", "optimizer"))
    iteration = integer(section["iteration"], "state.iteration", 0, MAX_STATE_ITERATION)
    if section.get("batch") is not None:
        expected = batch_position(training, observations, iteration)
        given = expect_object(section["batch"], "state.batch", tuple(expected))
        for key in expected:
            integer(given[key], f"state.batch.{key}", 0, MAX_STATE_ITERATION)
        if dict(given) != expected:
            fail("state.batch", f"{json.dumps(dict(given))} is not where iteration {iteration} "
                                f"stands ({json.dumps(expected)}): the batch follows from the "
                                "iteration, the batch size and the observations")
    kept = OPTIMIZER_STATE[training.optimizer]
    optimizer = section.get("optimizer")
    state: dict[str, np.ndarray] = {}
    if optimizer is None or (not kept and optimizer == {}):
        return RunState(iteration, state)  # a fresh optimiser (zeros)
    if not kept:
        fail("state.optimizer", f"{training.optimizer} keeps no state: expected {{}} or "
                                "nothing")
    given = expect_object(optimizer, "state.optimizer", tuple(kept))
    for key, kind in kept.items():
        path = f"state.optimizer.{key}"
        if kind == "count":
            state[key] = np.array([float(integer(given[key], path, 0, MAX_STATE_ITERATION))])
        else:
            state[key] = _read_parameter_vector(given[key], path, network)
    if "second_moment" in state and (state["second_moment"] < 0).any():
        fail("state.optimizer.second_moment", "must not be negative (it averages squares)")
    return RunState(iteration, state)


def _read_breakpoints(value) -> list[Breakpoint]:
    items = list_of(value, "breakpoints", None, "breakpoints")
    if len(items) > MAX_BREAKPOINTS:
        fail("breakpoints", f"{len(items)} breakpoints, more than the limit of "
                            f"{MAX_BREAKPOINTS}")
    return [with_path(f"breakpoints[{index}].", Breakpoint.from_dict, item)
            for index, item in enumerate(items)]


def read_description(value) -> str:
    """A file's ``description``: one line of text, at most MAX_DESCRIPTION characters, no
    control characters (a tab would put the rest in a menu's shortcut column). The Examples
    menu shows its start and gives it whole as the entry's tooltip."""
    if not isinstance(value, str):
        fail("description", f"expected one line of text, got {describe(value)}")
    if not value.strip():
        fail("description", "empty (leave the key out for no description)")
    if "\n" in value or "\r" in value:
        fail("description", "expected one line of text, got a line break")
    control = next((c for c in value if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:
        fail("description", f"expected one line of text, got the control character "
                            f"{control!r} at {value.index(control)}")
    if len(value) > MAX_DESCRIPTION:
        fail("description", f"{len(value)} characters, more than the limit of "
                            f"{MAX_DESCRIPTION} (one line for the Examples menu)")
    return value


def read_document(value) -> Document:
    """A document from parsed JSON (``parse_json``'s values); raises FileFormatError."""
    if not isinstance(value, dict):
        fail("file", f"expected a JSON object {{…}} at the top level, got {describe(value)}")
    no_duplicates(value, "document")
    version = _read_format(value)
    later = ("state", "breakpoints") if version != FORMATS[0] else ()
    expect_object(value, "", ("format", "network", "data"),
                  ("description", "training", *later))
    description = None
    if value.get("description") is not None:
        description = read_description(value["description"])
    network, init = _read_network(value["network"])
    inputs, targets = _read_data(value["data"], network)
    training = _read_training(value.get("training"), network)
    if training.dtype != "float64":  # every number must fit the run's dtype
        dtype = training.numpy_dtype
        for l in range(network.layer_count):
            with_path("", check_fits, dtype, network.weights[l], f"network.weights[{l}]")
            if network.bias:
                with_path("", check_fits, dtype, network.biases[l], f"network.biases[{l}]")
        with_path("", check_fits, dtype, inputs, "data.inputs")
        with_path("", check_fits, dtype, targets, "data.targets")
    with_path("", check_memory, network.sizes, len(inputs),
              training.effective_batch_size(len(inputs)),
              STATE_VECTORS[training.optimizer], "file")
    state = RunState()
    if value.get("state") is not None:
        state = _read_state(value["state"], network, training, len(inputs))
    breakpoints = []
    if value.get("breakpoints") is not None:
        breakpoints = _read_breakpoints(value["breakpoints"])
    return Document(network, inputs, targets, training, init, state, breakpoints,
                    description)


# -------------------------------------------------------------- public API
def loads(text: str | bytes) -> Document:
    """A document from JSON text (or UTF-8 bytes); raises FileFormatError."""
    if len(text) > MAX_FILE_BYTES:
        fail("file", f"larger than the limit of {MAX_FILE_BYTES} bytes")
    with_path("", check_read_memory, len(text))
    if isinstance(text, (bytes, bytearray)):
        text = decode(bytes(text))
    return read_document(parse_json(text))


def load(path: str | os.PathLike) -> Document:
    """Read a file; its size is checked before it is read, and anything but a regular file
    (a FIFO, a device) is refused without blocking. OSError passes through."""
    def too_large(size: int) -> FileFormatError:
        return FileFormatError(f"file: {size} bytes, larger than the limit of "
                               f"{MAX_FILE_BYTES} bytes")

    def before_reading(size: int) -> None:
        with_path("", check_read_memory, size)

    # one expression, no names in between: each stage's input (the bytes, then the text) is
    # freed as soon as the next stage has it, so a large file is never held three times
    return read_document(parse_json(decode(read_regular_file(
        path, MAX_FILE_BYTES, too_large, before_reading=before_reading))))


def _parameter_vector_json(network: Network, flat: np.ndarray) -> dict:
    weights, biases, _ = network.layout(flat)
    section = {"weights": [shortest_floats(w) for w in weights]}
    if network.bias:
        section["biases"] = [shortest_floats(b) for b in biases]
    return section


def optimizer_state_json(source: Document) -> dict | None:
    """The optimiser's state as a file holds it (vectors laid out like the parameters), or
    None when it keeps none or starts afresh (all zeros: left out of files and scripts)."""
    kept = OPTIMIZER_STATE[source.training.optimizer]
    saved = source.state.optimizer
    if not kept or any(key not in saved for key in kept):
        return None
    if not any(np.any(saved[key]) for key in kept):
        return None  # all zeros: a fresh optimiser, which reading gives back by default
    return {key: int(saved[key][0]) if kind == "count"
            else _parameter_vector_json(source.network, saved[key])
            for key, kind in kept.items()}


def _state_json(source: Document) -> dict:
    state, training = source.state, source.training
    section: dict = {"iteration": int(state.iteration)}
    observations = len(source.inputs)
    if training.effective_batch_size(observations) < observations:
        section["batch"] = batch_position(training, observations, state.iteration)
    optimizer = optimizer_state_json(source)
    if optimizer is not None:
        section["optimizer"] = optimizer
    return section


def to_json(source: Document | Stepper, init: InitSpec | None = None) -> dict:
    """The document as JSON-ready Python values: explicit weights and biases always."""
    if isinstance(source, Stepper):
        source = Document.from_stepper(source, init)
    network = source.network
    section: dict = {
        "layers": list(network.sizes),
        "activations": list(network.activation_names),
        "bias": network.bias,
        "weights": [shortest_floats(w) for w in network.weights],
    }
    if network.bias:
        section["biases"] = [shortest_floats(b) for b in network.biases]
    chosen = init if init is not None else source.init
    if chosen is not None:
        section["init"] = chosen.to_json()
    head: dict = {"format": FORMAT}
    if source.description is not None:
        head["description"] = source.description
    return {
        **head,
        "network": section,
        "data": {"inputs": source.inputs.tolist(), "targets": source.targets.tolist()},
        "training": source.training.to_json(),
        "state": _state_json(source),
        "breakpoints": [b.to_dict() for b in source.breakpoints],
    }


def render_json(value, indent: str = "") -> str:
    """JSON with one line per row of numbers. Floats are written with repr: exact."""
    inner = indent + "  "
    if isinstance(value, dict):
        if not any(isinstance(v, (list, dict)) for v in value.values()):  # a short one: flat
            flat = json.dumps(value, allow_nan=False, ensure_ascii=False)
            if len(flat) <= 72:
                return flat
        items = [f"{inner}{json.dumps(k)}: {render_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        return "[\n" + ",\n".join(inner + render_json(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def dumps(source: Document | Stepper, init: InitSpec | None = None) -> str:
    """Document (or a stepper's current state) → JSON text; ``init`` is recorded if given.
    Raises FileFormatError when the text would be larger than a file may be (it cannot,
    within the limits: the writer only refuses what the reader would)."""
    document = source if isinstance(source, Document) else Document.from_stepper(source, init)
    # what the reader refuses is not written: the breakpoints it takes, the iterations
    if len(document.breakpoints) > MAX_BREAKPOINTS:
        fail("breakpoints", f"{len(document.breakpoints)} breakpoints, more than the "
                            f"{MAX_BREAKPOINTS} a file holds; nothing was written")
    if document.state.iteration > MAX_STATE_ITERATION:
        fail("state.iteration", f"{document.state.iteration}, more than the "
                                f"{MAX_STATE_ITERATION} a file holds; nothing was written")
    text = render_json(to_json(document, init)) + "\n"
    if len(text) > MAX_FILE_BYTES:
        fail("file", f"would be {len(text):,} bytes, more than the limit of "
                     f"{MAX_FILE_BYTES:,} that Open reads; nothing was written")
    return text


def save(path: str | os.PathLike, source: Document | Stepper,
         init: InitSpec | None = None) -> None:
    """Write atomically: temp file in the same directory, fsync, rename over ``path``."""
    text = dumps(source, init).encode("utf-8")  # fails before the disk is touched
    write_bytes_atomic(path, text)
