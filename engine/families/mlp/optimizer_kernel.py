"""torch.optim's update rules, compiled: the fast path's step for optimizers other than plain SGD.

A NumPy update of a small stack is ~6 library calls per parameter and optimizer (Adam: ~60 calls
a batch), and the calls, not the arithmetic, cost the time. These loops do the arithmetic of
engine/families/mlp/update_rules.py element by element in the same order, with no fused
multiply-adds (fastmath off), so given the same gradients they give the same bits as UpdateRule
(tests/engine/test_optimizer_kernel.py). The state arrays are UpdateRule's own: a run can move
between this step and the NumPy one (the last batch of an epoch, which collects layer statistics,
takes the NumPy one) without a copy.
"""

from __future__ import annotations

import numpy as np

from engine.families.mlp import fastkernel

# The optimizers compiled here, by the code the kernels take.
CODES = {
    "sgd": 0,
    "momentum": 1,
    "nesterov": 2,
    "adam": 3,
    "adamw": 4,
    "adagrad": 5,
    "adadelta": 6,
    "rmsprop": 7,
}
# The settings the kernels read, in this order, from one float array.
SETTINGS = ("momentum", "weight_decay", "beta1", "beta2", "eps", "rho", "alpha")


def settings_array(opt: dict) -> np.ndarray:
    """The kernels' settings from an optimizer's full settings (UpdateRule.defaults | the project's);
    one an optimizer does not have is 0 and unread."""
    return np.array([float(opt.get(name, 0.0)) for name in SETTINGS])


if fastkernel.available():
    import math

    from numba import njit

    @njit(cache=True, fastmath=False)
    def update(code, params, grads, m, v, lr, started, t, s):  # noqa: C901 - one rule per branch
        """One optimizer step over `params` (a list of same-rank arrays) from `grads`, in place.

        `started`: whether the momentum buffers hold a step already; `t`: Adam's step number,
        this step included. m and v are the rule's buffers (UpdateRule.m / .v), one per param.
        """
        mu, decay, beta1, beta2, eps, rho, alpha = s[0], s[1], s[2], s[3], s[4], s[5], s[6]
        if code <= 2:  # sgd, momentum, nesterov
            mu = mu if code != 0 else 0.0
            for k in range(len(params)):
                p, g, buf = params[k].reshape(-1), grads[k].reshape(-1), m[k].reshape(-1)
                for i in range(p.size):
                    gi = g[i]
                    if decay != 0.0:
                        gi = gi + decay * p[i]
                    if mu != 0.0:
                        if started:
                            buf[i] = buf[i] * mu
                            buf[i] = buf[i] + gi
                        else:
                            buf[i] = gi
                        gi = gi + mu * buf[i] if code == 2 else buf[i]
                    p[i] = p[i] - lr * gi
            return
        c1 = 1.0 - math.pow(beta1, float(t))
        c2 = 1.0 - math.pow(beta2, float(t))
        root_c2 = math.sqrt(c2)
        step = lr / c1
        for k in range(len(params)):
            p, g = params[k].reshape(-1), grads[k].reshape(-1)
            mk, vk = m[k].reshape(-1), v[k].reshape(-1)
            for i in range(p.size):
                gi = g[i]
                if code == 4:  # adamw: decoupled decay
                    p[i] = p[i] * (1.0 - lr * decay)
                elif decay != 0.0:
                    gi = gi + decay * p[i]
                if code <= 4:  # adam, adamw
                    mk[i] = mk[i] * beta1
                    mk[i] = mk[i] + (1.0 - beta1) * gi
                    vk[i] = vk[i] * beta2
                    vk[i] = vk[i] + (1.0 - beta2) * gi * gi
                    p[i] = p[i] - step * mk[i] / (math.sqrt(vk[i]) / root_c2 + eps)
                elif code == 5:  # adagrad: v is the sum of squares
                    vk[i] = vk[i] + gi * gi
                    p[i] = p[i] - lr * (gi / (math.sqrt(vk[i]) + eps))
                elif code == 6:  # adadelta: m is acc_delta, v square_avg
                    vk[i] = vk[i] * rho
                    vk[i] = vk[i] + (1.0 - rho) * gi * gi
                    delta = math.sqrt(mk[i] + eps)
                    delta = delta / math.sqrt(vk[i] + eps)
                    delta = delta * gi
                    mk[i] = mk[i] * rho
                    mk[i] = mk[i] + (1.0 - rho) * delta * delta
                    p[i] = p[i] - lr * delta
                else:  # rmsprop: v is square_avg, m the momentum buffer
                    vk[i] = vk[i] * alpha
                    vk[i] = vk[i] + (1.0 - alpha) * gi * gi
                    avg = math.sqrt(vk[i]) + eps
                    if mu > 0.0:
                        mk[i] = mk[i] * mu
                        mk[i] = mk[i] + gi / avg
                        p[i] = p[i] - lr * mk[i]
                    else:
                        p[i] = p[i] - lr * (gi / avg)

    @njit(cache=True, fastmath=False)
    def optimizer_batch(Ws, bs, codes, x, t, loss_code, width, gWs, gbs, opt, state, lr, s):
        """One batch: fastkernel's gradients, then optimizer `opt`'s update of weights and biases.

        state holds (mW, vW, mb, vb) lists and `counters` = [started, t] (an int array, advanced
        here). Returns the batch's loss; a batch whose loss is not finite changes nothing.
        """
        mW, vW, mb, vb, counters = state
        loss = fastkernel.batch_gradients(Ws, bs, codes, x, t, loss_code, width, gWs, gbs)
        if not np.isfinite(loss):
            return loss
        if opt >= 3:
            counters[1] += 1
        started = counters[0] != 0
        update(opt, Ws, gWs, mW, vW, lr, started, counters[1], s)
        update(opt, bs, gbs, mb, vb, lr, started, counters[1], s)
        counters[0] = 1
        return loss
