"""The open project as the window edits it: every edit is validated by the engine and undoable.

Panels never mutate a Project directly: they call `edit(text, mutate)`, which applies `mutate` to a
copy of the project's plain-data dict, validates it with the engine, and pushes an undo command.
A rejected edit changes nothing and reports the engine's message through `editRejected`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.errors import SpecError
from engine.spec.project import Project

SECTIONS = ("model", "data", "network", "training")  # "model": the family and its settings


def changed_sections(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Which top-level sections differ; "seed" counts as data (it regenerates the points)."""
    sections = {s for s in SECTIONS if old.get(s) != new.get(s)}
    if old.get("seed") != new.get("seed"):
        sections.add("data")
    if any(old.get(k) != new.get(k) for k in ("name", "description")):
        sections.add("meta")
    return sections


class _EditCommand(QUndoCommand):
    """Swaps between two validated project documents (and the files they belong to)."""

    def __init__(self, model: ProjectModel, text: str, before: dict, after: dict, paths: tuple):
        super().__init__(text)
        self._model, self._before, self._after = model, before, after
        self._path_before, self._path_after = paths

    def redo(self) -> None:
        self._model._set_path(self._path_after)
        self._model._set_document(self._after)

    def undo(self) -> None:
        self._model._set_path(self._path_before)
        self._model._set_document(self._before)


class ProjectModel(QObject):
    """Holds the current Project; emits `changed(sections)` after every applied edit, undo or redo."""

    changed = Signal(set)  # subset of {"model", "data", "network", "training", "meta"}
    editRejected = Signal(str, str)  # path, reason
    dirtyChanged = Signal(bool)
    pathChanged = Signal(str)
    adjusted = Signal(str)  # a note: `adjust` completed an edit (e.g. switched the preset)

    def __init__(self, project: Project | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._doc = (project or Project()).to_dict()
        self._project = Project.from_dict(self._doc)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.path: Path | None = None
        # (before, after) -> note or None: completes an edit in place before it is validated, so
        # a follow-on change (the preset an edit needs) lands in the same undoable step.
        self.adjust: Callable[[dict[str, Any], dict[str, Any]], str | None] | None = None

    def _on_clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    @property
    def project(self) -> Project:
        return self._project

    def document(self) -> dict[str, Any]:
        """A deep copy of the current project as plain data."""
        return copy.deepcopy(self._doc)

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def edit(self, text: str, mutate: Callable[[dict[str, Any]], None], detach: bool = False) -> bool:
        """Apply `mutate` to a copy of the document; push it if the engine accepts it.

        `detach`: the result is a new project, no longer the file it was opened from (Save asks
        where); undo re-attaches it."""
        after = self.document()
        mutate(after)
        note = self.adjust(self._doc, after) if self.adjust is not None else None
        try:
            validated = Project.from_dict(after).to_dict()
        except SpecError as exc:
            self.editRejected.emit(exc.path, exc.reason)
            return False
        path_after = None if detach else self.path
        if validated == self._doc and path_after == self.path:
            return True
        command = _EditCommand(self, text, self.document(), validated, (self.path, path_after))
        self.undo_stack.push(command)
        if note:
            self.adjusted.emit(note)
        return True

    def replace(self, project: Project, path: Path | None = None) -> None:
        """Open another project: a fresh history, clean state."""
        self.undo_stack.clear()
        self.path = path
        self._set_document(project.to_dict(), all_sections=True)
        self.undo_stack.setClean()
        self.pathChanged.emit(str(path) if path else "")

    def mark_saved(self, path: Path) -> None:
        self.path = path
        self.undo_stack.setClean()
        self.pathChanged.emit(str(path))

    def reload_data(self) -> None:
        """The file behind the data (a CSV) may have changed on disk: everyone re-reads it; no edit."""
        self.changed.emit({"data"})

    def _set_path(self, path: Path | None) -> None:
        if path != self.path:
            self.path = path
            self.pathChanged.emit(str(path) if path else "")

    def _set_document(self, doc: dict[str, Any], all_sections: bool = False) -> None:
        sections = {*SECTIONS, "meta"} if all_sections else changed_sections(self._doc, doc)
        self._doc = copy.deepcopy(doc)
        self._project = Project.from_dict(self._doc)
        if sections:
            self.changed.emit(sections)
