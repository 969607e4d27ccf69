"""The painted points drawn over the decision map while the user paints: one scatter item, set
once per stroke step, coloured as the map colours the same classes and values."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from gui.views.colors import class_color, diverging_colors

PAINT_POINT_SIZE = 8
MAX_PAINT_CLASSES = 8


class PaintLayer:
    """A table of painted points (x1, x2, class|value) or (x, y) shown on `plot`, hidden otherwise.

    One scatter item per class, each with one brush: a per-point brush list makes pyqtgraph
    style every point apart, which was most of a stroke step's time (measured in the report).
    Only the classes whose points changed are set again.
    """

    def __init__(self, plot: pg.PlotItem):
        self.items = []
        for k in range(MAX_PAINT_CLASSES):
            item = pg.ScatterPlotItem(
                size=PAINT_POINT_SIZE, pen=pg.mkPen("w", width=1.2), brush=class_color(k)
            )
            self.items.append(item)
        self._values = pg.ScatterPlotItem(size=PAINT_POINT_SIZE, pen=pg.mkPen("w", width=1.2))  # regression
        self._shown: list[np.ndarray | None] = [None] * (MAX_PAINT_CLASSES + 1)
        for item in (*self.items, self._values):
            item.setZValue(20)  # above the map, the fit and the run's own points
            # A class the stroke does not touch is repainted from its cached layer (as BoundaryView
            # keeps the run's points), not as thousands of markers again.
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.addItem(item)
            item.hide()

    def show(self, table: np.ndarray, task: str) -> None:
        """Draw `table`: 3 columns (x1, x2 and a class or a value) or 2 (a 1-D curve's x and y)."""
        table = np.asarray(table, dtype=np.float64)
        if table.shape[1] == 2:  # a curve: blue, as the 1-D view draws its training points
            for k in range(MAX_PAINT_CLASSES):
                self._set(k, table if k == 1 else table[:0])
            self._set(MAX_PAINT_CLASSES, np.zeros((0, 3)))
            return
        if task == "classification":
            labels = table[:, 2].astype(np.int64) % MAX_PAINT_CLASSES
            for k in range(MAX_PAINT_CLASSES):
                self._set(k, table[labels == k, :2])
            self._set(MAX_PAINT_CLASSES, table[:0])
            return
        for k in range(MAX_PAINT_CLASSES):
            self._set(k, table[:0, :2])
        self._set(MAX_PAINT_CLASSES, table)

    def _set(self, k: int, points: np.ndarray) -> None:
        item = self._values if k == MAX_PAINT_CLASSES else self.items[k]
        item.show()
        shown = self._shown[k]
        if shown is not None and shown.shape == points.shape and np.array_equal(shown, points):
            return
        self._shown[k] = points.copy()
        if k < MAX_PAINT_CLASSES:
            item.setData(points[:, 0], points[:, 1])
            return
        brushes = [
            pg.mkBrush(*map(int, c)) for c in diverging_colors(points[:, 2], value_levels(points[:, 2]))
        ]
        item.setData(points[:, 0], points[:, 1], brush=brushes)

    def hide(self) -> None:
        for item in (*self.items, self._values):
            item.hide()
        self._shown = [None] * (MAX_PAINT_CLASSES + 1)


def value_levels(values: np.ndarray) -> tuple[float, float]:
    """The colour scale of painted values: their range, as the map stretches a regression set's."""
    if len(values) == 0 or float(np.min(values)) == float(np.max(values)):
        top = max(1.0, float(np.max(np.abs(values)))) if len(values) else 1.0
        return (-top, top)
    return (float(np.min(values)), float(np.max(values)))
