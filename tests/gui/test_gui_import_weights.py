"""Bring your weights into the window (issue 16, point 1): File ▸ Import weights… replaces the
weights and biases as one undoable edit, or refuses a file that does not fit with one message
naming the array and both shapes, the work untouched; File ▸ Open builds a network from an
ONNX or PyTorch model; File ▸ Export ▸ ONNX model… writes one that onnx's checker accepts.
The file dialogs are answered through the parts' hooks (or monkeypatched), as elsewhere."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SEED_000, wait_refreshed
from PySide6.QtWidgets import QMenu, QMessageBox

from engine.core.network import Network
from gui.parts import files as files_module

SIZES = [2, 3, 3, 2]  # seed 000's network: sigmoid, with biases


def menu_action(window, menu_name: str, action_name: str):
    """The action as the learner finds it: in the window's menu."""
    menu = window.findChild(QMenu, menu_name)
    found = [a for a in menu.actions() if a.objectName() == action_name]
    assert len(found) == 1, [a.objectName() for a in menu.actions()]
    assert found[0].isEnabled() and found[0].toolTip()
    return found[0]


def random_arrays(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return ([rng.normal(size=(sizes[l], sizes[l + 1])) for l in range(len(sizes) - 1)],
            [rng.normal(size=sizes[l + 1]) for l in range(len(sizes) - 1)])


def save_npz(path, weights, biases):
    np.savez(path, **{f"W{l}": w for l, w in enumerate(weights)},
             **{f"b{l}": b for l, b in enumerate(biases)})
    return path


def errors(window) -> list[QMessageBox]:
    return window.findChildren(QMessageBox, "error_dialog")


def one_error(qtbot, window, *fragments: str) -> str:
    boxes = errors(window)
    assert len(boxes) == 1, [b.text() for b in boxes]
    text = boxes[0].text()
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    boxes[0].close()
    qtbot.waitUntil(lambda: not errors(window), timeout=2000)
    return text


def sigmoid(n):
    return 1.0 / (1.0 + np.exp(-n))


def test_import_weights_from_the_menu_is_one_undoable_edit(open_window, qtbot, tmp_path):
    window = open_window(SEED_000, show=True)
    controller = window.controller
    before = controller.network.theta.copy()
    weights, biases = random_arrays(SIZES)
    path = save_npz(tmp_path / "mine.npz", weights, biases)
    asked = []
    window.files.choose_weights_file = lambda: asked.append(True) or path
    menu_action(window, "menu_file", "action_import_weights").trigger()
    assert asked == [True]
    for l in range(3):
        assert np.array_equal(controller.network.weights[l], weights[l])
        assert np.array_equal(controller.network.biases[l], biases[l])
    assert window.windowTitle().startswith("seed-000.json •")
    assert controller.undo_stack.undoText() == "Import weights from mine.npz"
    # what the window shows is the imported network's: a numpy forward written here
    wait_refreshed(qtbot, window)
    a = controller.stepper.inputs
    for W, b in zip(weights, biases, strict=True):
        a = sigmoid(a @ W + b)
    np.testing.assert_allclose(controller.display_trace().activations[-1], a, atol=1e-14)
    window.action_undo.trigger()
    assert np.array_equal(controller.network.theta, before)
    window.action_redo.trigger()
    assert np.array_equal(controller.network.weights[2], weights[2])
    # cancelled: nothing happens
    window.files.choose_weights_file = lambda: None
    count = controller.undo_stack.count()
    menu_action(window, "menu_file", "action_import_weights").trigger()
    assert controller.undo_stack.count() == count and not errors(window)


def test_a_file_that_does_not_fit_is_refused_and_the_work_stays(open_window, qtbot, tmp_path):
    window = open_window(SEED_000, show=True)
    controller = window.controller
    controller.step_iteration()  # some work: an iteration done
    wait_refreshed(qtbot, window)
    before = (controller.network.theta.copy(), controller.undo_stack.count(),
              controller.stepper.iteration, window.windowTitle())
    weights, biases = random_arrays(SIZES)
    weights[2] = weights[2].T  # PyTorch's layout by mistake: (2, 3) for (3, 2)
    path = save_npz(tmp_path / "wrong.npz", weights, biases)
    window.files.choose_weights_file = lambda: path
    menu_action(window, "menu_file", "action_import_weights").trigger()
    text = one_error(qtbot, window, "wrong.npz",
                     "W2: expected shape (3, 2), the file has (2, 3)")
    assert text.count("\n") == 0
    wait_refreshed(qtbot, window)
    assert (controller.network.theta.tolist(), controller.undo_stack.count(),
            controller.stepper.iteration, window.windowTitle()) == (
        before[0].tolist(), *before[1:])


def test_a_state_dict_is_imported_in_pytorchs_layout(open_window, tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra")
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(),
                                torch.nn.Linear(3, 3), torch.nn.Sigmoid(),
                                torch.nn.Linear(3, 2), torch.nn.Sigmoid()).double()
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    window = open_window(SEED_000)
    window.files.choose_weights_file = lambda: path
    menu_action(window, "menu_file", "action_import_weights").trigger()
    x = torch.tensor(window.controller.stepper.inputs)
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(window.controller.display_trace().activations[-1], expected,
                               rtol=0, atol=1e-12)


def test_open_builds_a_network_from_an_onnx_model(open_window, qtbot, tmp_path, monkeypatch):
    pytest.importorskip("onnx", reason="the onnx package is an optional extra")
    from engine.io.onnx_model import write_onnx

    source = Network([4, 8, 3], ["relu", "softmax"])
    source.theta[...] = np.random.default_rng(5).normal(size=source.theta.size)
    path = tmp_path / "classifier.onnx"
    write_onnx(path, source, "float64")
    window = open_window(SEED_000, show=True)
    monkeypatch.setattr(files_module.QFileDialog, "getOpenFileName",
                        lambda *args: (str(path), ""))
    menu_action(window, "menu_file", "action_open").trigger()
    network = window.controller.network
    assert network.sizes == [4, 8, 3] and network.activation_names == ["relu", "softmax"]
    assert np.array_equal(network.theta, source.theta)
    assert window.controller.path is None  # untitled: Save asks for a name, never the .onnx
    assert window.windowTitle() == "untitled — Backprop Lab"
    assert window.controller.stepper.config.loss == "cross_entropy"
    assert "classifier.onnx" in window.statusBar().currentMessage()
    wait_refreshed(qtbot, window)
    assert not errors(window)


def test_a_model_that_cannot_be_read_is_refused_and_the_work_stays(open_window, qtbot,
                                                                   tmp_path):
    window = open_window(SEED_000)
    theta = window.controller.network.theta.copy()
    stepper = window.controller.stepper
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a model")
    assert window.files.open_file(bad) is False
    one_error(qtbot, window, "broken.pt")
    assert window.controller.stepper is stepper
    assert np.array_equal(window.controller.network.theta, theta)


def test_export_onnx_from_the_menu_passes_the_checker_and_imports_back(open_window, tmp_path):
    onnx = pytest.importorskip("onnx", reason="the onnx package is an optional extra")
    window = open_window(SEED_000)
    window.controller.step_iteration()
    path = tmp_path / "seed.onnx"
    window.exports.ask_onnx_path = lambda: (path, "float64")
    menu_action(window, "menu_export", "action_export_onnx").trigger()
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    assert "seed.onnx" in window.statusBar().currentMessage()
    network = window.controller.network
    copy = Network(network.sizes, network.activation_names, network.bias)
    from engine.io.weights import import_weights

    theta, _ = import_weights(path, copy)
    assert np.array_equal(theta, network.theta)
    # the same file imported into the window is an edit that changes nothing
    window.files.choose_weights_file = lambda: path
    assert window.files.import_weights_dialog() is True
    assert np.array_equal(window.controller.network.theta, theta)


def test_export_onnx_without_the_package_says_which_extra(open_window, qtbot, tmp_path,
                                                         monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)
    window = open_window(SEED_000)
    path = tmp_path / "seed.onnx"
    window.exports.ask_onnx_path = lambda: (path, "float32")
    menu_action(window, "menu_export", "action_export_onnx").trigger()
    one_error(qtbot, window, "pip install -e '.[onnx]'")
    assert not path.exists()


def test_the_file_dialog_offers_models_and_weights(open_window, monkeypatch, tmp_path):
    window = open_window(SEED_000)
    seen = []
    monkeypatch.setattr(files_module.QFileDialog, "getOpenFileName",
                        lambda parent, caption, start, filters: seen.append(filters) or ("", ""))
    window.files.action_open.trigger()
    window.findChild(type(window.files.action_open), "action_import_weights").trigger()
    assert "*.onnx" in seen[0] and "*.pt" in seen[0] and "*.json" in seen[0]
    assert all(f"*{suffix}" in seen[1] for suffix in (".npz", ".pt", ".onnx"))
    assert window.controller.undo_stack.count() == 0
