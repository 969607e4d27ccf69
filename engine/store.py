"""Project and weight files: validated loads, atomic saves (temp file, fsync, rename), never pickle.

A temporary file is named `.<target>.layerlab-<pid>.<random>.tmp` beside its target, so the next
write into that folder can tell ours apart (and only ours: it runs in the user's own folders) and
remove the ones a killed process left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from engine.errors import SpecError
from engine.spec.project import Project

MAX_PROJECT_BYTES = 10 * 1024 * 1024
MAX_WEIGHTS_BYTES = 2 * 1024 * 1024 * 1024
WRITE_CHUNK = 1 << 20
# Ours, with the writer's pid; and the two pid-less names older versions used, only for the files
# they wrote (projects, weights, metrics; model exports), never any other program's `.x.tmp`.
_TEMP = re.compile(r"\..+\.layerlab-(?P<pid>\d+)\.[a-z0-9_]{8}\.tmp")
_LEGACY_TEMP = re.compile(
    r"\..+\.(json|safetensors|csv)\.[a-z0-9_]{8}\.tmp|\..+\.[a-z0-9_]{8}\.tmp\.(onnx|pt|pt2)"
)
# Read once: asking means setting it, and a thread creating a file meanwhile would get mode 0o666.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
LEGACY_TEMP_AGE_S = 15 * 60  # a pid-less temp file this old has no writer left
PID_TEMP_AGE_S = 24 * 3600  # past this, a "live" pid is a reused one


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves either the old file or the new one, never half.

    A failure (a full disk, a read-only folder) raises OSError and leaves the old file and no temp
    file. A symlink is written through: its target file is replaced and the link stays a link.
    """
    atomic_write_many({path: data})


def atomic_write_many(files: dict[str | os.PathLike, bytes]) -> None:
    """atomic_write for files that belong together: each temp file is written and synced before the
    first rename, so a failed write (ENOSPC) replaces none of them and leaves no temp file."""
    staged: list[tuple[str, Path]] = []
    folders: list[Path] = []
    try:
        for path, data in files.items():
            target = Path(os.path.realpath(path))
            if target.parent not in folders:
                folders.append(target.parent)
                remove_stale_temps(target.parent)
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=target.parent)
            staged.append((tmp, target))
            try:
                os.chmod(tmp, file_mode(target))  # os.chmod, not fchmod: Windows has only the former
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for folder in folders:
        fsync_folder(folder)


@contextlib.contextmanager
def new_folder(folder: Path):
    """Create `folder` (and parents) for a write; if the write fails, remove those that were created."""
    made = [f for f in (folder, *folder.parents) if not f.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    except BaseException:
        for path in made:  # innermost first; rmdir refuses a folder someone has put files in
            try:
                path.rmdir()
            except OSError:
                break
        raise


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out: a short write is not an error, ENOSPC is (OSError)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:WRITE_CHUNK]) :]


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable; not every filesystem lets a directory be opened or synced."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def temp_prefix(name: str) -> str:
    """`.<name>.layerlab-<pid>.`, the name shortened so the temp name still fits where `name` fits."""
    if len(os.fsencode(name)) > 120:
        name = name[:24]
    return f".{name}.layerlab-{os.getpid()}."


def file_mode(target: Path) -> int:
    """The replaced file's read/write bits, or what a plain open() would give (mkstemp makes 0600).

    Only rw bits are kept: a rewrite must never carry setuid, setgid, sticky or execute bits over.
    """
    try:
        return target.stat().st_mode & 0o666
    except OSError:
        return 0o666 & ~_UMASK


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temp files of ours in `folder` whose writer is gone; a live writer's stay."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed  # mkstemp will report an unusable folder itself
    now = time.time()
    for entry in entries:
        if entry.name.startswith(".") and ".tmp" in entry.name and _is_stale(entry, now):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass  # someone else's file, or already gone
    return removed


def is_temp_name(name: str) -> bool:
    """Whether `name` is a temp file name atomic_write makes (or older versions made)."""
    return bool(_TEMP.fullmatch(name) or _LEGACY_TEMP.fullmatch(name))


def _is_stale(entry: os.DirEntry, now: float) -> bool:
    try:
        if not entry.is_file(follow_symlinks=False):
            return False
        age = now - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    ours = _TEMP.fullmatch(entry.name)
    if ours:
        return age > PID_TEMP_AGE_S or not pid_alive(int(ours["pid"]))
    return bool(_LEGACY_TEMP.fullmatch(entry.name)) and age > LEGACY_TEMP_AGE_S


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine (always True where that cannot be asked safely)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32" or pid <= 0:
        return True  # on Windows signal 0 is CTRL_C_EVENT: os.kill(pid, 0) would interrupt it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


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
        text = data.decode("utf-8-sig")  # a byte-order mark, as Windows editors write, is fine
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
    atomic_write(path, weights_bytes(state, metadata))


def weights_bytes(state: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """A state dict as safetensors bytes (float64 stored as float32), ready for an atomic write."""
    from safetensors.numpy import save

    arrays = {k: np.ascontiguousarray(np.asarray(v)) for k, v in state.items()}
    arrays = {k: v.astype(np.float32) if v.dtype == np.float64 else v for k, v in arrays.items()}
    return save(arrays, metadata=metadata)


def load_weights(path: str | os.PathLike) -> dict[str, np.ndarray]:
    from safetensors.numpy import load

    data = read_file(path, MAX_WEIGHTS_BYTES, "weights")
    try:
        return dict(load(data))
    except Exception as exc:  # safetensors raises its own error types for corrupt headers
        raise SpecError(str(path), f"is not a valid safetensors file ({exc})") from None
