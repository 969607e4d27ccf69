"""Inside a conv net: the first layer's filters, and for the picked test sample the feature maps
of every conv and pool layer. Hovering a feature-map pixel shows its value and outlines, on the
input image, the pixels it sees (its receptive field).

Values are drawn on the playground's diverging map (blue positive, orange negative, white 0),
stretched per layer over its largest magnitude, and each picture says its range (a colour bar
under the filters, a small scale in each layer's caption). The maps are laid out in as many
columns as make them largest in the view's size; a probe only hands new pictures.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsRectItem

from gui.views.colors import BACKGROUND, DIVERGING_LUT, FOREGROUND, diverging_colors
from gui.views.confusion_matrix import WRONG
from gui.views.image_fit import captioned_image, keep_fitted
from gui.views.image_samples import gray_images, ink, label_text
from gui.widgets.color_bar import scale_html

TILE_GAP = np.array([218, 220, 224], dtype=np.uint8)  # between maps
FILTER_CAPTION_PX = 26  # the filter view's caption line
FIELD_COLOR = WRONG  # the receptive field's outline: it must stand out on grey ink
LAYER_CAPTION_PX = 22  # a layer's caption line in the feature-map view
INPUT_SHARE = 0.22  # of the feature-map view's width for the picked sample (an 8x8 digit)


def best_columns(shapes: list[tuple[int, int, int]], width: float, height: float) -> list[int]:
    """Columns for each (n, h, w) layer's mosaic (1-px gaps) so that, stacked, they fill
    width x height at the largest pixel size all of them share (found by bisection)."""

    def layout(scale: float) -> tuple[list[int], float]:
        columns, total = [], 0.0
        for n, h, w in shapes:
            fit = max(1, min(n, int((width + scale) // ((w + 1) * scale))))
            rows = -(-n // fit)
            columns.append(-(-n // rows))  # as few empty tiles in the last row as the rows allow
            total += rows * (h + 1) * scale
        return columns, total

    lo, hi = 0.05, 64.0
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if layout(mid)[1] <= height else (lo, mid)
    return layout(lo)[0]


def mosaic_top(maps: np.ndarray) -> float:
    """The bound the diverging map is stretched over: the 99th percentile of |values|, not the
    maximum (one hot pixel would otherwise wash every map out)."""
    maps = np.asarray(maps, dtype=np.float32)
    top = float(np.nanpercentile(np.abs(maps), 99)) if maps.size else 0.0
    return max(top, 1e-9)


def diverging_mosaic(maps: np.ndarray, columns: int) -> np.ndarray:
    """(n, h, w) values as one RGB picture, 1-px gaps, on the diverging map over ±mosaic_top."""
    maps = np.asarray(maps, dtype=np.float32)
    n, h, w = maps.shape
    top = mosaic_top(maps)
    colors = diverging_colors(maps, (-top, top)).reshape(n, h, w, 3)
    rows = max(1, -(-n // columns))
    out = np.empty((rows * (h + 1) - 1, columns * (w + 1) - 1, 3), dtype=np.uint8)
    out[:] = TILE_GAP
    for k in range(n):
        r, c = divmod(k, columns)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = colors[k]
    return out


def tile_pixel(x: float, y: float, shape: tuple[int, int, int], columns: int) -> tuple[int, int, int] | None:
    """(map, row, column) under point (x, y) of a mosaic of `shape` (n, h, w) maps; None in a gap."""
    n, h, w = shape
    if x < 0 or y < 0:
        return None
    c, col = divmod(int(x), w + 1)
    r, row = divmod(int(y), h + 1)
    k = r * columns + c
    if col >= w or row >= h or c >= columns or k >= n:
        return None
    return k, row, col


class FilterView(pg.GraphicsLayoutWidget):
    """The first conv layer's kernels as images (channels averaged), blue positive, in as many
    columns as draw them largest in the view (one row of 9-px kernels was unreadable)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        captioned_image(self, "filterView", "First layer filters")
        self.shown = np.zeros((0, 0, 0), dtype=np.float32)
        self.levels: tuple[float, float] | None = None  # the colour range of the kernels drawn
        self.columns = 0
        self.probe = None

    def show_probe(self, probe) -> None:
        self.probe = probe
        filters = np.asarray(probe.filters, dtype=np.float32).mean(axis=1)  # (F, k, k)
        self.shown = filters
        self.columns = self._best_columns()
        picture = diverging_mosaic(filters, self.columns)
        top = mosaic_top(filters)
        self.levels = (-top, top)
        fresh = self.image_item.image is None or self.image_item.image.shape != picture.shape
        self.image_item.setImage(picture, levels=(0, 255))
        if fresh:
            keep_fitted(self.box, (0, picture.shape[1]), (0, picture.shape[0]), 0.02)
        k = filters.shape[-1]
        cut = f" (first {len(filters)})" if probe.filter_count > len(filters) else ""
        self.caption.setText(
            f"{probe.filter_layer}: {probe.filter_count} filters{cut} of {k}×{k} weights",
            color=FOREGROUND,
            size="9pt",
        )

    def _best_columns(self) -> int:
        width, height = self.width() - 16, self.height() - FILTER_CAPTION_PX - 12
        return best_columns([self.shown.shape], max(width, 20), max(height, 20))[0]

    def weight_pixels(self) -> float:
        """Screen pixels one kernel weight is drawn across now (what a learner's eye gets)."""
        return 1.0 / max(self.box.viewPixelSize()[0], 1e-9)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)  # pyqtgraph calls it with None while it is being built
        if getattr(self, "probe", None) is not None and self._best_columns() != self.columns:
            self.show_probe(self.probe)


