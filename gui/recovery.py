"""Crash recovery that belongs to one window: each window autosaves to its own recovery-<pid>-<n>.json
and keeps recovery-<pid>-<n>.lock locked while it lives. The kernel drops the lock when the process
dies (even by SIGKILL), so a recovery file whose lock can be taken was left by a window that did not
close cleanly: only those are offered, and a live window's file is never offered or deleted.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from engine.errors import SpecError
from engine.spec.project import Project
from engine.store import atomic_write, pid_alive

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:  # POSIX
    msvcrt = None

PATTERN = "recovery*.json"  # also the single recovery.json of versions before this one
_OWNER = re.compile(r"recovery-(\d+)-\d+$")
_HELD = {errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


def _try_lock(fd: int) -> bool | None:
    """Lock `fd` without waiting: True taken, False held by a live window, None when this file
    system cannot lock (network shares may refuse; then the pid in the name decides)."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif msvcrt is not None:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            return None
    except OSError as exc:
        return False if exc.errno in _HELD else None
    return True


def _owner_alive(stem: str) -> bool:
    """Without locks: is the process named in the file's name still running? Unknown counts as alive."""
    match = _OWNER.match(stem)
    if match is None:
        return False  # recovery.json of an older version, which never locked: nobody owns it
    return pid_alive(int(match.group(1)))


def _close_and_unlink(fd: int | None, *paths: Path) -> None:
    for path in paths:  # unlinked while still locked, so nobody can take them half-deleted
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


class RecoverySlot:
    """One window's recovery file; the lock is taken on the first write and held until release()."""

    def __init__(self, folder: Path):
        self._folder = folder
        self._fd: int | None = None
        self.path: Path | None = None

    def _claim(self) -> Path:
        if self.path is not None:
            return self.path
        pid = os.getpid()
        for n in itertools.count(1):
            stem = f"recovery-{pid}-{n}"  # n: several windows in one process; a reused pid's leftovers
            if (self._folder / f"{stem}.json").exists():
                continue  # a dead process that had our pid left work here: never overwrite it
            try:
                fd = os.open(self._folder / f"{stem}.lock", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            if _try_lock(fd) is False:  # pragma: no cover - O_EXCL made the file ours
                os.close(fd)
                continue
            self._fd, self.path = fd, self._folder / f"{stem}.json"
            return self.path
        raise AssertionError("unreachable")  # pragma: no cover

    def write(self, project: Project, source: Path | None) -> None:
        doc = {"source": str(source) if source else None, "pid": os.getpid(), "project": project.to_dict()}
        atomic_write(self._claim(), json.dumps(doc, indent=1).encode())

    def clear(self) -> None:
        """The work is saved: drop the file, keep the lock for the next autosave."""
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)

    def release(self) -> None:
        """The window closed on purpose: nothing to recover (idempotent)."""
        if self.path is not None:
            _close_and_unlink(self._fd, self.path, self.path.with_suffix(".lock"))
        self._fd, self.path = None, None


class Orphan:
    """A recovery file left by a window that is gone, locked by this process while it decides."""

    def __init__(self, path: Path, fd: int | None):
        self.path, self._fd = path, fd

    @classmethod
    def claim(cls, path: Path) -> Orphan | None:
        lock = path.with_suffix(".lock")
        try:
            fd: int | None = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            fd = None  # a read-only folder: fall back on the pid in the name
        taken = None if fd is None else _try_lock(fd)
        if taken is False or (taken is None and _owner_alive(path.stem)):
            if fd is not None:
                os.close(fd)
            return None
        if not path.exists():  # its owner or another window removed it meanwhile
            _close_and_unlink(fd, lock)
            return None
        return cls(path, fd)

    def read(self) -> tuple[Project, str | None] | None:
        """The autosaved project and the file it came from; None when it is not a valid one.

        OSError (a file that cannot be read just now) is left to the caller: the only copy of a
        crashed window's work must not be discarded for a passing read error.
        """
        try:
            doc = json.loads(self.path.read_text())
            return Project.from_dict(doc["project"]), doc.get("source")
        except (ValueError, KeyError, TypeError, SpecError):
            return None

    def discard(self) -> None:
        _close_and_unlink(self._fd, self.path, self.path.with_suffix(".lock"))
        self._fd = None

    def release(self) -> None:
        """Leave it for a later start."""
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None


def orphans(folder: Path) -> Iterator[Orphan]:
    """Recovery files of windows that are gone, newest first, each claimed only when reached: the
    caller discards or releases each one it is given."""

    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    for path in sorted(folder.glob(PATTERN), key=age, reverse=True):
        orphan = Orphan.claim(path)
        if orphan is not None:
            yield orphan
