"""The graph of a 784-128-10 network (issue 16, point 3): at most 64 neurons drawn per layer
and a fold item for the rest that a click unfolds and folds back; the strongest edges among
the neurons shown and a note saying how many of how many; a drawn neuron selected by a click
shows in the inspector. Seed 000's graph is drawn as it always was."""

from __future__ import annotations

from collections import Counter

import numpy as np
from gui_helpers import SEED_000, reference_pass, wait_refreshed
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from engine.core.init import InitSpec, initialise
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io.fileformat import Document
from gui.views.graph_items import BatchedEdges, FoldItem, NeuronItem
from gui.views.graph_layout import FOLD_ABOVE, SHOWN, drawn_weights, plan

OBSERVATIONS = 100


def mnist_document() -> Document:
    """784-128-10, relu then softmax, cross-entropy and adam, as the MNIST course's network
    (random inputs in [0, 1): what is drawn does not depend on them)."""
    network = Network([784, 128, 10], ["relu", "softmax"], True)
    spec = InitSpec("he_normal", 3)
    initialise(network, spec)
    rng = np.random.default_rng(1)
    inputs = rng.random((OBSERVATIONS, 784))
    targets = np.eye(10)[rng.integers(0, 10, OBSERVATIONS)]
    return Document(network, inputs, targets,
                    TrainingConfig(loss="cross_entropy", optimizer="adam", learning_rate=0.001),
                    spec)


def mnist_window(open_window, qtbot):
    window = open_window(show=True)
    window.resize(1280, 860)
    document = mnist_document()
    window.controller.load(document)
    wait_refreshed(qtbot, window)
    return window, document


def drawn_per_layer(view) -> Counter:
    return Counter(item.layer for item in view.scene().items() if isinstance(item, NeuronItem))


def fold_point(view, layer: int) -> QPoint:
    """The viewport point at the middle of a fold item (its size is in pixels)."""
    fold = view.fold_items[layer]
    return view.mapFromScene(fold.scenePos()) + fold.rect().center().toPoint()


def click(view, point: QPoint) -> None:
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, point)


def drawn_edges(view) -> set[tuple[int, int, int]]:
    """(layer, source, target) of every line the batched edges paint, read back from their
    paths' points through the neurons at those points."""
    at = {(round(n.scenePos().x(), 3), round(n.scenePos().y(), 3)): key
          for key, n in view.neurons.items()}
    edges = set()
    for path in view.batched.paths:
        for e in range(0, path.elementCount(), 2):
            start, end = path.elementAt(e), path.elementAt(e + 1)
            (l, i) = at[(round(start.x, 3), round(start.y, 3))]
            (m, j) = at[(round(end.x, 3), round(end.y, 3))]
            assert m == l + 1
            edges.add((l, i, j))
    return edges


def test_a_784_128_10_graph_draws_64_neurons_a_layer_and_its_strongest_edges(open_window,
                                                                               qtbot):
    window, document = mnist_window(open_window, qtbot)
    view = window.network_view
    assert drawn_per_layer(view) == {0: 64, 1: 64, 2: 10}
    assert set(view.neurons) == ({(0, j) for j in range(64)} | {(1, j) for j in range(64)}
                                 | {(2, j) for j in range(10)})
    folds = [item for item in view.scene().items() if isinstance(item, FoldItem)]
    assert sorted((f.layer, f.text.text()) for f in folds) == [(0, "+720 more ▼"),
                                                              (1, "+64 more ▼")]
    # every fold item below its column's last drawn neuron
    for layer in (0, 1):
        assert view.fold_items[layer].scenePos().y() > view.neurons[(layer, 63)].scenePos().y()
    # the 1,500 strongest |w| among the 64·64 + 64·10 weights between the neurons shown
    w0, w1 = (np.array(w) for w in document.network.weights)
    candidates = [(0, i, j, w0[i, j]) for i in range(64) for j in range(64)]
    candidates += [(1, i, j, w1[i, j]) for i in range(64) for j in range(10)]
    magnitudes = np.abs([c[3] for c in candidates])
    strongest = np.argsort(magnitudes)[-BatchedEdges.MAX_DRAWN:]
    assert drawn_edges(view) == {candidates[k][:3] for k in strongest}
    assert view.note.isVisible()
    assert view.note.text() == ("Edges: the 1,500 strongest |w| of the 4,736 weights between "
                                "the neurons shown (101,632 in all)")


def test_a_click_on_the_fold_item_shows_the_layer_and_another_folds_it_back(open_window,
                                                                             qtbot):
    window, _ = mnist_window(open_window, qtbot)
    view = window.network_view
    assert view.tooltip_for(view.fold_items[1]) == (
        "Layer 1: neurons 64 to 127 (64) are folded, their edges not drawn: click to show them")
    click(view, fold_point(view, 1))
    assert drawn_per_layer(view) == {0: 64, 1: 128, 2: 10}
    assert view.fold_items[1].text.text() == "fold 64 ▲"
    assert view.fold_items[1].scenePos().y() > view.neurons[(1, 127)].scenePos().y()
    assert "of the 9,472 weights between the neurons shown" in view.note.text()  # 64·128 + 128·10
    click(view, fold_point(view, 0))
    assert drawn_per_layer(view) == {0: 784, 1: 128, 2: 10}
    assert view.note.text() == ("Edges: the 1,500 strongest |w| of 101,632 weights")
    click(view, fold_point(view, 1))  # folds layer 1 back, layer 0 stays whole
    assert drawn_per_layer(view) == {0: 784, 1: 64, 2: 10}
    assert view.fold_items[1].text.text() == "+64 more ▼"
    assert view.fold_items[0].text.text() == "fold 720 ▲"


