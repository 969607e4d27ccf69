"""The data and the network's answer over the input plane: the playground's big decision map.

One image item and three data items are created once; every frame colours the map through a
fixed table straight into 32-bit pixels and calls setImage/setData, so a 100×100 map redraws in
under a millisecond.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsItem

from gui.views.colors import (
    BACKGROUND,
    BLUE,
    DIVERGING_LEVELS,
    DIVERGING_PACKED,
    FOREGROUND,
    ORANGE,
    TEST_OUTLINE,
    VALIDATION_COLOR,
    class_color,
    class_image,
    diverging_colors,
    diverging_index,
    packed_rgb,
    style_plot,
)
from gui.views.paint_layer import PaintLayer
from gui.views.paint_mouse import PaintMouse
from gui.views.perceptron_overlay import PerceptronOverlay

VIEWABLE_KINDS = ("points2d", "function1d")
POINT_SIZE = 7
# A dark ring just outside each training point's white one: a point of the class the map is
# saturated with around it was a white circle at best, and vanished where the ring is thin.
HALO_SIZE = POINT_SIZE + 3
HALO_COLOR = (32, 33, 36, 190)


class MapImage(pg.ImageItem):
    """An ImageItem for maps already coloured as 0xFFRRGGBB words, drawn without conversion.

    pyqtgraph's own path for a scalar map with a lookup table builds an 8-bit indexed QImage
    with a fresh 256-entry colour table every frame, which Qt converts to 32-bit on every paint.
    Measured for the 100x100 map (colour, hand over, paint): 2.2 ms a frame that way, 0.7 ms
    coloured here by a table lookup in NumPy and handed over as Format_RGB32; 30 frames a second.
    Written for BoundaryView's use: row-major arrays, no auto-downsampling.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._words: np.ndarray | None = None  # the pixels the current QImage borrows

    def render(self) -> None:
        image = self.image
        if image is None or image.ndim != 2 or image.dtype != np.uint32:
            super().render()
            return
        self._words = np.ascontiguousarray(image)  # kept alive as long as the QImage over it
        height, width = self._words.shape
        self.qimage = QImage(self._words.data, width, height, 4 * width, QImage.Format.Format_RGB32)
        self._renderRequired = False
        self._unrenderable = False


