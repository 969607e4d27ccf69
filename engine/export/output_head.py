"""The model every export wraps: preprocessing, the network, then probabilities or values.

Its own module so the model files (models.py) and the standalone script (script.py) both read the
output rule from here, neither from the other.
"""

from __future__ import annotations

import torch
from torch import nn

# ExportModel output modes
_VALUES, _SIGMOID_LOGIT, _TANH, _CLAMP01, _NORMALIZE, _SOFTMAX = range(6)


class ExportModel(nn.Module):
    """preprocessor -> network -> probabilities (classification) or values (regression), float32."""

    def __init__(self, preprocessor: nn.Module, network: nn.Module, mode: int):
        super().__init__()
        self.preprocessor = preprocessor
        self.network = network
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.network(self.preprocessor(x.to(torch.float32)))
        if self.mode == _VALUES:
            return out
        if self.mode == _SOFTMAX:
            return torch.softmax(out, dim=1)
        if self.mode == _NORMALIZE:
            s = torch.clamp(out, min=0.0)
            return s / torch.clamp(s.sum(dim=1, keepdim=True), min=1e-12)
        if self.mode == _SIGMOID_LOGIT:
            p = torch.sigmoid(out[:, 0:1])
        elif self.mode == _TANH:
            p = torch.clamp((out[:, 0:1] + 1.0) / 2.0, 0.0, 1.0)
        else:
            p = torch.clamp(out[:, 0:1], 0.0, 1.0)
        return torch.cat([1.0 - p, p], dim=1)


def output_mode(head) -> int:
    """How raw network outputs become what the export returns (mirrors engine.families.mlp.task.probabilities)."""
    if not head.classification:
        return _VALUES
    if head.n_out == 1:
        if head.loss == "bce":
            return _SIGMOID_LOGIT
        return _TANH if head.output_activation == "tanh" else _CLAMP01
    if head.output_activation in ("softmax", "sigmoid"):
        return _NORMALIZE
    return _SOFTMAX
