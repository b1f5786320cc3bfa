"""Knowledge in typed registries (issue 13, point 4): a new activation is one entry in
engine/core/activations.py and a new breakpoint kind one class in
engine/analysis/breakpoint_kinds.py; the rest of the app (files, stepping, the tables, the
exported scripts, the panels) follows without a change. A fault says where it is in typed
fields, and ParameterAddress.parse is the one inverse of a parameter's name."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from engine.analysis import breakpoint_kinds
from engine.analysis.breakpoint_kinds import Breakpoint, Hit
from engine.core import activations
from engine.core.activations import Activation
from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.core.phases import NonFiniteError, Phase, Quantity
from engine.io.export import numpy_script
from engine.io.fileformat import Document, dumps, loads
from engine.io.tables import state_text

EVERY = "iteration {}: loss "


def _softsign(n):
    return n / (1.0 + np.abs(n))


def _softsign_derivative(n, a):
    return (1.0 - np.abs(a)) ** 2  # 1 / (1 + |n|)² = (1 − |a|)²


SOFTSIGN = Activation(
    "softsign", "n / (1 + |n|)", _softsign, _softsign_derivative, output_range=(-1.0, 1.0),
    torch_module="torch.nn.Softsign()",
    numpy_code='''\
def softsign(n):
    return n / (1.0 + np.abs(n))


def softsign_derivative(n, a):
    # ∂a/∂n = 1 / (1 + |n|)² = (1 − |a|)²
    return (1.0 - np.abs(a)) ** 2''')


@pytest.fixture
def softsign(monkeypatch):
    """The one entry a developer would add to engine/core/activations.py."""
    monkeypatch.setitem(activations.ACTIVATIONS, "softsign", SOFTSIGN)


def softsign_document() -> Document:
    rng = np.random.default_rng(4)
    network = Network([2, 3, 1], ["softsign", "sigmoid"])
    network.theta[...] = rng.uniform(-1, 1, network.theta.size)
    return Document(network, rng.uniform(-1, 1, (5, 2)), rng.uniform(0, 1, (5, 1)),
                    TrainingConfig(loss="bce", learning_rate=0.5))


def test_a_new_activation_is_one_entry(softsign, tmp_path):
    document = loads(dumps(softsign_document()))  # files know its name
    assert document.network.activation_names == ["softsign", "sigmoid"]
    stepper = document.make_stepper()
    stepper.run(40)  # the engine trains it, derivative and all
    # by hand: the gradient of a softsign weight against central differences
    gradient = stepper.evaluate().gradient
    theta = stepper.network.theta
    h = 1e-6
    theta[0] += h
    plus = stepper.evaluate().loss
    theta[0] -= 2 * h
    minus = stepper.evaluate().loss
    theta[0] += h
    assert gradient[0] == pytest.approx((plus - minus) / (2 * h), rel=1e-6)
    # the exported NumPy script brings its code along and agrees bit for bit
    script = tmp_path / "softsign.py"
    script.write_text(numpy_script(document, 40), encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), "--every"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    printed = [float(line.split()[-1]) for line in result.stdout.splitlines()[:-1]]
    assert printed == stepper.history.losses.tolist()
    # the seed's tables name it
    from engine.io.report import network_state

    text = state_text(network_state(stepper, trace=True), ["softsign", "sigmoid"], "bce")
    assert "a^1 = softsign(n^1)" in text


def test_the_structure_panel_offers_a_new_activation(softsign, qtbot):
    from gui_helpers import make_controller

    from gui.views.panels import StructurePanel

    controller = make_controller(qtbot, softsign_document())
    panel = StructurePanel(controller)
    qtbot.addWidget(panel)
    from PySide6.QtWidgets import QComboBox

    combo = panel.table.cellWidget(1, 2)
    assert isinstance(combo, QComboBox)
    assert "softsign" in [combo.itemText(k) for k in range(combo.count())]
    assert combo.currentText() == "softsign"


class WeightAbove(Breakpoint):
    """A new kind, as a developer would write it: its fields, its form, its check."""

    kind = "weight_above"
    chooser = "a weight rises above"
    tooltip = "Pause when the chosen weight or bias rises above the value"
    FIELDS = ("parameter", "value")
    FORM = {"parameter": ("parameter", "weight"), "value": ("number", "value, e.g. 2")}

    def __init__(self, address, value: float, enabled: bool = True) -> None:
        super().__init__(enabled)
        self.address, self.value = address, float(value)

    def describe(self) -> str:
        return f"{self.address} > {self.value:g}"

    def _fields(self) -> dict:
        return {"parameter": breakpoint_kinds.address_to_dict(self.address),
                "value": self.value}

    @classmethod
    def _read(cls, data: dict, enabled: bool):
        return cls(breakpoint_kinds.address_from_dict(data.get("parameter")),
                   data.get("value"), enabled)

    def check(self, stepper) -> Hit | None:
        if stepper.network.get(self.address) > self.value:
            return Hit(self, f"{self.address} rose above {self.value:g}", stepper.iteration,
                       parameter=self.address)
        return None


def test_a_new_breakpoint_kind_is_one_class(monkeypatch, qtbot):
    """Registered, it is offered by the panel with its own form, added from what the
    learner types, saved in a file and read back."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

    from gui.views.breakpoints_panel import BreakpointsPanel

    monkeypatch.setitem(breakpoint_kinds.KINDS, "weight_above", WeightAbove)
    from gui_helpers import make_controller

    network = Network([2, 2, 1], ["sigmoid", "sigmoid"])
    controller = make_controller(qtbot, Document(network, np.zeros((1, 2)), np.zeros((1, 1)),
                                                 TrainingConfig()))
    network, items = controller.network, controller.breakpoints
    panel = BreakpointsPanel(controller)
    qtbot.addWidget(panel)
    kind = panel.findChild(QComboBox, "breakpoint_kind")
    kind.setCurrentIndex(kind.findData("weight_above"))
    assert kind.currentText() == "a weight rises above"
    assert panel.parameter.isVisibleTo(panel) and panel.value.isVisibleTo(panel)
    assert panel.value.placeholderText() == "value, e.g. 2"
    panel.parameter.setCurrentIndex(1)
    qtbot.keyClicks(panel.findChild(QLineEdit, "breakpoint_value"), "2.5")
    qtbot.mouseClick(panel.findChild(QPushButton, "breakpoint_add"), Qt.MouseButton.LeftButton)
    (added,) = items.items
    assert isinstance(added, WeightAbove) and added.value == 2.5
    address = panel.parameter.itemData(1)
    assert added.address == address
    document = Document(network, np.zeros((1, 2)), np.zeros((1, 1)), TrainingConfig(),
                        breakpoints=[added])
    (read,) = loads(dumps(document)).breakpoints
    assert isinstance(read, WeightAbove) and read.to_dict() == added.to_dict()


