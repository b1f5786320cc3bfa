"""File ▸ Examples: every example file with its one line, a broken one disabled with what is
wrong, and Mazur's worked example opened from the menu and stepped with F10 as a learner
does, his numbers read from what the views show (edge labels, inspector, loss plot)."""

from __future__ import annotations

import json

import pytest
from gui_helpers import EXAMPLES, activate, wait_refreshed
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from engine.core.network import ParameterAddress
from engine.io import fileformat

# the offscreen platform cannot raise the menu's popup or let it grab the keyboard
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise",
                                       "This plugin does not support grabbing the keyboard")

MAZUR = EXAMPLES / "mazur-2-2-2.json"
# his w1 … w8 after one update, as he printed them, and where they are in our W^0, W^1
AFTER_ONE_UPDATE = {"w1": "0.149780716", "w2": "0.19956143", "w3": "0.24975114",
                    "w4": "0.29950229", "w5": "0.35891648", "w6": "0.408666186",
                    "w7": "0.511301270", "w8": "0.561370121"}
ADDRESS = {"w1": (0, 0, 0), "w2": (0, 1, 0), "w3": (0, 0, 1), "w4": (0, 1, 1),
           "w5": (1, 0, 0), "w6": (1, 1, 0), "w7": (1, 0, 1), "w8": (1, 1, 1)}


def shown(value: str, digits: int) -> str:
    """His printed number as a view shows it, to ``digits`` significant digits."""
    return f"{float(value):.{digits}g}"


def examples_menu(window) -> QMenu:
    file_menu = window.menuBar().findChild(QMenu, "menu_file")
    menu = file_menu.findChild(QMenu, "menu_examples")
    assert menu is not None and menu.menuAction() in file_menu.actions()
    return menu


def show_menu(qtbot, menu: QMenu) -> None:
    menu.popup(QPoint(10, 10))
    qtbot.waitUntil(menu.isVisible, timeout=2000)


def choose(qtbot, window, name: str) -> None:
    """File ▸ Examples ▸ ``name``: the menu shown, the entry clicked."""
    menu = examples_menu(window)
    show_menu(qtbot, menu)
    action = next(a for a in menu.actions() if a.text().startswith(f"{name} — "))
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)


def test_the_menu_lists_every_example_file_with_its_line(open_window, qtbot):
    window = open_window(show=True)
    menu = examples_menu(window)
    assert menu.actions() == []  # nothing read while the window was built
    show_menu(qtbot, menu)
    entries = [a for a in menu.actions() if not a.isSeparator()]
    files = sorted(EXAMPLES.glob("*.json"))
    assert len(entries) == len(files) >= 10
    for action, path in zip(entries, files, strict=True):
        line = json.loads(path.read_text(encoding="utf-8"))["description"]
        assert action.text() == f"{path.stem} — {line}"
        assert action.toolTip() == action.statusTip() == f"{path.name}: {line}"
        assert action.isEnabled()
    menu.close()


def test_a_broken_example_is_listed_disabled_with_what_is_wrong(open_window, qtbot,
                                                                tmp_path):
    window = open_window(show=True)
    (tmp_path / "a-good.json").write_bytes(MAZUR.read_bytes())
    broken = json.loads(MAZUR.read_text(encoding="utf-8"))
    broken["training"]["loss"] = "half_sses"
    (tmp_path / "b-broken.json").write_text(json.dumps(broken), encoding="utf-8")
    (tmp_path / "c-not-json.json").write_text("{", encoding="utf-8")
    window.files.examples_menu.folder = tmp_path
    menu = examples_menu(window)
    show_menu(qtbot, menu)
    good, bad, not_json = menu.actions()
    assert good.isEnabled() and good.text().startswith("a-good — Matt Mazur's")
    assert not bad.isEnabled() and bad.text() == "b-broken (cannot be opened)"
    assert bad.toolTip().startswith('training.loss: unknown loss "half_sses"')
    assert bad.statusTip().startswith("b-broken.json: training.loss:")
    assert not not_json.isEnabled() and "not valid JSON" in not_json.toolTip()
    menu.close()
    path = window.controller.path
    bad.trigger()  # disabled: nothing happens
    assert window.controller.path == path


