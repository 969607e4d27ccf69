"""Clicks on the network view: an edge clicked (to set its weight by hand) and a hidden unit's
context menu (to swap it with another unit of its layer). A mixin of gui.views.network_graph's
NetworkView, whose edges, unit nodes and signals (edgeClicked, swapRequested) it reads."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtWidgets import QMenu

CLICK_TOLERANCE = 5  # px from an edge that still counts as clicking it


class NetworkClicks:
    """Edge picking and the unit menu, for NetworkView."""

    def edge_at(self, view_point) -> tuple[int, int, int] | None:
        """(matrix, out, in) of the edge within CLICK_TOLERANCE px of `view_point`, the nearest."""
        point = self.mapToScene(view_point)
        tolerance = CLICK_TOLERANCE / max(self.transform().m11(), 1e-6)
        best, found = tolerance, None
        for m, lines in enumerate(self.edges):
            for (o, i), line in np.ndenumerate(lines):
                distance = _distance(point, line.line())
                if distance <= best:
                    best, found = distance, (m, o, i)
        return found

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.edges:
            hit = self.edge_at(event.position().toPoint())
            if hit is not None:
                self.edgeClicked.emit(*hit)
                event.accept()
                return
        super().mousePressEvent(event)

    def unit_menu(self, layer: int, unit: int) -> QMenu:
        """The context menu of hidden unit `unit` of hidden layer `layer`: swaps with its siblings."""
        menu = QMenu(self)
        count = len(self.unit_nodes[layer])
        for other in range(count):
            if other != unit:
                action = menu.addAction(f"Swap hidden units {unit + 1} and {other + 1} of layer {layer + 1}")
                action.triggered.connect(lambda _=False, j=other: self.swapRequested.emit(layer, unit, j))
        return menu

    def contextMenuEvent(self, event) -> None:
        item = self.itemAt(event.pos())
        while item is not None and not hasattr(item, "set_highlighted"):
            item = item.parentItem()
        for layer, nodes in enumerate(self.unit_nodes):
            if item in nodes and len(nodes) > 1:
                menu = self.unit_menu(layer, nodes.index(item))
                menu.exec(event.globalPos())
                menu.deleteLater()
                return
        super().contextMenuEvent(event)


def _distance(point: QPointF, line: QLineF) -> float:
    """Distance from `point` to the segment `line`."""
    a, b = np.array([line.x1(), line.y1()]), np.array([line.x2(), line.y2()])
    p, d = np.array([point.x(), point.y()]), b - a
    t = 0.0 if not d.any() else float(np.clip(np.dot(p - a, d) / np.dot(d, d), 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * d)))
