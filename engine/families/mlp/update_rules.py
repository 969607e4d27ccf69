"""The fast path's gradient clipping and optimizer update rules: torch.optim's, in float64 numpy.

Kept apart from NumpyBackend (engine/families/mlp/fastpath.py), which computes the gradients:
this module only turns gradients into new weights, parameter by parameter in torch's order
(weights first, then biases), and holds the optimizer's state between steps.
"""

from __future__ import annotations

import math

import numpy as np

from engine.families.mlp.backend import Hyper


def clip_gradients(grads: list[np.ndarray], hyper: Hyper) -> bool:
    """torch's clip_grad_norm_ / clip_grad_value_ over every parameter, in place; False if the
    norm is not finite."""
    if hyper.clip_mode == "norm":
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        if not math.isfinite(norm):
            return False
        scale = hyper.clip_max / (norm + 1e-6)
        if scale < 1.0:
            for g in grads:
                g *= scale
    elif hyper.clip_mode == "value":
        for g in grads:
            np.clip(g, -hyper.clip_max, hyper.clip_max, out=g)
    return True


class UpdateRule:
    """One optimizer's state (moment buffers, step counters) and its step, as torch.optim does it."""

    def __init__(self, name: str, params: list[np.ndarray]):
        self.name = name
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.momentum_started = False
        self.t = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float, opt: dict) -> None:
        """Update `params` in place from `grads` (the same order) with the optimizer settings `opt`."""
        name = self.name
        decay = opt.get("weight_decay", 0.0)
        if name in ("sgd", "momentum", "nesterov"):
            mu = opt.get("momentum", 0.9) if name != "sgd" else 0.0
            for k, (p, g) in enumerate(zip(params, grads, strict=True)):
                if decay:
                    g = g + decay * p
                if mu:
                    buf = self.m[k]
                    if self.momentum_started:
                        buf *= mu
                        buf += g
                    else:
                        buf[...] = g
                    g = g + mu * buf if name == "nesterov" else buf
                p -= lr * g
            self.momentum_started = True
            return
        beta1, beta2, eps = opt.get("beta1", 0.9), opt.get("beta2", 0.999), opt.get("eps", 1e-8)
        self.t += 1
        c1, c2 = 1.0 - beta1**self.t, 1.0 - beta2**self.t
        for k, (p, g) in enumerate(zip(params, grads, strict=True)):
            if name == "adamw":
                p *= 1.0 - lr * decay
            elif decay:
                g = g + decay * p
            m, v = self.m[k], self.v[k]
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * g * g
            p -= (lr / c1) * m / (np.sqrt(v) / math.sqrt(c2) + eps)
