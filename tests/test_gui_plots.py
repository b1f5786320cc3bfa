"""The plots' drawing economies: a min/max envelope that keeps peaks and the last point,
weights sharing one curve per colour, and a large network's graph drawing its strongest
edges only. Each is checked against the engine's own history."""

from __future__ import annotations

import numpy as np
from gui_helpers import SEED_000, SEED_001_FREE

from engine.fileformat import Document
from engine.init import InitSpec, initialise
from engine.network import Network
from engine.optimizers import TrainingConfig
from gui.graph_items import BatchedEdges
from gui.plots import envelope, steps


def wide_document(learning_rate: float = 0.5) -> Document:
    """A 64-128-64-10 network (17,024 weights) on five random observations."""
    network = Network([64, 128, 64, 10], ["sigmoid", "sigmoid", "softmax"], True)
    spec = InitSpec("normal", 0, {"std": 1.0})
    initialise(network, spec)
    rng = np.random.default_rng(0)
    return Document(network, rng.normal(size=(5, 64)), np.eye(10)[rng.integers(0, 10, 5)],
                    TrainingConfig(loss="cross_entropy", learning_rate=learning_rate), spec)


def test_envelope_keeps_every_peak_and_the_last_point():
    rng = np.random.default_rng(3)
    x = np.arange(100_000, dtype=float)
    y = rng.normal(size=x.size)
    y[[17, 50_000, 99_998]] = [40.0, -35.0, 25.0]  # spikes a plain stride would miss
    xs, ys = envelope(x, y, 500)
    assert len(xs) == len(ys) <= 2 * 500 + 1
    assert ys.max() == 40.0 and ys.min() == -35.0 and 25.0 in ys
    assert (xs[-1], ys[-1]) == (x[-1], y[-1])
    assert np.all(np.diff(xs) >= 0)  # still drawable left to right


def test_envelope_leaves_short_data_alone():
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    xs, ys = envelope(x, y, 500)
    assert np.array_equal(xs, x) and np.array_equal(ys, y)


def test_steps_draw_a_count_that_changes_as_exact_steps():
    x = np.arange(8.0)
    y = np.array([3, 3, 3, 2, 2, 2, 1, 1], dtype=float)
    xs, ys = steps(x, y)
    assert xs.tolist() == [0, 3, 3, 6, 6, 7]
    assert ys.tolist() == [3, 3, 2, 2, 1, 1]


def test_weights_sharing_a_curve_are_drawn_exactly(open_window, qtbot):
    window = open_window(SEED_000)
    controller = window.controller
    for _ in range(4):
        window.action_step_iteration.trigger()
    window.refresh()
    plot = window.weights_plot
    assert len(plot.curves) < len(plot.indices)  # 21 weights, one curve per target neuron
    snapshots = controller.stepper.history.snapshots
    for index in plot.indices:
        x, y = plot.trajectory(int(index))
        assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
        assert np.array_equal(y[:-1], snapshots[:4, index])
        assert y[-1] == controller.network.theta[index]


def test_a_large_network_draws_its_strongest_edges(open_window, qtbot):
    document = wide_document()
    window = open_window()
    window.controller.load(document)
    view = window.network_view
    batched = view.batched
    assert batched is not None and not view.edges  # 17,024 edges: batched, not one item each
    assert batched.drawn == BatchedEdges.MAX_DRAWN
    drawn_paths = sum(path.elementCount() for path in batched.paths)
    assert drawn_paths == 2 * BatchedEdges.MAX_DRAWN  # a move and a line per edge
    # one cached item paints them all (a cached pixmap each for several cost more)
    layers = [item for item in view.scene().items() if item is batched.layer]
    assert len(layers) == 1 and batched.layer.boundingRect().contains(
        view.neurons[(0, 0)].scenePos())


def test_batched_edges_keep_the_strongest_weights(qapp):
    from PySide6.QtWidgets import QGraphicsScene

    count = BatchedEdges.MAX_DRAWN + 1000
    k = np.arange(count, dtype=float)
    starts, ends = np.column_stack([k, np.zeros(count)]), np.column_stack([k, np.ones(count)])
    scene = QGraphicsScene()
    edges = BatchedEdges(scene, starts, ends)
    values = np.random.default_rng(5).normal(size=count)
    edges.update(values, float(np.abs(values).max()))
    drawn = {int(path.elementAt(e).x) for path in edges.paths
             for e in range(path.elementCount())}  # x names the edge
    strongest = set(np.argsort(np.abs(values))[-BatchedEdges.MAX_DRAWN:].tolist())
    assert drawn == strongest


def test_a_large_graph_restrokes_its_edges_every_third_redraw_while_running(open_window):
    from gui.network_view import EDGE_EVERY

    document = wide_document(learning_rate=5.0)
    window = open_window()
    controller = window.controller
    controller.load(document)
    view = window.network_view

    def paths():
        return list(view.batched.paths)

    def redraw_after_an_iteration():
        controller.stepper.run(1)
        controller.position_changed.emit()
        view.refresh()
        return paths()

    controller.run()  # running: the timer is started, but the test drives the redraws
    try:
        drawn = [paths()] + [redraw_after_an_iteration() for _ in range(2 * EDGE_EVERY)]
    finally:
        controller.pause()
    changed = [drawn[k] != drawn[k - 1] for k in range(1, len(drawn))]
    assert sum(changed) <= 2 and any(changed)  # once per EDGE_EVERY redraws
    assert redraw_after_an_iteration() != drawn[-1]  # paused: every redraw


def test_merged_weight_curves_show_their_single_point_at_iteration_0(open_window):
    window = open_window(SEED_000)
    plot = window.weights_plot
    assert len(plot.curves) < len(plot.indices)  # merged: one curve per target neuron
    for index in plot.indices:
        x, y = plot.trajectory(int(index))
        assert x.tolist() == [0.0] and y.tolist() == [1.0]
    assert all(curve.opts["symbol"] is not None for curve in plot.curves)  # drawn as dots


def test_the_weights_plot_says_when_it_shows_only_some_weights(open_window):
    from gui.plots import MAX_WEIGHT_CURVES

    document = wide_document()
    window = open_window()
    window.controller.load(document)
    plot = window.weights_plot
    assert plot.truncated and len(plot.indices) == MAX_WEIGHT_CURVES
    assert f"first {MAX_WEIGHT_CURVES} of 17,024 weights" in plot.getPlotItem().titleLabel.text


def test_a_weight_near_the_float_limit_leaves_the_plots_drawable(open_window, qtbot):
    """A weight of 1.7e308 is a legal number (a file may hold it): the plots' margins would
    overflow, and the refresh must go on instead of raising (found in review)."""
    from gui_helpers import W1

    from gui.commands import SetParametersCommand

    window = open_window(SEED_001_FREE)
    c = window.controller
    with qtbot.captureExceptions() as caught:
        c.push(SetParametersCommand(c, [W1], [1.7e308]))
        window.refresh()
    assert not caught, [str(error) for _, error, _ in caught]
    x, y = window.weights_plot.trajectory(c.network.flat_index(W1))
    assert y[-1] == 1.7e308  # drawn, even if the view cannot frame it
