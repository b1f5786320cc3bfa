"""The breakpoints panel adds, switches off and removes breakpoints, refuses bad values with
a visible reason and the list unchanged, and marks the one that stopped the last run."""

from __future__ import annotations

import pytest
from gui_helpers import make_controller, scheduled, wait_refreshed
from paths import EXAMPLES
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QTreeWidget, QWidget

from engine.analysis.breakpoints import (
    GradientNormAbove,
    IterationReaches,
    LossBelow,
    SymmetryChange,
    WeightCrosses,
)
from engine.core.network import ParameterAddress
from engine.io import fileformat
from gui.views.breakpoints_panel import BreakpointsPanel


def panel_of(qtbot, path=EXAMPLES / "seed-000.json"):
    """The panel alone on a controller of ``path``, refreshed by a scheduler of its own as
    the window's refreshes it; ``panel.settle()`` waits for that scheduler's frames."""
    controller = make_controller(qtbot, fileformat.load(path))
    panel = BreakpointsPanel(controller)
    qtbot.addWidget(panel)
    scheduler = scheduled(controller, {"breakpoints_panel": panel})
    panel.settle = lambda: wait_refreshed(qtbot, scheduler)
    return panel, controller


@pytest.fixture
def setup(qtbot):
    panel, controller = panel_of(qtbot)
    return panel, controller.breakpoints, controller


def widgets(panel):
    find = panel.findChild
    return (find(QTreeWidget, "breakpoints_list"), find(QComboBox, "breakpoint_kind"),
            find(QLineEdit, "breakpoint_value"), find(QPushButton, "breakpoint_add"),
            find(QPushButton, "breakpoint_remove"), find(QLabel, "breakpoint_message"))


def choose(panel, kind: str) -> None:
    box = panel.findChild(QComboBox, "breakpoint_kind")
    box.setCurrentIndex(box.findData(kind))


def add(qtbot, panel, kind: str, text: str = "") -> None:
    choose(panel, kind)
    value = panel.findChild(QLineEdit, "breakpoint_value")
    value.clear()
    if text.isascii() and text:
        qtbot.keyClicks(value, text)
    else:  # QTest.keyClicks aborts on an empty string and on characters beyond ASCII
        value.insert(text)
    qtbot.mouseClick(panel.findChild(QPushButton, "breakpoint_add"), Qt.MouseButton.LeftButton)
    if hasattr(panel, "settle"):  # the list as it shows at the next frame
        panel.settle()


def rows(panel) -> list[tuple[str, bool, str]]:
    """The list as the learner sees it, once the panel is refreshed."""
    if hasattr(panel, "settle"):
        panel.settle()
    tree = panel.findChild(QTreeWidget, "breakpoints_list")
    return [(tree.topLevelItem(r).text(0),
             tree.topLevelItem(r).checkState(0) == Qt.CheckState.Checked,
             tree.topLevelItem(r).text(1)) for r in range(tree.topLevelItemCount())]


def test_every_control_is_named_and_has_a_tooltip(setup):
    panel, _, _ = setup
    assert panel.objectName() == "breakpoints_panel"
    assert all(w is not None for w in widgets(panel))
    for widget in panel.findChildren(QWidget):
        if isinstance(widget, (QComboBox, QLineEdit, QPushButton, QTreeWidget)) and \
                widget.objectName().startswith("breakpoint"):
            choose(panel, "weight_crosses")  # the value field's tooltip depends on the kind
            assert widget.toolTip(), widget.objectName()


