"""The matrix view: seed 000's printed matrices phase by phase, the tint of identical rows and
columns, the copy buttons and menu, and large matrices as heatmaps."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import make_controller, scheduled
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.io import fileformat
from engine.io.fileformat import Document
from engine.io.tables import format_number
from gui.views.matrix_table import cell_text, longest_text_bound
from gui.views.matrix_view import MatrixView

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
REFERENCE = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "seed-000-first-iteration.json").read_text())
TOLERANCE = REFERENCE["tolerance"]
DISPLAY = Qt.ItemDataRole.DisplayRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def make_view(qtbot, name: str = "seed-000.json", controller=None) -> MatrixView:
    """The view shown, refreshed as the window's scheduler refreshes it."""
    controller = controller or make_controller(qtbot, fileformat.load(EXAMPLES / name))
    view = MatrixView(controller)
    qtbot.addWidget(view)
    scheduled(controller, {"matrix_view": view})
    view.resize(800, 900)
    view.show()
    qtbot.waitExposed(view)
    return view


def step(view: MatrixView) -> None:
    view.controller.step_phase()
    view.refresh()


def shown_numbers(view: MatrixView, title_start: str, part: str = "result") -> np.ndarray:
    """The numbers the view's table shows (its text, read back), for the block so titled."""
    widgets = [w for w in view.block_widgets if w.block.title.startswith(title_start)]
    assert len(widgets) == 1, [w.block.title for w in view.block_widgets]
    model = widgets[0].tables[part].model()
    return np.array([[float(model.data(model.index(i, j), DISPLAY))
                      for j in range(model.columnCount())] for i in range(model.rowCount())])


def assert_printed(actual, expected) -> None:
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE)


def test_stepping_one_iteration_shows_the_seeds_printed_numbers(qtbot):
    view = make_view(qtbot)
    step(view)  # forward 1
    assert "forward layer 1" in view.heading.text()
    assert [b.title for b in view.blocks()] == ["n^1 = [1 | a^0] × [b^0; W^0]", "a^1 = σ(n^1)"]
    assert_printed(shown_numbers(view, "n^1"), REFERENCE["pre_activation_layer_1"])
    assert_printed(shown_numbers(view, "n^1", "left"), [[1, 0.8, 0.4], [1, 0.3, 0.3]])
    assert_printed(shown_numbers(view, "a^1"), REFERENCE["activation_layer_1"])
    step(view)  # forward 2
    assert_printed(shown_numbers(view, "a^2"), REFERENCE["activation_layer_2"])
    step(view)  # forward 3
    assert_printed(shown_numbers(view, "a^3"), REFERENCE["activation_layer_3"])
    step(view)  # loss
    assert "loss" in view.heading.text()
    assert_printed(shown_numbers(view, "∂C/∂a^3"), REFERENCE["dcost_dactivation_layer_3"])
    assert_printed(shown_numbers(view, "y "), REFERENCE["data"]["targets"])
    step(view)  # backward 3
    assert "backward layer 3" in view.heading.text()
    assert_printed(shown_numbers(view, "∂a^3/∂n^3"), REFERENCE["dactivation_dpre_layer_3"])
    assert_printed(shown_numbers(view, "δ^3", "left"), REFERENCE["dcost_dactivation_layer_3"])
    assert_printed(shown_numbers(view, "δ^3", "right"), REFERENCE["dactivation_dpre_layer_3"])
    assert_printed(shown_numbers(view, "δ^3"), REFERENCE["delta_layer_3"])
    assert_printed(shown_numbers(view, "[∂C/∂b^2; ∂C/∂W^2]"),
                   REFERENCE["weight_gradient_2_augmented"]["value"])
    assert_printed(shown_numbers(view, "[∂C/∂b^2; ∂C/∂W^2]", "right"), REFERENCE["delta_layer_3"])
    for _ in range(3):  # backward 2, backward 1, update
        step(view)
    # between iterations: the whole pass at the updated parameters, forward then backward
    assert view.controller.stepper.iteration == 1
    assert "Before iteration 1" in view.heading.text()
    titles = [b.title for b in view.blocks()]
    assert titles[0] == "n^1 = [1 | a^0] × [b^0; W^0]"
    assert titles[-1].startswith("[∂C/∂b^0; ∂C/∂W^0] = [1 | a^0]ᵀ × δ^1")
    # the first update, from all ones with η = 0.5: [b^2; W^2] = 1 − 0.5 ∂C/∂[b^2; W^2]
    updated = 1 - 0.5 * np.array(REFERENCE["weight_gradient_2_augmented"]["value"])
    assert_printed(shown_numbers(view, "n^3", "right"), updated)


