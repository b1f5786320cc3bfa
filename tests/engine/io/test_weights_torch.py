"""PyTorch state_dicts (engine/io/weights.py) against PyTorch itself: an nn.Sequential built
here, its state_dict saved and imported, then the engine's outputs and its sgd compared with
the module's and torch.optim.SGD's on the same data and loss, in float64. Skipped where
PyTorch is not installed (the optional extra: pip install -e '.[torch]')."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from paths import REPO

from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io.fileformat import Document, save
from engine.io.weights import STATE_DICT_NOTE, WeightsError, import_weights, model_document

torch = pytest.importorskip("torch", reason="PyTorch is an optional extra: "
                                            "pip install -e '.[torch]'")
nn = torch.nn

TOLERANCE = 1e-10


@pytest.fixture(autouse=True)
def float64():
    """PyTorch in float64 for these tests only (the engine computes in float64)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


# (layers of the module, engine sizes and activations, the engine's loss, PyTorch's loss)
def mse(output, y):
    return nn.functional.mse_loss(output, y)  # mean over observations and outputs: our mse


def cross_entropy(output, y):
    return -(y * torch.log(output)).sum() / output.shape[0]  # −Σ y ln a / m: ours


CASES = {
    "tanh-sigmoid-linear": (
        lambda: [nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 2)],
        [3, 6, 5, 2], ["tanh", "sigmoid", "linear"], "mse", mse),
    "relu-softmax": (
        lambda: [nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1)],
        [4, 8, 3], ["relu", "softmax"], "cross_entropy", cross_entropy),
}


def data(sizes, loss, m=10):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(m, sizes[0]))
    if loss == "cross_entropy":
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
    else:
        y = rng.normal(size=(m, sizes[-1]))
    return x, y


def engine_outputs(stepper) -> np.ndarray:
    return stepper.evaluate(full=True, backward=False).activations[-1]


@pytest.mark.parametrize("case", CASES)
def test_an_imported_state_dict_trains_like_pytorch(case, tmp_path):
    layers, sizes, activations, loss_name, loss = CASES[case]
    torch.manual_seed(0)
    model = nn.Sequential(*layers())
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)

    network = Network(sizes, activations)
    theta, note = import_weights(path, network)
    assert note == ""
    network.theta[...] = theta
    x, y = data(sizes, loss_name)
    config = TrainingConfig(loss=loss_name, optimizer="sgd", learning_rate=0.1)
    stepper = Document(network, x, y, config).make_stepper()
    tx, ty = torch.tensor(x), torch.tensor(y)
    with torch.no_grad():
        np.testing.assert_allclose(engine_outputs(stepper), model(tx).numpy(), rtol=0,
                                   atol=TOLERANCE)

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        loss(model(tx), ty).backward()
        optimizer.step()
    stepper.run(5)
    with torch.no_grad():
        np.testing.assert_allclose(engine_outputs(stepper), model(tx).numpy(), rtol=0,
                                   atol=TOLERANCE)
    linears = [module for module in model if isinstance(module, nn.Linear)]
    for l, linear in enumerate(linears):  # PyTorch's (out, in) is our Wᵀ
        np.testing.assert_allclose(stepper.network.weights[l], linear.weight.detach().numpy().T,
                                   rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(stepper.network.biases[l], linear.bias.detach().numpy(),
                                   rtol=0, atol=TOLERANCE)


def test_the_cli_imports_a_state_dict_and_trains_like_pytorch(tmp_path):
    layers, sizes, activations, loss_name, loss = CASES["tanh-sigmoid-linear"]
    torch.manual_seed(1)
    model = nn.Sequential(*layers())
    weights = tmp_path / "model.pt"
    torch.save(model.state_dict(), weights)
    x, y = data(sizes, loss_name)
    config = TrainingConfig(loss=loss_name, optimizer="sgd", learning_rate=0.05)
    file = tmp_path / "net.json"
    save(file, Document(Network(sizes, activations), x, y, config))
    result = subprocess.run([sys.executable, "-m", "engine", str(file), "--weights",
                             str(weights), "--steps", "3", "--json"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    tx, ty = torch.tensor(x), torch.tensor(y)
    for _ in range(3):
        optimizer.zero_grad()
        loss(model(tx), ty).backward()
        optimizer.step()
    with torch.no_grad():
        np.testing.assert_allclose(json.loads(result.stdout)["outputs"], model(tx).numpy(),
                                   rtol=0, atol=TOLERANCE)


def test_a_state_dict_that_does_not_fit_names_the_key_and_both_shapes(tmp_path):
    model = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 5))
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    network = Network([3, 5, 6], ["tanh", "linear"])
    before = network.theta.copy()
    with pytest.raises(WeightsError) as caught:
        import_weights(path, network)
    assert str(caught.value) == ("0.weight: expected shape (5, 3) (PyTorch's (out, in) layout "
                                 "of W^0), the file has (6, 3)")
    assert np.array_equal(network.theta, before)


def test_a_prefix_and_a_lone_linear_are_read(tmp_path):
    class Wrapped(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))

    model = Wrapped()
    path = tmp_path / "wrapped.pt"
    torch.save(model.state_dict(), path)
    theta, _ = import_weights(path, Network([2, 3, 1], ["relu", "linear"]))
    assert np.array_equal(theta[:6], model.net[0].weight.detach().numpy().T.ravel())
    lone = nn.Linear(4, 2)
    torch.save(lone.state_dict(), tmp_path / "lone.pt")
    theta, _ = import_weights(tmp_path / "lone.pt", Network([4, 2], ["linear"]))
    assert np.array_equal(theta[:8], lone.weight.detach().numpy().T.ravel())


