"""The histograms over time (gui/views/histograms.py): measured only while shown, one column of the
heat map per epoch, read back from the quantiles correctly, every layer's health in words."""

from __future__ import annotations

import numpy as np

from engine.inspect.histograms import QUANTILES
from gui.views.histograms import BINS, cumulative, heat_map


def test_a_spread_read_back_from_its_quantiles():
    uniform = np.linspace(-1.0, 1.0, len(QUANTILES))  # the quantiles of a uniform spread on [-1, 1]
    edges = np.linspace(-1.0, 1.0, 5)
    np.testing.assert_allclose(cumulative(uniform, edges), [0.0, 0.25, 0.5, 0.75, 1.0])
    # Two epochs: the second spread twice as wide; one value axis for both, [-2, 2].
    picture, lo, hi = heat_map(np.stack([uniform, 2.0 * uniform]))
    assert (lo, hi) == (-2.0, 2.0) and picture.shape == (BINS, 2)
    inside = slice(BINS // 4, 3 * BINS // 4)  # where the first epoch's values lie
    assert picture[: BINS // 4 - 1, 0].max() == 0.0 and picture[inside, 0].min() > 0.0
    assert picture[:, 1].min() > 0.0  # the wider spread covers the whole axis...
    assert picture[inside, 1].mean() < picture[inside, 0].mean()  # ...thinner
    constant = np.zeros(len(QUANTILES))  # a layer at zero: all of it in one bin
    assert np.count_nonzero(heat_map(np.stack([constant]))[0]) == 1


def test_histograms_come_while_shown_and_fill_the_heat_map(qtbot, window, tracebacks):
    assert window.histogramView.history == []
    window.stepButton.click()
    qtbot.wait(500)
    assert window.histogramView.history == []  # not shown: the session measures nothing
    window.layerTabs.setCurrentWidget(window.histogramView)
    qtbot.waitUntil(lambda: len(window.histogramView.history) >= 1, timeout=15000)
    for _ in range(2):
        window.stepButton.click()
    qtbot.waitUntil(lambda: window.histogramView.history[-1].epoch >= 3, timeout=15000)
    view = window.histogramView
    layers = [view.layerCombo.itemText(i) for i in range(view.layerCombo.count())]
    assert layers == ["1 dense 8 tanh", "2 dense 8 tanh", "output"]  # the default spiral network
    assert view.image.image is not None and view.image.image.shape[0] == BINS
    assert np.nanmax(view.image.image) > 0
    assert "1 dense 8 tanh" in view.health.text() and "saturated" in view.health.text()
    view.kindCombo.setCurrentIndex(view.kindCombo.findData("gradients"))
    view.layerCombo.setCurrentIndex(2)
    assert "output" in view.plot.titleLabel.text and "Gradients" in view.plot.titleLabel.text
    assert not tracebacks
