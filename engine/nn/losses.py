"""Loss functions by name, and the L1/L2 penalty that is added to (and reported apart from) them."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from engine.spec.registry import Entry, Registry


def half_mse(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """½·(out - target)², averaged: the playground's error, whose derivative is (out - target)."""
    return 0.5 * F.mse_loss(out, target)


def kl_div(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """KL(target ‖ softmax(logits)) per row, averaged over rows; target rows are distributions."""
    return F.kl_div(F.log_softmax(logits, dim=1), target, reduction="batchmean")


LOSSES = Registry(
    "loss",
    [
        Entry(
            "mse",
            nn.MSELoss,
            "Mean squared error",
            "mean of (y - ŷ)²: regression",
            (),
            frozenset({"regression"}),
        ),
        Entry(
            "mae",
            nn.L1Loss,
            "Mean absolute error",
            "mean of |y - ŷ|: robust to outliers",
            (),
            frozenset({"regression"}),
        ),
        Entry(
            "half_mse",
            lambda: half_mse,
            "½ · squared error",
            "the playground's ½(y - ŷ)²",
            (),
            frozenset({"regression"}),
        ),
        Entry(
            "bce",
            nn.BCEWithLogitsLoss,
            "Binary cross-entropy",
            "-[y log σ(z) + (1-y) log(1-σ(z))] on a logit",
            (),
            frozenset({"classification"}),
        ),
        Entry(
            "cross_entropy",
            nn.CrossEntropyLoss,
            "Cross-entropy",
            "-log softmax(z)_y: several classes",
            (),
            frozenset({"classification"}),
        ),
        Entry(
            "kl_div",
            lambda: kl_div,
            "KL divergence",
            "Σ p log(p/q) between target and softmax(z)",
            (),
            frozenset({"classification"}),
        ),
    ],
)


def penalty(weights: Sequence[torch.Tensor], l1: float, l2: float) -> torch.Tensor | float:
    """l1·Σ|w| + l2/2·Σw² over weight matrices (not biases): the textbook regularisation term."""
    total: torch.Tensor | float = 0.0
    if l1 > 0:
        total = total + l1 * sum(w.abs().sum() for w in weights)
    if l2 > 0:
        total = total + 0.5 * l2 * sum(w.pow(2).sum() for w in weights)
    return total
