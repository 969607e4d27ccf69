"""Start the window: `python main.py [PROJECT.json]`, or `python main.py screenshot ...`."""

from __future__ import annotations

import os
import sys


def make_app():
    """The QApplication, created once, with pyqtgraph told to use PySide6."""
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Layerlab")
    app.setOrganizationName("Layerlab")
    return app


def warm_up() -> None:
    """Import torch's optimizers now (~2 s the first time) so the first Play does not stall."""
    import torch.optim  # noqa: F401


def main(argv: list[str]) -> int:
    if argv and argv[0] == "screenshot":
        from gui.screenshot import main as screenshot_main

        return screenshot_main(argv[1:])
    app = make_app()
    warm_up()
    from gui.main_window import MainWindow

    window = MainWindow(argv[0] if argv else None, offer_recovery=True)
    window.show()
    return app.exec()