def test_a_parameter_name_parses_back():
    network = Network([3, 4, 2], ["tanh", "linear"])
    for address in network.addresses():
        assert ParameterAddress.parse(str(address)) == address
        assert ParameterAddress.parse(f"  {address} ") == address
    assert ParameterAddress.parse("b^1_{3}") == ParameterAddress.bias(1, 3)
    for text in ("w^0_{1}", "w^0_1,2", "b^x_1", "w^0_{1,2} extra", "w^０_{1,2}", "w5", ""):
        with pytest.raises(ValueError, match="is not a weight or bias name"):
            ParameterAddress.parse(text)


def test_a_fault_says_where_in_typed_fields():
    """Where a non-finite value is, as numbers, not as text to parse back."""
    error = NonFiniteError(3, Phase("backward", 2), Quantity("weight_gradient", 1), (2, 0),
                           math.nan)
    assert (error.what, error.index, error.neuron) == (Quantity("weight_gradient", 1), (2, 0),
                                                       None)
    assert error.weight_or_bias == ParameterAddress.weight(1, 2, 0)
    assert str(error) == ("iteration 3, backward layer 2: ∂C/∂W^1 is not finite (nan at "
                          "observation 2, neuron 0); try a smaller learning rate, or step back")
    error = NonFiniteError(0, Phase("forward", 1), Quantity("pre_activations", 1), (4, 1),
                           -math.inf)
    assert error.neuron == (1, 1) and error.weight_or_bias is None
