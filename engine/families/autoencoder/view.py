"""What the autoencoder's views draw, as plain data (it crosses the process pipe in frames).

For 2-D points: each training point (up to MAX_POINTS) and its reconstruction, in the raw plane;
the decoder's image of a sweep through the code (a curve for a 1-unit code, a grid's image for 2).
For images: test samples over their reconstructions, and for a 2-unit code the decoded grid.
Always: the codes of those points with their labels (the latent scatter) and each code unit's
mean activation over the training split (what the sparse penalty acts on).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_POINTS = 500  # points (or samples) shown: a scatter beyond this is a blur anyway
SAMPLES = 16  # images shown with their reconstructions
SWEEP = 200  # points along a 1-unit code's sweep
PRIOR_SAMPLES = 8  # a VAE's codes drawn from the prior and decoded, one row of images
GRID = 8  # a 2-unit code's decoded grid: GRID x GRID images (or points)
CORRUPTION_SEED = 2024  # the denoising view's noise: the same draw every frame
# Holes: of HOLE_DRAWS codes drawn from the prior N(0, I), the share farther than HOLE_RADIUS from
# every training code, where a sampler would ask the decoder about a code it was never taught.
HOLE_DRAWS, HOLE_RADIUS, HOLE_SEED = 1000, 0.25, 7


@dataclass(frozen=True, eq=False)
class AutoencoderProbe:
    kind: str  # the data's kind: "points2d", "image", ...
    inputs: np.ndarray  # (n, *raw_shape) raw inputs shown
    reconstructions: np.ndarray  # (n, *raw_shape) their reconstructions, raw units
    codes: np.ndarray  # (n, latent) the codes of the points shown
    labels: np.ndarray  # (n,) their labels (class or value), to colour the latent scatter
    sweep: np.ndarray | None  # decoded sweep: (SWEEP, d) for latent 1, (GRID*GRID, d) for latent 2, raw units
    sweep_codes: np.ndarray | None  # the codes swept
    mean_activation: np.ndarray  # (latent,) each code unit's mean over the training split
    epoch: int = 0
    prior: np.ndarray | None = None  # a VAE's codes drawn from N(0, I), decoded (raw units, raw-shaped)
    # A denoising autoencoder's view of `inputs`: the same noise kind and amount as in training
    # (raw units, raw-shaped); then `reconstructions` are rebuilt from these, not from the clean ones.
    corrupted: np.ndarray | None = None
    holes: float | None = None  # prior_holes() of the training codes (codes of 1 or 2 units)
    family: str = "autoencoder"  # or "vae"


def autoencoder_probe(trainer) -> AutoencoderProbe:
    data = trainer.dataset
    use_test = data.kind == "image" and trainer.x_test is not None
    x, raw, labels = (
        (trainer.x_test, data.x_test, data.y_test)
        if use_test
        else (trainer.x_train, data.x_train, data.y_train)
    )
    count = min(len(x), SAMPLES if data.kind == "image" else MAX_POINTS)
    codes = trainer.codes(x[:MAX_POINTS])
    corrupted = _corrupted(trainer, x[:count])
    seen_codes = codes[:count] if corrupted is None else trainer.codes(corrupted)
    shown = raw_units(trainer, trainer.decode(seen_codes))
    all_codes = trainer.codes(trainer.x_train)
    sweep_codes = _sweep(all_codes)
    sweep = None if sweep_codes is None else raw_units(trainer, trainer.decode(sweep_codes))
    return AutoencoderProbe(
        kind=data.kind,
        inputs=np.asarray(raw[:count]),
        reconstructions=shown,
        codes=codes,
        labels=np.asarray(labels[:MAX_POINTS]),
        sweep=sweep,
        sweep_codes=sweep_codes,
        mean_activation=all_codes.mean(axis=0),
        epoch=trainer.epoch,
        corrupted=None if corrupted is None else raw_units(trainer, corrupted.numpy()),
        holes=prior_holes(all_codes),
        family=trainer.family.name,
    )


def prior_holes(codes: np.ndarray) -> float | None:
    """The share of HOLE_DRAWS codes drawn from N(0, I) (a fixed draw) that lie farther than
    HOLE_RADIUS from every code in `codes`: a VAE's codes fill its prior, a plain autoencoder's leave
    holes in it. None for codes of more than 2 units (the view shows two) or no codes."""
    latent = codes.shape[1] if codes.ndim == 2 else 0
    if not 1 <= latent <= 2 or len(codes) == 0:
        return None
    from scipy.spatial import cKDTree

    draws = np.random.default_rng(HOLE_SEED).standard_normal((HOLE_DRAWS, latent))
    nearest, _ = cKDTree(np.asarray(codes, dtype=np.float64)).query(draws, distance_upper_bound=HOLE_RADIUS)
    near = np.isfinite(nearest)  # no code within the radius: an infinite distance
    return float(1.0 - near.mean())


def _corrupted(trainer, x):
    """The denoising variant's noisy copy of `x` (preprocessed units), from a fixed seed so that a
    frame's noise is the last frame's: only the network's answer to it changes as it learns."""
    settings = trainer.settings
    if settings.get("variant") != "denoising":
        return None
    import torch

    from engine.families.autoencoder.model import corrupt

    generator = torch.Generator().manual_seed(CORRUPTION_SEED)
    return corrupt(x, settings["noise_kind"], settings["noise"], generator)


def raw_units(trainer, values: np.ndarray) -> np.ndarray:
    """Decoded values back in the data's own units (undoing the standardisation), raw-shaped.
    For 2-D points with derived features only the x1, x2 columns are kept (when present)."""
    pre = trainer.preprocessor
    mean = pre.mean.numpy().reshape(-1)
    std = pre.std.numpy().reshape(-1)
    out = values * std + mean if mean.size in (1, values.shape[1]) else values
    names = tuple(pre.feature_names)
    if pre.select_features:
        if "x1" in names and "x2" in names:
            return out[:, [names.index("x1"), names.index("x2")]]
        return out
    return out.reshape(len(out), *trainer.dataset.raw_shape)


def _sweep(codes: np.ndarray) -> np.ndarray | None:
    """Codes spanning the training codes' range (10% beyond each end): a line or a grid."""
    latent = codes.shape[1]
    if latent > 2 or len(codes) == 0:
        return None
    lo, hi = codes.min(axis=0), codes.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad, hi + pad
    if latent == 1:
        return np.linspace(lo[0], hi[0], SWEEP, dtype=np.float32)[:, None]
    a, b = np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(hi[1], lo[1], GRID))
    return np.stack([a.ravel(), b.ravel()], axis=1).astype(np.float32)
