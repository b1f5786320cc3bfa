"""Panels with room for what they show (issue 14, point 6; the settings of point 8), measured
in the window at 1152 × 648, the 90 % of a 1280 × 720 laptop screen a first start opens at:
the inspector's table shows every row and column of a neuron, the chain rule takes the room
only when it has a chain, the lesson's checks are not cut to two lines, the matrices show
every table whole without scrolling sideways, the weights chooser's texts are whole, and the
momentum is editable only where the optimiser uses it."""

from __future__ import annotations

import pytest
from gui_helpers import SEED_000, SEED_001_FREE, W5, activate, edge_point, wait_refreshed
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionComboBox

LAPTOP = (1152, 648)  # 90 % of 1280 × 720


def laptop_window(open_window, qtbot, path=SEED_001_FREE):
    window = open_window(path, show=True)
    window.resize(*LAPTOP)
    qtbot.waitUntil(lambda: window.width() <= LAPTOP[0] + 1)
    wait_refreshed(qtbot, window)
    return window


def click_item(qtbot, view, point: QPoint) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def neuron_point(view, neuron) -> QPoint:
    return view.mapFromScene(view.neurons[neuron].sceneBoundingRect().center())


def shown_whole(table, row: int, column: int) -> bool:
    rect = table.visualRect(table.model().index(row, column))
    return table.viewport().rect().contains(rect)


def test_the_inspector_shows_a_neurons_every_number(open_window, qtbot):
    """Seed 001's hidden neuron 0 has six observations and five quantities: the table showed
    one row and 2½ columns above an empty chain-rule pane of 250 px."""
    window = laptop_window(open_window, qtbot)
    window.inspector_dock.raise_()
    view = window.network_view
    click_item(qtbot, view, neuron_point(view, (1, 0)))
    assert view.selected_neuron() == (1, 0)
    wait_refreshed(qtbot, window)
    table = window.inspector.table
    assert (table.rowCount(), table.columnCount()) == (6, 5)
    assert [table.horizontalHeaderItem(c).text() for c in range(5)] == [
        "n¹₀", "a¹₀", "∂C/∂a¹₀", "∂a¹₀/∂n¹₀", "δ¹₀"]  # typeset (point 12)
    hidden = [(r, c) for r in range(6) for c in range(5) if not shown_whole(table, r, c)]
    assert hidden == [], f"cells not in view: {hidden}"
    # the chain rule has nothing to show for a neuron: no empty pane under the numbers
    chain_rule = window.chain_rule
    assert not chain_rule.text.isVisible()
    assert chain_rule.height() <= chain_rule.message.height() + 30


def test_the_chain_rule_takes_the_room_when_it_has_a_chain(open_window, qtbot):
    window = laptop_window(open_window, qtbot)
    window.inspector_dock.raise_()
    view = window.network_view
    click_item(qtbot, view, edge_point(view, W5))
    assert view.selected_parameters() == [W5]
    wait_refreshed(qtbot, window)
    inspector, chain_rule = window.inspector, window.chain_rule
    assert chain_rule.text.isVisible() and "∂J/∂w5" in chain_rule.text.toPlainText()
    # the inspector as tall as its text, the chain rule the rest
    splitter = inspector.parentWidget()
    qtbot.waitUntil(lambda: inspector.height() <= inspector.room_needed() + 2)
    assert chain_rule.height() >= splitter.height() - inspector.height() - splitter.handleWidth()
    details = inspector.details  # the weight's numbers, whole
    assert details.heightForWidth(details.width()) <= details.height()
    assert inspector.title.text() == "Weight w¹₀,₀ (w5)"
    assert "gradient ∂C/∂w¹₀,₀: " in details.text()


def test_the_lessons_checks_are_not_cut_to_two_lines(open_window, qtbot):
    """The checks' box was at most 130 px and showed two lines of three checks; they take
    the room they need (the step's text scrolls instead)."""
    window = laptop_window(open_window, qtbot, SEED_000)
    window.lessons.start_actions["w5-w6"].trigger()
    for _ in range(2):
        window.lessons.panel.next_button.click()
        wait_refreshed(qtbot, window)
    window.lessons.check_now()
    checks = window.lessons.panel.checks
    qtbot.waitUntil(lambda: checks.document().toPlainText().count("✓") >= 3)
    qtbot.waitUntil(lambda: checks.verticalScrollBar().maximum() == 0)
    document_height = checks.document().size().height()
    assert document_height <= checks.viewport().height()


def test_the_matrices_show_every_table_whole_in_their_dock(open_window, qtbot):
    """Seed 000 (the default file): through a whole iteration, phase by phase, every block
    fits the Matrices dock's width (seed 000's arrangement where it fits, one matrix under
    the other where not): no sideways scrolling, no table cut."""
    window = laptop_window(open_window, qtbot, SEED_000)
    window.matrices_dock.raise_()
    matrix_view = window.matrix_view
    viewport = matrix_view.scroll.viewport()
    for _ in range(len(window.controller.stepper.phases)):
        window.action_step_phase.trigger()
        wait_refreshed(qtbot, window)
        matrix_view.refresh()
        QApplication.processEvents()
        assert matrix_view.scroll.horizontalScrollBar().maximum() == 0
        for block in matrix_view.block_widgets:
            for part, table in block.tables.items():
                right = table.mapTo(viewport, QPoint(table.width(), 0)).x()
                assert right <= viewport.width(), (block.block.title, part, right)
                model = table.model()  # sized to its cells: every row and column in view
                assert table.viewport().rect().contains(
                    table.visualRect(model.index(model.rowCount() - 1,
                                                 model.columnCount() - 1)))


def test_the_weights_chooser_shows_its_texts_whole(open_window, qtbot):
    """"every weight, by the neuron it go…" was cut in the Weights dock."""
    window = laptop_window(open_window, qtbot)
    selector = window.weights_selector
    option = QStyleOptionComboBox()
    selector.initStyleOption(option)
    field = selector.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, selector)
    metrics = QFontMetrics(selector.font())
    texts = [selector.itemText(i) for i in range(selector.count())]
    assert texts[0] == "all weights" and "into neuron 0 of layer 1" in texts
    too_wide = [t for t in texts if metrics.horizontalAdvance(t) > field.width()]
    assert too_wide == [], (field.width(), too_wide)
    assert "coloured by the neuron it goes to" in selector.itemData(0, Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize(("optimizer", "editable"), [
    ("gd", False), ("sgd", False), ("momentum", True), ("adam", False)])
def test_momentum_is_editable_only_for_the_momentum_optimiser(open_window, qtbot, optimizer,
                                                              editable):
    window = open_window(SEED_001_FREE, show=True)
    activate(qtbot, window)
    training = window.settings.training
    chooser = training.optimizer
    chooser.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chooser)
    qtbot.keyClicks(QApplication.focusWidget(), optimizer)  # typed, as one picks by keyboard
    qtbot.waitUntil(lambda: window.controller.stepper.config.optimizer == optimizer)
    wait_refreshed(qtbot, window)
    assert training.momentum.isEnabled() is editable
    if not editable:
        assert "momentum optimiser only" in training.momentum.toolTip()
