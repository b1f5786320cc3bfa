"""engine.fileformat: round trips, every kind of malformed file, atomic saving, the examples."""

from __future__ import annotations

import copy
import json
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import DATA, REPO

from engine.analysis.symmetry import symmetry_groups
from engine.core.init import InitSpec
from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.io import fileformat
from engine.io.fileformat import MAX_FILE_BYTES, Document, FileFormatError, dumps, load, loads, save
from engine.io.report import network_state

REPO = REPO
EXAMPLES = REPO / "resources" / "examples"
REFERENCE = DATA

VALID = {
    "format": "backprop-lab/1",
    "network": {
        "layers": [2, 3, 2],
        "activations": ["tanh", "sigmoid"],
        "bias": True,
        "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[1, 2], [3, 4], [5, 6]]],
        "biases": [[0.0, -0.1, 0.1], [0.5, -0.5]],
        "init": {"scheme": "uniform", "low": -1.0, "high": 1.0, "seed": 3},
    },
    "data": {"inputs": [[0.8, 0.4], [0.3, 0.3]], "targets": [[0.2, 0.4], [1, 0]]},
    "training": {"loss": "sse", "optimizer": "gd", "learning_rate": 0.5},
}


def valid() -> dict:
    return copy.deepcopy(VALID)


def error_of(text: str | bytes) -> str:
    with pytest.raises(FileFormatError) as caught:
        loads(text)
    return str(caught.value)


# --------------------------------------------------------------- round trips
def random_document(bias: bool, seed: int) -> Document:
    rng = np.random.default_rng(seed)
    network = Network([3, 4, 2], ["relu", "sigmoid"], bias)
    shape = network.theta.shape
    theta = rng.normal(0, 1, shape) * 10.0 ** rng.integers(-300, 300, shape)
    theta[:3] = [0.1 + 0.2, 5e-324, -0.0]  # a repr-sensitive sum, a subnormal, negative zero
    network.theta[...] = theta
    inputs, targets = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    training = TrainingConfig(loss="bce", optimizer="adam", learning_rate=1 / 3, batch_size=2,
                              momentum=0.7, beta1=0.85, beta2=0.995, epsilon=3e-7, shuffle_seed=9)
    return Document(network, inputs, targets, training, InitSpec("normal", 7, {"std": 0.25}))


@pytest.mark.parametrize("bias", [True, False])
def test_save_then_load_is_bit_exact(tmp_path, bias):
    document = random_document(bias, seed=1)
    path = tmp_path / "net.json"
    save(path, document)
    loaded = load(path)
    assert loaded.network.theta.tobytes() == document.network.theta.tobytes()
    assert loaded.inputs.tobytes() == document.inputs.tobytes()
    assert loaded.targets.tobytes() == document.targets.tobytes()
    assert loaded.training == document.training
    assert loaded.init == document.init
    assert loaded.network.same_structure(document.network)
    assert dumps(loaded) == path.read_text(encoding="utf-8")  # a second save is the same


def test_a_stepper_state_saves_its_current_parameters(tmp_path):
    stepper = load(EXAMPLES / "seed-000.json").make_stepper()
    stepper.run(5)
    save(tmp_path / "later.json", stepper)
    loaded = load(tmp_path / "later.json")
    assert loaded.network.theta.tobytes() == stepper.network.theta.tobytes()
    assert loaded.init is None and loaded.training == stepper.config


def test_missing_parameters_come_from_init_and_explicit_values_win():
    document = valid()
    del document["network"]["weights"]  # weights drawn, biases given
    loaded = loads(json.dumps(document))
    # initial_theta draws W^0, b^0, W^1, b^1 in this order from default_rng(seed)
    rng = np.random.default_rng(3)
    w0 = rng.uniform(-1, 1, (2, 3))
    rng.uniform(-1, 1, 3)
    w1 = rng.uniform(-1, 1, (3, 2))
    assert np.array_equal(loaded.network.weights[0], w0)
    assert np.array_equal(loaded.network.weights[1], w1)
    assert loaded.network.biases[1].tolist() == [0.5, -0.5]
    explicit = loads(json.dumps(valid()))
    assert explicit.network.weights[1].tolist() == [[1, 2], [3, 4], [5, 6]]


