"""The perceptron as a torch module, for the exports every family shares (engine/export/models.py):
a linear layer holding the θ the run answers with, then the sign. With the sign head's output rule
the exported model returns [1 - p, p] with p = 1 where θ·x > 0: the predicted class, one-hot."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class Sign(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sign(x)


def linear_model(theta: np.ndarray) -> nn.Module:
    """θ (the bias last) as Linear(d, 1) followed by the sign, in float32."""
    linear = nn.Linear(len(theta) - 1, 1)
    with torch.no_grad():
        linear.weight.copy_(torch.as_tensor(theta[:-1], dtype=torch.float32).view(1, -1))
        linear.bias.fill_(float(theta[-1]))
    return nn.Sequential(linear, Sign())
