"""ONNX models (engine/io/onnx_model.py): our export checked by onnx.checker and run by onnx's
own reference evaluator against a numpy forward written here; imports of that file and of
graphs built here with onnx.helper (MatMul + Add, Gemm with transB = 1, as PyTorch exports
them). Skipped where the onnx package is not installed (the optional extra:
pip install -e '.[onnx]')."""

from __future__ import annotations

import numpy as np
import pytest

from engine.core.network import Network
from engine.io.weights import WeightsError, import_weights, model_document

onnx = pytest.importorskip("onnx", reason="the onnx package is an optional extra: "
                                          "pip install -e '.[onnx]'")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

from engine.io.onnx_model import onnx_model, write_onnx  # noqa: E402


def sigmoid(n):
    return 1.0 / (1.0 + np.exp(-n))


def softmax(n):
    e = np.exp(n - n.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


FUNCTIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda n: np.maximum(n, 0.0),
             "leaky_relu": lambda n: np.where(n > 0, n, 0.01 * n), "linear": lambda n: n,
             "softmax": softmax}


def numpy_forward(network: Network, x):
    a = x
    for l, name in enumerate(network.activation_names):
        a = FUNCTIONS[name](a @ network.weights[l] + network.biases[l])
    return a


NETWORKS = {
    "relu-softmax": ([4, 6, 3], ["relu", "softmax"], True),
    "tanh-sigmoid-linear": ([3, 5, 4, 2], ["tanh", "sigmoid", "linear"], True),
    "leaky-no-bias": ([2, 3, 1], ["leaky_relu", "sigmoid"], False),
}


def random_network(key, seed=0) -> Network:
    sizes, activations, bias = NETWORKS[key]
    network = Network(sizes, activations, bias)
    network.theta[...] = np.random.default_rng(seed).normal(0, 0.7, network.theta.size)
    return network


@pytest.mark.parametrize("key", NETWORKS)
def test_the_export_passes_the_checker_and_runs_as_our_forward(key, tmp_path):
    network = random_network(key)
    x = np.random.default_rng(1).normal(size=(9, network.sizes[0]))
    # LeakyRelu's alpha is a float32 attribute in ONNX (0.01 → 0.00999999977…): 1e-11 off
    exact = 1e-10 if "leaky_relu" in network.activation_names else 1e-13
    for dtype, tolerance in (("float64", exact), ("float32", 1e-5)):
        path = tmp_path / f"{key}-{dtype}.onnx"
        write_onnx(path, network, dtype)
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
        ops = [node.op_type for node in model.graph.node]
        assert ops.count("Gemm" if network.bias else "MatMul") == network.layer_count
        (output,) = ReferenceEvaluator(model).run(None, {"x": x.astype(dtype)})
        assert output.dtype == np.dtype(dtype)
        np.testing.assert_allclose(output, numpy_forward(network, x), rtol=tolerance,
                                   atol=tolerance)


@pytest.mark.parametrize("key", NETWORKS)
def test_importing_the_export_gives_back_the_weights(key, tmp_path):
    network = random_network(key)
    write_onnx(tmp_path / "64.onnx", network, "float64")
    write_onnx(tmp_path / "32.onnx", network, "float32")
    empty = Network(network.sizes, network.activation_names, network.bias)
    theta, note = import_weights(tmp_path / "64.onnx", empty)
    assert np.array_equal(theta, network.theta) and note == ""
    theta, _ = import_weights(tmp_path / "32.onnx", empty)
    assert np.array_equal(theta, network.theta.astype(np.float32).astype(np.float64))
    assert not empty.theta.any()  # reading changed nothing
    document, _ = model_document(tmp_path / "64.onnx")
    assert document.network.sizes == network.sizes
    assert document.network.activation_names == network.activation_names
    assert document.network.bias == network.bias
    assert np.array_equal(document.network.theta, network.theta)


def test_other_activations_are_imported_with_a_note(tmp_path):
    network = random_network("relu-softmax")
    write_onnx(tmp_path / "m.onnx", network, "float64")
    other = Network([4, 6, 3], ["tanh", "softmax"])
    theta, note = import_weights(tmp_path / "m.onnx", other)
    assert np.array_equal(theta, network.theta)
    assert note == ("the file's activations (relu, softmax) differ from the network's (tanh, "
                    "softmax): only the weights were taken")


