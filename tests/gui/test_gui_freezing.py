"""Frozen parameters in the window (issue 17): Edit ▸ Frozen on what is selected in the graph
(its menu, its shortcut, the graph's right-click menu), the padlock drawn, stepping leaves a
frozen parameter as it is while its gradient is still shown, undo and redo, save and open,
structure edits, every optimiser with mini-batches, the matrices' marks.

The reference is Matt Mazur's "A Step by Step Backpropagation Example" (2015): his 2-2-2
sigmoid network, E = ½ Σ (target − out)², η = 0.5, the biases never updated. His published
numbers are typed in below as he printed them, and each is checked to the digits he printed;
longer runs are checked against a numpy loop written out here with his conventions."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from gui_helpers import (
    EXAMPLES,
    SEED_000,
    activate,
    edge_point,
    press_in_focus,
    show_tooltip,
    wait_refreshed,
)
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from engine.analysis.matrices import as_numpy
from engine.core.network import ParameterAddress
from gui.notation import FROZEN_NOTE
from gui.views.graph_items import LOCK_FRACTION

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
DECORATION = Qt.ItemDataRole.DecorationRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole

# Mazur's w1 … w8 are the window's plain names: W^0 = [[w1, w3], [w2, w4]],
# W^1 = [[w5, w7], [w6, w8]] (W^l[i, j] from neuron i of layer l to neuron j of layer l + 1)
W = {1: (0, 0, 0), 2: (0, 1, 0), 3: (0, 0, 1), 4: (0, 1, 1),
     5: (1, 0, 0), 6: (1, 1, 0), 7: (1, 0, 1), 8: (1, 1, 1)}
W = {k: ParameterAddress.weight(*v) for k, v in W.items()}
BIASES = [ParameterAddress.bias(l, j) for l in (0, 1) for j in (0, 1)]
MAZUR = {
    "format": "backprop-lab/1",
    "network": {"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "bias": True,
                "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
                "biases": [[0.35, 0.35], [0.60, 0.60]]},
    "data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]},
    "training": {"loss": "half_sse", "optimizer": "gd", "learning_rate": 0.5},
}
# as he printed them
E_BEFORE = "0.298371109"
OUT_O1 = "0.75136507"
DE_DW5 = "0.082167041"
AFTER = {5: "0.35891648", 6: "0.408666186", 7: "0.511301270", 8: "0.561370121",
         1: "0.149780716", 2: "0.19956143", 3: "0.24975114", 4: "0.29950229"}


def assert_printed(value: float, printed: str) -> None:
    """``value`` rounds to ``printed`` at the digits printed (half a unit of the last)."""
    decimals = -Decimal(printed).as_tuple().exponent
    assert abs(value - float(printed)) <= 0.5 * 10.0 ** -decimals + 1e-15, (value, printed)


def assert_shown(text: str, printed: str) -> None:
    """A number the window shows with fewer digits than he printed is his, rounded there."""
    decimals = -Decimal(text).as_tuple().exponent
    assert Decimal(text) == round(Decimal(printed), decimals), (text, printed)


def mazur_file(tmp_path, frozen=()):
    document = json.loads(json.dumps(MAZUR))
    if frozen:
        document["training"]["frozen"] = list(frozen)
    path = tmp_path / "mazur.json"
    path.write_text(json.dumps(document))
    return path


def mazur_loop(steps: int, frozen_biases: bool = True):
    """Mazur's procedure in plain numpy: forward, E = ½ Σ (target − out)², the deltas, the
    update of the weights (and the biases unless frozen) by η = 0.5. Returns (W0, W1, b0,
    b1, E before each update)."""
    x = np.array([0.05, 0.10])
    y = np.array([0.01, 0.99])
    w0 = np.array([[0.15, 0.25], [0.20, 0.30]])
    w1 = np.array([[0.40, 0.50], [0.45, 0.55]])
    b0, b1 = np.array([0.35, 0.35]), np.array([0.60, 0.60])
    losses = []
    for _ in range(steps):
        h = 1.0 / (1.0 + np.exp(-(x @ w0 + b0)))
        out = 1.0 / (1.0 + np.exp(-(h @ w1 + b1)))
        losses.append(0.5 * np.sum((y - out) ** 2))
        delta_out = (out - y) * out * (1.0 - out)  # ∂E/∂out · ∂out/∂net
        delta_h = (w1 @ delta_out) * h * (1.0 - h)
        g1, g0 = np.outer(h, delta_out), np.outer(x, delta_h)
        w1 = w1 - 0.5 * g1
        w0 = w0 - 0.5 * g0
        if not frozen_biases:
            b1, b0 = b1 - 0.5 * delta_out, b0 - 0.5 * delta_h
    return w0, w1, b0, b1, losses


def click(qtbot, view, point: QPoint, ctrl: bool = False) -> None:
    qtbot.mouseClick(view.viewport(), LEFT, CTRL if ctrl else Qt.KeyboardModifier.NoModifier,
                     point)


def bias_point(view, address) -> QPoint:
    item = view.bias_items[address]
    return view.mapFromScene(item.mapToScene(item.rect().center()))




def edit_menu(window) -> QMenu:
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    return next(m for m in menus if m.title().replace("&", "") == "Edit")


def undo_text(window) -> str:
    return window.action_undo.text().replace("&", "")


def lock_shown(item) -> bool:
    return item.frozen and item.lock.isVisible() and item.lock.scene() is item.scene()


def inspector_lines(window) -> dict[str, str]:
    lines = window.inspector.details.text().splitlines()
    return {line.partition(":")[0]: line.partition(":")[2].strip() for line in lines}


def gradient_shown(window) -> str:
    return next(v for k, v in inspector_lines(window).items() if k.startswith("gradient"))


# ------------------------------------------------------------------ Edit ▸ Frozen on w5
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_freeze_w5_by_clicking_its_edge_and_the_menu_then_step(open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path), show=True)
    activate(qtbot, window)
    view, controller = window.network_view, window.controller
    assert window.action_freeze in edit_menu(window).actions()
    assert "Ctrl+L" in window.action_freeze.toolTip()
    click(qtbot, view, edge_point(view, W[5], 0.65))
    assert view.selected_parameters() == [W[5]]
    assert not window.action_freeze.isChecked()
    wait_refreshed(qtbot, window)
    # before the update: his ∂E/∂w5 and E
    assert_shown(gradient_shown(window), DE_DW5)
    assert_printed(window.network_state()["loss"], E_BEFORE)
    assert_printed(window.network_state()["outputs"][0][0], OUT_O1)

    window.action_freeze.trigger()  # what Edit ▸ Frozen does
    assert controller.stepper.config.frozen == ("w^1_{0,0}",)
    assert undo_text(window) == "Undo Freeze w5"
    assert window.action_freeze.isChecked()
    wait_refreshed(qtbot, window)
    assert lock_shown(view.edges[W[5]])
    assert not any(view.edges[W[k]].frozen for k in W if k != 5)
    assert FROZEN_NOTE in show_tooltip(view, edge_point(view, W[5], 0.65))
    assert FROZEN_NOTE not in show_tooltip(view, edge_point(view, W[8], 0.65))
    assert window.inspector.title.text().endswith("(frozen)")
    assert FROZEN_NOTE in window.inspector.details.text()
    assert_shown(gradient_shown(window), DE_DW5)  # the gradient is still computed

    press_in_focus(qtbot, Qt.Key.Key_F10)  # Step iteration
    assert controller.stepper.iteration == 1
    network = controller.network
    assert network.get(W[5]) == 0.40  # frozen: as it was, to the last bit
    for k in (6, 7, 8, 1, 2, 3, 4):  # the others: his numbers (made from the same gradients)
        assert_printed(network.get(W[k]), AFTER[k])
    assert all(network.get(b) not in (0.35, 0.60) for b in BIASES)  # not frozen here
    wait_refreshed(qtbot, window)
    lines = inspector_lines(window)
    assert lines["its update"] == "none (frozen)"
    assert float(lines["last update"].split()[0]) == 0.0
    assert abs(float(gradient_shown(window))) > 0.01  # at the new parameters, still computed
    assert lock_shown(view.edges[W[5]])


def test_the_shortcut_toggles_and_undo_and_redo_follow(open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path), show=True)
    activate(qtbot, window)
    view, controller = window.network_view, window.controller
    click(qtbot, view, edge_point(view, W[5], 0.65))
    press_in_focus(qtbot, Qt.Key.Key_L, CTRL)  # freeze
    assert controller.stepper.config.frozen == ("w^1_{0,0}",)
    press_in_focus(qtbot, Qt.Key.Key_F10)
    press_in_focus(qtbot, Qt.Key.Key_L, CTRL)  # all of the selection frozen: unfreeze
    assert controller.stepper.config.frozen == ()
    assert undo_text(window) == "Undo Unfreeze w5"
    assert not window.action_freeze.isChecked()
    wait_refreshed(qtbot, window)
    assert not view.edges[W[5]].frozen and view.edges[W[5]].lock is None
    settings_before = controller.stepper.config

    window.action_undo.trigger()  # the unfreeze undone: frozen again, at iteration 1
    assert controller.stepper.config.frozen == ("w^1_{0,0}",)
    assert controller.stepper.iteration == 1
    assert window.action_freeze.isChecked()
    wait_refreshed(qtbot, window)
    assert lock_shown(view.edges[W[5]])
    window.action_undo.trigger()  # the freeze undone: back where it was made, iteration 0
    assert controller.stepper.config.frozen == ()
    assert controller.stepper.iteration == 0
    assert controller.stepper.config == settings_before  # nothing else changed
    wait_refreshed(qtbot, window)
    assert not view.edges[W[5]].frozen
    window.action_redo.trigger()
    assert controller.stepper.config.frozen == ("w^1_{0,0}",)
    wait_refreshed(qtbot, window)
    assert lock_shown(view.edges[W[5]])
    press_in_focus(qtbot, Qt.Key.Key_F10)
    assert controller.network.get(W[5]) == 0.40
    assert_printed(controller.network.get(W[6]), AFTER[6])


def test_nothing_selected_says_so_and_changes_nothing(open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path), show=True)
    activate(qtbot, window)
    window.action_freeze.trigger()
    assert window.controller.stepper.config.frozen == ()
    assert window.controller.undo_stack.count() == 0
    assert not window.action_freeze.isChecked()
    assert "Select a weight or bias first" in window.statusBar().currentMessage()


# ------------------------------------------------------------------ Mazur's numbers
def test_mazur_biases_frozen_by_ctrl_clicking_their_tags_gives_his_numbers(
        open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path), show=True)
    activate(qtbot, window)
    view, controller = window.network_view, window.controller
    click(qtbot, view, bias_point(view, BIASES[0]))
    for address in BIASES[1:]:
        click(qtbot, view, bias_point(view, address), ctrl=True)
    assert view.selected_parameters() == BIASES
    press_in_focus(qtbot, Qt.Key.Key_L, CTRL)
    assert controller.stepper.config.frozen == ("b^0_0", "b^0_1", "b^1_0", "b^1_1")
    assert undo_text(window) == "Undo Freeze 4 parameters"
    wait_refreshed(qtbot, window)
    assert all(lock_shown(view.bias_items[b]) for b in BIASES)
    assert not any(edge.frozen for edge in view.edges.values())

    press_in_focus(qtbot, Qt.Key.Key_F10)
    network = controller.network
    for k, printed in AFTER.items():  # the eight weights after his one update
        assert_printed(network.get(W[k]), printed)
    assert [network.get(b) for b in BIASES] == [0.35, 0.35, 0.60, 0.60]

    # 99 more updates against the numpy loop written out above
    controller.run(99)
    qtbot.waitUntil(lambda: not controller.running, timeout=10_000)
    assert controller.stepper.iteration == 100
    w0, w1, _, _, _ = mazur_loop(100)
    losses = mazur_loop(101)[4]  # losses[100]: E after 100 updates
    np.testing.assert_allclose(network.weights[0], w0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(network.weights[1], w1, rtol=0, atol=1e-14)
    assert abs(window.network_state()["loss"] - losses[100]) <= 1e-15
    assert [network.get(b) for b in BIASES] == [0.35, 0.35, 0.60, 0.60]
    # the biases really change the numbers: unfrozen, the loop gives another loss
    assert abs(mazur_loop(101, frozen_biases=False)[4][100] - losses[100]) > 1e-4


def test_frozen_across_save_and_open(open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path), show=True)
    activate(qtbot, window)
    view, controller = window.network_view, window.controller
    view.select_parameters([W[5], BIASES[3]])
    window.action_freeze.trigger()
    press_in_focus(qtbot, Qt.Key.Key_F10)
    saved = tmp_path / "saved.json"
    assert window.save_file(saved)
    assert json.loads(saved.read_text())["training"]["frozen"] == ["w^1_{0,0}", "b^1_1"]
    assert window.open_file(SEED_000)
    assert window.controller.stepper.config.frozen == ()
    assert window.open_file(saved)
    controller = window.controller
    config = controller.stepper.config
    assert config.frozen == ("w^1_{0,0}", "b^1_1")
    wait_refreshed(qtbot, window)
    assert lock_shown(view.edges[W[5]]) and lock_shown(view.bias_items[BIASES[3]])
    assert not any(view.bias_items[b].frozen for b in BIASES[:3])
    # the settings panel shows the rest of the settings as they were
    training = window.settings.training
    assert (training.loss.currentText(), training.optimizer.currentText(),
            training.learning_rate.value(), training.batch_size.value()) == (
        "half_sse", "gd", 0.5, 0)
    # and the run goes on from the file with them frozen
    w5, b11 = controller.network.get(W[5]), controller.network.get(BIASES[3])
    press_in_focus(qtbot, Qt.Key.Key_F10)
    assert controller.stepper.iteration == 2
    assert (controller.network.get(W[5]), controller.network.get(BIASES[3])) == (0.40, 0.60)
    assert (w5, b11) == (0.40, 0.60)


# ------------------------------------------------------------------ the right-click menu
# the offscreen platform says these of every popup it shows
@pytest.mark.qt_log_ignore("This plugin does not support raise",
                           "This plugin does not support grabbing the keyboard")
def test_right_click_on_a_bias_tag_offers_frozen(open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path), show=True)
    activate(qtbot, window)
    view = window.network_view
    click(qtbot, view, edge_point(view, W[8], 0.65))  # something else selected first
    point = bias_point(view, BIASES[2])
    seen = []

    def choose():
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(10, choose)
            return
        seen.append([a.objectName() for a in menu.actions()])
        window.action_freeze.trigger()
        menu.close()

    QTimer.singleShot(0, choose)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.RightButton, pos=point)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)))
    assert seen == [["action_freeze"]]
    assert view.selected_parameters() == [BIASES[2]]  # the right-click selected it alone
    assert window.controller.stepper.config.frozen == ("b^1_0",)
    assert undo_text(window) == "Undo Freeze b¹₀"


# ------------------------------------------------------------------ optimisers
@pytest.mark.parametrize("optimizer", ["gd", "sgd", "momentum", "adam"])
def test_frozen_under_each_optimiser_with_mini_batches(open_window, qtbot, optimizer):
    """seed 000's network and data (two observations), batches of one for all but gd."""
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    controller, view = window.controller, window.network_view
    training = window.settings.training
    training.optimizer.setCurrentText(optimizer)
    if optimizer != "gd":
        training.batch_size.setValue(1)
    frozen = [ParameterAddress.weight(1, 2, 0), ParameterAddress.bias(2, 1)]
    view.select_parameters(frozen)
    window.action_freeze.trigger()
    assert controller.stepper.config.frozen == ("w^1_{2,0}", "b^2_1")
    assert controller.stepper.config.optimizer == optimizer
    start = controller.network.theta.copy()
    for _ in range(6):
        press_in_focus(qtbot, Qt.Key.Key_F10)
    assert controller.stepper.iteration == 6
    theta = controller.network.theta
    indices = [controller.network.flat_index(a) for a in frozen]
    assert np.array_equal(theta[indices], start[indices])
    others = np.setdiff1d(np.arange(theta.size), indices)
    assert np.all(theta[others] != start[others])
    for vector in controller.stepper.optimizer.state.values():  # momentum's, Adam's
        if vector.shape == theta.shape:
            assert np.all(vector[indices] == 0.0) and np.any(vector[others] != 0.0)


