"""The GAN's parts as exported modules, in the data's own units."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class GeneratorPart(nn.Module):
    """Noise -> a point of the plane (data units)."""

    def __init__(self, generator: nn.Module, centre: np.ndarray, scale: float):
        super().__init__()
        self.generator = generator
        self.register_buffer("centre", torch.as_tensor(centre, dtype=torch.float32).reshape(1, 2))
        self.scale = float(scale)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z.to(torch.float32)) * self.scale + self.centre


class DiscriminatorPart(nn.Module):
    """A point of the plane (data units) -> the probability that it is real, (N, 1)."""

    def __init__(self, discriminator: nn.Module, centre: np.ndarray, scale: float):
        super().__init__()
        self.discriminator = discriminator
        self.register_buffer("centre", torch.as_tensor(centre, dtype=torch.float32).reshape(1, 2))
        self.scale = float(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.discriminator((x.to(torch.float32) - self.centre) / self.scale))