def test_a_drawn_hidden_neuron_clicked_shows_its_numbers_in_the_inspector(open_window, qtbot):
    window, document = mnist_window(open_window, qtbot)
    window.inspector_dock.raise_()
    view = window.network_view
    neuron = view.neurons[(1, 37)]
    click(view, view.mapFromScene(neuron.sceneBoundingRect().center()))
    assert view.selected_neuron() == (1, 37)
    wait_refreshed(qtbot, window)
    inspector = window.inspector
    assert inspector.title.text() == "Neuron 37 of layer 1 (relu)"
    table = inspector.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    column = headers.index("a¹₃₇")
    # a^1 = relu(a^0 W^0 + b^0), written out here
    w0, b0 = np.array(document.network.weights[0]), np.array(document.network.biases[0])
    expected = np.maximum(document.inputs @ w0 + b0, 0.0)[:, 37]
    shown = np.array([float(table.item(o, column).text()) for o in range(table.rowCount())])
    assert table.rowCount() == OBSERVATIONS
    np.testing.assert_allclose(shown, expected, rtol=0, atol=1e-7)


def test_selecting_a_folded_neuron_unfolds_its_layer(open_window, qtbot):
    window, _ = mnist_window(open_window, qtbot)
    view = window.network_view
    assert (1, 100) not in view.neurons
    view.select_neuron((1, 100))  # e.g. a breakpoint on that neuron
    assert view.selected_neuron() == (1, 100)
    assert view.neurons[(1, 100)].isSelected() and 1 in view.expanded
    assert drawn_per_layer(view)[1] == 128


def test_seed_000_is_drawn_as_before(open_window, qtbot):
    window = open_window(SEED_000)
    view = window.network_view
    kinds = Counter(type(item).__name__ for item in view.scene().items())
    # the count of the items before wide layers were folded (issue 16)
    assert sum(kinds.values()) == 61
    assert kinds == {"BiasItem": 8, "EdgeItem": 21, "NeuronItem": 10, "QGraphicsRectItem": 4,
                     "QGraphicsSimpleTextItem": 18}
    expected = {(0, 0): (0, -45), (0, 1): (0, 45), (1, 0): (230, -90), (1, 1): (230, 0),
                (1, 2): (230, 90), (2, 0): (460, -90), (2, 1): (460, 0), (2, 2): (460, 90),
                (3, 0): (690, -45), (3, 1): (690, 45)}
    assert {key: (n.pos().x(), n.pos().y()) for key, n in view.neurons.items()} == expected
    assert {n.radius for n in view.neurons.values()} == {24.0}
    assert view.fold_items == {} and view.batched is None
    assert not view.note.isVisible() and view.note.text() == ""


def test_the_plan_folds_only_layers_wider_than_64():
    assert plan([2, 3, 3, 2]).drawn == (2, 3, 3, 2) and not plan([2, 3, 3, 2]).folded
    assert plan([FOLD_ABOVE, FOLD_ABOVE + 1]).drawn == (FOLD_ABOVE, SHOWN)
    assert plan([784, 128, 10]).drawn == (64, 64, 10)
    assert plan([784, 128, 10], {0}).drawn == (784, 64, 10)
    graph = plan([784, 128, 10])
    assert sorted(graph.fold_positions) == [0, 1] and graph.largest == 65


def test_drawn_weights_index_the_weights_between_drawn_neurons():
    sizes = [70, 66, 3]
    network = Network(sizes, ["tanh", "linear"], True)
    network.theta[...] = np.arange(network.theta.size, dtype=float)
    weights = np.concatenate([w.ravel() for w in network.weights])
    graph = plan(sizes)
    index, starts, ends = drawn_weights(graph)
    w0, w1 = network.weights
    expected = np.concatenate([w0[:64, :64].ravel(), w1[:64, :].ravel()])
    assert np.array_equal(weights[index], expected)
    # the first edge runs from neuron 0 of layer 0 to neuron 0 of layer 1; the last from
    # neuron 63 of layer 1 to neuron 2 of layer 2
    assert np.array_equal(starts[0], graph.positions[0][0])
    assert np.array_equal(ends[0], graph.positions[1][0])
    assert np.array_equal(starts[-1], graph.positions[1][63])
    assert np.array_equal(ends[-1], graph.positions[2][2])


def test_while_running_the_graph_shows_one_observations_own_forward_pass(open_window, qtbot,
                                                                          monkeypatch):
    """Between iterations of a run the neurons show the observation's forward pass, not the
    whole data set's (which cost most of a frame for 784-128-10; bench/graph_scale.py)."""
    window = open_window(SEED_000)
    controller, view = window.controller, window.network_view
    passes = []
    monkeypatch.setattr(controller.stepper, "evaluate",
                        lambda *args, **kwargs: passes.append(1))
    controller.run()  # the timer started; the test drives the frames
    try:
        controller.stepper.run(3)
        controller.position_changed.emit()
        view.observation = 1
        view.refresh()
        assert passes == []  # no pass over every observation
        weights = [np.array(w) for w in controller.network.weights]
        biases = [np.array(b) for b in controller.network.biases]
        stepper = controller.stepper
        _, activations, _, _ = reference_pass(weights, biases, stepper.inputs,
                                              stepper.targets, "sse")
        for (l, j), neuron in view.neurons.items():
            assert neuron.label.text() == f"{activations[l][1, j]:.3f}", (l, j)
    finally:
        controller.pause()
