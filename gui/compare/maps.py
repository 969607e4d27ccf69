"""Compare mode's small pictures: one per run, a decision map drawn as the window's big map draws its
own (a GAN's plane or an autoencoder's code instead: gui/compare/family_maps.py).

Each is a BoundaryView (gui/views/boundary.py) without axes and with smaller points, under a
title in the run's colour (its short label under a header naming the settings, gui/compare/labels.py,
so that four titles a row ask for little width); the colour key below is the big map's.

Eight maps drawn in one event-loop turn made one long turn (a paint of all eight, ~15 ms): a
frame's probes are only kept here (`set_probe`), and `draw_steps` hands the maps still to draw
to the window's ViewPacer as one part per map, the longest-waiting first.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from gui.compare.family_maps import RunCodeView, RunGanView, RunPointsView, code_key, gan_key, points_key
from gui.compare.labels import short_labels
from gui.views.boundary import BoundaryView
from gui.views.legend import legend_html

COLUMNS = 4
SMALL_POINT = 4


class RunMapView(BoundaryView):
    """A BoundaryView small enough for eight side by side."""

    def __init__(self, parent=None):
        super().__init__(parent)
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.layout.setContentsMargins(0, 0, 0, 0)
        for points, size in (
            (self._halo, SMALL_POINT + 2),
            (self._train, SMALL_POINT),
            (self._test, SMALL_POINT),
        ):
            points.setSize(size)
        self._val.setSize(SMALL_POINT)
        self.setMinimumSize(90, 90)


def _picture(family: str, dataset) -> tuple[type, str]:
    """The view of each run's picture and what the pictures are called: the mlp's and the
    perceptron's are decision maps."""
    if family == "gan":
        return RunGanView, "Real and generated points"
    if family in ("autoencoder", "vae"):
        if dataset is not None and dataset.kind == "points2d":
            return RunPointsView, "Reconstructions"
        return RunCodeView, "Codes"
    return RunMapView, "Maps"


class CompareMaps(QWidget):
    """The runs' maps in a grid of up to COLUMNS a row, with the colour key under them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("compareMaps")
        self._grid = QGridLayout()
        self._grid.setSpacing(6)
        self.header = QLabel()
        self.header.setObjectName("compareMapsHeader")
        self.header.setStyleSheet("QLabel { font-size: 11px; }")
        self.key = QLabel()
        self.key.setObjectName("compareColorKey")
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.header)
        column.addLayout(self._grid, 1)
        column.addWidget(self.key)
        self.views: dict[str, QWidget] = {}  # run id -> its RunMapView, RunGanView or RunCodeView
        self._family = "mlp"
        self._cells: list[QWidget] = []
        self.titles: list[QLabel] = []
        self._head = None
        self._waiting: dict[str, object] = {}  # run id -> its latest probe, not drawn yet (oldest first)

    def set_runs(self, runs: list[tuple[str, str, str]], dataset, head, family: str = "mlp") -> None:
        """One picture for each of `runs` ((run id, label, colour)): a decision map over `dataset`'s
        points, a GAN's plane or an autoencoder's code (`family`'s, gui/compare/family_maps.py)."""
        for cell in self._cells:
            self._grid.removeWidget(cell)
            cell.deleteLater()
        self._cells, self.titles, self.views, self._head, self._waiting = [], [], {}, head, {}
        self._family = family
        view_class, what = _picture(family, dataset)
        viewable = view_class is not RunMapView or (
            dataset is not None and dataset.kind in ("points2d", "function1d")
        )
        self.setVisible(viewable)
        if not viewable:
            return
        header, shorts = short_labels([label for _, label, _ in runs])
        self.header.setText(f"{what} by {header}" if header else what)
        for n, ((run_id, label, color), short) in enumerate(zip(runs, shorts, strict=True)):
            cell, view, title = _cell(short, label, color, view_class)
            self.titles.append(title)
            view.set_dataset(dataset)
            self._grid.addWidget(cell, n // COLUMNS, n % COLUMNS)
            self._cells.append(cell)
            self.views[run_id] = view
        if view_class is RunGanView:
            self.key.setText(gan_key())
        elif view_class is RunPointsView:
            self.key.setText(points_key())
        elif view_class is RunCodeView:
            self.key.setText("")  # said by the first probe: what its labels are
        else:
            first = next(iter(self.views.values()), None)
            levels = first.value_levels if first is not None else None
            self.key.setText(legend_html(dataset, head, levels))

    def set_probe(self, run_id: str, probe) -> None:
        """Keep run `run_id`'s latest map for the next `draw_steps`; a frame without one (not drawn
        this time) keeps the last. A map still waiting keeps its place in the queue."""
        if run_id in self.views and probe is not None:
            self._waiting[run_id] = probe

    def draw_steps(self) -> list:
        """One part per map with a probe not drawn yet, in the order they started waiting; each
        draws its run's latest probe when it runs."""
        return [lambda run_id=run_id: self._draw(run_id) for run_id in self._waiting]

    def waiting(self) -> list[str]:
        """The runs whose latest probe is not drawn yet."""
        return list(self._waiting)

    def _draw(self, run_id: str) -> None:
        probe = self._waiting.pop(run_id, None)
        view = self.views.get(run_id)
        if view is not None and probe is not None:
            view.set_probe(probe, self._head)
            if isinstance(view, RunCodeView) and not self.key.text():
                self.key.setText(code_key(probe))


def _cell(short: str, label: str, color: str, view_class=RunMapView) -> tuple[QWidget, QWidget, QLabel]:
    cell = QWidget()
    layout = QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    title = QLabel(f'<span style="color:{color}; font-size:15px;">■</span> {html.escape(short)}')
    title.setTextFormat(Qt.TextFormat.RichText)
    title.setToolTip(label)
    title.setStyleSheet("QLabel { font-size: 11px; }")
    view = view_class()
    layout.addWidget(title)
    layout.addWidget(view, 1)
    return cell, view, title
