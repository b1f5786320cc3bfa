"""The breakpoints panel: the list of conditions that pause a run, with a checkbox to switch
each off, and controls to add and remove them. It edits an engine ``Breakpoints`` list and
redraws whenever that list tells it of a change (added, removed, switched, fired)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.breakpoints import KINDS, Breakpoint, Breakpoints, address_to_dict
from engine.core.network import ParameterAddress
from engine.io.numbers import read_whole_number

from ..notation import parameter_label, parameter_name, parse_number, typeset

MAX_LISTED_PARAMETERS = 2000
_PLAIN = re.compile(r"^\s*(w\d+)\s*$")


class BreakpointsPanel(QWidget):
    def __init__(self, controller, parent=None) -> None:
        """Reads the controller's breakpoints and network; edits the list through the
        controller (add_breakpoint, remove_breakpoints, set_breakpoint_enabled). The
        scheduler refreshes the panel when the list or the network changes."""
        super().__init__(parent)
        self.setObjectName("breakpoints_panel")
        self.controller = controller
        self._shown: list[Breakpoint] = []
        self._hit_said = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.list = QTreeWidget()
        self.list.setObjectName("breakpoints_list")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["pause when", "last stop"])
        self.list.setRootIsDecorated(False)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.list.setToolTip("The breakpoints, checked after every iteration of a run. Untick "
                             "one to switch it off; select one and press Remove to delete it.")
        self.list.itemChanged.connect(self._item_changed)
        layout.addWidget(self.list)

        form = QGridLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("breakpoint_kind")
        self.kind.setToolTip("What the new breakpoint watches")
        for kind, cls in KINDS.items():  # each kind says how it is asked for
            self.kind.addItem(cls.chooser, kind)
            self.kind.setItemData(self.kind.count() - 1, cls.tooltip,
                                  Qt.ItemDataRole.ToolTipRole)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form.addWidget(QLabel("pause when"), 0, 0)
        form.addWidget(self.kind, 0, 1)
        self.layer = QComboBox()
        self.layer.setObjectName("breakpoint_layer")
        self.layer.setToolTip("The layer whose symmetry to watch (layer 0, the inputs, has none)")
        self.parameter = QComboBox()
        self.parameter.setObjectName("breakpoint_parameter")
        self.parameter.setEditable(True)
        self.parameter.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.parameter.setToolTip("The weight or bias to watch: choose it, or type its name "
                                  "(w^0_{1,2}, b^1_0, or w1 … for small networks)")
        self.value = QLineEdit()
        self.value.setObjectName("breakpoint_value")
        self.value.returnPressed.connect(self.add)
        self.value.textEdited.connect(lambda _: self.value.setStyleSheet(""))
        self.choice_label = QLabel()
        form.addWidget(self.choice_label, 1, 0)
        choices = QHBoxLayout()
        choices.addWidget(self.layer)
        choices.addWidget(self.parameter, 1)
        choices.addWidget(self.value, 1)
        form.addLayout(choices, 1, 1)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("breakpoint_add")
        self.add_button.setToolTip("Add a breakpoint with the kind, layer, weight and value above")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("breakpoint_remove")
        self.remove_button.setToolTip("Delete the selected breakpoints")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.message = QLabel()
        self.message.setObjectName("breakpoint_message")
        self.message.setWordWrap(True)
        self.message.setToolTip("Why a value was refused, or why the last run paused")
        layout.addWidget(self.message)

        self.refresh()
        self._kind_changed()

    @property
    def breakpoints(self) -> Breakpoints:
        return self.controller.breakpoints

    # --------------------------------------------------------------- showing
    def refresh(self) -> None:
        """Re-read the list, and the network for the layer and parameter choices."""
        self._refresh_choices()
        selected = {id(self._shown[self.list.indexOfTopLevelItem(item)])
                    for item in self.list.selectedItems()}
        current = self.list.currentItem()
        current = (id(self._shown[self.list.indexOfTopLevelItem(current)])
                   if current is not None else None)
        self.list.blockSignals(True)
        self.list.clear()
        self._shown = list(self.breakpoints.items)
        hits = {id(h.breakpoint): h for h in self.breakpoints.hits}
        for breakpoint in self._shown:
            hit = hits.get(id(breakpoint))
            item = QTreeWidgetItem([typeset(breakpoint.describe()), "◀ fired" if hit else ""])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if breakpoint.enabled
                               else Qt.CheckState.Unchecked)
            tip = typeset(breakpoint.describe())
            if not breakpoint.checkable:
                tip += "\nChecked by the engine itself in every phase."
            if hit is not None:
                tip += (f"\nStopped the last run at iteration {hit.iteration}: "
                        f"{typeset(hit.message)}")
            skipped = [m for b, m in self.breakpoints.skipped if b is breakpoint]
            if skipped:
                tip += f"\nSkipped in the last run: {skipped[0]}"
                item.setForeground(0, Qt.GlobalColor.gray)
            tip += "\nUntick to switch off."
            item.setToolTip(0, tip)
            item.setToolTip(1, typeset(hit.message) if hit else "Did not stop the last run")
            self.list.addTopLevelItem(item)
            if id(breakpoint) == current:  # the rows selected before stay selected
                self.list.setCurrentItem(item)
            item.setSelected(id(breakpoint) in selected)
        self.list.blockSignals(False)
        hits = self.breakpoints.hits  # of the last stop, until the next run starts
        hit = hits[0] if hits else None
        if hit is not None and hit is not self._hit_said:
            self._say(f"Paused at iteration {hit.iteration}: {typeset(hit.message)}")
        self._hit_said = hit

    def _refresh_choices(self) -> None:
        network = self.controller.network
        layer = self.layer.currentData()
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItem("any layer", None)
        for l in range(1, network.layer_count + 1):
            self.layer.addItem(f"layer {l}" + (" (output)" if l == network.layer_count else ""), l)
        found = self.layer.findData(layer)
        self.layer.setCurrentIndex(max(0, found))
        self.layer.blockSignals(False)
        text = self.parameter.currentText()
        self.parameter.blockSignals(True)
        self.parameter.clear()
        for address in network.addresses()[:MAX_LISTED_PARAMETERS]:
            # typeset (w¹₀,₀ (w5)); the name typed in the seed's ASCII is found too
            self.parameter.addItem(parameter_label(network, address), address)
        found = self.parameter.findText(text)
        if found >= 0 or not text:
            self.parameter.setCurrentIndex(max(0, found))
        else:
            self.parameter.setEditText(text)  # a name typed, not listed: keep it
        self.parameter.blockSignals(False)

    def _kind_changed(self, *_) -> None:
        cls = KINDS[self.kind.currentData()]
        controls = {control: prompt for control, prompt in cls.FORM.values()}
        self.layer.setVisible("layer" in controls)
        self.parameter.setVisible("parameter" in controls)
        asks = controls.get("number") or controls.get("count")
        self.value.setVisible(asks is not None)
        self.value.setPlaceholderText(asks or "")
        self.value.setToolTip(f"The {asks.split(',')[0]} at which to pause. {cls.tooltip}"
                              if asks else "")
        self.choice_label.setText(", ".join(prompt.split(",")[0] if control in ("layer",
                                            "parameter") else "value"
                                            for control, prompt in cls.FORM.values()))
        self.kind.setToolTip(cls.tooltip)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("QLabel { color: #b00020; }" if error else "")

    # --------------------------------------------------------------- editing
    def set_parameter(self, address: ParameterAddress) -> None:
        """Preselect ``address`` (e.g. the weight selected in the network view)."""
        self.parameter.setCurrentText(parameter_label(self.controller.network, address))

    def new_breakpoint(self) -> Breakpoint:
        """The breakpoint the controls describe, read field by field as its kind's FORM
        asks; ValueError naming what is wrong."""
        cls = KINDS[self.kind.currentData()]
        fields = {}
        for field, (control, prompt) in cls.FORM.items():
            if control == "layer":
                fields[field] = self.layer.currentData()
            elif control == "parameter":
                fields[field] = address_to_dict(self._chosen_parameter())
            elif control == "count":
                fields[field] = read_whole_number(self.value.text(), prompt.split(",")[0])
            else:
                fields[field] = parse_number(self.value.text(), prompt.split(",")[0])
        return Breakpoint.from_dict({"kind": cls.kind, **fields})

    def _chosen_parameter(self) -> ParameterAddress:
        network = self.controller.network
        text = self.parameter.currentText()
        index = self.parameter.findText(text)
        if index < 0:  # typed as the seed writes it: w^1_{0,0} (w5)
            index = next((i for i in range(self.parameter.count())
                          if parameter_name(network, self.parameter.itemData(i)) == text.strip()),
                         -1)
        if index >= 0:
            return self.parameter.itemData(index)
        plain = _PLAIN.match(text)
        if plain and network.plain_weight_names():
            names = {name: a for a, name in network.plain_weight_names().items()}
            if plain.group(1) not in names:
                raise ValueError(f"weight: this network has no {plain.group(1)}")
            address = names[plain.group(1)]
        else:
            try:
                address = ParameterAddress.parse(text)
            except ValueError as error:
                raise ValueError(f"weight: {error}") from None
        network.check_address(address)
        return address

    def add(self) -> None:
        try:
            breakpoint = self.new_breakpoint()
        except ValueError as error:
            self.value.setStyleSheet("QLineEdit { background: #fdecea; }")
            self._say(f"{error}; no breakpoint added", error=True)
            return
        try:
            self.controller.add_breakpoint(breakpoint)
        except ValueError as error:  # the list is full: a file holds at most so many
            self._say(f"{error}; no breakpoint added", error=True)
            return
        self.value.setStyleSheet("")
        self._say(f"Added: pause when {typeset(breakpoint.describe())}")

    def remove_selected(self) -> None:
        rows = sorted({self.list.indexOfTopLevelItem(i) for i in self.list.selectedItems()})
        if not rows:
            self._say("Select a breakpoint in the list to remove it", error=True)
            return
        self.controller.remove_breakpoints([self._shown[r] for r in rows])
        self._say(f"Removed {len(rows)} breakpoint{'s' if len(rows) != 1 else ''}")

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        row = self.list.indexOfTopLevelItem(item)
        if column == 0 and 0 <= row < len(self._shown):
            checked = item.checkState(0) == Qt.CheckState.Checked
            self.controller.set_breakpoint_enabled(self._shown[row], checked)

