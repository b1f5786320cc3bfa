"""ONNX models of fully connected networks, read and written with the optional ``onnx``
package (``pip install -e '.[onnx]'``).

Reading (``read_onnx``) walks the graph from its one data input to its output as a chain of
layers: ``MatMul`` (+ ``Add`` of a bias) or ``Gemm`` (transB 0 or 1, alpha = beta = 1), then
at most one activation — ``Relu``, ``Sigmoid``, ``Tanh``, ``LeakyRelu`` (alpha 0.01),
``Softmax`` on the last axis — or none (linear); ``Identity``, ``Flatten`` and ``Dropout``
pass their input through. Weights are initializers (or ``Constant`` nodes) in the file
itself; anything else is refused, naming the node.

Writing (``onnx_model``, ``write_onnx``) gives one ``Gemm`` per layer (``MatMul`` without
biases) with W^l as an (in, out) initializer ``W{l}`` and b^l as ``b{l}``, then the layer's
activation node; input ``x`` and output ``y`` of shape (batch, neurons), float32 or
float64 throughout (LeakyRelu's slope is a float32 attribute in ONNX: 0.01 becomes
0.0099999998, a difference of 1e-11 on a float64 model). ``onnx.checker`` accepts it and
Netron draws it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..core.activations import LEAKY_RELU_SLOPE
from ..core.network import Network
from .atomic import write_bytes_atomic
from .weights import FileLayer, WeightFile, WeightsError, real_numbers

ONNX_NEEDED_READ = "reading .onnx files needs the onnx package: pip install -e '.[onnx]'"
ONNX_NEEDED_WRITE = "writing .onnx files needs the onnx package: pip install -e '.[onnx]'"
OPSET = 17
IR_VERSION = 8  # what ONNX Runtime 1.14+ and Netron read
DTYPES = {"float32": np.float32, "float64": np.float64}

# engine activation → ONNX operator and its attributes (linear: no node)
ACTIVATION_OPS = {
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "relu": ("Relu", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": LEAKY_RELU_SLOPE}),
    "softmax": ("Softmax", {"axis": 1}),
}
_OP_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu",
                   "LeakyRelu": "leaky_relu", "Softmax": "softmax"}
_PASS_THROUGH = ("Identity", "Flatten", "Dropout")


def _onnx(message: str):
    try:
        import onnx
    except ImportError:
        raise WeightsError(message) from None
    return onnx


# ------------------------------------------------------------------ reading
def _attributes(node) -> dict:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _node_name(node) -> str:
    return f"node {node.name!r} ({node.op_type})" if node.name else f"a {node.op_type} node"


def read_onnx(path: str | os.PathLike) -> WeightFile:
    onnx = _onnx(ONNX_NEEDED_READ)
    from onnx import numpy_helper

    path = Path(path)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as error:  # protobuf's DecodeError and friends: not an ONNX file
        text = " ".join(str(error).split())[:200]
        raise WeightsError(f"not an ONNX model ({type(error).__name__}"
                           f"{': ' + text if text else ''})") from None
    graph = model.graph
    constants: dict[str, np.ndarray] = {}

    def array(tensor, name: str) -> np.ndarray:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise WeightsError(f"{name}: kept in an external data file, which is not read; "
                               "save the model with its weights inside")
        try:
            value = numpy_helper.to_array(tensor)
        except Exception as error:
            raise WeightsError(f"{name}: cannot be read ({error})") from None
        return real_numbers(np.asarray(value), name)

    for tensor in graph.initializer:
        constants[tensor.name] = tensor
    for node in graph.node:
        if node.op_type == "Constant":
            value = _attributes(node).get("value")
            if value is None:
                raise WeightsError(f"{_node_name(node)}: only tensor constants are read")
            constants[node.output[0]] = value
    inputs = [i.name for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise WeightsError(f"the graph has {len(inputs)} data inputs "
                           f"({', '.join(inputs) or 'none'}); an MLP has one")
    if len(graph.output) != 1:
        raise WeightsError(f"the graph has {len(graph.output)} outputs; an MLP has one")

    current = inputs[0]
    layers: list[FileLayer] = []
    open_layer: FileLayer | None = None  # the last layer, while its bias or activation may come

    def constant(name: str, node) -> np.ndarray:
        if name not in constants:
            raise WeightsError(f"{_node_name(node)}: {name!r} is not a weight stored in the "
                               "file (an MLP multiplies by initializers)")
        return array(constants[name], name)

    for node in graph.node:
        op = node.op_type
        if op == "Constant":
            continue
        if current not in node.input:
            raise WeightsError(f"{_node_name(node)}: not on the chain from {inputs[0]!r} to the "
                               "output (an MLP is one chain of layers)")
        others = [name for name in node.input if name and name != current]
        attributes = _attributes(node)
        if op in _PASS_THROUGH:
            if op == "Flatten" and attributes.get("axis", 1) != 1:
                raise WeightsError(f"{_node_name(node)}: axis {attributes['axis']}, expected 1")
        elif op == "MatMul":
            if node.input[0] != current or len(others) != 1:
                raise WeightsError(f"{_node_name(node)}: expected x · W with W a weight")
            weight = constant(others[0], node)
            open_layer = FileLayer(weight, None, others[0], None,
                                   layout="MatMul's (in, out)")
            layers.append(open_layer)
        elif op == "Gemm":
            if node.input[0] != current:
                raise WeightsError(f"{_node_name(node)}: expected Gemm(x, W, b)")
            for key, wanted in (("alpha", 1.0), ("beta", 1.0), ("transA", 0)):
                if attributes.get(key, wanted) != wanted:
                    raise WeightsError(f"{_node_name(node)}: {key} = {attributes[key]}, only "
                                       f"{wanted} is read")
            transposed = bool(attributes.get("transB", 0))
            weight = constant(node.input[1], node)
            bias = None
            bias_name = node.input[2] if len(node.input) > 2 and node.input[2] else None
            if bias_name is not None:
                bias = constant(bias_name, node)
                if bias.ndim == 2 and bias.shape[0] == 1:
                    bias = bias[0]
            layout = "Gemm's transB = 1: (out, in)" if transposed else "Gemm's (in, out)"
            open_layer = FileLayer(weight, bias, node.input[1], bias_name, transposed,
                                   layout=layout)
            layers.append(open_layer)
        elif op == "Add":
            if (open_layer is None or open_layer.bias is not None
                    or open_layer.activation is not None or len(others) != 1):
                raise WeightsError(f"{_node_name(node)}: an Add that is not a layer's bias "
                                   "(expected MatMul, then Add of a vector)")
            bias = constant(others[0], node)
            if bias.ndim == 2 and bias.shape[0] == 1:
                bias = bias[0]
            open_layer.bias, open_layer.bias_name = bias, others[0]
        elif op in _OP_ACTIVATIONS:
            if open_layer is None or open_layer.activation is not None:
                raise WeightsError(f"{_node_name(node)}: an activation that follows no layer "
                                   "(expected MatMul or Gemm before it)")
            name = _OP_ACTIVATIONS[op]
            if op == "LeakyRelu" and not np.isclose(attributes.get("alpha", 0.01),
                                                    LEAKY_RELU_SLOPE):
                raise WeightsError(f"{_node_name(node)}: alpha = {attributes['alpha']}, only "
                                   f"{LEAKY_RELU_SLOPE} is read")
            if op == "Softmax" and attributes.get("axis", -1) not in (1, -1):
                raise WeightsError(f"{_node_name(node)}: axis {attributes['axis']}, expected "
                                   "the last (1 or -1)")
            open_layer.activation = name
        else:
            raise WeightsError(f"{_node_name(node)}: {op} is not read (an MLP is MatMul or "
                               "Gemm, Add, and Relu, Sigmoid, Tanh, LeakyRelu or Softmax)")
        if len(node.output) < 1:
            raise WeightsError(f"{_node_name(node)}: no output")
        current = node.output[0]
    if not layers:
        raise WeightsError("no MatMul or Gemm node: not a fully connected network")
    if current != graph.output[0].name:
        raise WeightsError(f"the chain ends at {current!r}, not at the graph's output "
                           f"{graph.output[0].name!r}")
    return WeightFile(path, "onnx", layers, activations_known=True)


# ------------------------------------------------------------------ writing
def onnx_model(network: Network, dtype: str = "float32"):
    """The network as an ``onnx.ModelProto`` (checked by ``onnx.checker``); ValueError for an
    activation ONNX has no operator for here, WeightsError without the onnx package."""
    onnx = _onnx(ONNX_NEEDED_WRITE)
    from onnx import TensorProto, helper, numpy_helper

    if dtype not in DTYPES:
        raise ValueError(f"dtype: float32 or float64, not {dtype!r}")
    numpy_type = DTYPES[dtype]
    element = TensorProto.FLOAT if dtype == "float32" else TensorProto.DOUBLE
    for l, name in enumerate(network.activation_names):
        if name != "linear" and name not in ACTIVATION_OPS:
            raise ValueError(f"activations[{l}]: {name} has no ONNX operator here")
    nodes, initializers = [], []
    current, last = "x", network.layer_count - 1
    for l in range(network.layer_count):
        activation = network.activation_names[l]
        pre = "y" if (l == last and activation == "linear") else f"n{l + 1}"
        initializers.append(numpy_helper.from_array(
            np.ascontiguousarray(network.weights[l], dtype=numpy_type), f"W{l}"))
        if network.bias:
            initializers.append(numpy_helper.from_array(
                np.ascontiguousarray(network.biases[l], dtype=numpy_type), f"b{l}"))
            nodes.append(helper.make_node("Gemm", [current, f"W{l}", f"b{l}"], [pre],
                                          name=f"layer{l + 1}"))
        else:
            nodes.append(helper.make_node("MatMul", [current, f"W{l}"], [pre],
                                          name=f"layer{l + 1}"))
        current = pre
        if activation != "linear":
            op, attributes = ACTIVATION_OPS[activation]
            out = "y" if l == last else f"a{l + 1}"
            nodes.append(helper.make_node(op, [current], [out], name=f"{activation}{l + 1}",
                                          **attributes))
            current = out
    graph = helper.make_graph(
        nodes, "backprop_lab_mlp",
        [helper.make_tensor_value_info("x", element, ["batch", network.sizes[0]])],
        [helper.make_tensor_value_info("y", element, ["batch", network.sizes[-1]])],
        initializers)
    graph.doc_string = (f"Backprop Lab network {'-'.join(map(str, network.sizes))}: "
                        f"{', '.join(network.activation_names)}; W{{l}} of shape (neurons of "
                        "layer l, neurons of layer l+1), y = f(x W + b) per layer")
    model = helper.make_model(graph, producer_name="Backprop Lab",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def write_onnx(path: str | os.PathLike, network: Network, dtype: str = "float32") -> None:
    """Write the network as an ONNX model, atomically."""
    write_bytes_atomic(path, onnx_model(network, dtype).SerializeToString())
