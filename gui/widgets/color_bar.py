"""A one-line colour scale for a heat map: its name, the low value, a gradient bar, the high value,
and what the ends mean ("orange −, blue +"). Without it a learner cannot tell what a colour says.

The bar paints the same lookup table the heat map uses (gui/views/colors.py), so the two agree.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_WIDTH = 150  # px of gradient: wide enough to read a ramp, narrow enough to fit beside its text
HEIGHT = 20
TEXT_COLOR = "#3c4043"
EDGE_COLOR = "#9aa0a6"


def number_text(value: float) -> str:
    """A bound as a learner reads it: "+0.82", "−0.82" (a true minus sign), "0", "1"."""
    if value == 0:
        return "0"
    text = f"{abs(value):.2g}"
    return ("−" if value < 0 else "+") + text


def scale_labels(levels: tuple[float, float]) -> tuple[str, str, str]:
    """Low, middle and high labels of a bar over `levels`; the middle is "0" on a range centred
    at 0, else the midpoint. A 0..1 range (a gate) is written without signs."""
    lo, hi = levels
    if lo >= 0:
        return (f"{lo:.2g}", f"{(lo + hi) / 2:.2g}", f"{hi:.2g}")
    return (number_text(lo), number_text((lo + hi) / 2), number_text(hi))


class ColorBar(QWidget):
    """`title  low [gradient] high  meaning`, in one line; set_scale() changes it."""

    def __init__(self, lut: np.ndarray, title: str = "", meaning: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("colorBar")
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.lut = np.asarray(lut, dtype=np.uint8)
        self.title, self.meaning = title, meaning
        self.levels: tuple[float, float] | None = None  # None: nothing drawn yet, the bar is blank
        self.setAccessibleName("Colour scale")

    def set_scale(self, levels: tuple[float, float] | None, lut=None, title=None, meaning=None) -> None:
        """Show `levels` (low, high) on `lut`; None hides the numbers (no heat map drawn)."""
        if lut is not None:
            self.lut = np.asarray(lut, dtype=np.uint8)
        if title is not None:
            self.title = title
        if meaning is not None:
            self.meaning = meaning
        self.levels = None if levels is None else (float(levels[0]), float(levels[1]))
        self.setToolTip(self.text())
        self.update()

    def labels(self) -> tuple[str, str, str]:
        return scale_labels(self.levels) if self.levels is not None else ("", "", "")

    def text(self) -> str:
        """What the bar says, as plain text (its tooltip, and what tests read)."""
        if self.levels is None:
            return ""
        lo, mid, hi = self.labels()
        meaning = f"  ({self.meaning})" if self.meaning else ""
        return f"{self.title}: {lo} … {mid} … {hi}{meaning}".lstrip(": ")

    def paintEvent(self, _event) -> None:
        if self.levels is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        metrics = QFontMetrics(self.font())
        lo, mid, hi = self.labels()
        ink = QPen(QColor(TEXT_COLOR))
        painter.setPen(ink)
        x, h = 4.0, float(self.height())
        middle = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        for text in (f"{self.title}" if self.title else "", lo):
            if text:
                width = metrics.horizontalAdvance(text)
                painter.drawText(QRectF(x, 0, width + 2, h), middle, text)
                x += width + 8
        bar = QRectF(x, 3, BAR_WIDTH, h - 6)
        gradient = QLinearGradient(bar.left(), 0, bar.right(), 0)
        for k in np.linspace(0, len(self.lut) - 1, 17).round().astype(int):
            gradient.setColorAt(k / (len(self.lut) - 1), QColor(*(int(c) for c in self.lut[k])))
        painter.fillRect(bar, gradient)
        painter.setPen(QPen(QColor(EDGE_COLOR)))
        painter.drawRect(bar)
        painter.drawLine(int(bar.center().x()), int(bar.top()), int(bar.center().x()), int(bar.bottom()))
        painter.setPen(ink)
        # The middle label sits on the bar's middle, the lightest part of a diverging map.
        label = QRectF(bar.center().x() + 3, 0, metrics.horizontalAdvance(mid) + 2, h)
        painter.drawText(label, middle, mid)
        x = bar.right() + 8
        for text in (hi, self.meaning):
            if text:
                width = metrics.horizontalAdvance(text)
                if x + width > self.width() and text is self.meaning:
                    break  # a narrow window: the meaning stays in the tooltip, not cut in half
                painter.drawText(QRectF(x, 0, width + 2, h), middle, text)
                x += width + 10
        painter.end()

    def minimumSizeHint(self):
        size = super().minimumSizeHint()
        size.setHeight(HEIGHT)
        return size


def scale_html(levels: tuple[float, float], lut: np.ndarray, steps: int = 9) -> str:
    """The same scale as rich text, for a caption: "−2.1 ▮▮▮▮▮▮▮▮▮ +2.1" in the table's colours."""
    lut = np.asarray(lut, dtype=np.uint8)
    rows = np.linspace(0, len(lut) - 1, steps).round().astype(int)
    cells = "".join(
        '<span style="background-color:#{0:02x}{1:02x}{2:02x}; color:#{0:02x}{1:02x}{2:02x};">'
        "&nbsp;</span>".format(*(int(c) for c in lut[k]))
        for k in rows
    )
    lo, _, hi = scale_labels(levels)
    return f"{lo}&nbsp;{cells}&nbsp;{hi}"
