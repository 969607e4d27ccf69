"""Loss functions (named in engine.spec.catalog.losses) and the L1/L2 penalty added to, and reported
apart from, them."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.nn import functional as F

from engine.spec.catalog.losses import LOSSES  # noqa: F401 - the name callers import from here


def half_mse(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """½·(out - target)², averaged: the playground's error, whose derivative is (out - target)."""
    return 0.5 * F.mse_loss(out, target)


def kl_div(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """KL(target ‖ softmax(logits)) per row, averaged over rows; target rows are distributions."""
    return F.kl_div(F.log_softmax(logits, dim=1), target, reduction="batchmean")


def half_mse_loss():
    return half_mse


def kl_div_loss():
    return kl_div


def penalty(weights: Sequence[torch.Tensor], l1: float, l2: float) -> torch.Tensor | float:
    """l1·Σ|w| + l2/2·Σw² over weight matrices (not biases): the textbook regularisation term."""
    total: torch.Tensor | float = 0.0
    if l1 > 0:
        total = total + l1 * sum(w.abs().sum() for w in weights)
    if l2 > 0:
        total = total + 0.5 * l2 * sum(w.pow(2).sum() for w in weights)
    return total
