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

import contextlib
import difflib
import json
import math
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATION_NAMES
from .init import SCHEME_PARAMETERS, InitSpec, initial_theta
from .losses import LOSS_NAMES
from .network import MAX_LAYERS, MAX_NEURONS_PER_LAYER, Network, validate_structure
from .optimizers import OPTIMIZER_NAMES, TrainingConfig
from .stepper import MAX_OBSERVATIONS, Stepper, validate_data, validate_training

FORMAT = "backprop-lab/1"
FORMAT_PREFIX = "backprop-lab/"
MAX_FILE_BYTES = 64 * 2**20
MAX_SEED = 2**64 - 1  # seeds are non-negative integers below 2⁶⁴
_LARGEST_FLOAT = int(np.finfo(float).max)

# training key → kind of value; the keys are exactly the fields of TrainingConfig
TRAINING_FIELDS = {
    "loss": "loss", "optimizer": "optimizer", "learning_rate": "number",
    "batch_size": "batch", "momentum": "number", "beta1": "number", "beta2": "number",
    "epsilon": "number", "shuffle_seed": "seed",
}


class FileFormatError(ValueError):
    """A file that is not a valid Backprop Lab document; the message names the field."""


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


# ---------------------------------------------------------------- JSON parsing
class _BadNumber:
    """A JSON number that is no finite double: NaN, Infinity, -Infinity or 1e400."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Object(dict):
    """A JSON object that remembers the keys given more than once."""

    duplicates: tuple = ()


def _parse_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


def _parse_int(text: str):
    # more than 330 digits is beyond ±1.8e308 anyway (and int() of huge strings is slow)
    value = int(text) if len(text) <= 330 else None
    return value if value is not None and abs(value) <= _LARGEST_FLOAT else _BadNumber(text)


def _make_object(pairs: list) -> _Object:
    result = _Object(pairs)
    if len(result) != len(pairs):
        seen: set = set()
        result.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return result


def _parse_json(text: str):
    try:
        return json.loads(text, parse_float=_parse_float, parse_int=_parse_int,
                          parse_constant=_BadNumber, object_pairs_hook=_make_object)
    except json.JSONDecodeError as error:
        raise FileFormatError(f"file: not valid JSON: {error.msg} at line {error.lineno}, "
                              f"column {error.colno}") from None
    except RecursionError:
        raise FileFormatError("file: the JSON is nested too deeply") from None


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileFormatError("file: UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise FileFormatError("file: binary data, not a JSON text file")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise FileFormatError(f"file: not UTF-8 text (byte 0x{data[error.start]:02x} at "
                              f"offset {error.start})") from None


# ------------------------------------------------------------ field checking
def _fail(path: str, message: str):
    raise FileFormatError(f"{path}: {message}")


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _BadNumber):
        return value.text
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "an object"


def _quote(text: str, limit: int = 40) -> str:
    """A string as JSON shows it, shortened; lone surrogates escaped so it can be printed."""
    shown = json.dumps(text[:limit], ensure_ascii=False) + ("…" if len(text) > limit else "")
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def _no_duplicates(value: dict, name: str) -> None:
    if getattr(value, "duplicates", ()):
        _fail(name, f"key {_quote(value.duplicates[0])} is given more than once")


def _object(value, path: str, required: tuple = (), optional: tuple = ()) -> dict:
    if not isinstance(value, dict):
        _fail(path or "file", f"expected an object {{…}}, got {_describe(value)}")
    name = path or "document"
    _no_duplicates(value, name)
    allowed = required + optional
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(key[:60], allowed, n=1)
            hint = f"; did you mean {json.dumps(close[0])}?" if close else ""
            _fail(name, f"unknown key {_quote(key)} (allowed: {', '.join(allowed)}{hint})")
    for key in required:
        if key not in value:
            _fail(f"{path}.{key}" if path else key, "missing")
    return value


def _number(value, path: str) -> float:
    if isinstance(value, _BadNumber):
        _fail(path, f"expected a finite number, got {value.text}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, f"expected a number, got {_describe(value)}")
    return float(value)


def _integer(value, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, f"expected a whole number, got {_describe(value)}")
    if not low <= value <= high:
        _fail(path, f"expected a whole number from {low} to {high}, got {value}")
    return value


def _name(value, path: str, known: tuple, what: str) -> str:
    if not isinstance(value, str):
        _fail(path, f"expected the name of {what}, got {_describe(value)}")
    if value not in known:
        _fail(path, f"unknown {what} {_quote(value)} (known: {', '.join(known)})")
    return value


def _list(value, path: str, length: int | None, what: str) -> list:
    if not isinstance(value, list):
        _fail(path, f"expected a list of {what}, got {_describe(value)}")
    if length is not None and len(value) != length:
        _fail(path, f"expected {length} {what}, got {len(value)}")
    return value


def _vector(value, path: str, length: int, note: str = "") -> list:
    """A list of exactly ``length`` finite numbers (true/false are not numbers)."""
    values = _list(value, path, None, "numbers")
    if len(values) != length:
        _fail(path, f"expected {length} numbers, got {len(values)}{note}")
    # The parser only makes int and float out of finite JSON numbers, so this is enough:
    if not all(type(v) is float or type(v) is int for v in values):
        for index, item in enumerate(values):
            _number(item, f"{path}[{index}]")
    return values


def _matrix(value, path: str, rows: int | None, cols: int, row_note: str, col_note: str):
    """A list of ``rows`` rows (any count from 1 when None) of ``cols`` numbers each."""
    matrix = _list(value, path, None, "rows")
    if rows is not None and len(matrix) != rows:
        _fail(path, f"expected {rows} rows, got {len(matrix)}{row_note}")
    for index, row in enumerate(matrix):
        _vector(row, f"{path}[{index}]", cols, col_note)
    return np.array(matrix, dtype=float).reshape(len(matrix), cols)


def _with_path(prefix: str, action, *args, **kwargs):
    """Call an engine validator; its ValueError (already naming a field) becomes ours."""
    try:
        return action(*args, **kwargs)
    except FileFormatError:
        raise
    except ValueError as error:
        raise FileFormatError(f"{prefix}{error}") from None


# ----------------------------------------------------------------- sections
def _read_init(value, path: str) -> InitSpec:
    if not isinstance(value, dict):
        _fail(path, f"expected an object {{…}}, got {_describe(value)}")
    if "scheme" not in value:
        _fail(f"{path}.scheme", "missing")
    scheme = _name(value["scheme"], f"{path}.scheme", tuple(SCHEME_PARAMETERS), "init scheme")
    names = tuple(SCHEME_PARAMETERS[scheme])
    _object(value, path, ("scheme",), ("seed", *names))
    seed = _integer(value.get("seed", 0), f"{path}.seed", 0, MAX_SEED)
    parameters = {key: _number(value[key], f"{path}.{key}") for key in names if key in value}
    return _with_path("network.", InitSpec, scheme, seed, parameters)


def _read_network(value) -> tuple[Network, InitSpec | None]:
    section = _object(value, "network", ("layers", "activations"),
                      ("bias", "weights", "biases", "init"))
    sizes = _list(section["layers"], "network.layers", None, "layer sizes")
    if not 2 <= len(sizes) <= MAX_LAYERS:
        _fail("network.layers", f"expected 2 to {MAX_LAYERS} layer sizes, got {len(sizes)}")
    for index, size in enumerate(sizes):
        _integer(size, f"network.layers[{index}]", 1, MAX_NEURONS_PER_LAYER)
    layer_count = len(sizes) - 1
    names = _list(section["activations"], "network.activations", layer_count,
                  "activation names (one per non-input layer)")
    for index, name in enumerate(names):
        _name(name, f"network.activations[{index}]", ACTIVATION_NAMES, "activation")
    bias = section.get("bias", True)
    if not isinstance(bias, bool):
        _fail("network.bias", f"expected true or false, got {_describe(bias)}")
    _with_path("network.", validate_structure, sizes, names)
    network = Network(sizes, names, bias)

    init = None
    if section.get("init") is not None:
        init = _read_init(section["init"], "network.init")
        with np.errstate(all="ignore"):  # initial_theta rejects non-finite draws itself
            network.theta[...] = _with_path("network.", initial_theta, network, init)

    weights = section.get("weights")
    if weights is not None:
        _list(weights, "network.weights", layer_count, "matrices (one per non-input layer)")
        for l in range(layer_count):
            network.weights[l][...] = _matrix(
                weights[l], f"network.weights[{l}]", sizes[l], sizes[l + 1],
                f" (one per neuron of layer {l})", f" (one per neuron of layer {l + 1})")
    elif init is None:
        _fail("network.weights", "missing (give the weights, or an init to draw them from)")

    biases = section.get("biases")
    if not bias:
        if biases is not None:
            _fail("network.biases", "must be absent or null when network.bias is false")
    elif biases is not None:
        _list(biases, "network.biases", layer_count, "vectors (one per non-input layer)")
        for l in range(layer_count):
            network.biases[l][...] = _vector(biases[l], f"network.biases[{l}]", sizes[l + 1],
                                             f" (one per neuron of layer {l + 1})")
    elif init is None:
        _fail("network.biases", "missing (give the biases, or an init to draw them from)")
    return network, init


def _read_data(value, network: Network) -> tuple[np.ndarray, np.ndarray]:
    section = _object(value, "data", ("inputs", "targets"))
    for key in ("inputs", "targets"):
        rows = _list(section[key], f"data.{key}", None, "rows")
        if not 1 <= len(rows) <= MAX_OBSERVATIONS:
            _fail(f"data.{key}", f"expected 1 to {MAX_OBSERVATIONS} rows (observations), "
                                 f"got {len(rows)}")
    inputs = _matrix(section["inputs"], "data.inputs", None, network.sizes[0], "",
                     " (one per input neuron)")
    targets = _matrix(section["targets"], "data.targets", len(inputs), network.sizes[-1],
                      " (one per row of data.inputs)", " (one per output neuron)")
    _with_path("", validate_data, network, inputs, targets)
    return inputs, targets


def _read_training(value, network: Network) -> TrainingConfig:
    section = _object({} if value is None else value, "training", (), tuple(TRAINING_FIELDS))
    settings = {}
    for key, kind in TRAINING_FIELDS.items():
        if key not in section:
            continue
        item, path = section[key], f"training.{key}"
        if kind == "loss":
            settings[key] = _name(item, path, LOSS_NAMES, "loss")
        elif kind == "optimizer":
            settings[key] = _name(item, path, OPTIMIZER_NAMES, "optimizer")
        elif kind == "number":
            settings[key] = _number(item, path)
        elif kind == "seed":
            settings[key] = _integer(item, path, 0, MAX_SEED)
        elif item is not None:  # batch: null (the whole data set) or a count
            settings[key] = _integer(item, path, 1, MAX_OBSERVATIONS)
    config = _with_path("", TrainingConfig, **settings)
    _with_path("", validate_training, network, config)
    return config


def _read_format(document: dict) -> None:
    if "format" not in document:
        _fail("format", f'missing; is this a Backprop Lab file? (expected "format": "{FORMAT}")')
    value = document["format"]
    if value == FORMAT:
        return
    note = ""
    if isinstance(value, str) and value.startswith(FORMAT_PREFIX):
        version = value[len(FORMAT_PREFIX):]
        if version.isascii() and version.isdigit() and version.lstrip("0") not in ("", "1"):
            note = " (this file was written by a newer version)"
    _fail("format", f'expected "{FORMAT}", got {_describe(value)}{note}')


def _read_document(value) -> Document:
    if not isinstance(value, dict):
        _fail("file", f"expected a JSON object {{…}} at the top level, got {_describe(value)}")
    _no_duplicates(value, "document")
    _read_format(value)
    _object(value, "", ("format", "network", "data"), ("training",))
    network, init = _read_network(value["network"])
    inputs, targets = _read_data(value["data"], network)
    training = _read_training(value.get("training"), network)
    return Document(network, inputs, targets, training, init)


# -------------------------------------------------------------- public API
def loads(text: str | bytes) -> Document:
    """A document from JSON text (or UTF-8 bytes); raises FileFormatError."""
    if len(text) > MAX_FILE_BYTES:
        _fail("file", f"larger than the limit of {MAX_FILE_BYTES} bytes")
    if isinstance(text, (bytes, bytearray)):
        text = _decode(bytes(text))
    return _read_document(_parse_json(text))


def load(path: str | os.PathLike) -> Document:
    """Read a file; its size is checked before it is read. OSError passes through."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_FILE_BYTES:
            _fail("file", f"{size} bytes, larger than the limit of {MAX_FILE_BYTES} bytes")
        return loads(file.read(MAX_FILE_BYTES + 1))


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
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(OSError):
            mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename durable (POSIX)
        directory_handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory_handle)
        finally:
            os.close(directory_handle)
