"""Starting the app: the window on a file or a lesson (or a picture of it), and the hook that
shows an exception escaping a slot in a dialog."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from PySide6.QtWidgets import QApplication


def run_app(path: Path | None, screenshot: Path | None = None, steps: int = 0,
            lesson: tuple[str, int] | None = None) -> int:
    """The app on ``path``, or on ``lesson`` (its key and step index); with ``screenshot``
    a picture of the window instead, after ``steps`` iterations."""
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Backprop Lab")
    from ..main_window import MainWindow  # here: the window imports this module

    try:
        window = MainWindow(path, remember_layout=screenshot is None)
    except (OSError, ValueError) as error:
        print(f"backprop-lab: {path}: {error}", file=sys.stderr)
        return 2
    if screenshot is not None:  # as a laptop shows it (90 % of 1280 × 720), not the offscreen
        from PySide6.QtCore import QRect  # platform's own square screen

        from .screen import fitted

        window.setGeometry(fitted(QRect(0, 0, 1280, 720)))
        window.workspaces.action_reset_layout.trigger()  # the first sizes for that size
    window.show()
    if steps:
        window.controller.run_now(steps)
    if screenshot is None:
        install_exception_hook(window)
        window.files.offer_recovery()  # before a lesson: it would replace the lesson's work
    if lesson is not None:
        app.processEvents()
        window.lessons.start(*lesson)
    if screenshot is not None:
        app.processEvents()
        app.processEvents()  # the lesson dock's size, set once it is laid out
        window.refresh()
        app.processEvents()
        ok = window.grab().save(str(screenshot))
        window.files.ask_unsaved = lambda: "discard"  # a picture, not work to keep
        window.close()
        if not ok:
            print(f"backprop-lab: could not write {screenshot}", file=sys.stderr)
            return 2
        return 0
    return app.exec()


def install_exception_hook(window) -> None:
    """An exception that escapes a slot is shown in a dialog (and printed); the app and the
    work go on. A run in progress pauses, so one fault does not open a dialog per chunk."""
    def hook(kind, error, trace) -> None:
        text = "".join(traceback.format_exception(kind, error, trace))
        print(text, file=sys.stderr, end="")
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        window.show_exception(kind, error, text)

    sys.excepthook = hook
