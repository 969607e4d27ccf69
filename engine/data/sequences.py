"""Sequence sets for recurrent layers: bit parity (memory), a marked bit to recall after a long lag
(memory over time), and next-value prediction of a noisy sine."""

from __future__ import annotations

import numpy as np

from engine.data.base import Generated, Info
from engine.spec.registry import Entry, Param

SINE_STEP = 0.3  # radians per time step: a period of about 21 steps
MARK_WITHIN = 5  # the marked step is one of the first 5: what is recalled lies length-5 steps back or more


def parity(spec: dict, rng: np.random.Generator) -> Generated:
    """T random bits -> their parity (1 when the count of ones is odd); noise jitters the bits."""
    n, length = spec["samples"], spec["params"]["length"]
    bits = rng.integers(0, 2, (n, length))
    labels = (bits.sum(axis=1) % 2).astype(np.int64)
    x = bits + rng.normal(0.0, spec["noise"], bits.shape) if spec["noise"] > 0 else bits
    return Generated(x[:, :, None], labels, "classification", ("even", "odd"), ("bit",))


def marked_bit(spec: dict, rng: np.random.Generator) -> Generated:
    """T random bits, one of the first MARK_WITHIN marked -> that bit. Two inputs per step: the bit
    (noise jitters it) and the marker (1 at the marked step, else 0). The other bits are distractors,
    so the network must store the marked one and keep it for the rest of the sequence."""
    n, length = spec["samples"], spec["params"]["length"]
    bits = rng.integers(0, 2, (n, length))
    marked = rng.integers(0, min(MARK_WITHIN, length), n)
    marker = np.zeros((n, length))
    marker[np.arange(n), marked] = 1.0
    labels = bits[np.arange(n), marked].astype(np.int64)
    x = bits + rng.normal(0.0, spec["noise"], bits.shape) if spec["noise"] > 0 else bits
    return Generated(np.stack([x, marker], axis=2), labels, "classification", ("0", "1"), ("bit", "marker"))


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
    "marked_bit": Info("sequence", 2000, 0.5, None, "std of Gaussian noise added to each bit", 2),
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
        "marked_bit",
        marked_bit,
        "Recall a marked bit",
        "Which bit was marked near the start? Memory over a long lag: an LSTM keeps it, a plain RNN's "
        "gradient fades before it gets there",
        (Param("length", 40, int, 2, 200, help="bits per sequence (T); the mark is in the first 5"),),
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
