"""Datasets: every generator and loader behind one table (DATASETS) and one call (make_dataset).

A set is generated in a fixed order from a seeded numpy Generator, shuffled once, and split:
the first floor(N·train_fraction) points are the training share, the rest test (the playground's
rule). A validation split, when asked for, is held out of the end of the training share, so the
test split is the same points with or without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.data import csv_data, painted, playground, real, sequences, synthetic
from engine.data.base import MAX_ELEMENTS, MAX_SAMPLES, Generated, Info
from engine.errors import SpecError
from engine.spec.registry import Registry
from engine.spec.validate import check_number

__all__ = [
    "AUTO_VALIDATION",
    "DATASETS",
    "MAX_SAMPLES",
    "Dataset",
    "check_validation",
    "dataset_defaults",
    "make_dataset",
    "preview",
    "validation_share",
]
AUTO_VALIDATION = 0.2  # "auto" with early stopping on: a fifth of the training share validates

_MODULES = (playground, synthetic, real, sequences, csv_data, painted)
DATASETS = Registry("dataset", [entry for module in _MODULES for entry in module.ENTRIES])
_INFO: dict[str, Info] = {name: info for module in _MODULES for name, info in module.INFO.items()}


@dataclass(frozen=True, eq=False)
class Dataset:
    """One generated or loaded dataset, already split; inputs are RAW (preprocessing comes later)."""

    name: str
    kind: str  # "points2d" | "function1d" | "tabular" | "image" | "sequence"
    task: str  # "classification" | "regression"
    x_train: np.ndarray  # float32 (N, *raw_shape)
    y_train: np.ndarray  # int64 (N,) labels 0..k-1, or float32 (N,) values
    x_test: np.ndarray
    y_test: np.ndarray
    raw_shape: tuple[int, ...]
    input_names: tuple[str, ...]
    n_classes: int  # 0 for regression
    class_names: tuple[str, ...]
    domain: tuple[float, float] | None  # axis range for points2d / function1d grid probes
    # Held out of the training share for decisions (early stopping); empty when not asked for.
    x_val: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    y_val: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    target_name: str = ""  # the target's column name where the data has one (a CSV)


def make_dataset(data_spec: dict, seed: int, early_stopping: bool = False) -> Dataset:
    """Generate or load the set `data_spec` describes, deterministically from `seed`; SpecError if bad.

    `early_stopping` decides what a validation_fraction of "auto" means: a fifth of the training
    share while early stopping is on (it needs a split to watch), none otherwise.
    """
    name = data_spec.get("name", "spiral")
    entry = DATASETS.lookup(name, "data.name")
    info = _INFO[name]
    params = entry.check_params(data_spec.get("params") or {}, "data.params")
    samples = _samples(name, info, data_spec.get("samples"), params)
    noise = _noise(name, info, data_spec.get("noise", 0.0))
    fraction = check_number(data_spec.get("train_fraction", 0.5), "data.train_fraction", float, 0.0, 1.0)
    rng = np.random.default_rng(seed)
    spec = {**data_spec, "samples": samples, "noise": noise, "params": params}
    checked = check_validation(data_spec.get("validation_fraction", "auto"), fraction)
    validation = validation_share(checked, fraction, early_stopping)
    generated = entry.factory(spec, rng)
    return _split(name, info, generated, samples, (fraction, validation), rng)


def check_validation(value: Any, train_fraction: float) -> float | str:
    """data.validation_fraction: "auto", or a fraction of all points below the training share's."""
    if isinstance(value, str) and value == "auto":
        return value
    value = check_number(value, "data.validation_fraction", float, 0.0, 0.9, ' or "auto"')
    if value and value >= train_fraction:
        raise SpecError(
            "data.validation_fraction",
            f"{value:g} must be below data.train_fraction ({train_fraction:g}): validation is held out "
            "of the training share, which must keep points to train on",
        )
    return value


def validation_share(value: float | str, train_fraction: float, early_stopping: bool) -> float:
    """The fraction of all points that validates: "auto" is a fifth of the training share with early stopping."""
    if value == "auto":
        return AUTO_VALIDATION * train_fraction if early_stopping else 0.0
    return float(value)


