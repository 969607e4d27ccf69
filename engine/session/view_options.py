"""What the window's views ask the session to measure: the session's `view_options` command (the
test sample the data views show, whether the histograms are on screen) and the layer histograms.

A mixin of engine.session.session.Session, which owns view_options, _data_sent,
_histograms_sent and _histograms_cost.
"""

from __future__ import annotations

import time

from engine.session.errors import describe


class ViewOptions:
    """Session command `view_options` and the layer histograms a frame carries."""

    def _histograms(self, slot, now: float):
        """The run's layer histograms when the window shows them, at most every HISTOGRAM_PERIOD
        while training and once per epoch."""
        from engine.inspect.histograms import HISTOGRAM_PERIOD, HISTOGRAM_SHARE, layer_histograms

        sent, shown = self._histograms_sent
        if not self.view_options.get("histograms") or self.comparing is not None:
            return None
        at = (self.generation, slot.trainer.epoch)
        period = max(HISTOGRAM_PERIOD, self._histograms_cost / HISTOGRAM_SHARE)
        if at == shown or (self.running and now - sent < period):
            return None
        self._histograms_sent = (now, at)
        try:
            histograms = layer_histograms(slot.trainer)
        except Exception as exc:  # noqa: BLE001 - a view failing must not stop training
            self._send("failed", ("", f"could not measure the layer histograms: {describe(exc)}"))
            return None
        self._histograms_cost = time.perf_counter() - now
        return histograms

    def set_view_options(self, options: dict) -> None:
        """The window picked what its data views show (e.g. which test sample): answered at once."""
        self.view_options = {**self.view_options, **dict(options)}
        self._data_sent, self._histograms_sent = 0.0, (0.0, None)
        self.emit_frame()
