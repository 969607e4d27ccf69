"""Ctrl-C during `train`: finish the epoch under way, keep what was trained, then exit 130.

A KeyboardInterrupt raised mid-step would leave weights between two epochs and a run that matches
no metrics row; instead the first Ctrl-C asks the trainer to stop at the end of the epoch (and a
Ctrl-C while the run is being saved waits for the save). A second Ctrl-C stops at once.
"""

from __future__ import annotations

import signal
import sys
import threading


class EpochEndInterrupt:
    """While active, SIGINT sets `requested`; `on_epoch_end` (the snapshot callback) then stops."""

    def __init__(self, trainer):
        self.trainer = trainer
        self.requested = False
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
        if self.requested:  # the second Ctrl-C: the user will not wait for the epoch to end
            self.__exit__()
            raise KeyboardInterrupt
        self.requested = True
        if sys.stderr.isatty():
            sys.stderr.write("\nstopping after this epoch and saving (Ctrl-C again to quit at once)\n")
