"""The points compare mode draws of a growing curve: at most ~MAX_POINTS, updated from new epochs only.

Eight runs' curves are 16 series per plot. Handed to pyqtgraph whole, with its clip-to-view and
auto-downsampling, every repaint re-read all of them, and every step of the x range redid them
again: at 100,000 epochs the two plots' repaint took ~57 ms of CPU, ~30 ms this way (8 runs).
Here each series is cut into bins of `stride` epochs kept as their lowest and highest point, in
their order (spikes and the best loss stay drawn); only the bins after the last repaint are new
work, and the latest point is always drawn as it is.
"""

from __future__ import annotations

import math

import numpy as np

MAX_POINTS = 1000  # per curve: two a pixel of a wide plot; more cost paint time and show nothing more


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(y)
    return x[keep], y[keep]


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(u == v or (math.isnan(u) and math.isnan(v)) for u, v in zip(a, b, strict=True))


class CurvePoints:
    """One series' points to draw, fed the series whole each time (x increasing, y maybe NaN)."""

    def __init__(self, max_points: int = MAX_POINTS) -> None:
        self.max_bins = max(max_points // 2, 2)
        self.reset()

    def reset(self) -> None:
        self.stride = 0  # epochs (rows) per bin; 0 while the series is short enough to draw whole
        self._bins_x = np.empty((0, 2))  # each bin's low and high point, in their order
        self._bins_y = np.empty((0, 2))
        self._used = 0  # rows already in bins
        self._last = (math.nan, math.nan)  # the last binned row: a log thinned or cut back differs

    def points(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What to draw of (x, y): all of its finite points while few, else its bins and its tail."""
        n = len(x)
        if self._used and (n < self._used or not _same((x[self._used - 1], y[self._used - 1]), self._last)):
            self.reset()  # not the series binned so far (the log thinned itself, or was cut back)
        if n <= 2 * self.max_bins and not self.stride:
            return _finite(x, y)
        if not self.stride or n // self.stride > self.max_bins:
            # (Re)bin with room to double: amortised, each row is binned about twice.
            self.reset()
            self.stride = -(-n // (self.max_bins // 2))
        self._add_bins(x, y, n // self.stride * self.stride)
        tail_x, tail_y = _finite(x[self._used :], y[self._used :])
        keep = np.isfinite(self._bins_y[:, 0])
        out_x = np.concatenate([self._bins_x[keep].ravel(), tail_x])
        out_y = np.concatenate([self._bins_y[keep].ravel(), tail_y])
        if np.isfinite(y[-1]) and (not len(out_x) or out_x[-1] != x[-1]):
            out_x, out_y = np.append(out_x, x[-1]), np.append(out_y, y[-1])  # the latest, always
        return out_x, out_y

    def _add_bins(self, x: np.ndarray, y: np.ndarray, full: int) -> None:
        if full <= self._used:
            return
        xs = x[self._used : full].reshape(-1, self.stride)
        ys = y[self._used : full].reshape(-1, self.stride)
        finite = np.isfinite(ys)
        low = np.where(finite, ys, np.inf).argmin(axis=1)
        high = np.where(finite, ys, -np.inf).argmax(axis=1)
        picks = np.stack([np.minimum(low, high), np.maximum(low, high)], axis=1)
        rows = np.arange(len(ys))[:, None]
        bin_y = ys[rows, picks]
        bin_y[~finite.any(axis=1)] = np.nan  # a bin without a value is left out when drawn
        self._bins_x = np.concatenate([self._bins_x, xs[rows, picks]])
        self._bins_y = np.concatenate([self._bins_y, bin_y])
        self._used = full
        self._last = (x[full - 1], y[full - 1])
