"""What a model family is: plain data (the keys it reads, its settings, its named metrics, its
views) and the dotted names of its trainer and builder, imported only when a run is built."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.spec.registry import Param


@dataclass(frozen=True)
class Metric:
    """One named number a family reports every epoch (a column of the metrics log)."""

    name: str  # e.g. "train_loss", "reconstruction", "mistakes"
    label: str  # how the window and the help text say it
    kind: str = "loss"  # "loss" | "accuracy" | "count" | "value" | "flag" | "score" (higher is better)

    @property
    def higher_is_better(self) -> bool:
        """How an example's promise on this metric reads: at least (accuracy, a flag) or at most."""
        return self.kind in ("accuracy", "flag", "score")


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
    # The trainer's class, "module:Class", imported lazily; it takes (project, dataset=None).
    trainer: str = "engine.train:Trainer"
    # Blocks read only in part: block -> the keys of it the family reads (others are refused).
    reads_only: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Settings that are not single values (layer stacks) and checks across settings: "module:function"
    # taking (settings with the Params checked, the raw values of `structured`, path) -> settings.
    # Plain Python (validation imports no torch).
    checker: str | None = None
    structured: tuple[str, ...] = ()  # the `model` keys the checker reads raw, e.g. ("encoder", "decoder")

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
            if key not in known and key not in self.structured:
                valid = ", ".join(["family", *known, *self.structured])
                raise SpecError(f"{path}.{key}", f"unknown setting of the {self.name} family; valid: {valid}")
        checked = {name: p.check(given.get(name, p.default), f"{path}.{name}") for name, p in known.items()}
        if self.checker is None:
            return checked
        raw = {key: given[key] for key in self.structured if key in given}
        return _attribute(self.checker)(checked, raw, path)

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)

    def block_keys(self, block: str) -> tuple[str, ...] | None:
        """The keys of `block` this family reads, or None when it reads all of them."""
        return dict(self.reads_only).get(block)

    def build(self) -> Callable[..., Any]:
        return _attribute(self.builder)

    def trainer_class(self) -> type:
        return _attribute(self.trainer)


def _attribute(dotted: str) -> Any:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)
