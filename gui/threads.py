"""Every thread and child process the window starts, made and found through one place.

Qt cannot list the threads of an application: `findChildren(QThread)` sees only threads with a
QObject parent, and the relay thread has none (a parented QThread is deleted with its parent,
even while it still runs). A thread made here is remembered (weakly), so a test, or the window
when it closes, can ask which are still running, whatever their parent.
"""

from __future__ import annotations

import multiprocessing
import weakref

from PySide6.QtCore import QThread

_THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()


def new_thread(name: str) -> QThread:
    """A parentless QThread named `name`, remembered until it is garbage."""
    thread = QThread()
    thread.setObjectName(name)
    _THREADS.add(thread)
    return thread


def running_threads() -> list[QThread]:
    """The threads made by `new_thread` that are running now."""
    alive = []
    for thread in list(_THREADS):
        try:
            if thread.isRunning():
                alive.append(thread)
        except RuntimeError:  # its C++ object is gone: it cannot be running
            continue
    return alive


def running_processes() -> list[multiprocessing.process.BaseProcess]:
    """This process's multiprocessing children still alive: the training sessions. (An export is
    the session's child, not the window's: it ends by itself, see engine/export/job.py.)"""
    return multiprocessing.active_children()


def stop_leftovers(timeout_ms: int = 2000) -> list[str]:
    """Stop every thread and child process still running; name each one stopped.

    For test teardown: a thread or process that outlives its window fires into deleted objects
    later and crashes an unrelated test, far from its cause.
    """
    stopped = []
    for thread in running_threads():
        thread.quit()
        thread.wait(timeout_ms)
        stopped.append(f"thread {thread.objectName() or '(unnamed)'}")
    for process in running_processes():
        process.kill()
        process.join(timeout_ms / 1000)
        stopped.append(f"process {process.name} (pid {process.pid})")
    return stopped
