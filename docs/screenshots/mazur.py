"""Makes docs/screenshots/mazur.png: Matt Mazur's worked example (resources/examples/
mazur-2-2-2.json: ½ SSE, η = 0.5, the biases frozen and drawn with a padlock) before his
update, in Debug at 90 % of a 1280 × 720 screen, w5 selected: the chain rule gives his
∂E/∂w5 = 0.74136507 × 0.186815602 × 0.593269992 = 0.082167041.

    python docs/screenshots/mazur.py
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

from engine.core.network import ParameterAddress  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.parts.screen import fitted  # noqa: E402

app = QApplication([])


def settle() -> None:
    for _ in range(6):
        app.processEvents()


window = MainWindow(workspace="debug")
window.setGeometry(fitted(QRect(0, 0, 1280, 720)))
window.workspaces.action_reset_layout.trigger()
window.show()
window.files.open_file(REPO / "resources" / "examples" / "mazur-2-2-2.json", ask=False)
window.network_view.select_parameters([ParameterAddress.weight(1, 0, 0)])  # his w5
window.refresh()
settle()
window.grab().save(str(Path(__file__).with_name("mazur.png")))
window.close()
