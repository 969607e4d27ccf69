"""Model families: one registry entry per kind of model (today `mlp`; the perceptron, autoencoders,
the VAE and the GAN plug in the same way).

An entry is plain data — the project keys the family reads, its settings under `model`, its named
metrics, its parameter groups, the views it offers — and the dotted name of the function that
builds its parts, imported only when a run is built. So validating a project never imports torch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.spec.registry import Param, Registry


@dataclass(frozen=True)
class Metric:
    """One named number a family reports every epoch (a column of the metrics log)."""

    name: str  # e.g. "train_loss", "reconstruction", "mistakes"
    label: str  # how the window and the help text say it
    kind: str = "loss"  # "loss" | "accuracy" | "count" | "value": how views plot and compare it


@dataclass(frozen=True)
class Family:
    """What one kind of model reads, reports and offers; `builder` makes its trainable parts."""

    name: str
    label: str
    help: str
    keys: tuple[str, ...]  # the project's top-level blocks it reads besides `model`
    settings: tuple[Param, ...]  # keys of the `model` block besides `family`, each checked
    metrics: tuple[Metric, ...]  # in the metrics log's column order
    parameter_groups: tuple[str, ...]  # named groups of weights (e.g. encoder, decoder)
    views: tuple[str, ...]  # the window's views this family feeds
    builder: str  # "module:function" taking (project, dataset) -> parts; imported lazily
    # The metrics log's columns; by default epoch, step, the metrics, lr and seconds.
    columns: tuple[str, ...] | None = None

    @property
    def title(self) -> str:
        return self.label

    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    @property
    def log_columns(self) -> tuple[str, ...]:
        return self.columns or ("epoch", "step", *self.metric_names(), "lr", "seconds")

    def check_settings(self, given: dict[str, Any], path: str) -> dict[str, Any]:
        """The `model` block's settings, defaults filled in and each checked; unknown keys refused."""
        from engine.errors import SpecError

        known = {p.name: p for p in self.settings}
        for key in given:
            if key not in known:
                valid = ", ".join(["family", *known])
                raise SpecError(f"{path}.{key}", f"unknown setting of the {self.name} family; valid: {valid}")
        return {name: p.check(given.get(name, p.default), f"{path}.{name}") for name, p in known.items()}

    def build(self) -> Callable[..., Any]:
        module, _, function = self.builder.partition(":")
        return getattr(importlib.import_module(module), function)


MLP = Family(
    name="mlp",
    label="Supervised network",
    help="a stack of layers trained on labelled data: a classifier or a regressor",
    keys=("data", "network", "training"),
    settings=(),
    # The log's column order is v1's (readers of the older CSV by position still find them).
    metrics=(
        Metric("train_loss", "train loss"),
        Metric("test_loss", "test loss"),
        Metric("penalty", "L1/L2 penalty", "value"),
        Metric("train_accuracy", "train accuracy", "accuracy"),
        Metric("test_accuracy", "test accuracy", "accuracy"),
        Metric("val_loss", "validation loss"),
        Metric("val_accuracy", "validation accuracy", "accuracy"),
    ),
    parameter_groups=("network",),
    views=("decision_map", "curves", "network", "gradients"),
    builder="engine.families.mlp.build:build_parts",
    # v1's order: the validation columns came last, so readers of the older CSV by position still work.
    columns=(
        "epoch",
        "step",
        "train_loss",
        "test_loss",
        "penalty",
        "train_accuracy",
        "test_accuracy",
        "lr",
        "seconds",
        "val_loss",
        "val_accuracy",
    ),
)

FAMILIES = Registry("model family", [MLP])
