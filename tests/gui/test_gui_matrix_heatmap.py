"""The matrix view of a 784-128-10 network (issue 16, point 3): matrices over 20×20 are
heatmaps with every cell drawn, on a diverging colour map centred at 0 with a colour bar of
its range; the cell under the mouse tells its exact value; copies are whole and exact. Small
matrices stay tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import make_controller, scheduled
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QToolTip

from engine.core.init import InitSpec, initialise
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io import fileformat
from engine.io.fileformat import Document
from gui.views.matrix_heatmap import (
    COLOURS,
    LEVELS,
    MatrixHeatmap,
    colour_indices,
    shows_as_heatmap,
)
from gui.views.matrix_table import MatrixTable
from gui.views.matrix_view import MatrixView

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
OBSERVATIONS = 100


def mnist_document() -> Document:
    """784-128-10, relu then softmax, cross-entropy and adam (random inputs in [0, 1))."""
    network = Network([784, 128, 10], ["relu", "softmax"], True)
    spec = InitSpec("he_normal", 5)
    initialise(network, spec)
    rng = np.random.default_rng(2)
    return Document(network, rng.random((OBSERVATIONS, 784)),
                    np.eye(10)[rng.integers(0, 10, OBSERVATIONS)],
                    TrainingConfig(loss="cross_entropy", optimizer="adam",
                                   learning_rate=0.001), spec)


def make_view(qtbot, document: Document) -> MatrixView:
    view = MatrixView(make_controller(qtbot, document))
    qtbot.addWidget(view)
    scheduled(view.controller, {"matrix_view": view})
    view.resize(900, 900)
    view.show()
    qtbot.waitExposed(view)
    return view


def parse_numpy_literal(text: str) -> np.ndarray:
    assert text.startswith("np.array(") and text.endswith(")")
    return np.array(json.loads(text[len("np.array("):-1]), dtype=float)


def hover(qtbot, view: MatrixView, heatmap: MatrixHeatmap, row: int, column: int) -> str:
    """Rest the mouse on a cell (scrolled into view first) and read the tooltip shown."""
    point = heatmap.cell_centre(row, column)
    inside = heatmap.mapTo(view.scroll.widget(), point)
    view.scroll.ensureVisible(inside.x(), inside.y(), 20, 20)
    QTest.mouseMove(heatmap, point)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    return QToolTip.text()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the tooltip, offscreen
def test_a_784_by_128_weight_matrix_is_a_heatmap_whose_cells_tell_their_exact_value(qtbot):
    document = mnist_document()
    view = make_view(qtbot, document)
    view.controller.step_phase()  # forward layer 1: n^1 = [1 | a^0] × [b^0; W^0]
    view.refresh()
    block = view.block_widgets[0]
    assert block.block.title == "n^1 = [1 | a^0] × [b^0; W^0]"
    weights = block.tables["right"]
    assert isinstance(weights, MatrixHeatmap) and weights.isVisible()
    w0, b0 = np.array(document.network.weights[0]), np.array(document.network.biases[0])
    assert weights.matrix.shape == (785, 128)
    assert weights.image().size().toTuple() == (128, 785)  # every cell drawn
    assert weights.image_rect().height() >= 785 and weights.image_rect().width() >= 128
    # the legend: the colour bar's ends ±max|value|, and the range
    scale = max(abs(w0.min()), abs(w0.max()), abs(b0.min()), abs(b0.max()))
    assert weights.legend_text().startswith(f"−{scale:.4g} … 0 … {scale:.4g} (min ")
    # hovering: row 0 is b^0, row i + 1 is row i of W^0
    assert hover(qtbot, view, weights, 4, 7) == f"row 4, column 7: {float(w0[3, 7])!r}"
    assert hover(qtbot, view, weights, 0, 100) == f"row 0, column 100: {float(b0[100])!r}"
    assert weights.hovered == (0, 100)
    QToolTip.hideText()
    # no "showing the first N rows" note: a heatmap shows them all
    assert [label for label in block.findChildren(QLabel)
            if label.objectName() == "matrix_cap_note"] == []
    # its menu copies it whole, every number exact
    menu = block.menu("right")
    action = next(a for a in menu.actions() if a.text() == "Copy [b⁰; W⁰] as numpy")
    action.trigger()
    copied = parse_numpy_literal(QApplication.clipboard().text())
    assert copied.shape == (785, 128)
    assert np.array_equal(copied, np.vstack([b0, w0]))
    menu.deleteLater()
    # the block's button copies the result n^1 whole: as the engine computed it, exactly,
    # and as a^0 W^0 + b^0 written out here
    button = next(b for b in block.findChildren(QPushButton) if b.text() == "Copy as numpy")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    copied = parse_numpy_literal(QApplication.clipboard().text())
    assert copied.tobytes() == view.controller.stepper.trace.pre_activations[1].tobytes()
    np.testing.assert_allclose(copied, document.inputs @ w0 + b0, rtol=0, atol=1e-12)
    # LaTeX and text copies are of the whole matrix too
    latex = view.copy_block(0, "latex", "right")
    assert latex.count(r"\\") == 784  # 785 rows
    text = view.copy_block(0, "text", "right")
    assert len(text.splitlines()) >= 785


def test_heatmap_colours_are_centred_at_zero(qapp):
    matrix = np.array([[-2.0, 0.0, 1.0, np.nan]] * 30)  # 120 cells, 30 rows: a heatmap
    heatmap = MatrixHeatmap(matrix, "M")
    assert heatmap.scale == 2.0 and (heatmap.low, heatmap.high) == (-2.0, 1.0)
    assert colour_indices(np.array([-2.0, 0.0, 1.0, 2.0, 5.0]), 2.0).tolist() == [
        0, 128, 192, 256, 256]
    image = heatmap.image()
    pixel = [QColor(image.pixel(column, 0)) for column in range(4)]
    assert pixel[0].getRgb()[:3] == (245, 127, 23)  # −max: the graph's orange
    assert pixel[1].getRgb()[:3] == (255, 255, 255)  # 0: white
    # +max/2: halfway from white to the graph's blue (31, 119, 180)
    assert pixel[2].getRgb()[:3] == (143, 187, 218)
    assert pixel[3].getRgb()[:3] == (160, 160, 160)  # NaN: grey
    assert len(COLOURS) == LEVELS
    assert heatmap.cell_tooltip(5, 3) == "row 5, column 3: nan"
    assert heatmap.legend_text() == "−2 … 0 … 2 (min −2, max 1)"


def test_a_hidden_heatmap_keeps_nothing_of_its_numbers(qapp):
    matrix = np.arange(900.0).reshape(30, 30)
    heatmap = MatrixHeatmap(matrix, "a¹", hidden=True)
    assert heatmap.cell_tooltip(2, 2) == (
        "row 2, column 2: ? (predict it first: the Predict panel)")
    assert not np.isfinite(heatmap.matrix).any()
    assert "899" not in heatmap.summary() and heatmap.legend_text() == "hidden until predicted"
    assert len({heatmap.image().pixel(x, y) for x in range(30) for y in range(30)}) == 1


def test_small_matrices_stay_tables(qtbot):
    view = make_view(qtbot, fileformat.load(EXAMPLES / "seed-000.json"))
    for _ in range(7):  # forward, loss, backward
        view.controller.step_phase()
        view.refresh()
        tables = [t for w in view.block_widgets for t in w.tables.values()]
        assert tables and all(isinstance(t, MatrixTable) for t in tables)
    assert not shows_as_heatmap((20, 20)) and shows_as_heatmap((21, 20))
    assert shows_as_heatmap((3, 80))  # more columns than a table shows


def test_the_colour_range_is_that_of_the_finite_entries():
    from gui.views.matrix_heatmap import _finite_range

    assert _finite_range(np.array([[0.5, -2.0], [3.0, 1.0]])) == (-2.0, 3.0)
    assert _finite_range(np.array([[np.nan, -2.0], [np.inf, 1.0]])) == (-2.0, 1.0)
    assert _finite_range(np.array([[-np.inf, 4.0]])) == (4.0, 4.0)
    assert _finite_range(np.full((2, 2), np.nan)) == (0.0, 0.0)
    assert _finite_range(np.zeros((0, 3))) == (0.0, 0.0)
