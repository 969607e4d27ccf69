"""The QApplication and the process-wide settings the window and the screenshot command share."""

from __future__ import annotations

import gc
import os
import sys


def make_app():
    """The QApplication, created once, with pyqtgraph told to use PySide6."""
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from gui.splash import app_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Layerlab")
    app.setOrganizationName("Layerlab")
    app.setWindowIcon(app_icon())
    try:  # the window's NumPy (it draws small networks' maps) must not spread over training's core
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    return app


def warm_up() -> None:
    """Import torch's optimizers now (~2 s the first time) so the first Play does not stall."""
    import torch.optim  # noqa: F401


def calm_garbage_collector() -> None:
    """Keep Python's full garbage collections out of the frame loop.

    A full collection walks every tracked object; with torch, numpy and pyqtgraph loaded it took
    150 ms here, a visible hitch every so often while training. What exists once the window is
    built lives as long as the window, so it is frozen: later collections walk only newer objects.
    """
    gc.collect()
    gc.freeze()
