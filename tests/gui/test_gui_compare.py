"""The compare panel with seed 000: the seed's own printed tables, pasted in its pipe-table
form, agree with the engine; one changed cell is flagged and nothing else."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_helpers import activate, make_controller, scheduled, wait_refreshed
from paths import EXAMPLES, REFERENCE_FILE
from PySide6.QtCore import Qt

from engine.analysis.compare import parse_matrix
from engine.io import fileformat
from gui.views.compare_panel import MISMATCH_COLOR, ComparePanel

REFERENCE = json.loads(REFERENCE_FILE.read_text())

# seed 000's first iteration as the seed prints it (| … | rows, columns three spaces apart)
A1 = """\
| 0.9002495   0.9002495   0.9002495 |
| 0.8320184   0.8320184   0.8320184 |"""
N1 = """\
| 2.2 | 2.2 | 2.2 |
| 1.6 | 1.6 | 1.6 |"""
A2 = """\
| 0.9758906   0.9758906   0.9758906 |
| 0.9705753   0.9705753   0.9705753 |"""
A3 = """\
| 0.9806908   0.9806908 |
| 0.9803864   0.9803864 |"""
DELTA3 = """\
| 0.02956687   0.02199233 |
|  -0.0007543   0.03770352 |"""
GRADIENT_2_AUGMENTED = """\
| 0.0288126   0.0596958 |
|  0.028122   0.0580562 |
|  0.028122   0.0580562 |
|  0.028122   0.0580562 |"""


def test_the_pasted_texts_are_the_seeds_numbers():
    """Guards the tables above against a typo: they read back to tests/data's numbers."""
    for text, key in ((A1, "activation_layer_1"), (N1, "pre_activation_layer_1"),
                      (A2, "activation_layer_2"), (A3, "activation_layer_3"),
                      (DELTA3, "delta_layer_3")):
        np.testing.assert_array_equal(parse_matrix(text), REFERENCE[key])
    np.testing.assert_array_equal(parse_matrix(GRADIENT_2_AUGMENTED),
                                  REFERENCE["weight_gradient_2_augmented"]["value"])


@pytest.fixture
def seed_000(qtbot):
    controller = make_controller(qtbot, fileformat.load(EXAMPLES / "seed-000.json"))
    panel = ComparePanel(controller)
    qtbot.addWidget(panel)
    return controller, panel


def type_text(qtbot, widget, text):
    """Type ``text`` into ``widget`` key by key (QTest cannot click a newline character)."""
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(widget, Qt.Key_Return)
        qtbot.keyClicks(widget, line)


def step_phases(controller, count):
    for _ in range(count):
        controller.step_phase()


