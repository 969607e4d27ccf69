"""The output area's views for data without an input plane: one page per kind of data, made the
first time a run of that kind is shown (gui/views/image_views.py, sequence_views.py,
table_views.py). Each page has `set_run(info)`, `show_probe(probe)` and a `sampleChosen(int)`
signal (the test sample the user picked, sent to the session as a view option)."""

from __future__ import annotations

from importlib import import_module

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from gui.widgets.fit_scroll import CurrentPageStack

PAGES = {
    "image": ("gui.views.image_views", "ImageViews"),
    "sequence": ("gui.views.sequence_views", "SequenceViews"),
    "tabular": ("gui.views.table_views", "TableViews"),
}


def has_data_views(kind: str) -> bool:
    return kind in PAGES


class DataViews(CurrentPageStack):  # as wide as its page: the others must not widen the window
    """The page of the current run's kind of data, and the probes it draws."""

    sampleChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dataViews")
        self._pages: dict[str, QWidget] = {}
        self.page: QWidget | None = None

    def set_run(self, info) -> None:
        """A new run: the page for its data (made once per kind), cleared for it."""
        kind = info.dataset.kind
        if kind not in PAGES:
            self.page = None
            return
        if kind not in self._pages:
            module, name = PAGES[kind]
            page = getattr(import_module(module), name)()
            page.sampleChosen.connect(self.sampleChosen.emit)
            self._pages[kind] = page
            self.addWidget(page)
        self.page = self._pages[kind]
        self.setCurrentWidget(self.page)
        self.page.set_run(info)

    def show_probe(self, probe) -> None:
        """Draw `probe` on the current page (a frame without one keeps the last picture)."""
        if self.page is not None and probe is not None:
            self.page.show_probe(probe)