class FeatureMapView(pg.GraphicsLayoutWidget):
    """The picked sample (left) and each conv/pool layer's maps of it (right, one row a layer)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("featureMapView")
        self.setAccessibleName("Feature maps of the picked sample")
        self.setBackground(BACKGROUND)
        self.sample_caption = pg.LabelItem("", color=FOREGROUND, size="9pt")
        self.ci.addItem(self.sample_caption, row=0, col=0)
        self.input_box = self.ci.addViewBox(row=1, col=0, rowspan=1, lockAspect=True, enableMouse=False)
        self.input_box.invertY(True)
        self.input_box.setMenuEnabled(False)
        self.input_item = pg.ImageItem(axisOrder="row-major")
        self.input_box.addItem(self.input_item)
        self.input_frame = QGraphicsRectItem()  # the image's edge: white ink meets the background
        frame = QPen(pg.mkColor("#bdc1c6"))
        frame.setCosmetic(True)
        self.input_frame.setPen(frame)
        self.input_box.addItem(self.input_frame)
        self.field_rect = QGraphicsRectItem()
        pen = QPen(pg.mkColor(FIELD_COLOR))
        pen.setWidthF(2.0)
        pen.setCosmetic(True)
        self.field_rect.setPen(pen)
        self.field_rect.hide()
        self.input_box.addItem(self.field_rect)
        self.layer_captions: list[pg.LabelItem] = []
        self.layer_boxes: list[pg.ViewBox] = []
        self.layer_items: list[pg.ImageItem] = []
        self.pixel_rects: list[QGraphicsRectItem] = []
        self.layout_key: tuple = ()
        self.columns: list[int] = []  # each layer's mosaic columns (best_columns for the size)
        self.layer_levels: list[tuple[float, float]] = []  # each layer's colour range, as captioned
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.ci.setSpacing(4)
        self.probe = None
        self.levels = (0.0, 1.0)
        self.hover_text = ""  # what the pointer's pixel says (the window shows it under the view)
        self.on_hover = None  # called with hover_text when it changes
        self.scene().sigMouseMoved.connect(self._moved)

    def set_run(self, x_test: np.ndarray) -> None:
        values = np.asarray(x_test, dtype=np.float32)
        lo = float(values.min()) if values.size else 0.0
        self.levels = (lo, max(float(values.max()) if values.size else 1.0, lo + 1e-6))
        self.probe = None

    def show_probe(self, probe) -> None:
        self.probe = probe
        self.input_item.setImage(ink(gray_images(probe.sample_image[None])[0], self.levels), levels=(0, 255))
        key = tuple((f.name, f.maps.shape) for f in probe.features)
        columns = self._best_columns(probe)
        if key != self.layout_key or columns != self.columns:
            self._make_layers(probe, columns)
            self.layout_key = key
        self._draw_maps(probe)
        true = label_text(probe.class_names, probe.sample_true)
        if probe.classification:
            guess = int(np.argmax(probe.sample_probs))
            said = f"predicted {label_text(probe.class_names, guess)} ({probe.sample_probs[guess]:.0%})"
        else:
            said = f"predicted {float(probe.sample_probs[0]):.3g}"
        self.sample_caption.setText(
            f"test sample {probe.sample}<br>true {true}<br>{said}", color=FOREGROUND, size="9pt"
        )

    def _draw_maps(self, probe) -> None:
        """Each layer's mosaic, and its caption with the colour range it is stretched over."""
        for i, (feature, item) in enumerate(zip(probe.features, self.layer_items, strict=True)):
            item.setImage(diverging_mosaic(feature.maps, self.columns[i]), levels=(0, 255))
            top = mosaic_top(feature.maps)
            self.layer_levels[i] = (-top, top)
            n, h, w = feature.maps.shape
            shown = f" (first {n})" if feature.channels > n else ""
            # Short: a caption wider than its column pushed the maps off the view's right edge.
            # What a pixel sees is in the hover line.
            text = (
                f"{feature.name}: {feature.channels} maps{shown} {h}×{w}"
                f" &nbsp; {scale_html((-top, top), DIVERGING_LUT, 5)}"
            )
            if text != self.layer_captions[i].text:  # a new caption re-lays the view out: only on change
                self.layer_captions[i].setText(text, color=FOREGROUND, size="8pt")

    def _best_columns(self, probe) -> list[int]:
        """The mosaics' columns that draw the maps largest in the view's present size."""
        shapes = [f.maps.shape for f in probe.features]
        width = self.width() - self._input_width() - 16
        height = self.height() - len(shapes) * (LAYER_CAPTION_PX + 4) - 8
        return best_columns(shapes, max(width, 40), max(height, 20))

    def _input_width(self) -> int:
        return max(112, int(INPUT_SHARE * self.width()))

    def map_pixels(self, layer: int) -> float:
        """Screen pixels one map of `layer` is drawn across now (what a learner's eye gets)."""
        w = self.probe.features[layer].maps.shape[-1]
        return w / max(self.layer_boxes[layer].viewPixelSize()[0], 1e-9)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if (
            getattr(self, "probe", None) is not None
            and self.probe.features
            and self._best_columns(self.probe) != self.columns
        ):
            self.show_probe(self.probe)  # a new size, new columns: the maps as large as it allows

    def _make_layers(self, probe, columns: list[int]) -> None:
        for item in self.layer_captions + self.layer_boxes:
            self.ci.removeItem(item)
        self.layer_captions, self.layer_boxes, self.layer_items, self.pixel_rects = [], [], [], []
        self.columns = list(columns)
        self.layer_levels = [(-1.0, 1.0)] * len(probe.features)
        grid = self.ci.layout
        for i, feature in enumerate(probe.features):
            n, h, w = feature.maps.shape
            caption = pg.LabelItem("", color=FOREGROUND, size="8pt")
            box = pg.ViewBox(lockAspect=True, enableMouse=False, invertY=True)
            box.setMenuEnabled(False)
            item = pg.ImageItem(axisOrder="row-major")
            box.addItem(item)
            rect = QGraphicsRectItem()
            pen = QPen(pg.mkColor(FOREGROUND))
            pen.setWidthF(1.5)
            pen.setCosmetic(True)
            rect.setPen(pen)
            rect.hide()
            box.addItem(rect)
            self.ci.addItem(caption, row=2 * i, col=1)
            self.ci.addItem(box, row=2 * i + 1, col=1)
            rows = -(-n // columns[i])
            grid.setRowFixedHeight(2 * i, LAYER_CAPTION_PX)
            grid.setRowStretchFactor(2 * i + 1, max(1, rows * (h + 1)))  # one pixel size for all
            self.layer_captions.append(caption)
            self.layer_boxes.append(box)
            self.layer_items.append(item)
            self.pixel_rects.append(rect)
            keep_fitted(box, (0, columns[i] * (w + 1) - 1), (0, rows * (h + 1) - 1), 0.01)
        # The input image spans the layers' rows under its caption, in a narrow column of its own.
        self.ci.removeItem(self.input_box)
        self.ci.addItem(self.input_box, row=1, col=0, rowspan=max(1, 2 * len(probe.features) - 1))
        grid.setColumnFixedWidth(0, self._input_width())
        h, w = probe.sample_image.shape[-2:]
        keep_fitted(self.input_box, (0, w), (0, h), 0.02)
        self.input_frame.setRect(QRectF(0, 0, w, h))

    def hover(
        self, layer: int, channel: int, row: int, column: int
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """Show the value of layer `layer`'s map `channel` at (row, column) and outline its field
        on the input; returns the field's (first, last) input rows and columns."""
        probe = self.probe
        feature = probe.features[layer]
        rows, cols = feature.field.span(row, 0), feature.field.span(column, 1)
        self.field_rect.setRect(QRectF(cols[0], rows[0], cols[1] - cols[0] + 1, rows[1] - rows[0] + 1))
        self.field_rect.show()
        n, h, w = feature.maps.shape
        r, c = divmod(channel, self.columns[layer])
        for k, rect in enumerate(self.pixel_rects):
            rect.setVisible(k == layer)
        self.pixel_rects[layer].setRect(QRectF(c * (w + 1) + column, r * (h + 1) + row, 1, 1))
        value = float(feature.maps[channel, row, column])
        self._say(
            f"{feature.name}, map {channel + 1}, row {row}, column {column}: {value:.4g} — "
            f"sees input rows {rows[0]}–{rows[1]}, columns {cols[0]}–{cols[1]}"
        )
        return rows, cols

    def _moved(self, pos: QPointF) -> None:
        if self.probe is None:
            return
        for i, box in enumerate(self.layer_boxes):
            if not box.sceneBoundingRect().contains(pos):
                continue
            point = box.mapSceneToView(pos)  # the map's pixels: its image is not moved in the box
            maps = self.probe.features[i].maps
            hit = tile_pixel(point.x(), point.y(), maps.shape, self.columns[i])
            if hit is not None:
                self.hover(i, *hit)
                return
        self.field_rect.hide()
        for rect in self.pixel_rects:
            rect.hide()
        self._say("")

    def _say(self, text: str) -> None:
        if text != self.hover_text:
            self.hover_text = text
            if self.on_hover is not None:
                self.on_hover(text)
