"""The plots' drawing economies: a min/max envelope that keeps peaks and the last point,
weights sharing one curve per colour, and a large network's graph drawing its strongest
edges only. Each is checked against the engine's own history."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SEED_000, SEED_001_FREE
from PySide6.QtWidgets import QLabel

from engine.core.init import InitSpec, initialise
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io.fileformat import Document, load
from gui.views.graph_items import BatchedEdges
from gui.views.plots import envelope, steps


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


def test_the_edge_note_wraps_inside_a_narrow_graph(open_window, qtbot):
    """At 1280 × 720 the graph of Debug is narrow: the note saying which edges are drawn
    wraps to the graph's width instead of being cut off, and unwraps when there is room."""
    window = open_window(show=True)
    window.controller.load(wide_document())
    view = window.network_view
    text = view.edge_note()
    assert text.startswith("Edges: the 1,500 strongest")
    view.resize(260, 300)
    qtbot.waitUntil(lambda: view.viewport().width() < 300)
    note = view.note
    assert note.text() == text and note.isVisible()
    assert note.wordWrap() and note.x() + note.width() <= view.viewport().width()
    assert note.height() >= 2 * note.fontMetrics().height()  # on two lines or more
    view.resize(1600, 400)
    qtbot.waitUntil(lambda: view.viewport().width() > 1200)
    assert not note.wordWrap() and note.width() == note.sizeHint().width()


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
    from gui.views.network_view import EDGE_EVERY

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


def test_a_large_networks_weights_plot_shows_each_layers_spread(open_window):
    """Issue 16: 17,024 weights drawn as "the first 120" were a wall of colour. Each
    layer's median and 5th and 95th percentiles over time instead, checked against numpy on
    the parameters at the start and now."""
    document = wide_document()
    window = open_window()
    c = window.controller
    c.load(document)
    start = c.network.theta.copy()
    c.run_now(30)
    plot = window.weights_plot
    plot.refresh()
    assert plot.summary and "median, 5–95 %" in plot.note_text
    assert window.findChild(QLabel, "weights_note").text() == plot.note_text
    assert len(plot.curves) == 3 * c.network.layer_count
    start_weights, _, _ = c.network.layout(start)
    now_weights, _, _ = c.network.layout(c.network.theta)
    for k in range(c.network.layer_count):
        for q, percentile in enumerate((5, 50, 95)):
            x, y = plot.curves[3 * k + q].getOriginalDataset()
            assert x[0] == 0 and x[-1] == 30
            assert y[0] == np.percentile(start_weights[k], percentile)
            assert y[-1] == np.percentile(now_weights[k], percentile)
    # one neuron's incoming weights are still drawn one by one
    plot.show_neuron((1, 0))
    assert not plot.summary and len(plot.indices) == c.network.sizes[0] + 1


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


def test_the_loss_plot_is_exact_when_zoomed_into_losses_a_long_run_dropped(
        open_window, qtbot, monkeypatch, tmp_path):
    """A run whose oldest losses left memory (blocks of 256, a budget of two): zoomed into
    100 of its first iterations, the loss plot draws exactly the losses an unbounded run
    records there (recomputed from the checkpoints); the whole run draws each bin's exact
    minimum and maximum, from the envelope kept for ever (issue 12, point 10)."""
    from engine.core import loss_log

    monkeypatch.setattr(loss_log, "BLOCK", 256)
    window = open_window(SEED_000, show=True)
    stepper = window.controller.stepper
    log = stepper.history.loss_log
    log.exact_budget_bytes = 2 * 256 * 8
    window.controller.run_now(256 * 8)
    assert 0 not in log.exact_blocks  # iterations 0 … 255 were dropped
    fresh = load(SEED_000).make_stepper()  # the same run, every loss kept
    fresh.run(256 * 8)
    exact = fresh.history.losses
    plot = window.loss_plot
    window.refresh()
    x, y = plot.curve.getOriginalDataset()
    assert y.min() == exact.min() and y.max() == exact.max() and y[-1] == exact[-1]
    messages: list[str] = []
    window.controller.message_posted.connect(messages.append)
    plot.getViewBox().setXRange(100, 199, padding=0)  # as the wheel or a drag would
    plot._user_moved()
    qtbot.waitUntil(lambda: plot.curve.getOriginalDataset()[0][-1] < 300)
    x, y = plot.curve.getOriginalDataset()
    assert x[0] <= 100 and x[-1] >= 199
    np.testing.assert_array_equal(y, exact[x.astype(int)])  # every point exact
    assert 0 in log.exact_blocks  # recomputed, and kept as most recently used
    assert messages and messages[0].startswith("Recomputing the losses of iterations 99 … 200 ")


