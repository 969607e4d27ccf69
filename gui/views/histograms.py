"""Histograms over time: how the weights, the activations or the gradients of a layer are spread
at every epoch measured, as a heat map (epochs across, values up; brighter where more values lie),
in the manner of TensorBoard's histograms, with every layer's share of dead ReLUs, of saturated
sigmoid/tanh units and of weights at zero in words below it.

The engine sends each spread as quantiles (engine/inspect/histograms.py); the heat map puts all
of a layer's epochs on one value axis, the range they span together.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.inspect.histograms import KINDS, QUANTILES
from gui.views.colors import BACKGROUND, style_plot

BINS = 48  # value bins of a heat map column
CAPACITY = 240  # epochs kept; past this, every other one of the history is dropped
KIND_NAMES = {"weights": "Weights", "activations": "Activations", "gradients": "Gradients of the loss"}
COLORMAP = pg.colormap.get("viridis")


class HistogramView(QWidget):
    """The heat map of one kind of value in one layer (both chosen above it), and every layer's
    health in words below; `shownChanged(bool)` says whether the view is on screen (the session
    measures histograms only then)."""

    shownChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("histogramView")
        self.kindCombo = _combo("histogramKind", "Values shown in the histogram")
        for kind in KINDS:
            self.kindCombo.addItem(KIND_NAMES[kind], kind)
        self.layerCombo = _combo("histogramLayer", "Layer shown in the histogram")
        for combo in (self.kindCombo, self.layerCombo):
            combo.currentIndexChanged.connect(lambda _: self.redraw())
        top = QHBoxLayout()
        top.addWidget(self.kindCombo)
        top.addWidget(QLabel("in"))
        top.addWidget(self.layerCombo, 1)
        self.canvas = pg.PlotWidget(background=BACKGROUND)
        self.plot = self.canvas.getPlotItem()
        style_plot(self.plot, "epoch", "value")
        self.plot.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(COLORMAP.getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        self.health = QLabel()  # every layer's dead, saturated and zero shares
        self.health.setObjectName("histogramHealth")
        self.health.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addLayout(top)
        column.addWidget(self.canvas, 1)
        column.addWidget(self.health)
        self.clear()

    @property
    def kind(self) -> str:
        return self.kindCombo.currentData()

    def clear(self) -> None:
        """A new run: no history."""
        self.history: list = []  # engine Histograms, oldest first, one per epoch
        self.layerCombo.clear()
        self.image.clear()
        self.health.setText("The histograms start with the first epoch measured.")

    def record(self, histograms) -> None:
        """A measurement from a frame: kept (one per epoch)."""
        if histograms is None:
            return
        if self.history and (
            histograms.epoch <= self.history[-1].epoch
            or len(histograms.layers) != len(self.history[-1].layers)
        ):  # a run going on from an earlier epoch (a branch, a resumed session): that past is gone
            self.history = [h for h in self.history if h.epoch < histograms.epoch]
        self.history.append(histograms)
        if len(self.history) > CAPACITY:
            self.history = self.history[:-1:2] + self.history[-1:]

    def redraw(self) -> None:
        if not self.history:
            return
        latest = self.history[-1]
        names = [layer.name for layer in latest.layers]
        if names != [self.layerCombo.itemText(i) for i in range(self.layerCombo.count())]:
            with QSignalBlocker(self.layerCombo):
                self.layerCombo.clear()
                self.layerCombo.addItems(names)
        index = max(self.layerCombo.currentIndex(), 0)
        history = [h for h in self.history if len(h.layers) == len(names)]
        epochs = np.array([h.epoch for h in history], dtype=float)
        # One column per epoch on an even epoch axis, each showing the latest measurement at or
        # before it: measurements come by time, not every epoch, and a Step click adds one alone.
        start, end = epochs[0], epochs[-1] + 1
        width = int(min(CAPACITY, max(end - start, 1)))
        pick = np.searchsorted(epochs, np.linspace(start, end, width, endpoint=False), side="right") - 1
        picture, lo, hi = heat_map(np.stack([h.layers[index].quantiles[self.kind] for h in history]))
        self.image.setImage(picture[:, np.clip(pick, 0, len(epochs) - 1)], levels=(0.0, 1.0))
        self.image.setRect(pg.QtCore.QRectF(start, lo, end - start, hi - lo))
        self.plot.setTitle(
            f"{KIND_NAMES[self.kind]} in layer {names[index]}; brighter = more values", size="9pt"
        )
        rows = [f"<b>{layer.name}</b>: {shares_text(layer)}" for layer in latest.layers]
        self.health.setText(f"At epoch {latest.epoch:,}: " + "; ".join(rows))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.shownChanged.emit(True)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.shownChanged.emit(False)


def _combo(name: str, accessible: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    return combo


def heat_map(quantiles: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(BINS, epochs) densities in 0..1 from (epochs, len(QUANTILES)) quantiles, on the value range
    they span together; each column's share of values per bin, scaled by the picture's largest."""
    lo, hi = float(np.min(quantiles[:, 0])), float(np.max(quantiles[:, -1]))
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, BINS + 1)
    shares = np.stack([np.diff(cumulative(q, edges)) for q in quantiles], axis=1)
    peak = shares.max()
    return np.sqrt(shares / peak) if peak > 0 else shares, lo, hi


def cumulative(q: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The share of values below each edge, read off one spread's quantiles. All values equal (a
    layer at zero): the whole share at that value."""
    if q[-1] <= q[0]:
        return (edges >= q[0]).astype(float)
    return np.interp(edges, q, QUANTILES, left=0.0, right=1.0)


def shares_text(layer) -> str:
    """What is unhealthy in `layer`, in words: dead ReLUs, saturated units, weights at zero."""
    parts = []
    if layer.dead is not None:
        parts.append(f"dead ReLUs {layer.dead:.0%}")
    if layer.saturated is not None:
        parts.append(f"saturated {layer.saturated:.0%}")
    if layer.running is not None:  # batch norm: what eval mode normalises each unit with
        mean, var = layer.running
        parts.append(
            f"running mean {mean.min():.2g}…{mean.max():.2g}, variance {var.min():.2g}…{var.max():.2g}"
        )
    else:
        parts.append(f"weights at zero {layer.zero_weights:.0%}")
    return " · ".join(parts)
