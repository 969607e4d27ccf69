"""Under a 1-D fit: each hidden unit's contribution w_k·a_k(x) to the output, as thin curves.

For a network with a linear output the fitted curve is exactly the sum of these curves plus the
output bias (the dashed line): with one hidden layer of tanh units the learner sees universal
approximation as a sum of shifted, scaled S-bumps, with ReLU units as a sum of hinges.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.views.colors import BACKGROUND, FOREGROUND, class_color, style_plot

HEIGHT = 170  # px: a strip under the fit, not a second big plot
MIN_HEIGHT = 110  # px: a short window squeezes the strip, never the key above it
TITLE = "Each hidden unit's share w·a(x) of the fit · dashed: output bias"


class UnitContributionView(pg.PlotWidget):
    """One curve per unit of the last hidden layer, created once per layer width."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("unitContributionView")
        self.setAccessibleName("Hidden units' contributions")
        self.setMinimumHeight(MIN_HEIGHT)
        self.setMaximumHeight(HEIGHT)
        plot = self.getPlotItem()
        style_plot(plot, "x", "w·a")
        plot.setTitle(TITLE, color=FOREGROUND, size="9pt")
        plot.setMenuEnabled(False)
        self._curves: list[pg.PlotDataItem] = []
        self._bias = plot.plot(pen=pg.mkPen(FOREGROUND, width=1, style=Qt.PenStyle.DashLine))
        self._note = pg.TextItem(color=FOREGROUND, anchor=(0.5, 0.5))
        plot.addItem(self._note, ignoreBounds=True)
        self.contributions: np.ndarray | None = None  # (n_units, n_points), as drawn
        self.bias: float | None = None  # the output bias: the fit minus every contribution
        self._range: tuple[float, float] | None = None  # the x range set for the curves drawn

    def set_probe(self, probe, head) -> None:
        """Draw the contributions in `probe` (a 1-D GridProbe); a probe without the last hidden
        layer's activations (a frame that carried the output only) leaves the drawing as it is."""
        if probe is None or np.ndim(getattr(probe, "output", None)) != 1:
            self._show_note("")
            return
        if not probe.units or not probe.weights:
            if self.contributions is None:  # else an output-only frame: the last drawing stands
                self._show_note("no hidden layer to split the fit into")
            return
        if getattr(head, "output_activation", "linear") != "linear":
            self._show_note(f"the {head.output_activation} output bends the sum: not drawn")
            return
        acts = np.asarray(probe.units[0], dtype=np.float64)
        out_weights = np.asarray(probe.weights[-1], dtype=np.float64)[0]
        contributions = out_weights[:, None] * acts
        output = np.asarray(probe.output, dtype=np.float64)
        if not (np.isfinite(contributions).all() and np.isfinite(output).all()):
            return  # a diverging run: the run panel says so; non-finite data would crash the plot
        self.contributions = contributions
        self.bias = float(np.median(output - contributions.sum(axis=0)))
        self._draw((probe.extent[0], probe.extent[1]), contributions)

    def _draw(self, extent: tuple[float, float], contributions: np.ndarray) -> None:
        plot = self.getPlotItem()
        x = np.linspace(extent[0], extent[1], contributions.shape[1])
        if self._range != extent:  # the fit's x range above it (BoundaryView pads it by 5%)
            self._range = extent
            plot.setXRange(*extent, padding=0.05)
            plot.enableAutoRange(axis="y")
        if len(self._curves) != len(contributions):
            for curve in self._curves:
                plot.removeItem(curve)
            self._curves = [
                plot.plot(pen=pg.mkPen(class_color(k), width=1)) for k in range(len(contributions))
            ]
        for curve, values in zip(self._curves, contributions, strict=True):
            curve.setData(x, values)
        self._bias.setData([x[0], x[-1]], [self.bias, self.bias])
        self._note.setText("")

    def _show_note(self, text: str) -> None:
        for curve in self._curves:
            curve.setData([], [])
        self._bias.setData([], [])
        self.contributions, self.bias = None, None
        self._note.setText(text)
        self._note.setPos(0.5, 0.5)
        self.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self._range = None