def test_mazur_from_the_menu_shows_his_numbers_and_one_f10_his_update(open_window, qtbot):
    window = open_window(show=True)
    choose(qtbot, window, "mazur-2-2-2")
    c = window.controller
    assert c.path == MAZUR and window.files.is_template(c.path)
    assert c.stepper.config.loss == "half_sse" and c.stepper.iteration == 0
    wait_refreshed(qtbot, window)
    view, debugger = window.network_view, window.debugger
    labels = {e.label_text.text().split(" = ")[0]: e.label_text.text()
              for e in view.edges.values()}
    assert labels["w5"] == "w5 = 0.4" and labels["w8"] == "w8 = 0.55"

    # the forward pass in the inspector: out_h1 = a¹₀, out_o1 = a²₀ (7 significant digits)
    debugger.docks["inspector"].raise_()
    view.select_neuron((1, 0))
    wait_refreshed(qtbot, window)
    text = table_text(debugger.inspector.table)
    assert shown("0.3775", 7) in text["n¹₀"] and shown("0.593269992", 7) in text["a¹₀"]
    view.select_neuron((2, 0))
    wait_refreshed(qtbot, window)
    text = table_text(debugger.inspector.table)
    assert text["n²₀"] == [shown("1.105905967", 7)]
    assert text["a²₀"] == [shown("0.75136507", 7)]
    view.select_neuron((2, 1))
    wait_refreshed(qtbot, window)
    assert table_text(debugger.inspector.table)["a²₁"] == [shown("0.772928465", 7)]

    # one iteration with the real key
    activate(qtbot, window)
    view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: c.stepper.iteration == 1, timeout=2000)
    wait_refreshed(qtbot, window)
    # E before the update: the loss plot's first point, to his nine decimals
    x, y = window.loss_plot.curve.getOriginalDataset()
    assert list(x) == [0] and f"{y[0]:.9f}" == "0.298371109"
    for name, printed in AFTER_ONE_UPDATE.items():
        label = next(e.label_text.text() for e in view.edges.values()
                     if e.label_text.text().startswith(f"{name} = "))
        assert label == f"{name} = {float(printed):.4f}", label
        view.select_parameters([ParameterAddress.weight(*ADDRESS[name])])
        wait_refreshed(qtbot, window)
        details = debugger.inspector.details.text()
        assert f"value: {shown(printed, 7)}\n" in details, (name, details)
    # the frozen biases: still 0.35 and 0.6
    assert list(c.network.biases[0]) == [0.35, 0.35] and list(c.network.biases[1]) == [0.6, 0.6]


def table_text(table) -> dict[str, list[str]]:
    headers = [table.horizontalHeaderItem(k).text() for k in range(table.columnCount())]
    return {header: [table.item(r, k).text() for r in range(table.rowCount())]
            for k, header in enumerate(headers)}


@pytest.mark.parametrize("answer", ["cancel", "discard"])
def test_choosing_an_example_asks_about_unsaved_work_first(open_window, qtbot, answer):
    window = open_window(EXAMPLES / "seed-000.json", show=True)
    c = window.controller
    c.set_parameters([ParameterAddress.weight(0, 0, 0)], [0.7])
    asked = []
    window.files.ask_unsaved = lambda: asked.append(True) or answer
    choose(qtbot, window, "mazur-2-2-2")
    assert asked == [True]
    if answer == "cancel":
        assert c.path == EXAMPLES / "seed-000.json" and c.network.weights[0][0, 0] == 0.7
    else:
        assert c.path == MAZUR and list(c.network.sizes) == [2, 2, 2]
    window.files.ask_unsaved = lambda: "discard"  # closing at the end asks nothing


def test_the_description_is_saved_with_the_work(open_window, qtbot, tmp_path):
    window = open_window(show=True)
    choose(qtbot, window, "mazur-2-2-2")
    window.controller.step_iteration()
    path = tmp_path / "mine.json"
    assert window.save_file(path)
    saved = fileformat.load(path)
    assert saved.description == fileformat.load(MAZUR).description
    assert saved.state.iteration == 1
    assert saved.training.frozen == ("b^0_0", "b^0_1", "b^1_0", "b^1_1")
    assert f"{float(saved.network.weights[1][0, 0]):.8f}" == "0.35891648"  # his w5
