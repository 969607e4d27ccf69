"""Numba's disk cache of the fast path's kernels, dropped when any kernel's source is newer.

Numba checks a cached function against its own file only: race_kernel's compiled code holds
optimizer_kernel's and fastkernel's inside it, so an edit there left a race training with the
old rules (measured: Adadelta raced with Adam's update after optimizer_kernel.py changed). Any
kernel file newer than a cache entry of any of them drops every entry; the next call compiles.
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNEL_MODULES = ("fastkernel", "optimizer_kernel", "race_kernel", "epoch_kernel")


def drop_stale() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return  # a cache kept elsewhere is the user's to manage
    try:
        newest = max((HERE / f"{name}.py").stat().st_mtime for name in KERNEL_MODULES)
        entries = [
            entry
            for entry in (HERE / "__pycache__").iterdir()
            if entry.suffix in (".nbi", ".nbc") and entry.name.split(".")[0] in KERNEL_MODULES
        ]
        if any(entry.stat().st_mtime < newest for entry in entries):
            for entry in entries:
                entry.unlink(missing_ok=True)
    except OSError:
        return  # no cache yet, or a read-only install: numba then compiles in memory as it would
