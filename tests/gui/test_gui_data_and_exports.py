"""The data set editor, the decision boundary and File ▸ Export inside the main window: where
they are, the hover that shows a hidden neuron's map, and every export written from the
window. The editor, the boundary view and the export texts have their own tests
(test_gui_dataset_editor.py, test_gui_decision_boundary.py, test_export.py); the references
here are the engine's own run continued independently and files read back."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import numpy as np
import pytest
from gui_helpers import SEED_000, SEED_001_FREE, window_factory
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QGraphicsView,
    QTableView,
    QWidget,
)

from engine.io import fileformat


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot)


def test_the_data_and_boundary_docks_are_in_the_window(open_window):
    window = open_window(show=True, workspace="data")
    dock = window.findChild(QDockWidget, "dataset_table")
    assert dock is not None and dock.widget().widget() is window.dataset_editor  # scrolls
    assert window.findChild(QTableView, "dataset_table") is not None
    assert window.findChild(QWidget, "decision_boundary_view") is window.decision_boundary
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    for dock in (window.dataset_dock, window.decision_boundary_dock):
        assert dock.toggleViewAction() in view_menu.actions()
    export_menu = window.findChild(type(view_menu), "menu_export")
    names = {a.objectName() for a in export_menu.actions()}
    assert {"action_export_loss_plot", "action_export_weights", "action_export_gradients",
            "action_export_history", "action_export_trajectories", "action_export_numpy",
            "action_export_pytorch"} <= names
    assert all(a.toolTip() for a in export_menu.actions() if a.objectName())


def test_hovering_a_hidden_neuron_shows_its_map(open_window):
    window = open_window(SEED_001_FREE, show=True)
    boundary = window.decision_boundary
    window.network_view.neuron_hovered.emit((1, 1))
    assert boundary.neuron == (1, 1)
    window.network_view.neuron_hovered.emit((2, 0))  # the output: back to the output's map
    assert boundary.neuron is None
    window.network_view.neuron_hovered.emit((0, 1))  # an input has no map of its own
    assert boundary.neuron is None


def test_moving_the_mouse_over_a_neuron_emits_it(open_window, qtbot):
    window = open_window(SEED_001_FREE, show=True)
    view = window.network_view
    seen = []
    view.neuron_hovered.connect(seen.append)
    centre = view.mapFromScene(view.neurons[(1, 0)].sceneBoundingRect().center())
    qtbot.mouseMove(view.viewport(), centre)
    qtbot.waitUntil(lambda: (1, 0) in seen, timeout=2000)
    qtbot.mouseMove(view.viewport(), view.viewport().rect().topLeft())
    qtbot.waitUntil(lambda: seen[-1] is None, timeout=2000)


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"),
                                          (".csv", None)])
def test_plots_export_as_png_svg_and_csv(open_window, tmp_path, suffix, magic):
    from gui.parts.exports import export_plot

    window = open_window(show=True)
    window.controller.stepper.run(20)
    window.controller.position_changed.emit()
    window.refresh()
    path = tmp_path / f"loss{suffix}"
    export_plot(window.loss_plot, path)
    data = path.read_bytes()
    if magic is not None:
        assert data.startswith(magic)
    else:  # the loss of each iteration, as the history holds it
        rows = [r for r in csv.reader(io.StringIO(data.decode())) if r]
        values = [float(r[1]) for r in rows[1:]]
        np.testing.assert_allclose(values, window.controller.stepper.history.losses[:20],
                                   rtol=1e-6)


def test_an_unknown_plot_format_is_refused(open_window, tmp_path):
    from gui.parts.exports import export_plot

    window = open_window()
    with pytest.raises(ValueError, match="choose .png, .svg or .csv"):
        export_plot(window.loss_plot, tmp_path / "loss.gif")


def test_weights_gradients_and_history_export_as_csv(open_window, tmp_path):
    window = open_window(SEED_001_FREE)
    stepper = window.controller.stepper
    stepper.run(30)
    exports = window.exports
    exports.export_weights(tmp_path / "w.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "w.csv").read_text())))
    assert [float(r["value"]) for r in rows] == stepper.network.theta.tolist()
    exports.export_gradients(tmp_path / "g.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text())))
    # ∂C/∂θ by central differences at the exported state
    theta = stepper.network.theta.copy()
    numeric = []
    for k in range(theta.size):
        values = []
        for h in (1e-6, -1e-6):
            stepper.network.theta[k] = theta[k] + h
            values.append(stepper.evaluate(full=True, backward=True).loss)
        stepper.network.theta[k] = theta[k]
        numeric.append((values[0] - values[1]) / 2e-6)
    np.testing.assert_allclose([float(r["gradient"]) for r in rows], numeric, rtol=1e-5,
                               atol=1e-9)
    exports.export_history(tmp_path / "h.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "h.csv").read_text())))
    assert [float(r["loss"]) for r in rows] == stepper.history.losses.tolist()
    exports.export_trajectories(tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert len(lines) == 1 + len(stepper.history.snapshot_iterations)


def test_the_numpy_script_trains_on_from_the_current_weights(open_window, tmp_path):
    window = open_window(SEED_000)
    window.controller.stepper.run(50)
    window.exports.export_numpy(tmp_path / "script.py", 200)
    printed = subprocess.run([sys.executable, str(tmp_path / "script.py")],
                             capture_output=True, text=True, check=True, timeout=60).stdout
    found = re.search(r"loss after 200 iterations from iteration 50: (\S+)", printed)
    assert found is not None, printed
    # the reference: the same network saved and trained on by a fresh stepper, and the
    # run in the window going on: all three agree to the last bit
    fileformat.save(tmp_path / "state.json", window.exports.document())
    reference = fileformat.load(tmp_path / "state.json").make_stepper()
    reference.run(200)
    window.controller.stepper.run(200)
    assert float(found.group(1)) == reference.evaluate(full=True, backward=True).loss
    assert float(found.group(1)) == window.controller.stepper.evaluate(full=True).loss


def test_a_script_named_like_its_library_is_refused(open_window, tmp_path, monkeypatch):
    import gui.parts.exports

    window = open_window()
    monkeypatch.setattr(gui.parts.exports.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "numpy.py"), ""))
    window.exports.ask_iterations = lambda kind: 10
    window.exports._script_dialog(window.exports.export_numpy, "NumPy")
    assert not (tmp_path / "numpy.py").exists()
    assert "would hide the numpy library" in window.last_error
    for dialog in window.findChildren(QWidget, "error_dialog"):
        dialog.close()


def test_an_export_that_cannot_be_written_says_so(open_window, tmp_path):
    window = open_window()
    window.exports._run(window.exports.export_weights, tmp_path / "missing" / "w.csv")
    assert "missing" in window.last_error
    for dialog in window.findChildren(QWidget, "error_dialog"):
        dialog.close()


def test_every_kind_of_edit_is_undone_with_a_readable_name(open_window, qtbot):
    """Weights, biases, structure, data, settings and initialisation: each edit names itself
    in the Edit menu, and undo gives back exactly what was there."""
    from engine.core.network import ParameterAddress
    from gui.commands import ChangeSettingsCommand

    window = open_window(SEED_001_FREE)
    c = window.controller
    original = (c.network.theta.copy(), c.stepper.inputs.copy(), c.network.sizes,
                c.stepper.config)
    weight = ParameterAddress.weight(1, 0, 0)
    window.network_view.select_parameters([weight])
    assert window.set_selected_to("0.5")
    # seed 001's own name for w^1_{0,0} (issue 14: undo texts say w1 … w6 where they exist)
    assert window.action_undo.text() == "&Undo Set w5 = 0.5"
    assert c.network.get(weight) == 0.5
    window.dataset_editor.add_row()
    assert window.action_undo.text() == f"&Undo Add observation {len(original[1])}"
    assert len(c.stepper.inputs) == len(original[1]) + 1
    window.settings.structure.add_neuron()
    assert window.action_undo.text().startswith("&Undo ")
    assert "neuron" in window.action_undo.text()
    assert c.network.sizes != original[2]
    c.push(ChangeSettingsCommand(c, c.stepper.config.with_changes(learning_rate=0.125),
                                 "Set learning_rate = 0.125"))
    assert window.action_undo.text() == "&Undo Set learning_rate = 0.125"
    window.settings.init.reinitialise()
    assert window.action_undo.text().startswith("&Undo ")
    while c.undo_stack.canUndo():
        window.action_undo.trigger()
    assert np.array_equal(c.network.theta, original[0])
    assert np.array_equal(c.stepper.inputs, original[1])
    assert c.network.sizes == original[2] and c.stepper.config == original[3]


# the offscreen platform cannot raise the dialog or let the popup menu grab the keyboard
@pytest.mark.qt_log_ignore("This plugin does not support raise",
                           "This plugin does not support grabbing the keyboard")
def test_the_plots_right_click_export_offers_a_working_svg(open_window, tmp_path):
    """pyqtgraph's own SVG exporter raises on Qt 6.11's paths; the window puts one that
    draws through Qt in its place when the plot's right-click Export… dialog is first opened
    (not at start-up), so that dialog's SVG works."""
    window = open_window(show=True)
    window.controller.stepper.run(20)
    window.controller.position_changed.emit()
    window.refresh()
    view = window.loss_plot
    assert isinstance(view, QGraphicsView) and view.isVisible()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.RightButton,
                     pos=view.viewport().rect().center())
    menu = QApplication.activePopupWidget()
    assert menu is not None, "the right-click opened no menu"
    export = next(a for a in menu.actions() if a.text().startswith("Export"))
    menu.close()
    export.trigger()  # as a click on the menu's Export… does
    dialog = view.scene().exportDialog
    try:
        offered = [dialog.ui.formatList.item(i).text()
                   for i in range(dialog.ui.formatList.count())]
        import pyqtgraph.exporters as exporters

        kinds = exporters.listExporters()
    finally:
        dialog.close()
    assert exporters.SVGExporter not in kinds
    svg = [kind for kind in kinds if kind.Name.startswith("Scalable Vector Graphics")]
    assert len(svg) == 1 and offered.count(svg[0].Name) == 1
    path = tmp_path / "loss.svg"
    svg[0](window.loss_plot.getPlotItem()).export(fileName=str(path))
    text = path.read_text()
    assert text.startswith("<?xml") and "<svg" in text and "<path" in text
