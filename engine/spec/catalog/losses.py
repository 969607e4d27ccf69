"""Loss functions by name; the torch modules and functions behind them are in engine.nn.losses."""

from __future__ import annotations

from engine.spec.registry import Entry, Registry

LOSSES = Registry(
    "loss",
    [
        Entry(
            "mse",
            "torch.nn:MSELoss",
            "Mean squared error",
            "mean of (y - ŷ)²: regression",
            (),
            frozenset({"regression"}),
        ),
        Entry(
            "mae",
            "torch.nn:L1Loss",
            "Mean absolute error",
            "mean of |y - ŷ|: robust to outliers",
            (),
            frozenset({"regression"}),
        ),
        Entry(
            "half_mse",
            "engine.nn.losses:half_mse_loss",
            "½ · squared error",
            "the playground's ½(y - ŷ)²",
            (),
            frozenset({"regression"}),
        ),
        Entry(
            "bce",
            "torch.nn:BCEWithLogitsLoss",
            "Binary cross-entropy",
            "-[y log σ(z) + (1-y) log(1-σ(z))] on a logit",
            (),
            frozenset({"classification"}),
        ),
        Entry(
            "cross_entropy",
            "torch.nn:CrossEntropyLoss",
            "Cross-entropy",
            "-log softmax(z)_y: several classes",
            (),
            frozenset({"classification"}),
        ),
        Entry(
            "kl_div",
            "engine.nn.losses:kl_div_loss",
            "KL divergence",
            "Σ p log(p/q) between target and softmax(z)",
            (),
            frozenset({"classification"}),
        ),
    ],
)
