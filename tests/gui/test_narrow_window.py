"""The window on a 1024×700 screen: for every kind of project its minimum width fits, and the views'
columns get the width their contents need (they scroll, not cut, past the width they share)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from engine.spec.project import Project
from gui.main_window import FIT_WIDTH
from gui.widgets.fit_scroll import FitScrollArea
from tests.gui.helpers import new_run, open_example

EXAMPLES = ("xor", "spiral", "digits_cnn", "sequence_lstm", "autoencoder_digits", "gan_ring", "perceptron")
IRIS = {
    "data": {"name": "iris"},
    "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}]},
    "training": {"epochs": 5},
}


def _columns(window) -> list[FitScrollArea]:
    return [a for a in window.findChildren(FitScrollArea) if a.isVisible()]


def _check_fits(qtbot, window, name: str) -> None:
    window.resize(1440, 900)
    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= FIT_WIDTH, name
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024 and window.height() == 700, timeout=5000)
    qtbot.wait(100)  # the splitters lay out on the next turn of the loop
    columns = _columns(window)
    assert len(columns) == 2, name
    assert sum(c.width() for c in columns) + window.panelTabs.width() <= FIT_WIDTH
    for column in columns:
        need = column.needed_width()
        assert not column.scrolls_sideways(), (name, need, column.viewport().width())
    # The views' titles wrap rather than set the column's width.
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text().startswith("Network:"):
            assert label.wordWrap()


def test_every_kind_of_project_fits_1024_by_700(qtbot, window):
    for name in EXAMPLES:
        open_example(qtbot, window, name)
        _check_fits(qtbot, window, name)
    ready = new_run(window)
    window.model.replace(Project.from_dict(IRIS), None)
    qtbot.waitUntil(ready, timeout=30000)
    _check_fits(qtbot, window, "iris")


def test_a_column_takes_what_its_neighbour_leaves(qtbot, window):
    """One wide column beside a narrow one: the wide one gets more than half the shared width."""
    middle, right = sorted(_columns(window), key=lambda c: c.x())
    shared = middle.shared
    assert shared == middle.widest + right.widest and middle.sibling is right
    need = right.needed_width()
    right.widget().setMinimumWidth(shared // 2 + 40)  # wider than its half
    qtbot.wait(50)
    assert right.minimumSizeHint().width() == min(
        shared // 2 + 40, shared - min(middle.needed_width(), middle.widest)
    )
    assert right.minimumSizeHint().width() > right.widest
    right.widget().setMinimumWidth(0)
    assert right.needed_width() == need
