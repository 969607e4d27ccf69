"""A run's past parameters, kept so the window can scrub back to an epoch and branch from it.

Every epoch is kept at first; when the memory bound is reached every other kept epoch is dropped
and from then on only every second epoch is recorded (then every fourth, ...), so an endless run
keeps an evenly spaced history of its whole past in bounded memory. Epoch 0 (the initial weights)
and the latest epoch are always there.

Why 50 MB a run: compare mode holds up to 8 runs, so 400 MB at worst beside the ~400 MB the
training process needs anyway; for the playground's networks (a few hundred parameters, ~5 KB an
epoch with Python's overhead) that is every epoch of the first ~10,000, and for the digits CNN
(~100 KB an epoch) still ~500 evenly spaced epochs.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

import numpy as np

MEMORY_BOUND = 50 * 2**20  # bytes per run
ENTRY_OVERHEAD = 1024  # bytes a kept epoch costs beyond its arrays (dicts, array headers)


class ParameterHistory:
    """Parameters by epoch, thinned to stay within `bound` bytes.

    The arrays are kept as given, not copied: the Trainer hands over each epoch's fresh state
    (the copy it makes anyway to check for divergence), which nothing changes afterwards.
    """

    def __init__(self, bound: int = MEMORY_BOUND):
        self.bound = bound
        self.stride = 1  # epochs are kept when epoch % stride == 0 (the latest always)
        self._epochs: list[int] = []
        self._states: list[Mapping[str, np.ndarray]] = []
        self._bytes: list[int] = []

    def __len__(self) -> int:
        return len(self._epochs)

    @property
    def epochs(self) -> list[int]:
        return list(self._epochs)

    @property
    def nbytes(self) -> int:
        return sum(self._bytes)

    def record(self, epoch: int, state: Mapping[str, np.ndarray]) -> None:
        """Keep `state` as the parameters after `epoch` epochs (a later epoch than any kept)."""
        if self._epochs and epoch <= self._epochs[-1]:
            self.truncate(epoch - 1)  # a run set back (a restore) records its new past
        # The previous latest epoch was kept only because it was the latest.
        if len(self._epochs) > 1 and self._epochs[-1] % self.stride:
            self._drop(len(self._epochs) - 1)
        self._epochs.append(epoch)
        self._states.append(state)
        self._bytes.append(sum(np.asarray(a).nbytes for a in state.values()) + ENTRY_OVERHEAD)
        while self.nbytes > self.bound and len(self._epochs) > 2:
            self._thin()

    def _thin(self) -> None:
        self.stride *= 2
        keep = [
            i
            for i, e in enumerate(self._epochs)
            if e % self.stride == 0 or i == 0 or i == len(self._epochs) - 1
        ]
        if len(keep) == len(self._epochs):  # nothing left to drop at this stride: drop the oldest but one
            keep = [0, *range(2, len(self._epochs))]
        self._epochs = [self._epochs[i] for i in keep]
        self._states = [self._states[i] for i in keep]
        self._bytes = [self._bytes[i] for i in keep]

    def _drop(self, index: int) -> None:
        del self._epochs[index], self._states[index], self._bytes[index]

    def at(self, epoch: int) -> tuple[int, Mapping[str, np.ndarray]] | None:
        """The latest kept (epoch, parameters) at or before `epoch`, or None when none is."""
        index = bisect.bisect_right(self._epochs, epoch) - 1
        if index < 0:
            return None
        return self._epochs[index], self._states[index]

    def truncate(self, epoch: int) -> None:
        """Forget what was kept after `epoch`."""
        cut = bisect.bisect_right(self._epochs, epoch)
        del self._epochs[cut:], self._states[cut:], self._bytes[cut:]

    def copy_until(self, epoch: int) -> ParameterHistory:
        """A new history holding this one's epochs up to `epoch` (a branch's past is its parent's)."""
        other = ParameterHistory(self.bound)
        cut = bisect.bisect_right(self._epochs, epoch)
        other.stride = self.stride
        other._epochs, other._states, other._bytes = (
            self._epochs[:cut],
            self._states[:cut],
            self._bytes[:cut],
        )
        return other
