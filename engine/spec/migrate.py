"""Brings project documents written by older Layerlab versions up to the current format.

Each migration takes the document of version N and returns version N+1; a document from a
newer Layerlab is refused with a clear message rather than half-understood.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from engine.errors import SpecError
from engine.json_read import check_tree

CURRENT_VERSION = 2


def _from_v0(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (pre-release drafts) kept the learning rate at training.lr and hidden sizes as a list.

    Only well-formed version-0 keys are moved; anything else is left for validation to name.
    """
    training = doc.get("training", {})
    if isinstance(training, dict) and "lr" in training:
        optimizer = training.setdefault("optimizer", {"name": "sgd"})
        if not isinstance(optimizer, dict):
            raise SpecError("training.optimizer", f"must be an object, got {type(optimizer).__name__}")
        optimizer["lr"] = training.pop("lr")
    network = doc.get("network", {})
    if isinstance(network, dict) and "hidden" in network:
        hidden = network.pop("hidden")
        if not isinstance(hidden, list):
            raise SpecError("network.hidden", f"must be a list of layer sizes, got {type(hidden).__name__}")
        activation = network.pop("activation", "tanh")
        network["layers"] = [{"type": "dense", "units": n, "activation": activation} for n in hidden]
    return doc


def _from_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 1 knew one kind of model, the supervised stack: version 2 names it in a `model` block.

    A `model` key already there is left for validation to judge (version 1 had none).
    """
    doc.setdefault("model", {"family": "mlp"})
    return doc


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_v0, 1: _from_v1}


def migrate(raw: Any) -> dict[str, Any]:
    """A copy of `raw` upgraded to CURRENT_VERSION; raises SpecError for a foreign or newer file."""
    if not isinstance(raw, dict):
        raise SpecError("project", f"must be a JSON object, got {type(raw).__name__}")
    check_tree(raw)  # before deepcopy, which recurses: a 900-level document must not reach it
    doc = copy.deepcopy(raw)
    fmt = doc.get("format", "layerlab")
    if fmt != "layerlab":
        raise SpecError("format", f"not a Layerlab project (format {_show(fmt)})")
    version = doc.get("version", CURRENT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise SpecError("version", f"must be a whole number, got {_show(version)}")
    if version > CURRENT_VERSION:
        raise SpecError(
            "version",
            f"this file was written by a newer Layerlab (format {version}); this one reads up to {CURRENT_VERSION}",
        )
    while version < CURRENT_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
    doc["version"] = CURRENT_VERSION
    return doc
