"""Operating-system errors (full disk, read-only target, name too long) as one line naming the path.

The CLI turns an OSError into the same one-line SpecError as any other bad input, and `train --out`
probes its folder before training, so an unwritable target costs seconds, not the whole run.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from engine.errors import SpecError

_PLAIN = {  # what a user can act on, in place of the C library's wording where it is unclear
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "file name too long for the file system",
    errno.ENOTDIR: "not a directory",
    errno.EISDIR: "is a directory",
    errno.EEXIST: "already exists",
}


def describe_os_error(exc: OSError, label: str) -> SpecError:
    """`label: problem` (e.g. `--out runs/x: no space left on device`), naming the file if another."""
    label = label or _short(exc.filename) or "file system"
    reason = _PLAIN.get(exc.errno or 0) or (exc.strerror or str(exc) or type(exc).__name__).lower()
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):  # a regular file where a folder goes
        blocker = _file_in_the_way(exc.filename)
        if blocker is not None:
            return SpecError(label, f"{blocker} is a file, not a folder")
    where = _short(exc.filename)
    if where and where not in label and exc.errno != errno.ENAMETOOLONG:  # that name is the label's
        reason = f"{reason} ({where})"
    return SpecError(label, reason)


def out_label(value: str) -> str:
    """How messages name an --out argument: `--out PATH`, a very long PATH cut in the middle."""
    return f"--out {_short(value)}"


def check_writable(folder: Path, label: str) -> None:
    """Probe `folder` the way the run will be written (engine.run_folder); a SpecError if it fails.

    The probe removes the folders it made when it fails, so a refused --out leaves nothing.
    """
    from engine.run_folder import check_writable as probe

    if _exists(folder) and not folder.is_dir():
        raise SpecError(label, "exists and is a file, not a folder")
    try:
        probe(folder)
    except OSError as exc:
        raise describe_os_error(exc, label) from None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long to even look up
        return False


def _file_in_the_way(filename: object) -> str | None:
    """`filename` or its nearest existing ancestor, if that is a regular file."""
    if not isinstance(filename, (str, os.PathLike)):
        return None
    path = Path(filename)
    for parent in [path, *path.parents]:
        try:
            if parent.exists():
                return str(parent) if parent.is_file() else None
        except OSError:
            return None
    return None


def _short(filename: object) -> str:
    if not isinstance(filename, (str, os.PathLike)):
        return ""
    text = str(filename)
    return text if len(text) <= 80 else text[:40] + "..." + text[-37:]