def test_a_continued_run_plots_from_the_iteration_it_was_saved_at(open_window, tmp_path):
    """A file saved at iteration 40: its loss curve starts at 40, the timeline runs from 40."""
    from gui.views.timeline import Timeline

    window = open_window(SEED_000)
    window.controller.run_now(40)
    path = tmp_path / "continued.json"
    assert window.save_file(path)
    window.files.open_file(path)
    stepper = window.controller.stepper
    assert stepper.start_iteration == stepper.iteration == 40
    window.controller.run_now(10)
    window.refresh()
    x, _ = window.loss_plot.curve.getOriginalDataset()
    assert x[0] == 40 and x[-1] == 49
    low, high = window.loss_plot.getViewBox().viewRange()[0]
    assert 30 < low < 40 < 49 < high
    timeline = window.findChild(Timeline)
    assert (timeline.slider.minimum(), timeline.slider.maximum()) == (40, 50)
    assert "from 40" in timeline.label.text()


def test_the_timeline_shows_a_run_continued_beyond_two_billion_iterations(open_window,
                                                                          tmp_path):
    """Found in review: a file may record any iteration up to 2⁵³, but a QSlider counts in
    32 bits; past 2³¹ − 1 the timeline counts from the run's first iteration."""
    import json

    from gui.views.timeline import Timeline

    saved = json.loads(SEED_000.read_text())
    saved["format"] = "backprop-lab/2"
    saved["state"] = {"iteration": 3_000_000_000}
    path = tmp_path / "far.json"
    path.write_text(json.dumps(saved))
    window = open_window(path)
    window.controller.run_now(10)
    window.refresh()
    timeline = window.findChild(Timeline)
    slider = timeline.slider
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, 10, 10)
    assert timeline.label.text() == "3000000010 iterations (from 3000000000)"
    slider.setValue(4)  # as a drag would
    assert window.controller.stepper.iteration == 3_000_000_004
    x, _ = window.loss_plot.curve.getOriginalDataset()
    assert x[0] == 3_000_000_000


