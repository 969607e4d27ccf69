"""The training session's process: commands in through one pipe, events out through another.

`run_child` is the target of the process the window starts (gui/session_client.py); it serves an
engine.session.session.Session until the window says `shutdown` or goes away.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.session.session import Session


def serve(commands, events) -> None:
    """The child process's main loop: commands in, events out, until `shutdown` or a closed pipe."""
    import torch

    torch.set_num_threads(1)  # one core trains; the other stays free for the window
    try:  # numpy's BLAS pool too (measured: the session used 113% CPU without this)
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    from engine.families.mlp.race_kernel import warm_up

    warm_up()  # the compiled small-network steps (one run's, a race's): loaded from disk, compiled once per machine
    session = Session(lambda kind, payload: events.send((kind, payload)))
    waiting = _command_check(commands)
    try:
        while True:
            wait = session.wait_seconds()
            # While training, the cheap check; Connection.poll costs ~0.3 ms even with nothing to read.
            ready = waiting() if wait == 0.0 and waiting is not None else commands.poll(wait)
            while ready:
                command, arg = commands.recv()
                if not session.handle(command, arg):
                    return
                ready = waiting() if waiting is not None else commands.poll(0.0)
            session.tick(interrupted=waiting)
            session.poll_exports()
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        return  # the window has gone


def _command_check(commands) -> Callable[[], bool] | None:
    """A cheap "is a command waiting?" for the training loop to ask every epoch.

    Connection.poll builds a selector per call (measured: 16% fewer epochs/s when asked every
    epoch); a select.poll object made once costs microseconds. None where select.poll is missing
    (Windows): the slice then ends on its timer alone.
    """
    import select

    if not hasattr(select, "poll"):
        return None
    poller = select.poll()
    poller.register(commands.fileno(), select.POLLIN)
    return lambda: bool(poller.poll(0))


def run_child(commands, events) -> None:
    """Process target: serve, then leave at once. Tearing down torch and numba in an orderly
    interpreter exit took over a second, and the window waits for this process when it closes;
    nothing is left to flush (each command, exports included, has finished before the next)."""
    import os
    import sys

    serve(commands, events)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
