"""Stepped auto-range: live plots keep their axes while data grows a little, and always show it all."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui.views.colors import live_curve
from gui.views.plot_range import FILL, SteppedViewBox, nice_step, stepped_range


def test_nice_steps_are_round_numbers_near_a_fifth_of_the_span():
    assert nice_step(10.0) == 2.0
    assert nice_step(7.0) == 2.0  # 1.4 rounds up to the next of 1, 2, 2.5, 5
    assert nice_step(12.0) == 2.5
    assert nice_step(1000.0) == 200.0
    assert math.isclose(nice_step(0.3), 0.1)


def test_growing_epochs_move_the_range_only_now_and_then():
    shown, changes = None, 0
    for last_epoch in range(10, 5000, 10):
        new = stepped_range(shown, (1.0, float(last_epoch)), headroom=0.5)
        changes += new != shown
        shown = new
        assert shown[0] <= 1.0 and last_epoch <= shown[1]
    assert changes <= 12  # every ~1.5x of growth, not every frame (499 updates here)
    assert shown[0] == 0.0  # rounded to a step: the axis starts at 0, not at epoch 1


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(finite, finite, st.one_of(st.none(), st.tuples(finite, finite)), st.sampled_from([0.0, 0.1, 0.5]))
def test_the_range_holds_the_data_and_does_not_flap(a, b, current, headroom):
    lo, hi = min(a, b), max(a, b)
    if current is not None:
        current = (min(current), max(current))
    shown = stepped_range(current, (lo, hi), headroom)
    assert shown[0] <= lo and hi <= shown[1]
    assert shown[0] < shown[1]
    assert stepped_range(shown, (lo, hi), headroom) == shown  # asked again with the same data: no change
    if hi - lo > 1e-6 * max(abs(lo), abs(hi), 1.0) and shown != current:
        # A fresh range is not mostly empty: at least FILL of it, less the headroom it was given.
        assert (hi - lo) >= FILL / (1 + 2 * headroom) * (shown[1] - shown[0]) * 0.99


def test_view_box_follows_the_data_in_steps(qtbot):
    widget = pg.PlotWidget(viewBox=SteppedViewBox())
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    curve = widget.plot([], [])
    ranges = []
    for n in range(20, 2000, 20):
        x = np.arange(1, n + 1, dtype=float)
        curve.setData(x, 1.0 / np.sqrt(x))
        widget.getViewBox().updateAutoRange()
        ranges.append(tuple(map(tuple, widget.getViewBox().viewRange())))
        (x_lo, x_hi), (y_lo, y_hi) = ranges[-1]
        assert x_lo <= 1 and n <= x_hi  # every point stays in view
        assert y_lo <= 1.0 / math.sqrt(n) and y_hi >= 1.0
    assert len(set(ranges)) <= 12  # 99 updates, a handful of distinct ranges


def test_falling_losses_never_get_a_negative_axis():
    shown = (0.2, 0.8)
    for low in (0.15, 0.1, 0.05, 0.01, 0.001):
        shown = stepped_range(shown, (low, 0.7), headroom=0.5)
        assert shown[0] == 0.0 or 0.0 < shown[0] <= low
    assert stepped_range(None, (-0.3, 0.7))[0] < 0  # data that does go negative still shows


@pytest.mark.parametrize("zoom", [(-300.0, 1200.0), (100.0, 200.0)])
def test_auto_button_fits_all_the_data_afresh_after_a_zoom(qtbot, zoom):
    widget = pg.PlotWidget(viewBox=SteppedViewBox())
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    curve = live_curve(widget.getPlotItem(), "#000000", "train")  # configured as the window's curves
    curve.setData(np.arange(1.0, 1001.0), np.linspace(1.0, 0.0, 1000))
    box = widget.getViewBox()
    box.updateAutoRange()
    fitted = box.viewRange()
    box.setRange(xRange=zoom, padding=0)  # a pan/zoom: following stops
    box.updateAutoRange()
    widget.getPlotItem().autoBtnClicked()  # pyqtgraph's "A" button
    box.updateAutoRange()
    assert box.viewRange() == fitted  # all the data, from epoch 0: not the zoom, not negative epochs


def test_mouse_zoom_still_turns_following_off(qtbot):
    widget = pg.PlotWidget(viewBox=SteppedViewBox())
    qtbot.addWidget(widget)
    curve = widget.plot([1, 2, 3], [1, 2, 3])
    box = widget.getViewBox()
    box.updateAutoRange()
    box.setRange(xRange=(1.5, 2.0), yRange=(1.5, 2.0), padding=0)  # what a zoom does: auto-range off
    curve.setData([1, 2, 3, 40], [1, 2, 3, 40])
    box.updateAutoRange()
    assert box.viewRange()[0] == [1.5, 2.0]
