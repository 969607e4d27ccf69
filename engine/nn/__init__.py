"""Torch building blocks shared by the families: layers, activations, losses, initialisers, optimizers."""
