"""The debugger panels built from a controller: inspector, chain rule, gradient check,
timeline. Numbers are checked against seed 000's printed matrices, hand calculation and a
reference run, never against the panel's own engine calls."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from gui_helpers import (
    SEED_000,
    SEED_001_FREE,
    SEED_001_TIED,
    W1,
    W2,
    W3,
    W5,
    W6,
    check_gradients,
    make_controller,
)
from paths import REFERENCE_FILE

from engine.core.network import ParameterAddress
from engine.io import fileformat
from gui.notation import typeset

REFERENCE = json.loads(REFERENCE_FILE.read_text())
TOLERANCE = REFERENCE["tolerance"]


@pytest.fixture
def controller(qtbot):
    def make(path=SEED_000, confirm_discard=None):
        return make_controller(qtbot, fileformat.load(path), path, confirm_discard)
    return make


def column(table, header: str) -> list[str]:
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    c = headers.index(header)
    return [table.item(r, c).text() for r in range(table.rowCount())]


def numbers(texts: list[str]) -> np.ndarray:
    return np.array([float(t) for t in texts])


# ------------------------------------------------------------------ inspector
def test_inspector_follows_the_phases_of_seed_000(controller, qtbot):
    from gui.views.inspector import Inspector

    c = controller()
    inspector = Inspector(c)
    qtbot.addWidget(inspector)
    c.step_phase()  # forward 1
    inspector.show_neuron((1, 2))
    table = inspector.table
    # n^1_2 = 1 + 0.8 + 0.4 and 1 + 0.3 + 0.3 by hand; a = σ(n)
    assert np.allclose(numbers(column(table, "n¹₂")), [2.2, 1.6])
    assert np.allclose(numbers(column(table, "a¹₂")),
                       [1 / (1 + math.exp(-2.2)), 1 / (1 + math.exp(-1.6))])
    assert column(table, "δ¹₂") == ["", ""]  # not computed in this phase yet
    for _ in range(4):  # forward 2, forward 3, loss, backward 3
        c.step_phase()
    inspector.show_neuron((3, 1))
    reference = np.array(REFERENCE["delta_layer_3"])[:, 1]
    assert np.allclose(numbers(column(inspector.table, "δ³₁")), reference,
                       atol=TOLERANCE)
    assert np.allclose(numbers(column(inspector.table, "∂C/∂a³₁")),
                       np.array(REFERENCE["dcost_dactivation_layer_3"])[:, 1], atol=TOLERANCE)
    # all-ones: the two outputs have the same incoming weights and bias
    assert "interchangeable with neurons {0, 1}" in inspector.details.text()
    inspector.show_neuron((1, 0))
    assert "interchangeable with neurons {0, 1, 2}" in inspector.details.text()


def test_inspector_shows_a_weights_value_gradient_and_last_update(controller, qtbot):
    from gui.views.inspector import Inspector

    c = controller()
    inspector = Inspector(c)
    qtbot.addWidget(inspector)
    address = ParameterAddress.weight(2, 0, 0)  # row 1, column 0 of the augmented ∂C/∂W^2
    inspector.show_parameter(address)
    text = inspector.details.text()
    assert "value: 1\n" in text and "no update yet" in text
    printed = REFERENCE["weight_gradient_2_augmented"]["value"][1][0]
    gradient = float(text.split("gradient ∂C/∂w²₀,₀: ")[1].split("\n")[0])
    assert gradient == pytest.approx(printed, abs=TOLERANCE)
    c.step_iteration()
    inspector.refresh()
    update = float(inspector.details.text().split("last update: ")[1].split()[0])
    assert update == pytest.approx(-0.5 * printed, abs=TOLERANCE)  # gd, learning rate 0.5
    assert "to: neuron 0 of layer 3 is distinct" in inspector.details.text()


# ----------------------------------------------------------------- chain rule
def test_chain_rule_of_w5_and_w6_differs_only_where_the_neurons_differ(controller, qtbot):
    from gui.views.chain_rule_panel import ChainRulePanel

    c = controller(SEED_001_FREE)
    panel = ChainRulePanel(c)
    qtbot.addWidget(panel)
    panel.show_parameters([W5])
    html = panel.text.toHtml()
    assert "∂J/∂w5" in html and "∂J/∂a3" in html and "∂a3/∂z3" in html
    gradient = c.stepper.evaluate(full=True).weight_gradients[1][0, 0]
    assert panel.rules[0].total == pytest.approx(gradient, rel=1e-12)
    panel.show_parameters([W5, W6])
    assert "the factors that differ are marked" in panel.message.text()
    from engine.analysis.chain_rule import differing_factors
    delta, paths = differing_factors(*panel.rules)
    assert paths == [(0, len(panel.rules[0].paths[0]) - 1)]  # only ∂z3/∂w5 = a1 vs a2
    # into the two hidden neurons: seed-001-free has w5 = w6 = 0.4, so only the hidden
    # neurons' slopes ∂a1/∂z1 and ∂a2/∂z2 differ; once w6 is changed, w5 against w6 does too
    panel.show_parameters([W1, W3])
    delta, paths = differing_factors(*panel.rules)
    assert [panel.rules[0].paths[0][k].plain for _, k in paths] == ["∂a1/∂z1"]
    c.apply_values([W6], [0.7])
    panel.refresh()
    delta, paths = differing_factors(*panel.rules)
    assert [panel.rules[0].paths[0][k].meaning for _, k in paths][0] == "w^1_{0,0} (w5)"
    assert len(paths) == 2
    panel.show_parameters([W1, W2])  # from x1 and x2 into one neuron: the inputs differ
    delta, paths = differing_factors(*panel.rules)
    assert [panel.rules[0].paths[0][k].meaning for _, k in paths] == ["a^0_0 (x1)"]


def test_chain_rule_of_tied_weights_is_equal_factor_by_factor(controller, qtbot):
    from gui.views.chain_rule_panel import ChainRulePanel

    c = controller(SEED_001_TIED)
    panel = ChainRulePanel(c)
    qtbot.addWidget(panel)
    panel.show_parameters([W5, W6])
    assert "every factor is equal" in panel.message.text()
    c.step_phase()  # forward 1 only: no δ yet
    panel.refresh()
    assert "not computed yet" in panel.message.text()


# ------------------------------------------------------------- gradient check
def test_gradient_check_agrees_on_seed_000_and_flags_a_wrong_gradient(controller, qtbot,
                                                                       monkeypatch):
    from gui.views.gradcheck_view import GradientCheckPanel

    c = controller()
    panel = GradientCheckPanel(c)
    qtbot.addWidget(panel)
    result = check_gradients(qtbot, panel)
    assert result is not None and not result.flagged()
    assert panel.table.rowCount() == c.network.theta.size
    assert panel.summary.text().startswith(f"All {c.network.theta.size} parameters agree")
    # parameters named typeset (issue 14, point 12): b⁰₀ first, as network.addresses() lists
    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert names[0] == typeset(str(c.network.addresses()[0]))
    assert all("^" not in n and "_" not in n and "{" not in n for n in names)
    # a backprop with one wrong entry (as a learner's might be) is flagged there and only there
    stepper = c.stepper
    original = stepper.evaluate

    def wrong(*args, **kwargs):
        trace = original(*args, **kwargs)
        if trace.gradient is not None:
            trace.gradient[5] += 1e-3
        return trace

    monkeypatch.setattr(stepper, "evaluate", wrong)
    result = check_gradients(qtbot, panel)
    assert result.flagged() == [c.network.addresses()[5]]
    flagged_rows = [r for r in range(panel.table.rowCount())
                    if panel.table.item(r, 0).background().color().red() == 255
                    and panel.table.item(r, 0).background().style() != 0]
    assert flagged_rows == [5]
    assert panel.summary.text().startswith("1 of")


# ------------------------------------------------------------------- timeline
def test_timeline_rewinds_exactly_and_an_edit_there_asks_first(controller, qtbot):
    from gui.views.plots import LossPlot
    from gui.views.timeline import Timeline

    reference = fileformat.load(SEED_000).make_stepper()
    thetas = []
    for _ in range(10):
        thetas.append(reference.network.theta.copy())
        reference.run(1)
    answers: list[bool] = []  # the question's answers, in turn (given to the controller)
    asked = []
    c = controller(confirm_discard=lambda iterations: asked.append(iterations) or answers[-1])
    timeline = Timeline(c)
    plot = LossPlot(c)
    qtbot.addWidget(timeline)
    qtbot.addWidget(plot)
    c.stepper.run(10)
    timeline.refresh()
    assert timeline.slider.maximum() == 10
    timeline.slider.setValue(3)
    assert c.stepper.iteration == 3
    assert np.array_equal(c.network.theta, thetas[3])
    plot.update_cursor()
    assert plot.cursor.isVisible() and plot.cursor.value() == 3
    # stepping on replays the recorded history: nothing asked, nothing discarded
    c.step_iteration()
    assert asked == [] and c.stepper.head_iteration == 10 and c.stepper.iteration == 4
    assert np.array_equal(c.network.theta, thetas[4])
    # an edit here would discard iterations 5 … 10: it asks first
    answers.append(False)
    assert not c.set_parameters([W1], [0.5])
    assert asked == [6] and c.stepper.head_iteration == 10
    assert np.array_equal(c.network.theta, thetas[4])
    answers.append(True)
    assert c.set_parameters([W1], [0.5])
    assert asked == [6, 6] and c.stepper.head_iteration == 4
    timeline.refresh()
    plot.update_cursor()
    assert timeline.slider.maximum() == 4 and not plot.cursor.isVisible()


def groove_point(slider, fraction: float):
    """The point of the slider's groove a ``fraction`` of the way along its values, from
    the geometry the style draws (the handle's centre travels between the groove's ends
    less half a handle)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QStyle, QStyleOptionSlider

    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                  QStyle.SubControl.SC_SliderGroove, slider)
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                  QStyle.SubControl.SC_SliderHandle, slider)
    left = groove.x() + handle.width() / 2
    span = groove.width() - handle.width()
    return QPoint(round(left + fraction * span), groove.center().y()), span


