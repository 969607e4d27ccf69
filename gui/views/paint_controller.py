"""Paint mode: strokes on the decision map become the project's painted dataset.

A stroke (press, drag, release) is drawn at once on the map's painted layer and becomes ONE
project edit when the button is released, so one Ctrl+Z takes back a whole drag. Starting on a
generated 2-D or 1-D set offers to copy its points into the painted set first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from engine.data import dataset_defaults, make_dataset
from engine.data.painted import MAX_POINTS, painted_from
from engine.errors import SpecError

PAINTED = {"painted": 3, "painted_curve": 2}  # dataset name -> values per point
PAINTABLE_KINDS = ("points2d", "function1d")
SPACING_PX = 9  # a drag adds a point each time the mouse has moved this far from the last one
ERASE_RADIUS_PX = 14
STACK_PX = 3  # closer than this to a painted point, a click adds nothing


class PaintController(QObject):
    """Connects the paint tool row and the map's mouse strokes to the project (a ProjectModel)."""

    message = Signal(str)

    def __init__(self, tools, view, owner: QWidget):
        super().__init__(owner)
        self.tools, self.view, self._owner = tools, view, owner
        self._model = None
        # -> "copy" | "empty" | "cancel"; tests replace it to answer without a modal dialog.
        self.ask_start: Callable[[str, int], str] = self._ask_start
        self._working: np.ndarray | None = None  # the stroke's table until the button is released
        self._last: tuple[float, float] | None = None
        self._changes = 0
        tools.paintButton.toggled.connect(self._on_paint_toggled)
        tools.clearButton.clicked.connect(self._on_clear_clicked)
        view.paintPressed.connect(self._on_pressed)
        view.paintMoved.connect(self._on_moved)
        view.paintReleased.connect(self._on_released)

    # -- the project ------------------------------------------------------------------------------
    def bind(self, model) -> None:
        """The ProjectModel painted into (the window's)."""
        if model is self._model:
            return
        self._model = model
        model.changed.connect(self._on_model_changed)

    def model(self):
        return self._model

    def _width(self) -> int | None:
        model = self.model()
        return PAINTED.get(model.project.data.name) if model is not None else None

    def _task(self) -> str:
        data = self.model().project.data
        return data.params.get("task", "regression")

    def _table(self) -> np.ndarray:
        width = self._width() or 3
        points = self.model().project.data.params.get("points", [])
        return np.asarray(points, dtype=np.float64).reshape(len(points), width)

    # -- paint mode -------------------------------------------------------------------------------
    @property
    def painting(self) -> bool:
        return self.tools.paintButton.isChecked()

    def set_paintable(self, kind: str) -> None:
        """A run's data: painting is offered over 2-D points and 1-D functions."""
        ok = kind in PAINTABLE_KINDS
        self.tools.paintButton.setEnabled(ok)
        if not ok and self.painting:
            self.tools.paintButton.setChecked(False)

    def _on_paint_toggled(self, on: bool) -> None:
        if on and self._width() is None and not self._start_painted_set():
            self.tools.paintButton.setChecked(False)
            return
        self.view.set_painting(on)
        if on:
            self._frame_view()
        self._refresh()

    def _start_painted_set(self) -> bool:
        """Make the project's data a painted set, from the current set's points or empty."""
        model = self.model()
        if model is None:
            return False
        project = model.project
        name = project.data.name
        if dataset_defaults(name)["kind"] not in PAINTABLE_KINDS:
            self.message.emit(
                "Painting needs 2-D points or a 1-D function: choose Painted points in the Data tab"
            )
            return False
        try:
            dataset = make_dataset(vars(project.data), project.seed)
        except SpecError as exc:
            self.message.emit(f"Cannot read the current set's points: {exc}")
            return False
        painted, params, note = painted_from(dataset)
        choice = self.ask_start(dataset_title(name), len(params["points"]))
        if choice == "cancel":
            return False
        if choice == "empty":
            params = {**params, "points": []}
        values = {
            "name": painted,
            "params": params,
            "samples": None,
            "noise": 0.0,
            "path": None,
            "target": None,
        }
        if painted == "painted_curve":
            values["features"] = ["x1", "x2"]
        text = f"Paint: start from {dataset_title(name)}" if choice == "copy" else "Paint: start empty"
        if not model.edit(text, lambda doc: doc["data"].update(values)):
            return False
        if note and choice == "copy":
            self.message.emit(f"Painted points from {dataset_title(name)}: {note}")
        return True

    def _ask_start(self, title: str, count: int) -> str:
        box = QMessageBox(self._owner)
        box.setWindowTitle("Paint your own data")
        box.setText(f"Start painting from {title}'s {count:,} points, or on an empty map?")
        copy = box.addButton(f"Start from {title}", QMessageBox.ButtonRole.AcceptRole)
        empty = box.addButton("Start empty", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "copy" if clicked is copy else "empty" if clicked is empty else "cancel"

    def _frame_view(self) -> None:
        """Show the whole plane a painted set lives in (an empty set has no run to frame it)."""
        if self._width() == 3:
            self.view.setRange(xRange=(-6, 6), yRange=(-6, 6), padding=0)
        else:
            ys = self._table()[:, 1]
            low, high = min(-2.0, float(ys.min(initial=0))), max(2.0, float(ys.max(initial=0)))
            self.view.setRange(xRange=(-4, 4), yRange=(low, high), padding=0.05)

    def _on_model_changed(self, sections: set) -> None:
        if not self.painting or "data" not in sections:
            return
        if self._width() is None:  # undone back to a generated set: nothing to paint into
            self.tools.paintButton.setChecked(False)
            return
        self._refresh()

    def _refresh(self) -> None:
        width = self._width()
        painting = self.painting and width is not None
        task = self._task() if width == 3 else "regression"
        self.tools.show_tools(painting, task, width or 3)
        if not painting:
            return
        table = self._table() if self._working is None else self._working
        self.view.show_painted(table, task)
        classes = len(np.unique(table[:, 2])) if width == 3 and task == "classification" else 0
        self.tools.show_count(len(table), classes)

    # -- strokes ----------------------------------------------------------------------------------
    def _on_pressed(self, x: float, y: float) -> None:
        if self._width() is None:
            return
        self._working, self._last, self._changes = self._table(), None, 0
        self._stroke_at(x, y)

    def _on_moved(self, x: float, y: float) -> None:
        if self._working is not None:
            self._stroke_at(x, y)

    def _stroke_at(self, x: float, y: float) -> None:
        changed = self._erase_at(x, y) if self.tools.erasing else self._add_at(x, y)
        if changed:
            self._refresh()

    def _erase_at(self, x: float, y: float) -> bool:
        keep = self.view.pixel_distances(self._working[:, :2], x, y) > ERASE_RADIUS_PX
        self._changes += int((~keep).sum())
        self._working = self._working[keep]
        return not keep.all()

    def _add_at(self, x: float, y: float) -> bool:
        near = (
            self._last is not None and self.view.pixel_distances(np.array([self._last]), x, y)[0] < SPACING_PX
        )
        # A point drawn over one already there would only stack a duplicate (a drag that goes over
        # its own track, a second click on a point).
        if near or (self.view.pixel_distances(self._working[:, :2], x, y) < STACK_PX).any():
            return False
        if len(self._working) >= MAX_POINTS:
            self.message.emit(f"A painted set holds at most {MAX_POINTS:,} points; erase some first")
            return False
        self._last = (x, y)
        self._working = np.vstack([self._working, [self._new_row(x, y)]])
        self._changes += 1
        return True

    def _new_row(self, x: float, y: float) -> list[float]:
        if self._width() == 2:
            return [round(x, 3), round(y, 3)]
        label = self.tools.chosen_class if self._task() == "classification" else self.tools.chosen_value
        return [round(x, 3), round(y, 3), label]

    def _on_released(self) -> None:
        table, self._working = self._working, None
        if table is None or not self._changes:
            self._refresh()
            return
        verb = "Erase" if self.tools.erasing else "Paint"
        self._commit(f"{verb} {self._changes} point{'s' if self._changes != 1 else ''}", table)

    def _on_clear_clicked(self) -> None:
        if self._width() is not None and len(self._table()):
            self._commit("Clear painted points", self._table()[:0])

    def _commit(self, text: str, table: np.ndarray) -> None:
        points = [_row(values, self._width(), self._task()) for values in table.tolist()]
        self.model().edit(text, lambda doc: doc["data"]["params"].update(points=points))
        self._refresh()  # a refused edit (the engine's message is shown) redraws the project's points


def _row(values: list[float], width: int, task: str) -> list[float]:
    """A point as the project stores it: classes as whole numbers."""
    if width == 3 and task == "classification":
        return [values[0], values[1], int(values[2])]
    return values


def dataset_title(name: str) -> str:
    from engine.data import DATASETS

    return DATASETS[name].title
