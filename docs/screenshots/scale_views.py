"""Makes docs/screenshots/weight-images.png and docs/screenshots/distributions.png: issue 16's
784-128-10 network (relu, softmax + cross-entropy, Adam; weights drawn from N(0, 0.01²)) as a
laptop shows it (the window at 90 % of a 1280 × 720 screen), in Debug, after 150 iterations
on 500 pictures of 28 × 28 made here: ten classes, a horizontal bar (classes 0–4) or a
vertical one (5–9) at the class's place, in noise. View ▸ Weight images (neuron 7 selected)
and View ▸ Distributions (the activations of layer 1).

    python docs/screenshots/scale_views.py
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["BACKPROP_LAB_CONFIG_DIR"] = tempfile.mkdtemp()
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.core.init import InitSpec, initialise  # noqa: E402
from engine.core.network import Network  # noqa: E402
from engine.core.optimizers import TrainingConfig  # noqa: E402
from engine.io.fileformat import Document  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.parts.screen import fitted  # noqa: E402

HERE = Path(__file__).resolve().parent
app = QApplication([])


def bars(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, count)
    pictures = rng.random((count, 28, 28)) * 0.3
    for picture, label in zip(pictures, labels, strict=True):
        place = 4 + 5 * (label % 5)
        if label < 5:
            picture[place : place + 2, 3:25] = 1.0
        else:
            picture[3:25, place : place + 2] = 1.0
    return pictures.reshape(count, 784), np.eye(10)[labels]


def settle() -> None:
    for _ in range(6):
        app.processEvents()


network = Network([784, 128, 10], ["relu", "softmax"], True)
spec = InitSpec("normal", 0, {"std": 0.01})  # small: what training draws shows
initialise(network, spec)
inputs, targets = bars(500)
document = Document(network, inputs, targets,
                    TrainingConfig(loss="cross_entropy", optimizer="adam", learning_rate=0.003),
                    spec)
window = MainWindow(workspace="debug")
window.files.ask_unsaved = lambda: "discard"
window.setGeometry(fitted(QRect(0, 0, 1280, 720)))
window.workspaces.action_reset_layout.trigger()
window.show()
window.controller.load(document)
window.controller.run_now(150)
settle()
for key, name in (("weight_images", "weight-images.png"), ("distributions", "distributions.png")):
    dock = window.dock_layout.docks[key]
    dock.toggleViewAction().trigger()  # View ▸ its title
    settle()
    dock.raise_()  # its tab clicked
    if key == "weight_images":
        window.network_view.select_neuron((1, 7))
    else:
        window.distributions.choose(1, "activations")
        window.distributions.fill_now()
    settle()
    window.refresh()
    settle()
    window.grab().save(str(HERE / name))
    print(HERE / name)
window.close()
