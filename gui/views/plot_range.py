"""Auto-range that moves in round steps, so a live plot's axes stay put between most frames.

pyqtgraph's auto-range fits the data exactly: as a loss curve grows by one epoch, both axes
change, and every change re-lays-out and re-renders the tick text (measured here: ~22 ms per
axis on the software rasteriser, the largest cost of the whole window while training). A stepped
range keeps its bounds while the data still fills most of it, and otherwise jumps to round
numbers with headroom, so the axes repaint a few times per decade of epochs instead of every frame.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

FILL = 0.4  # keep the current range while the data spans at least this share of it (less headroom)
# A fresh range holds its data at > 1 / (1.8 * (1 + 2 * headroom)): rounding outward adds under two
# steps, each under 0.4 of the span.
NICE_MANTISSAS = (1.0, 2.0, 2.5, 5.0, 10.0)
TICKS_PER_RANGE = 5


def nice_step(span: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least span / TICKS_PER_RANGE."""
    target = max(span, 1e-12) / TICKS_PER_RANGE
    decade = 10.0 ** math.floor(math.log10(target))
    return next(m * decade for m in NICE_MANTISSAS if m * decade >= target * (1 - 1e-9))


def stepped_range(
    current: tuple[float, float] | None, data: tuple[float, float], headroom: float = 0.1
) -> tuple[float, float]:
    """The range to show `data` (lo, hi) in, given the range shown now.

    `current` is kept while it holds the data and the data fills at least FILL of it. Otherwise
    the new range rounds outward to a nice step, with `headroom` × span of room on each side the
    data had outgrown, so steady growth (epochs) triggers a jump only every so often.
    """
    lo, hi = float(data[0]), float(data[1])
    floor = 0.0 if lo >= 0 else -math.inf  # data never negative (epochs, losses): no negative axis
    if hi - lo <= 1e-9 * max(abs(lo), abs(hi), 1.0):  # a single value: a window around it
        half = abs(lo) / 2 if abs(lo) > 1e-6 else 0.5
        lo, hi = max(lo - half, floor), hi + half
    if current is not None:
        c_lo, c_hi = current
        # Headroom on both sides can make a fresh range 1 + 2 * headroom times emptier: a range
        # this function just chose must pass its own test, or it would flap between two ranges.
        if c_lo <= lo and hi <= c_hi and (hi - lo) >= FILL / (1 + 2 * headroom) * (c_hi - c_lo):
            return float(c_lo), float(c_hi)
    span = hi - lo
    if current is not None:
        if hi > current[1]:
            hi += headroom * span
        if lo < current[0]:
            lo = max(lo - headroom * span, floor)
    step = nice_step(hi - lo)
    low, high = math.floor(lo / step) * step, math.ceil(hi / step) * step
    # lo / step can underflow to 0 for denormal values (5e-324): round out by a whole step then.
    if low > lo:
        low -= step
    if high < hi:
        high += step
    return max(low, floor), high


def link_user_x(*plots: pg.PlotItem) -> None:
    """Share what the user does to the x axis (drag, wheel, the "A" button) between `plots`, and
    nothing else: each plot's auto-range follows its own data, in its own event-loop turn.

    pyqtgraph's setXLink also copies every auto-range step, so when a growing epoch axis stepped
    on, both plots and their axes were re-laid-out and repainted in one turn (compare mode's
    longest, 12-16 ms of CPU with 8 runs; 9-12 ms as one plot a turn). Plots of the same epochs
    reach the same range by themselves.
    """
    for plot in plots:
        others = [other for other in plots if other is not plot]
        copier = _XCopier(plot, others)
        plot.user_x_link = copier  # kept alive with its plot: the connections alone may not hold it
        plot.getViewBox().sigRangeChangedManually.connect(copier.copy_range)
        plot.autoBtn.clicked.connect(copier.follow_data)


class _XCopier:
    """One plot's user-made x changes, handed to the others."""

    def __init__(self, source: pg.PlotItem, others: list[pg.PlotItem]) -> None:
        self.source, self.others = source, others

    def copy_range(self, _mask=None) -> None:
        box = self.source.getViewBox()
        if box.state["autoRange"][0] is not False:  # the user moved only y: x still follows the data
            return
        lo, hi = box.viewRange()[0]
        for other in self.others:
            other.setXRange(lo, hi, padding=0.0)  # the other's x auto-range off, as pyqtgraph's link does

    def follow_data(self, _button=None) -> None:
        for other in self.others:
            other.enableAutoRange(axis="x")


