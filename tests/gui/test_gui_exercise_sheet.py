"""File ▸ Export ▸ Exercise sheet… in the window: the hooks answered as a learner would, the
sheet and its key written, the window's position untouched, a bad count refused. The
sheet's contents are tested in tests/engine/io/test_exercise_sheet.py; here the key is
checked against the window's own engine stepped on afterwards, and against seed 000's printed
numbers."""

from __future__ import annotations

import json

import numpy as np
from gui_helpers import SEED_000
from paths import REFERENCE_FILE
from PySide6.QtWidgets import QMenu, QWidget

from gui.parts.files import documents_folder

REFERENCE = json.loads(REFERENCE_FILE.read_text())


def sheet_action(window):
    menu = window.findChild(QMenu, "menu_export")
    found = [a for a in menu.actions() if a.objectName() == "action_export_exercise_sheet"]
    assert len(found) == 1 and found[0].toolTip()
    return found[0]


def position(window):
    stepper = window.controller.stepper
    return stepper.iteration, stepper.phase, stepper.network.theta.copy(), stepper.head_position


def close_error_dialogs(window) -> None:
    for dialog in window.findChildren(QWidget, "error_dialog"):
        dialog.close()


def test_the_menu_writes_a_sheet_and_its_key_and_the_window_does_not_move(open_window,
                                                                          tmp_path):
    window = open_window(SEED_000)
    for _ in range(2):
        window.controller.step_phase()
    before = position(window)
    asked = {}

    def phases(default):
        asked["default"] = default
        return 10

    def path(suggested):
        asked["suggested"] = suggested
        return tmp_path / "week1.tex"

    window.exports.ask_sheet_phases = phases
    window.exports.ask_sheet_path = path
    sheet_action(window).trigger()
    assert asked["default"] == 8  # one iteration of the 2-3-3-2 network: 2L + 2
    assert asked["suggested"].name == "seed-000-sheet.md"
    assert asked["suggested"].parent == documents_folder()
    sheet, key = tmp_path / "week1.tex", tmp_path / "week1-answers.tex"
    assert sheet.read_text().startswith(r"\documentclass") and key.exists()
    assert sheet.read_text().count(r"\subsubsection*{Exercise") == 10
    assert "Exported an exercise sheet of 10 phases" in window.statusBar().currentMessage()
    assert "week1-answers.tex" in window.statusBar().currentMessage()
    after = position(window)
    assert after[:2] == before[:2] and after[3] == before[3]
    np.testing.assert_array_equal(after[2], before[2])
    assert window.last_error is None
    # the key's first exercise is forward layer 3: seed 000's printed a^3 (7 decimals)
    text = key.read_text()
    first = text.split(r"\subsubsection*{Exercise 1: iteration 0, forward layer 3}")[1]
    row = next(line for line in first.splitlines() if line.startswith("obs 0 & $0.98"))
    cells = [float(cell.strip(" $")) for cell in row.split(r"\\")[0].split("&")[1:]]
    np.testing.assert_allclose(cells, REFERENCE["activation_layer_3"][0], atol=3e-7)


def test_a_markdown_sheet_agrees_with_the_window_stepped_on(open_window, tmp_path):
    window = open_window(SEED_000)
    window.exports.ask_sheet_phases = lambda default: default
    window.exports.ask_sheet_path = lambda suggested: tmp_path / suggested.name
    sheet_action(window).trigger()
    key = tmp_path / "seed-000-sheet-answers.md"
    loss_line = key.read_text(encoding="utf-8").split("| C | value |")[1].splitlines()[2]
    for _ in range(4):  # forward 1 … 3, loss
        window.controller.step_phase()
    assert float(loss_line.split("|")[2]) == float(f"{window.controller.stepper.trace.loss:.7f}")


def test_a_bad_number_of_phases_is_refused_with_a_message(open_window, tmp_path):
    window = open_window(SEED_000)
    before = position(window)
    asked = []
    window.exports.ask_sheet_path = lambda suggested: asked.append(suggested) or tmp_path / "s.md"
    for bad in (0, 101):
        window.exports.ask_sheet_phases = lambda default, bad=bad: bad
        sheet_action(window).trigger()
        assert f"phases: a whole number from 1 to 100, not {bad}" in window.last_error
        close_error_dialogs(window)
    assert asked == [] and list(tmp_path.iterdir()) == []
    assert position(window)[:2] == before[:2]


def test_a_name_that_is_not_md_or_tex_and_a_cancel(open_window, tmp_path):
    window = open_window(SEED_000)
    window.exports.ask_sheet_phases = lambda default: 3
    window.exports.ask_sheet_path = lambda suggested: tmp_path / "sheet.txt"
    sheet_action(window).trigger()
    assert "sheet.txt" in window.last_error
    assert ".md (Markdown) or .tex (LaTeX)" in window.last_error
    close_error_dialogs(window)
    window.exports.ask_sheet_path = lambda suggested: None  # the dialog cancelled
    message = window.statusBar().currentMessage()
    sheet_action(window).trigger()
    assert list(tmp_path.iterdir()) == [] and window.statusBar().currentMessage() == message


def test_the_save_dialog_gives_a_name_without_a_suffix_the_chosen_format(open_window, tmp_path,
                                                                        monkeypatch):
    import gui.parts.exports

    window = open_window(SEED_000)
    seen = []

    def dialog(parent, title, start, filters):
        seen.append((start, filters))
        return str(tmp_path / "week2"), "LaTeX (*.tex)"

    monkeypatch.setattr(gui.parts.exports.QFileDialog, "getSaveFileName", dialog)
    window.exports.ask_sheet_phases = lambda default: 2
    sheet_action(window).trigger()
    assert seen == [(str(documents_folder() / "seed-000-sheet.md"),
                     "Markdown (*.md);;LaTeX (*.tex)")]
    assert (tmp_path / "week2.tex").exists() and (tmp_path / "week2-answers.tex").exists()