def cells(panel):
    table = panel.result
    return [[table.item(r, c) for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def red_cells(panel):
    return [(r, c) for r, row in enumerate(cells(panel)) for c, item in enumerate(row)
            if item.background().color() == MISMATCH_COLOR]


def test_widgets_are_named_and_explained(seed_000):
    _, panel = seed_000
    assert panel.objectName() == "compare_panel"
    for name in ("compare_quantity", "compare_input", "compare_button", "compare_result",
                 "compare_message", "compare_earliest", "compare_tolerance"):
        widget = panel.findChild(object, name)
        assert widget is not None, name
        assert widget.toolTip(), name
    box = panel.quantity_box
    labels = [box.itemText(i) for i in range(box.count())]
    assert labels[:4] == ["a⁰", "W⁰", "n¹", "a¹"] and "δ²" in labels  # typeset
    assert "∂C/∂W¹" in labels
    tip = box.itemData(labels.index("δ²"), Qt.ToolTipRole)
    assert "rows: observations" in tip and "backward, layer 2" in tip


def test_the_seeds_forward_tables_agree_and_one_wrong_cell_is_flagged(seed_000, qtbot):
    controller, panel = seed_000
    step_phases(controller, 3)  # forward 1, 2, 3 of the first iteration
    for key, text in (("a^1", A1), ("n^1", N1), ("a^2", A2), ("a^3", A3)):
        panel.set_pasted(key, text)
        panel.compare_now()
        assert panel.message.text().startswith("all 6 cells" if key != "a^3" else
                                               "all 4 cells"), (key, panel.message.text())
        assert "agree within 1e-6" in panel.message.text()
        assert not red_cells(panel)
    assert panel.earliest.text() == "all 4 pasted quantities agree"

    # change one cell of a^2, by typing it into the box and pressing Compare
    panel.set_pasted("a^2", "")
    type_text(qtbot, panel.input, A2.replace("| 0.9705753   0.9705753",
                                            "| 0.9705753   0.9750000"))
    qtbot.mouseClick(panel.compare_button, Qt.LeftButton)
    assert red_cells(panel) == [(1, 1)]
    wrong = cells(panel)[1][1]
    assert wrong.text() == "0.975 ≠ 0.9705753"
    assert wrong.toolTip().startswith("yours 0.975, engine 0.97057531")
    assert cells(panel)[0][0].toolTip().startswith("yours 0.9758906, engine 0.97589")
    assert "1 of 6 cells differ" in panel.message.text()
    assert panel.result.verticalHeaderItem(1).text() == "obs 1"
    assert panel.result.horizontalHeaderItem(1).text() == "neuron 1"
    assert panel.earliest.text() == "first disagreement: a² (forward, layer 2)"

    # the right one again: accepted
    panel.set_pasted("a^2", A2)
    panel.compare_now()
    assert not red_cells(panel) and panel.message.text().startswith("all 6 cells agree")


def test_switching_the_quantity_keeps_each_paste(seed_000, qtbot):
    controller, panel = seed_000
    step_phases(controller, 3)
    box = panel.quantity_box
    box.setCurrentIndex(box.findData("a^1"))
    type_text(qtbot, panel.input, A1)
    box.setCurrentIndex(box.findData("n^1"))
    assert panel.input.toPlainText() == ""
    type_text(qtbot, panel.input, N1)
    box.setCurrentIndex(box.findData("a^1"))
    assert panel.input.toPlainText() == A1
    assert panel.pasted() == {"a^1": A1, "n^1": N1}
    assert box.itemText(box.findData("n^1")) == "n¹  (pasted)"
    assert panel.message.text().startswith("all 6 cells agree")


def test_a_gradient_with_the_bias_row_is_explained(seed_000):
    controller, panel = seed_000
    step_phases(controller, 3)
    panel.set_pasted("dC/dW^2", GRADIENT_2_AUGMENTED)
    panel.compare_now()
    assert "not computed yet" in panel.message.text()
    assert "not computed yet at this phase: ∂C/∂W²" in panel.earliest.text()
    step_phases(controller, 2)  # loss, backward layer 3
    panel.refresh()
    message = panel.message.text()
    assert message.startswith("yours is 4×2 and ours 3×2: did you include the bias row? "
                              "The augmented [∂C/∂b²; ∂C/∂W²] is 4×2")
    # the seed's own numbers are rounded from its rounded intermediates: they are 1e-7 off
    panel.tolerance_box.setCurrentText("1e-5")
    assert "all 8 cells agree within 1e-5" in panel.message.text()
    assert not red_cells(panel)
    assert panel.result.verticalHeaderItem(0).text() == "b"
    assert panel.result.verticalHeaderItem(1).text() == "from 0"


def test_earliest_disagreement_names_the_earlier_phase(seed_000):
    controller, panel = seed_000
    step_phases(controller, 5)  # up to and including backward layer 3
    panel.tolerance_box.setCurrentText("1e-5")
    wrong_delta = DELTA3.replace("0.02199233", "0.03199233")
    wrong_a1 = A1.replace("| 0.8320184   0.8320184", "| 0.8320184   0.8420184")
    panel.set_pasted("delta^3", wrong_delta)  # pasted first, computed later
    panel.set_pasted("a^1", wrong_a1)
    panel.compare_now()
    assert panel.earliest.text() == "first disagreement: a¹ (forward, layer 1)"
    assert "row 1, column 1" in panel.earliest.toolTip()
    panel.set_pasted("a^1", A1)
    panel.compare_now()
    assert panel.earliest.text() == "first disagreement: δ³ (backward, layer 3)"
    panel.set_pasted("delta^3", DELTA3)
    panel.compare_now()
    assert panel.earliest.text() == "all 2 pasted quantities agree"


def test_unreadable_text_says_why(seed_000):
    _, panel = seed_000
    panel.set_pasted("a^1", "| 0.9   0.9 |\n| 0.8   nan |")
    panel.compare_now()
    assert panel.message.text() == ("Could not read your a¹: row 2, column 2: 'nan' is not "
                                    "a finite number")
    assert panel.result.rowCount() == 0
    assert panel.earliest.text() == "could not read: a¹"


def test_the_panel_follows_the_controller_when_shown(seed_000, qtbot):
    controller, panel = seed_000
    scheduler = scheduled(controller, {"compare": panel})  # as the window registers it
    panel.show()
    qtbot.waitExposed(panel)
    step_phases(controller, 3)
    panel.set_pasted("delta^3", DELTA3)
    panel.compare_now()
    assert "not computed yet" in panel.message.text()
    step_phases(controller, 2)  # the scheduler hears position_changed: compared again
    wait_refreshed(qtbot, scheduler)
    assert "not computed yet" not in panel.message.text()
    assert "cells differ" in panel.message.text()  # at 1e-6 the seed's δ^3 is 1e-7 off
    assert red_cells(panel)


# seed 000's whole ∂C/∂W² table as it printed it: δ³ above the result, [1 | a²]ᵀ beside it
# (../shared/seeds/000, with its indentation)
GRADIENT_2_LAYOUT = """\
                        |  0.02956687 |  0.02199233 |
                        |  -0.0007543 |  0.03770352 |
|         1           1 |   0.0288126 |   0.0596958 |
| 0.9758906   0.9705753 |    0.028122 |   0.0580562 |
| 0.9758906   0.9705753 |    0.028122 |   0.0580562 |
| 0.9758906   0.9705753 |    0.028122 |   0.0580562 |"""


def test_the_seeds_whole_gradient_table_pasted_agrees_at_the_default_tolerance(seed_000, qtbot):
    """Issue 14, point 7: the seed's `[1|a]ᵀ × δ = result` table, pasted whole with Ctrl+V,
    is read for its result block (a note says so), and its 7-decimal numbers (0.0288126
    against our 0.0288126876) are compared to the digits they were printed with: no red cell
    at the default tolerance, and the message says why."""
    from PySide6.QtWidgets import QApplication

    controller, panel = seed_000
    panel.show()
    qtbot.waitExposed(panel)
    activate(qtbot, panel)
    step_phases(controller, 5)  # forward 1–3, the loss, backward layer 3
    box = panel.quantity_box
    box.setCurrentIndex(box.findData("dC/dW^2"))
    assert panel.tolerance_box.currentText() == "1e-6"  # the default
    QApplication.clipboard().setText(GRADIENT_2_LAYOUT)
    qtbot.mouseClick(panel.input.viewport(), Qt.LeftButton)  # the learner clicks the box …
    assert QApplication.focusWidget() is panel.input
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_V, Qt.ControlModifier)  # … and pastes
    assert panel.input.toPlainText() == GRADIENT_2_LAYOUT
    qtbot.mouseClick(panel.compare_button, Qt.LeftButton)
    message = panel.message.text()
    assert "row 3 has 4 numbers" not in message
    assert "all 8 cells agree within 1e-6" in message, message
    assert "to the digits you gave" in message
    assert "product layout" in message and "result block" in message
    assert not red_cells(panel)
    assert panel.result.rowCount() == 4 and panel.result.columnCount() == 2
    assert cells(panel)[0][0].text() == "0.0288126"
