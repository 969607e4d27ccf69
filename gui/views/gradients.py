"""Gradient flow per layer over epochs, with a plain-words warning when it vanishes or explodes.

History lives in one bounded buffer: when it fills, its older half is thinned by two, so memory
stays flat on endless runs while the recent past keeps full detail.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.diagnostics import advise_update, diagnose, layer_display_names
from gui.views.colors import (
    BACKGROUND,
    CLASS_COLORS,
    add_legend_strip,
    live_curve,
    size_legend_strip,
    style_plot,
)
from gui.views.log_axis import LogAxis
from gui.views.plot_range import SteppedViewBox

CAPACITY = 2000  # points per curve


class _History:
    """Epoch plus per-layer (grad norm, update ratio) rows in a fixed-size array."""

    def __init__(self, n_layers: int, capacity: int = CAPACITY):
        self.rows = np.full((capacity, 1 + 2 * n_layers), np.nan)
        self.count = 0
        self.n_layers = n_layers

    def append(self, epoch: float, grads: list[float], ratios: list[float]) -> None:
        if self.count == len(self.rows):
            self._thin_older_half()
        self.rows[self.count] = [epoch, *grads, *ratios]
        self.count += 1

    def _thin_older_half(self) -> None:
        half, quarter = len(self.rows) // 2, len(self.rows) // 4
        self.rows[:quarter] = self.rows[:half:2]
        self.rows[quarter : quarter + half] = self.rows[half:].copy()
        self.count = quarter + half

    def epochs(self) -> np.ndarray:
        return self.rows[: self.count, 0].copy()

    def grads(self, layer: int) -> np.ndarray:
        return self.rows[: self.count, 1 + layer].copy()

    def ratios(self, layer: int) -> np.ndarray:
        return self.rows[: self.count, 1 + self.n_layers + layer].copy()


def _positive(values: np.ndarray) -> np.ndarray:
    """Zeros (no update yet) and non-finite values cannot sit on a log axis: leave a gap instead."""
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


class GradientFlowView(QWidget):
    """Per-layer gradient norm (solid) and update/weight ratio (dashed) on a log axis."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("gradientFlowView")
        self.plot_widget = pg.PlotWidget(
            background=BACKGROUND, viewBox=SteppedViewBox(), axisItems={"left": LogAxis("left")}
        )
        self.plot_widget.setObjectName("gradientPlot")
        self.plot_widget.setAccessibleName("Gradient norm and update ratio per layer")
        plot = self.plot_widget.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setLogMode(y=True)
        plot.showGrid(x=True, y=True, alpha=0.15)
        add_legend_strip(plot)
        style_plot(plot, "epoch", "norm (solid) · ratio (dashed)")
        self.warning = QLabel()
        self.warning.setObjectName("gradientWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("QLabel { background: #fdecea; color: #8a1c13; padding: 6px; }")
        self.warning.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.warning)
        self._names: tuple[str, ...] = ()
        self._grad_curves: list[pg.PlotDataItem] = []
        self._ratio_curves: list[pg.PlotDataItem] = []
        self._history = _History(0)
        self._latest: tuple = ()
        self._loss = None  # the latest training loss: the advice judges gradients against it
        self.chance_loss = None  # the loss of guessing (the window sets it per run), or None

    def clear(self) -> None:
        """A new run: no curves and no legend until its layers report (the last run's layers may
        not exist any more), and an axis range fitted afresh."""
        self._rebuild_curves(())
        self._latest, self._loss = (), None
        self._set_warning(None)
        self.plot_widget.getPlotItem().getViewBox().restart()

    def truncate(self, epoch: int) -> None:
        """Forget the statistics after `epoch` (a run resumed from an earlier state goes on there)."""
        history = self._history
        history.count = int(np.searchsorted(history.rows[: history.count, 0], epoch, side="right"))

    def append(self, snapshot) -> None:
        """Add one snapshot's layer statistics and refresh the curves and the warning."""
        self.record(snapshot)
        self.redraw()

    def refit(self) -> None:
        """Fit the axes tightly to the data at the next repaint (training has stopped)."""
        self.plot_widget.getPlotItem().getViewBox().refit()

    def record(self, snapshot) -> None:
        """Add one snapshot's statistics to the history without repainting (cheap; call per epoch)."""
        stats = snapshot.layers
        if not stats:
            return
        names = tuple(s.name for s in stats)
        if names != self._names:
            self._rebuild_curves(names)
        self._history.append(
            float(snapshot.epoch), [s.grad_norm for s in stats], [s.update_ratio for s in stats]
        )
        self._latest = stats
        self._loss = snapshot.train_loss

    def redraw(self) -> None:
        """Show the recorded history and the advice for the latest statistics."""
        for step in self.redraw_steps():
            step()

    def redraw_steps(self) -> list:
        """redraw in two parts (gradient norms, then update ratios and the advice), for a caller
        that paints them in separate turns: six curves at once took up to 26 ms while training."""
        return [lambda: self._redraw_curves(self._grad_curves, self._history.grads), self._redraw_ratios]

    def _redraw_curves(self, curves: list, column) -> None:
        epochs = self._history.epochs()
        for i, curve in enumerate(curves):
            curve.setData(epochs, _positive(column(i)), connect="finite")

    def _redraw_ratios(self) -> None:
        self._redraw_curves(self._ratio_curves, self._history.ratios)
        if self._latest:
            latest, loss, chance = self._latest, self._loss, self.chance_loss
            self._set_warning(diagnose(latest, loss, chance) or advise_update(latest, loss, chance))

    def _rebuild_curves(self, names: tuple[str, ...]) -> None:
        """A new architecture: one curve pair per layer, kept until the layers change again."""
        plot = self.plot_widget.getPlotItem()
        for curve in self._grad_curves + self._ratio_curves:
            plot.removeItem(curve)
        self._names = names
        self._history = _History(len(names))
        self._grad_curves, self._ratio_curves = [], []
        shown = layer_display_names(names)
        size_legend_strip(plot, len(names), max((len(n) for n in shown), default=0))
        for i, name in enumerate(shown):
            color = CLASS_COLORS[i % len(CLASS_COLORS)]
            self._grad_curves.append(live_curve(plot, color, name))
            self._ratio_curves.append(live_curve(plot, color, None, dashed=True))

    def _set_warning(self, text: str | None) -> None:
        self.warning.setText(text or "")
        self.warning.setVisible(text is not None)