# ---------------------------------------------------------------- refusals
class Trap:
    """Unpickling this would create a file: the safe loader must never do it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("what", ["module", "trap", "checkpoint", "list"])
def test_pickled_content_other_than_tensors_is_refused(tmp_path, what):
    path = tmp_path / f"{what}.pt"
    marker = tmp_path / "unpickled"
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    content = {"module": model, "trap": Trap(marker),
               "checkpoint": {**model.state_dict(), "epoch": 3},
               "list": [torch.zeros(3, 2)]}[what]
    torch.save(content, path)
    with pytest.raises(WeightsError) as caught:
        import_weights(path, Network([2, 3, 1], ["relu", "linear"]))
    message = str(caught.value)
    expected = {"module": "holds more than tensors (torch.nn.modules.container.Sequential): "
                          "PyTorch's safe loader (weights_only=True) refused it",
                "trap": "holds more than tensors",
                "checkpoint": "'epoch': an int, not a tensor",
                "list": "holds a list, not a state_dict"}[what]
    assert message.startswith(expected), message
    assert not marker.exists()


def test_other_layers_are_refused_by_name(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1))
    torch.save(model.state_dict(), tmp_path / "bn.pt")
    with pytest.raises(WeightsError, match=r"^1\.running_mean: not a Linear layer's weight"):
        import_weights(tmp_path / "bn.pt", Network([2, 3, 1], ["relu", "linear"]))
    model = nn.Sequential(nn.Linear(2, 3), nn.LayerNorm(3), nn.Linear(3, 1))
    torch.save(model.state_dict(), tmp_path / "ln.pt")
    with pytest.raises(WeightsError, match=r"^1\.weight: shape \(3,\) is not a Linear layer's"):
        import_weights(tmp_path / "ln.pt", Network([2, 3, 1], ["relu", "linear"]))


def test_a_file_pytorch_cannot_read_is_refused(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"\x00\x01 not a torch file")
    with pytest.raises(WeightsError, match="^not a file PyTorch can read|^holds more than"):
        import_weights(path, Network([2, 1], ["linear"]))


# ------------------------------------------------------------------- Open
def test_a_state_dict_opens_as_a_network_with_relu_assumed(tmp_path):
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 4), nn.Linear(4, 3))
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    document, note = model_document(path)
    assert document.network.sizes == [5, 7, 4, 3]
    # a module between two Linear layers: relu assumed; none: linear; the output: linear
    assert document.network.activation_names == ["relu", "linear", "linear"]
    assert STATE_DICT_NOTE in note
    assert document.inputs.shape == (1, 5) and not document.inputs.any()
    x = torch.randn(6, 5)
    # the weights are the module's
    stepper = Document(document.network, x.numpy(), np.zeros((6, 3)),
                       document.training).make_stepper()
    with torch.no_grad():
        np.testing.assert_allclose(stepper.evaluate(full=True, backward=False).activations[-1],
                                   model(x).numpy(), rtol=0, atol=TOLERANCE)
