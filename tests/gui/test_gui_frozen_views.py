"""The debugger's panels with frozen parameters (issue 17): the gradient check still checks
them and says which they are, the chain rule says the update leaves them, and the symmetry
the window shows counts two neurons frozen differently as different."""

from __future__ import annotations

import pytest
from gui_helpers import SEED_001_TIED, W1, W5, W6, check_gradients, make_controller

from engine.core.network import ParameterAddress
from engine.io import fileformat


@pytest.fixture
def controller(qtbot):
    def make(path=SEED_001_TIED):
        return make_controller(qtbot, fileformat.load(path), path)
    return make


def test_the_gradient_check_marks_frozen_rows_and_counts_them(controller, qtbot):
    from gui.views.gradcheck_view import GradientCheckPanel

    c = controller()
    assert c.set_frozen([W5, W1], True)
    panel = GradientCheckPanel(c)
    qtbot.addWidget(panel)
    result = check_gradients(qtbot, panel)
    assert result is not None and not result.flagged()  # frozen or not, the gradient is right
    assert result.frozen_count == 2
    assert "2 of them frozen" in panel.summary.text()
    rows = {panel.table.item(r, 0).text(): r for r in range(panel.table.rowCount())}
    frozen_rows = [name for name in rows if name.endswith("(frozen)")]
    assert len(frozen_rows) == 2
    assert any("w5" in name for name in frozen_rows) and any("w1" in n for n in frozen_rows)
    tip = panel.table.item(rows[frozen_rows[0]], 1).toolTip()
    assert "frozen" in tip and "checked" in tip
    others = [name for name in rows if name not in frozen_rows]
    assert all(panel.table.item(rows[name], 1).toolTip() == "" for name in others)


def test_the_chain_rule_of_a_frozen_weight_says_the_update_leaves_it(controller, qtbot):
    from gui.views.chain_rule_panel import ChainRulePanel

    c = controller()
    panel = ChainRulePanel(c)
    qtbot.addWidget(panel)
    panel.show_parameters([W5])
    assert "frozen" not in panel.text.toPlainText()
    gradient = panel.rules[0].total
    c.set_frozen([W5], True)
    panel.refresh()
    text = panel.text.toPlainText()
    assert "frozen" in text and "leaves it as it is" in text
    assert panel.rules[0].total == gradient  # still computed, the same number
    panel.show_parameters([W6])
    assert "frozen" not in panel.text.toPlainText()


def test_the_windows_symmetry_tells_apart_neurons_frozen_differently(controller):
    c = controller()  # seed 001 tied: w1 = w3, w2 = w4, w5 = w6 (no biases)
    assert [len(groups) for groups in c.symmetry()][1] == 1  # the two hidden neurons: one
    c.set_frozen([W1], True)  # x1's weight into one hidden neuron frozen; w3 (the other) not
    assert [len(groups) for groups in c.symmetry()][1] == 2
    c.undo_stack.undo()
    assert c.stepper.config.frozen == ()
    assert [len(groups) for groups in c.symmetry()][1] == 1


def test_freezing_a_parameter_the_network_lacks_changes_nothing_and_says_why(controller):
    c = controller()  # seed 001 tied has no biases
    messages = []
    c.message_posted.connect(messages.append)
    assert not c.set_frozen([ParameterAddress.bias(0, 0)], True)
    assert c.stepper.config.frozen == () and not c.undo_stack.canUndo()
    assert messages and "training.frozen[0]" in messages[-1] and "no biases" in messages[-1]
