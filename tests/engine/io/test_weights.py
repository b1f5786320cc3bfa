"""Bring your weights (engine/io/weights.py): NumPy .npz files, which need nothing optional,
the CLI's --weights, and the messages for files that do not fit. The expected outputs come
from a numpy forward pass written here, never from the engine."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from paths import REPO

from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io import weights as weights_module
from engine.io.fileformat import Document, save
from engine.io.weights import (
    TORCH_NEEDED,
    WeightsError,
    import_weights,
    model_document,
    read_weight_file,
)


# ------------------------------------------------------- an independent forward
def sigmoid(n):
    return 1.0 / (1.0 + np.exp(-n))


def softmax(n):
    e = np.exp(n - n.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


FUNCTIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda n: np.maximum(n, 0.0),
             "linear": lambda n: n, "softmax": softmax}


def numpy_forward(weights, biases, activations, x):
    a = x
    for W, b, name in zip(weights, biases, activations, strict=True):
        a = FUNCTIONS[name](a @ W + b)
    return a


def random_arrays(sizes, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.5, (sizes[l], sizes[l + 1])) for l in range(len(sizes) - 1)]
    biases = [rng.normal(0, 0.5, sizes[l + 1]) for l in range(len(sizes) - 1)]
    return weights, biases


def save_npz(path, weights, biases=None, **extra):
    arrays = {f"W{l}": W for l, W in enumerate(weights)}
    if biases is not None:
        arrays.update({f"b{l}": b for l, b in enumerate(biases)})
    arrays.update(extra)
    np.savez(path, **arrays)
    return path


SIZES, ACTIVATIONS = [3, 5, 4, 2], ["tanh", "sigmoid", "linear"]


def network(sizes=SIZES, activations=ACTIVATIONS, bias=True):
    net = Network(sizes, activations, bias)
    net.theta[...] = 0.25  # whatever was there before the import
    return net


# ------------------------------------------------------------------ reading
def test_an_npz_gives_the_outputs_of_a_numpy_forward(tmp_path):
    weights, biases = random_arrays(SIZES)
    path = save_npz(tmp_path / "mine.npz", weights, biases)
    net = network()
    theta, note = import_weights(path, net)
    assert note == ""
    assert np.all(net.theta == 0.25)  # reading changes nothing
    net.theta[...] = theta
    for l in range(3):
        assert np.array_equal(net.weights[l], weights[l])
        assert np.array_equal(net.biases[l], biases[l])
    x = np.random.default_rng(1).normal(size=(7, 3))
    stepper = Document(net, x, np.zeros((7, 2)), TrainingConfig(loss="mse")).make_stepper()
    outputs = stepper.evaluate(full=True, backward=False).activations[-1]
    np.testing.assert_allclose(outputs, numpy_forward(weights, biases, ACTIVATIONS, x),
                               rtol=0, atol=1e-14)


def test_float32_and_integer_arrays_are_read_as_their_values(tmp_path):
    weights, biases = random_arrays([2, 3])
    path = save_npz(tmp_path / "f32.npz", [weights[0].astype(np.float32)],
                    [np.array([1, -2, 3], dtype=np.int32)])
    theta, _ = import_weights(path, network([2, 3], ["relu"]))
    assert np.array_equal(theta[:6], weights[0].astype(np.float32).astype(np.float64).ravel())
    assert theta[6:].tolist() == [1.0, -2.0, 3.0]


def test_a_network_without_biases_takes_an_npz_without_them(tmp_path):
    weights, _ = random_arrays([2, 3, 1])
    path = save_npz(tmp_path / "nobias.npz", weights)
    net = network([2, 3, 1], ["sigmoid", "sigmoid"], bias=False)
    theta, _ = import_weights(path, net)
    assert np.array_equal(theta, np.concatenate([w.ravel() for w in weights]))
    with pytest.raises(WeightsError, match=r"^b0: missing from the file"):
        import_weights(path, network([2, 3, 1], ["sigmoid", "sigmoid"]))
    with_biases = save_npz(tmp_path / "b.npz", *random_arrays([2, 3, 1]))
    with pytest.raises(WeightsError, match=r"^b0: the file has biases, but this network has "):
        import_weights(with_biases, net)


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize("mistake, message", [
    ("transposed", "W1: expected shape (5, 4), the file has (4, 5)"),
    ("bias", "b2: expected shape (2,), the file has (3,)"),
    ("fewer", "the file has 2 weight matrices (W0, W1), the network 3 (3-5-4-2)"),
    ("matrix_bias", "b0: expected shape (5,), the file has (1, 5)"),
])
def test_a_shape_that_does_not_fit_names_the_array_and_both_shapes(tmp_path, mistake,
                                                                   message):
    weights, biases = random_arrays(SIZES)
    if mistake == "transposed":
        weights[1] = weights[1].T
    elif mistake == "bias":
        biases[2] = np.zeros(3)
    elif mistake == "fewer":
        weights, biases = weights[:2], biases[:2]
    else:
        biases[0] = biases[0][np.newaxis, :]
    path = save_npz(tmp_path / "bad.npz", weights, biases)
    net = network()
    with pytest.raises(WeightsError) as caught:
        import_weights(path, net)
    assert str(caught.value) == message
    assert np.all(net.theta == 0.25)


@pytest.mark.parametrize("arrays, fragment", [
    ({"W0": np.zeros((3, 5)), "weights": np.zeros(2)}, "'weights': not a name this file may hold"),
    ({"W1": np.zeros((3, 5))}, "W0: missing (the file has W1)"),
    ({"W0": np.zeros((3, 5)), "b3": np.zeros(5)}, "b3: there is no W3"),
    ({"W0": np.array([[1.0, np.nan]])}, "W0: nan at [0, 1] is not a finite number"),
    ({"W0": np.array([["a", "b"]])}, "W0: holds text; expected real numbers"),
    ({"W0": np.array([[1 + 2j]])}, "W0: holds complex numbers"),
    ({"b0": np.zeros(3)}, "no weight matrices"),
])
def test_other_mistakes_get_one_message(tmp_path, arrays, fragment):
    path = tmp_path / "odd.npz"
    np.savez(path, **arrays)
    with pytest.raises(WeightsError) as caught:
        import_weights(path, network())
    assert fragment in str(caught.value)


def test_an_object_array_is_never_unpickled(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, W0=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(WeightsError, match="W0: holds Python objects, which are never read "
                                           r"\(allow_pickle=False\)"):
        import_weights(path, network())


@pytest.mark.parametrize("name, content, fragment", [
    ("text.npz", b"not a zip at all", "not a NumPy .npz archive"),
    ("one.npz", None, "one array of shape (3, 5), not a .npz archive"),
    ("weights.txt", b"1 2 3", "choose a .npz (NumPy), .pt (PyTorch state_dict) or .onnx"),
])
def test_files_that_are_not_archives_are_refused(tmp_path, name, content, fragment):
    path = tmp_path / name
    if content is None:
        with open(path, "wb") as handle:
            np.save(handle, np.zeros((3, 5)))
    else:
        path.write_bytes(content)
    with pytest.raises(WeightsError) as caught:
        read_weight_file(path)
    assert fragment in str(caught.value)


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_weight_file(tmp_path / "gone.npz")


def test_without_pytorch_one_message_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    path.write_bytes(b"whatever")
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails
    with pytest.raises(WeightsError) as caught:
        import_weights(path, network())
    assert str(caught.value) == TORCH_NEEDED
    assert TORCH_NEEDED == "reading .pt files needs PyTorch: pip install -e '.[torch]'"


def test_without_onnx_one_message_says_what_to_install(tmp_path, monkeypatch):
    from engine.io.onnx_model import onnx_model

    path = tmp_path / "model.onnx"
    path.write_bytes(b"whatever")
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(WeightsError, match=r"^reading \.onnx files needs the onnx package: "
                                           r"pip install -e '\.\[onnx\]'$"):
        import_weights(path, network())
    with pytest.raises(WeightsError, match=r"^writing \.onnx files needs the onnx package"):
        onnx_model(network())


def test_a_file_larger_than_any_network_is_refused_before_reading(tmp_path, monkeypatch):
    path = save_npz(tmp_path / "big.npz", *random_arrays(SIZES))
    monkeypatch.setattr(weights_module, "MAX_WEIGHT_FILE_BYTES", 100)
    with pytest.raises(WeightsError, match=r"bytes, more than the 100 that"):
        read_weight_file(path)


def test_a_model_is_a_pt_or_onnx_file(tmp_path):
    path = save_npz(tmp_path / "w.npz", *random_arrays(SIZES))
    with pytest.raises(WeightsError, match="a model is a .onnx or .pt file"):
        model_document(path)


# -------------------------------------------------------------- the MNIST net
def test_the_784_128_10_network_takes_its_weights_and_names_a_transposed_matrix(tmp_path):
    """The issue's network: 101,770 parameters, built in code, not read from a file."""
    sizes, activations = [784, 128, 10], ["relu", "softmax"]
    weights, biases = random_arrays(sizes, seed=3)
    net = network(sizes, activations)
    good = save_npz(tmp_path / "mnist.npz", weights, biases)
    theta, _ = import_weights(good, net)
    assert theta.size == 101_770
    net.theta[...] = theta
    x = np.random.default_rng(4).random((5, 784))
    targets = np.eye(10)[[0, 1, 2, 3, 4]]
    stepper = Document(net, x, targets, TrainingConfig(loss="cross_entropy")).make_stepper()
    np.testing.assert_allclose(stepper.evaluate(full=True, backward=False).activations[-1],
                               numpy_forward(weights, biases, activations, x), atol=1e-14)
    wrong = save_npz(tmp_path / "torch-layout.npz", [w.T for w in weights], biases)
    with pytest.raises(WeightsError) as caught:
        import_weights(wrong, net)
    assert str(caught.value) == "W0: expected shape (784, 128), the file has (128, 784)"


