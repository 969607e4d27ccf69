"""Where the window keeps its state on disk: recent files, and the autosave used for crash recovery.

The directory is $LAYERLAB_STATE_DIR when set (tests point it at a temporary folder), else Qt's
per-user application-data folder. Every write is atomic (engine.store.atomic_write).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from engine.errors import SpecError
from engine.spec import Project
from engine.store import atomic_write

MAX_RECENT = 8
RECOVERY_NAME = "recovery.json"


def state_dir() -> Path:
    configured = os.environ.get("LAYERLAB_STATE_DIR")
    if configured:
        path = Path(configured)
    else:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
        path = Path(base or Path.home()) / "layerlab"
    path.mkdir(parents=True, exist_ok=True)
    return path


def recent_files() -> list[str]:
    try:
        entries = json.loads((state_dir() / "recent.json").read_text())
    except (OSError, ValueError):
        return []
    return [e for e in entries if isinstance(e, str)][:MAX_RECENT] if isinstance(entries, list) else []


def remember_recent(path: str | Path) -> list[str]:
    path = str(Path(path).resolve())
    entries = [path, *(e for e in recent_files() if e != path)][:MAX_RECENT]
    with contextlib.suppress(OSError):  # a read-only home must not stop the user from working
        atomic_write(state_dir() / "recent.json", json.dumps(entries, indent=1).encode())
    return entries


def recovery_path() -> Path:
    return state_dir() / RECOVERY_NAME


def write_recovery(project: Project, source: Path | None) -> None:
    doc = {"source": str(source) if source else None, "project": project.to_dict()}
    atomic_write(recovery_path(), json.dumps(doc, indent=1).encode())


def read_recovery() -> tuple[Project, str | None] | None:
    """The autosaved project left by a session that did not close cleanly, if any and valid."""
    path = recovery_path()
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text())
        return Project.from_dict(doc["project"]), doc.get("source")
    except (OSError, ValueError, KeyError, TypeError, SpecError):
        clear_recovery()  # unreadable: offering it would only fail again
        return None


def clear_recovery() -> None:
    recovery_path().unlink(missing_ok=True)
