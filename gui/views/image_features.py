"""Inside a conv net: the first layer's filters, and for the picked test sample the feature maps
of every conv and pool layer. Hovering a feature-map pixel shows its value and outlines, on the
input image, the pixels it sees (its receptive field).

Values are drawn on the playground's diverging map (blue positive, orange negative, white 0),
stretched per layer over its largest magnitude; the images are made once per run, a probe only
hands new pictures.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsRectItem

from gui.views.colors import BACKGROUND, FOREGROUND, diverging_colors
from gui.views.confusion_matrix import WRONG
from gui.views.image_fit import captioned_image, keep_fitted
from gui.views.image_samples import gray_images, ink, label_text

TILE_GAP = np.array([218, 220, 224], dtype=np.uint8)  # between maps
FILTER_COLUMNS = 16  # kernels a row in the filter view
FILTER_CAPTION_PX, FILTER_ROW_PX = 40, 34  # the filter view's height: its caption and a row of kernels
FIELD_COLOR = WRONG  # the receptive field's outline: it must stand out on grey ink


def columns_for(count: int) -> int:
    """Maps a row: up to 8 in one row, else rows of 8 or 16."""
    return count if count <= 8 else 8 if count <= 16 else 16


def diverging_mosaic(maps: np.ndarray, columns: int) -> np.ndarray:
    """(n, h, w) values as one RGB picture, 1-px gaps, on the diverging map over +-|values|."""
    maps = np.asarray(maps, dtype=np.float32)
    n, h, w = maps.shape
    # The 99th percentile, not the maximum: one hot pixel would otherwise wash every map out.
    top = float(np.nanpercentile(np.abs(maps), 99)) if maps.size else 0.0
    colors = diverging_colors(maps, (-max(top, 1e-9), max(top, 1e-9))).reshape(n, h, w, 3)
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
    """The first conv layer's kernels as small images (channels averaged), blue positive."""

    def __init__(self, parent=None):
        super().__init__(parent)
        captioned_image(self, "filterView", "First layer filters")
        self.shown = np.zeros((0, 0, 0), dtype=np.float32)

    def show_probe(self, probe) -> None:
        filters = np.asarray(probe.filters, dtype=np.float32).mean(axis=1)  # (F, k, k)
        self.shown = filters
        columns = min(len(filters), FILTER_COLUMNS)
        picture = diverging_mosaic(filters, columns)
        self.setFixedHeight(FILTER_CAPTION_PX + FILTER_ROW_PX * -(-len(filters) // columns))
        fresh = self.image_item.image is None or self.image_item.image.shape != picture.shape
        self.image_item.setImage(picture, levels=(0, 255))
        if fresh:
            keep_fitted(self.box, (0, picture.shape[1]), (0, picture.shape[0]), 0.02)
        k = filters.shape[-1]
        cut = f" (first {len(filters)})" if probe.filter_count > len(filters) else ""
        self.caption.setText(
            f"{probe.filter_layer}: {probe.filter_count} filters{cut} of {k}×{k} weights (blue +, orange −)",
            color=FOREGROUND,
            size="9pt",
        )


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
        if key != self.layout_key:
            self._make_layers(probe)
            self.layout_key = key
        for feature, item in zip(probe.features, self.layer_items, strict=True):
            item.setImage(diverging_mosaic(feature.maps, columns_for(len(feature.maps))), levels=(0, 255))
        true = label_text(probe.class_names, probe.sample_true)
        if probe.classification:
            guess = int(np.argmax(probe.sample_probs))
            said = f"predicted {label_text(probe.class_names, guess)} ({probe.sample_probs[guess]:.0%})"
        else:
            said = f"predicted {float(probe.sample_probs[0]):.3g}"
        self.sample_caption.setText(
            f"test sample {probe.sample}<br>true {true}, {said}", color=FOREGROUND, size="9pt"
        )

    def _make_layers(self, probe) -> None:
        for item in self.layer_captions + self.layer_boxes:
            self.ci.removeItem(item)
        self.layer_captions, self.layer_boxes, self.layer_items, self.pixel_rects = [], [], [], []
        grid = self.ci.layout
        for i, feature in enumerate(probe.features):
            n, h, w = feature.maps.shape
            size = feature.field.size
            shown = f" (first {n})" if feature.channels > n else ""
            caption = pg.LabelItem(
                f"{feature.name}: {feature.channels} maps{shown}, {h}×{w} — a pixel sees {size}×{size}",
                color=FOREGROUND,
                size="8pt",
            )
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
            rows = -(-n // columns_for(n))
            grid.setRowStretchFactor(
                2 * i + 1, max(1, int(100 * rows * (h + 1) / (columns_for(n) * (w + 1))))
            )
            self.layer_captions.append(caption)
            self.layer_boxes.append(box)
            self.layer_items.append(item)
            self.pixel_rects.append(rect)
            keep_fitted(box, (0, columns_for(n) * (w + 1) - 1), (0, rows * (h + 1) - 1), 0.02)
        # The input image spans the layers' rows under its caption, its column a third of the width.
        self.ci.removeItem(self.input_box)
        self.ci.addItem(self.input_box, row=1, col=0, rowspan=max(1, 2 * len(probe.features) - 1))
        grid.setColumnStretchFactor(0, 1)
        grid.setColumnStretchFactor(1, 3)
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
        r, c = divmod(channel, columns_for(n))
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
            hit = tile_pixel(point.x(), point.y(), maps.shape, columns_for(len(maps)))
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