def test_the_widgets_follow_the_seeds_layout(qtbot):
    view = make_view(qtbot)
    for _ in range(5):  # up to backward 3
        step(view)
    kinds = {w.block.title.split(" ")[0]: sorted(w.tables) for w in view.block_widgets}
    assert kinds["δ^3"] == ["left", "result", "right"]
    assert kinds["∂a^3/∂n^3"] == ["result"]
    gradient = next(w for w in view.block_widgets if w.block.kind == "product")
    left, right, result = (gradient.tables[p] for p in ("left", "right", "result"))
    origin = gradient.mapFromGlobal(result.mapToGlobal(result.rect().topLeft()))
    above = gradient.mapFromGlobal(right.mapToGlobal(right.rect().topLeft()))
    beside = gradient.mapFromGlobal(left.mapToGlobal(left.rect().topLeft()))
    assert above.y() < origin.y() and above.x() == origin.x()  # right above the result
    assert beside.x() < origin.x() and beside.y() == origin.y()  # left beside it
    assert left.model().flags(left.model().index(0, 0)) & Qt.ItemFlag.ItemIsEditable == \
        Qt.ItemFlag(0)


def tinted(model, cells) -> set:
    colors = [model.data(model.index(i, j), BACKGROUND) for i, j in cells]
    return {None if c is None else c.name() for c in colors}


def test_identical_columns_and_rows_share_a_tint(qtbot):
    view = make_view(qtbot)
    step(view)
    a1 = next(w for w in view.block_widgets if w.block.title.startswith("a^1")).tables["result"]
    model = a1.model()
    row_0 = tinted(model, [(0, j) for j in range(3)])
    assert len(row_0) == 1 and None not in row_0
    tooltip = model.data(model.index(1, 2), TOOLTIP)
    assert "columns 0, 1, 2 are identical" in tooltip
    assert "columns 0, 1, 2 are identical" in a1.toolTip()
    inputs = next(w for w in view.block_widgets if w.block.kind == "product").tables["left"]
    assert tinted(inputs.model(), [(i, j) for i in range(2) for j in range(3)]) == {None}
    for _ in range(4):  # loss, backward 3
        step(view)
    gradient = next(w for w in view.block_widgets
                    if w.block.title.startswith("[∂C/∂b^2")).tables["result"].model()
    rows_1_to_3 = tinted(gradient, [(i, j) for i in (1, 2, 3) for j in range(2)])
    assert len(rows_1_to_3) == 1 and None not in rows_1_to_3
    assert tinted(gradient, [(0, 0), (0, 1)]) == {None}  # the bias row differs
    assert "rows 1, 2, 3 are identical" in gradient.data(gradient.index(2, 1), TOOLTIP)


def test_the_random_seed_has_no_tinted_activations(qtbot):
    view = make_view(qtbot, "seed-000-random.json")
    step(view)
    for title in ("a^1", "n^1"):
        model = next(w for w in view.block_widgets
                     if w.block.title.startswith(title)).tables["result"].model()
        assert model.column_groups == [] and model.row_groups == []
        assert tinted(model, [(i, j) for i in range(2) for j in range(3)]) == {None}


def parse_numpy_literal(text: str) -> np.ndarray:
    assert text.startswith("np.array(") and text.endswith(")")
    return np.array(json.loads(text[len("np.array("):-1]), dtype=float)


def test_copy_buttons_and_menu_put_the_matrix_on_the_clipboard(qtbot):
    view = make_view(qtbot)
    for _ in range(5):  # up to backward 3
        step(view)
    trace = view.controller.stepper.trace
    index, widget = next((i, w) for i, w in enumerate(view.block_widgets)
                         if w.block.title.startswith("δ^3"))
    button = next(b for b in widget.findChildren(QPushButton) if b.text() == "Copy as numpy")
    assert button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    copied = parse_numpy_literal(QApplication.clipboard().text())
    assert copied.tobytes() == trace.deltas[3].tobytes()  # exact, not rounded
    assert_printed(copied, REFERENCE["delta_layer_3"])

    latex = next(b for b in widget.findChildren(QPushButton) if b.text() == "Copy as LaTeX")
    qtbot.mouseClick(latex, Qt.MouseButton.LeftButton)
    text = QApplication.clipboard().text()
    assert text.startswith(r"\begin{bmatrix} 0.029567 & 0.0219924 \\ -0.0007543 & ")
    assert text.endswith(r" \end{bmatrix}")

    menu = widget.menu("left")  # the menu of the ∂C/∂a^3 operand
    texts = [a.text() for a in menu.actions() if a.text()]
    # typeset in the window (issue 14, point 12) …
    assert texts == ["Copy ∂C/∂a³ as text", "Copy ∂C/∂a³ as numpy", "Copy ∂C/∂a³ as LaTeX",
                     "Copy the whole block as text"]
    menu.actions()[0].trigger()
    rows = [[float(x) for x in line.strip("| ").split()]
            for line in QApplication.clipboard().text().splitlines()]
    assert_printed(np.array(rows), REFERENCE["dcost_dactivation_layer_3"])
    menu.actions()[-1].trigger()  # … copied as text in the seed's ASCII form
    assert QApplication.clipboard().text().startswith("δ^3 = ∂C/∂a^3 ⊙ ∂a^3/∂n^3\n")
    assert widget.title.text() == "δ³ = ∂C/∂a³ ⊙ ∂a³/∂n³"
    menu.deleteLater()

    assert view.copy_block(index, "text", "right").startswith("| 0.0189364 ")
    with pytest.raises(ValueError, match="no block 99"):
        view.copy_block(99, "text")
    with pytest.raises(ValueError, match="unknown format"):
        view.copy_block(index, "csv")
    with pytest.raises(ValueError, match="has no 'left'"):
        view.copy_block(0, "text", "left")  # ∂C/∂a^3 alone