class BoundaryView(PaintMouse, pg.PlotWidget):
    """Train/test points over the network's output map (2-D) or fitted curve (1-D).

    While painting (set_painting) the left button draws strokes instead of panning: press, moves
    and release are reported in data coordinates (paintPressed/Moved/Released) for the paint
    controller (gui/views/paint_controller.py), which shows its points through show_painted.
    """

    paintPressed = Signal(float, float)
    paintMoved = Signal(float, float)
    paintReleased = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("boundaryView")
        self.setAccessibleName("Decision boundary and data points")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.image = MapImage(axisOrder="row-major")
        self.image.setZValue(-10)
        self._halo = pg.ScatterPlotItem(size=HALO_SIZE, pen=None, brush=pg.mkBrush(*HALO_COLOR))
        self._train = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen("w", width=1.2))
        self._test = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(TEST_OUTLINE, width=1.5))
        # Validation points (early stopping's split): squares ringed in the validation curve's colour.
        self._val = pg.ScatterPlotItem(size=POINT_SIZE, symbol="s", pen=pg.mkPen(VALIDATION_COLOR, width=1.5))
        self._fit = pg.PlotDataItem(pen=pg.mkPen(FOREGROUND, width=2))
        self._message = pg.TextItem(anchor=(0.5, 0.5), color=FOREGROUND)
        for item in (self.image, self._fit, self._halo, self._train, self._val, self._test, self._message):
            plot.addItem(item)
        self._message.hide()
        self.overlay = PerceptronOverlay(plot)  # drawn for perceptron runs only
        self.paint_layer = PaintLayer(plot)
        self._painting = False
        self._stroking = False
        # The points do not move while the map under them changes every frame: each is kept as
        # one rendered layer instead of 500 markers redrawn 30 times a second (~2 ms a frame).
        for points in (self._halo, self._train, self._val, self._test):
            points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._dataset = None
        self._probe = None
        self._head = None
        self._value_levels = DIVERGING_LEVELS
        self._show_test = True
        self._discretize = False
        self._override: np.ndarray | None = None
        style_plot(plot, "x1", "x2")
        # The domain's ends are ticks ("6" at the very top): let tick text reach past the plot
        # area, and leave it room, or the top label is drawn cut in half.
        plot.getAxis("left").setStyle(hideOverlappingLabels=False)
        plot.layout.setContentsMargins(1, 8, 1, 1)

    # -- public API ---------------------------------------------------------------------------
    @property
    def value_levels(self) -> tuple[float, float]:
        """The values at the two ends of a regression map's colour scale."""
        return self._value_levels

    def set_dataset(self, dataset) -> None:
        """Show `dataset`'s points; the previous network map no longer applies and is cleared."""
        self._dataset, self._probe, self._override = dataset, None, None
        self.overlay.clear()
        kind = dataset.kind if dataset is not None else "none"
        viewable = kind in VIEWABLE_KINDS
        self._message.setVisible(not viewable)
        if not viewable:
            self._show_unviewable(kind)
        elif kind == "points2d":
            self._show_points2d(dataset)
        else:
            self._show_function1d(dataset)
        self._show_run_points()
        self._render()

    def set_probe(self, probe, head) -> None:
        """Draw the network's response `probe` (a GridProbe or None) read through task `head`."""
        if probe is not None and not hasattr(probe, "output"):
            probe = None  # another family's probe (the autoencoder's): no map over the plane
        self._probe, self._head = probe, head
        self.overlay.show(probe, self._dataset)
        self._render()

    def set_show_test(self, show: bool) -> None:
        self._show_test = show
        self._show_run_points()

    def _show_run_points(self) -> None:
        """The run's split points, except while painting: the painted layer is the data then (a
        point just erased must not stay drawn until the rebuilt run arrives)."""
        viewable = self._dataset is not None and self._dataset.kind in VIEWABLE_KINDS
        for item in (self._halo, self._train, self._val):
            item.setVisible(not self._painting)
        self._test.setVisible(viewable and self._show_test and not self._painting)

    def set_discretize(self, discretize: bool) -> None:
        self._discretize = discretize
        self._render()

    def show_map(self, values: np.ndarray | None, title: str = "") -> None:
        """Show another (res, res) map on the -1..1 scale (a hovered neuron); None restores the output."""
        self._override = None if values is None else np.asarray(values, dtype=np.float32)
        self.getPlotItem().setTitle(title if values is not None and title else None, color=FOREGROUND)
        self._render()

    # -- data points --------------------------------------------------------------------------
    def _show_unviewable(self, kind: str) -> None:
        for item in (self._halo, self._train, self._val, self._test):
            item.setData([], [])
        self._message.setText(f"no 2-D view for {kind} data")
        self._message.setPos(0.0, 0.0)
        self.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)

    def _show_points2d(self, data) -> None:
        self.setAspectLocked(True)
        style_plot(self.getPlotItem(), "x1", "x2")
        if data.task == "regression":
            values = np.concatenate([data.y_train, data.y_test])
            self._value_levels = (float(values.min()), float(values.max())) if len(values) else (-1, 1)
        splits = ((self._train, data.x_train, data.y_train), (self._val, data.x_val, data.y_val))
        for item, x, y in (*splits, (self._test, data.x_test, data.y_test)):
            if len(x) == 0:
                item.setData([], [])
                continue
            item.setData(x[:, 0], x[:, 1], brush=self._point_brushes(data, y))
        self._halo.setData(data.x_train[:, 0], data.x_train[:, 1])
        lo, hi = data.domain
        self.setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0)

    def _show_function1d(self, data) -> None:
        self.setAspectLocked(False)
        style_plot(self.getPlotItem(), "x", "y")
        self._train.setData(data.x_train[:, 0], data.y_train, brush=pg.mkBrush(BLUE))
        self._halo.setData(data.x_train[:, 0], data.y_train)
        if len(data.x_val):
            self._val.setData(data.x_val[:, 0], data.y_val, brush=pg.mkBrush(BLUE))
        else:
            self._val.setData([], [])
        self._test.setData(data.x_test[:, 0], data.y_test, brush=pg.mkBrush(ORANGE))
        values = np.concatenate([data.y_train, data.y_test])
        low, high = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
        self.setRange(xRange=data.domain, yRange=(low, high), padding=0.05)

    def _point_brushes(self, data, labels: np.ndarray) -> list:
        if data.task == "regression":
            return [pg.mkBrush(*map(int, color)) for color in diverging_colors(labels, self._value_levels)]
        if data.n_classes == 2:
            by_class = [pg.mkBrush(ORANGE), pg.mkBrush(BLUE)]
        else:
            by_class = [pg.mkBrush(class_color(k)) for k in range(data.n_classes)]
        return [by_class[int(label)] for label in labels]

    # -- the network's map --------------------------------------------------------------------
    def _render(self) -> None:
        probe, data = self._probe, self._dataset
        if self._override is not None:
            self._set_scalar_image(self._override, DIVERGING_LEVELS)
            self._place_image(probe.extent if probe is not None else None)
            return
        if probe is None or data is None or data.kind not in VIEWABLE_KINDS:
            self.image.clear()
            self._fit.setData([], [])
            return
        output = np.asarray(probe.output)
        if output.ndim == 1:
            self.image.clear()
            self._fit.setData(np.linspace(probe.extent[0], probe.extent[1], len(output)), output)
            return
        if self._fit.xData is not None and len(self._fit.xData):
            self._fit.setData([], [])
        self._set_output_image(output, probe.confidence)
        self._place_image(probe.extent)

    def _set_output_image(self, output: np.ndarray, confidence: np.ndarray | None) -> None:
        head = self._head
        if head is not None and not head.classification:
            self._set_scalar_image(output, self._value_levels)
        elif head is not None and head.n_classes > 2:
            shown_confidence = None if self._discretize else confidence
            self._set_rgb_image(class_image(output, shown_confidence, head.n_classes))
        elif self._discretize:
            self._set_scalar_image(np.where(output >= 0, 1.0, -1.0).astype(np.float32), DIVERGING_LEVELS)
        else:
            self._set_scalar_image(output, DIVERGING_LEVELS)

    def _set_scalar_image(self, values: np.ndarray, levels: tuple[float, float]) -> None:
        self._set_words(DIVERGING_PACKED[diverging_index(values, levels)])

    def _set_rgb_image(self, colors: np.ndarray) -> None:
        self._set_words(packed_rgb(colors))

    def _set_words(self, words: np.ndarray) -> None:
        # Fixed levels: pyqtgraph neither scans the map for them nor uses them (MapImage.render).
        self.image.setImage(words, levels=(0, 1), autoLevels=False)

    def _place_image(self, extent: tuple[float, float, float, float] | None) -> None:
        if extent is None:
            if self._dataset is None or self._dataset.domain is None:
                return
            lo, hi = self._dataset.domain
            extent = (lo, hi, lo, hi)
        x_min, x_max, y_min, y_max = extent
        rect = QRectF(x_min, y_min, x_max - x_min, y_max - y_min)
        if self.image.mapRectToParent(self.image.boundingRect()) != rect:  # unchanged for a whole run
            self.image.setRect(rect)