def test_a_shape_that_does_not_fit_names_the_initializer_and_both_shapes(tmp_path):
    write_onnx(tmp_path / "m.onnx", random_network("relu-softmax"), "float32")
    with pytest.raises(WeightsError) as caught:
        import_weights(tmp_path / "m.onnx", Network([4, 7, 3], ["relu", "softmax"]))
    assert str(caught.value) == "W0: expected shape (4, 7) (Gemm's (in, out)), the file has (4, 6)"


# ------------------------------------------------------ graphs built here
def torch_like_model(weights, biases, ops, transposed=True, matmul=False):
    """An MLP graph as exporters write it: Gemm(x, W, b, transB=1) with W of shape (out, in),
    or MatMul + Add; then each activation op (None: linear)."""
    nodes, initializers, current = [], [], "input"
    for l, (W, b, op) in enumerate(zip(weights, biases, ops, strict=True)):
        stored = W.T if transposed else W
        initializers += [numpy_helper.from_array(stored, f"fc{l}.weight"),
                         numpy_helper.from_array(b, f"fc{l}.bias")]
        if matmul:
            nodes.append(helper.make_node("MatMul", [current, f"fc{l}.weight"], [f"m{l}"]))
            nodes.append(helper.make_node("Add", [f"m{l}", f"fc{l}.bias"], [f"n{l}"]))
        else:
            nodes.append(helper.make_node("Gemm", [current, f"fc{l}.weight", f"fc{l}.bias"],
                                          [f"n{l}"], transB=1 if transposed else 0,
                                          name=f"/fc{l}/Gemm"))
        current = f"n{l}"
        if op is not None:
            nodes.append(helper.make_node(op, [current], [f"a{l}"], name=f"/act{l}"))
            current = f"a{l}"
    nodes.append(helper.make_node("Identity", [current], ["output"]))
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 2])], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


@pytest.mark.parametrize("matmul", [False, True])
def test_a_graph_of_gemm_or_matmul_and_add_is_read(tmp_path, matmul):
    rng = np.random.default_rng(3)
    weights = [rng.normal(size=(3, 4)).astype(np.float32),
               rng.normal(size=(4, 2)).astype(np.float32)]
    biases = [rng.normal(size=4).astype(np.float32), rng.normal(size=2).astype(np.float32)]
    model = torch_like_model(weights, biases, ["Tanh", None], transposed=not matmul,
                             matmul=matmul)
    onnx.checker.check_model(model)
    path = tmp_path / "theirs.onnx"
    onnx.save(model, str(path))
    document, _ = model_document(path)
    network = document.network
    assert network.sizes == [3, 4, 2] and network.activation_names == ["tanh", "linear"]
    for l in range(2):
        assert np.array_equal(network.weights[l], weights[l].astype(np.float64))
        assert np.array_equal(network.biases[l], biases[l].astype(np.float64))
    x = rng.normal(size=(5, 3)).astype(np.float32)
    (expected,) = ReferenceEvaluator(model).run(None, {"input": x})
    np.testing.assert_allclose(numpy_forward(network, x.astype(np.float64)), expected,
                               rtol=1e-5, atol=1e-5)
    if not matmul:  # the layout is named in the message
        with pytest.raises(WeightsError) as caught:
            import_weights(path, Network([3, 5, 2], ["tanh", "linear"]))
        assert str(caught.value) == ("fc0.weight: expected shape (5, 3) (Gemm's transB = 1: "
                                     "(out, in)), the file has (4, 3)")


def test_an_operator_outside_an_mlp_is_refused_by_name(tmp_path):
    rng = np.random.default_rng(4)
    model = torch_like_model([rng.normal(size=(3, 2)).astype(np.float32)],
                             [np.zeros(2, np.float32)], ["Exp"])
    path = tmp_path / "exp.onnx"
    onnx.save(model, str(path))
    with pytest.raises(WeightsError, match=r"^node '/act0' \(Exp\): Exp is not read"):
        model_document(path)


def test_a_file_that_is_not_onnx_is_refused(tmp_path):
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"\xff\xfe definitely not protobuf \x00\x01")
    with pytest.raises(WeightsError, match="^not an ONNX model"):
        model_document(path)


def test_an_activation_without_an_onnx_operator_is_refused_on_export(monkeypatch):
    import engine.io.onnx_model as module

    network = random_network("relu-softmax")
    monkeypatch.delitem(module.ACTIVATION_OPS, "relu")
    with pytest.raises(ValueError, match=r"activations\[0\]: relu has no ONNX operator"):
        onnx_model(network)
