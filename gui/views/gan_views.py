"""The GAN's plane in GAN Lab's colours: D's verdict as a green (real) / purple (fake) map, the real
and generated points, G's image of a grid of noise (its manifold) and the pull of G's gradient.

Every item is made once; a frame (up to ~20 a second) only hands them fresh arrays.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QGridLayout, QLabel, QVBoxLayout, QWidget

from gui.views.boundary import MapImage
from gui.views.colors import BACKGROUND, FOREGROUND, packed_rgb, rgb, style_plot

REAL_COLOR = "#1b7837"  # PRGn's dark ends: the points
FAKE_COLOR = "#762a83"
MAP_REAL = "#a6dba0"  # PRGn's light ends: the map, pale enough for the points to stand out on it
MAP_FAKE = "#c2a5cf"
MAP_MIDDLE = "#f7f7f7"
MANIFOLD_PEN = (118, 42, 131, 110)  # thin, translucent purple: the noise plane bent by G
ARROW_PEN = (32, 33, 36, 200)
ARROW_LENGTH = 0.6  # data units of the longest gradient arrow
POINT_SIZE = 5
LAYERS = (  # (key, objectName, label)
    ("map", "ganShowMap", "D's map"),
    ("real", "ganShowReal", "real"),
    ("fake", "ganShowFake", "generated"),
    ("manifold", "ganShowManifold", "G's manifold"),
    ("arrows", "ganShowArrows", "gradients"),
)


def _map_lut(size: int = 256) -> np.ndarray:
    """(size,) 0xFFRRGGBB words: purple at D = 0 (fake), near-white at 0.5, green at 1 (real)."""
    t = np.linspace(-1.0, 1.0, size)[:, None]
    low, mid, high = rgb(MAP_FAKE), rgb(MAP_MIDDLE), rgb(MAP_REAL)
    colors = np.where(t < 0, mid + (low - mid) * -t, mid + (high - mid) * t)
    return packed_rgb(np.round(colors).astype(np.uint8))


MAP_LUT = _map_lut()


def map_words(d_map: np.ndarray) -> np.ndarray:
    """D's probabilities (res, res) as packed pixels of MAP_LUT (NaN: the middle)."""
    top = len(MAP_LUT) - 1
    index = np.nan_to_num(np.asarray(d_map, dtype=np.float32), nan=0.5) * top
    return MAP_LUT[np.clip(np.rint(index), 0, top).astype(np.intp)]


