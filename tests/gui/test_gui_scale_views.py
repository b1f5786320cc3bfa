"""Views that teach at MNIST's size (issue 16, point 3), through the real window: View ▸ Weight
images on a 784-128-10 network built in code (128 images of 28 × 28; a click on image j
selects neuron (1, j); a run changes the pictures) and on an 8 × 8 = 64-input one; the reason
a two-input network has none; View ▸ Distributions with its counts of dead ReLUs and
saturated sigmoids against numpy written here, its histogram against numpy.histogram and its
heatmap over the iterations."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SEED_001_FREE, wait_refreshed, window_factory
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QTabBar

from engine.core.init import InitSpec, initialise
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io.fileformat import Document

DEAD = (5, 17, 99)  # the hidden neurons made dead in the MNIST-sized network


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot)


def mnist_like(inputs: int = 784, hidden: int = 128, activation: str = "relu",
               observations: int = 60, seed: int = 0) -> Document:
    """inputs-hidden-10, softmax + cross-entropy, Adam: issue 16's network, on random
    "pictures" in [0, 1] (a few observations: the views, not the learning, are tested)."""
    network = Network([inputs, hidden, 10], [activation, "softmax"], True)
    spec = InitSpec("he_normal", seed)
    initialise(network, spec)
    rng = np.random.default_rng(seed)
    x = rng.random((observations, inputs))
    y = np.eye(10)[rng.integers(0, 10, observations)]
    return Document(network, x, y, TrainingConfig(loss="cross_entropy", optimizer="adam",
                                                  learning_rate=0.01), spec)


def with_dead_neurons(document: Document) -> Document:
    """Hidden neurons DEAD get negative weights and bias: with inputs ≥ 0, n < 0 always."""
    network = document.network
    for j in DEAD:
        network.weights[0][:, j] = -0.01
        network.biases[0][j] = -0.1
    return document


def show_dock(qtbot, window, key: str):
    """View ▸ <the dock's title>, as a person ticks it, and a click on its tab when it joins
    others (in Debug: the matrices, compare, gradient check); the dock once refreshed."""
    dock = window.dock_layout.docks[key]
    dock.toggleViewAction().trigger()
    qtbot.waitUntil(dock.isVisible, timeout=2000)
    QApplication.processEvents()
    title = dock.windowTitle()
    for bar in window.findChildren(QTabBar):
        titles = [bar.tabText(i) for i in range(bar.count())]
        if bar.isVisible() and title in titles:
            rect = bar.tabRect(titles.index(title))
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.dock_layout.is_built(key)
                    and not dock.widget().visibleRegion().isEmpty(), timeout=2000)
    wait_refreshed(qtbot, window)
    return dock


def colours(weights: np.ndarray, scale: float) -> np.ndarray:
    """The expected RGB of each weight, written out: white at 0, towards red (255, 0, 0)
    above it and blue (0, 0, 255) below, all the way at ±scale."""
    t = np.clip(weights / scale, -1, 1)
    fade = np.rint(255 * (1 - np.abs(t)))
    red = np.where(t > 0, 255, fade)
    blue = np.where(t < 0, 255, fade)
    return np.stack([red, fade, blue], axis=-1)


def click_image(qtbot, panel, j: int) -> None:
    """Scroll image j into view and click it."""
    grid = panel.grid
    rect = grid.tile_rect(j)
    panel.scroll.ensureVisible(rect.center().x(), rect.center().y(), 0, rect.height())
    QTest.mouseClick(grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center())


# ------------------------------------------------------------------- weight images
def test_784_inputs_give_128_pictures_of_28_by_28_and_a_click_selects_the_neuron(
        open_window, qtbot):
    window = open_window(show=True)
    window.controller.load(mnist_like())
    show_dock(qtbot, window, "weight_images")
    panel = window.weight_images
    grid = panel.grid
    assert panel.isVisible() and not panel.message.isVisible()
    # it joins the debugger's tabs on the left
    assert {d.windowTitle() for d in window.tabifiedDockWidgets(window.weight_images_dock)
            } >= {"Matrices", "Compare", "Gradient check"}
    assert grid.count == 128 and grid.side == 28
    assert grid.rgb.shape == (128, 28, 28, 3)
    # image j is column j of W^0, row by row, on one scale: the largest |w|
    W = window.controller.network.weights[0]
    expected = colours(W.T.reshape(128, 28, 28), np.abs(W).max())
    np.testing.assert_array_equal(grid.rgb, expected)
    assert "28 × 28" in panel.caption.text()
    assert grid.tile_rect(1).left() > grid.tile_rect(0).left()  # several to a row
    assert grid.height() > panel.scroll.viewport().height()  # the grid scrolls
    for j in (0, 37, 127):
        click_image(qtbot, panel, j)
        assert window.network_view.selected_neuron() == (1, j)
        assert grid.selected == j  # framed
    window.network_view.select_neuron((2, 3))  # an output: no image framed
    assert grid.selected is None


def test_a_run_changes_the_pictures_while_it_goes(open_window, qtbot):
    window = open_window(show=True)
    controller = window.controller
    controller.load(mnist_like(observations=20))
    show_dock(qtbot, window, "weight_images")
    panel = window.weight_images
    before, refreshes = panel.grid.rgb.copy(), panel.refreshes
    seen_running = []
    panel.grid.update = lambda: seen_running.append(controller.running)  # each repaint asked
    controller.run()
    qtbot.waitUntil(lambda: controller.stepper.iteration >= 3 and any(seen_running),
                    timeout=20_000)
    controller.pause()
    wait_refreshed(qtbot, window)
    assert panel.refreshes > refreshes
    after = panel.grid.rgb
    assert (after != before).any(axis=-1).sum() > 1000  # of 100,352 pixels
    W = controller.network.weights[0]
    np.testing.assert_array_equal(after, colours(W.T.reshape(128, 28, 28), np.abs(W).max()))


def test_sixty_four_inputs_make_eight_by_eight_pictures_on_their_own_scales(open_window,
                                                                           qtbot):
    window = open_window(show=True)
    window.controller.load(mnist_like(inputs=64, hidden=32))
    show_dock(qtbot, window, "weight_images")
    panel = window.weight_images
    assert panel.grid.count == 32 and panel.grid.side == 8 and not panel.note.isVisible()
    click_image(qtbot, panel, 20)
    assert window.network_view.selected_neuron() == (1, 20)
    panel.own_scale.click()  # each image on its own scale: each has a pure red or blue
    wait_refreshed(qtbot, window)
    W = window.controller.network.weights[0]
    images = W.T.reshape(32, 8, 8)
    peaks = np.abs(images).reshape(32, -1).max(axis=1)
    expected = colours(images / peaks[:, None, None], 1.0)
    np.testing.assert_array_equal(panel.grid.rgb, expected)


def test_more_than_128_neurons_show_the_first_128_and_say_so(open_window, qtbot):
    window = open_window(show=True)
    window.controller.load(mnist_like(inputs=16, hidden=200))
    show_dock(qtbot, window, "weight_images")
    panel = window.weight_images
    assert panel.grid.count == 128 and panel.grid.side == 4
    assert panel.note.isVisible()
    assert panel.note.text() == "The first 128 of layer 1's 200 neurons are shown."


def test_two_inputs_say_why_there_is_no_picture(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    show_dock(qtbot, window, "weight_images")
    panel = window.weight_images
    assert panel.message.isVisible() and not panel.scroll.isVisible()
    assert "has 2 incoming weights, not a square number" in panel.message.text()
    assert panel.grid.count == 0
    window.controller.load(mnist_like(inputs=64, hidden=8))  # another network: pictures
    wait_refreshed(qtbot, window)
    assert panel.scroll.isVisible() and not panel.message.isVisible()
    assert panel.grid.count == 8


# ------------------------------------------------------------------- distributions
def test_the_distributions_panel_counts_the_dead_relus(open_window, qtbot):
    window = open_window(show=True)
    document = with_dead_neurons(mnist_like())
    network = document.network
    x = document.inputs
    expected_dead = np.flatnonzero(np.all(x @ network.weights[0] + network.biases[0] <= 0,
                                          axis=0))
    # He's initialisation on inputs ≥ 0 kills some by itself: those whose weights sum
    # well below 0
    assert set(DEAD) < set(expected_dead.tolist())
    window.controller.load(document)
    show_dock(qtbot, window, "distributions")
    panel = window.distributions
    table = panel.table
    assert table.rowCount() == 2
    assert [table.item(0, c).text() for c in range(4)] == [
        "1", "relu", "128", f"{len(expected_dead)} dead ReLUs of 128"]
    assert table.item(1, 3).text() == "—"  # softmax: no rule
    listed = ", ".join(str(j) for j in expected_dead[:20])
    assert f"neurons {listed}" in table.item(0, 3).toolTip()
    assert "a = 0 on every observation" in table.item(0, 3).toolTip()
    # the histogram of W^0 now: numpy.histogram's
    counts, edges = np.histogram(window.controller.network.weights[0].ravel(), bins=40)
    np.testing.assert_array_equal(panel.current.counts, counts)
    np.testing.assert_array_equal(panel.current.edges, edges)
    bars_x, bars_y = panel.bars.getData()
    np.testing.assert_array_equal(bars_y, counts)
    # the activations of layer 1, chosen in the box by keys
    panel.quantity_box.setFocus()
    qtbot.keyClick(panel.quantity_box, Qt.Key.Key_End)
    assert panel.quantity == "activations"
    a1 = np.maximum(x @ network.weights[0] + network.biases[0], 0.0)
    counts, _ = np.histogram(a1.ravel(), bins=40)
    np.testing.assert_array_equal(panel.current.counts, counts)
    assert "a¹" in panel.now_plot.titleLabel.text


def test_the_heatmap_fills_in_over_the_iterations_and_follows_the_timeline(open_window,
                                                                          qtbot, monkeypatch):
    from gui.views import distributions_view

    monkeypatch.setattr(distributions_view, "PAUSED_SECONDS", 0.0)  # a row per refresh
    window = open_window(show=True)
    controller = window.controller
    controller.load(mnist_like(inputs=64, hidden=16, observations=40))
    show_dock(qtbot, window, "distributions")
    panel = window.distributions
    controller.run_now(100)
    wait_refreshed(qtbot, window)
    # the newest row and the current position's so far; the rest when asked
    assert len(panel.rows.rows) == 1 and 98 in panel.rows.rows
    assert np.isnan(panel.heatmap.image[:-2]).all()
    assert panel.more_button.isVisible()
    assert panel.more_button.text() == "Compute the other 49 rows"
    qtbot.mouseClick(panel.more_button, Qt.MouseButton.LeftButton)
    assert not panel.rows.missing and not panel.more_button.isVisible()
    heat = panel.heatmap
    assert heat.image.shape == (51, 48) and heat.iterations[-1] == 100
    assert heat.iterations.tolist() == list(range(0, 101, 2))  # every 2nd of 101 snapshots
    assert not np.isnan(heat.image).any() and np.allclose(np.max(heat.image, axis=1), 1.0)
    assert panel.note.text() == "51 rows, iterations 0 to 100, every 2; the last is now."
    assert "on all 40 observations" in panel.note.toolTip()
    # predict mode's rule: the row of the iteration in progress is the current position's
    assert 100 not in panel.rows.iterations
    # the last row is where the run stands (iteration 100 has not begun: no snapshot yet)
    now = panel.rows.now
    assert now.iteration == 100 and 100 not in panel.rows.rows
    counts, edges = np.histogram(controller.network.weights[0].ravel(), bins=64)
    np.testing.assert_array_equal(now.histograms["weights", 1].counts, counts)
    np.testing.assert_array_equal(now.histograms["weights", 1].edges, edges)
    # a row of the snapshots: W^0 at the start of iteration 50
    history = controller.stepper.history
    theta = history.snapshots[list(history.snapshot_iterations).index(50)]
    network = Network([64, 16, 10], ["relu", "softmax"], True, theta)
    counts, _ = np.histogram(network.weights[0].ravel(), bins=64)
    np.testing.assert_array_equal(panel.rows.rows[50].histograms["weights", 1].counts, counts)
    controller.seek(40)
    wait_refreshed(qtbot, window)
    assert panel.heatmap.iterations[-1] == 40  # up to where the timeline stands


def test_saturated_sigmoids_are_counted_on_an_eight_by_eight_network(open_window, qtbot):
    window = open_window(show=True)
    document = mnist_like(inputs=64, hidden=16, activation="sigmoid")
    network, x = document.network, document.inputs
    network.weights[0][:, :4] = 0.5  # n ≥ 6 on inputs in [0, 1]: saturated
    network.biases[0][:4] = 6.0
    n = x @ network.weights[0] + network.biases[0]
    expected = int(np.all(np.abs(n) > 4, axis=0).sum())
    assert expected >= 4
    window.controller.load(document)
    show_dock(qtbot, window, "distributions")
    table = window.distributions.table
    assert table.item(0, 3).text() == f"{expected} saturated sigmoids of 16"
    assert "|n| > 4 on every observation" in table.item(0, 3).toolTip()


def test_ticking_a_panel_in_the_view_menu_brings_it_in_front(open_window, qtbot):
    """View ▸ Weight images in Debug: the dock joins the tabs of the matrices and is raised,
    so it is built and shown without a click on its tab (it stayed behind the matrices)."""
    window = open_window(show=True)
    window.controller.load(mnist_like())
    dock = window.dock_layout.docks["weight_images"]
    menu = window.findChild(QMenu, "menu_view")
    action = next(a for a in menu.actions() if a.text() == dock.windowTitle())
    action.trigger()
    qtbot.waitUntil(lambda: window.dock_layout.is_built("weight_images")
                    and not dock.widget().visibleRegion().isEmpty(), timeout=2000)


def test_opening_image_shaped_inputs_says_where_the_pictures_are(open_window, qtbot, tmp_path):
    """The weight images and distributions are in no workspace (View menu): opening a file
    whose inputs make square images says where to find them; other files do not."""
    from engine.io import fileformat

    window = open_window(SEED_001_FREE)
    messages = []
    window.files.message.connect(lambda text, *_: messages.append(text))
    path = tmp_path / "digits.json"
    fileformat.save(path, mnist_like(inputs=64, hidden=10, observations=20))
    assert window.files.open_file(path, ask=False)
    assert "8 × 8 inputs" in messages[-1]
    assert "View ▸ Weight images" in messages[-1] and "View ▸ Distributions" in messages[-1]
    assert window.statusBar().currentMessage() == messages[-1]
    assert window.files.open_file(SEED_001_FREE, ask=False)
    assert "Weight images" not in messages[-1]


def test_a_file_given_at_start_with_image_shaped_inputs_says_where_the_pictures_are(
        qtbot, tmp_path):
    """``python app.py digits.json``: the same hint as File ▸ Open gives."""
    from engine.io import fileformat
    from gui.main_window import MainWindow

    path = tmp_path / "digits.json"
    fileformat.save(path, mnist_like(inputs=64, hidden=10, observations=20))
    window = MainWindow(path, remember_layout=False)
    qtbot.addWidget(window)
    assert "8 × 8 inputs" in window.statusBar().currentMessage()
    assert "View ▸ Weight images" in window.statusBar().currentMessage()
    window.close()
