"""The step-through's point on the decision map: a ring in a colour no class, split or perceptron
mark uses, with a label, so the learner sees which of the points the numbers belong to."""

from __future__ import annotations

import pyqtgraph as pg

TRACED_COLOR = "#d81b60"  # magenta: not a class colour (orange, blue, the k-class palette's first)
RING_SIZE = 20  # px: around a 7 px point and its halo, with room to see the point's own colour
LABEL_FILL = (255, 255, 255, 225)


class TracedPointMarker:
    """A ring and a label on `plot` (the BoundaryView's PlotItem) at the traced training point."""

    def __init__(self, plot) -> None:
        self._plot = plot
        # A white ring under the magenta one: the mark stays visible on the orange, blue and
        # white parts of the map alike.
        self.halo = pg.ScatterPlotItem(size=RING_SIZE, pen=pg.mkPen("w", width=5), brush=None)
        self.ring = pg.ScatterPlotItem(size=RING_SIZE, pen=pg.mkPen(TRACED_COLOR, width=2.5), brush=None)
        self.label = pg.TextItem(anchor=(-0.12, 1.1), color=TRACED_COLOR, fill=pg.mkBrush(*LABEL_FILL))
        for z, item in enumerate((self.halo, self.ring, self.label)):
            item.setZValue(30 + z)  # above the map, the points, the paint layer and the overlay
            plot.addItem(item)
        self.text = ""
        self.position: tuple[float, float] | None = None
        self.hide()

    def show(self, x: float, y: float, text: str) -> None:
        self.position, self.text = (float(x), float(y)), text
        for item in (self.halo, self.ring):
            item.setData([x], [y])
            item.show()
        self.label.setText(text)
        # The label on the side of the point with more room: past the map's right edge it was cut.
        (left, right), _ = self._plot.viewRange()
        self.label.setAnchor((1.12, 1.1) if x > (left + right) / 2 else (-0.12, 1.1))
        self.label.setPos(x, y)
        self.label.show()

    def hide(self) -> None:
        self.position, self.text = None, ""
        for item in (self.halo, self.ring, self.label):
            item.hide()

    def is_shown(self) -> bool:
        return self.ring.isVisible()
