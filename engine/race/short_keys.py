"""The short names a learner varies (`--vary lr=0.1,0.03`) as the project key paths they stand for.

The names are compare mode's (gui/compare/variants.py): optimizer, lr, init, batch_size, activation,
l1, l2, dropout, schedule, seed. Anything else is taken as a key path (training.optimizer.lr).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.errors import SpecError


def _optimizer(doc: dict, name: Any) -> dict:
    # The whole block: one optimizer's own parameters (adam's beta1) are unknown to another, so only
    # the learning rate and weight decay, which every optimizer takes, carry over.
    opt = doc["training"]["optimizer"]
    block = {"name": name, "lr": opt.get("lr", 0.03)}
    if opt.get("weight_decay"):
        block["weight_decay"] = opt["weight_decay"]
    return {"training.optimizer": block}


def _schedule(doc: dict, name: Any) -> dict:
    warmup = doc["training"].get("schedule", {}).get("warmup_epochs", 0.0)
    return {"training.schedule": {"name": name, "warmup_epochs": warmup}}


def _per_layer(field: str, has: Callable[[dict], bool], what: str) -> Callable[[dict, Any], dict]:
    def paths(doc: dict, value: Any) -> dict:
        found = {
            f"network.layers.{i}.{field}": value
            for i, layer in enumerate(doc["network"]["layers"])
            if has(layer)
        }
        if not found:
            raise SpecError("--vary", f"the network has no {what} to vary")
        return found

    return paths


def _path(path: str) -> Callable[[dict, Any], dict]:
    return lambda _doc, value: {path: value}


SHORT_KEYS: dict[str, Callable[[dict, Any], dict]] = {
    "optimizer": _optimizer,
    "lr": _path("training.optimizer.lr"),
    "init": _path("network.init"),
    "batch_size": _path("training.batch_size"),
    "activation": _per_layer("activation", lambda layer: "activation" in layer, "layer with an activation"),
    "l1": _path("training.l1"),
    "l2": _path("training.l2"),
    "dropout": _per_layer("rate", lambda layer: layer.get("type") == "dropout", "dropout layer"),
    "schedule": _schedule,
    "seed": _path("seed"),
}


def expand(doc: dict, choice: Mapping[str, Any]) -> dict[str, Any]:
    """{short name or key path: value} -> {key path: value}, for a full project document `doc`.

    A block (training.optimizer) comes before the paths inside it (training.optimizer.lr), so
    `--vary lr=... --vary optimizer=...` keeps each variant's learning rate whatever the order given.
    SpecError when two names reach the same key path.
    """
    paths: dict[str, Any] = {}
    for key, value in choice.items():
        for spelled, typed in (SHORT_KEYS[key](doc, value) if key in SHORT_KEYS else {key: value}).items():
            path = _canonical(spelled)  # network.layers[0].units and network.layers.0.units are one
            if path in paths:
                raise SpecError("--vary", f"{path} is varied twice (by {key} and another --vary)")
            paths[path] = typed
    return dict(sorted(paths.items(), key=lambda item: item[0].count(".")))


def _canonical(path: str) -> str:
    from engine.spec.overrides import split_path

    return ".".join(str(key) for key in split_path(path))
