"""Lesson files in the window (issue 15): the Lessons menu lists every file of
resources/lessons; Lessons ▸ Open lesson file… starts any other, through its dialog hook;
a broken file is named in an error dialog and leaves the running lesson and the work as
they were; app.py --lesson takes a lesson file too."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
from gui_helpers import EXAMPLES, REPO, wait_refreshed, window_factory
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton

from engine import lessons

LESSONS_FOLDER = REPO / "resources" / "lessons"


@pytest.fixture
def open_window(qtbot):
    yield from window_factory(qtbot)


def menu_action(window, name: str):
    menu = window.findChild(QMenu, "menu_lessons")
    found = [action for action in menu.actions() if action.objectName() == name]
    assert len(found) == 1, name
    return found[0]


def one_lesson(tmp_path, network: dict, **step) -> object:
    """A one-step lesson file beside its own network file, in tmp_path."""
    (tmp_path / "mine-net.json").write_text(json.dumps(network), encoding="utf-8")
    lesson = {"format": "backprop-lab-lesson/1", "title": "My lesson", "summary": "Mine.",
              "steps": [{"title": "The first step", "text": "Hello $a^1$.",
                         "actions": [{"load": "mine-net.json", "text": "Lesson: mine"}],
                         **step}]}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(lesson), encoding="utf-8")
    return path


def seed_000_with(value: float) -> dict:
    document = json.loads((EXAMPLES / "seed-000.json").read_text(encoding="utf-8"))
    document["network"]["weights"][0][0][0] = value
    return document


def error_boxes(window) -> list[QMessageBox]:
    return window.findChildren(QMessageBox, "error_dialog")


def close_errors(qtbot, window) -> None:
    for box in error_boxes(window):
        box.close()
    qtbot.waitUntil(lambda: not error_boxes(window), timeout=2000)


def test_the_menu_lists_every_lesson_file_with_its_summary(open_window):
    window = open_window()
    files = sorted(LESSONS_FOLDER.glob("*.json"))
    assert len(files) == 6
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = path.stem.split("-", 1)[1]  # "05-hidden-bias" → "hidden-bias"
        action = menu_action(window, f"action_lesson_{key.replace('-', '_')}")
        assert action.text() == data["title"]
        assert action.toolTip() == data["summary"]
    opener = menu_action(window, "action_open_lesson")
    assert opener.text() == "&Open lesson file…" and opener.isEnabled()


def test_open_lesson_file_starts_the_chosen_lesson(open_window, qtbot, tmp_path):
    path = one_lesson(tmp_path, seed_000_with(0.25), select=[[1, 0]],
                      claims=[{"kind": "distinct_hidden", "count": "all"}])
    window = open_window(show=True)
    asked = []
    window.lessons.choose_lesson_file = lambda: asked.append(True) or path
    menu_action(window, "action_open_lesson").trigger()
    assert asked == [True]
    lesson = window.lessons.lesson
    assert lesson is not None and lesson.title == "My lesson" and lesson.path == path.resolve()
    panel = window.lessons.panel
    assert "Step 1 of 1" in panel.heading.text()
    assert "Hello a1." in panel.text.toPlainText()  # a^1 typeset (a superscript 1)
    assert window.controller.network.weights[0][0, 0] == 0.25  # the file beside the lesson
    assert window.controller.network.sizes == [2, 3, 3, 2]
    wait_refreshed(qtbot, window)
    window.lessons.check_now()
    # w^0_{0,0} = 0.25 sets neuron 0 of layer 1 apart from the other two, which stay one
    assert [verdict.holds for _, verdict in window.lessons.verdicts] == [False]
    assert "layer 1: 2 distinct of 3" in window.lessons.verdicts[0][1].detail
    assert window.findChild(QPushButton, "lesson_next").isEnabled()


def test_a_cancelled_dialog_changes_nothing(open_window):
    window = open_window()
    theta = window.controller.network.theta.copy()
    window.lessons.choose_lesson_file = lambda: None
    assert window.lessons.open_lesson_file() is False
    assert window.lessons.lesson is None
    np.testing.assert_array_equal(window.controller.network.theta, theta)


@pytest.mark.parametrize(("broken", "named"), [
    ("unknown claim", 'steps[0].claims[0].kind: unknown claim "identicall"'),
    ("syntax", "file: not valid JSON: Expecting property name enclosed in double quotes at "
               "line 1, column 2"),
    ("missing network", 'steps[0].actions[0].load: no network file "mine-net.json"'),
])
def test_a_broken_lesson_file_is_named_and_the_lesson_goes_on(open_window, qtbot, tmp_path,
                                                             broken, named):
    window = open_window(show=True)
    window.lessons.start_actions["w5-w6"].trigger()
    window.findChild(QPushButton, "lesson_next").click()  # step 2: 500 iterations
    wait_refreshed(qtbot, window)
    c = window.controller
    before = (window.lessons.lesson, window.lessons.index, c.stepper, c.stepper.iteration,
              c.network.theta.copy(), c.undo_stack.count(),
              window.lessons.panel.heading.text())
    path = one_lesson(tmp_path, seed_000_with(1.0), claims=[{"kind": "identicall"}])
    if broken == "syntax":
        path.write_text("{,}", encoding="utf-8")
    elif broken == "missing network":  # (its actions are read before its claims)
        (tmp_path / "mine-net.json").unlink()
    window.lessons.choose_lesson_file = lambda: path
    menu_action(window, "action_open_lesson").trigger()
    boxes = error_boxes(window)
    assert len(boxes) == 1 and boxes[0].isVisible()
    assert boxes[0].text().startswith(f"{path.name}: ") and named in boxes[0].text()
    assert named in window.last_error
    close_errors(qtbot, window)
    after = (window.lessons.lesson, window.lessons.index, c.stepper, c.stepper.iteration,
             c.network.theta.copy(), c.undo_stack.count(),
             window.lessons.panel.heading.text())
    assert after[:4] == before[:4]
    np.testing.assert_array_equal(after[4], before[4])
    assert after[5:] == before[5:]
    assert window.lessons.lesson.key == "w5-w6" and "Step 2 of 4" in after[6]
    assert window.lessons.dock.isVisible()


def test_the_hidden_bias_runs_in_the_window(open_window, qtbot):
    """The fifth lesson, from its file, to the step about what no weight can fit: its
    claims hold live, and the output at (0, 0) is σ(0) = 0.5 exactly."""
    window = open_window(show=True)
    window.lessons.start_actions["hidden-bias"].trigger()
    assert window.controller.network.bias
    for _ in range(5):
        window.findChild(QPushButton, "lesson_next").click()
        wait_refreshed(qtbot, window)
    assert window.lessons.lesson.steps[window.lessons.index].title == "What no weight can fit"
    c = window.controller
    assert not c.network.bias and c.stepper.iteration == 1000
    outputs = 1.0 / (1.0 + np.exp(-(c.stepper.inputs @ c.network.weights[0])))
    assert outputs[0, 0] == 0.5
    window.lessons.check_now()
    assert all(verdict.holds for _, verdict in window.lessons.verdicts)


def screenshot_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_a_lesson_file_from_the_command_line(tmp_path):
    out = tmp_path / "lesson.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "app.py", "--lesson", str(LESSONS_FOLDER / "05-hidden-bias.json"),
         "--lesson-step", "2", "--screenshot", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=90, check=False, env=env)
    assert result.returncode == 0, result.stderr
    width, height = screenshot_size(out.read_bytes())
    assert width >= 400 and height >= 300
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "backprop-lab-lesson/1", "title": 5}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "app.py", "--lesson", str(broken), "--screenshot",
         str(tmp_path / "x.png")],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False, env=env)
    assert result.returncode == 2
    assert "broken.json: summary: missing" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_help_says_where_the_lesson_format_is():
    from gui.parts.help import lessons_markdown

    text = lessons_markdown()
    assert "Open lesson file" in text and "(lesson-format.md)" in text
    assert (REPO / "docs" / "lesson-format.md").is_file()
    for lesson in lessons.LESSONS:
        assert f"(lesson:{lesson.key})" in text


def test_a_broken_file_among_the_lessons_is_named_in_the_menu(open_window, tmp_path,
                                                              monkeypatch, qtbot):
    """A teacher's broken files dropped into resources/lessons do not stop the window: the
    other lessons are listed; one whose title cannot be read is named, disabled, with the
    field at fault; one whose steps are broken is listed (the menu reads titles only) and
    starting it names the field and changes nothing."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    for path in lessons.lesson_files()[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "03-mine.json").write_text('{"format": "backprop-lab-lesson/1", "title": 3}')
    (folder / "04-steps.json").write_text(json.dumps({
        "format": "backprop-lab-lesson/1", "title": "Broken steps", "summary": "s",
        "steps": [{"title": "a", "text": "b", "actions": [{"load": "seed-000.json"}],
                   "claims": [{"kind": "identicall"}]}]}))
    monkeypatch.setattr(lessons, "lesson_files",
                        lambda: lessons.catalogue.lesson_files(folder))
    lessons.forget_read_lessons()
    try:
        window = open_window()
        menu = window.findChild(QMenu, "menu_lessons")
        texts = [action.text() for action in menu.actions()]
        titles = [header.title for header in lessons.HEADERS]
        assert titles[-1] == "Broken steps" and texts[:3] == titles
        broken = next(a for a in menu.actions() if a.objectName() == "action_broken_lesson")
        assert broken.text() == "03-mine.json (cannot be read)" and not broken.isEnabled()
        assert broken.toolTip() == "summary: missing"  # the field at fault
        errors = []
        window.show_error = lambda title, text: errors.append(text)
        window.files.show_error = window.show_error
        theta = window.controller.network.theta.copy()
        assert not window.lessons.start("steps")
        assert len(errors) == 1 and "steps[0].claims[0].kind" in errors[0]
        assert window.lessons.lesson is None
        assert np.array_equal(window.controller.network.theta, theta)
    finally:
        lessons.forget_read_lessons()  # the next test reads the real folder again
