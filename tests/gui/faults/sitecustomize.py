"""Fault injection for child processes, loaded by Python at start-up when this folder is on
PYTHONPATH (tests/gui/test_session_loss.py puts it there for the processes a window starts).

LAYERLAB_TEST_FAULT=enospc: every os.fsync fails as on a full disk (atomic writes fsync the
    temporary file before renaming it, so nothing may reach its final name).
LAYERLAB_TEST_FAULT=abort: every os.fsync aborts the process, as TorchScript's writer did on a
    full disk (signal 6).
"""

import errno
import os

_FAULT = os.environ.get("LAYERLAB_TEST_FAULT", "")

if _FAULT == "enospc":

    def _full_disk_fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    os.fsync = _full_disk_fsync
elif _FAULT == "abort":

    def _aborting_fsync(fd):
        os.abort()

    os.fsync = _aborting_fsync
