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
    kind: str = "loss"  # "loss" | "accuracy" | "count" | "value" | "flag": how views plot and compare it

    @property
    def higher_is_better(self) -> bool:
        """How an example's promise on this metric reads: at least (accuracy, a flag) or at most."""
        return self.kind in ("accuracy", "flag")


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

PERCEPTRON = Family(
    name="perceptron",
    label="Perceptron (Rosenblatt's rule)",
    help="one linear unit with a sign output, trained one point at a time: an update only on a mistake",
    keys=("data", "training"),
    settings=(
        Param("lr", 1.0, float, 1e-6, 1e6, help="scales every update (the rule's path keeps its shape)"),
        Param("pocket", False, bool, help="keep the weights with the fewest training errors seen (Gallant)"),
    ),
    metrics=(
        Metric("mistakes", "mistakes (updates so far)", "count"),
        Metric("bound", "mistake bound (R/γ)²", "value"),
        Metric("converged", "converged (a pass without a mistake)", "flag"),
        Metric("errors", "training points misclassified", "count"),
        Metric("train_accuracy", "train accuracy", "accuracy"),
        Metric("test_accuracy", "test accuracy", "accuracy"),
    ),
    parameter_groups=("theta",),
    views=("perceptron", "decision_map", "curves"),
    builder="engine.families.perceptron.trainer:PerceptronTrainer",
    trainer="engine.families.perceptron.trainer:PerceptronTrainer",
    reads_only=(("training", ("epochs",)),),  # one pass per epoch; the rule has no optimizer
)

FAMILIES = Registry("model family", [MLP, PERCEPTRON])
