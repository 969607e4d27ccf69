"""What the autoencoder rebuilds: 2-D points joined to their reconstructions with the decoder's
sweep (the learnt curve), or digits over their reconstructions. Drawn from an AutoencoderProbe.

Every item is made once; a frame only hands it fresh arrays (setData / setImage).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QStackedWidget

from gui.views.colors import (
    BACKGROUND,
    FOREGROUND,
    add_legend_strip,
    diverging_colors,
    rgb,
    size_legend_strip,
    style_plot,
)

INPUT_COLOR = "#9aa0a6"  # the inputs' rings (their fill says where along the data they lie)
RECON_COLOR = "#202124"
LINK_COLOR = "#c5c8cc"
SWEEP_COLOR = "#d93025"  # the decoder's image of the code: the curve the network learnt
GAP = np.array([218, 220, 224], dtype=np.uint8)  # between tiles
SWEEP_NAMES = {1: "decoder's sweep of the code", 2: "decoder's image of a grid of codes"}
COLUMNS = 8  # tiles a row in the originals / reconstructions mosaics
PAIRS_CAPTION = "each test image (upper row) over its reconstruction"
# Two short lines: a caption wider than the view would widen the layout and crop the picture.
PRIOR_CAPTION = "test images over their reconstructions;<br>last row: codes from the prior N(0, I), decoded"
NOISY_CAPTION = "each test image (top), the noisy copy the encoder sees,<br>and what it rebuilds from it"
NOISY_COLOR = "#f29900"  # a denoising run's corrupted inputs: what the encoder is given


def value_brushes(labels: np.ndarray) -> list:
    """A fill per point from its label value (the arc's t in [-1, 1]) on the diverging map."""
    values = np.asarray(labels, dtype=np.float64).reshape(-1)
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
    return [pg.mkBrush(*c) for c in diverging_colors(values, (lo, max(hi, lo + 1e-9)))]


def pair_lines(inputs: np.ndarray, outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of one segment per point, input to reconstruction, for connect="pairs"."""
    ends = np.empty((2 * len(inputs), 2), dtype=np.float64)
    ends[0::2], ends[1::2] = inputs[:, :2], outputs[:, :2]
    return ends[:, 0], ends[:, 1]


def grid_lines(points: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A decoded (size*size) code grid drawn as its rows and columns, NaN-separated strokes."""
    grid = points[:, :2].reshape(size, size, 2)
    gap = np.full((1, 2), np.nan)
    strokes = [np.vstack([row, gap]) for row in grid] + [np.vstack([col, gap]) for col in grid.swapaxes(0, 1)]
    path = np.vstack(strokes)
    return path[:, 0], path[:, 1]


def mosaic(images: np.ndarray, columns: int, levels: tuple[float, float]) -> np.ndarray:
    """(n, [1,] h, w) grayscale images as one RGB uint8 picture: dark ink on white, 1-px gaps."""
    images = np.asarray(images, dtype=np.float64)
    images = images.reshape(len(images), images.shape[-2], images.shape[-1])
    n, h, w = images.shape
    rows = max(1, -(-n // columns))
    out = np.empty((rows * (h + 1) - 1, columns * (w + 1) - 1, 3), dtype=np.uint8)
    out[:] = GAP
    lo, hi = levels
    ink = np.clip((images - lo) / max(hi - lo, 1e-9), 0.0, 1.0)
    gray = (255 * (1.0 - ink)).astype(np.uint8)
    for k in range(n):
        r, c = divmod(k, columns)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = gray[k, :, :, None]
    return out


def image_levels(probe) -> tuple[float, float]:
    """Fixed levels for a run's images: the inputs' range (digits: 0..16)."""
    return float(np.min(probe.inputs)), float(max(np.max(probe.inputs), np.min(probe.inputs) + 1e-9))


class PointsReconstructionPlot(pg.PlotWidget):
    """Each input point, its reconstruction and the line between; the decoder's sweep on top."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("reconstructionPlot")
        self.setAccessibleName("Points and their reconstructions")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        style_plot(plot, "x1", "x2")
        self.setAspectLocked(True)
        legend = add_legend_strip(plot)  # above the plane: inside, it covered points
        self.links_item = pg.PlotDataItem(pen=pg.mkPen(LINK_COLOR, width=1), connect="pairs")
        self.input_item = pg.ScatterPlotItem(
            size=7,
            pen=pg.mkPen(INPUT_COLOR, width=1),
        )
        self.recon_item = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(RECON_COLOR))
        self.noisy_item = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(NOISY_COLOR), symbol="x")
        self.sweep_item = pg.PlotDataItem(pen=pg.mkPen(SWEEP_COLOR, width=2), connect="finite")
        for item in (self.links_item, self.noisy_item, self.input_item, self.recon_item, self.sweep_item):
            plot.addItem(item)
        legend.addItem(self.input_item, "input (colour: label)")
        legend.addItem(self.recon_item, "reconstruction")
        legend.addItem(self.sweep_item, SWEEP_NAMES[1])
        size_legend_strip(plot, 3, longest=27)

    def show_probe(self, probe) -> None:
        inputs, outputs = np.asarray(probe.inputs), np.asarray(probe.reconstructions)
        noisy = getattr(probe, "corrupted", None)
        # A denoising run rebuilds each point from its noisy copy: the line runs from that copy.
        self.links_item.setData(*pair_lines(inputs if noisy is None else np.asarray(noisy), outputs))
        self._show_noisy(noisy)
        self.input_item.setData(inputs[:, 0], inputs[:, 1], brush=value_brushes(probe.labels[: len(inputs)]))
        self.recon_item.setData(outputs[:, 0], outputs[:, 1])
        sweep = probe.sweep
        self._name_sweep(SWEEP_NAMES.get(probe.codes.shape[1], SWEEP_NAMES[1]))
        if sweep is None:
            self.sweep_item.setData([], [])
        elif probe.codes.shape[1] == 2:  # a decoded code grid: the plane's image, as a warped mesh
            self.sweep_item.setData(*grid_lines(np.asarray(sweep), int(round(np.sqrt(len(sweep))))))
        else:
            self.sweep_item.setData(sweep[:, 0], sweep[:, 1])

    def _show_noisy(self, noisy) -> None:
        legend = self.getPlotItem().legend
        if noisy is None:
            self.noisy_item.setData([], [])
            legend.removeItem(self.noisy_item)
            return
        self.noisy_item.setData(noisy[:, 0], noisy[:, 1])
        if legend.getLabel(self.noisy_item) is None:
            legend.addItem(self.noisy_item, "noisy copy (what the encoder sees)")

    def _name_sweep(self, name: str) -> None:
        label = self.getPlotItem().legend.getLabel(self.sweep_item)
        if label is not None and label.text != name:
            label.setText(name, color=FOREGROUND)

    def clear_probe(self) -> None:
        for item in (self.links_item, self.noisy_item, self.input_item, self.recon_item, self.sweep_item):
            item.setData([], [])


def pairs_mosaic(*sets: np.ndarray, columns: int, levels) -> np.ndarray:
    """Rows of `columns` images of the first set, each over the same images of the next sets (their
    noisy copies, their reconstructions), a white gap between one group of rows and the next."""
    mosaics = [mosaic(images, columns, levels) for images in sets]
    width, tile = mosaics[0].shape[1], np.asarray(sets[0]).shape[-2] + 1
    rows = []
    for r in range(0, mosaics[0].shape[0] + 1, tile):
        for m in mosaics:
            rows += [m[r : r + tile - 1], np.tile(GAP, (1, width, 1))]
        rows[-1] = np.full((3, width, 3), 255, dtype=np.uint8)  # white between groups of rows
    return np.concatenate(rows[:-1])


class ImageReconstructionView(pg.GraphicsLayoutWidget):
    """The first test images, each over its reconstruction, in grayscale (ink dark, as on paper)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.setObjectName("imageReconstructionView")
        self.setAccessibleName("Images and their reconstructions")
        self.caption = pg.LabelItem(PAIRS_CAPTION, color=FOREGROUND)
        self.ci.addItem(self.caption)
        self.ci.nextRow()
        self.box = self.ci.addViewBox(lockAspect=True, enableMouse=False, invertY=True)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image_item)
        self.shown = 0  # images (and as many reconstructions) drawn
        self.prior_shown = 0  # a VAE's decoded prior samples drawn under them

    def show_probe(self, probe) -> None:
        levels = image_levels(probe)
        self.shown = len(probe.inputs)
        noisy = getattr(probe, "corrupted", None)
        sets = (
            (probe.inputs, probe.reconstructions)
            if noisy is None
            else (probe.inputs, noisy, probe.reconstructions)
        )
        picture = pairs_mosaic(*sets, columns=COLUMNS, levels=levels)
        prior = getattr(probe, "prior", None)
        self.prior_shown = 0 if prior is None else len(prior)
        if prior is not None:  # a VAE: what its decoder makes of codes from the prior, below a wider gap
            below = mosaic(prior, COLUMNS, levels)
            gap = np.tile(GAP, (3, picture.shape[1], 1))
            picture = np.vstack([picture, gap, below[:, : picture.shape[1]]])
        caption = (
            PRIOR_CAPTION if prior is not None else NOISY_CAPTION if noisy is not None else PAIRS_CAPTION
        )
        self.caption.setText(caption, color=FOREGROUND)
        self.image_item.setImage(picture, levels=(0, 255))
        self.box.autoRange(padding=0.02)

    def clear_probe(self) -> None:
        self.shown = 0
        blank = np.zeros((1, 1, 3), dtype=np.uint8) + rgb(BACKGROUND).astype(np.uint8)
        self.image_item.setImage(blank, levels=(0, 255))


class ReconstructionView(QStackedWidget):
    """Points or images, whichever the run's data is."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("reconstructionView")
        self.points = PointsReconstructionPlot()
        self.images = ImageReconstructionView()
        self.addWidget(self.points)
        self.addWidget(self.images)

    def show_probe(self, probe) -> None:
        if probe is None:
            self.points.clear_probe()
            self.images.clear_probe()
            return
        view = self.images if probe.kind == "image" else self.points
        self.setCurrentWidget(view)
        view.show_probe(probe)
