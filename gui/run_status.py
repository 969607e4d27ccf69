"""What the window says when a run stops: one status-bar line for why, and a run-panel warning
when the network ends worse than guessing (engine.diagnostics.worse_than_chance)."""

from __future__ import annotations

import re

from engine.diagnostics import Chance, worse_than_chance

_DIVERGED = re.compile(r"the loss became (\S+) at epoch (\d+)")


def stop_line(status: str, epoch: int, message: str, training) -> str | None:
    """Why a run stopped by itself, in one line (`training`: the project's TrainingSpec), or None."""
    if status == "completed":
        budget = training.epochs
        return (
            f"Stopped: reached epoch {epoch:,} (Stop after {budget:,} epochs is ticked in the Training "
            f"tab). Play trains {budget:,} more."
        )
    if status == "early_stopping":
        patience = training.early_stopping["patience"]
        return (
            f"Stopped early at epoch {epoch:,}: the validation loss has not improved for {patience:,} epochs."
        )
    if status == "diverged":
        match = _DIVERGED.search(message)
        if match:
            value = "NaN" if match.group(1).lower() == "nan" else match.group(1)
            return f"Diverged: the loss became {value} at epoch {int(match.group(2)):,}. Reset to go on."
        return f"Diverged at epoch {epoch:,}. Reset to go on."
    return None


def chance_warning(snapshot, chance: Chance | None, lr: float) -> str | None:
    """The run-panel warning for a stopped run that does no better than guessing, or None."""
    if chance is None or snapshot is None:
        return None
    return worse_than_chance(snapshot, chance, lr)
