"""Compare mode's small pictures of the runs of a GAN or an autoencoder, one per run, beside the
mlp's decision maps (gui/compare/maps.py): each draws what its run's frames carry already.

A GAN's: D's map under the real and generated points (GAN Lab's colours, gui/views/gan_views.py),
without the manifold and the gradient arrows, which at this size are clutter. An autoencoder's
or a VAE's: on 2-D points, each point and its reconstruction with the decoder's curve; on images,
its latent code scatter, coloured by label, as the code view draws it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from engine.families.autoencoder.view import AutoencoderProbe
from engine.families.gan.view import GanProbe
from gui.views.autoencoder_code import LatentPlot, class_key
from gui.views.autoencoder_views import NOISY_COLOR, SWEEP_COLOR, PointsReconstructionPlot
from gui.views.boundary import MapImage
from gui.views.colors import BACKGROUND, FOREGROUND
from gui.views.gan_views import FAKE_COLOR, MAP_FAKE, MAP_REAL, REAL_COLOR, map_words

SMALL_POINT = 3
MIN_SIDE = 90


class RunGanView(pg.PlotWidget):
    """One GAN run's plane: D's verdict as a map, the real points and G's samples on it."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.layout.setContentsMargins(0, 0, 0, 0)
        self.setAspectLocked(True)
        self.setMouseEnabled(x=False, y=False)
        self.map_image = MapImage(axisOrder="row-major")
        self.map_image.setZValue(-10)
        self.real = pg.ScatterPlotItem(size=SMALL_POINT, pen=None, brush=pg.mkBrush(REAL_COLOR))
        self.fake = pg.ScatterPlotItem(size=SMALL_POINT, pen=None, brush=pg.mkBrush(FAKE_COLOR))
        for item in (self.map_image, self.real, self.fake):
            plot.addItem(item)
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self._probe: GanProbe | None = None
        self._extent = None

    def set_dataset(self, dataset) -> None:
        """Nothing to set up: the probe carries the real points (the mlp's maps take the dataset)."""

    def set_probe(self, probe, head=None) -> None:
        if not isinstance(probe, GanProbe):
            return
        self._probe = probe
        if probe.d_map is not None:
            self.map_image.setImage(map_words(probe.d_map), levels=(0, 1), autoLevels=False)
        if probe.extent != self._extent:  # fixed for a run: set the map's place and the range once
            x0, x1, y0, y1 = probe.extent
            self.map_image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
            self._extent = probe.extent
        for item, points in ((self.real, probe.real), (self.fake, probe.fake)):
            shown = _finite(points)
            item.setData(shown[:, 0], shown[:, 1])


class RunCodeView(LatentPlot):
    """One autoencoder run's code: where its encoder puts each shown input, coloured by label."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("")  # the window's own code view is "latentPlot"
        plot = self.getPlotItem()
        plot.hideButtons()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.layout.setContentsMargins(0, 0, 0, 0)
        for item in (*self.class_items, self.value_item):
            item.setSize(SMALL_POINT + 1)
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self._probe: AutoencoderProbe | None = None

    def set_dataset(self, dataset) -> None:
        """Nothing to set up: the probe carries the codes and their labels."""

    def set_probe(self, probe, head=None) -> None:
        if isinstance(probe, AutoencoderProbe):
            self._probe = probe
            self.show_probe(probe)


class RunPointsView(PointsReconstructionPlot):
    """One autoencoder run on 2-D points: each point joined to its reconstruction, and the curve
    the decoder makes of its code, as the window's reconstruction view draws them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("")  # the window's own view is "reconstructionPlot"
        plot = self.getPlotItem()
        plot.hideButtons()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.layout.setContentsMargins(0, 0, 0, 0)
        # Said once, under the pictures (points_key). Out of the layout, not only hidden: a hidden
        # legend still asked for its width, and pushed the plane's right side out of the cell.
        plot.layout.removeItem(plot.legend)
        plot.legend.hide()
        self.input_item.setSize(SMALL_POINT + 2)
        self.recon_item.setSize(SMALL_POINT)
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.enableAutoRange(enable=False)  # a reconstruction flung far out must not shrink the data
        self._probe: AutoencoderProbe | None = None
        self._extent = None

    def set_dataset(self, dataset) -> None:
        """Nothing to set up: the probe carries the points."""

    def set_probe(self, probe, head=None) -> None:
        if isinstance(probe, AutoencoderProbe):
            self._probe = probe
            self.show_probe(probe)
            self.getPlotItem().layout.setRowFixedHeight(0, 0)  # the hidden legend's strip
            if self._extent is None:  # the inputs are fixed for a run: frame them once, whole
                points = _finite(probe.inputs)
                if len(points):
                    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
                    self._extent = (x0, x1, y0, y1)
                    self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.08)


def points_key() -> str:
    return (
        f"<span style='color:{FOREGROUND};'>Each run's points: rings the inputs (colour: position "
        f"along the data), dots their reconstructions, <span style='color:{SWEEP_COLOR};'>red</span> "
        f"the decoder's image of the code, <span style='color:{NOISY_COLOR};'>×</span> a denoising "
        "run's noisy copies</span>"
    )


def gan_key() -> str:
    dot = '<span style="color:{};">&#9679;</span>'
    swatch = '<span style="background-color:{0}; color:{0};">&nbsp;&nbsp;</span>'
    return (
        f"{dot.format(REAL_COLOR)} real &nbsp; {dot.format(FAKE_COLOR)} generated &nbsp; "
        f"map: {swatch.format(MAP_REAL)} D says real, {swatch.format(MAP_FAKE)} D says fake"
    )


def code_key(probe: AutoencoderProbe) -> str:
    """What the scatters show and what their colours mean (the first probe's labels say)."""
    classes = class_key(probe.labels)
    colour = f"colour: {classes}" if classes is not None else "colour: the point's position along the data"
    # The runs may differ in their code's size: say how each size is drawn.
    what = "a 1-unit code across, the label up; a wider one's first two units"
    return f"<span style='color:{FOREGROUND};'>Each run's codes ({what}); {colour}</span>"


def _finite(points) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return points[np.isfinite(points).all(axis=1)]