def _samples(name: str, info: Info, samples: Any, params: dict) -> int | None:
    if samples is None:
        return info.samples
    samples = check_number(samples, "data.samples", int, 1, MAX_SAMPLES)
    fixed = real.FIXED_SIZES.get(name)
    if fixed is not None and samples > fixed:
        raise SpecError("data.samples", f"{name} has {fixed:,} samples; ask for at most that many")
    per_sample = info.values_per_sample * params.get("length", 1)
    if samples * per_sample > MAX_ELEMENTS:
        raise SpecError(
            "data.samples", f"{samples:,} samples of {per_sample} values is too much data; use fewer samples"
        )
    return samples


def _noise(name: str, info: Info, noise: Any) -> float:
    if info.noise_max == 0:
        return 0.0  # fixed sets take no noise; the setting is ignored rather than refused
    hint = f" for {name} ({info.noise_help})" if info.noise_help else f" for {name}"
    return check_number(noise, "data.noise", float, 0.0, info.noise_max, hint)


def _split(
    name: str, info: Info, gen: Generated, samples: int | None, fractions: tuple[float, float], rng
) -> Dataset:
    order = rng.permutation(len(gen.x))
    if samples is not None:
        order = order[:samples]  # fixed sets (digits, iris, csv) may be asked for a subset
    n = len(order)
    n_share = min(n, max(1, math.floor(n * fractions[0] + 1e-9)))  # +1e-9: 0.29·100 must give 29
    n_train = n_share - _validation_count(n, n_share, fractions[1])
    x = np.ascontiguousarray(gen.x[order], dtype=np.float32)
    classification = gen.task == "classification"
    y = gen.y[order].astype(np.int64 if classification else np.float32)
    return Dataset(
        name=name,
        kind=info.kind,
        task=gen.task,
        x_train=x[:n_train],
        y_train=y[:n_train],
        x_test=x[n_share:],
        y_test=y[n_share:],
        x_val=x[n_train:n_share],
        y_val=y[n_train:n_share],
        raw_shape=tuple(x.shape[1:]),
        input_names=tuple(gen.input_names),
        n_classes=len(gen.class_names) if classification else 0,
        class_names=tuple(gen.class_names) if classification else (),
        domain=info.domain,
        target_name=gen.target_name,
    )


def _validation_count(n: int, n_share: int, fraction: float) -> int:
    """Points held out of the training share: at least one when asked for, never all of it."""
    if fraction <= 0:
        return 0
    if n_share < 2:
        raise SpecError(
            "data.validation_fraction",
            f"the training share has {n_share} point; a validation split needs more data or a larger "
            "data.train_fraction",
        )
    return min(n_share - 1, max(1, math.floor(n * fraction + 1e-9)))


def dataset_defaults(name: str) -> dict[str, Any]:
    """What a data panel needs before generating: kind, task(s), default size, noise range, params."""
    entry = DATASETS.lookup(name, "data.name")
    info = _INFO[name]
    return {
        "kind": info.kind,
        "tasks": tuple(t for t in ("classification", "regression") if t in entry.tags),
        "samples": info.samples if info.samples is not None else real.FIXED_SIZES.get(name),
        "max_samples": real.FIXED_SIZES.get(name, MAX_SAMPLES),
        "noise": 0.0,
        "noise_range": (0.0, info.noise_max),
        "noise_help": info.noise_help,
        "features": ["x1", "x2"] if info.kind == "points2d" else [],
        "domain": info.domain,
        "params": entry.defaults(),
    }


def preview(
    name: str, n: int = 200, seed: int = 0, noise: float = 0.0, params: dict | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """A few raw points (x float32 (n, d), y labels or values) for a thumbnail; None unless 2-D or 1-D."""
    entry = DATASETS.lookup(name, "data.name")
    info = _INFO[name]
    if info.kind not in ("points2d", "function1d"):
        return None
    checked = entry.check_params(params or {}, "data.params")
    spec = {"samples": n, "noise": min(max(noise, 0.0), info.noise_max), "params": checked}
    gen = entry.factory(spec, np.random.default_rng(seed))
    return gen.x.astype(np.float32), gen.y
