"""Shared pieces of the window tests: a window fixture that always joins its training thread."""

from __future__ import annotations

import json

from gui.main_window import MainWindow


def make_window(qtbot, path=None) -> MainWindow:
    window = MainWindow(path)
    window.confirm_discard = lambda action: "discard"
    qtbot.addWidget(window)
    window.show()
    # 60 s: on a machine that has never run Layerlab the session first compiles its kernel (~15 s).
    qtbot.waitUntil(lambda: window.run_info is not None and window.last_frame is not None, timeout=60000)
    return window


def write_project(path, doc: dict):
    path.write_text(json.dumps(doc))
    return path


def card(window, index: int):
    found = window.builderPanel._cards[index]
    assert found.objectName() == f"layerCard{index}"
    return found


def train_until(qtbot, window, epoch: int, timeout: int = 30000) -> None:
    window.play()
    qtbot.waitUntil(lambda: window.epoch >= epoch, timeout=timeout)


def new_run(window):
    """A condition: the window has a run (and its first frame) other than the one it has now."""
    before = window.run_info.generation if window.run_info is not None else -1

    def ready() -> bool:
        info, frame = window.run_info, window.last_frame
        return (
            info is not None
            and info.generation != before
            and frame is not None
            and frame.generation == info.generation
        )

    return ready


def open_example(qtbot, window, name: str) -> None:
    """Open example `name` and wait for the first frame of its run."""
    ready = new_run(window)
    assert window.open_example(name)
    qtbot.waitUntil(ready, timeout=30000)


def start_comparison(qtbot, window, key: str, values: str) -> None:
    """Open compare mode and start comparing `key` over `values` (typed as a user types them)."""
    window.compareButton.click()
    view = window.compareView
    assert window.viewStack.currentWidget() is view
    view.keyCombo.setCurrentIndex(view.keyCombo.findData(key))
    view.valuesEdit.setText(values)
    view.startButton.click()
    qtbot.waitUntil(lambda: window.comparing, timeout=30000)
