"""Weight images (issue 16): for a network whose inputs are the pixels of a square picture
(784 = 28², 64 = 8², any perfect square ≥ 16), each neuron of layer 1 drawn as the picture its
incoming weights make (column j of W^0, row-major: pixel (r, c) is input r·side + c), in a
grid that scrolls, at most ``MAX_IMAGES`` of them. Blue negative, white 0, red positive, on
one scale for all (the largest |w| shown) or, ticked, each image on its own.

Refreshed like the plots (live while training, spaced by its cost); a click on image j
selects neuron (1, j) in the graph (``neuron_chosen``), and the neuron selected in the graph
is framed. Other networks get a line saying why there is nothing to show."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from engine.analysis.distributions import (
    diverging_rgb,
    image_side,
    no_image_message,
    weight_images,
)

from ..notation import typeset

MAX_IMAGES = 128
TILE = 84  # about this many pixels a side: 28 × 3, 8 × 10, 4 × 21
GAP = 6
LABEL = 14  # the neuron's number under its image


class WeightGrid(QWidget):
    """The images in rows as wide as the widget; ``clicked(j)`` on image j."""

    clicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("weight_image_grid")
        self.rgb = np.zeros((0, 0, 0, 3), dtype=np.uint8)  # (images, side, side, RGB)
        self.selected: int | None = None
        self.ranges: list[tuple[float, float]] = []  # each image's smallest and largest w
        self._image = QImage()
        self.setMouseTracking(False)

    # ------------------------------------------------------------------ geometry
    @property
    def count(self) -> int:
        return len(self.rgb)

    @property
    def side(self) -> int:
        return self.rgb.shape[1] if self.count else 0

    @property
    def zoom(self) -> int:
        return max(1, TILE // self.side) if self.side else 1

    @property
    def tile(self) -> int:
        return self.side * self.zoom

    def columns(self, width: int | None = None) -> int:
        width = self.width() if width is None else width
        return max(1, (width - GAP) // (self.tile + GAP)) if self.count else 1

    def height_for(self, width: int) -> int:
        rows = -(-self.count // self.columns(width))
        return GAP + rows * (self.tile + LABEL + GAP)

    def tile_rect(self, j: int) -> QRect:
        """Where image j is drawn (widget coordinates)."""
        row, column = divmod(j, self.columns())
        return QRect(GAP + column * (self.tile + GAP), GAP + row * (self.tile + LABEL + GAP),
                     self.tile, self.tile)

    def index_at(self, point: QPoint) -> int | None:
        for j in range(self.count):
            if self.tile_rect(j).adjusted(0, 0, 0, LABEL).contains(point):
                return j
        return None

    def fit(self, width: int) -> None:
        """As wide as ``width``, as tall as its rows need."""
        self.setFixedSize(max(width, self.tile + 2 * GAP), self.height_for(width))

    # ------------------------------------------------------------------ content
    def set_images(self, rgb: np.ndarray, ranges: list[tuple[float, float]]) -> None:
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        resized = rgb.shape[:2] != self.rgb.shape[:2]
        self.rgb, self.ranges = rgb, ranges
        if self.count:
            # one tall strip, image j at rows j·side … (j + 1)·side − 1
            strip = rgb.reshape(self.count * self.side, self.side, 3)
            self._strip = strip  # QImage does not copy: keep the buffer alive
            self._image = QImage(strip.data, self.side, len(strip), 3 * self.side,
                                 QImage.Format.Format_RGB888)
        else:
            self._image = QImage()
        if resized:
            self.fit(self.width())
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        exposed = event.rect()
        side = self.side
        for j in range(self.count):
            rect = self.tile_rect(j)
            if not rect.adjusted(-2, -2, 2, LABEL).intersects(exposed):
                continue
            painter.drawImage(rect, self._image, QRect(0, j * side, side, side))
            painter.setPen(QColor(150, 150, 150))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setPen(QColor(60, 60, 60))
            painter.drawText(QRect(rect.left(), rect.bottom() + 1, rect.width(), LABEL),
                             Qt.AlignmentFlag.AlignCenter, str(j))
            if j == self.selected:
                painter.setPen(QPen(QColor(255, 140, 0), 3))
                painter.drawRect(rect.adjusted(-2, -2, 1, 1))
        painter.end()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            j = self.index_at(event.position().toPoint())
            if j is not None:
                self.clicked.emit(j)
                return
        super().mousePressEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            j = self.index_at(event.pos())
            if j is None:
                QToolTip.hideText()
            else:
                low, high = self.ranges[j]
                QToolTip.showText(event.globalPos(), typeset(
                    f"neuron {j} of layer 1 (a^1_{j}): its {self.side * self.side} incoming "
                    f"weights w^0_{{i,{j}}}, from {low:.3g} to {high:.3g}; click to select it"),
                    self)
            return True
        return super().event(event)


class GridScroll(QScrollArea):
    """Scrolls the grid up and down; the grid takes the viewport's width."""

    def __init__(self, grid: WeightGrid) -> None:
        super().__init__()
        self.setObjectName("weight_image_scroll")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(grid)
        self.grid = grid

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.grid.fit(self.viewport().width())

    def sizeHint(self) -> QSize:
        return QSize(4 * (TILE + GAP) + GAP, 2 * (TILE + LABEL + GAP))


