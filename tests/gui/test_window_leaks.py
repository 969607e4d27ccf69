"""A closed window leaves nothing behind: no menus, no window object, no thread or process."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QMenu

from gui.main_window import MainWindow
from gui.threads import running_threads
from tests.gui.helpers import make_window


def _deleted_and_collected() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def _menus() -> int:
    return sum(isinstance(w, QMenu) for w in QApplication.topLevelWidgets())


def _windows() -> int:
    # type(), not isinstance(): isinstance() on a weak proxy whose object is gone raises.
    return sum(type(o) is MainWindow for o in gc.get_objects())


def test_opening_and_closing_windows_leaks_no_menus_and_no_windows(qtbot):
    _deleted_and_collected()
    menus, windows = _menus(), _windows()
    for _ in range(3):
        window = make_window(qtbot)
        assert _menus() > menus  # pyqtgraph's plot menus exist while the window does
        assert window.close()
        window.deleteLater()
        del window
        _deleted_and_collected()
        assert _menus() == menus  # 28 "Plot Options" menus per window outlived it
        assert _windows() == windows  # the parentless model's lambdas kept every window alive
        assert running_threads() == []