def test_each_kind_shows_the_controls_it_needs(setup):
    panel, _, _ = setup
    layer = panel.findChild(QComboBox, "breakpoint_layer")
    parameter = panel.findChild(QComboBox, "breakpoint_parameter")
    value = panel.findChild(QLineEdit, "breakpoint_value")
    expected = {"symmetry_change": (True, False, False), "loss_below": (False, False, True),
                "weight_crosses": (False, True, True), "non_finite": (False, False, False),
                "iteration_reaches": (False, False, True)}
    for kind, shown in expected.items():
        choose(panel, kind)
        assert (layer.isVisibleTo(panel), parameter.isVisibleTo(panel),
                value.isVisibleTo(panel)) == shown, kind
    # seed 000: layers 1, 2, 3 and its 29 parameters
    assert [layer.itemData(i) for i in range(layer.count())] == [None, 1, 2, 3]
    assert parameter.count() == 29 and parameter.itemData(3) == ParameterAddress.weight(0, 1, 0)


def test_adding_each_kind(qtbot, setup):
    panel, breakpoints, _ = setup
    add(qtbot, panel, "loss_below", "0.01")
    add(qtbot, panel, "gradient_norm_above", "1e1")
    add(qtbot, panel, "iteration_reaches", "500")
    layer = panel.findChild(QComboBox, "breakpoint_layer")
    choose(panel, "symmetry_change")
    layer.setCurrentIndex(layer.findData(2))
    add(qtbot, panel, "symmetry_change")
    parameter = panel.findChild(QComboBox, "breakpoint_parameter")
    choose(panel, "weight_crosses")
    parameter.setCurrentIndex(3)
    add(qtbot, panel, "weight_crosses", "−0.5")  # a typographic minus is a minus
    parameter.setEditText("b^2_{1}")
    add(qtbot, panel, "weight_crosses", "2")
    add(qtbot, panel, "non_finite")
    kinds = [type(b) for b in breakpoints.items]
    assert kinds == [LossBelow, GradientNormAbove, IterationReaches, SymmetryChange,
                     WeightCrosses, WeightCrosses, type(breakpoints.items[-1])]
    assert [b.to_dict() for b in breakpoints.items[:6]] == [
        {"kind": "loss_below", "value": 0.01, "enabled": True},
        {"kind": "gradient_norm_above", "value": 10.0, "enabled": True},
        {"kind": "iteration_reaches", "iteration": 500, "enabled": True},
        {"kind": "symmetry_change", "layer": 2, "enabled": True},
        {"kind": "weight_crosses", "parameter": {"kind": "w", "layer": 0, "source": 1,
                                                 "target": 0}, "value": -0.5, "enabled": True},
        {"kind": "weight_crosses", "parameter": {"kind": "b", "layer": 2, "source": None,
                                                 "target": 1}, "value": 2.0, "enabled": True},
    ]
    assert [text for text, _, _ in rows(panel)][:6] == [
        "loss < 0.01", "gradient norm > 10", "iteration reaches 500",
        "layer 2's symmetry changes", "w⁰₁,₀ crosses -0.5", "b²₁ crosses 2"]
    assert all(on for _, on, _ in rows(panel))


@pytest.mark.parametrize("kind, text, reason", [
    ("loss_below", "abc", "is not a number"),
    ("loss_below", "nan", "is not a finite number"),
    ("loss_below", "inf", "is not a finite number"),
    ("loss_below", "", "is not a number"),
    ("loss_below", "__import__('os')", "is not a number"),
    ("gradient_norm_above", "-1", "never negative"),
    ("iteration_reaches", "2.5", "not a whole number"),
    ("iteration_reaches", "0", "outside 1"),
    ("weight_crosses", "1e999", "is too large"),
])
def test_bad_values_are_refused_and_the_list_kept(qtbot, setup, kind, text, reason):
    panel, breakpoints, _ = setup
    add(qtbot, panel, "loss_below", "0.5")
    before = ([b.to_dict() for b in breakpoints.items], rows(panel))
    add(qtbot, panel, kind, text)
    assert ([b.to_dict() for b in breakpoints.items], rows(panel)) == before
    message = panel.findChild(QLabel, "breakpoint_message")
    assert reason in message.text() and "no breakpoint added" in message.text()
    assert message.isVisibleTo(panel)
    assert "background" in panel.findChild(QLineEdit, "breakpoint_value").styleSheet()


