"""What every dataset generator returns, and the facts about each set that do not depend on a run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SAMPLES = 200_000
MAX_ELEMENTS = 20_000_000  # samples x values per sample, checked before any array is allocated
PLAYGROUND_DOMAIN = (-6.0, 6.0)
PM1_NAMES = ("-1", "+1")  # playground labels: class 0 is -1 (orange), class 1 is +1 (blue)


@dataclass(frozen=True)
class Generated:
    """Raw points in generation order (make_dataset shuffles and splits them)."""

    x: np.ndarray  # (N, *raw_shape), any float dtype
    y: np.ndarray  # int (N,) class indices or float (N,) values
    task: str  # "classification" | "regression"
    class_names: tuple[str, ...] = ()
    input_names: tuple[str, ...] = ("x1", "x2")
    target_name: str = ""  # the target's column name where the data has one (a CSV)


@dataclass(frozen=True)
class Info:
    """Run-independent facts about a dataset: its kind, default size, noise range and domain."""

    kind: str  # "points2d" | "function1d" | "tabular" | "image" | "sequence"
    samples: int | None  # default size; None for a fixed set (all of its rows)
    noise_max: float  # 0: the set takes no noise and ignores the setting
    domain: tuple[float, float] | None = None
    noise_help: str = ""
    values_per_sample: int = 2  # for the allocation limit; a param may scale it (see sequences)


def balanced_counts(n: int, k: int) -> list[int]:
    """Split n points over k classes as evenly as possible, earlier classes taking the remainder."""
    return [n // k + (1 if j < n % k else 0) for j in range(k)]


def pm1_labels(positive: np.ndarray) -> np.ndarray:
    """Playground ±1 labels as class indices: +1 -> 1, -1 -> 0."""
    return np.asarray(positive, dtype=np.int64)
