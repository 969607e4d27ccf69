"""The perceptron's marks over the decision map: θ's boundary line, θ as an arrow normal to it,
the pocket's line, the point the last step looked at and the training points θ gets wrong now.

Drawn only for an engine PerceptronProbe; every item is made once and cleared for other runs.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.families.perceptron.view import PerceptronProbe

LINE_COLOR = "#202124"
POCKET_COLOR = "#7b1fa2"
MISTAKE_COLOR = "#d93025"  # a point θ gets wrong, and the point looked at when it was a mistake
CORRECT_COLOR = "#188038"  # the point looked at when θ already had it right
ARROW_SHARE = 0.18  # the arrow's length, as a share of the plane's width
HEAD_ANGLE = np.radians(28)


def clip_line(line: tuple[float, float, float], lo: float, hi: float) -> np.ndarray | None:
    """The two ends of a·x + b·y + c = 0 inside the square [lo, hi]², or None if it misses it."""
    a, b, c = line
    ends = []
    for x in (lo, hi):
        if b != 0.0 and lo - 1e-9 <= (y := -(a * x + c) / b) <= hi + 1e-9:
            ends.append((x, y))
    for y in (lo, hi):
        if a != 0.0 and lo - 1e-9 <= (x := -(b * y + c) / a) <= hi + 1e-9:
            ends.append((x, y))
    if len(ends) < 2:
        return None
    points = np.array(ends, dtype=np.float64)
    gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    i, j = np.unravel_index(np.argmax(gaps), gaps.shape)
    return None if gaps[i, j] <= 0.0 else points[[i, j]]


def arrow_path(line: tuple[float, float, float], ends: np.ndarray, length: float) -> np.ndarray:
    """Shaft and head of an arrow along (a, b), from the line's point nearest the segment's middle:
    θ's direction, pointing to the side θ calls positive. Rows of (x, y); NaN rows break strokes."""
    a, b, _ = line
    normal = np.array([a, b]) / np.hypot(a, b)
    base = ends.mean(axis=0)
    tip = base + length * normal
    strokes = [base, tip, (np.nan, np.nan)]
    for turn in (HEAD_ANGLE, -HEAD_ANGLE):
        rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        strokes += [tip, tip - 0.35 * length * (rotation @ normal), (np.nan, np.nan)]
    return np.array(strokes, dtype=np.float64)


class PerceptronOverlay:
    """The perceptron's items on a PlotItem; `show(probe, dataset)` places them, `clear()` hides."""

    def __init__(self, plot: pg.PlotItem):
        self.line_item = pg.PlotDataItem(pen=pg.mkPen(LINE_COLOR, width=2.5))
        self.pocket_item = pg.PlotDataItem(pen=pg.mkPen(POCKET_COLOR, width=2.5, style=Qt.PenStyle.DashLine))
        self.arrow_item = pg.PlotDataItem(pen=pg.mkPen(LINE_COLOR, width=2.5), connect="finite")
        self.wrong_item = pg.ScatterPlotItem(size=15, brush=None, pen=pg.mkPen(MISTAKE_COLOR, width=1.8))
        self.looking_item = pg.ScatterPlotItem(size=26, brush=None, pen=pg.mkPen(MISTAKE_COLOR, width=3.5))
        self.items = (self.pocket_item, self.line_item, self.arrow_item, self.wrong_item, self.looking_item)
        for z, item in enumerate(self.items):
            item.setZValue(5 + z)
            plot.addItem(item, ignoreBounds=True)  # marks must not widen the map's range
        self.shown: PerceptronProbe | None = None

    def show(self, probe, dataset) -> None:
        """Draw `probe` when it is a PerceptronProbe over 2-D points; otherwise clear."""
        if not isinstance(probe, PerceptronProbe) or dataset is None or dataset.kind != "points2d":
            self.clear()
            return
        self.shown = probe
        lo, hi = dataset.domain
        ends = clip_line(probe.line, lo, hi) if probe.line is not None else None
        self._set(self.line_item, ends)
        if ends is not None:
            self._set(self.arrow_item, arrow_path(probe.line, ends, ARROW_SHARE * (hi - lo)))
        else:
            self._set(self.arrow_item, None)
        kept = clip_line(probe.kept_line, lo, hi) if probe.pocket and probe.kept_line is not None else None
        self._set(self.pocket_item, kept)
        x = dataset.x_train
        wrong = np.asarray(probe.misclassified if probe.misclassified is not None else [], dtype=int)
        wrong = wrong[(wrong >= 0) & (wrong < len(x))]
        self.wrong_item.setData(x[wrong, 0], x[wrong, 1])
        if 0 <= probe.looking_at < len(x):
            point = x[probe.looking_at]
            color = MISTAKE_COLOR if probe.moved else CORRECT_COLOR
            self.looking_item.setData([point[0]], [point[1]], pen=pg.mkPen(color, width=3.5))
        else:
            self.looking_item.setData([], [])

    def clear(self) -> None:
        self.shown = None
        for item in (self.line_item, self.pocket_item, self.arrow_item):
            self._set(item, None)
        self.wrong_item.setData([], [])
        self.looking_item.setData([], [])

    @staticmethod
    def _set(item: pg.PlotDataItem, points: np.ndarray | None) -> None:
        if points is None:
            item.setData([], [])
        else:
            item.setData(points[:, 0], points[:, 1])
