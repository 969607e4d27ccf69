"""Where the window keeps its state on disk (recent files; gui/recovery.py's autosaves), and which
folder a file dialog starts in.

The directory is $LAYERLAB_STATE_DIR when set (tests point it at a temporary folder), else Qt's
per-user application-data folder. Every write is atomic (engine.store.atomic_write).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QStandardPaths

from engine.store import atomic_write

MAX_RECENT = 10
KINDS = ("project", "csv", "example", "lesson")
NAMED = ("example", "lesson")  # bundled: the target is a name, not a path


def state_dir() -> Path:
    configured = os.environ.get("LAYERLAB_STATE_DIR")
    if configured:
        path = Path(configured)
    else:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
        path = Path(base or Path.home()) / "layerlab"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Recent(NamedTuple):
    """One entry of File ▸ Recent: a project file, a CSV file, or an example (target is its name)."""

    kind: str
    target: str

    @property
    def label(self) -> str:
        if self.kind in NAMED:
            return f"{self.target} ({self.kind})"
        name = Path(self.target).name
        return f"{name} (CSV)" if self.kind == "csv" else name

    def available(self) -> bool:
        if self.kind == "lesson":
            from engine.lessons import find_lesson

            return find_lesson(self.target) is not None
        return self.kind == "example" or Path(self.target).is_file()


def _entry(raw) -> Recent | None:
    if isinstance(raw, str):  # the format before CSVs and examples were remembered
        return Recent("project", raw)
    if isinstance(raw, dict) and raw.get("kind") in KINDS and isinstance(raw.get("target"), str):
        return Recent(raw["kind"], raw["target"])
    return None


def recent_files() -> list[Recent]:
    try:
        raw = json.loads((state_dir() / "recent.json").read_text())
    except (OSError, ValueError):
        return []
    entries = [e for e in map(_entry, raw if isinstance(raw, list) else []) if e is not None]
    return entries[:MAX_RECENT]


def remember_recent(target: str | Path, kind: str = "project") -> list[Recent]:
    """Put `target` first in the list (once); paths are stored absolute."""
    entry = Recent(kind, target if kind in NAMED else str(Path(target).resolve()))
    entries = [entry, *(e for e in recent_files() if e != entry)][:MAX_RECENT]
    if kind not in NAMED:
        remember_folder(Path(entry.target).parent)
    doc = [e._asdict() for e in entries]
    with contextlib.suppress(OSError):  # a read-only home must not stop the user from working
        atomic_write(state_dir() / "recent.json", json.dumps(doc, indent=1).encode())
    return entries


_last_folder: Path | None = None


def remember_folder(folder: str | Path) -> None:
    """The folder a file dialog last led to (where the next dialog starts without a project file)."""
    global _last_folder
    _last_folder = Path(folder)


def dialog_folder(project_path: Path | None = None) -> str:
    """Where a file dialog starts: the project's folder, else the last folder a dialog or an opened
    file led to (this session, then File ▸ Recent's newest), else the working directory."""
    candidates = [project_path.parent if project_path else None, _last_folder]
    candidates += [Path(e.target).parent for e in recent_files() if e.kind not in NAMED]
    for folder in candidates:
        if folder is not None and folder.is_dir():
            return str(folder)
    return os.getcwd()
