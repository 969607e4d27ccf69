"""A child process's exit status in words, for messages a person reads."""

from __future__ import annotations

import signal


def describe_exit(code: int | None) -> str:
    """E.g. 'was killed (SIGKILL)', 'ended with exit code 1', 'is still running'."""
    if code is None:
        return "is still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed ({name})"
    return f"ended with exit code {code}"
