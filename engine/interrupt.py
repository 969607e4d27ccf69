"""Ctrl-C during `train`: finish the epoch under way, keep what was trained, then exit 130.

A KeyboardInterrupt raised mid-step would leave weights between two epochs and a run that matches
no metrics row; instead the first Ctrl-C asks the trainer to stop at the end of the epoch (and a
Ctrl-C while the run is being saved waits for the save). A second Ctrl-C stops at once.
"""

from __future__ import annotations

import signal
import sys
import threading
import time

# A second SIGINT this soon after the first is the same interrupt arriving twice, not a second press.
SAME_INTERRUPT_S = 0.5


class EpochEndInterrupt:
    """While active, SIGINT sets `requested`; `on_epoch_end` (the snapshot callback) then stops."""

    def __init__(self, trainer):
        self.trainer = trainer
        self.requested = False
        self._first = 0.0  # when the first Ctrl-C came
        self._previous = None

    def __enter__(self) -> EpochEndInterrupt:
        if threading.current_thread() is threading.main_thread():  # only there may a handler be set
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def on_epoch_end(self, *_args) -> None:
        if self.requested:
            self.trainer.request_stop()

    def _on_sigint(self, signum, frame) -> None:
        now = time.monotonic()
        if self.requested:
            if now - self._first < SAME_INTERRUPT_S:
                return  # one interrupt delivered twice (`timeout` signals the child, then its group)
            self.__exit__()  # a second Ctrl-C: the user will not wait for the epoch to end
            raise KeyboardInterrupt
        self.requested, self._first = True, now
        # Said at once, terminal or not: silence invites the second Ctrl-C that discards the run.
        sys.stderr.write("\nstopping after this epoch and saving (Ctrl-C again to quit at once)\n")
        sys.stderr.flush()
