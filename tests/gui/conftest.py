"""The `window` fixture: the default window, its training session always ended after the test."""

import pytest

from tests.gui.helpers import make_window


@pytest.fixture
def window(qtbot):
    w = make_window(qtbot)
    yield w
    w.shutdown()
    assert not w.training.thread.isRunning()