def test_defaults_for_optional_fields():
    document = valid()
    del document["training"], document["network"]["bias"], document["network"]["init"]
    loaded = loads(json.dumps(document))
    assert loaded.training == TrainingConfig() and loaded.network.bias and loaded.init is None


def test_utf8_bom_and_bytes_are_accepted():
    assert loads(b"\xef\xbb\xbf" + json.dumps(valid()).encode()).network.sizes == [2, 3, 2]


# ------------------------------------------------------------ malformed files
def mutated(change) -> str:
    document = valid()
    change(document)
    return json.dumps(document)


def set_in(*path_and_value):
    *path, value = path_and_value

    def change(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


def remove(*path):
    def change(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return change


MALFORMED = [
    (set_in("network", "weights", 1, 2, [1.0]), "network.weights[1][2]: expected 2 numbers, got 1"),
    (set_in("network", "weights", 1, [[1, 2]]), "network.weights[1]: expected 3 rows, got 1"),
    (set_in("network", "weights", [[[1, 2, 3], [4, 5, 6]]]), "network.weights: expected 2"),
    (set_in("data", "inputs", 0, 1, "abc"), 'data.inputs[0][1]: expected a number, got "abc"'),
    (set_in("data", "inputs", 0, 1, True), "data.inputs[0][1]: expected a number, got true"),
    (set_in("data", "inputs", 0, [1.0, 2.0, 3.0]), "data.inputs[0]: expected 2 numbers, got 3"),
    (set_in("data", "targets", [[1, 0]]), "data.targets: expected 2 rows, got 1"),
    (set_in("data", "inputs", []), "data.inputs: expected 1 to"),
    (set_in("network", "biases", 1, [0.5]), "network.biases[1]: expected 2 numbers, got 1"),
    (set_in("network", "layers", "3"), "network.layers: expected a list"),
    (set_in("network", "layers", [2, 2.5, 2]), "network.layers[1]: expected a whole number"),
    (set_in("network", "layers", [2, 0, 2]), "network.layers[1]: expected a whole number from 1"),
    (set_in("network", "layers", [2, 5000, 2]), "network.layers[1]: expected a whole number"),
    (set_in("network", "layers", [2] * 34), "network.layers: expected 2 to 32"),
    (set_in("network", "bias", 1), "network.bias: expected true or false"),
    (set_in("network", "activations", ["tanh"]), "network.activations: expected 2 activation"),
    (set_in("network", "activations", ["tanh", "sigmoidd"]),
     'network.activations[1]: unknown activation "sigmoidd" (known: sigmoid'),
    (set_in("network", "activations", ["softmax", "sigmoid"]),
     "network.activations[0]: softmax is allowed on the output layer only"),
    (set_in("network", "weigths", []), 'network: unknown key "weigths" (allowed: layers'),
    (set_in("network", "init", "scheme", "gauss"), 'network.init.scheme: unknown init scheme'),
    (set_in("network", "init", "std", 1.0), 'network.init: unknown key "std" (allowed: scheme'),
    (set_in("network", "init", "seed", -1), "network.init.seed: expected a whole number from 0"),
    (set_in("network", "init", "low", 2.0), "network.init.low: must not be greater"),
    (set_in("network", "init", {"scheme": "uniform", "low": -1e308, "high": 1e308}),
     "network.init.high: high − low must be a finite number"),
    (set_in("network", "init", {"scheme": "normal", "std": 1e308}),
     "network.init: these parameters give weights that are not finite"),
    (remove("network", "init", "scheme"), "network.init.scheme: missing"),
    (remove("network"), "network: missing"),
    (remove("data", "targets"), "data.targets: missing"),
    (remove("format"), "format: missing"),
    (set_in("format", "backprop-lab/3"),
     'format: expected "backprop-lab/1" or "backprop-lab/2", got "backprop-lab/3" (this file was '
     'written by a newer'),
    (set_in("format", "something-else/1"),
     'format: expected "backprop-lab/1" or "backprop-lab/2", got "something'),
    (set_in("extra", 1), 'document: unknown key "extra" (allowed: format, network, data'),
    (set_in("training", "loss", "hinge"), 'training.loss: unknown loss "hinge" (known: sse'),
    (set_in("training", "optimizer", "lbfgs"), 'training.optimizer: unknown optimizer "lbfgs"'),
    (set_in("training", "learning_rate", 0), "training.learning_rate: must be greater than 0"),
    (set_in("training", "learning_rate", "0.5"), "training.learning_rate: expected a number"),
    (set_in("training", "batch_size", 0), "training.batch_size: expected a whole number from 1"),
    (set_in("training", "batch_size", 2.5), "training.batch_size: expected a whole number"),
    (set_in("training", "shuffle_seed", -3), "training.shuffle_seed: expected a whole number"),
    (set_in("training", "beta2", 1.0), "training.beta2: must be in [0, 1)"),
    (set_in("training", "lr", 0.1), 'training: unknown key "lr"'),
    (set_in("training", "loss", "cross_entropy"), "training.loss: cross_entropy needs a softmax"),
    (set_in("data", [[1]]), "data: expected an object"),
]


@pytest.mark.parametrize(("change", "message"), MALFORMED)
def test_malformed_documents_name_the_field(change, message):
    assert error_of(mutated(change)).startswith(message)


def test_bias_off_forbids_biases_and_weights_need_a_source():
    assert error_of(mutated(set_in("network", "bias", False))).startswith(
        "network.biases: must be absent or null when network.bias is false")
    document = valid()
    del document["network"]["init"], document["network"]["weights"]
    assert error_of(json.dumps(document)).startswith("network.weights: missing")
    document = valid()
    del document["network"]["init"], document["network"]["biases"]
    assert error_of(json.dumps(document)).startswith("network.biases: missing")


@pytest.mark.parametrize(("literal", "shown"), [
    ("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e400", "1e400"),
    ("-1e400", "-1e400"), ("1" + "0" * 400, "1" + "0" * 400),
])
def test_non_finite_numbers_are_rejected_where_they_stand(literal, shown):
    text = json.dumps(valid()).replace('"targets": [[0.2, 0.4]', f'"targets": [[0.2, {literal}]')
    assert error_of(text) == f"data.targets[0][1]: expected a finite number, got {shown}"


@pytest.mark.parametrize(("text", "message"), [
    (b'{"format": "backprop-lab/1", "x": "\xe9t\xe9"}', "file: not UTF-8 text (byte 0xe9"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file: binary data"),
    ("\ufeff{}".encode("utf-16"), "file: UTF-16 text"),
    ('{"format": "backprop-lab/1",\n  "network": }', "file: not valid JSON: Expecting value at "
                                                     "line 2, column 14"),
    ("", "file: not valid JSON: Expecting value at line 1, column 1"),
    ("[1, 2]", "file: expected a JSON object {…} at the top level, got a list of 2"),
    ("3", "file: expected a JSON object {…} at the top level, got 3"),
    ("[" * 100_000, "file: the JSON is nested too deeply"),
    ('{"format": "backprop-lab/1", "format": "x"}', 'document: key "format" is given more'),
])
def test_unreadable_files(text, message):
    assert error_of(text).startswith(message)


def test_observation_and_parameter_limits():
    rows = fileformat.MAX_OBSERVATIONS + 1
    big = mutated(set_in("data", {"inputs": [[0, 0]] * rows, "targets": [[0, 0]] * rows}))
    assert error_of(big).startswith("data.inputs: expected 1 to 100000 rows")
    wide = mutated(set_in("network", "layers", [2, 2048, 2048]))
    assert error_of(wide).startswith("network.layers: ") and "parameters" in error_of(wide)


def test_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written, nothing can be parsed
    with pytest.raises(FileFormatError,
                       match=rf"^file: {MAX_FILE_BYTES + 1} bytes, larger than the limit"):
        load(path)


def test_no_eval_no_pickle():
    """Nothing that reads files or text people give evaluates or unpickles it."""
    for module in ("fileformat", "jsonfields", "recovery", "datasets", "numbers"):
        source = (REPO / "engine" / "io" / f"{module}.py").read_text(encoding="utf-8")
        for forbidden in ("eval(", "exec(", "pickle", "np.load", "allow_pickle"):
            assert forbidden not in source, (module, forbidden)


# ------------------------------------------------------------- atomic saving
@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "net.json"
    save(path, random_document(True, seed=2))
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk on fire")

    if failing == "write":
        monkeypatch.setattr(fileformat.os, "fdopen", lambda *a, **k: _FailingFile(*a, **k))
    else:
        monkeypatch.setattr(fileformat.os, failing, fail)
    with pytest.raises(OSError, match="disk on fire"):
        save(path, random_document(True, seed=3))
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["net.json"]


class _FailingFile:
    """A file whose write gets half the data out, then fails."""

    def __init__(self, handle, mode):
        self.file = open(handle, mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def write(self, data):
        self.file.write(data[: len(data) // 2])
        raise OSError("disk on fire")


def test_save_creates_a_new_file(tmp_path):
    save(tmp_path / "new.json", random_document(False, seed=4))
    assert sorted(os.listdir(tmp_path)) == ["new.json"]
    assert not load(tmp_path / "new.json").network.bias


# ------------------------------------------------------------------- fuzzing
json_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)
FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def loads_cleanly(text) -> None:
    """Only FileFormatError may escape; anything else that comes back is a Document."""
    try:
        result = loads(text)
    except FileFormatError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert isinstance(result, Document)


@FUZZ
@given(st.text() | st.binary())
def test_fuzz_arbitrary_text(text):
    loads_cleanly(text)


@FUZZ
@given(json_values)
def test_fuzz_arbitrary_json(value):
    loads_cleanly(json.dumps(value))
    loads_cleanly(json.dumps({"format": "backprop-lab/1", "network": value, "data": value}))


@FUZZ
@given(st.data())
def test_fuzz_mutations_of_a_valid_document(data):
    document = valid()
    for _ in range(data.draw(st.integers(1, 3))):
        node = document
        while True:  # walk down to a random container
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = data.draw(st.sampled_from(keys))
            child = node[key]
            if not isinstance(child, (dict, list)) or data.draw(st.booleans()):
                break
            node = child
        if not keys:
            continue
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            node[key] = data.draw(json_values)
        elif action == "delete":
            del node[key]
        elif isinstance(node, dict):
            node[data.draw(st.text(max_size=8))] = data.draw(json_values)
        else:
            node.append(data.draw(json_values))
    loads_cleanly(json.dumps(document))


# ------------------------------------------------------------------ examples
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_example_loads(path):
    assert isinstance(load(path), Document)


def test_examples_are_there():
    names = {p.name for p in EXAMPLES.glob("*.json")}
    assert {"seed-000.json", "seed-000-random.json", "seed-001-tied.json",
            "seed-001-free.json", "xor.json"} <= names


def test_seed_000_is_the_seeds_network():
    document = load(EXAMPLES / "seed-000.json")
    assert document.network.sizes == [2, 3, 3, 2] and document.network.bias
    assert document.network.activation_names == ["sigmoid"] * 3
    assert np.all(document.network.theta == 1.0)
    assert document.inputs.tolist() == [[0.8, 0.4], [0.3, 0.3]]
    assert document.targets.tolist() == [[0.2, 0.4], [1, 0]]
    assert (document.training.loss, document.training.optimizer) == ("sse", "gd")


def test_seed_000_first_iteration_matches_the_reference():
    reference = json.loads((REFERENCE / "seed-000-first-iteration.json").read_text())
    tolerance = reference["tolerance"]
    trace = network_state(load(EXAMPLES / "seed-000.json").make_stepper(), trace=True)["trace"]
    pairs = {
        "pre_activation_layer_1": trace["pre_activations"][0],
        "activation_layer_1": trace["activations"][1],
        "activation_layer_2": trace["activations"][2],
        "activation_layer_3": trace["activations"][3],
        "dcost_dactivation_layer_3": trace["dcost_dactivations"][2],
        "dactivation_dpre_layer_3": trace["dactivation_dpre"][2],
        "delta_layer_3": trace["deltas"][2],
    }
    for name, ours in pairs.items():
        np.testing.assert_allclose(ours, reference[name], rtol=0, atol=tolerance, err_msg=name)
    augmented = np.vstack([[trace["bias_gradients"][2]], trace["weight_gradients"][2]])
    np.testing.assert_allclose(augmented, reference["weight_gradient_2_augmented"]["value"],
                               rtol=0, atol=tolerance)


def test_seed_000_random_learns_the_targets():
    stepper = load(EXAMPLES / "seed-000-random.json").make_stepper()
    assert stepper.network.theta.min() < 0 < stepper.network.theta.max()  # drawn, not constant
    stepper.run(10_000)
    outputs = stepper.evaluate().outputs
    # the seed's own random run reached [[0.2002207, 0.3998017], [0.9927028, 0.008218]]
    np.testing.assert_allclose(outputs, stepper.targets, atol=0.02)


def plain_weights(network: Network) -> dict[str, float]:
    names = network.plain_weight_names()
    return {name: network.get(address) for address, name in names.items()}


def test_seed_001_tied_and_free():
    tied, free = (load(EXAMPLES / f"seed-001-{kind}.json") for kind in ("tied", "free"))
    for document in (tied, free):
        assert document.network.sizes == [2, 2, 1] and not document.network.bias
        assert document.training.loss == "bce" and set(document.targets.ravel()) == {0.0, 1.0}
        assert 4 <= len(document.inputs) <= 6
    w = plain_weights(tied.network)
    assert (w["w1"], w["w2"], w["w5"]) == (0.2, -0.3, 0.4)
    assert w["w1"] == w["w3"] and w["w2"] == w["w4"] and w["w5"] == w["w6"]
    assert tied.network.get(ParameterAddress.weight(0, 0, 1)) == w["w3"]  # w3 = w^0_{0,1}
    w = plain_weights(free.network)
    assert w["w1"] != w["w3"] and w["w2"] != w["w4"] and w["w5"] == w["w6"]
    # Raymond's point: the tied hidden neurons never differentiate, the free ones do.
    tied_run, free_run = tied.make_stepper(), free.make_stepper()
    tied_run.run(2000)
    free_run.run(2000)
    w = plain_weights(tied_run.network)
    assert w["w1"] == w["w3"] and w["w2"] == w["w4"] and w["w5"] == w["w6"]
    assert symmetry_groups(tied_run.network)[1] == [[0, 1]]
    assert symmetry_groups(free_run.network)[1] == [[0], [1]]
    assert free_run.evaluate().loss < tied_run.evaluate().loss


def test_xor_converges():
    document = load(EXAMPLES / "xor.json")
    assert document.inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert document.targets.ravel().tolist() == [0, 1, 1, 0]
    stepper = document.make_stepper()
    stepper.run(3000)
    loss = stepper.evaluate().loss
    assert math.isfinite(loss) and loss < 0.05
    assert np.all(np.abs(stepper.evaluate().outputs - document.targets) < 0.2)
