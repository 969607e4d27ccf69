"""Optimizers built on torch.optim (named in engine.spec.catalog.optimizers), changeable while training."""

from __future__ import annotations

from typing import Any

import torch

from engine.spec.catalog.optimizers import OPTIMIZERS  # noqa: F401 - the name callers import from here


def sgd(params, lr, weight_decay=0.0):
    return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)


def momentum(params, lr, momentum=0.9, weight_decay=0.0):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def nesterov(params, lr, momentum=0.9, weight_decay=0.0):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay)


def adagrad(params, lr, eps=1e-10, weight_decay=0.0):
    return torch.optim.Adagrad(params, lr=lr, eps=eps, weight_decay=weight_decay)


def adadelta(params, lr, rho=0.9, eps=1e-6, weight_decay=0.0):
    return torch.optim.Adadelta(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)


def rmsprop(params, lr, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0):
    return torch.optim.RMSprop(
        params, lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay
    )


def adam(params, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    return torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


def adamw(params, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return torch.optim.AdamW(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


def apply_optimizer_params(optimizer: torch.optim.Optimizer, name: str, params: dict[str, Any]) -> None:
    """Change a live optimizer's own parameters in place, keeping its state (momenta, averages)."""
    for group in optimizer.param_groups:
        for key, value in params.items():
            if key == "beta1":
                group["betas"] = (value, group["betas"][1])
            elif key == "beta2":
                group["betas"] = (group["betas"][0], value)
            elif key in group:
                group[key] = value
