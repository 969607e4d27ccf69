"""Optimizers by name with their own parameters; the torch.optim builders are in engine.nn.optim."""

from __future__ import annotations

from engine.spec.registry import Entry, Param, Registry

_OWN = "engine.nn.optim"
_EPS = Param("eps", 1e-8, float, 1e-12, 1.0, help="added to denominators for stability")
_DECAY = Param("weight_decay", 0.0, float, 0.0, 1.0, help="L2 added to the gradient (coupled)")
_MOMENTUM = Param("momentum", 0.9, float, 0.0, 0.999, help="fraction of the last step kept")
_BETAS = (
    Param("beta1", 0.9, float, 0.0, 0.9999, help="decay of the gradient's running mean"),
    Param("beta2", 0.999, float, 0.0, 0.99999, help="decay of the squared gradient's running mean"),
)

OPTIMIZERS = Registry(
    "optimizer",
    [
        Entry("sgd", f"{_OWN}:sgd", "SGD", "w -= lr·g", (_DECAY,)),
        Entry(
            "momentum",
            f"{_OWN}:momentum",
            "Momentum",
            "v = μv + g; w -= lr·v: rolls through ravines",
            (_MOMENTUM, _DECAY),
        ),
        Entry(
            "nesterov",
            f"{_OWN}:nesterov",
            "Nesterov",
            "momentum with a look-ahead gradient",
            (_MOMENTUM, _DECAY),
        ),
        Entry(
            "adagrad",
            f"{_OWN}:adagrad",
            "Adagrad",
            "per-weight rate lr/√Σg²: the rate only shrinks",
            (Param("eps", 1e-10, float, 1e-12, 1.0), _DECAY),
        ),
        Entry(
            "adadelta",
            f"{_OWN}:adadelta",
            "Adadelta",
            "Adagrad with a running window and unit-correct steps (lr ≈ 1)",
            (Param("rho", 0.9, float, 0.0, 0.9999), Param("eps", 1e-6, float, 1e-12, 1.0), _DECAY),
        ),
        Entry(
            "rmsprop",
            f"{_OWN}:rmsprop",
            "RMSProp",
            "lr·g/√(running mean g²)",
            (
                Param("alpha", 0.99, float, 0.0, 0.9999, help="decay of the squared gradient's mean"),
                _EPS,
                Param("momentum", 0.0, float, 0.0, 0.999),
                _DECAY,
            ),
        ),
        Entry(
            "adam", f"{_OWN}:adam", "Adam", "momentum + RMSProp with bias correction", (*_BETAS, _EPS, _DECAY)
        ),
        Entry(
            "adamw",
            f"{_OWN}:adamw",
            "AdamW",
            "Adam with decoupled weight decay w -= lr·λ·w",
            (*_BETAS, _EPS, Param("weight_decay", 0.01, float, 0.0, 1.0, help="decoupled decay rate λ")),
        ),
    ],
)