def test_a_click_in_the_timelines_groove_goes_to_that_iteration(controller, qtbot):
    """Issue 14, point 5: the README says a click in the timeline goes exactly to that
    iteration; it moved by a page step (a twentieth) towards it. A real press and release at
    a point of the groove rewinds to the iteration under the mouse."""
    from PySide6.QtCore import Qt

    from gui.views.timeline import Timeline

    c = controller(SEED_001_FREE)
    timeline = Timeline(c)
    qtbot.addWidget(timeline)
    timeline.resize(600, 40)
    timeline.show()
    qtbot.waitExposed(timeline)
    c.stepper.run(400)
    timeline.refresh()
    slider = timeline.slider
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, 400, 400)
    for fraction in (0.25, 0.6, 0.05):
        point, span = groove_point(slider, fraction)
        qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=point)
        qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=point)
        wanted = 400 * fraction
        # to the iteration under the mouse, within a pixel's worth of iterations (a page
        # step would have moved by 20 from where it stood)
        assert abs(c.stepper.iteration - wanted) <= 400 / span + 1, (fraction,
                                                                     c.stepper.iteration)
        assert slider.value() == c.stepper.iteration


def test_the_timeline_says_1_iteration(controller, qtbot):
    from gui.views.timeline import Timeline

    c = controller(SEED_001_FREE)
    timeline = Timeline(c)
    qtbot.addWidget(timeline)
    assert timeline.label.text() == "0 iterations"
    c.step_iteration()
    timeline.refresh()
    assert timeline.label.text() == "1 iteration"
    c.step_iteration()
    timeline.refresh()
    assert timeline.label.text() == "2 iterations"
