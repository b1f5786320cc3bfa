"""The network graph: neurons in columns by layer, an edge for every weight, a tag for every
bias. It mirrors the controller through model→item dicts and redraws from the engine; every
edit it makes goes through an undo command.

A wide layer (more than 64 neurons: 784 inputs) shows its first 64 and a fold item that
shows the rest when clicked (graph_layout.py); a graph of thousands of weights draws the
strongest of those between the neurons shown (``BatchedEdges``), and a note in the corner
says how many of how many."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QMenu,
    QToolTip,
)

from engine.core.backprop import forward_layer
from engine.core.network import ParameterAddress

from ..notation import neuron_tooltip, parameter_tooltip
from .graph_items import (
    GROUP_COLOURS,
    LOCK_FRACTION,
    LOCK_PIXELS,
    BatchedEdges,
    BiasItem,
    EdgeItem,
    FoldItem,
    NeuronItem,
    weight_pen,
)
from .graph_layout import SHOWN, drawn_weights, plan
from .inline_editor import InlineEditor
from .lock_glyph import LockItem

BATCH_EDGES_ABOVE = 1500
EDGE_EVERY = 3
MAX_LOCKS = 300  # padlocks drawn on a batched graph's frozen weights, at most
FORWARD_TINT = QColor(60, 170, 90, 40)
BACKWARD_TINT = QColor(200, 60, 80, 40)


def forward_pass(network, inputs: np.ndarray) -> list[np.ndarray]:
    """a^0 … a^L of ``inputs`` (rows of observations), by the engine's forward kernel."""
    activations = [inputs]
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for l in range(network.layer_count):
            bias = network.biases[l] if network.bias else None
            activations.append(forward_layer(network.weights[l], bias, network.activations[l],
                                             activations[-1])[1])
    return activations


