"""The two layer stacks of the autoencoder, the VAE and the GAN: which each family has, what each
maps from and to, and every layer's output shape (what the builder paints on its cards).

Plain Python on the layer catalog's own shape rules (those the trainers' checks use): no torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.families.autoencoder.settings import MIRROR, STACK_LAYERS, mirrored

STACKS = {
    "autoencoder": ("encoder", "decoder"),
    "vae": ("encoder", "decoder"),
    "gan": ("generator", "discriminator"),
}
STACK_KINDS = STACK_LAYERS  # every stack is flat: dense, dropout and batch norm layers
POINT = 2  # the GAN's points lie in the plane


@dataclass(frozen=True)
class StackLayer:
    """One layer of a stack as a card shows it: its output shape and parameter count."""

    name: str
    out_shape: tuple[int, ...]
    params: int


def stack_layers(settings: dict[str, Any], stack: str) -> list[dict[str, Any]]:
    """The layers `stack` runs; a mirrored decoder's are the encoder's in reverse."""
    if stack == "decoder" and settings["decoder"] == MIRROR:
        return mirrored(settings["encoder"]["layers"])
    return settings[stack]["layers"]


def stack_ends(
    family: str, settings: dict[str, Any], stack: str, n_in: int | None
) -> tuple[int | None, int | None]:
    """(width in, width out) of `stack`'s whole network; `n_in` is the autoencoder's input width
    (None while unknown). The VAE's code layer gives a mean and a log-variance per code unit."""
    if stack == "generator":
        return settings["noise_dim"], POINT
    if stack == "discriminator":
        return POINT, 1
    latent = settings["latent"]
    if stack == "encoder":
        return n_in, 2 * latent if family == "vae" else latent
    return latent, n_in


def infer_stack(
    family: str, settings: dict[str, Any], stack: str, n_in: int | None = None
) -> list[StackLayer] | None:
    """Every layer's output and parameters, then the stack's last linear layer (the code, the
    rebuilt input, the point or the logit); None while a width is unknown. A SpecError names the
    first layer that cannot take its input (`model.<stack>.layers[i]`)."""
    from engine.spec.catalog.layers import LAYERS

    width_in, width_out = stack_ends(family, settings, stack, n_in)
    if width_in is None or width_out is None:
        return None
    infos, shape = [], (width_in,)
    for i, cfg in enumerate(stack_layers(settings, stack)):
        shape, params = LAYERS[cfg["type"]].factory.shape(shape, cfg, f"model.{stack}.layers[{i}]")
        infos.append(StackLayer(cfg["type"], tuple(shape), params))
    infos.append(StackLayer("output", (width_out,), (math.prod(shape) + 1) * width_out))
    return infos
