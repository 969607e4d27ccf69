"""Immutable records the trainer hands to its listeners: plain numbers and numpy arrays only.

A Snapshot never holds a live tensor, so it can cross threads and be kept in plot buffers
without pinning the model's memory or racing the optimizer.
"""

from __future__ import annotations

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
    """The state of training after `epoch` epochs and `step` optimizer updates."""

    epoch: int
    step: int
    train_loss: float  # data loss over the whole training split, eval mode
    test_loss: float | None  # None when there is no test split
    penalty: float  # L1/L2 penalty term (reported apart from the data loss)
    train_accuracy: float | None  # None for regression
    test_accuracy: float | None
    lr: float
    elapsed: float  # seconds of training so far (excludes pauses)
    layers: tuple[LayerStat, ...] = ()
    status: str = "running"
    message: str = ""
    # The split early stopping watches (held out of the training share); None when there is none.
    val_loss: float | None = None
    val_accuracy: float | None = None


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