# ------------------------------------------------------------------ structure edits
def test_removing_a_layer_carries_the_frozen_names_over(open_window, qtbot):
    window = open_window(SEED_000, show=True)
    activate(qtbot, window)
    controller, view = window.controller, window.network_view
    view.select_parameters([ParameterAddress.weight(2, 1, 0), ParameterAddress.bias(1, 2),
                            ParameterAddress.weight(0, 1, 2)])
    window.action_freeze.trigger()
    assert controller.stepper.config.frozen == ("w^0_{1,2}", "b^1_2", "w^2_{1,0}")
    panel = window.settings.structure
    panel.table.selectRow(1)
    qtbot.mouseClick(panel.buttons["remove_layer"], LEFT)
    assert controller.network.sizes == [2, 3, 2]
    # layer 1 went with W^0, so w^0_{1,2} with it; old layer 2 is layer 1
    assert controller.stepper.config.frozen == ("b^0_2", "w^1_{1,0}")
    wait_refreshed(qtbot, window)
    assert lock_shown(view.edges[ParameterAddress.weight(1, 1, 0)])
    assert lock_shown(view.bias_items[ParameterAddress.bias(0, 2)])
    assert sum(edge.frozen for edge in view.edges.values()) == 1
    window.action_undo.trigger()
    assert controller.network.sizes == [2, 3, 3, 2]
    assert controller.stepper.config.frozen == ("w^0_{1,2}", "b^1_2", "w^2_{1,0}")
    wait_refreshed(qtbot, window)
    assert lock_shown(view.edges[ParameterAddress.weight(0, 1, 2)])


