"""Immutable records the trainer hands to its listeners: plain numbers and numpy arrays only.

A Snapshot never holds a live tensor, so it can cross threads and be kept in plot buffers
without pinning the model's memory or racing the optimizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

STATUSES = ("ready", "running", "paused", "completed", "early_stopping", "diverged")


@dataclass(frozen=True)
class LayerStat:
    """Weight and gradient health of one layer at the end of an epoch."""

    name: str  # e.g. "layers.0 (dense)" or "head"
    weight_norm: float  # L2 norm of the layer's weights (biases excluded)
    grad_norm: float  # L2 norm of the gradient of the loss w.r.t. those weights
    update_ratio: float  # ||delta w|| / ||w|| of the last update (lr-scaled step size)


@dataclass(frozen=True)
class Snapshot:
    """The state of training after `epoch` epochs and `step` optimizer updates.

    `metrics` holds the family's named metrics (engine.families.Family.metrics), None where one
    does not apply (no test split, regression's accuracy). The supervised family's names are also
    attributes (snap.train_loss), as every view and the CLI read them.
    """

    epoch: int
    step: int
    metrics: Mapping[str, float | None]
    lr: float
    elapsed: float  # seconds of training so far (excludes pauses)
    layers: tuple[LayerStat, ...] = ()
    status: str = "running"
    message: str = ""

    def metric(self, name: str) -> float | None:
        return self.metrics.get(name)

    # The mlp family's metrics. Losses are data losses over a whole split in eval mode; the
    # penalty (L1/L2) is reported apart; validation is the split early stopping watches.
    train_loss = property(lambda self: self.metrics.get("train_loss"))
    test_loss = property(lambda self: self.metrics.get("test_loss"))
    penalty = property(lambda self: self.metrics.get("penalty"))
    train_accuracy = property(lambda self: self.metrics.get("train_accuracy"))
    test_accuracy = property(lambda self: self.metrics.get("test_accuracy"))
    val_loss = property(lambda self: self.metrics.get("val_loss"))
    val_accuracy = property(lambda self: self.metrics.get("val_accuracy"))


@dataclass(frozen=True)
class GridProbe:
    """The network's response over a regular grid of the 2-D (or 1-D) raw input domain.

    `output` is (res, res) for 2-D inputs (row = x2 from low to high, column = x1), or (res,)
    for 1-D inputs. For binary classification it is 2p-1 in [-1, 1] (TF Playground's scale);
    for multi-class it is the winning class index and `confidence` its probability; for
    regression it is the predicted value. `units[i]` is (n_units_i, res, res): the output of
    every unit of hidden layer i; `features` is (n_features, res, res): each input feature.
    """

    extent: tuple[float, float, float, float]  # x1_min, x1_max, x2_min, x2_max
    output: np.ndarray
    confidence: np.ndarray | None = None
    features: np.ndarray | None = None
    feature_names: tuple[str, ...] = ()
    units: tuple[np.ndarray, ...] = ()
    unit_layer_names: tuple[str, ...] = ()
    weights: tuple[np.ndarray, ...] = field(default=())  # dense weight matrices (out, in), per layer
