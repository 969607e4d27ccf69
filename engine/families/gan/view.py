"""What the GAN's views draw (GAN Lab's views), as plain data crossing the process pipe: real and
generated samples, D's probability over the plane, G's image of a grid of noise (its manifold), and
for some generated samples the direction G's loss moves them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

SHOWN = 500  # real and generated points drawn
ARROWS = 100  # generated samples with a gradient arrow
MANIFOLD = 20  # the noise grid is MANIFOLD x MANIFOLD (a line of MANIFOLD² for 1-D noise)


@dataclass(frozen=True, eq=False)
class GanProbe:
    extent: tuple[float, float, float, float]
    real: np.ndarray  # (n, 2) training points
    fake: np.ndarray  # (SHOWN, 2) samples of G from the fixed evaluation noise
    d_map: np.ndarray | None  # (res, res) D's probability of "real" over the grid (row = x2 low to high)
    manifold: np.ndarray  # (MANIFOLD, MANIFOLD, 2) G of a grid over the noise's first two dims, or (k, 1, 2)
    arrows: np.ndarray  # (ARROWS, 2) -∂(G's loss)/∂x at fake[:ARROWS], data units per unit of loss
    epoch: int = 0
    single_updates: tuple[int, int] = (0, 0)  # (discriminator, generator) updates taken one at a time


def gan_probe(trainer, grid) -> GanProbe:
    fake = trainer.generated()[:SHOWN]
    d_map, extent = None, (-6.0, 6.0, -6.0, 6.0)
    if grid is not None and grid.kind == "points2d":
        d_map = (
            trainer.d_probability(grid.points).reshape(grid.resolution, grid.resolution).astype(np.float32)
        )
        extent = grid.extent
    return GanProbe(
        extent=extent,
        real=np.asarray(trainer.dataset.x_train[:SHOWN], dtype=np.float32),
        fake=fake.astype(np.float32),
        d_map=d_map,
        manifold=_manifold(trainer).astype(np.float32),
        arrows=_arrows(trainer, fake[:ARROWS]).astype(np.float32),
        epoch=trainer.epoch,
        single_updates=(trainer.single_updates["discriminator"], trainer.single_updates["generator"]),
    )


def _manifold(trainer) -> np.ndarray:
    dim = trainer.settings["noise_dim"]
    axis = torch.linspace(-2.0, 2.0, MANIFOLD)
    if dim == 1:
        return trainer.generated(axis[:, None]).reshape(MANIFOLD, 1, 2)
    a, b = torch.meshgrid(axis, axis, indexing="ij")
    noise = torch.zeros((MANIFOLD * MANIFOLD, dim))
    noise[:, 0], noise[:, 1] = a.reshape(-1), b.reshape(-1)
    return trainer.generated(noise).reshape(MANIFOLD, MANIFOLD, 2)


def _arrows(trainer, points: np.ndarray) -> np.ndarray:
    """The direction each generated point would move to lower G's loss (in data units)."""
    x = torch.as_tensor((points - trainer.centre) / trainer.scale, dtype=torch.float32).requires_grad_(True)
    trainer.discriminator.eval()
    loss = trainer.g_loss_of(x) * len(x)  # per point, not averaged
    (grad,) = torch.autograd.grad(loss, x)
    return -grad.numpy().astype(np.float64) / trainer.scale
