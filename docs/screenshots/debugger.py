"""Makes docs/screenshots/debugger.png: seed 001 (free) trained 200 iterations, rewound on the
timeline to 100, w5 and w6 selected (the chain rule side by side), the gradient check run.

    python docs/screenshots/debugger.py
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.core.network import ParameterAddress  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

app = QApplication([])
window = MainWindow(REPO / "resources" / "examples" / "seed-001-free.json", workspace="debug")
window.resize(1400, 900)
window.workspaces.action_reset_layout.trigger()  # the Debug workspace's sizes for that size
window.show()
app.processEvents()
window.controller.run_now(200)
window.refresh()
window.debugger.timeline.slider.setValue(100)
window.debugger.docks["inspector"].raise_()
window.debugger.docks["gradcheck"].raise_()
window.network_view.select_parameters([ParameterAddress.weight(1, 0, 0),
                                       ParameterAddress.weight(1, 1, 0)])  # w5, w6
app.processEvents()
check = window.debugger.gradcheck
check.run_check()
while check.checking:  # it runs in slices between events
    app.processEvents()
window.refresh()
app.processEvents()
window.grab().save(str(Path(__file__).with_suffix(".png")))
window.files.ask_unsaved = lambda: "discard"  # a picture, not work to keep
window.close()
