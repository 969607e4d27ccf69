"""The strip under a 1-D fit: each hidden unit's w·a(x), whose sum with the output bias is the fit."""

import numpy as np

from tests.gui.helpers import open_example, train_until


def test_sine_shows_each_units_contribution_summing_to_the_fit(qtbot, window):
    view = window.outputPanel.unitContributionView
    assert not view.isVisible()  # the default example is 2-D data: no strip
    open_example(qtbot, window, "sine")
    assert view.isVisible()
    train_until(qtbot, window, 3)
    window.pause()
    qtbot.waitUntil(lambda: not window.last_frame.running, timeout=10000)
    qtbot.waitUntil(
        lambda: window._checkpoint is not None and window._checkpoint.epoch == window.epoch, timeout=10000
    )
    qtbot.waitUntil(lambda: view.contributions is not None, timeout=10000)
    probe = window.boundaryView._probe
    bias = float(window._checkpoint.state["head.linear.bias"][0])
    assert view.contributions.shape == (32, len(probe.output))  # the example's 32 tanh units
    np.testing.assert_allclose(view.contributions.sum(axis=0) + bias, probe.output, atol=1e-5, rtol=0)
    assert abs(view.bias - bias) < 1e-5
    assert len(view._curves) == 32 and len(view._curves[0].xData) == len(probe.output)
    spread = np.ptp(view.contributions, axis=1)
    assert spread.max() > 0.05  # real bumps, not flat lines
    open_example(qtbot, window, "xor")  # 2-D data again: no strip
    assert not view.isVisible()
