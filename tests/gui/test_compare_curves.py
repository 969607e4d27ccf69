"""Compare mode's curves: bounded points per curve that keep the latest epoch and the extremes, and two
plots whose epoch axes follow the data each on its own while sharing what the user does to them."""

from __future__ import annotations

import numpy as np
import pytest

from engine.metrics import MetricsLog, family_columns
from gui.compare.curve_points import CurvePoints
from gui.compare.curves import CompareCurvesPlot
from gui.compare.family_terms import terms_for
from gui.compare.view import RUN_COLORS


class Snap:
    """What MetricsLog.append reads of a Snapshot."""

    def __init__(self, epoch: int, metrics: dict) -> None:
        self.epoch, self.step, self.lr, self.elapsed, self.metrics = epoch, epoch, 0.1, 0.0, metrics


def test_a_long_curve_is_drawn_as_few_points_with_its_extremes_and_its_latest():
    rng = np.random.default_rng(0)
    x = np.arange(1.0, 130_001.0)
    y = rng.random(len(x))
    y[rng.random(len(x)) < 0.01] = np.nan  # epochs without a value are left out
    points = CurvePoints(max_points=1000)
    for n in [*range(1, 3000, 37), *range(3000, len(x), 4999), len(x)]:
        px, py = points.points(x[:n], y[:n])
        seen = np.isfinite(y[:n])
        assert len(px) <= 1000 + points.stride + 1
        assert np.isfinite(py).all() and np.all(np.diff(px) >= 0)
        if seen.any():
            assert px[-1] == x[:n][seen][-1]  # the latest epoch with a value, always
            assert py.min() == np.nanmin(y[:n]) and py.max() == np.nanmax(y[:n])
    assert points.stride > 1  # binned by then


def test_a_short_curve_is_drawn_whole():
    x, y = np.arange(1.0, 501.0), np.linspace(1.0, 0.0, 500)
    px, py = CurvePoints().points(x, y)
    assert np.array_equal(px, x) and np.array_equal(py, y)


def test_a_log_that_thinned_itself_is_binned_afresh():
    x, y = np.arange(1.0, 20_001.0), np.sin(np.arange(20_000.0) / 500.0)
    points = CurvePoints()
    points.points(x, y)
    thinned_x, thinned_y = x[1::2], -y[1::2]  # every other row kept, and other values
    px, py = points.points(thinned_x, thinned_y)
    assert px[-1] == thinned_x[-1] and py.min() == thinned_y.min() and py.max() == thinned_y.max()
    assert set(px) <= set(thinned_x)


def _plot(qtbot, runs: int = 3) -> tuple[CompareCurvesPlot, dict[str, MetricsLog]]:
    plot = CompareCurvesPlot()
    qtbot.addWidget(plot)
    plot.resize(440, 560)
    plot.show()
    ids = [(f"run{n}", f"learning rate {n}", RUN_COLORS[n]) for n in range(runs)]
    plot.set_runs(ids, terms_for("mlp", True, True))
    return plot, {run_id: MetricsLog(family_columns("mlp")) for run_id, _, _ in ids}


def _train(logs: dict[str, MetricsLog], epochs: range) -> None:
    for epoch in epochs:
        for n, log in enumerate(logs.values()):
            loss = 1.0 / (1.0 + epoch * (n + 1) / 300.0)
            metrics = {"train_loss": loss, "test_loss": 1.1 * loss, "train_accuracy": 1 - loss / 2}
            log.append(Snap(epoch, {**metrics, "test_accuracy": 1 - loss / 1.8}))


def _draw(plot: CompareCurvesPlot, logs) -> None:
    """One repaint as the pacer makes it: each plot's part, then that plot's auto-range."""
    for step, widget in zip(plot.update_steps(logs), (plot.loss_plot, plot.accuracy_plot), strict=True):
        step()
        widget.getPlotItem().getViewBox().updateAutoRange()


def _x_ranges(plot: CompareCurvesPlot) -> list[tuple[float, float]]:
    return [tuple(w.getPlotItem().getViewBox().viewRange()[0]) for w in (plot.loss_plot, plot.accuracy_plot)]


def test_every_runs_curves_reach_its_latest_epoch_and_the_axes_cover_it(qtbot):
    plot, logs = _plot(qtbot)
    latest = 0
    for stop in (40, 400, 1500, 4000):  # past MAX_POINTS: the curves are binned
        _train(logs, range(latest + 1, stop + 1))
        latest = stop
        _draw(plot, logs)
        for run_id in logs:
            for curve in plot._curves[run_id].values():
                assert curve.xData[-1] == latest and len(curve.xData) <= 1500
        for lo, hi in _x_ranges(plot):
            assert lo <= 1 and hi >= latest  # while training: the latest epoch always in view
    assert _x_ranges(plot)[0] == _x_ranges(plot)[1]  # the same epochs, the same axis


def test_a_pause_fits_both_plots_to_the_epochs(qtbot):
    plot, logs = _plot(qtbot)
    _train(logs, range(1, 901))
    _draw(plot, logs)
    _train(logs, range(901, 1201))  # the range grew with headroom on the way
    _draw(plot, logs)
    plot.refit()
    _draw(plot, logs)
    for lo, hi in _x_ranges(plot):
        # tight: from epoch 0 to the next round number past the last epoch, no headroom
        assert lo == 0.0 and 1200 <= hi <= 1500
    assert _x_ranges(plot)[0] == _x_ranges(plot)[1]


@pytest.mark.parametrize("source", ["loss_plot", "accuracy_plot"])
def test_a_zoom_on_either_plot_zooms_the_other_and_auto_fits_both_again(qtbot, source):
    plot, logs = _plot(qtbot)
    _train(logs, range(1, 601))
    _draw(plot, logs)
    fitted = _x_ranges(plot)
    item = getattr(plot, source).getPlotItem()
    box = item.getViewBox()
    box.setRange(xRange=(100.0, 200.0), padding=0.0)  # what a mouse zoom does, then says so
    box.sigRangeChangedManually.emit(box.state["mouseEnabled"])
    assert _x_ranges(plot) == [(100.0, 200.0)] * 2
    _train(logs, range(601, 1201))
    _draw(plot, logs)
    assert _x_ranges(plot) == [(100.0, 200.0)] * 2  # zoomed: neither follows the new epochs
    item.autoBtn.clicked.emit(item.autoBtn)  # pyqtgraph's "A" button on that plot
    _draw(plot, logs)
    ranges = _x_ranges(plot)
    assert ranges[0] == ranges[1] and ranges[0] != fitted[0] and ranges[0][1] >= 1200
