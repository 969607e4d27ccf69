"""The VAE's `model` block beyond single values: the autoencoder's two stacks."""

from __future__ import annotations

from typing import Any

from engine.families.autoencoder.settings import DEFAULT_ENCODER, MIRROR, stack


def check(settings: dict[str, Any], raw: dict[str, Any], path: str) -> dict[str, Any]:
    encoder = stack(raw.get("encoder", DEFAULT_ENCODER), f"{path}.encoder")
    decoder = raw.get("decoder", MIRROR)
    decoder = MIRROR if decoder == MIRROR else stack(decoder, f"{path}.decoder")
    return {**settings, "encoder": encoder, "decoder": decoder}
