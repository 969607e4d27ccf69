"""Sequence sets for recurrent layers: bit parity (memory) and next-value prediction of a noisy sine."""

from __future__ import annotations

import numpy as np

from engine.data.base import Generated, Info
from engine.spec.registry import Entry, Param

SINE_STEP = 0.3  # radians per time step: a period of about 21 steps


def parity(spec: dict, rng: np.random.Generator) -> Generated:
    """T random bits -> their parity (1 when the count of ones is odd); noise jitters the bits."""
    n, length = spec["samples"], spec["params"]["length"]
    bits = rng.integers(0, 2, (n, length))
    labels = (bits.sum(axis=1) % 2).astype(np.int64)
    x = bits + rng.normal(0.0, spec["noise"], bits.shape) if spec["noise"] > 0 else bits
    return Generated(x[:, :, None], labels, "classification", ("even", "odd"), ("bit",))


def sine_next(spec: dict, rng: np.random.Generator) -> Generated:
    """T noisy samples of sin(φ + t·step), random phase φ -> the clean next value sin(φ + T·step)."""
    n, length = spec["samples"], spec["params"]["length"]
    phase = rng.uniform(0.0, 2.0 * np.pi, (n, 1))
    t = np.arange(length + 1) * SINE_STEP
    clean = np.sin(phase + t)
    x = clean[:, :length] + rng.normal(0.0, spec["noise"], (n, length))
    return Generated(x[:, :, None], clean[:, length], "regression", (), ("x",))


INFO = {
    "parity": Info("sequence", 1000, 0.5, None, "std of Gaussian noise added to each bit", 1),
    "sine_next": Info("sequence", 1000, 1.0, None, "std of Gaussian noise added to each input sample", 1),
}

ENTRIES = (
    Entry(
        "parity",
        parity,
        "Parity of bits",
        "Is the count of ones odd? Memory over the whole sequence: LSTM/GRU learn it, plain RNNs struggle",
        (Param("length", 8, int, 2, 64, help="bits per sequence (T)"),),
        frozenset({"classification", "sequence"}),
    ),
    Entry(
        "sine_next",
        sine_next,
        "Next sine value",
        "Predict the next value of a noisy sine from the last T: recurrent regression and denoising",
        (Param("length", 20, int, 2, 128, help="samples per sequence (T)"),),
        frozenset({"regression", "sequence"}),
    ),
)