# ------------------------------------------------ issue 14, point 4: plots a learner reads
def tick_labels(axis) -> list:
    """(rectangle, text) of each tick label the axis draws now, left to right, as its paint
    lays them out."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        if axis.style["tickFont"] is not None:
            painter.setFont(axis.style["tickFont"])
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return sorted(((rect, text) for rect, _, text in texts), key=lambda r: r[0].left())


@pytest.mark.parametrize("width", [150, 230, 340, 520, 900, 1600])
def test_iteration_ticks_never_collide_after_a_long_run(open_window, qtbot, width):
    """After a run to iteration 89,351 the loss plot spans −3,350 … 111,689 (the range its
    follow rule gives); its labels ran together ("020000400006000080000") in a narrow dock.
    At every width they are apart, at least two are shown, and they are short (20k)."""
    window = open_window(SEED_001_FREE)
    plot = window.loss_plot
    plot.resize(width, 220)
    plot.show()
    qtbot.waitExposed(plot)
    plot.getViewBox().setXRange(-3350, 111_689, padding=0)
    qtbot.waitUntil(lambda: plot.getAxis("bottom").range[1] > 100_000)
    labels = tick_labels(plot.getAxis("bottom"))
    assert len(labels) >= 2
    for (left, _), (right, _) in zip(labels, labels[1:], strict=False):
        assert left.right() + 4 <= right.left(), (width, [text for _, text in labels])
    assert all(len(text) <= 4 for _, text in labels), labels  # 0, 20k, 100k


@pytest.mark.parametrize(("value", "spacing", "text"), [
    (20_000, 20_000, "20k"), (15_000, 5_000, "15k"), (1_500_000, 500_000, "1.5M"),
    (0, 20_000, "0"), (-3_000, 1_000, "-3k"), (3e9, 1e9, "3B"), (250, 50, "250"),
    (12, 1, "12"), (2_500, 500, "2500"),
])
def test_iteration_labels_are_short(value, spacing, text):
    from gui.views.history_plot import iteration_label

    assert iteration_label(value, spacing) == text


def test_after_open_the_empty_loss_plot_starts_afresh(open_window, qtbot):
    """Found by a newcomer: after a long run, File ▸ Open of another file left its empty loss
    plot on the old run's axes (0 … 111,689). Its axes start again from the new file's first
    iteration, and follow it even if the old plot had been zoomed."""
    window = open_window(SEED_001_FREE, show=True)
    window.controller.run_now(3000)
    window.refresh()
    plot = window.loss_plot
    assert plot.getViewBox().viewRange()[0][1] > 3000
    plot.getViewBox().setXRange(1000, 2000, padding=0)  # zoomed, as a drag would
    plot._user_moved()
    window.files.open_file(SEED_000, ask=False)
    window.refresh()
    qtbot.waitUntil(lambda: plot.getViewBox().viewRange()[0][1] < 100)
    (x_low, x_high), (y_low, y_high) = plot.getViewBox().viewRange()
    assert x_low <= 0 < x_high <= 20  # iteration 0 and a few after it
    assert plot.follow


def test_the_distinct_neurons_plot_shows_the_whole_history_while_scrubbing(open_window, qtbot):
    """Rewound (the timeline dragged back), the plots show the whole history with a cursor;
    the distinct-neurons plot drew only the part its 1 ms catch-up had reached, so most of a
    long run was missing while the learner scrubbed."""
    window = open_window(SEED_001_FREE, show=True)
    controller = window.controller
    controller.run_now(60_000)
    controller.seek(100)  # the learner drags the timeline back …
    window.refresh()
    controller.seek(20_000)  # … and along
    window.refresh()
    plot = window.symmetry_plot
    for curve in plot.curves:
        x, _ = curve.getOriginalDataset()
        assert x[0] == 0 and x[-1] >= 59_999, (x[0], x[-1])
    assert plot.getViewBox().viewRange()[0][1] >= 59_999


@pytest.mark.parametrize("width", [200, 420, 800])
def test_the_weights_legend_never_covers_the_curves(qtbot, width):
    """Seed 001's six named weight curves: the legend sat in the top right corner of the
    plot, over the curves that run there. It lies outside the plot area, whole, at every
    width."""
    from gui_helpers import make_controller

    from gui.views.plots import WeightsPlot

    controller = make_controller(qtbot, load(SEED_001_FREE))
    controller.run_now(2000)
    plot = WeightsPlot(controller)
    qtbot.addWidget(plot)
    plot.resize(width, 300)
    plot.show()
    qtbot.waitExposed(plot)
    plot.refresh()
    legend = plot.legend
    assert [name for name, _, _ in legend.entries] == [
        "w⁰₀,₀ (w1)", "w⁰₁,₀ (w2)", "w⁰₀,₁ (w3)", "w⁰₁,₁ (w4)", "w¹₀,₀ (w5)", "w¹₁,₀ (w6)"]
    qtbot.waitUntil(lambda: legend.sceneBoundingRect().height() > 0)
    curves_area = plot.getViewBox().sceneBoundingRect()
    shown = legend.sceneBoundingRect()
    assert not shown.intersects(curves_area), (shown, curves_area)
    assert plot.sceneRect().contains(shown)  # whole: no entry cut off


def test_the_loss_plot_names_the_loss_with_its_formula(open_window, qtbot):
    """Issue 17: wherever the loss is named, its formula too; a settings change renames it
    and undo names the old one again."""
    from gui_helpers import wait_refreshed

    window = open_window(SEED_000, show=True)
    wait_refreshed(qtbot, window)
    label = window.findChild(QLabel, "loss_formula")
    assert label.isVisible()
    title = label.text()
    assert "C = Σ (a − y)²" in title and "(sse)" in title
    controller = window.controller
    controller.set_config(controller.stepper.config.with_changes(loss="half_sse"),
                          "Set loss = half_sse")
    wait_refreshed(qtbot, window)
    title = label.text()
    assert "C = ½ Σ (a − y)²" in title and "(half_sse)" in title
    assert "∂C/∂a = a − y" in window.loss_plot.toolTip()
    controller.undo_stack.undo()
    wait_refreshed(qtbot, window)
    assert "(sse)" in label.text() and "(half_sse)" not in label.text()
