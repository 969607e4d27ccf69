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


def flat_views(flat: np.ndarray, like: list[np.ndarray]) -> list[np.ndarray]:
    """Views into `flat`, back to back, shaped as the arrays `like`."""
    views, at = [], 0
    for a in like:
        views.append(flat[at : at + a.size].reshape(a.shape))
        at += a.size
    return views


class UpdateRule:
    """One optimizer's state (moment buffers, step counters) and its step, as torch.optim does it.

    Each optimizer keeps at most two buffers a parameter, `m` and `v`, and one step counter `t`:
    momentum/nesterov's momentum_buffer is `m`; Adam's exp_avg and exp_avg_sq are `m` and `v`;
    Adagrad's sum is `v`; Adadelta's acc_delta and square_avg are `m` and `v`; RMSProp's
    momentum_buffer and square_avg are `m` and `v`. Settings missing from `opt` take the
    optimizer catalog's defaults (engine/spec/catalog/optimizers.py), as the torch backend's do.
    """

    NAMES = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw")

    def __init__(self, name: str, params: list[np.ndarray]):
        from engine.spec.catalog.optimizers import OPTIMIZERS

        self.name = name
        self.defaults = OPTIMIZERS[name].defaults()
        # Each buffer set is one flat array (the parameters' order, back to back) with a view per
        # parameter: the compiled epoch (engine/families/mlp/epoch_kernel.py) takes the flat ones.
        dtype = params[0].dtype if params else np.float64
        self.m_flat = np.zeros(sum(p.size for p in params), dtype=dtype)
        self.v_flat = np.zeros_like(self.m_flat)
        self.m, self.v = flat_views(self.m_flat, params), flat_views(self.v_flat, params)
        # [momentum started, t] in one array: the compiled step (optimizer_kernel) advances them too.
        self.counters = np.zeros(2, dtype=np.int64)
        family = {"momentum": "sgd", "nesterov": "sgd", "adamw": "adam"}.get(name, name)
        self._step = getattr(self, f"_{family}")

    @property
    def momentum_started(self) -> bool:
        return bool(self.counters[0])

    @momentum_started.setter
    def momentum_started(self, started: bool) -> None:
        self.counters[0] = int(started)

    @property
    def t(self) -> int:
        return int(self.counters[1])

    @t.setter
    def t(self, value: int) -> None:
        self.counters[1] = value

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float, opt: dict) -> None:
        """Update `params` in place from `grads` (the same order) with the optimizer settings `opt`."""
        self._step(params, grads, lr, self.defaults | opt, self.m, self.v)

    def step_flat(self, params: np.ndarray, grads: np.ndarray, lr: float, opt: dict) -> None:
        """step() on every parameter at once: `params` and `grads` flat, in the order the rule was
        made with. Every rule is element-wise, so the bits are step()'s, in ~6 NumPy calls instead
        of ~6 a parameter."""
        self._step([params], [grads], lr, self.defaults | opt, [self.m_flat], [self.v_flat])

    def _sgd(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float, opt: dict, m, v) -> None:
        name, decay = self.name, opt["weight_decay"]
        mu = opt["momentum"] if name != "sgd" else 0.0
        for k, (p, g) in enumerate(zip(params, grads, strict=True)):
            if decay:
                g = g + decay * p
            if mu:
                buf = m[k]
                if self.momentum_started:
                    buf *= mu
                    buf += g
                else:
                    buf[...] = g
                g = g + mu * buf if name == "nesterov" else buf
            p -= lr * g
        self.momentum_started = True

    def _adam(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float, opt: dict, ms, vs) -> None:
        beta1, beta2, eps, decay = opt["beta1"], opt["beta2"], opt["eps"], opt["weight_decay"]
        self.t += 1
        c1, c2 = 1.0 - beta1**self.t, 1.0 - beta2**self.t
        for k, (p, g) in enumerate(zip(params, grads, strict=True)):
            if self.name == "adamw":
                p *= 1.0 - lr * decay
            elif decay:
                g = g + decay * p
            m, v = ms[k], vs[k]
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * g * g
            p -= (lr / c1) * m / (np.sqrt(v) / math.sqrt(c2) + eps)

    # torch's lr_decay and initial_accumulator_value (Adagrad) and centered (RMSProp) are not in
    # the catalog, so both backends leave them at torch's defaults: 0, 0 and False.
    def _adagrad(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float, opt: dict, m, v) -> None:
        """sum += g²; w -= lr·g/(√sum + eps)."""
        eps, decay = opt["eps"], opt["weight_decay"]
        self.t += 1
        for p, g, total in zip(params, grads, v, strict=True):
            if decay:
                g = g + decay * p
            total += g * g
            std = np.sqrt(total)
            std += eps
            p -= lr * (g / std)

    def _adadelta(
        self, params: list[np.ndarray], grads: list[np.ndarray], lr: float, opt: dict, m, v
    ) -> None:
        """s = ρs + (1-ρ)g²; Δ = √(a + eps)/√(s + eps)·g; a = ρa + (1-ρ)Δ²; w -= lr·Δ."""
        rho, eps, decay = opt["rho"], opt["eps"], opt["weight_decay"]
        self.t += 1
        for p, g, acc_delta, square_avg in zip(params, grads, m, v, strict=True):
            if decay:
                g = g + decay * p
            square_avg *= rho
            square_avg += (1.0 - rho) * g * g
            delta = np.sqrt(acc_delta + eps)
            delta /= np.sqrt(square_avg + eps)
            delta *= g
            acc_delta *= rho
            acc_delta += (1.0 - rho) * delta * delta
            p -= lr * delta

    def _rmsprop(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float, opt: dict, m, v) -> None:
        """s = αs + (1-α)g²; b = μb + g/(√s + eps) and w -= lr·b (without momentum: w -= lr·g/(√s + eps))."""
        alpha, eps, mu, decay = opt["alpha"], opt["eps"], opt["momentum"], opt["weight_decay"]
        self.t += 1
        for p, g, buf, square_avg in zip(params, grads, m, v, strict=True):
            if decay:
                g = g + decay * p
            square_avg *= alpha
            square_avg += (1.0 - alpha) * g * g
            avg = np.sqrt(square_avg)
            avg += eps
            if mu > 0:
                buf *= mu
                buf += g / avg
                p -= lr * buf
            else:
                p -= lr * (g / avg)