def test_biases_off_drops_the_frozen_biases(open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path, ["b^0_0", "w^0_{1,1}"]), show=True)
    activate(qtbot, window)
    controller = window.controller
    window.settings.structure.bias_box.click()
    assert not controller.network.bias
    assert controller.stepper.config.frozen == ("w^0_{1,1}",)
    window.action_undo.trigger()
    assert controller.stepper.config.frozen == ("w^0_{1,1}", "b^0_0")


# ------------------------------------------------------------------ the matrices
def test_the_matrices_mark_the_frozen_cells_and_copy_as_before(open_window, qtbot, tmp_path):
    window = open_window(mazur_file(tmp_path, ["w^1_{0,0}", "b^0_1"]), show=True)
    activate(qtbot, window)
    view = window.matrix_view
    view.refresh()
    widgets = {w.block.title: w for w in view.block_widgets}
    forward = widgets["n^2 = [1 | a^1] × [b^1; W^1]"].tables["right"]
    model = forward.model()
    # [b^1; W^1]: row 0 the biases, w5 = w^1_{0,0} in row 1, column 0
    assert model.frozen == {(1, 0)}
    assert model.data(model.index(1, 0), DECORATION) is not None
    assert model.data(model.index(1, 1), DECORATION) is None
    assert FROZEN_NOTE in model.data(model.index(1, 0), TOOLTIP)
    assert FROZEN_NOTE not in model.data(model.index(0, 0), TOOLTIP)
    assert model.data(model.index(1, 0), Qt.ItemDataRole.DisplayRole) == "0.4"
    first = widgets["n^1 = [1 | a^0] × [b^0; W^0]"].tables["right"].model()
    assert first.frozen == {(0, 1)}  # b^0_1
    gradient = next(w for t, w in widgets.items() if t.startswith("[∂C/∂b^1; ∂C/∂W^1]"))
    assert gradient.tables["result"].model().frozen == {(1, 0)}
    # the copy is the matrix as it was: the marks are the view's only
    index = view.block_widgets.index(widgets["n^2 = [1 | a^1] × [b^1; W^1]"])
    copied = view.copy_block(index, "numpy", "right")
    assert copied == as_numpy(np.array([[0.60, 0.60], [0.40, 0.50], [0.45, 0.55]]))
    # unfrozen: the marks go at the next refresh
    window.network_view.select_parameters([W[5]])
    window.action_freeze.trigger()
    wait_refreshed(qtbot, window)
    assert model.frozen == frozenset()


