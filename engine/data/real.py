"""Small real data sets that scikit-learn ships inside its wheel (no download): digits and iris."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from engine.data.base import Generated, Info
from engine.spec.registry import Entry, Param

MAX_SHIFT = 4  # pixels; a 16x16 canvas at most


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = bunch.images.astype(np.float32)[:, None, :, :]  # (N, 1, 8, 8), values 0..16
    images.flags.writeable = False  # cached: callers index (which copies), never write
    labels = bunch.target.astype(np.int64)
    labels.flags.writeable = False
    return images, labels


@lru_cache(maxsize=1)
def _iris() -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    from sklearn.datasets import load_iris

    bunch = load_iris()
    x = bunch.data.astype(np.float32)
    y = bunch.target.astype(np.int64)
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y, tuple(bunch.feature_names), tuple(str(n) for n in bunch.target_names)


def digits(spec: dict, rng: np.random.Generator) -> Generated:
    images, labels = _digits()
    shift = spec["params"].get("shift", 0)
    if shift:
        images = shifted(images, shift, rng)
    return Generated(images, labels, "classification", tuple(str(d) for d in range(10)), ("pixels",))


def shifted(images: np.ndarray, shift: int, rng: np.random.Generator) -> np.ndarray:
    """Each (1, 8, 8) image placed at a random offset of 0..2·shift pixels on each axis of a blank
    canvas of 8 + 2·shift pixels a side: the same digit at many places, which a convolution's
    shared weights recognise everywhere and a dense layer must learn place by place."""
    n, channels, height, width = images.shape
    side = 2 * shift
    canvas = np.zeros((n, channels, height + side, width + side), np.float32)
    rows, cols = rng.integers(0, side + 1, (2, n))
    for i in range(n):
        canvas[i, :, rows[i] : rows[i] + height, cols[i] : cols[i] + width] = images[i]
    return canvas


def iris(spec: dict, rng: np.random.Generator) -> Generated:
    x, y, columns, classes = _iris()
    return Generated(x, y, "classification", classes, columns)


INFO = {
    "digits": Info("image", None, 0.0, None, "", 64),
    "iris": Info("tabular", None, 0.0, None, "", 4),
}
FIXED_SIZES = {"digits": 1797, "iris": 150}  # rows each set has (samples may ask for fewer)

ENTRIES = (
    Entry(
        "digits",
        digits,
        "Digits 8×8",
        "1,797 handwritten digits of 8×8 pixels: images, 10 classes, where convolutions shine",
        (
            Param(
                "shift",
                0,
                int,
                0,
                MAX_SHIFT,
                help="move each digit by up to this many pixels at random, on a canvas of 8 + 2·shift "
                "pixels a side: where a convolution's shared weights pay",
            ),
        ),
        frozenset({"classification", "image", "real"}),
    ),
    Entry(
        "iris",
        iris,
        "Iris",
        "150 flowers, 4 measurements, 3 species: a classic small table, standardised per column",
        (),
        frozenset({"classification", "tabular", "real"}),
    ),
)
