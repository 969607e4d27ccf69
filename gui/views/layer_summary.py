"""A network too big (or on data without an input plane) to draw unit by unit, drawn layer by layer:
one box per layer with its name, output shape and parameter count, joined in order.

The boxes flow top to bottom in as many columns as make them largest in the view (a CNN's seven
layers in one row were drawn at a third of their size, ~6 px text), each column joined to the next
by an elbow line, so the text stays legible at the window's default size.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem

from engine.diagnostics import layer_display_name
from gui.views.colors import FOREGROUND, NEUTRAL

BOX = (190.0, 58.0)  # px in the scene: room for "hidden 1 · conv2d" and "16×8×8"
GAP = (46.0, 22.0)  # between columns, between boxes of a column
MAX_ZOOM = 1.6  # a 2-layer summary should not fill the panel with giant text


def columns_for(count: int, view_width: float, view_height: float) -> int:
    """The number of columns that draws `count` boxes largest in a view of that size."""

    def zoom(columns: int) -> float:
        rows = math.ceil(count / columns)
        width = columns * BOX[0] + (columns - 1) * GAP[0]
        height = rows * BOX[1] + (rows - 1) * GAP[1] + 30  # the line of text below
        return min(view_width / width, view_height / height, MAX_ZOOM)

    return max(range(1, max(count, 1) + 1), key=lambda c: (round(zoom(c), 3), -c))


def draw_summary(scene: QGraphicsScene, infos: tuple, columns: int) -> list:
    """Boxes for `infos` (engine LayerInfo, the head last) in `columns` columns; the boxes, in order."""
    width, height = BOX
    rows = math.ceil(len(infos) / columns)
    pen = QPen(QColor(FOREGROUND), 0)
    boxes = []
    for n, info in enumerate(infos):
        column, row = divmod(n, rows)
        x, y = column * (width + GAP[0]), row * (height + GAP[1])
        box = scene.addRect(QRectF(x, y, width, height), pen, QColor(NEUTRAL))
        shape = "×".join(str(s) for s in info.out_shape)
        title = "output" if n == len(infos) - 1 else f"{layer_display_name(f'layers.{n}')} · {info.name}"
        text = QGraphicsSimpleTextItem(f"{title}\n{shape}\n{info.params:,} params", box)
        text.setBrush(QBrush(QColor(FOREGROUND)))
        rect = text.boundingRect()
        text.setPos(x + (width - rect.width()) / 2, y + (height - rect.height()) / 2)
        if n:
            scene.addPath(_joint(boxes[-1].rect(), box.rect()), pen)
        boxes.append(box)
    return boxes


def _joint(before: QRectF, after: QRectF) -> QPainterPath:
    """Down from one box to the next; from a column's last box, down, across and up to the top of
    the next column's first."""
    path = QPainterPath(QPointF(before.center().x(), before.bottom()))
    if after.top() > before.bottom():
        path.lineTo(after.center().x(), after.top())
        return path
    below = before.bottom() + GAP[1] / 2
    path.lineTo(before.center().x(), below)
    middle = (before.right() + after.left()) / 2
    path.lineTo(middle, below)
    path.lineTo(middle, after.top() - GAP[1] / 2)
    path.lineTo(after.center().x(), after.top() - GAP[1] / 2)
    path.lineTo(after.center().x(), after.top())
    return path
