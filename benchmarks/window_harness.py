"""What the window benchmarks share: open a window on a project, and let its event loop run."""

from __future__ import annotations


def run_for(ms: int) -> None:
    """Turn the Qt event loop for `ms` milliseconds (frames, paints and timers all happen)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def open_window(project):
    """A 1440x900 MainWindow on `project`, shown, with its first frame drawn."""
    from gui.main_window import MainWindow
    from gui.qt_app import calm_garbage_collector, make_app

    make_app()
    window = MainWindow()
    window.model.replace(project, None)
    window.resize(1440, 900)
    window.show()
    while window.run_info is None or window.last_frame is None:
        run_for(50)
    calm_garbage_collector()  # as gui.app.main does once the window is up
    return window
