"""Makes docs/screenshots/predict.png: predict mode on seed 000 as a laptop shows it (the
window at 90 % of a 1280 × 720 screen), in Debug: forward layer 1 stepped, a¹ predicted
without the bias (σ(1.2) = 0.7685248, σ(0.6) = 0.6456563) and checked, the mistake named.

    python docs/screenshots/predict.py
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp()
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.main_window import MainWindow  # noqa: E402
from gui.parts.screen import fitted  # noqa: E402

app = QApplication([])


def settle() -> None:
    for _ in range(4):
        app.processEvents()


window = MainWindow(REPO / "resources" / "examples" / "seed-000.json", workspace="debug")
window.setGeometry(fitted(QRect(0, 0, 1280, 720)))
window.workspaces.action_reset_layout.trigger()
window.show()
settle()
window.action_predict.trigger()
window.action_step_phase.trigger()
settle()
window.predict_panel.input.setPlainText("0.7685248 0.7685248 0.7685248\n"
                                        "0.6456563 0.6456563 0.6456563")
window.predict_panel.check()
window.network_view.select_neuron((1, 0))
window.refresh()
settle()
window.grab().save(str(Path(__file__).with_name("predict.png")))
window.files.ask_unsaved = lambda: "discard"  # a picture, not work to keep
window.close()
