"""Settings panels: structure, initialisation, training. They show the controller's state and
turn every change into an undo command; none changes the engine directly."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.core import structure
from engine.core.activations import ACTIVATIONS
from engine.core.init import SCHEME_NAMES, SCHEME_PARAMETERS, InitSpec, jog_noise
from engine.core.losses import LOSSES, get_loss
from engine.core.network import Network
from engine.core.optimizers import MINI_BATCH_RULE, OPTIMIZER_NAMES
from engine.core.precision import DTYPE_NAMES

from ..notation import parse_number

DTYPE_TIPS = (  # one per DTYPE_NAMES entry
    "float64: numpy's double, 16 significant digits (the seeds' numbers)",
    "float32: PyTorch's default, 7 significant digits; every phase, the gradients, the "
    "optimiser and the loss computed in float32, so the numbers match PyTorch's",
)
MOMENTUM_USERS = ("momentum",)  # the optimisers whose update reads μ (engine.core.optimizers)
FIELD_DEFAULTS = {
    **SCHEME_PARAMETERS["constant"], **SCHEME_PARAMETERS["uniform"], **SCHEME_PARAMETERS["normal"]
}


def named_button(name: str, text: str, tip: str, slot) -> QPushButton:
    """A push button with an object name (tests and layouts find it), a tooltip and its
    slot: the one way the panels make their buttons."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class NumberField(QLineEdit):
    """A line edit for one finite number: Enter applies; bad text is refused, shown in red
    with the reason, and the old value comes back. With ``minimum``, a smaller value is
    refused the same way (the tooltip says "≥ minimum"), for settings whose engine would
    refuse it."""

    committed = Signal(float)
    refused = Signal(str)

    def __init__(self, field: str, tooltip: str, parent=None,
                 minimum: float | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.minimum = minimum
        self._value = 0.0
        self.setToolTip(tooltip if minimum is None else f"{tooltip} (≥ {minimum:g})")
        self.editingFinished.connect(self._commit)

    def set_value(self, value: float) -> None:
        self._value = float(value)
        self.setText(f"{value:.10g}")
        self.setStyleSheet("")

    def value(self) -> float:
        return self._value

    def _commit(self) -> None:
        try:
            value = parse_number(self.text(), self.field)
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"{self.field}: must be ≥ {self.minimum:g}, not {value:g}")
        except ValueError as error:
            self.setText(f"{self._value:.10g}")
            self.setStyleSheet("QLineEdit { background: #fdecea; }")
            self.refused.emit(f"{error}; kept {self._value:.10g}")
            return
        self.setStyleSheet("")
        if value != self._value:
            self._value = value
            self.committed.emit(value)


