"""Makes docs/screenshots/workspace-{learn,debug,data}.png: the three workspaces as a laptop
shows them (the window at 90 % of a 1280 × 720 screen, 1152 × 648).

- Learn: a first start (the welcome panel beside seed 000's network, the loss below);
- Debug: seed 001 (free) after 100 iterations, stepped into the backward pass, hidden
  neuron 0 of layer 1 selected (the inspector's rows per observation);
- Data: xor after 300 iterations (the data table, the decision boundary, the loss).

    python docs/screenshots/workspaces.py
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp()  # a first start, every time
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.main_window import MainWindow  # noqa: E402
from gui.parts.screen import fitted  # noqa: E402

EXAMPLES = REPO / "resources" / "examples"
app = QApplication([])


def settle() -> None:
    for _ in range(4):
        app.processEvents()


def picture(window: MainWindow, name: str) -> None:
    window.refresh()
    settle()
    window.grab().save(str(Path(__file__).with_name(f"workspace-{name}.png")))
    window.files.ask_unsaved = lambda: "discard"  # a picture, not work to keep
    window.close()


def open_at_laptop_size(path: Path | None, **options) -> MainWindow:
    window = MainWindow(path, **options)
    window.setGeometry(fitted(QRect(0, 0, 1280, 720)))
    window.workspaces.action_reset_layout.trigger()  # the first sizes, for this size
    window.show()
    settle()
    return window


learn = open_at_laptop_size(None, remember_layout=True)
learn.welcome.show()  # as at the first start (Reset layout put it away)
settle()
picture(learn, "learn")

debug = open_at_laptop_size(EXAMPLES / "seed-001-free.json", workspace="debug")
debug.controller.run_now(100)
for _ in range(5):  # forward, forward, loss, backward of the output layer, …
    debug.controller.step_phase()
debug.network_view.select_neuron((1, 0))
picture(debug, "debug")

data = open_at_laptop_size(EXAMPLES / "xor.json", workspace="data")
data.controller.run_now(300)
picture(data, "data")
