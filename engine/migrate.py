"""Brings project documents written by older Layerlab versions up to the current format.

Each migration takes the document of version N and returns version N+1; a document from a
newer Layerlab is refused with a clear message rather than half-understood.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from engine.errors import SpecError

CURRENT_VERSION = 1


def _from_v0(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (pre-release drafts) kept the learning rate at training.lr and hidden sizes as a list."""
    training = doc.setdefault("training", {})
    if "lr" in training:
        training.setdefault("optimizer", {"name": "sgd"})["lr"] = training.pop("lr")
    network = doc.setdefault("network", {})
    if "hidden" in network:
        activation = network.pop("activation", "tanh")
        network["layers"] = [
            {"type": "dense", "units": n, "activation": activation} for n in network.pop("hidden")
        ]
    return doc


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_v0}


def migrate(raw: Any) -> dict[str, Any]:
    """A copy of `raw` upgraded to CURRENT_VERSION; raises SpecError for a foreign or newer file."""
    if not isinstance(raw, dict):
        raise SpecError("project", f"must be a JSON object, got {type(raw).__name__}")
    doc = copy.deepcopy(raw)
    fmt = doc.get("format", "layerlab")
    if fmt != "layerlab":
        raise SpecError("format", f"not a Layerlab project (format {fmt!r})")
    version = doc.get("version", CURRENT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise SpecError("version", f"must be a whole number, got {version!r}")
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
