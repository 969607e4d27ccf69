"""What the playground preset can train, read from the project alone (no data or network built).

The window uses it to switch an edit the playground would refuse (Adam, GELU, a conv layer) to the
standard algorithm in the same undoable edit; the rules are the ones `engine.families.mlp.build.build_parts`
and `engine.families.mlp.task.resolve_task` enforce, and a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from engine.errors import SpecError
from engine.spec.project import Project

PLAYGROUND_LOSSES = ("auto", "half_mse")


def playground_refusal(project: Project, n_classes: int | None = None) -> SpecError | None:
    """Why the playground preset cannot train `project` (an error naming the key), or None.

    `n_classes` is the dataset's class count when known (0 for regression); the playground's
    algorithm separates two classes only.
    """
    from engine.families.mlp.fastpath import NumpyBackend

    training = project.training
    if training.optimizer["name"] != "sgd":
        return SpecError("training.optimizer.name", "the playground preset trains only plain SGD")
    if training.loss not in PLAYGROUND_LOSSES:
        return SpecError(
            "training.loss", f"the playground preset trains with half_mse (½·MSE), not {training.loss}"
        )
    reason = NumpyBackend.unsupported_reason(project.network.layers, "tanh", "half_mse", "sgd")
    if reason is not None:
        return SpecError("training.preset", f"the playground preset trains dense stacks only: {reason}")
    if n_classes is not None and n_classes not in (0, 2):
        return SpecError("data.name", f"the playground preset needs two classes; this data has {n_classes}")
    return None


def class_count(doc: dict[str, Any]) -> int | None:
    """The class count of the data `doc` (a project document) describes, 0 for regression; None if
    the data cannot be made (the build will say why)."""
    from engine.data import make_dataset

    try:
        project = Project.from_dict(doc)
        return int(make_dataset(vars(project.data), project.seed).n_classes)
    except (SpecError, OSError, ValueError):
        return None
