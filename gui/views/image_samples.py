"""The grid of test images with each one's label and the network's prediction under it; a wrong
prediction is written and framed in red, the picked sample framed in dark grey. Clicking an
image picks it (the feature maps then show that sample).

The mosaic, the frames and the label texts are made once per run; a probe only hands new labels.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFont

from gui.views.colors import FOREGROUND
from gui.views.confusion_matrix import WRONG
from gui.views.image_fit import captioned_image, keep_fitted

COLUMNS = 12  # images a row: 24 samples in two rows fit the output box's width at ~33 px each
GAP = 2  # image pixels between tiles, across
LABEL_ROWS = 6  # image pixels under each tile kept for its label
PICKED = "#202124"
CAPTION = "first {n} test images: label → prediction, mistakes in red"
PICK_HINT = "<br>click one to see its feature maps"


def ink(images: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """(n, h, w) grey levels 0..255 of raw images: dark ink on white, as digits are written."""
    lo, hi = levels
    shade = np.clip((np.asarray(images, dtype=np.float64) - lo) / max(hi - lo, 1e-9), 0.0, 1.0)
    return (255 * (1.0 - shade)).astype(np.uint8)


def gray_images(images: np.ndarray) -> np.ndarray:
    """(n, *raw_shape) images as (n, h, w): the mean over channels (digits have one)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4:
        return images.mean(axis=1)
    return images.reshape(len(images), images.shape[-2], images.shape[-1])


def label_text(names: tuple[str, ...], value) -> str:
    if names:
        index = int(value)
        return names[index] if 0 <= index < len(names) else str(index)
    return f"{float(value):.3g}"


class SampleGrid(pg.GraphicsLayoutWidget):
    """Test images with their labels and predictions; `sampleChosen(test index)` on a click."""

    sampleChosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        captioned_image(self, "sampleGrid", "Test samples and their predictions")
        self.wrong_frames = pg.PlotDataItem(pen=pg.mkPen(WRONG, width=2), connect="finite")
        self.picked_frame = pg.PlotDataItem(pen=pg.mkPen(PICKED, width=2), connect="finite")
        self.box.addItem(self.wrong_frames)
        self.box.addItem(self.picked_frame)
        self.texts: list[pg.TextItem] = []
        self.indices = np.zeros(0, dtype=np.int64)  # test index of each tile
        self.tile = (8, 8)
        self.levels = (0.0, 1.0)
        self.scene().sigMouseClicked.connect(self._clicked)

    def set_run(self, x_test: np.ndarray) -> None:
        """A new run: its images' grey levels (fixed for the run) and no tiles yet."""
        values = np.asarray(x_test, dtype=np.float32)
        lo = float(values.min()) if values.size else 0.0
        hi = float(values.max()) if values.size else 1.0
        self.levels = (lo, max(hi, lo + 1e-6))
        self.indices = np.zeros(0, dtype=np.int64)

    def show_probe(self, probe) -> None:
        images = gray_images(probe.images)
        n, h, w = images.shape
        self.tile = (h, w)
        if not np.array_equal(self.indices, probe.indices):  # a new set of samples: a new mosaic
            self.indices = np.asarray(probe.indices).copy()
            self.image_item.setImage(self._mosaic(images), levels=(0, 255))
            self._make_texts(n)
            height, width = self.image_item.image.shape[:2]
            keep_fitted(self.box, (0, width), (0, height), 0.01)
            hint = PICK_HINT if probe.features else ""  # only a conv net has feature maps to show
            self.caption.setText(CAPTION.format(n=n) + hint, color=FOREGROUND, size="9pt")
        wrong = []
        for k, text in enumerate(self.texts):
            true = label_text(probe.class_names, probe.true[k])
            said = label_text(probe.class_names, probe.predicted[k])
            miss = probe.classification and int(probe.true[k]) != int(probe.predicted[k])
            text.setText(f"{true}→{said}", color=WRONG if miss else FOREGROUND)
            if miss:
                wrong.append(k)
        self.wrong_frames.setData(*self._frames(wrong))
        # The picked sample matters only where its feature maps are shown (a conv net).
        picked = np.flatnonzero(self.indices == probe.sample) if probe.features else []
        self.picked_frame.setData(*self._frames(list(picked), inset=0.6))

    def tile_origin(self, k: int) -> tuple[float, float]:
        """(x, y) of tile k's top-left corner in the mosaic's pixels."""
        h, w = self.tile
        r, c = divmod(k, COLUMNS)
        return c * (w + GAP) + GAP / 2, r * (h + LABEL_ROWS)

    def tile_at(self, x: float, y: float) -> int | None:
        """The tile under mosaic point (x, y), label included; None between tiles."""
        h, w = self.tile
        c, r = int((x - GAP / 2) // (w + GAP)), int(y // (h + LABEL_ROWS))
        k = r * COLUMNS + c
        inside = 0 <= c < COLUMNS and r >= 0 and (x - GAP / 2) - c * (w + GAP) < w
        return k if inside and k < len(self.indices) else None

    def _mosaic(self, images: np.ndarray) -> np.ndarray:
        n, h, w = images.shape
        rows = max(1, -(-n // COLUMNS))
        out = np.full((rows * (h + LABEL_ROWS), COLUMNS * (w + GAP)), 255, dtype=np.uint8)
        gray = ink(images, self.levels)
        for k in range(n):
            x, y = self.tile_origin(k)
            out[int(y) : int(y) + h, int(x) : int(x) + w] = gray[k]
        return out

    def _make_texts(self, n: int) -> None:
        for text in self.texts:
            self.box.removeItem(text)
        font = QFont()
        font.setPixelSize(11)
        self.texts = []
        h, w = self.tile
        for k in range(n):
            x, y = self.tile_origin(k)
            text = pg.TextItem("", color=FOREGROUND, anchor=(0.5, 0.0))
            text.setFont(font)
            text.setPos(x + w / 2, y + h - 0.3)
            self.box.addItem(text)
            self.texts.append(text)

    def _frames(self, tiles: list[int], inset: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """x, y of a rectangle around each of `tiles`, NaN-separated, for one PlotDataItem."""
        h, w = self.tile
        xs, ys = [], []
        for k in tiles:
            x, y = self.tile_origin(int(k))
            x0, y0, x1, y1 = x - 0.5 + inset, y - 0.5 + inset, x + w + 0.5 - inset, y + h + 0.5 - inset
            xs += [x0, x1, x1, x0, x0, np.nan]
            ys += [y0, y0, y1, y1, y0, np.nan]
        return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.click_at(event.scenePos())

    def click_at(self, scene_pos: QPointF) -> None:
        """Pick the sample under `scene_pos` (a point of this view's scene)."""
        point = self.box.mapSceneToView(scene_pos)  # the mosaic's pixels (it is not moved in the box)
        k = self.tile_at(point.x(), point.y())
        if k is not None:
            self.sampleChosen.emit(int(self.indices[k]))