# ------------------------------------------------------------------ large graphs
def test_a_batched_graph_draws_locks_on_its_frozen_weights(open_window, qtbot, tmp_path):
    from engine import InitSpec, Network, Stepper, TrainingConfig
    from engine.core.init import initial_theta
    from engine.io import fileformat

    network = Network([100, 40, 2], ["sigmoid", "sigmoid"], True)
    spec = InitSpec("normal", 1, {"std": 0.3})
    network.theta[...] = initial_theta(network, spec)
    rng = np.random.default_rng(0)
    # w^0_{80,3} leaves from an input folded away (the first 64 are drawn): no lock
    config = TrainingConfig(loss="sse", frozen=("w^0_{0,0}", "w^0_{3,5}", "w^1_{7,1}",
                                                "w^0_{80,3}", "b^0_4"))
    path = tmp_path / "big.json"
    fileformat.save(path, Stepper(network, rng.random((5, 100)), rng.random((5, 2)), config),
                    spec)
    window = open_window(path, show=True)
    view = window.network_view
    assert view.batched is not None
    wait_refreshed(qtbot, window)
    assert len(view.batched_locks) == 3
    assert all(lock.scene() is view.scene() for lock in view.batched_locks)
    # each on its weight's line, at LOCK_FRACTION of the way from its source
    plan = view.layout_plan
    start, end = plan.positions[1][7], plan.positions[2][1]
    expected = start + LOCK_FRACTION * (end - start)
    assert any(np.allclose([lock.pos().x(), lock.pos().y()], expected)
               for lock in view.batched_locks)
    window.controller.set_frozen([ParameterAddress.weight(1, 7, 1)], False)
    wait_refreshed(qtbot, window)
    assert len(view.batched_locks) == 2


def test_the_examples_still_open_unfrozen(open_window):
    """Freezing is opt-in: the examples on main freeze nothing, and their graphs no lock."""
    window = open_window(EXAMPLES / "seed-001-free.json")
    assert window.controller.stepper.config.frozen == ()
    assert not any(edge.frozen for edge in window.network_view.edges.values())
