"""The `window` fixture: the default window, its training session always ended after the test."""

import sys

import pytest

from tests.gui.helpers import make_window


@pytest.fixture
def window(qtbot):
    w = make_window(qtbot)
    yield w
    w.shutdown()
    assert not w.training.thread.isRunning()


@pytest.fixture
def tracebacks(monkeypatch):
    """Exceptions raised in Qt slots (PySide hands them to sys.excepthook), collected."""
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: seen.append(value))
    return seen