@pytest.mark.parametrize("name, reason", [("w^0_{5,0}", "no neuron 5"),
                                          ("w7", "not a weight or bias"),
                                          ("weight", "not a weight or bias")])
def test_unknown_weights_are_refused(qtbot, setup, name, reason):
    panel, breakpoints, _ = setup
    choose(panel, "weight_crosses")
    panel.findChild(QComboBox, "breakpoint_parameter").setEditText(name)
    add(qtbot, panel, "weight_crosses", "0.5")
    assert breakpoints.items == ()
    assert reason in panel.findChild(QLabel, "breakpoint_message").text()


def test_plain_names_of_a_small_network(qtbot):
    panel, controller = panel_of(qtbot, EXAMPLES / "seed-001-free.json")
    breakpoints = controller.breakpoints
    choose(panel, "weight_crosses")
    parameter = panel.findChild(QComboBox, "breakpoint_parameter")
    assert parameter.itemText(0) == "w⁰₀,₀ (w1)"  # typeset (issue 14, point 12)
    for name, reason in (("w7", "this network has no w7"), ("b^0_0", "has no biases")):
        parameter.setEditText(name)
        add(qtbot, panel, "weight_crosses", "0")
        assert reason in panel.findChild(QLabel, "breakpoint_message").text()
    parameter.setEditText("w6")
    add(qtbot, panel, "weight_crosses", "0")
    # the seed's ASCII, as a learner copies it from a table, finds the same weight
    parameter.setEditText("w^1_{1,0} (w6)")
    add(qtbot, panel, "weight_crosses", "1")
    assert [b.address for b in breakpoints.items] == [ParameterAddress.weight(1, 1, 0)] * 2
    # the list and the message name it typeset
    tree = panel.findChild(QTreeWidget)
    assert tree.topLevelItem(1).text(0) == "w¹₁,₀ crosses 1"
    message = panel.findChild(QLabel, "breakpoint_message").text()
    assert message == "Added: pause when w¹₁,₀ crosses 1"


def test_switching_off_and_removing(qtbot, setup):
    panel, breakpoints, _ = setup
    for value in ("0.1", "0.2", "0.3"):
        add(qtbot, panel, "loss_below", value)
    tree, *_ , remove, message = widgets(panel)
    tree.topLevelItem(1).setCheckState(0, Qt.CheckState.Unchecked)
    assert [b.enabled for b in breakpoints.items] == [True, False, True]
    assert [on for _, on, _ in rows(panel)] == [True, False, True]
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)  # nothing selected
    assert len(breakpoints) == 3 and "Select a breakpoint" in message.text()
    tree.topLevelItem(0).setSelected(True)
    tree.topLevelItem(2).setSelected(True)
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert [b.describe() for b in breakpoints.items] == ["loss < 0.2"]
    assert rows(panel) == [("loss < 0.2", False, "")]
    tree.topLevelItem(0).setCheckState(0, Qt.CheckState.Checked)
    assert breakpoints.items[0].enabled and breakpoints.active


def test_the_breakpoint_that_stopped_the_run_is_marked(qtbot, setup):
    panel, _, controller = setup
    add(qtbot, panel, "loss_below", "1e-9")
    add(qtbot, panel, "iteration_reaches", "12")
    with qtbot.waitSignal(controller.breakpoint_hit, timeout=5000):
        controller.run()
    assert controller.stepper.iteration == 12
    assert rows(panel) == [("loss < 1e-09", True, ""),
                           ("iteration reaches 12", True, "◀ fired")]
    message = panel.findChild(QLabel, "breakpoint_message").text()
    assert message.startswith("Paused at iteration 12")
    tree = panel.findChild(QTreeWidget, "breakpoints_list")
    assert "Stopped the last run at iteration 12" in tree.topLevelItem(1).toolTip(0)


