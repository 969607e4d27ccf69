"""What compare mode's table says about a run: final and best values, and when it reached a target.

Qt-free. Kept exactly over the whole run in little memory: per metric the latest value and the
epochs where it set a new best (a record). The first epoch at which any target was reached is
the first record that meets it, so the user can move the target without the run's full history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

TABLE_METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


def higher_is_better(metric: str) -> bool:
    return metric.endswith("accuracy")


@dataclass
class MetricRecord:
    """One metric of one run: its latest value and its records (epoch, value), oldest first."""

    higher: bool
    final: float | None = None
    records: list[tuple[int, float]] = field(default_factory=list)

    def add(self, epoch: int, value: float | None) -> None:
        if value is None or not math.isfinite(value):
            return
        self.final = value
        if not self.records or self._better(value, self.records[-1][1]):
            self.records.append((epoch, value))

    def _better(self, value: float, than: float) -> bool:
        return value > than if self.higher else value < than

    @property
    def best(self) -> float | None:
        return self.records[-1][1] if self.records else None

    def first_reaching(self, target: float) -> int | None:
        """The first epoch whose value met `target` (≥ for accuracy, ≤ for a loss), or None."""
        for epoch, value in self.records:
            if (value >= target) if self.higher else (value <= target):
                return epoch
        return None


class RunStats:
    """The table's numbers for one run, fed its Snapshots in epoch order."""

    def __init__(self, higher: dict[str, bool] | None = None) -> None:
        """`higher`: metric -> whether higher is better (the family's Metrics); the mlp's by default."""
        if higher is None:
            higher = {name: higher_is_better(name) for name in TABLE_METRICS}
        self.metrics = {name: MetricRecord(up) for name, up in higher.items()}
        self.epoch = 0

    def add(self, snap) -> None:
        if snap.epoch <= self.epoch and any(r.final is not None for r in self.metrics.values()):
            return  # the same epoch again (a frame's latest after its snapshots)
        self.epoch = snap.epoch
        for name, record in self.metrics.items():
            record.add(snap.epoch, snap.metrics.get(name))

    def final(self, metric: str) -> float | None:
        record = self.metrics.get(metric)
        return None if record is None else record.final

    def best(self, metric: str) -> float | None:
        record = self.metrics.get(metric)
        return None if record is None else record.best

    def first_reaching(self, metric: str, target: float) -> int | None:
        record = self.metrics.get(metric)
        return None if record is None else record.first_reaching(target)


def target_metric(classification: bool, has_test: bool) -> str:
    """The metric a target is set on: test accuracy (classification) or test loss (regression);
    the training split's where there is no test split."""
    split = "test" if has_test else "train"
    return f"{split}_accuracy" if classification else f"{split}_loss"


def ranks(stats: dict[str, RunStats], order: list[tuple[str, bool]]) -> dict[str, int]:
    """Run id -> its place (1 the best) by the latest value of `order`'s first metric, ties broken
    by the next ((metric, higher is better) each); runs without the first one yet are left out."""
    first = order[0][0]

    def key(run_stats: RunStats) -> tuple:
        values = (run_stats.final(metric) for metric, _ in order)
        sign = [1 if higher else -1 for _, higher in order]
        return tuple(-math.inf if v is None else s * v for v, s in zip(values, sign, strict=True))

    keys = {run_id: key(s) for run_id, s in stats.items() if s.final(first) is not None}
    return {run_id: 1 + sum(other > mine for other in keys.values()) for run_id, mine in keys.items()}
