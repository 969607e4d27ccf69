"""Starting up: the icon and loading card, and the session process started before the window."""

from gui import session_client
from gui.qt_app import make_app
from gui.splash import ICON_PATH, show_splash
from tests.gui.helpers import make_window


def test_window_takes_over_the_session_started_early(qtbot):
    session_client.start_session_early()
    early = session_client._early_session.process
    window = make_window(qtbot)  # waits until the run is built and its first frame drawn
    try:
        assert window.training.process is early
        assert session_client._early_session is None  # taken: a second window starts its own
    finally:
        window.shutdown()
    assert not early.is_alive()


def test_a_dead_early_session_is_replaced(qtbot):
    session_client.start_session_early()
    dead = session_client._early_session.process
    dead.kill()
    dead.join(5)
    window = make_window(qtbot)
    try:
        assert window.training.process is not dead and window.training.process.is_alive()
    finally:
        window.shutdown()


def test_loading_card_and_icon(qtbot):
    app = make_app()
    assert ICON_PATH.is_file()
    icon = app.windowIcon().pixmap(64, 64).toImage()
    drawn = {icon.pixelColor(x, y).name() for x in range(64) for y in range(64)}
    assert {"#f59322", "#0877bd"} <= drawn  # the SVG rendered: the playground's orange and blue
    splash = show_splash(app)
    qtbot.addWidget(splash)
    assert splash.isVisible()
    image = splash.grab().toImage()
    colours = {
        image.pixelColor(x, y).name() for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
    }
    assert len(colours) > 20  # icon and text were painted, not a blank card