def test_refresh_follows_a_new_network(qtbot, setup):
    panel, _, controller = setup
    controller.load(fileformat.load(EXAMPLES / "seed-001-free.json"))
    panel.settle()
    layer = panel.findChild(QComboBox, "breakpoint_layer")
    assert [layer.itemData(i) for i in range(layer.count())] == [None, 1, 2]
    # seed 001 has no biases: its six weights w1 … w6
    assert panel.findChild(QComboBox, "breakpoint_parameter").count() == 6


def test_the_panel_edits_the_list_through_the_controller(qtbot, setup):
    """Issue 13: the list has no listeners of its own; the panel asks the controller, which
    says so (breakpoints_changed) and the scheduler refreshes the panel, the selection
    kept."""
    panel, breakpoints, controller = setup
    assert not hasattr(breakpoints, "add_listener")
    with qtbot.waitSignal(controller.breakpoints_changed, timeout=1000):
        add(qtbot, panel, "loss_below", "0.5")
    add(qtbot, panel, "iteration_reaches", "7")
    tree = panel.findChild(QTreeWidget, "breakpoints_list")
    rows(panel)
    tree.topLevelItem(1).setSelected(True)
    with qtbot.waitSignal(controller.breakpoints_changed, timeout=1000):
        tree.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    assert rows(panel) == [("loss < 0.5", False, ""), ("iteration reaches 7", True, "")]
    assert [tree.indexOfTopLevelItem(i) for i in tree.selectedItems()] == [1]


def test_breakpoints_are_saved_with_the_work_and_come_back_when_opened(open_window, qtbot,
                                                                        tmp_path):
    """A breakpoint is part of the work (issue 12, point 4): adding one marks the file
    unsaved, Save writes it, Open brings it back (enabled or not), New or another file
    replaces the list with that file's own."""
    window = open_window(EXAMPLES / "seed-000.json")
    path = tmp_path / "mine.json"
    assert window.save_file(path)
    panel = window.debugger.breakpoints_panel
    panel.settle = lambda: wait_refreshed(qtbot, window)  # the window's frames
    add(qtbot, panel, "loss_below", "0.25")
    add(qtbot, panel, "iteration_reaches", "40")
    assert window.windowTitle() == "mine.json • — Backprop Lab"
    tree = panel.findChild(QTreeWidget, "breakpoints_list")
    tree.topLevelItem(1).setCheckState(0, Qt.CheckState.Unchecked)  # as the checkbox does
    saved = [b.to_dict() for b in window.controller.breakpoints.items]
    assert saved[1]["enabled"] is False
    assert window.save_file(path)
    assert window.windowTitle() == "mine.json — Backprop Lab"
    window.files.new_file()
    assert len(window.controller.breakpoints) == 0
    assert window.open_file(path)
    assert [b.to_dict() for b in window.controller.breakpoints.items] == saved
    assert rows(panel) == [("loss < 0.25", True, ""), ("iteration reaches 40", False, "")]
    assert window.windowTitle() == "mine.json — Backprop Lab"
    # a window opened on the file has them too
    other = open_window(path)
    assert [b.to_dict() for b in other.controller.breakpoints.items] == saved


@pytest.mark.parametrize("text", ["１２", "١٢", "1_2", "²", "-3", "1.5"])
def test_the_iteration_field_takes_ascii_digits_only(qtbot, setup, text):
    """Found in review: str.isdigit let full-width, Arabic-Indic and superscript digits in."""
    panel, breakpoints, _ = setup
    add(qtbot, panel, "iteration_reaches", text)
    assert len(breakpoints) == 0
    assert "is not a whole number (digits 0-9 only); no breakpoint added" in \
        panel.findChild(QLabel, "breakpoint_message").text()
    add(qtbot, panel, "iteration_reaches", " 12 ")
    assert [b.describe() for b in breakpoints.items] == ["iteration reaches 12"]
