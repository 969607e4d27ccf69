"""Layerlab's window: PySide6 + pyqtgraph views onto the engine. `from gui import MainWindow`."""


def __getattr__(name: str):
    # Imported lazily so that `import gui.views` in a test does not build the whole window module.
    if name == "MainWindow":
        from gui.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)