class WeightImagesPanel(QWidget):
    """The caption, the own-scale box, the note and the grid (or why there is none)."""

    neuron_chosen = Signal(tuple)  # (1, j): the image clicked

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("weight_images_panel")
        self.controller = controller
        self.side: int | None = None
        self.shown = 0  # images drawn
        self.refreshes = 0
        self.caption = QLabel()
        self.caption.setObjectName("weight_images_caption")
        self.caption.setWordWrap(True)
        self.own_scale = QCheckBox("each image on its own scale")
        self.own_scale.setObjectName("weight_images_own_scale")
        self.own_scale.setToolTip("Unticked: one scale for all images (the largest |w| shown), "
                                  "so that their strengths compare; ticked: each image from "
                                  "its own largest |w|, so that a weak neuron's pattern shows")
        self.own_scale.toggled.connect(lambda _on: self.refresh())
        self.note = QLabel()
        self.note.setObjectName("weight_images_note")
        self.note.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("weight_images_message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid = WeightGrid()
        self.grid.clicked.connect(lambda j: self.neuron_chosen.emit((1, j)))
        self.scroll = GridScroll(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for widget in (self.caption, self.own_scale, self.note, self.message):
            layout.addWidget(widget)
        layout.addWidget(self.scroll, 1)
        self.rebuild()

    def rebuild(self) -> None:
        """Another network: images again, or the reason there are none."""
        network = self.controller.network
        inputs, neurons = network.sizes[0], network.sizes[1]
        self.side = image_side(inputs)
        self.grid.selected = None
        available = self.side is not None
        self.message.setText(no_image_message(inputs) or "")
        self.message.setVisible(not available)
        for widget in (self.caption, self.own_scale, self.scroll):
            widget.setVisible(available)
        self.shown = min(neurons, MAX_IMAGES) if available else 0
        self.note.setVisible(available and neurons > MAX_IMAGES)
        self.note.setText(f"The first {MAX_IMAGES} of layer 1's {neurons} neurons are shown."
                          if neurons > MAX_IMAGES else "")
        if not available:
            self.grid.set_images(np.zeros((0, 0, 0, 3), dtype=np.uint8), [])
        self.refresh()

    def refresh(self) -> None:
        """The images at the current parameters (where the timeline stands)."""
        if self.side is None:
            return
        network = self.controller.network
        side = self.side
        weights = network.weights[0][:, : self.shown]
        images = weight_images(weights, side)
        peaks = np.abs(images).reshape(len(images), -1).max(axis=1)
        scale = peaks if self.own_scale.isChecked() else float(peaks.max(initial=0.0))
        rgb = diverging_rgb(images, scale)
        ranges = list(zip(weights.min(axis=0).tolist(), weights.max(axis=0).tolist(),
                          strict=True))
        self.grid.set_images(rgb, ranges)
        kind = "output" if network.layer_count == 1 else "hidden"
        scale_text = ("each image from −|w|max to +|w|max of its own" if self.own_scale.isChecked()
                      else f"blue −{float(peaks.max(initial=0.0)):.3g}, white 0, "
                           f"red +{float(peaks.max(initial=0.0)):.3g}")
        self.caption.setText(typeset(
            f"Each {kind} neuron j of layer 1: its {side * side} incoming weights w^0_{{i,j}} "
            f"as a {side} × {side} picture (pixel (r, c) is input r·{side} + c); "
            f"{scale_text}. Click one to select it."))
        self.refreshes += 1

    def follow(self, neuron: tuple[int, int] | None) -> None:
        """Frame the image of the neuron selected in the graph (one of layer 1's)."""
        j = neuron[1] if neuron is not None and neuron[0] == 1 else None
        if j is not None and j >= self.grid.count:
            j = None
        if j != self.grid.selected:
            self.grid.selected = j
            self.grid.update()
