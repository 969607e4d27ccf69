"""A bounded per-epoch metrics log: full detail for ordinary runs, flat memory for endless ones.

Its columns come from the model family: epoch and step, then the family's named metrics with the
learning rate and the training time (engine.families.Family.log_columns).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np

from engine.snapshot import Snapshot

FIXED = {"epoch", "step", "lr", "seconds"}  # columns every family has, read from the Snapshot itself


def family_columns(family: str = "mlp") -> tuple[str, ...]:
    from engine.families import FAMILIES

    return FAMILIES[family].log_columns


class MetricsLog:
    """Rows of epoch metrics; past `limit` rows every other row is dropped, so memory stays flat."""

    def __init__(self, columns: Sequence[str] | None = None, limit: int = 100_000):
        self.columns = tuple(columns) if columns is not None else family_columns()
        self.limit = limit
        self._rows = np.full((1024, len(self.columns)), np.nan)
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
        fixed = {"epoch": snap.epoch, "step": snap.step, "lr": snap.lr, "seconds": snap.elapsed}
        self._rows[self._count] = [
            fixed[name] if name in FIXED else _nan(snap.metrics.get(name)) for name in self.columns
        ]
        self._count += 1

    def truncate(self, epoch: int) -> None:
        """Forget the rows after `epoch` (a run resumed from an earlier state goes on from there)."""
        epochs = self._rows[: self._count, 0]
        self._count = int(np.searchsorted(epochs, epoch, side="right"))

    def column(self, name: str) -> np.ndarray:
        return self._rows[: self._count, self.columns.index(name)].copy()

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self._rows[: self._count]:
            writer.writerow(
                ["" if np.isnan(v) else (int(v) if i < 2 else f"{v:.8g}") for i, v in enumerate(row)]
            )
        return out.getvalue()


def _nan(value: float | None) -> float:
    return np.nan if value is None else value