def test_large_matrices_are_heatmaps_of_every_cell(qtbot):
    # (issue 16: matrices over 20×20 are heatmaps, all of them shown; more in
    # test_gui_matrix_heatmap.py)
    network = Network([3, 80, 2], ["tanh", "sigmoid"], bias=True)
    network.theta[...] = np.random.default_rng(5).normal(0, 0.3, network.theta.size)
    inputs = np.random.default_rng(6).normal(size=(60, 3))
    document = Document(network, inputs, np.full((60, 2), 0.5), TrainingConfig(loss="sse"))
    view = make_view(qtbot, controller=make_controller(qtbot, document))
    step(view)
    n1 = next(w for w in view.block_widgets if w.block.title.startswith("n^1"))
    result = n1.tables["result"]
    assert result.matrix.shape == n1.block.result.shape == (60, 80)
    assert result.image().size().toTuple() == (80, 60)  # a pixel per cell, none left out
    notes = [label.text() for label in n1.findChildren(QLabel)
             if label.objectName() == "matrix_cap_note"]
    assert notes == []
    copied = parse_numpy_literal(view.copy_block(0, "numpy"))
    assert copied.shape == (60, 80)  # the copy is the whole matrix
    # n^1 = a^0 W^0 + b^0, from the parameters the test set
    weights = network.theta[:240].reshape(3, 80)
    biases = network.theta[240:320]
    np.testing.assert_allclose(copied, inputs @ weights + biases, rtol=0, atol=1e-13)


def test_a_hidden_view_rebuilds_when_shown(qtbot):
    controller = make_controller(qtbot, fileformat.load(EXAMPLES / "seed-000.json"))
    view = MatrixView(controller)
    qtbot.addWidget(view)
    scheduler = scheduled(controller, {"matrix_view": view})
    controller.step_phase()
    scheduler.tick()
    assert view.block_widgets == []  # nothing built while hidden
    assert scheduler.views["matrix_view"].stale
    view.show()
    qtbot.waitExposed(view)
    assert [w.block.title for w in view.block_widgets] == ["n^1 = [1 | a^0] × [b^0; W^0]",
                                                           "a^1 = σ(n^1)"]


@pytest.mark.parametrize("value", [0.0, -0.0, 1e-4, -1e-4, 9.99999e-5, 0.1 + 0.2, -2.5, 1e7,
                                   9999999.99999999, 123456.78901234, 3.25e-9, math.inf,
                                   -math.inf, math.nan, 0.99999999996, -0.00010000004])
def test_cell_text_is_the_tables_format(value):
    assert cell_text(value) == format_number(value)


def test_cell_text_on_many_magnitudes():
    values = np.random.default_rng(2).standard_normal(2000) * 10.0 ** np.linspace(-8, 9, 2000)
    assert [cell_text(v) for v in values.tolist()] == [format_number(v) for v in values]


def test_the_column_width_bound_covers_every_text():
    rng = np.random.default_rng(3)
    values = rng.standard_normal((40, 30)) * 10.0 ** rng.uniform(-120, 12, (40, 30))
    values[0, :4] = [math.inf, -math.inf, math.nan, 0.0]
    values[1, :3] = [-1e-4, 9999999.99999999, -0.00010000004]
    bounds = longest_text_bound(values)
    longest = [max(len(cell_text(v)) for v in column) for column in values.T.tolist()]
    assert all(b >= n for b, n in zip(bounds, longest, strict=True))
    assert max(b - n for b, n in zip(bounds, longest, strict=True)) <= 8  # not absurdly wide


def test_stepping_on_updates_the_tables_in_place_with_the_new_numbers(qtbot):
    controller = make_controller(qtbot, fileformat.load(EXAMPLES / "seed-000.json"))
    view = make_view(qtbot, controller=controller)
    before = list(view.block_widgets)
    tables = [w.tables["result"] for w in before]
    controller.stepper.run(3)
    controller.position_changed.emit()
    view.refresh()
    assert view.block_widgets == before  # same layout: the same widgets, new numbers
    for widget, table in zip(view.block_widgets, tables, strict=True):
        assert widget.tables["result"] is table
        model = table.model()
        assert model.data(model.index(0, 0)) == cell_text(widget.block.result[0, 0])
    a3 = next(w for w in view.block_widgets if w.block.title.startswith("a^3"))
    # a reference pass at the parameters after 3 iterations
    network = controller.network
    a = np.array([[0.8, 0.4], [0.3, 0.3]])
    for w, b in zip(network.weights, network.biases, strict=True):
        a = 1 / (1 + np.exp(-(a @ w + b)))
    np.testing.assert_allclose(a3.block.result, a, rtol=1e-12)
