"""Paint mode's mouse on the decision map: strokes in data coordinates instead of panning.

A mixin of BoundaryView (gui/views/boundary.py), which declares the paintPressed/paintMoved/
paintReleased signals and owns the painted layer; the paint controller listens to them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt


class PaintMouse:
    """set_painting, pixel_distances and the mouse events of a painting BoundaryView."""

    def set_painting(self, on: bool) -> None:
        """Paint mode: the mouse draws strokes, the painted layer replaces the run's points."""
        self._painting, self._stroking = on, False
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)
        if not on:
            self.paint_layer.hide()
        self._show_run_points()

    def show_painted(self, table: np.ndarray, task: str) -> None:
        self.paint_layer.show(table, task)

    def pixel_distances(self, xy: np.ndarray, x: float, y: float) -> np.ndarray:
        """Screen distance in pixels from (x, y) to each of the (N, 2) data points `xy`."""
        width, height = self.getPlotItem().vb.viewPixelSize()
        if len(xy) == 0:
            return np.zeros(0)
        return np.hypot((xy[:, 0] - x) / max(width, 1e-12), (xy[:, 1] - y) / max(height, 1e-12))

    def _data_point(self, event) -> QPointF | None:
        """The event's position in data coordinates, or None outside the plot area."""
        vb = self.getPlotItem().vb
        scene = self.mapToScene(event.position().toPoint())
        if not vb.sceneBoundingRect().contains(scene):
            return None
        return vb.mapSceneToView(scene)

    def mousePressEvent(self, event) -> None:
        if not self._painting or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        point = self._data_point(event)
        event.accept()
        if point is not None:
            self._stroking = True
            self.paintPressed.emit(point.x(), point.y())

    def mouseMoveEvent(self, event) -> None:
        if not self._painting:
            super().mouseMoveEvent(event)
            return
        event.accept()
        point = self._data_point(event) if self._stroking else None
        if point is not None:
            self.paintMoved.emit(point.x(), point.y())

    def mouseReleaseEvent(self, event) -> None:
        if not self._painting:
            super().mouseReleaseEvent(event)
            return
        event.accept()
        if self._stroking and event.button() == Qt.MouseButton.LeftButton:
            self._stroking = False
            self.paintReleased.emit()
