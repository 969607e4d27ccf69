"""What the network's output means for a task: its width, activation, loss and target encoding.

One place decides how labels become loss targets and how outputs become probabilities, so the
trainer, the probes and the exports all read the output the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.errors import SpecError

REGRESSION_LOSSES = ("mse", "mae", "half_mse")
LOGIT_LOSSES = ("bce", "cross_entropy", "kl_div")


@dataclass(frozen=True)
class TaskHead:
    """The resolved output contract of a project on a dataset."""

    task: str  # "classification" | "regression"
    n_classes: int  # 0 for regression
    loss: str
    output_activation: str
    n_out: int
    target_kind: str  # "binary" (N,1) 0/1, "pm1" (N,1) ±1, "index" (N,), "onehot" (N,k), "value" (N,1)
    loss_params: dict[str, Any] = field(default_factory=dict)

    @property
    def classification(self) -> bool:
        return self.task == "classification"


def resolve_task(training, network, dataset) -> TaskHead:
    """Pick loss, output width and activation for `dataset`; refuse combinations that cannot work."""
    task, k = dataset.task, dataset.n_classes
    loss = training.loss
    out_act = network.output_activation
    if training.preset == "playground":
        if loss not in ("auto", "half_mse"):
            raise SpecError(
                "training.loss", f"the playground preset trains with half_mse (½·MSE), not {loss}"
            )
        if task == "classification" and k != 2:
            raise SpecError("data.name", f"the playground preset needs two classes; {dataset.name} has {k}")
        loss = "half_mse"
        out_act = "tanh" if task == "classification" else "linear"
        kind = "pm1" if task == "classification" else "value"
        return TaskHead(task, k, loss, out_act, 1, kind)
    if task == "regression":
        loss = "mse" if loss == "auto" else loss
        if loss not in REGRESSION_LOSSES:
            raise SpecError(
                "training.loss",
                f"{loss} is for classification; {dataset.name} is regression — use {', '.join(REGRESSION_LOSSES)}",
            )
        out_act = "linear" if out_act == "auto" else out_act
        if out_act == "softmax":
            raise SpecError("network.output_activation", "softmax needs several classes; this is regression")
        return TaskHead(task, 0, loss, out_act, 1, "value")
    if loss == "auto":
        loss = "bce" if k == 2 else "cross_entropy"
    if loss in LOGIT_LOSSES:
        if out_act not in ("auto", "linear"):
            raise SpecError(
                "network.output_activation",
                f"{loss} works on logits, so the output activation must be linear (or auto), not {out_act}",
            )
        if loss == "bce":
            if k != 2:
                raise SpecError(
                    "training.loss", f"bce is for two classes; {dataset.name} has {k}: use cross_entropy"
                )
            return TaskHead(task, k, loss, "linear", 1, "binary")
        return TaskHead(task, k, loss, "linear", k, "index" if loss == "cross_entropy" else "onehot")
    # Squared or absolute error on class scores: sigmoid/tanh for two classes, softmax for more.
    if k == 2:
        out_act = "sigmoid" if out_act == "auto" else out_act
        if out_act == "softmax":
            raise SpecError(
                "network.output_activation", "softmax needs one output per class; use sigmoid or tanh"
            )
        return TaskHead(task, k, loss, out_act, 1, "pm1" if out_act == "tanh" else "binary")
    out_act = "softmax" if out_act == "auto" else out_act
    return TaskHead(task, k, loss, out_act, k, "onehot")


def encode_targets(head: TaskHead, y: np.ndarray) -> np.ndarray:
    """Labels or values as the loss wants them."""
    if head.target_kind == "index":
        return y.astype(np.int64)
    if head.target_kind == "onehot":
        return np.eye(head.n_out, dtype=np.float32)[y.astype(np.int64)]
    if head.target_kind == "binary":
        return y.astype(np.float32).reshape(-1, 1)
    if head.target_kind == "pm1":
        return (2.0 * y.astype(np.float32) - 1.0).reshape(-1, 1)
    return y.astype(np.float32).reshape(-1, 1)


def probabilities(head: TaskHead, outputs: np.ndarray) -> np.ndarray:
    """Class probabilities (N, k) from raw network outputs."""
    o = np.asarray(outputs, dtype=np.float64)
    if head.n_out == 1:
        p = _probability_of_one(head, o)
        return np.stack([1.0 - p, p], axis=1)
    if head.output_activation in ("softmax", "sigmoid"):
        s = np.clip(o, 0.0, None)
        return s / np.maximum(s.sum(axis=1, keepdims=True), 1e-12)
    z = o - o.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _probability_of_one(head: TaskHead, o: np.ndarray) -> np.ndarray:
    """P(class 1) of a one-output binary classifier's outputs (N, 1)."""
    if head.loss == "bce":
        return 1.0 / (1.0 + np.exp(-np.clip(o[:, 0], -60, 60)))
    if head.output_activation == "tanh":
        return np.clip((o[:, 0] + 1.0) / 2.0, 0.0, 1.0)
    return np.clip(o[:, 0], 0.0, 1.0)


def accuracy(head: TaskHead, outputs: np.ndarray, labels: np.ndarray) -> float | None:
    """Fraction of rows whose most probable class is the label; None for regression."""
    if not head.classification or len(labels) == 0:
        return None
    if head.n_out == 1:
        # argmax of (1 - p, p) is class 1 exactly when p > 0.5 (a tie goes to class 0), without
        # building the (N, 2) array: a third of an epoch's evaluation at the playground's sizes.
        predicted = _probability_of_one(head, np.asarray(outputs, dtype=np.float64)) > 0.5
    else:
        predicted = probabilities(head, outputs).argmax(axis=1)
    return np.count_nonzero(predicted == labels) / len(labels)


def epoch_accuracy(head, outputs: np.ndarray, labels: np.ndarray) -> float | None:
    """accuracy(), the same figure; for a one-output classifier read straight off the output.

    accuracy() asks whether P(class 1) > 0.5. For a tanh output that is clip((o + 1) / 2, 0, 1)
    > 0.5, which holds exactly when o + 1 > 1 (halving is exact, the clip never crosses 0.5,
    NaN fails both); for sigmoid and linear outputs, clip(o, 0, 1) > 0.5 exactly when o > 0.5.
    BCE's logistic and the multi-class cases go through accuracy().
    """
    if not (head.classification and head.n_out == 1 and head.loss != "bce" and len(labels)):
        return accuracy(head, outputs, labels)
    o = np.asarray(outputs, dtype=np.float64)[:, 0]
    predicted = (o + 1.0 > 1.0) if head.output_activation == "tanh" else (o > 0.5)
    return np.count_nonzero(predicted == labels) / len(labels)
