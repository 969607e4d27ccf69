"""The session process can start before the window is built, and the window then takes it over."""

from gui import worker
from tests.gui.helpers import make_window


def test_window_takes_over_the_session_started_early(qtbot):
    worker.start_session_early()
    early = worker._early_session.process
    window = make_window(qtbot)  # waits until the run is built and its first frame drawn
    try:
        assert window.training.process is early
        assert worker._early_session is None  # taken: a second window starts its own
    finally:
        window.shutdown()
    assert not early.is_alive()


def test_a_dead_early_session_is_replaced(qtbot):
    worker.start_session_early()
    dead = worker._early_session.process
    dead.kill()
    dead.join(5)
    window = make_window(qtbot)
    try:
        assert window.training.process is not dead and window.training.process.is_alive()
    finally:
        window.shutdown()
