"""What the views show of a supervised network whose data has no input plane to draw over.

Images get a grid of test samples, a confusion matrix, the first layer's filters and the feature
maps of a picked sample (engine/inspect/images.py); sequences a sample over time, the hidden
state, the gates and the gradient through time (engine/inspect/sequences.py); tables a confusion
matrix or predicted against actual (engine/inspect/tables.py).

A probe is made in the training process from the trainer and the window's view options (`sample`:
the test sample the user picked), at most every DATA_PERIOD seconds while training.
"""

from __future__ import annotations

from importlib import import_module

DATA_PERIOD = 0.2  # seconds between probes while training: the data views refresh 5 times a second
MODULES = {
    "image": "engine.inspect.images",
    "sequence": "engine.inspect.sequences",
    "tabular": "engine.inspect.tables",
}


class InspectProbe:
    """Base of every data probe: what the window's data views (gui/views/data_views.py) draw."""


def inspect_probe(trainer, options: dict | None = None) -> InspectProbe | None:
    """The data probe of a supervised run on images, sequences or a table; None for other runs."""
    if trainer.project.model.family != "mlp":
        return None
    module = MODULES.get(trainer.dataset.kind)
    if module is None:
        return None
    return import_module(module).probe(trainer, dict(options or {}))
