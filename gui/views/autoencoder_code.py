"""The autoencoder's code: the latent scatter coloured by label, the decoder's grid of images for a
2-unit code, and each code unit's mean activation beside the sparse penalty's target ρ.

Items are made once and fed fresh arrays; panes the run has nothing for are hidden.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.views.autoencoder_views import image_levels, mosaic, value_brushes
from gui.views.colors import (
    BACKGROUND,
    BLUE,
    FOREGROUND,
    class_color,
    style_plot,
)

TARGET_COLOR = "#d93025"
PRIOR_COLOR = "#5f6368"  # the prior's circles: quiet, under the codes
PRIOR_RADII = (1.0, 2.0)  # N(0, I) in 2-D puts 39% and 86% of its draws inside these
MAX_CLASSES = 10  # a scatter a class, each with its legend entry
# The plots' ranges follow the codes with some slack: a new range (the codes' box, RANGE_PAD of
# its span beyond each side) only when a code leaves the shown one or the codes shrink below
# RANGE_SHRINK of it. Following the codes exactly (the auto range) moved the axes at every frame
# while training, and their tick text was drawn again each time: measured on autoencoder_digits,
# the code view took ~17 ms to paint a frame (5 ms with this), at 30 frames a second, and the
# window's 10 ms timer fired 20-130 times in 4 s instead of ~400 (event-loop lag p99 0.8-4 s).
RANGE_PAD, RANGE_SHRINK = 0.15, 0.5


class SteadyRange:
    """A plot's view range that moves only when its contents outgrow it (or shrink well inside)."""

    def __init__(self, plot: pg.PlotWidget):
        self.view_box = plot.getPlotItem().getViewBox()
        self.view_box.disableAutoRange()
        self.shown: tuple | None = None  # ((x0, x1), (y0, y1)) last set

    def follow(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Keep the box lo..hi (x, y) in view."""
        lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            return  # a diverged run's codes: keep the last range
        span = np.maximum(hi - lo, 1e-6)
        if self.shown is not None:
            (x0, x1), (y0, y1) = self.shown
            inside = x0 <= lo[0] and hi[0] <= x1 and y0 <= lo[1] and hi[1] <= y1
            if inside and span[0] >= RANGE_SHRINK * (x1 - x0) and span[1] >= RANGE_SHRINK * (y1 - y0):
                return
        pad = RANGE_PAD * span
        self.shown = (
            (float(lo[0] - pad[0]), float(hi[0] + pad[0])),
            (float(lo[1] - pad[1]), float(hi[1] + pad[1])),
        )
        self.view_box.setRange(xRange=self.shown[0], yRange=self.shown[1], padding=0)

    def reset(self) -> None:
        self.shown = None


def _plot(name: str, accessible: str, x: str, y: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(background=BACKGROUND)
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    widget.getPlotItem().setMenuEnabled(False)
    style_plot(widget.getPlotItem(), x, y)
    return widget


def is_classes(labels: np.ndarray) -> bool:
    """Class indices (digits) rather than a value along the data (the arc's t)."""
    return np.issubdtype(np.asarray(labels).dtype, np.integer)


def class_key(labels: np.ndarray) -> str | None:
    """ "the digit ● 0 ● 1 …" (rich text) for class labels a scatter colours by; None for values."""
    labels = np.asarray(labels)
    if not (is_classes(labels) and labels.max(initial=0) < MAX_CLASSES):
        return None
    classes = int(labels.max(initial=-1)) + 1
    swatches = " ".join(f"<span style='color:{class_color(k)}'>●</span>&nbsp;{k}" for k in range(classes))
    return f"the {'digit' if classes == 10 else 'class'} &nbsp; {swatches}"


def key_html(probe, settings: dict) -> str:
    """What the scatter's colours mean, and what the panes beside it show, as one line of rich text."""
    classes = class_key(probe.labels)
    if classes is not None:
        text = f"Colour: {classes}"
    else:
        text = (
            "Colour: the point's position along the data (orange one end, blue the other), as in the plane."
        )
    if probe.kind == "image" and probe.sweep is not None:
        text += "<br>Right: what the decoder makes of each code on an even grid over the codes' range."
    holes = getattr(probe, "holes", None)
    if holes is not None and probe.codes.shape[1] == 2:
        text += (
            "<br>Dashed circles: where the prior N(0, I) puts 39% and 86% of its draws. "
            f"<b>Holes: {holes:.0%}</b> of 1,000 codes drawn from it land farther than 0.25 from every "
            "training code, where the decoder was never taught"
            + (
                " (a VAE's KL term pulls its codes into the prior)."
                if getattr(probe, "family", "") == "vae"
                else " (nothing pulls a plain autoencoder's codes into any shape: compare the VAE)."
            )
        )
    if settings.get("variant") == "sparse":
        text += "<br>Right: each code unit's mean activation over the training split"
        if settings.get("sparsity_kind") == "kl":
            text += f"; red dashes: the target ρ = {settings['sparsity_target']:g} the penalty pulls it to"
    return text


class LatentPlot(pg.PlotWidget):
    """Each shown point's code: code 1 against code 2 (or, for a 1-unit code, against its label)."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("latentPlot")
        self.setAccessibleName("Latent codes")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        style_plot(plot, "code 1", "code 2")
        self.class_items = [
            pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(class_color(k))) for k in range(MAX_CLASSES)
        ]
        self.value_item = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#5f6368", width=0.5))
        angle = np.linspace(0.0, 2.0 * np.pi, 97)
        self.prior_items = [
            pg.PlotDataItem(
                r * np.cos(angle),
                r * np.sin(angle),
                pen=pg.mkPen(color=PRIOR_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
            )
            for r in PRIOR_RADII
        ]
        for item in (*self.prior_items, *self.class_items, self.value_item):
            plot.addItem(item)
        # (latent units, axis names) last set up: set again at every frame, the aspect lock
        # (pyqtgraph re-reads the view's ratio) and the axis labels (new rich text) redo the layout.
        self._layout: tuple | None = None
        self.steady = SteadyRange(self)

    def show_probe(self, probe) -> None:
        codes, labels = np.asarray(probe.codes), np.asarray(probe.labels)[: len(probe.codes)]
        latent = codes.shape[1]
        x = codes[:, 0]
        if latent == 1:
            y = labels.astype(np.float64)
            names = ("code", "class" if is_classes(labels) else "position along the data t")
        else:
            y = codes[:, 1]
            names = ("code 1", "code 2" if latent == 2 else f"code 2 (2 of {latent} units)")
        if (latent, names) != self._layout:  # once a run: each call re-lays-out the plot (see below)
            self._layout = (latent, names)
            self.setAspectLocked(latent > 1)  # code space: one unit of code 1 as long as one of code 2
            for item in self.prior_items:
                item.setVisible(latent == 2)  # the prior's circles are circles in a 2-unit code only
            plot = self.getPlotItem()
            plot.getAxis("bottom").setLabel(names[0], color=FOREGROUND)
            plot.getAxis("left").setLabel(names[1], color=FOREGROUND)
        if is_classes(labels) and labels.max(initial=0) < MAX_CLASSES:
            self.value_item.setData([], [])
            for k, item in enumerate(self.class_items):
                mine = labels == k
                item.setData(x[mine], y[mine])
        else:
            for item in self.class_items:
                item.setData([], [])
            self.value_item.setData(x, y, brush=value_brushes(labels))
        if len(x):
            points = np.column_stack([x, y])
            lo, hi = points.min(axis=0), points.max(axis=0)
            if latent == 2:  # the prior's circles in view too, as the auto range had them
                lo, hi = np.minimum(lo, -max(PRIOR_RADII)), np.maximum(hi, max(PRIOR_RADII))
            self.steady.follow(lo, hi)

    def shown_codes(self) -> np.ndarray:
        """Every point drawn, as (n, 2) rows (for tests and exports)."""
        parts = [np.column_stack(item.getData()) for item in (*self.class_items, self.value_item)]
        return np.vstack([p for p in parts if len(p)] or [np.empty((0, 2))])

    def clear_probe(self) -> None:
        for item in (*self.class_items, self.value_item):
            item.setData([], [])
        self.steady.reset()


class SweepGridPlot(pg.PlotWidget):
    """The decoder's images of an 8x8 grid of 2-unit codes, placed at those codes."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("sweepGridPlot")
        self.setAccessibleName("Decoded grid of codes")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        style_plot(plot, "code 1", "code 2")
        self.setAspectLocked(True)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image_item)
        self.grid = 0  # images a side
        self.steady = SteadyRange(self)

    def show_probe(self, probe) -> None:
        sweep, codes = probe.sweep, np.asarray(probe.sweep_codes)
        self.grid = int(round(np.sqrt(len(sweep))))
        picture = mosaic(sweep, self.grid, image_levels(probe))
        # The grid's first row is the highest code 2; the view's y axis points up: flip the picture.
        self.image_item.setImage(picture[::-1], levels=(0, 255))
        lo, hi = codes.min(axis=0), codes.max(axis=0)
        step = (hi - lo) / max(self.grid - 1, 1)
        self.image_item.setRect(
            lo[0] - step[0] / 2, lo[1] - step[1] / 2, hi[0] - lo[0] + step[0], hi[1] - lo[1] + step[1]
        )
        self.steady.follow(lo - step / 2, hi + step / 2)


class ActivationBars(pg.PlotWidget):
    """Each code unit's mean activation over the training split, and the target ρ as a line."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("activationPlot")
        self.setAccessibleName("Mean activation of each code unit")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        style_plot(plot, "code unit", "mean activation")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=pg.mkBrush(BLUE), pen=None)
        plot.addItem(self.bars)
        self.target = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(TARGET_COLOR, width=2, style=Qt.PenStyle.DashLine),
        )
        plot.addItem(self.target)

    def show_probe(self, probe, target: float | None) -> None:
        mean = np.asarray(probe.mean_activation, dtype=np.float64)
        self.bars.setOpts(x=np.arange(len(mean)), height=mean)
        self.target.setVisible(target is not None)
        if target is not None:
            self.target.setValue(target)

        # Linear codes (an L1 penalty) can average below zero: the range covers both signs.
        top = max(float(mean.max(initial=0.0)), target or 0.0)
        bottom = min(float(mean.min(initial=0.0)), 0.0)
        span = (top - bottom) or 1.0
        y_range = (bottom - 0.1 * span if bottom < 0 else 0.0, top + 0.1 * span)
        self.getPlotItem().setRange(xRange=(-0.7, len(mean) - 0.3), yRange=y_range, padding=0)


class CodeView(QWidget):
    """The latent scatter, with the decoded grid (2-unit image codes) or the sparse bars beside it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("autoencoderCodeView")
        self.latentPlot = LatentPlot()
        self.sweepGridPlot = SweepGridPlot()
        self.activationPlot = ActivationBars()
        self.keyLabel = QLabel()
        self.keyLabel.setObjectName("latentKey")
        self.keyLabel.setAccessibleName("Colour key of the codes")
        self.keyLabel.setTextFormat(Qt.TextFormat.RichText)
        self.keyLabel.setWordWrap(True)
        row = QHBoxLayout()
        for plot in (self.latentPlot, self.sweepGridPlot, self.activationPlot):
            row.addWidget(plot, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row, 1)
        column.addWidget(self.keyLabel)
        self.sweepGridPlot.hide()
        self.activationPlot.hide()

    def show_probe(self, probe, settings: dict) -> None:
        if probe is None:
            self.latentPlot.clear_probe()
            self.keyLabel.setText("")
            return
        self.latentPlot.show_probe(probe)
        self.keyLabel.setText(key_html(probe, settings))
        grid = probe.kind == "image" and probe.sweep is not None
        self.sweepGridPlot.setVisible(grid)
        if grid:
            self.sweepGridPlot.show_probe(probe)
        sparse = settings.get("variant") == "sparse"
        self.activationPlot.setVisible(sparse)
        if sparse:
            kl = settings.get("sparsity_kind") == "kl"
            self.activationPlot.show_probe(probe, settings.get("sparsity_target") if kl else None)
