"""How the session reports an unexpected exception: one line for the window, the traceback on stderr."""

from __future__ import annotations

import traceback


def describe(exc: BaseException) -> str:
    """One line for the status bar; the traceback goes to stderr for bug reports."""
    traceback.print_exception(exc)
    return f"{type(exc).__name__}: {exc}".splitlines()[0]