class StructurePanel(QGroupBox):
    def __init__(self, controller, parent=None) -> None:
        super().__init__("Structure", parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("structure_table")
        self.table.setHorizontalHeaderLabels(["layer", "neurons", "activation"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setToolTip("Layer 0 is the inputs. Select a hidden layer to edit it.")
        layout.addWidget(self.table)
        buttons = QGridLayout()
        self.buttons = {}
        for position, (key, text, tip) in enumerate((
            ("add_layer", "+ layer", "Insert a hidden layer after the selected layer"),
            ("remove_layer", "− layer", "Remove the selected hidden layer"),
            ("add_neuron", "+ neuron", "Add a neuron to the selected hidden layer"),
            ("remove_neuron", "− neuron", "Remove the last neuron of the selected hidden layer"),
        )):
            button = named_button(f"structure_{key}", text, tip, getattr(self, key))
            buttons.addWidget(button, position // 2, position % 2)
            self.buttons[key] = button
        layout.addLayout(buttons)
        self.bias_box = QCheckBox("biases")
        self.bias_box.setObjectName("bias_checkbox")
        self.bias_box.setToolTip("Switch the biases of the whole network on or off")
        self.bias_box.toggled.connect(self._bias_toggled)
        layout.addWidget(self.bias_box)
        self.refresh()

    def selected_layer(self) -> int:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows:
            return rows[0].row()
        return max(1, self.controller.network.layer_count - 1)

    def refresh(self) -> None:
        network = self.controller.network
        selected = self.table.currentRow()
        for row in range(self.table.rowCount()):  # replaced widgets are deleted later: hide now
            widget = self.table.cellWidget(row, 2)
            if widget is not None:
                widget.hide()
        self.table.setRowCount(len(network.sizes))
        for l, size in enumerate(network.sizes):
            name = "inputs" if l == 0 else "output" if l == network.layer_count else "hidden"
            for column, text in enumerate((f"{l} ({name})", str(size))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(l, column, item)
            if l == 0:
                self.table.setCellWidget(l, 2, QLabel("—"))
                continue
            combo = QComboBox()
            allowed = [a for a in ACTIVATIONS
                       if not ACTIVATIONS[a].output_only or l == network.layer_count]
            combo.addItems(allowed)
            combo.setCurrentText(network.activation_names[l - 1])
            combo.setToolTip(f"Activation of layer {l}")
            combo.currentTextChanged.connect(lambda name, l=l: self._set_activation(l, name))
            self.table.setCellWidget(l, 2, combo)
        if 0 <= selected < len(network.sizes):
            self.table.selectRow(selected)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader().height()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(header + rows + 4)
        self.bias_box.blockSignals(True)
        self.bias_box.setChecked(network.bias)
        self.bias_box.blockSignals(False)

    def _push(self, network: Network, text: str) -> None:
        if not self.controller.replace_stepper(text, network=network):
            self.refresh()

    def _edit(self, change, text: str) -> None:
        try:
            network = change()
        except ValueError as error:
            self.controller.post_message(str(error))
            self.refresh()
            return
        self._push(network, text)

    def _restructure(self, plan, text: str) -> None:
        """A structure edit planned by engine.core.structure (the controller builds it and
        carries the frozen parameters over); a refusal is a message."""
        try:
            made = self.controller.restructure(plan(), text)
        except ValueError as error:
            self.controller.post_message(str(error))
            made = False
        if not made:
            self.refresh()

    def add_layer(self) -> None:
        position = min(self.selected_layer() + 1, self.controller.network.layer_count)
        network = self.controller.network
        activation = "sigmoid" if network.layer_count < 2 else network.activation_names[0]
        self._restructure(lambda: structure.plan_insert_layer(network, position, 3, activation),
                          f"Insert hidden layer {position}")

    def remove_layer(self) -> None:
        layer, network = self.selected_layer(), self.controller.network
        self._restructure(lambda: structure.plan_remove_layer(network, layer),
                          f"Remove layer {layer}")

    def add_neuron(self) -> None:
        layer, network = self.selected_layer(), self.controller.network
        self._restructure(lambda: structure.plan_add_neuron(network, layer),
                          f"Add a neuron to layer {layer}")

    def remove_neuron(self) -> None:
        layer, network = self.selected_layer(), self.controller.network
        self._restructure(
            lambda: structure.plan_remove_neuron(network, layer, network.sizes[layer] - 1),
            f"Remove a neuron from layer {layer}")

    def _set_activation(self, layer: int, name: str) -> None:
        network = self.controller.network
        if network.activation_names[layer - 1] == name:
            return
        self._edit(lambda: structure.set_activation(network, layer, name),
                   f"Layer {layer} activation: {name}")

    def _bias_toggled(self, on: bool) -> None:
        network = self.controller.network
        self._restructure(lambda: structure.plan_set_bias(network, on),
                          "Biases on" if on else "Biases off")


class InitPanel(QGroupBox):
    def __init__(self, controller, parent=None) -> None:
        super().__init__("Initialisation", parent)
        self.controller = controller
        form = QFormLayout(self)
        self.scheme = QComboBox()
        self.scheme.setObjectName("init_scheme")
        self.scheme.addItems(SCHEME_NAMES)
        self.scheme.setToolTip("How Re-initialise draws the weights and biases")
        form.addRow("scheme", self.scheme)
        self.fields: dict[str, NumberField] = {}
        for name in ("value", "low", "high", "std"):
            field = NumberField(f"init {name}", f"The scheme's {name}",
                                minimum=0.0 if name == "std" else None)
            field.setObjectName(f"init_{name}")
            field.committed.connect(self._spec_edited)
            field.refused.connect(controller.post_message)
            form.addRow(name, field)
            self.fields[name] = field
        self.seed = QSpinBox()
        self.seed.setObjectName("init_seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed gives the same weights, on every machine")
        form.addRow("seed", self.seed)
        reinit = named_button("reinitialise_button", "Re-initialise",
                              "Replace every weight and bias by the scheme's draw for this seed",
                              self.reinitialise)
        form.addRow(reinit)
        jog_row = QHBoxLayout()
        self.jog_scale = NumberField("jog scale", "Standard deviation of the jog's noise",
                                     minimum=0.0)
        self.jog_scale.setObjectName("jog_scale")
        self.jog_scale.set_value(0.01)
        self.jog_scale.refused.connect(controller.post_message)
        jog = named_button("jog_button", "Jog",
                           "Add seeded noise N(0, scale²) to every parameter: breaks symmetry",
                           self.jog)
        jog_row.addWidget(QLabel("scale"))
        jog_row.addWidget(self.jog_scale)
        jog_row.addWidget(jog)
        form.addRow(jog_row)
        self.scheme.currentTextChanged.connect(self._spec_edited)
        self.seed.valueChanged.connect(self._spec_edited)
        self.refresh()

    def refresh(self) -> None:
        spec = self.controller.init_spec
        for widget in (self.scheme, self.seed):
            widget.blockSignals(True)
        self.scheme.setCurrentText(spec.scheme)
        self.seed.setValue(spec.seed)
        for widget in (self.scheme, self.seed):
            widget.blockSignals(False)
        for name, field in self.fields.items():
            enabled = name in SCHEME_PARAMETERS[spec.scheme]
            field.setEnabled(enabled)
            field.set_value({**FIELD_DEFAULTS, **spec.parameters}[name])

    def current_spec(self) -> InitSpec:
        scheme = self.scheme.currentText()
        parameters = {name: self.fields[name].value() for name in SCHEME_PARAMETERS[scheme]}
        return InitSpec(scheme, self.seed.value(), parameters)

    def _spec_edited(self, *args) -> None:
        try:
            spec = self.current_spec()
        except ValueError as error:
            self.controller.post_message(str(error))
            self.refresh()
            return
        if spec != self.controller.init_spec:
            self.controller.set_init_spec(spec, f"Initialisation: {spec.scheme}")
        self.refresh()

    def reinitialise(self) -> None:
        spec = self.controller.init_spec  # a draw the engine refuses is a message
        self.controller.reinitialise(spec, f"Re-initialise ({spec.scheme}, seed {spec.seed})")

    def jog(self) -> None:
        scale = self.jog_scale.value()
        network = self.controller.network
        seed = self.controller.init_spec.seed
        try:
            with np.errstate(over="ignore"):
                theta = network.theta + jog_noise(network, scale, seed)
            if not np.isfinite(theta).all():
                raise ValueError("jog: the noise would make a parameter not finite")
        except ValueError as error:  # the engine's refusal is a message, never an exception
            self.controller.post_message(f"Nothing jogged: {error}")
            return
        self.controller.set_theta(theta, f"Jog (scale {scale:g}, seed {seed})")


class TrainingPanel(QGroupBox):
    def __init__(self, controller, parent=None) -> None:
        super().__init__("Training", parent)
        self.controller = controller
        form = QFormLayout(self)
        self.loss = QComboBox()
        self.loss.setObjectName("loss_selector")
        self.loss.addItems(list(LOSSES))
        for index, name in enumerate(LOSSES):
            self.loss.setItemData(index, get_loss(name).describe(), Qt.ItemDataRole.ToolTipRole)
        form.addRow("loss", self.loss)
        self.optimizer = QComboBox()
        self.optimizer.setObjectName("optimizer_selector")
        self.optimizer.addItems(OPTIMIZER_NAMES)
        self.optimizer.setToolTip("gd: full-batch gradient descent, the seeds' case")
        form.addRow("optimiser", self.optimizer)
        self.learning_rate = NumberField("learning rate", "η in θ ← θ − η ∂C/∂θ; Enter applies")
        self.learning_rate.setObjectName("learning_rate_input")
        form.addRow("learning rate", self.learning_rate)
        self.batch_size = QSpinBox()
        self.batch_size.setObjectName("batch_size_input")
        self.batch_size.setRange(0, 100_000)
        self.batch_size.setSpecialValueText("all")
        self.batch_size.setToolTip("Mini-batch size for sgd, momentum and adam (all: full "
                                   f"batch).\n{MINI_BATCH_RULE}")
        form.addRow("batch size", self.batch_size)
        self.momentum = NumberField("momentum", "μ in v ← μ v + g")
        self.momentum.setObjectName("momentum_input")
        form.addRow("momentum", self.momentum)
        self.dtype = QComboBox()
        self.dtype.setObjectName("dtype_selector")
        self.dtype.addItems(DTYPE_NAMES)
        for index, tip in enumerate(DTYPE_TIPS):
            self.dtype.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.dtype.setToolTip("What every phase computes in: float64 (16 digits), or float32 "
                              "as PyTorch (7 digits: the numbers your PyTorch code shows)")
        form.addRow("dtype", self.dtype)
        for widget in (self.loss, self.optimizer, self.dtype):
            widget.currentTextChanged.connect(self._edited)
        self.batch_size.valueChanged.connect(self._edited)
        for field in (self.learning_rate, self.momentum):
            field.committed.connect(self._edited)
            field.refused.connect(controller.post_message)
        self.refresh()

    def refresh(self) -> None:
        config = self.controller.stepper.config
        for widget in (self.loss, self.optimizer, self.batch_size, self.dtype):
            widget.blockSignals(True)
        self.dtype.setCurrentText(config.dtype)
        self.loss.setCurrentText(config.loss)
        self.loss.setToolTip(get_loss(config.loss).describe())
        self.optimizer.setCurrentText(config.optimizer)
        self.batch_size.setValue(config.batch_size or 0)
        for widget in (self.loss, self.optimizer, self.batch_size, self.dtype):
            widget.blockSignals(False)
        self.learning_rate.set_value(config.learning_rate)
        self.momentum.set_value(config.momentum)
        # μ is the momentum optimiser's alone: editable only where it changes something
        uses_momentum = config.optimizer in MOMENTUM_USERS
        self.momentum.setEnabled(uses_momentum)
        self.momentum.setToolTip("μ in v ← μ v + g (≥ 0, < 1)" if uses_momentum else
                                 f"μ in v ← μ v + g: used by the momentum optimiser only, "
                                 f"not by {config.optimizer}")

    def _edited(self, *args) -> None:
        current = self.controller.stepper.config
        try:
            config = current.with_changes(
                loss=self.loss.currentText(),
                optimizer=self.optimizer.currentText(),
                learning_rate=self.learning_rate.value(),
                batch_size=self.batch_size.value() or None,
                momentum=self.momentum.value(),
                dtype=self.dtype.currentText(),
            )
            self.controller.stepper.validate_config(config)
        except ValueError as error:
            self.controller.post_message(str(error))
            self.refresh()
            return
        if config != current:
            changed = [k for k, v in config.to_json().items() if current.to_json()[k] != v]
            text = ", ".join(f"{k} = {getattr(config, k)}" for k in changed)
            if not self.controller.set_config(config, f"Set {text}"):
                self.refresh()  # refused: the fields show the settings in force again


class SettingsWidget(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.structure = StructurePanel(controller)
        self.init = InitPanel(controller)
        self.training = TrainingPanel(controller)
        for panel in (self.structure, self.training, self.init):
            layout.addWidget(panel)
        layout.addStretch(1)

    def refresh(self) -> None:
        self.structure.refresh()
        self.init.refresh()
        self.training.refresh()
