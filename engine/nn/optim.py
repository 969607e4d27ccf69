"""Optimizers by name with their own parameters, built on torch.optim, changeable while training."""

from __future__ import annotations

from typing import Any

import torch

from engine.spec.registry import Entry, Param, Registry

_EPS = Param("eps", 1e-8, float, 1e-12, 1.0, help="added to denominators for stability")
_DECAY = Param("weight_decay", 0.0, float, 0.0, 1.0, help="L2 added to the gradient (coupled)")


def _sgd(params, lr, weight_decay=0.0):
    return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)


def _momentum(params, lr, momentum=0.9, weight_decay=0.0):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def _nesterov(params, lr, momentum=0.9, weight_decay=0.0):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay)


def _adagrad(params, lr, eps=1e-10, weight_decay=0.0):
    return torch.optim.Adagrad(params, lr=lr, eps=eps, weight_decay=weight_decay)


def _adadelta(params, lr, rho=0.9, eps=1e-6, weight_decay=0.0):
    return torch.optim.Adadelta(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)


def _rmsprop(params, lr, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0):
    return torch.optim.RMSprop(
        params, lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay
    )


def _adam(params, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    return torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


def _adamw(params, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return torch.optim.AdamW(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


_MOMENTUM = Param("momentum", 0.9, float, 0.0, 0.999, help="fraction of the last step kept")
_BETAS = (
    Param("beta1", 0.9, float, 0.0, 0.9999, help="decay of the gradient's running mean"),
    Param("beta2", 0.999, float, 0.0, 0.99999, help="decay of the squared gradient's running mean"),
)

OPTIMIZERS = Registry(
    "optimizer",
    [
        Entry("sgd", _sgd, "SGD", "w -= lr·g", (_DECAY,)),
        Entry(
            "momentum",
            _momentum,
            "Momentum",
            "v = μv + g; w -= lr·v: rolls through ravines",
            (_MOMENTUM, _DECAY),
        ),
        Entry("nesterov", _nesterov, "Nesterov", "momentum with a look-ahead gradient", (_MOMENTUM, _DECAY)),
        Entry(
            "adagrad",
            _adagrad,
            "Adagrad",
            "per-weight rate lr/√Σg²: the rate only shrinks",
            (Param("eps", 1e-10, float, 1e-12, 1.0), _DECAY),
        ),
        Entry(
            "adadelta",
            _adadelta,
            "Adadelta",
            "Adagrad with a running window and unit-correct steps (lr ≈ 1)",
            (Param("rho", 0.9, float, 0.0, 0.9999), Param("eps", 1e-6, float, 1e-12, 1.0), _DECAY),
        ),
        Entry(
            "rmsprop",
            _rmsprop,
            "RMSProp",
            "lr·g/√(running mean g²)",
            (
                Param("alpha", 0.99, float, 0.0, 0.9999, help="decay of the squared gradient's mean"),
                _EPS,
                Param("momentum", 0.0, float, 0.0, 0.999),
                _DECAY,
            ),
        ),
        Entry("adam", _adam, "Adam", "momentum + RMSProp with bias correction", (*_BETAS, _EPS, _DECAY)),
        Entry(
            "adamw",
            _adamw,
            "AdamW",
            "Adam with decoupled weight decay w -= lr·λ·w",
            (*_BETAS, _EPS, Param("weight_decay", 0.01, float, 0.0, 1.0, help="decoupled decay rate λ")),
        ),
    ],
)


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
