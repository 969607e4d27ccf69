"""The GAN's `model` block beyond single values: the generator's and the discriminator's layer
stacks, each with its own optimizer. Plain Python: validating a project imports no torch."""

from __future__ import annotations

from typing import Any

from engine.errors import SpecError
from engine.families.autoencoder.settings import stack

DEFAULT_LAYERS = [{"type": "dense", "units": 32, "activation": "relu"}] * 2
DEFAULT_OPTIMIZER = {"name": "adam", "lr": 0.002, "beta1": 0.5}


def check(settings: dict[str, Any], raw: dict[str, Any], path: str) -> dict[str, Any]:
    return {
        **settings,
        "generator": _part(raw.get("generator", {}), f"{path}.generator"),
        "discriminator": _part(raw.get("discriminator", {}), f"{path}.discriminator"),
    }


def _part(value: Any, path: str) -> dict[str, Any]:
    from engine.spec.project import optimizer_from

    if not isinstance(value, dict) or set(value) - {"layers", "optimizer"}:
        raise SpecError(path, 'must be {"layers": [...], "optimizer": {"name": ..., "lr": ...}}')
    layers = stack({"layers": value.get("layers", DEFAULT_LAYERS)}, path)
    return {
        **layers,
        "optimizer": optimizer_from(value.get("optimizer", DEFAULT_OPTIMIZER), f"{path}.optimizer"),
    }