class NetworkView(QGraphicsView):
    selection_changed = Signal()  # the selected parameters or neuron changed
    neuron_hovered = Signal(object)  # (l, j) under the mouse, None when it leaves them

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("network_view")
        self.controller = controller
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setBackgroundBrush(QBrush(QColor(252, 252, 252)))
        self.observation = 0
        self.neurons: dict[tuple[int, int], NeuronItem] = {}
        self.edges: dict[ParameterAddress, EdgeItem] = {}
        self.bias_items: dict[ParameterAddress, BiasItem] = {}
        self.batched: BatchedEdges | None = None
        self._edge_list: list[EdgeItem] = []
        self._selection_order: list[ParameterAddress] = []
        self._pan_start: QPointF | None = None
        self._hovered: tuple[int, int] | None = None  # the neuron under the mouse
        self._tooltip = None  # (item, global position, text) of the tooltip shown last
        self.auto_fit = True  # fit on resize until the user zooms or pans
        self._redraws = 0
        self.expanded: set[int] = set()  # wide layers shown whole (graph_layout.py)
        self._expanded_for: tuple[int, ...] = ()  # the sizes ``expanded`` is about
        self.fold_items: dict[int, FoldItem] = {}
        self.weight_count = 0
        # the padlocks of frozen weights in a batched graph (no item per edge to carry them)
        self.batched_locks: list[LockItem] = []
        self._batched_locks_for: frozenset | None = None
        # the actions a right-click on a weight or bias offers (the window adds Frozen)
        self.parameter_actions: list[QAction] = []
        # how many of the weights are drawn, in the corner (not a scene item: any zoom)
        self.note = QLabel(self.viewport())
        self.note.setObjectName("graph_edge_note")
        self.note.setStyleSheet("background: rgba(255, 255, 255, 210); color: #444;"
                                " padding: 1px 4px;")
        self.note.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.note.hide()
        self.editor = InlineEditor(self)
        self.editor.accepted.connect(self._apply_edit)
        self.scene().selectionChanged.connect(self._track_selection)
        self.rebuild()

    # ---------------------------------------------------------------- building
    def rebuild(self) -> None:
        """Recreate every item for the controller's current network and fit it in view."""
        self.editor.cancel()
        if self._tooltip_shown():
            QToolTip.hideText()  # its item is about to go
        self._tooltip = None
        scene = self.scene()
        scene.blockSignals(True)
        scene.clear()
        scene.blockSignals(False)
        self.neurons.clear()
        self._hovered = None
        self.edges.clear()
        self.bias_items.clear()
        self._selection_order.clear()
        self.batched = None
        self.batched_locks, self._batched_locks_for = [], None
        self.fold_items = {}
        network = self.controller.network
        if tuple(network.sizes) != self._expanded_for:  # another structure: all folded
            self.expanded, self._expanded_for = set(), tuple(network.sizes)
        graph = self.layout_plan = plan(network.sizes, self.expanded)
        spacing, radius, largest = graph.spacing, graph.radius, graph.largest
        layer_spacing, positions, top = graph.layer_spacing, graph.positions, graph.top
        show_text = radius >= 14
        self.layer_bands = []
        for l, drawn in enumerate(graph.drawn):
            band = QGraphicsRectItem(QRectF(l * layer_spacing - 60, top - 70, 120,
                                            (largest - 1) * spacing + 160))
            band.setPen(QPen(Qt.PenStyle.NoPen))
            band.setBrush(QBrush(Qt.BrushStyle.NoBrush))
            band.setZValue(0)
            scene.addItem(band)
            self.layer_bands.append(band)
            for j in range(drawn):
                neuron = NeuronItem(l, j, radius, show_text)
                neuron.setPos(QPointF(*positions[l][j]))
                scene.addItem(neuron)
                self.neurons[(l, j)] = neuron
                if l >= 1 and network.bias and radius >= 10:
                    bias = BiasItem(ParameterAddress.bias(l - 1, j), 2 * radius)
                    bias.setPos(QPointF(positions[l][j][0], positions[l][j][1] + radius + 3))
                    scene.addItem(bias)
                    self.bias_items[bias.address] = bias
            if graph.folds[l]:
                align = -1 if l == 0 else 1 if l == network.layer_count else 0
                fold = FoldItem(l, SHOWN, network.sizes[l] - SHOWN, l in self.expanded, align)
                fold.setPos(QPointF(*graph.fold_positions[l]))
                scene.addItem(fold)
                self.fold_items[l] = fold
        self._weight_index, starts, ends = drawn_weights(graph)
        self.weight_count = sum(a * b for a, b in zip(network.sizes, network.sizes[1:],
                                                      strict=False))
        edge_count = len(self._weight_index)
        if edge_count > BATCH_EDGES_ABOVE:
            self.batched = BatchedEdges(scene, starts, ends)
        else:
            labelled = network.plain_weight_names() is not None
            for l in range(network.layer_count):
                for i in range(graph.drawn[l]):
                    for j in range(graph.drawn[l + 1]):
                        address = ParameterAddress.weight(l, i, j)
                        start = QPointF(*positions[l][i]) + QPointF(radius, 0)
                        end = QPointF(*positions[l + 1][j]) - QPointF(radius, 0)
                        edge = EdgeItem(address, start, end)
                        if labelled:
                            edge.add_label()
                        scene.addItem(edge)
                        self.edges[address] = edge
        # thousands of edges: antialiasing would cost most of a redraw
        self.setRenderHint(QPainter.RenderHint.Antialiasing, self.batched is None)
        lines = [edge.line() for edge in self.edges.values()]
        self._edge_list = list(self.edges.values())
        self._edge_starts = np.array([[ln.x1(), ln.y1()] for ln in lines]).reshape(-1, 2)
        self._edge_ends = np.array([[ln.x2(), ln.y2()] for ln in lines]).reshape(-1, 2)
        rect = scene.itemsBoundingRect().adjusted(-40, -40, 40, 40)
        scene.setSceneRect(rect)
        self.refresh()
        self._describe_edges()
        self.fit()

    def edge_note(self) -> str:
        """How many of the network's weights are drawn as edges ("" when all are)."""
        drawn = self.batched.drawn if self.batched is not None else len(self.edges)
        if drawn == self.weight_count:
            return ""
        between = len(self._weight_index)
        if self.batched is not None and drawn < between:
            text = f"Edges: the {drawn:,} strongest |w| of "
        else:
            text = f"Edges: {drawn:,} of "
        if between < self.weight_count:
            text += (f"the {between:,} weights between the neurons shown "
                     f"({self.weight_count:,} in all)")
        else:
            text += f"{self.weight_count:,} weights"
        return text

    def _describe_edges(self) -> None:
        text = self.edge_note()
        self.note.setText(text)
        self._place_note()
        self.note.setVisible(bool(text))

    def _place_note(self) -> None:
        """The edge note in the top-left corner, on one line where the graph is wide enough,
        else wrapped to its width (a narrow graph at 1280 × 720 cut it off)."""
        note = self.note
        note.setWordWrap(False)
        note.setMinimumSize(0, 0)
        note.setMaximumSize(16777215, 16777215)
        note.adjustSize()
        room = max(120, self.viewport().width() - 12)
        if note.width() > room:
            note.setWordWrap(True)
            note.setFixedSize(room, note.heightForWidth(room))
        note.move(6, 4)

    def toggle_fold(self, layer: int) -> None:
        """Show a folded layer whole, or fold a layer shown whole back."""
        if layer in self.expanded:
            self.expanded.discard(layer)
        elif self.layout_plan.folds[layer]:
            self.expanded.add(layer)
        else:
            return
        selected = self.selected_neuron()
        self.rebuild()
        if selected is not None and selected in self.neurons:
            self.neurons[selected].setSelected(True)

    def fit(self) -> None:
        self.auto_fit = True
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.note.text():
            self._place_note()
        if self.auto_fit:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    # -------------------------------------------------------------- refreshing
    def refresh(self) -> None:
        """Redraw values, colours, tooltips and highlights from the engine."""
        controller = self.controller
        network, stepper = controller.network, controller.stepper
        activations, observation = self.shown_activations()
        phase = stepper.phases[stepper.phase - 1] if stepper.phase > 0 else None
        # each neuron in a group of interchangeable neurons gets the group's outline colour
        outline = {}
        for l, layer_groups in enumerate(controller.symmetry()):
            shared = [g for g in layer_groups if len(g) > 1]
            for index, group in enumerate(shared):
                for j in group:
                    outline[(l, j)] = GROUP_COLOURS[index % len(GROUP_COLOURS)]
        # predict mode: the layer a forward phase computed shows "?" until predicted
        concealed = controller.concealed()
        unknown = (concealed.layer if concealed is not None and concealed.kind == "forward"
                   else None)
        hide_update = concealed is not None and concealed.kind == "update"
        for (l, j), neuron in self.neurons.items():
            values = activations[l]
            neuron.set_value(None if values is None else float(values[observation, j]),
                             unknown=l == unknown)
            neuron.set_outline(outline.get((l, j)))
        show_gradients = phase is not None and phase.kind == "backward"
        trace = controller.display_trace(backward=False) if show_gradients and self.edges else None
        weights = np.concatenate([w.ravel() for w in network.weights])
        scale = float(np.max(np.abs(weights))) if weights.size else 1.0
        plain = network.plain_weight_names()
        frozen = controller.frozen_addresses()
        for address, edge in self.edges.items():
            edge.set_frozen(address in frozen)
            value = float(network.weights[address.layer][address.source, address.target])
            gradient = trace.weight_gradients[address.layer] if trace is not None else None
            if show_gradients and gradient is not None and address.layer >= phase.layer - 1:
                g = gradient[address.source, address.target]
                g_scale = float(np.max(np.abs(gradient))) or 1.0
                edge.setPen(weight_pen(g, g_scale, gradient=True))
            else:
                edge.setPen(weight_pen(value, scale))
            if plain is not None:
                # downward edges labelled near their source, upward ones near their target,
                # level ones midway: crossing edges' labels part sideways, a fan's by height
                line = edge.line()
                rise = line.y2() - line.y1()
                fraction = 0.5 if abs(rise) < 1e-9 else 0.27 if rise > 0 else 0.73
                edge.set_label(f"{plain[address]} = " + ("?" if hide_update else f"{value:.4g}"),
                               fraction)
        for address, bias in self.bias_items.items():
            bias.set_frozen(address in frozen)
            bias.set_value(None if hide_update
                           else float(network.biases[address.layer][address.target]))
        if self.batched is not None and frozen != self._batched_locks_for:
            self._lock_batched(frozen)
        if self.batched is not None:
            # while running, a large graph re-strokes its edges every EDGE_EVERY-th redraw and
            # paints them from a cached pixmap in between (unless each step is to be seen);
            # neurons follow every redraw
            self._redraws += 1
            if (not controller.running or controller.shows_each_step
                    or self._redraws % EDGE_EVERY == 0):
                self.batched.update(weights[self._weight_index], scale)
        for l, band in enumerate(self.layer_bands):
            tint = None
            if phase is not None and phase.layer == l:
                tint = FORWARD_TINT if phase.kind == "forward" else BACKWARD_TINT
            elif phase is not None and phase.kind in ("loss", "update") and l == len(
                    self.layer_bands) - 1:
                tint = BACKWARD_TINT if phase.kind == "loss" else None
            band.setBrush(QBrush(tint) if tint is not None else QBrush(Qt.BrushStyle.NoBrush))
        self._refresh_tooltip()
        self.viewport().update()

    def _lock_batched(self, frozen: frozenset[ParameterAddress]) -> None:
        """A padlock on each frozen weight drawn in a batched graph (at most MAX_LOCKS), on
        its line near the source, the same size at any zoom."""
        scene = self.scene()
        for lock in self.batched_locks:
            scene.removeItem(lock)
        self.batched_locks, self._batched_locks_for = [], frozen
        graph = self.layout_plan
        for address in sorted(frozen, key=lambda a: (a.layer, a.kind, a.source or 0,
                                                     a.target)):
            if len(self.batched_locks) >= MAX_LOCKS:
                break
            l = address.layer
            if address.kind != "w" or not (address.source < graph.drawn[l]
                                           and address.target < graph.drawn[l + 1]):
                continue  # a bias, or a weight of a neuron folded away: not drawn
            start = graph.positions[l][address.source]
            end = graph.positions[l + 1][address.target]
            lock = LockItem(LOCK_PIXELS, backed=True, fixed_size=True)
            lock.setPos(QPointF(*(start + LOCK_FRACTION * (end - start))))
            scene.addItem(lock)
            self.batched_locks.append(lock)

    def shown_activations(self) -> tuple[list, int]:
        """(a^l per layer, the row of the observation shown) for the neurons' fills.

        Between two iterations of a run, the one observation's forward pass: the whole
        data set's (``display_trace``) gives the same numbers, and through 784-128-10 with
        1,000 observations it cost most of a 40 ms frame (bench/graph_scale.py)."""
        controller, stepper = self.controller, self.controller.stepper
        if controller.running and stepper.phase == 0 and controller.concealed() is None:
            row = min(self.observation, stepper.inputs.shape[0] - 1)
            return forward_pass(stepper.network, stepper.inputs[row:row + 1]), 0
        trace = controller.display_trace(backward=False)
        return trace.activations, min(self.observation, trace.activations[0].shape[0] - 1)

    # -------------------------------------------------------------- hit testing
    def edge_near(self, position, pixels: float = 6.0) -> EdgeItem | None:
        """The edge whose line passes within ``pixels`` of a viewport position."""
        if not self._edge_list:
            return None
        point = self.mapToScene(position)
        p = np.array([point.x(), point.y()])
        segment = self._edge_ends - self._edge_starts
        length2 = np.maximum(np.einsum("ij,ij->i", segment, segment), 1e-12)
        t = np.clip(np.einsum("ij,ij->i", p - self._edge_starts, segment) / length2, 0, 1)
        distance = np.hypot(*(self._edge_starts + t[:, None] * segment - p).T)
        nearest = int(np.argmin(distance))
        tolerance = pixels / max(abs(self.transform().m11()), 1e-9)
        tolerance += self._edge_list[nearest].pen().widthF() / 2
        return self._edge_list[nearest] if distance[nearest] <= tolerance else None

    def fold_at(self, position) -> FoldItem | None:
        """The fold item under a viewport position."""
        item = self.itemAt(position)
        while item is not None and not isinstance(item, FoldItem):
            item = item.parentItem()
        return item

    def item_near(self, position):
        """The neuron, bias, weight or fold item under a viewport position (thin edges
        included)."""
        item = self.itemAt(position)
        while item is not None and not isinstance(
                item, EdgeItem | BiasItem | NeuronItem | FoldItem):
            item = item.parentItem()
        if isinstance(item, NeuronItem | BiasItem | FoldItem):
            return item
        return self.edge_near(position) or item

    # ----------------------------------------------------------------- tooltips
    def tooltip_for(self, item) -> str | None:
        """The tooltip of a neuron, weight or bias, made from the engine when asked."""
        if isinstance(item, FoldItem):
            return item.tooltip()
        network, trace = self.controller.network, self.controller.display_trace()
        concealed = self.controller.concealed()  # predict mode: what is hidden
        if isinstance(item, NeuronItem):
            groups = self.controller.symmetry()[item.layer]
            group = next(g for g in groups if item.index in g)
            hidden = concealed is not None and concealed.layer == item.layer
            return neuron_tooltip(network, trace, item.layer, item.index, group, hidden)
        if isinstance(item, EdgeItem | BiasItem):
            return parameter_tooltip(network, trace, item.address,
                                     concealed is not None and concealed.kind == "update",
                                     item.address in self.controller.frozen_addresses())
        return None

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            item = self.item_near(event.pos())
            text = self.tooltip_for(item) if item is not None else None
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
                self._tooltip = (item, event.globalPos(), text)
            else:
                QToolTip.hideText()
                self._tooltip = None
            return True
        return super().viewportEvent(event)

    def _tooltip_shown(self) -> bool:
        """Whether the tooltip on screen is the one this view showed last."""
        return (self._tooltip is not None and QToolTip.isVisible()
                and QToolTip.text() == self._tooltip[2])

    def _refresh_tooltip(self) -> None:
        """A tooltip still shown over the graph follows the numbers (a restart, a step, an
        edit, an undo): it would otherwise keep the old ones until the mouse moved."""
        if not self._tooltip_shown():
            self._tooltip = None
            return
        item, position, text = self._tooltip
        fresh = self.tooltip_for(item)
        if fresh != text:
            QToolTip.showText(position, fresh, self.viewport())
            self._tooltip = (item, position, fresh)

    # --------------------------------------------------------------- selection
    def _track_selection(self) -> None:
        selected = {item.address for item in self.scene().selectedItems()
                    if isinstance(item, EdgeItem | BiasItem)}
        self._selection_order = [a for a in self._selection_order if a in selected]
        self._selection_order += [a for a in selected if a not in self._selection_order]
        self.selection_changed.emit()

    def selected_parameters(self) -> list[ParameterAddress]:
        """Selected weights and biases, in the order they were selected."""
        return list(self._selection_order)

    def selected_neuron(self) -> tuple[int, int] | None:
        for item in self.scene().selectedItems():
            if isinstance(item, NeuronItem):
                return (item.layer, item.index)
        return None

    def select_parameters(self, addresses: list[ParameterAddress]) -> None:
        self.scene().clearSelection()
        for address in addresses:
            item = self.edges.get(address) or self.bias_items.get(address)
            if item is not None:
                item.setSelected(True)

    def select_neuron(self, neuron: tuple[int, int]) -> None:
        """Select a neuron; one folded away is shown first (its layer unfolded)."""
        neuron = tuple(neuron)
        sizes = self.controller.network.sizes
        if (neuron not in self.neurons and 0 <= neuron[0] < len(sizes)
                and 0 <= neuron[1] < sizes[neuron[0]]
                and self.layout_plan.folds[neuron[0]]):
            self.expanded.add(neuron[0])
            self.rebuild()
        self.scene().clearSelection()
        item = self.neurons.get(neuron)
        if item is not None:
            item.setSelected(True)

    def item_for(self, address: ParameterAddress):
        return self.edges.get(address) or self.bias_items.get(address)

    # ----------------------------------------------------------------- editing
    def edit_parameter(self, address: ParameterAddress) -> None:
        """Open the inline editor on a weight or bias."""
        item = self.item_for(address)
        if item is None:
            return
        if isinstance(item, EdgeItem):
            anchor = item.line().pointAt(0.5)
        else:
            anchor = item.mapToScene(item.rect().center())
        value = self.controller.network.get(address)
        self.editor.open(address, repr(value), self.mapFromScene(anchor))

    def _apply_edit(self, address: ParameterAddress, value: float) -> None:
        if value == self.controller.network.get(address):
            return  # nothing changes: no undo entry, no unsaved change
        self.controller.set_parameters([address], [value])

    def mouseDoubleClickEvent(self, event) -> None:
        if self.fold_at(event.position().toPoint()) is not None:
            event.accept()  # the press before it folded or unfolded
            return
        item = self.item_near(event.position().toPoint())
        if isinstance(item, EdgeItem | BiasItem):
            self.edit_parameter(item.address)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                not self.editor.is_open):
            selected = self.selected_parameters()
            if selected:
                self.edit_parameter(selected[0])
                return
        super().keyPressEvent(event)

    def parameter_menu(self) -> QMenu | None:
        """The menu a right-click on a weight or bias opens (its actions are the window's:
        they act on the selection), or None when there are none."""
        if not self.parameter_actions:
            return None
        menu = QMenu(self)
        menu.setObjectName("parameter_menu")
        for action in self.parameter_actions:
            menu.addAction(action)
        return menu

    def contextMenuEvent(self, event) -> None:
        """A right-click on a weight or bias selects it (unless it is part of the
        selection already, which it then acts on) and offers the parameter actions."""
        item = self.item_near(event.pos())
        if not isinstance(item, EdgeItem | BiasItem):
            super().contextMenuEvent(event)
            return
        if not item.isSelected():
            self.scene().clearSelection()
            item.setSelected(True)
        menu = self.parameter_menu()
        if menu is not None:
            menu.exec(event.globalPos())
            menu.deleteLater()
        event.accept()

    # ------------------------------------------------------------ zoom and pan
    def wheelEvent(self, event) -> None:
        factor = 1.0015 ** event.angleDelta().y()
        self.auto_fit = False
        self.scale(factor, factor)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_start = event.position()
            self.auto_fit = False
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        position = event.position().toPoint()
        if event.button() == Qt.MouseButton.RightButton and isinstance(
                self.item_near(position), EdgeItem | BiasItem):
            event.accept()  # the selection stays for the context menu to act on
            return
        fold = self.fold_at(position) if event.button() == Qt.MouseButton.LeftButton else None
        if fold is not None:
            self.toggle_fold(fold.layer)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.itemAt(position) is None:
            edge = self.edge_near(position)
            if edge is not None:  # a click beside a thin line selects it
                if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    self.scene().clearSelection()
                edge.setSelected(not edge.isSelected() or not event.modifiers())
                event.accept()
                return
        super().mousePressEvent(event)

    def _hover(self, neuron) -> None:
        if neuron != self._hovered:
            self._hovered = neuron
            self.neuron_hovered.emit(neuron)

    def leaveEvent(self, event) -> None:
        self._hover(None)
        super().leaveEvent(event)

    def mouseMoveEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        while item is not None and not isinstance(item, NeuronItem):
            item = item.parentItem()
        self._hover((item.layer, item.index) if item is not None else None)
        if self._pan_start is not None:
            delta = event.position() - self._pan_start
            self._pan_start = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_start is not None:
            self._pan_start = None
            self.unsetCursor()
            return
        super().mouseReleaseEvent(event)
