"""Palettes, lookup tables and plot styling shared by the live views, in TF Playground's colours.

Every view maps numbers to colours through these tables, so a neuron's thumbnail, the large
decision map and the data points always agree on what orange and blue mean.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

ORANGE = "#f59322"  # class 0, negative values, negative weights
BLUE = "#0877bd"  # class 1, positive values, positive weights
NEUTRAL = "#e8eaeb"  # the playground's near-white midpoint
BACKGROUND = "#ffffff"
FOREGROUND = "#3c4043"  # axes, labels, text
TEST_OUTLINE = "#202124"

# Tableau 10: distinguishable for up to ten classes, and its first two are close to orange/blue.
CLASS_COLORS = (
    "#f59322",
    "#0877bd",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#edc948",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)

VALIDATION_COLOR = "#59a14f"  # the split early stopping watches, apart from train (blue) and test (orange)


def rgb(color: str) -> np.ndarray:
    """'#rrggbb' as a float (3,) array in 0..255."""
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _diverging_lut(size: int = 256) -> np.ndarray:
    """(size, 3) uint8: orange at the low end, near-white in the middle, blue at the high end."""
    t = np.linspace(-1.0, 1.0, size)[:, None]
    low, mid, high = rgb(ORANGE), rgb(NEUTRAL), rgb(BLUE)
    colors = np.where(t < 0, mid + (low - mid) * -t, mid + (high - mid) * t)
    return np.round(colors).astype(np.uint8)


DIVERGING_LUT = _diverging_lut()
DIVERGING_LEVELS = (-1.0, 1.0)
CLASS_RGB = np.stack([rgb(c) for c in CLASS_COLORS])


def class_color(index: int) -> str:
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def class_image(index: np.ndarray, confidence: np.ndarray | None, n_classes: int) -> np.ndarray:
    """(…, 3) uint8 image: each cell in its class colour, faded toward white where the net is unsure.

    Confidence 1/k (a coin toss among k classes) is white, 1 is the full class colour; without a
    confidence every cell gets its full colour (the discretised view).
    """
    base = CLASS_RGB[np.asarray(index, dtype=np.int64) % len(CLASS_RGB)]
    if confidence is None:
        return base.astype(np.uint8)
    floor = 1.0 / max(n_classes, 2)
    strength = np.clip((np.asarray(confidence) - floor) / (1.0 - floor), 0.0, 1.0)[..., None]
    white = rgb(NEUTRAL)
    return np.round(white + (base - white) * strength).astype(np.uint8)


def diverging_index(values: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """Row of the diverging table for each of `values` stretched over `levels` (NaN: the middle)."""
    lo, hi = levels
    top = len(DIVERGING_LUT) - 1
    scaled = (np.asarray(values, dtype=np.float32) - np.float32(lo)) * np.float32(top / max(hi - lo, 1e-12))
    np.nan_to_num(scaled, copy=False, nan=top / 2)
    np.clip(scaled, 0, top, out=scaled)
    return np.rint(scaled, out=scaled).astype(np.intp)


def diverging_colors(values: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """(N, 3) uint8 colours of `values` on the diverging map stretched over `levels`."""
    return DIVERGING_LUT[diverging_index(values, levels)]


def packed_rgb(colors: np.ndarray) -> np.ndarray:
    """(…, 3) uint8 colours as opaque 0xFFRRGGBB words, the layout of QImage.Format_RGB32."""
    c = np.asarray(colors, dtype=np.uint32)
    return 0xFF000000 | (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


DIVERGING_PACKED = packed_rgb(DIVERGING_LUT)


LEFT_AXIS_WIDTH = 64  # px: room for "0.0001" plus the axis label
LEGEND_ROW_HEIGHT = 20  # px per row of a legend strip
LEGEND_COLUMNS = 5  # entries side by side in a legend strip before it wraps


def add_legend_strip(plot: pg.PlotItem) -> pg.LegendItem:
    """A legend in a strip above the plot area, where pyqtgraph keeps a title (unused here).

    Inside the plot a legend always covered something: the curves of live training go anywhere,
    the newest epochs sit right where a top-right legend is, and a short plot clipped it.
    """
    legend = pg.LegendItem(labelTextColor=FOREGROUND, horSpacing=14, verSpacing=-6)
    plot.layout.removeItem(plot.titleLabel)
    plot.titleLabel.hide()
    plot.layout.addItem(legend, 0, 1)
    plot.legend = legend  # PlotItem lists curves plotted with a name here
    size_legend_strip(plot, 0)
    return legend


LEGEND_ROW_CHARS = 60  # characters of names (plus room for each sample line) that fit in one row


def size_legend_strip(plot: pg.PlotItem, entries: int, longest: int = 0) -> None:
    """Lay the strip out for `entries` names: up to LEGEND_COLUMNS a row (fewer for names of up
    to `longest` characters, which ran off the right edge), as many rows as needed."""
    fit = LEGEND_ROW_CHARS // (longest + 6) if longest else LEGEND_COLUMNS
    columns = max(1, min(entries, LEGEND_COLUMNS, fit))
    plot.legend.setColumnCount(columns)
    plot.layout.setRowFixedHeight(0, -(-entries // columns) * LEGEND_ROW_HEIGHT)


def live_curve(plot: pg.PlotItem, color: str, name: str | None, dashed: bool = False) -> pg.PlotDataItem:
    """An empty curve on `plot` for a series that grows every epoch (listed in its legend by `name`)."""
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    curve = plot.plot([], [], pen=pg.mkPen(color, width=1, style=style), name=name)
    # Peak downsampling and clipping to the view keep long runs cheap to draw (measured: without
    # clipping, 0.78 instead of 0.89 of headless speed with the window open).
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


def style_plot(plot: pg.PlotItem, x_label: str, y_label: str) -> None:
    """Dark axes and labels for a plot on the light background."""
    for name, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(FOREGROUND))
        axis.setTextPen(pg.mkPen(FOREGROUND))
        axis.enableAutoSIPrefix(False)  # "loss (x0.001)" reads worse than plain decimals
        # pyqtgraph 0.14 still computes a prefix when switching it off: on a +-0.5 range (a view
        # not laid out yet) that left every tick label 1000x too large ("6000" for 6). Undo it.
        axis.autoSIPrefixScale, axis.labelUnitPrefix = 1.0, ""
        axis.setLabel(label, color=FOREGROUND)  # after the prefix is reset: it redraws the label
        axis.picture = None  # tick text is cached: draw it again with the scale reset
        # Tick text is the costliest thing pyqtgraph paints; a cached axis repaints as one pixmap
        # until its range really changes (measured: axes were ~40% of the window's time in training).
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    # A fixed width: otherwise every new tick label ("0.1" -> "0.05") re-lays-out the whole plot.
    plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
