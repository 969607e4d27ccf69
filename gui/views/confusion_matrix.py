"""A confusion matrix: a cell per (true, predicted) pair of classes with its count of test samples.

Correct predictions (the diagonal) are shaded blue and mistakes red, each by its count, so the
few confusions stand out beside the many right answers. Cells, texts and ticks are made once per
number of classes; a probe only hands new counts.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont

from gui.views.colors import BACKGROUND, BLUE, FOREGROUND, NEUTRAL, rgb, style_plot
from gui.views.image_fit import keep_fitted

WRONG = "#d93025"  # mistakes: off the diagonal
TEXT_DARK, TEXT_LIGHT = FOREGROUND, "#ffffff"
MAX_TICK_CHARS = 10  # class names longer than this are cut on the axes ("versicolor" fits)


def cell_colors(counts: np.ndarray) -> np.ndarray:
    """(K, K, 3) uint8: the diagonal blue and the rest red, each from near-white to full colour
    by its count over the largest count of its kind (a zero stays near-white)."""
    counts = np.asarray(counts, dtype=np.float64)
    diagonal = np.eye(len(counts), dtype=bool)
    right = counts[diagonal].max(initial=0.0)
    wrong = counts[~diagonal].max(initial=0.0)
    strength = np.where(diagonal, counts / max(right, 1.0), counts / max(wrong, 1.0))
    strength = np.where(counts > 0, 0.15 + 0.85 * strength, 0.0)[..., None]
    full = np.where(diagonal[..., None], rgb(BLUE), rgb(WRONG))
    white = rgb(NEUTRAL)
    return np.round(white + (full - white) * strength).astype(np.uint8)


def short(name: str) -> str:
    return name if len(name) <= MAX_TICK_CHARS else name[: MAX_TICK_CHARS - 1] + "…"


class ConfusionMatrixView(pg.PlotWidget):
    """Rows: the true class; columns: the class the network predicted; the counts in the cells."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("confusionMatrix")
        self.setAccessibleName("Confusion matrix")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        style_plot(plot, "predicted", "true")
        plot.getAxis("left").setWidth(None)  # class names, not numbers: as wide as they need
        plot.setMouseEnabled(False, False)
        plot.getViewBox().invertY(True)  # the first class on top, as a table reads
        self.image_item = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image_item)
        self.title = pg.LabelItem("", color=FOREGROUND)
        plot.layout.removeItem(plot.titleLabel)
        plot.titleLabel.hide()
        plot.layout.addItem(self.title, 0, 1)
        self.texts: list[list[pg.TextItem]] = []
        self.class_names: tuple[str, ...] = ()
        self.counts = np.zeros((0, 0), dtype=np.int64)
        self.scene().sigMouseMoved.connect(self._hover)

    def set_classes(self, names: tuple[str, ...]) -> None:
        """A run with these classes: cells and ticks made for them (kept while they stay)."""
        names = tuple(names)
        if names == self.class_names:
            return
        plot = self.getPlotItem()
        for row in self.texts:
            for text in row:
                plot.removeItem(text)
        k = len(names)
        font = QFont()
        font.setPixelSize(12 if k <= 6 else 10)
        self.texts = []
        for r in range(k):
            row = []
            for c in range(k):
                text = pg.TextItem("", color=TEXT_DARK, anchor=(0.5, 0.5))
                text.setFont(font)
                text.setPos(c, r)
                plot.addItem(text)
                row.append(text)
            self.texts.append(row)
        ticks = [(i, short(n)) for i, n in enumerate(names)]
        plot.getAxis("bottom").setTicks([ticks])
        plot.getAxis("left").setTicks([ticks])
        self.image_item.setRect(-0.5, -0.5, k, k)
        keep_fitted(plot.getViewBox(), (-0.5, k - 0.5), (-0.5, k - 0.5), 0.02)
        self.class_names = names
        self.counts = np.zeros((k, k), dtype=np.int64)

    def show_counts(self, counts: np.ndarray, caption: str) -> None:
        """New counts (K, K): rows true, columns predicted."""
        counts = np.asarray(counts, dtype=np.int64)
        if counts.shape != (len(self.class_names),) * 2:
            self.set_classes(tuple(str(i) for i in range(len(counts))))
        colors = cell_colors(counts)
        self.image_item.setImage(colors, levels=(0, 255))
        self.image_item.setRect(-0.5, -0.5, len(counts), len(counts))
        for r, row in enumerate(self.texts):
            for c, text in enumerate(row):
                value = int(counts[r, c])
                dark = colors[r, c].astype(float) @ (0.299, 0.587, 0.114) < 140
                text.setText(str(value) if value else "", color=TEXT_LIGHT if dark else TEXT_DARK)
        self.counts = counts
        self.title.setText(caption, color=FOREGROUND, size="9pt")

    def cell_text(self, row: int, column: int) -> str:
        return self.texts[row][column].toPlainText()

    def _hover(self, pos: QPointF) -> None:
        """A cell under the pointer says what it counts (its tooltip)."""
        point = self.getPlotItem().getViewBox().mapSceneToView(pos)
        r, c = int(round(point.y())), int(round(point.x()))
        k = len(self.counts)
        if not (0 <= r < k and 0 <= c < k):
            self.setToolTip("")
            return
        n, true, predicted = int(self.counts[r, c]), self.class_names[r], self.class_names[c]
        what = "correct" if r == c else f"mistaken for {predicted}"
        self.setToolTip(f"{n} test sample{'s' if n != 1 else ''} of class {true} {what}")
