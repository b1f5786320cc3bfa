"""Makes docs/screenshots/mnist.png: a 784-128-10 network (relu, softmax with cross-entropy,
adam; 101,632 weights) on 1,000 observations of random pixels, after 50 iterations, in
Debug at 90 % of a 1280 × 720 screen: the wide layers folded with the strongest edges, the
matrices as heatmaps, each layer's spread in the weights plot, the weight images beside.
``--large`` makes docs/screenshots/mnist-2560.png the same at 90 % of a 2560 × 1440 screen.

    python docs/screenshots/mnist.py [--large]
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp()
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from scale_speed import mnist_sized  # noqa: E402

from gui.main_window import MainWindow  # noqa: E402
from gui.parts.screen import fitted  # noqa: E402

app = QApplication([])


def settle() -> None:
    for _ in range(6):
        app.processEvents()


window = MainWindow(workspace="debug")
LARGE = "--large" in sys.argv
window.setGeometry(fitted(QRect(0, 0, 2560, 1440) if LARGE else QRect(0, 0, 1280, 720)))
window.workspaces.action_reset_layout.trigger()
window.show()
window.controller.load(mnist_sized(1000))
window.controller.run_now(50)
window.dock_layout.show_dock("weight_images")
window.network_view.select_neuron((1, 3))
window.refresh()
settle()
window.grab().save(str(Path(__file__).with_name("mnist-2560.png" if LARGE else "mnist.png")))
window.files.ask_unsaved = lambda: "discard"  # a picture, not work to keep
window.close()
