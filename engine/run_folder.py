"""A `train --out` folder, written whole: the run goes into a new sibling folder that is then swapped in.

A second run into the same folder that fails or is killed half-way leaves the previous run as it was:
project.json, weights.safetensors, metrics.csv, model.onnx, model.pt and the trained state (state.json +
state.safetensors, engine/train_state.py, which `train --resume` continues) always belong together.
Siblings named `.<folder>.tmp-<pid>` (a run being written) and `.<folder>.old-<pid>` (the run it
replaces) are ours; the next run removes those whose process is gone.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
import time
from pathlib import Path

from engine.errors import SpecError

RUN_FILES = (
    "project.json",
    "weights.safetensors",
    "metrics.csv",
    "model.onnx",
    "model.pt",
    "state.json",
    "state.safetensors",
)
# Written when the caller keeps them (engine/run_record.py): the weights before the first step, and
# the parameters every N epochs of `train --history N`.
RECORD_FILES = ("initial.safetensors", "history.safetensors")
# The GAN has no one model of the data's inputs: its folder holds each part's (export_run_models).
PART_FILES = tuple(f"{part}{ext}" for part in ("generator", "discriminator") for ext in (".onnx", ".pt"))
_SIBLING = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)")


def write_run(trainer, out: str | os.PathLike, record=None) -> Path:
    """The effective project, its weights, metrics, models and trained state as one whole run folder
    at `out`, with the initial weights and history of `record` (an engine.run_record.RunRecord).

    Raises OSError (full disk, read-only folder, ...) or SpecError (a folder that holds other files)
    and then leaves `out` as it was. A symlink to a folder is written through.
    """
    from engine.export.models import export_run_models
    from engine.store import atomic_write, fsync_folder, save_project, save_weights
    from engine.train_state import state_files

    # First, before the exports: the state keeps the RNGs, and nothing may draw from them before.
    kept = state_files(trainer)
    kept |= record.files() if record is not None else {}
    target = _resolved(out)
    _make_parent(target)
    clean_siblings(target)
    check_replaceable(target)
    staging = _sibling(target, "tmp")
    shutil.rmtree(staging, ignore_errors=True)  # this process's own, from an earlier failed call
    staging.mkdir()
    try:
        if target.is_dir():  # the replacement keeps the folder's permissions (rwx bits only)
            os.chmod(staging, target.stat().st_mode & 0o777)
        save_project(trainer.project, staging / "project.json")
        meta = {"format": "layerlab", "epoch": str(trainer.epoch)}
        save_weights(trainer.state_dict(), staging / "weights.safetensors", meta)
        atomic_write(staging / "metrics.csv", trainer.metrics.to_csv().encode())
        for name, data in kept.items():
            atomic_write(staging / name, data)
        export_run_models(trainer, staging)
        fsync_folder(staging)
        _swap_in(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new run on failure, the old one after a swap
    fsync_folder(target.parent)
    return target


def check_writable(out: str | os.PathLike) -> None:
    """Fail now, before training, where write_run would fail later: create the parent folders, then a
    probe the way write_run writes (a sibling folder with a synced file in it, and `out` itself if new).

    Raises OSError with the system's errno (EROFS, ENOSPC, ENAMETOOLONG, ENOTDIR, EACCES, ...), or
    SpecError when `out` is a folder that holds files that are not a run's.
    """
    target = _resolved(out)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a folder", str(target))
    from engine.store import new_folder

    _check_parents(target)
    with new_folder(target.parent):  # parents made here are removed again if the probe fails
        clean_siblings(target)
        check_replaceable(target)
        probe = _sibling(target, "tmp")
        shutil.rmtree(probe, ignore_errors=True)
        probe.mkdir()
        try:
            fd = os.open(probe / "probe", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, b"\0" * 4096)  # a full disk may take the file but not its first block
                os.fsync(fd)
            finally:
                os.close(fd)
            if not target.exists():
                target.mkdir()  # the final name itself: too long, or not allowed, shows here
                target.rmdir()
        finally:
            shutil.rmtree(probe, ignore_errors=True)


def check_replaceable(target: Path) -> None:
    """SpecError unless `target` is absent, empty or a run folder: replacing it must not lose other files."""
    if not target.is_dir():
        return
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working folder was deleted: it cannot be inside target
        cwd = None
    if cwd is not None and (cwd == target or target in cwd.parents):
        raise SpecError(
            str(target), "is the working folder (or holds it); a run folder is replaced whole, choose another"
        )
    others = sorted(
        p.name
        for p in target.iterdir()
        if p.name not in RUN_FILES + RECORD_FILES + PART_FILES and not _is_temp(p.name)
    )
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise SpecError(
            str(target),
            f"holds files that are not part of a run ({shown}); a run folder is replaced whole, "
            "so choose a new or empty folder",
        )


def clean_siblings(target: Path) -> None:
    """Remove what a killed run into `target` left beside it; bring back a run it had moved away."""
    from engine.store import PID_TEMP_AGE_S, pid_alive

    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = _SIBLING.fullmatch(entry.name)
        if not match or match["name"] != _short(target.name) or not entry.is_dir(follow_symlinks=False):
            continue
        if pid_alive(int(match["pid"])) and not _older_than(entry, PID_TEMP_AGE_S):
            continue  # a run being written now (a day-old "live" pid is a reused one)
        if match["kind"] == "old" and not target.exists():
            os.replace(entry.path, target)  # killed between the two renames: the old run is whole
        else:
            shutil.rmtree(entry.path, ignore_errors=True)


def _older_than(entry: os.DirEntry, seconds: float) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > seconds
    except OSError:
        return False


def _swap_in(staging: Path, target: Path) -> None:
    """Put `staging` at `target`; afterwards `staging` holds the replaced run (or nothing)."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    old = _sibling(target, "old")
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    os.rename(old, staging)  # so the caller's cleanup removes it


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not offered."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc before 2.28, or another C library
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # a filesystem without the flag: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))


def _check_parents(target: Path) -> None:
    """A regular file where a folder above `target` should be is ENOTDIR, not mkdir's "File exists"."""
    for folder in (target.parent, *target.parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "is a file, not a folder", str(folder))
            return


def _make_parent(target: Path) -> None:
    _check_parents(target)
    target.parent.mkdir(parents=True, exist_ok=True)


def _resolved(out: str | os.PathLike) -> Path:
    """An absolute path with symlinks followed: a link to a run folder keeps pointing at the new run."""
    return Path(os.path.realpath(out))


def _short(name: str) -> str:
    """The folder's name as used in its siblings' names, shortened so those still fit."""
    return name if len(os.fsencode(name)) <= 120 else name[:24]


def _sibling(target: Path, kind: str) -> Path:
    return target.parent / f".{_short(target.name)}.{kind}-{os.getpid()}"


def _is_temp(name: str) -> bool:
    """Ours: an atomic write's temp file, or the CLI's --out probe (engine.os_errors)."""
    from engine.store import is_temp_name

    return is_temp_name(name) or name.startswith(".layerlab-probe-")
