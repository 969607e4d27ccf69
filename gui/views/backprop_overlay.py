"""The step-through's numbers drawn onto the network view: a label beside each unit, and edges
coloured and widened by the stage's values (∂L/∂w, Δw), their numbers in the edge's tooltip."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsSimpleTextItem

from gui.views.colors import BLUE, FOREGROUND, ORANGE

LABEL_POINT_SIZE = 6.5  # scene units: the view zooms the 30-unit thumbnails to ~50-75 px
MAX_ROWS = 8  # a layer with more units is a block of columns (network_graph): numbers on hover
MAX_WIDTH = 5.0  # px of the widest edge; the others scale with |value| against the stage's largest


class StageOverlay:
    """Owns the labels it adds to a NetworkView's scene; `show` replaces them, `clear` removes them."""

    def __init__(self, view) -> None:
        self._view = view
        self.labels: dict[int, list[QGraphicsSimpleTextItem]] = {}  # column -> one per drawn node
        self._boxes: list[QGraphicsRectItem] = []
        self._tipped: list = []  # nodes given the stage's numbers as tooltips
        self.stage = None

    def columns(self) -> list[list]:
        view = self._view
        return [view.feature_nodes, *view.unit_nodes, [view.output_node]]

    def show(self, stage) -> bool:
        """Draw `stage`; True when some of its numbers are only in tooltips (a layer drawn as a
        block of columns has no room beside its units)."""
        self.clear_labels()
        self.stage = stage
        columns, hidden = self.columns(), False
        for column, texts in stage.texts.items():
            nodes = columns[column]
            if len(texts) > len(nodes):  # a k-output head drawn as one node: its k values, numbered
                texts = ["\n".join(f"{k + 1}: {t.replace(chr(10), '  ')}" for k, t in enumerate(texts))]
            if len(nodes) > MAX_ROWS:
                hidden = True
                for node, text in zip(nodes, texts, strict=False):
                    node.setToolTip(text)
                    self._tipped.append(node)
                continue
            self.labels[column] = [self._label(node, text) for node, text in zip(nodes, texts, strict=False)]
        self.paint_edges()
        return hidden

    def paint_edges(self) -> None:
        """The stage's values on the edges; matrices it says nothing about are drawn faint."""
        stage, view = self.stage, self._view
        if stage is None or len(view.edges) == 0:
            return
        peak = max((float(np.abs(v).max()) for v in stage.edge_values.values() if v.size), default=0.0)
        for m, lines in enumerate(view.edges):
            values, tips = stage.edge_values.get(m), stage.edge_tips.get(m)
            for (o, i), line in np.ndenumerate(lines):
                if values is None:
                    line.setPen(_pen(0.0, 0.0))
                    line.setToolTip("")
                    continue
                column = values[:, i]
                if lines.shape[0] == 1 and len(column) > 1:  # a k-output head drawn as one node
                    value = column[np.abs(column).argmax()]
                    tip = "\n".join(f"output {k + 1}: {t}" for k, t in enumerate(tips[:, i]))
                else:
                    value, tip = values[o, i], tips[o, i]
                line.setPen(_pen(float(value), peak))
                line.setToolTip(tip)

    def _label(self, node, text: str) -> QGraphicsSimpleTextItem:
        label = QGraphicsSimpleTextItem(text)
        font = QFont()
        font.setPointSizeF(LABEL_POINT_SIZE)
        label.setFont(font)
        label.setBrush(QBrush(QColor(FOREGROUND)))
        rect = label.boundingRect()
        x, y = node.pos().x() + node.size + 2, node.pos().y() + (node.size - rect.height()) / 2
        box = QGraphicsRectItem(x - 1, y, rect.width() + 2, rect.height())
        box.setBrush(QBrush(QColor(255, 255, 255, 215)))
        box.setPen(QPen(QColor(0, 0, 0, 0)))
        box.setZValue(2)
        label.setParentItem(box)
        label.setPos(x, y)
        self._view.scene().addItem(box)
        self._boxes.append(box)
        return label

    def clear_labels(self) -> None:
        scene = self._view.scene()
        for box in self._boxes:
            if box.scene() is scene:
                scene.removeItem(box)
        self._boxes, self.labels = [], {}
        for node in self._tipped:
            node.setToolTip("")
        self._tipped = []

    def clear(self) -> None:
        self.clear_labels()
        self.stage = None

    def forget(self) -> None:
        """The scene was cleared under the overlay (a new layout): its items are gone already."""
        self._boxes, self.labels, self.stage, self._tipped = [], {}, None, []


def _pen(value: float, peak: float) -> QPen:
    """Blue for positive, orange for negative; width and opacity grow with |value| / peak."""
    share = abs(value) / peak if peak > 0 else 0.0
    color = QColor(BLUE if value >= 0 else ORANGE)
    color.setAlpha(int(50 + 190 * share))
    pen = QPen(color, 0.5 + (MAX_WIDTH - 0.5) * share)
    pen.setCosmetic(True)
    return pen
