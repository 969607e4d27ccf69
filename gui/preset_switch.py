"""Keep every edit trainable under the playground preset, and offer a fix for projects that are not.

Choosing a setting the playground's algorithm cannot train (Adam, GELU, a conv layer, three
classes) used to stop training with Play greyed out; now the same edit switches to the standard
algorithm, and says so. Choosing the playground preset itself brings the settings it fixes (plain
SGD, its loss) into line instead. `build_fix` names a one-click fix for a build failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.errors import SpecError
from engine.presets import PLAYGROUND_LOSSES, class_count, playground_refusal
from engine.spec.project import Project

UNDO_HINT = "Undo (Ctrl+Z) to go back."


def keep_trainable(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """ProjectModel.adjust: complete `after` so its preset can train it; a note, or None."""
    training = after.get("training")
    if not isinstance(training, dict) or training.get("preset") != "playground":
        return None
    if (before.get("training") or {}).get("preset") != "playground":
        return _join_playground(training)
    try:
        project = Project.from_dict(after)
    except SpecError:
        return None  # the model's own validation refuses it and says why
    data_changed = before.get("data") != after.get("data") or before.get("seed") != after.get("seed")
    refusal = playground_refusal(project, class_count(after) if data_changed else None)
    if refusal is None:
        return None
    training["preset"] = "standard"
    return f"Switched to the standard algorithm: {refusal.reason}; training starts again. {UNDO_HINT}"


def _join_playground(training: dict[str, Any]) -> str | None:
    """The playground preset was chosen: plain SGD and its own loss, as it trains."""
    changed = []
    optimizer = training.get("optimizer") or {}
    if optimizer.get("name", "sgd") != "sgd":
        training["optimizer"] = {"name": "sgd", "lr": optimizer.get("lr", 0.03)}
        changed.append(f"plain SGD instead of {optimizer.get('name')}")
    if training.get("loss", "auto") not in PLAYGROUND_LOSSES:
        changed.append(f"its half squared error instead of {training['loss']}")
        training["loss"] = "auto"
    if not changed:
        return None
    return f"The playground preset trains with {' and '.join(changed)}. {UNDO_HINT}"


def build_fix(project: Project, path: str) -> tuple[str, Callable[[dict[str, Any]], None]] | None:
    """A button's text and the edit that fixes a build failure at `path`, where one exists."""
    training = project.training
    if training.preset == "playground" and playground_refusal(project) is not None:
        return "Use the standard algorithm", lambda doc: doc["training"].update(preset="standard")
    if training.preset == "playground" and path in ("data.name", "training.preset", "training.loss"):
        return "Use the standard algorithm", lambda doc: doc["training"].update(preset="standard")
    if path == "training.device":
        return "Train on the CPU", lambda doc: doc["training"].update(device="cpu")
    if path == "training.backend":
        return "Let Layerlab choose the backend", lambda doc: doc["training"].update(backend="auto")
    if path.startswith("data.features"):  # derived features (sin x1, ...) on data that is not 2-D
        return "Use the raw inputs", lambda doc: doc["data"].update(features=["x1", "x2"])
    return None
