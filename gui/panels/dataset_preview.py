"""The data panel's thumbnail of a dataset: 2-D points coloured by class or value, or a 1-D function."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

from gui.views.colors import BLUE, ORANGE
from gui.views.colors import CLASS_COLORS as PALETTE  # the map's own class colours: a thumbnail agrees


def _ramp(t: float) -> QColor:
    """Orange (low) through light grey to blue (high), as the playground colours values."""
    lo, mid, hi = QColor(ORANGE), QColor("#e8eaeb"), QColor(BLUE)
    a, b, s = (lo, mid, t * 2) if t < 0.5 else (mid, hi, t * 2 - 1)
    return QColor.fromRgbF(*(a.getRgbF()[i] + (b.getRgbF()[i] - a.getRgbF()[i]) * s for i in range(3)))


def draw_preview(x: np.ndarray, y: np.ndarray, domain: tuple[float, float] | None, size: int) -> QPixmap:
    """A thumbnail of 2-D points (coloured by class or value) or of a 1-D function (y against x)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor("#ffffff"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#c8ccd0")))
    painter.drawRect(QRectF(0.5, 0.5, size - 1, size - 1))
    one_d = x.shape[1] == 1
    px = x[:, 0].astype(float)
    py = np.asarray(y, dtype=float) if one_d else x[:, 1].astype(float)
    x_lo, x_hi = domain if domain else (px.min(), px.max())
    y_lo, y_hi = (py.min(), py.max()) if one_d or not domain else domain
    pad = 6

    def scale(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
        return pad + (v - lo) / max(hi - lo, 1e-9) * (size - 2 * pad)

    sx, sy = scale(px, x_lo, x_hi), size - scale(py, y_lo, y_hi)
    colors = _colors(y, one_d)
    painter.setPen(Qt.PenStyle.NoPen)
    for cx, cy, color in zip(sx, sy, colors, strict=True):
        painter.setBrush(color)
        painter.drawEllipse(QPointF(cx, cy), 2.0, 2.0)
    painter.end()
    return pixmap


def _colors(y: np.ndarray, one_d: bool) -> list[QColor]:
    if one_d:
        return [QColor(BLUE)] * len(y)
    if np.issubdtype(np.asarray(y).dtype, np.integer):
        classes = int(y.max()) + 1 if len(y) else 0
        table = [QColor(ORANGE), QColor(BLUE)] if classes <= 2 else [QColor(c) for c in PALETTE]
        return [table[int(label) % len(table)] for label in y]
    lo, hi = float(np.min(y)), float(np.max(y))
    return [_ramp((float(v) - lo) / max(hi - lo, 1e-9)) for v in y]
