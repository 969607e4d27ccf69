"""Project and weight files: validated loads, atomic saves (temp file, fsync, rename), never pickle."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from engine.errors import SpecError
from engine.spec import Project

MAX_PROJECT_BYTES = 10 * 1024 * 1024
MAX_WEIGHTS_BYTES = 2 * 1024 * 1024 * 1024


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves either the old file or the new one, never half."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, file_mode(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable; not every filesystem lets a directory be opened
        dir_fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def file_mode(target: Path) -> int:
    """The replaced file's permissions, or what a plain open() would give (mkstemp makes 0600)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def read_file(path: str | os.PathLike, limit: int, what: str) -> bytes:
    """The bytes of `path`, or a SpecError naming the file and what is wrong with it."""
    p = Path(path)
    if not p.exists():
        raise SpecError(str(p), f"no such {what} file")
    if not p.is_file():
        raise SpecError(str(p), f"is not a file (a {what} file was expected)")
    size = p.stat().st_size
    if size > limit:
        raise SpecError(str(p), f"is {size:,} bytes; a {what} file may be at most {limit:,} bytes")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise SpecError(str(p), f"cannot be read: {exc.strerror}") from None


def load_project(path: str | os.PathLike) -> Project:
    data = read_file(path, MAX_PROJECT_BYTES, "project")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(str(path), "is not a UTF-8 text file (a JSON project was expected)") from None
    project = Project.from_json(text, source=str(path))
    from engine.data.csv_data import resolve_data_path  # a relative data.path: beside the project file

    project.data.path = resolve_data_path(project.data.path, Path(path).parent)
    return project


def save_project(project: Project, path: str | os.PathLike) -> None:
    from dataclasses import replace

    from engine.data.csv_data import portable_data_path  # data in the project's folder stays relative

    data = replace(project.data, path=portable_data_path(project.data.path, Path(path).parent))
    atomic_write(path, replace(project, data=data).to_json().encode("utf-8"))


def save_weights(
    state: dict[str, np.ndarray], path: str | os.PathLike, metadata: dict[str, str] | None = None
) -> None:
    from safetensors.numpy import save

    arrays = {k: np.ascontiguousarray(np.asarray(v)) for k, v in state.items()}
    arrays = {k: v.astype(np.float32) if v.dtype == np.float64 else v for k, v in arrays.items()}
    atomic_write(path, save(arrays, metadata=metadata))


def load_weights(path: str | os.PathLike) -> dict[str, np.ndarray]:
    from safetensors.numpy import load

    data = read_file(path, MAX_WEIGHTS_BYTES, "weights")
    try:
        return dict(load(data))
    except Exception as exc:  # safetensors raises its own error types for corrupt headers
        raise SpecError(str(path), f"is not a valid safetensors file ({exc})") from None
