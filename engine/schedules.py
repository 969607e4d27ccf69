"""Learning-rate schedules as pure functions of the (fractional) epoch, with optional linear warm-up."""

from __future__ import annotations

import math
from typing import Any

from engine.spec.registry import Entry, Param, Registry

_WARMUP = Param(
    "warmup_epochs", 0.0, float, 0.0, 10_000.0, help="ramp the rate up linearly from 0 over these epochs"
)
_RATE = Param("rate", 0.5, float, 0.0, 1.0, help="decay factor")
_EVERY = Param("every", 10.0, float, 1e-3, 1e6, help="epochs per decay step")


def _constant(lr0: float, e: float) -> float:
    return lr0


def _exponential(lr0: float, e: float, rate: float, every: float) -> float:
    return lr0 * rate ** (e / every)


def _inverse_time(lr0: float, e: float, rate: float, every: float) -> float:
    return lr0 / (1.0 + rate * e / every)


def _step(lr0: float, e: float, rate: float, every: float) -> float:
    return lr0 * rate ** math.floor(e / every)


def _cosine(lr0: float, e: float, period: float, min_fraction: float) -> float:
    low = lr0 * min_fraction
    return low + 0.5 * (lr0 - low) * (1.0 + math.cos(math.pi * min(e, period) / period))


SCHEDULES = Registry(
    "schedule",
    [
        Entry("constant", _constant, "Constant", "the same rate throughout", (_WARMUP,)),
        Entry(
            "exponential",
            _exponential,
            "Exponential decay",
            "lr·rate^(epoch/every)",
            (Param("rate", 0.9, float, 1e-6, 1.0, help="factor per `every` epochs"), _EVERY, _WARMUP),
        ),
        Entry(
            "inverse_time",
            _inverse_time,
            "Inverse-time (1/t)",
            "lr / (1 + rate·epoch/every)",
            (Param("rate", 0.5, float, 0.0, 1e3), _EVERY, _WARMUP),
        ),
        Entry(
            "step",
            _step,
            "Step (piecewise constant)",
            "lr·rate^⌊epoch/every⌋: drops at fixed epochs",
            (_RATE, _EVERY, _WARMUP),
        ),
        Entry(
            "cosine",
            _cosine,
            "Cosine",
            "from lr down to lr·min_fraction along half a cosine over `period` epochs",
            (Param("period", 100.0, float, 1e-3, 1e6), Param("min_fraction", 0.0, float, 0.0, 1.0), _WARMUP),
        ),
    ],
)


def learning_rate(schedule: dict[str, Any], lr0: float, epoch: float) -> float:
    """The rate at fractional epoch `epoch` (0 at the start) for a validated schedule dict."""
    params = {k: v for k, v in schedule.items() if k not in ("name", "warmup_epochs")}
    lr = SCHEDULES[schedule["name"]].factory(lr0, epoch, **params)
    warmup = schedule.get("warmup_epochs", 0.0)
    if warmup > 0 and epoch < warmup:
        lr *= epoch / warmup
    return lr