# ----------------------------------------------------------------------- CLI
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=REPO,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def document_file(tmp_path, sizes=SIZES, activations=ACTIVATIONS):
    x = np.random.default_rng(5).normal(size=(6, sizes[0]))
    y = np.random.default_rng(6).normal(size=(6, sizes[-1]))
    path = tmp_path / "net.json"
    save(path, Document(network(sizes, activations), x, y, TrainingConfig(loss="mse")))
    return path, x


def test_the_cli_prints_the_outputs_of_the_imported_weights(tmp_path):
    weights, biases = random_arrays(SIZES, seed=7)
    path, x = document_file(tmp_path)
    npz = save_npz(tmp_path / "mine.npz", weights, biases)
    result = cli(str(path), "--weights", str(npz), "--json")
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    np.testing.assert_allclose(state["outputs"], numpy_forward(weights, biases, ACTIVATIONS, x),
                               rtol=0, atol=1e-13)
    assert state["weights"][1] == weights[1].tolist()


def test_the_cli_exits_2_with_one_line_when_a_shape_does_not_fit(tmp_path):
    weights, biases = random_arrays(SIZES)
    weights[1] = weights[1].T
    path, _ = document_file(tmp_path)
    npz = save_npz(tmp_path / "mine.npz", weights, biases)
    result = cli(str(path), "--weights", str(npz))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (f"python -m engine: error: {npz}: W1: expected shape (5, 4), the "
                             "file has (4, 5)\n")
    missing = cli(str(path), "--weights", str(tmp_path / "gone.npz"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "gone.npz: No such file or directory" in missing.stderr
