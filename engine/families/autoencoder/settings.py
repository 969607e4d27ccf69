"""The autoencoder's `model` block beyond single values: its two layer stacks, and the checks that
tie settings together. Plain Python: validating a project imports no torch."""

from __future__ import annotations

from typing import Any

from engine.errors import SpecError

STACK_LAYERS = ("dense", "dropout", "batchnorm")  # flat layers: the code is a vector
MAX_STACK_LAYERS = 16
DEFAULT_ENCODER = {"layers": [{"type": "dense", "units": 16, "activation": "tanh"}]}
MIRROR = "mirror"


def check(settings: dict[str, Any], raw: dict[str, Any], path: str) -> dict[str, Any]:
    from engine.spec.catalog.activations import ACTIVATIONS

    ACTIVATIONS.lookup(settings["code_activation"], f"{path}.code_activation")
    encoder = stack(raw.get("encoder", DEFAULT_ENCODER), f"{path}.encoder")
    decoder = raw.get("decoder", MIRROR)
    decoder = MIRROR if decoder == MIRROR else stack(decoder, f"{path}.decoder")
    if settings["variant"] == "denoising" and settings["noise_kind"] == "masking" and settings["noise"] >= 1:
        raise SpecError(f"{path}.noise", "masking noise is the share of inputs set to 0: must be below 1")
    sparse_kl = settings["variant"] == "sparse" and settings["sparsity_kind"] == "kl"
    if sparse_kl and settings["code_activation"] != "sigmoid":
        raise SpecError(
            f"{path}.code_activation",
            "the KL sparsity penalty compares each code unit's mean activation with a target in (0, 1): "
            f"it needs sigmoid codes, got {settings['code_activation']} (or use sparsity_kind l1)",
        )
    if settings["variant"] == "contractive":
        coupled = [layer for layer in encoder["layers"] if layer["type"] == "batchnorm"]
        if coupled:
            raise SpecError(
                f"{path}.encoder",
                "the contractive penalty is each sample's own Jacobian; batch norm couples the samples "
                "of a batch: leave it out of the encoder",
            )
    return {**settings, "encoder": encoder, "decoder": decoder}


def stack(value: Any, path: str) -> dict[str, list]:
    from engine.spec.catalog.layers import LAYERS
    from engine.spec.project import layer_from

    if not isinstance(value, dict) or set(value) - {"layers"}:
        raise SpecError(
            path, 'must be {"layers": [...]}' + (' or "mirror"' if path.endswith("decoder") else "")
        )
    layers = value.get("layers", [])
    if not isinstance(layers, list):
        raise SpecError(f"{path}.layers", f"must be a list of layers, got {type(layers).__name__}")
    if len(layers) > MAX_STACK_LAYERS:
        raise SpecError(f"{path}.layers", f"must have at most {MAX_STACK_LAYERS} layers, got {len(layers)}")
    checked = []
    for i, layer in enumerate(layers):
        spec = layer_from(layer, f"{path}.layers[{i}]", LAYERS)
        if spec["type"] not in STACK_LAYERS:
            raise SpecError(
                f"{path}.layers[{i}].type",
                f"an autoencoder's stacks take {', '.join(STACK_LAYERS)} layers, got {spec['type']}",
            )
        checked.append(spec)
    return {"layers": checked}


def mirrored(encoder_layers: list[dict]) -> list[dict]:
    """The decoder's layers for "mirror": the encoder's hidden layers in reverse order."""
    return [dict(layer) for layer in reversed(encoder_layers)]
