"""A log axis whose labels never overlap: decades first, then 2 and 5, then the rest, as room allows.

pyqtgraph labels every minor tick of a log axis (0.2, 0.3, … 0.9) whenever fewer than three
decades show, and on a short plot those labels were drawn on top of each other. Here each label
needs LABEL_GAP pixels to itself; ticks that get no label are still drawn, unlabelled.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

LABEL_GAP = 18.0  # px between label centres on a vertical axis (one line of tick text and a gap)
MAX_MINOR_DECADES = 6  # beyond this many decades the 2..9 ticks are noise: decades only


def _priority(value: float) -> int:
    """0 for a power of ten, 1 for 2 and 5 times one, 2 for the other multiples."""
    mantissa = round(10 ** (value - math.floor(value + 1e-9)))
    return 0 if mantissa in (1, 10) else 1 if mantissa in (2, 5) else 2


def log_ticks(lo: float, hi: float, pixels: float, gap: float = LABEL_GAP) -> tuple[list, list]:
    """(labelled, unlabelled) tick positions in log10 units for a view of log10 range lo..hi that
    is `pixels` long: labels at least `gap` pixels apart, powers of ten first."""
    lo, hi = sorted((lo, hi))
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo <= 0 or pixels <= 0:
        return [], []
    first, last = math.floor(lo), math.ceil(hi)
    decades = [float(d) for d in range(first, last + 1) if lo <= d <= hi]
    minor: list[float] = []
    if last - first <= MAX_MINOR_DECADES:
        minor = [d + math.log10(m) for d in range(first, last) for m in range(2, 10)]
        minor = [v for v in minor if lo <= v <= hi]
    per_unit = pixels / (hi - lo)
    # A label centred within half a gap of either end is cut off (pyqtgraph hides it): on a short
    # plot spanning many decades those ends were the only labels left, so labels go inside first.
    inside = [d for d in decades if min(d - lo, hi - d) * per_unit >= gap / 2] or decades
    # Decades thinned to every 1st, 2nd, 5th, 10th… so that their labels keep their distance.
    stride = 1
    while len(inside) > 1 and stride * per_unit < gap:
        stride = stride * 5 // 2 if str(stride)[0] == "2" else stride * 2
    labelled = [d for d in inside if int(d) % stride == 0] or inside[len(inside) // 2 : len(inside) // 2 + 1]
    unlabelled = [d for d in decades if d not in labelled]
    if stride == 1:  # room to spare: label 2s and 5s, then the rest, wherever they fit
        for value in sorted(minor, key=_priority):
            if all(abs(value - other) * per_unit >= gap for other in labelled):
                labelled.append(value)
    chosen = set(labelled)
    unlabelled += [v for v in minor if v not in chosen]
    return sorted(labelled), sorted(unlabelled)


def log_label(value: float) -> str:
    """10**value as plain text: 100, 0.5, 0.001, 2e-05."""
    number = 10.0**value
    return (
        f"{number:.0e}".replace("e-0", "e-").replace("e+0", "e")
        if not 1e-3 <= number < 1e4
        else f"{number:g}"
    )


class LogAxis(pg.AxisItem):
    """An AxisItem that, on a log scale, labels only ticks with room to spare (see log_ticks)."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 - pyqtgraph's names
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        labelled, unlabelled = log_ticks(minVal, maxVal, size)
        # A spacing of None marks the unlabelled level for tickStrings.
        return [(1.0, labelled), (None, unlabelled)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        if spacing is None:
            return [""] * len(values)
        return [log_label(float(v)) for v in np.asarray(values)]