class SteppedViewBox(pg.ViewBox):
    """A ViewBox whose auto-range follows the data in steps (see stepped_range).

    Mouse zoom and pan still turn auto-range off as usual, and pyqtgraph's "A" button turns it
    back on. `headroom` is per axis (x, y): epochs grow steadily, so x wants more room than y.
    """

    def __init__(self, headroom: tuple[float, float] = (0.5, 0.1), **kwargs):
        super().__init__(**kwargs)
        self._headroom = headroom
        self._fresh = [True, True]  # per axis: fit from scratch, ignoring the range shown now

    def refit(self) -> None:
        """Fit the data afresh, without headroom, at the next update (e.g. when training stops, so
        the final picture is tight and plots of the same epochs agree)."""
        self._fresh[:] = [True, True]
        self.queueUpdateAutoRange()

    def restart(self, epochs: float = 10.0) -> None:
        """A new run: show epochs 0..`epochs` until its data comes, then fit that afresh (the last
        run's range, 0..1500 say, otherwise stayed on an empty plot and squeezed the first epochs)."""
        self.setRange(xRange=(0.0, epochs), padding=0.0, disableAutoRange=False)
        self.refit()

    def enableAutoRange(self, axis=None, enable=True, x=None, y=None) -> None:  # noqa: N802
        """Auto-range turned (back) on, by the "A" button or a log-scale toggle: the range shown
        then is the user's zoom or another scale, so the next fit starts from scratch."""
        fresh = getattr(self, "_fresh", None)  # None while pg.ViewBox.__init__ runs
        if fresh is not None and x is None and y is None and enable is not False:
            if axis in (None, self.XYAxes, "xy"):
                fresh[:] = [True, True]
            elif axis in (self.XAxis, "x"):
                fresh[0] = True
            elif axis in (self.YAxis, "y"):
                fresh[1] = True
        super().enableAutoRange(axis, enable, x, y)

    def updateAutoRange(self) -> None:  # noqa: N802 - pyqtgraph's name
        # The same guard flags as pyqtgraph's own updateAutoRange: some items resize with the view.
        if self._updatingRange:
            return
        self._updatingRange = True
        try:
            auto = self.state["autoRange"]
            if not any(auto):
                return
            bounds = self._data_bounds()
            shown = self.viewRange()
            changes = {}
            for axis, key in ((0, "xRange"), (1, "yRange")):
                if auto[axis] is False or bounds[axis] is None:
                    continue
                current = None if self._fresh[axis] else tuple(shown[axis])
                self._fresh[axis] = False
                new = stepped_range(current, tuple(bounds[axis]), self._headroom[axis])
                if new != tuple(shown[axis]):
                    changes[key] = new
            if changes:
                self.setRange(**changes, padding=0.0, disableAutoRange=False)
        finally:
            self._autoRangeNeedsUpdate = False
            self._updatingRange = False

    def _data_bounds(self) -> list[tuple[float, float] | None]:
        """(lo, hi) per axis over the visible items' data. Unlike ViewBox.childrenBounds this adds
        no pixel padding for pens, which depends on the range itself and would make it flap."""
        bounds: list[tuple[float, float] | None] = [None, None]
        for item in self.addedItems:
            if not item.isVisible() or not hasattr(item, "dataBounds"):
                continue
            for axis in (0, 1):
                lo, hi = _full_bounds(item, axis)
                if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
                    continue
                old = bounds[axis]
                bounds[axis] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
        return bounds


def _full_bounds(item, axis: int) -> tuple[float | None, float | None]:
    """(lo, hi) of all of an item's data along `axis`, in view coordinates (log10 on a log axis).

    A curve clipped to the view reports only the visible part through dataBounds; after a zoom
    that would make the "A" button fit the zoomed slice, so curves are asked for their data rect.
    """
    rect = item.dataRect() if isinstance(item, pg.PlotDataItem) else None
    if rect is None:
        return item.dataBounds(axis) or (None, None)
    lo, hi = (rect.left(), rect.right()) if axis == 0 else (rect.top(), rect.bottom())
    if item.opts.get("logMode", (False, False))[axis]:
        if not lo > 0:
            return None, None
        lo, hi = math.log10(lo), math.log10(hi)
    return lo, hi
