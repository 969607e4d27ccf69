"""Model families: one registry entry per kind of model — `mlp` (supervised stacks), `perceptron`
(Rosenblatt's rule), `autoencoder` — each in its own folder here, with its trainer.

An entry is plain data — the project keys the family reads, its settings under `model`, its named
metrics, its parameter groups, the views it offers — and the dotted name of its trainer, imported
only when a run is built. So validating a project never imports torch.
"""

from engine.families.catalog import FAMILIES, MLP, PERCEPTRON
from engine.families.family import Family, Metric

__all__ = ["FAMILIES", "MLP", "PERCEPTRON", "Family", "Metric"]
