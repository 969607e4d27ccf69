"""The data views' pictures: a captioned image in a view box that keeps showing one rectangle."""

from __future__ import annotations

import pyqtgraph as pg

from gui.views.colors import BACKGROUND, FOREGROUND


def captioned_image(view: pg.GraphicsLayoutWidget, name: str, accessible: str) -> None:
    """Give `view` its object name, a caption line, and under it a fixed view box (y down, square
    pixels) holding one image: view.caption, view.box, view.image_item."""
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setBackground(BACKGROUND)
    view.caption = pg.LabelItem("", color=FOREGROUND, size="9pt")
    view.ci.addItem(view.caption)
    view.ci.nextRow()
    view.box = view.ci.addViewBox(lockAspect=True, enableMouse=False, invertY=True)
    view.box.setMenuEnabled(False)
    view.image_item = pg.ImageItem(axisOrder="row-major")
    view.box.addItem(view.image_item)


def keep_fitted(box: pg.ViewBox, x: tuple[float, float], y: tuple[float, float], padding: float) -> None:
    """Show x by y in `box`, now and after every resize: a range set while the box was hidden
    (a tab not shown, zero size) was otherwise lost, and the picture drawn off its box."""
    box.fitted = (x, y, padding)
    box.setRange(xRange=x, yRange=y, padding=padding)
    if not getattr(box, "fits_on_resize", False):
        box.sigResized.connect(
            lambda b: b.setRange(xRange=b.fitted[0], yRange=b.fitted[1], padding=b.fitted[2])
        )
        box.fits_on_resize = True
