"""The network drawn like TensorFlow Playground: every unit as a thumbnail of its output map.

Nodes and edges are created once per architecture; later probes of the same shapes only swap
pixmaps and, for edges whose sign or width bucket changed, pens. Networks without unit maps
(convolutional, recurrent, very wide) are drawn as one summary box per layer instead.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
)

from engine.diagnostics import layer_display_name
from gui.views.backprop_clicks import NetworkClicks
from gui.views.backprop_overlay import StageOverlay
from gui.views.colors import (
    BACKGROUND,
    BLUE,
    DIVERGING_LEVELS,
    DIVERGING_LUT,
    FOREGROUND,
    ORANGE,
    class_image,
    diverging_index,
)
from gui.views.layer_summary import columns_for, draw_summary

THUMB = 24  # thumbnail resolution: enough to read a unit's shape, cheap to refresh
NODE = 30  # thumbnail size in scene units
OUTPUT_NODE = 60
COLUMN_GAP = 110  # from one layer's left edge to the next one's, for one-column layers
ROW_GAP = 38
MAX_ROWS = 8  # the playground's largest layer; wider layers become blocks of columns
BLOCK_GAP = 40  # between the columns of one wide layer
MAX_ZOOM = 2.5  # a 2-4-1 net should not fill the panel with blurry giant thumbnails
WIDTH_BUCKETS = 4  # edge widths are quantised so that unchanged pens are not reset every frame
HOVER_COLOR = "#1a73e8"


def downsample(values: np.ndarray, size: int = THUMB) -> np.ndarray:
    """Every (res/size)-th cell of each (…, res, res) map; maps already that small pass through."""
    rows, cols = values.shape[-2:]
    r = np.linspace(0, rows - 1, min(size, rows)).round().astype(np.int64)
    c = np.linspace(0, cols - 1, min(size, cols)).round().astype(np.int64)
    return values[..., r[:, None], c[None, :]]


def _pixmap(colors: np.ndarray) -> QPixmap:
    """(h, w, 3) uint8 with row 0 = lowest x2, flipped so x2 grows upward as in the big map."""
    flipped = np.ascontiguousarray(colors[::-1])
    h, w, _ = flipped.shape
    image = QImage(flipped.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())  # copy: QImage borrows the numpy buffer


def diverging_pixmaps(maps: np.ndarray) -> list[QPixmap]:
    """(n, res, res) maps on -1..1 as thumbnails on the playground's orange-white-blue scale.

    One NumPy pass for a whole layer: per unit, only the QImage is made (measured: a unit at a
    time cost ~1.2 ms each, most of a 16-unit network's 30 ms update)."""
    index = diverging_index(downsample(np.asarray(maps)), DIVERGING_LEVELS)
    return [_pixmap(colors) for colors in DIVERGING_LUT[index]]


def diverging_pixmap(values: np.ndarray) -> QPixmap:
    """One -1..1 map as a thumbnail (see diverging_pixmaps)."""
    return diverging_pixmaps(np.asarray(values)[None])[0]


def _unit_scale(values: np.ndarray) -> np.ndarray:
    """Inputs and regression outputs have any range: stretch them onto -1..1 by their largest |value|."""
    peak = float(np.nanmax(np.abs(values))) if values.size else 0.0
    return values / peak if peak > 0 else values


class _MapNode(QGraphicsPixmapItem):
    """A unit's thumbnail; hovering it reports (title, full-resolution map) to the view."""

    def __init__(self, title: str, size: float, report):
        super().__init__()
        self.title = title
        self.map: np.ndarray | None = None
        self.size = size
        self._report = report
        self.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.setAcceptHoverEvents(True)
        self._frame = QGraphicsRectItem(self)
        self._frame.setPen(QPen(QColor(FOREGROUND), 0))
        self.highlighted = False

    def set_image(self, pixmap: QPixmap, hover_map: np.ndarray | None) -> None:
        self.setPixmap(pixmap)
        rect = QRectF(0, 0, pixmap.width(), pixmap.height())
        if rect != self._frame.rect():  # unchanged for the whole run: skip the geometry change
            self.setScale(self.size / max(pixmap.width(), 1))
            self._frame.setRect(rect)
        self.map = hover_map

    def set_highlighted(self, on: bool) -> None:
        """A thick blue frame on the unit whose map the output view shows large."""
        self.highlighted = on
        pen = QPen(QColor(HOVER_COLOR if on else FOREGROUND), 3 if on else 0)
        pen.setCosmetic(True)  # pixels on screen, whatever the thumbnail's scale
        self._frame.setPen(pen)
        self.setZValue(1 if on else 0)

    def hoverEnterEvent(self, event) -> None:
        if self.map is not None:
            self.set_highlighted(True)
            self._report((self.title, self.map))
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        if self.highlighted or self.map is not None:
            self.set_highlighted(False)
            self._report(None)
        super().hoverLeaveEvent(event)


class NetworkView(NetworkClicks, QGraphicsView):
    """Inputs, hidden units and output as thumbnails joined by weight-coloured edges."""

    unitHovered = Signal(object)  # (title, map2d) while a unit is hovered, None when it is left
    probeShown = Signal(object)  # every probe drawn, after it is drawn
    edgeClicked = Signal(int, int, int)  # weight matrix, unit it ends at (as drawn), unit it starts at
    swapRequested = Signal(int, int, int)  # hidden layer, unit i, unit j (from a unit's context menu)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("networkView")
        self.setAccessibleName("Network diagram")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QBrush(QColor(BACKGROUND)))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._layout_key: tuple | None = None
        self.feature_nodes: list[_MapNode] = []
        self.unit_nodes: list[list[_MapNode]] = []
        self.output_node: _MapNode | None = None
        self.edges: list[np.ndarray] = []  # per weight matrix, (out, in) object array of line items
        self._edge_codes: list[np.ndarray] = []
        self._pens: dict[int, QPen] = {}
        self.summary_boxes: list[QGraphicsRectItem] = []
        self._features: np.ndarray | None = None  # the input maps last drawn
        self._weights: tuple = ()  # the weights last drawn as edges
        self.overlay = StageOverlay(self)  # the step-through's numbers (gui/views/backprop_panel.py)

    # -- public API ---------------------------------------------------------------------------
    def set_probe(self, probe, layer_infos) -> None:
        """Draw `probe`'s unit maps, or a summary of `layer_infos` when there are none to draw."""
        infos = tuple(layer_infos or ())
        if self._has_unit_maps(probe, infos):
            key = self._units_key(probe)
            if key != self._layout_key:
                self._build_units(probe, key)
            self._update_units(probe)
        else:
            why = (
                "a layer is wider than 64 units or not dense"
                if probe is not None and probe.features is not None
                else "unit maps need 2-D inputs"
            )
            key = ("summary", infos, why)
            if key != self._layout_key:
                self._build_summary(infos, key, f"Drawn layer by layer: {why}.")
        self.probeShown.emit(probe)

    def show_stage(self, stage) -> bool:
        """Draw a step-through stage's numbers over the diagram (gui/views/backprop_stages.py);
        True when a wide layer's numbers are in its units' tooltips only."""
        in_tooltips = self.overlay.show(stage)
        self._fit()  # the labels beside the output node widen the picture
        return in_tooltips

    def clear_stage(self) -> None:
        """Back to the weights: every edge's pen is set afresh from the last weights drawn."""
        self.overlay.clear()
        for codes in self._edge_codes:
            codes[...] = 0
        self._paint_weights(self._weights)
        self._fit()

    @property
    def draws_units(self) -> bool:
        """Whether the diagram is drawn unit by unit, with its edges (what the step-through needs)."""
        return bool(self.edges) and self.output_node is not None

    # -- unit diagram -------------------------------------------------------------------------
    @staticmethod
    def _has_unit_maps(probe, infos: tuple) -> bool:
        # No hidden layer (a perceptron) is drawn too: the inputs' maps joined to the output's.
        if probe is None or probe.features is None or np.ndim(probe.output) != 2:
            return False
        return not infos or len(probe.units) == len(infos) - 1  # every hidden layer drawn, head last

    @staticmethod
    def _units_key(probe) -> tuple:
        return (
            "units",
            tuple(probe.feature_names),
            tuple(u.shape[0] for u in probe.units),
            tuple(w.shape for w in probe.weights),
            probe.confidence is None,
        )

    def _build_units(self, probe, key: tuple) -> None:
        self._reset(key)
        scene = self.scene()
        widths = [len(probe.feature_names)] + [u.shape[0] for u in probe.units]
        x = 0.0
        self.feature_nodes, x = self._add_column(x, probe.feature_names, "inputs", labelled=True)
        for j, layer in enumerate(probe.units):
            name = (
                layer_display_name(probe.unit_layer_names[j]) if probe.unit_layer_names else f"hidden {j + 1}"
            )
            titles = [f"{name}, unit {k + 1}" for k in range(layer.shape[0])]
            nodes, x = self._add_column(x, titles, name)
            self.unit_nodes.append(nodes)
        self.output_node = _MapNode("output", OUTPUT_NODE, self.unitHovered.emit)
        self.output_node.setPos(x, -OUTPUT_NODE / 2)
        scene.addItem(self.output_node)
        self._add_label("output", x + OUTPUT_NODE / 2, -OUTPUT_NODE / 2 - 20)
        # The head may have k > 1 outputs (multi-class) drawn as one node: only its inputs must fit.
        weights_fit = len(probe.weights) == len(widths) and all(
            w.ndim == 2 and w.shape[1] == n_in and (n_out is None or w.shape[0] == n_out)
            for w, n_in, n_out in zip(probe.weights, widths, [*widths[1:], None], strict=True)
        )
        if weights_fit:
            sources = [self.feature_nodes, *self.unit_nodes]
            targets = [*self.unit_nodes, [self.output_node]]
            for src, dst in zip(sources, targets, strict=True):
                self._add_edges(src, dst)
        self._fit()

    def _add_column(
        self, x: float, titles, header: str, labelled: bool = False
    ) -> tuple[list[_MapNode], float]:
        """One layer's nodes from `x` on; returns them and where the next layer starts.

        A layer of up to 8 units is one column, as in the playground. A wider one is a block of
        columns of at least 8 rows (about sqrt(2n) rows for n units, so a block is about twice as
        tall as wide): 32 units stay readable at the panel's size, where one column of 32 shrank
        every thumbnail to ~12 px and ran off the bottom.
        """
        rows = max(MAX_ROWS, int(np.ceil(np.sqrt(2 * len(titles)))))
        rows = min(rows, len(titles)) if titles else 1
        columns = -(-len(titles) // rows) if titles else 1
        top = -(rows - 1) * ROW_GAP / 2 - NODE / 2
        nodes = []
        for k, title in enumerate(titles):
            node = _MapNode(title, NODE, self.unitHovered.emit)
            node_x, node_y = x + (k // rows) * BLOCK_GAP, top + (k % rows) * ROW_GAP
            node.setPos(node_x, node_y)
            self.scene().addItem(node)
            nodes.append(node)
            if labelled:
                self._add_label(title, node_x - 14, node_y + NODE / 2, centre_vertically=True)
        block_width = (columns - 1) * BLOCK_GAP + NODE
        self._add_label(header, x + block_width / 2, top - 20)
        return nodes, x + block_width + COLUMN_GAP - NODE

    def _add_label(self, text: str, x: float, y: float, centre_vertically: bool = False) -> None:
        label = self.scene().addSimpleText(text)
        label.setBrush(QBrush(QColor(FOREGROUND)))
        rect = label.boundingRect()
        if centre_vertically:  # feature names sit right-aligned, left of their node
            label.setPos(x - rect.width(), y - rect.height() / 2)
        else:
            label.setPos(x - rect.width() / 2, y)

    def _add_edges(self, sources: list[_MapNode], targets: list[_MapNode]) -> None:
        lines = np.empty((len(targets), len(sources)), dtype=object)
        for o, dst in enumerate(targets):
            end = dst.pos() + QPointF(0, dst.size / 2)
            for i, src in enumerate(sources):
                line = QGraphicsLineItem(QLineF(src.pos() + QPointF(src.size, src.size / 2), end))
                line.setZValue(-1)
                self.scene().addItem(line)
                lines[o, i] = line
        self.edges.append(lines)
        self._edge_codes.append(np.zeros(lines.shape, dtype=np.int64))

    def _update_units(self, probe) -> None:
        features = np.asarray(probe.features)
        if self._features is None or not np.array_equal(features, self._features, equal_nan=True):
            self._features = features  # the inputs' maps stay the same for a whole run
            scaled = [_unit_scale(values) for values in features]
            for node, values, pixmap in zip(
                self.feature_nodes, scaled, diverging_pixmaps(np.stack(scaled)), strict=True
            ):
                node.set_image(pixmap, values)
        for nodes, layer in zip(self.unit_nodes, probe.units, strict=True):
            for node, values, pixmap in zip(nodes, layer, diverging_pixmaps(layer), strict=True):
                node.set_image(pixmap, values)
        self.output_node.set_image(self._output_pixmap(probe), None)  # the big view already shows it
        self._weights = tuple(probe.weights)
        if self.overlay.stage is not None:
            self.overlay.paint_edges()  # the step-through's values stay on the edges
            return
        self._paint_weights(self._weights)

    def _paint_weights(self, all_weights: tuple) -> None:
        if len(self.edges) != len(all_weights):
            return  # weights that could not be drawn as edges (see _build_units)
        for lines, codes, weights in zip(self.edges, self._edge_codes, all_weights, strict=True):
            if weights.shape[0] != lines.shape[0]:
                # A k-output head drawn as one node: each edge shows that input's strongest weight.
                strongest = np.abs(weights).argmax(axis=0)
                weights = weights[strongest, np.arange(weights.shape[1])][None, :]
            new_codes = _edge_codes(weights)
            for o, i in zip(*np.nonzero(new_codes != codes), strict=True):
                lines[o, i].setPen(self._pen(int(new_codes[o, i])))
            codes[...] = new_codes

    @staticmethod
    def _output_pixmap(probe) -> QPixmap:
        output = np.asarray(probe.output)
        if probe.confidence is not None:
            n_classes = int(np.nanmax(output)) + 1 if output.size else 2
            return _pixmap(class_image(downsample(output), downsample(probe.confidence), n_classes))
        if np.nanmin(output) >= -1.0 and np.nanmax(output) <= 1.0:
            return diverging_pixmap(output)
        return diverging_pixmap(_unit_scale(output))

    def _pen(self, code: int) -> QPen:
        """Blue for positive weights, orange for negative; width grows with |w|."""
        if code not in self._pens:
            color = QColor(BLUE if code > 0 else ORANGE)
            color.setAlpha(190)
            pen = QPen(color, 0.5 + abs(code) / WIDTH_BUCKETS)
            pen.setCosmetic(True)
            self._pens[code] = pen
        return self._pens[code]

    # -- summary boxes ------------------------------------------------------------------------
    def _build_summary(self, infos: tuple, key: tuple, why: str) -> None:
        self._reset(key)
        self._summary_why = why
        view = self.viewport().rect()
        size = (view.width(), view.height()) if not view.isEmpty() else (520, 460)
        self._summary_columns = columns_for(len(infos), *size)
        self.summary_boxes = draw_summary(self.scene(), infos, self._summary_columns)
        if not infos:
            self._add_label("no network to draw", 0, 0)
        else:
            bottom = max(box.rect().bottom() for box in self.summary_boxes)
            self._add_label(why, self.scene().itemsBoundingRect().center().x(), bottom + 14)
        self._fit()

    # -- layout -------------------------------------------------------------------------------
    def _reset(self, key: tuple) -> None:
        if any(node.isUnderMouse() for node in self._all_nodes()):
            self.unitHovered.emit(None)  # the hovered node is about to disappear
        self.scene().clear()
        self.overlay.forget()
        self._layout_key = key
        self._features = None
        self.feature_nodes, self.unit_nodes, self.output_node = [], [], None
        self.edges, self._edge_codes, self.summary_boxes = [], [], []

    def _all_nodes(self) -> list[_MapNode]:
        nodes = [*self.feature_nodes, *(n for column in self.unit_nodes for n in column)]
        return nodes + ([self.output_node] if self.output_node is not None else [])

    def _fit(self) -> None:
        scene = self.scene()
        rect = scene.itemsBoundingRect().adjusted(-12, -12, 12, 12)
        scene.setSceneRect(rect)
        view = self.viewport().rect()
        if rect.isEmpty() or view.isEmpty():
            return
        zoom = min(view.width() / rect.width(), view.height() / rect.height(), MAX_ZOOM)
        self.resetTransform()
        self.scale(zoom, zoom)
        self.centerOn(rect.center())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        key = self._layout_key
        if key and key[0] == "summary" and self.summary_boxes:  # another shape may fit more columns
            view = self.viewport().rect()
            if columns_for(len(key[1]), view.width(), view.height()) != self._summary_columns:
                self._build_summary(key[1], key, self._summary_why)
        self._fit()


def _edge_codes(weights: np.ndarray) -> np.ndarray:
    """Signed width bucket of each weight: sign(w) * (1 + quantised |w|), never 0."""
    buckets = 1 + np.minimum(np.round(np.abs(weights) * WIDTH_BUCKETS), 5 * WIDTH_BUCKETS).astype(np.int64)
    return np.where(weights >= 0, buckets, -buckets)