def manifold_path(manifold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The manifold's rows and columns as NaN-separated strokes (a (k, 1, 2) one is a single curve)."""
    grid = np.asarray(manifold, dtype=np.float64)
    strokes = [line for line in (*grid, *grid.swapaxes(0, 1)) if len(line) > 1]
    if not strokes:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    path = np.vstack([np.vstack([line, gap]) for line in strokes])
    return path[:, 0], path[:, 1]


def arrow_pairs(points: np.ndarray, arrows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of one segment per point along its arrow, the longest ARROW_LENGTH, for connect="pairs"."""
    push = np.nan_to_num(np.asarray(arrows, dtype=np.float64))
    longest = float(np.linalg.norm(push, axis=1).max(initial=0.0))
    push = push * (ARROW_LENGTH / longest) if longest > 0 else push
    starts = np.asarray(points[: len(push)], dtype=np.float64)
    ends = np.empty((2 * len(push), 2))
    ends[0::2], ends[1::2] = starts, starts + push
    return ends[:, 0], ends[:, 1]


def _finite(points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return points[np.isfinite(points).all(axis=1)]


def _swatch(color: str) -> str:
    return f'<span style="background-color:{color}; color:{color};">&nbsp;&nbsp;</span>'


def key_html() -> str:
    dot = '<span style="color:{};">&#9679;</span>'
    return (
        f"{dot.format(REAL_COLOR)} real &nbsp; {dot.format(FAKE_COLOR)} generated &nbsp; "
        f"map: {_swatch(MAP_REAL)} D says real, white: unsure, {_swatch(MAP_FAKE)} D says fake &nbsp; "
        "<span style='color:#762a83;'>grid</span>: G's image of the noise plane &nbsp; "
        "lines: where G's gradient pushes its samples"
    )


def numbers_text(epoch: int | None, metrics) -> str:
    """The compact numbers line: epoch, both losses, modes covered (ring of 8 only), nearest real."""
    metrics = metrics or {}
    parts = [f"epoch {epoch}" if epoch is not None else "epoch –"]
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        if metrics.get(key) is not None:
            parts.append(f"{label} {metrics[key]:.3f}")
    if metrics.get("modes_covered") is not None:
        parts.append(f"modes covered {int(round(metrics['modes_covered']))} of 8")
    if metrics.get("nearest_real") is not None:
        parts.append(f"nearest real {metrics['nearest_real']:.3f}")
    return "   ·   ".join(parts)


class GanView(QWidget):
    """D's map, real and generated points, G's manifold and gradient arrows, each layer switchable."""

    layer_toggled = Signal(str, bool)  # (key of LAYERS, shown): for a window that remembers them

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ganView")
        self.setAccessibleName("GAN: discriminator map, real and generated points")
        self.plot_widget = pg.PlotWidget(background=BACKGROUND)
        self.plot_widget.setObjectName("ganPlot")
        plot = self.plot_widget.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        style_plot(plot, "x1", "x2")
        # The extent's ends are ticks: let their text reach past the plot area, with room for it.
        plot.getAxis("left").setStyle(hideOverlappingLabels=False)
        plot.layout.setContentsMargins(1, 8, 1, 1)
        self.plot_widget.setAspectLocked(True)
        self.map_image = MapImage(axisOrder="row-major")
        self.map_image.setZValue(-10)
        self.manifold = pg.PlotDataItem(pen=pg.mkPen(MANIFOLD_PEN, width=1), connect="finite")
        self.real = pg.ScatterPlotItem(size=POINT_SIZE, pen=None, brush=pg.mkBrush(REAL_COLOR))
        self.fake = pg.ScatterPlotItem(size=POINT_SIZE, pen=None, brush=pg.mkBrush(FAKE_COLOR))
        self.arrows = pg.PlotDataItem(pen=pg.mkPen(ARROW_PEN, width=1), connect="pairs")
        self.real.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # fixed while D's map moves
        self.items = {
            "map": self.map_image,
            "real": self.real,
            "fake": self.fake,
            "manifold": self.manifold,
            "arrows": self.arrows,
        }
        for item in (self.map_image, self.manifold, self.real, self.fake, self.arrows):
            plot.addItem(item)
        self.checks = {key: self._check(key, name, label) for key, name, label in LAYERS}
        self.key_label = QLabel(key_html())
        self.key_label.setObjectName("ganKey")
        self.key_label.setWordWrap(True)
        self.numbers = QLabel(numbers_text(None, None))
        self.numbers.setObjectName("ganNumbers")
        self.numbers.setWordWrap(True)  # unwrapped, its one line set the window's minimum width
        self._layout()
        self._extent = None
        self._placed = False  # the map's rect is set for the current extent
        self._real_shown: np.ndarray | None = None
        self._epoch: int | None = None
        self._metrics = None

    def _check(self, key: str, name: str, label: str) -> QCheckBox:
        box = QCheckBox(label)
        box.setObjectName(name)
        box.setChecked(True)
        box.toggled.connect(lambda shown, key=key: self._on_layer_toggled(key, shown))
        return box

    def _layout(self) -> None:
        # Two rows of three: in one row the five boxes set the window's minimum width (> 1024 px in all).
        checks = QGridLayout()
        checks.addWidget(QLabel("Show:"), 0, 0)
        for index, box in enumerate(self.checks.values()):
            checks.addWidget(box, index // 3, 1 + index % 3)
        checks.setColumnStretch(4, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.numbers)
        layout.addWidget(self.plot_widget, 1)
        layout.addLayout(checks)
        layout.addWidget(self.key_label)
        for label in (self.numbers, self.key_label):
            label.setStyleSheet(f"color: {FOREGROUND};")

    # -- public API ---------------------------------------------------------------------------
    def set_probe(self, probe) -> None:
        """Draw a GanProbe (engine.families.gan.view); None clears the plane."""
        if probe is None:
            self.clear()
            return
        self._set_map(probe.d_map, probe.extent)
        real = _finite(probe.real)
        if self._real_shown is None or not np.array_equal(real, self._real_shown):
            self.real.setData(real[:, 0], real[:, 1])
            self._real_shown = real
        fake = np.asarray(probe.fake, dtype=np.float64)
        shown = _finite(fake)
        self.fake.setData(shown[:, 0], shown[:, 1])
        self.manifold.setData(*manifold_path(probe.manifold))
        self.arrows.setData(*arrow_pairs(np.nan_to_num(fake), probe.arrows))
        self._epoch = probe.epoch
        self._show_numbers()

    def set_metrics(self, snapshot) -> None:
        """Show a Snapshot's d_loss, g_loss, modes_covered and nearest_real (None: forget them)."""
        self._metrics = None if snapshot is None else dict(snapshot.metrics)
        if snapshot is not None:
            self._epoch = snapshot.epoch
        self._show_numbers()

    def clear(self) -> None:
        self.map_image.clear()
        for item in (self.real, self.fake, self.manifold, self.arrows):
            item.setData([], [])
        self._real_shown, self._epoch, self._metrics = None, None, None
        self._extent, self._placed = None, False
        self._show_numbers()

    # -- drawing ------------------------------------------------------------------------------
    def _set_map(self, d_map, extent) -> None:
        if d_map is None:
            self.map_image.clear()
        else:
            # Fixed levels: pyqtgraph neither scans the words for them nor uses them (MapImage).
            self.map_image.setImage(map_words(d_map), levels=(0, 1), autoLevels=False)
        x_min, x_max, y_min, y_max = extent
        if extent != self._extent:  # unchanged for a whole run
            self.plot_widget.setRange(xRange=(x_min, x_max), yRange=(y_min, y_max), padding=0)
            self._extent = extent
            self._placed = False
        if d_map is not None and not self._placed:  # setRect needs the image's size
            self.map_image.setRect(QRectF(x_min, y_min, x_max - x_min, y_max - y_min))
            self._placed = True

    def _show_numbers(self) -> None:
        self.numbers.setText(numbers_text(self._epoch, self._metrics))

    def _on_layer_toggled(self, key: str, shown: bool) -> None:
        self.items[key].setVisible(shown)
        self.layer_toggled.emit(key, shown)
