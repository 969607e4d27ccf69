"""A bounded per-epoch metrics log: full detail for ordinary runs, flat memory for endless ones."""

from __future__ import annotations

import csv
import io

import numpy as np

from engine.snapshot import Snapshot

COLUMNS = (
    "epoch",
    "step",
    "train_loss",
    "test_loss",
    "penalty",
    "train_accuracy",
    "test_accuracy",
    "lr",
    "seconds",
    "val_loss",  # last, so readers of the older columns by position still find them
    "val_accuracy",
)


class MetricsLog:
    """Rows of epoch metrics; past `limit` rows every other row is dropped, so memory stays flat."""

    def __init__(self, limit: int = 100_000):
        self.limit = limit
        self._rows = np.full((1024, len(COLUMNS)), np.nan)
        self._count = 0
        self._stride = 1  # keep one row in `stride` after decimation

    def __len__(self) -> int:
        return self._count

    def append(self, snap: Snapshot) -> None:
        if snap.epoch % self._stride:
            return
        if self._count == len(self._rows):
            if self._count >= self.limit:
                self._rows[: self._count // 2] = self._rows[1 : self._count : 2]
                self._count //= 2
                self._stride *= 2
                if snap.epoch % self._stride:
                    return
            else:
                self._rows = np.concatenate([self._rows, np.full_like(self._rows, np.nan)])
        self._rows[self._count] = [
            snap.epoch,
            snap.step,
            snap.train_loss,
            _nan(snap.test_loss),
            snap.penalty,
            _nan(snap.train_accuracy),
            _nan(snap.test_accuracy),
            snap.lr,
            snap.elapsed,
            _nan(snap.val_loss),
            _nan(snap.val_accuracy),
        ]
        self._count += 1

    def truncate(self, epoch: int) -> None:
        """Forget the rows after `epoch` (a run resumed from an earlier state goes on from there)."""
        epochs = self._rows[: self._count, 0]
        self._count = int(np.searchsorted(epochs, epoch, side="right"))

    def column(self, name: str) -> np.ndarray:
        return self._rows[: self._count, COLUMNS.index(name)].copy()

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in self._rows[: self._count]:
            writer.writerow(
                ["" if np.isnan(v) else (int(v) if i < 2 else f"{v:.8g}") for i, v in enumerate(row)]
            )
        return out.getvalue()


def _nan(value: float | None) -> float:
    return np.nan if value is None else value
