"""What the window says when a run stops: one status-bar line for why, a run-panel warning when
the network ends worse than guessing (engine.diagnostics.worse_than_chance), and the run panel's
fix button, so no dead end is left without a way out."""

from __future__ import annotations

import re

from engine.diagnostics import Chance, worse_than_chance
from engine.session.frames import RunFrame

_DIVERGED = re.compile(r"the loss became (\S+) at epoch (\d+)")


def stop_line(status: str, epoch: int, message: str, training) -> str | None:
    """Why a run stopped by itself, in one line (`training`: the project's TrainingSpec), or None."""
    if status == "completed" and message:  # the run's own reason (a perceptron that converged)
        return f"Stopped: {message}."
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


class RunMessages:
    """Mixin for MainWindow: the run panel's messages and fix button, and the window's stop."""

    def _show_run_state(self, frame: RunFrame, running: bool, stopped: bool) -> None:
        """The run panel and status bar: why the run stopped, and a warning when the network
        does no better than guessing."""
        training = self.model.project.training
        line = stop_line(frame.status, frame.latest.epoch, frame.message, training) if stopped else None
        warning = None if running else chance_warning(frame.latest, self._chance, frame.latest.lr)
        if frame.status == "diverged":
            self._show_run_message(f"Training diverged. {frame.message}", fix=("Reset", self.reset))
            self.playButton.setEnabled(False)
        elif frame.status == "early_stopping":
            self._show_run_message(frame.message.capitalize())
        elif warning is not None:
            self._show_run_message(warning, fix=self._lower_lr_fix(warning))
        elif running:
            self.outputPanel.hide_run_message()
            self._fix = None
        if line is not None:
            self.show_message(line if warning is None else f"{line} {warning.split(':')[0]}.", 20000)

    def _lower_lr_fix(self, warning: str):
        """For a network worse than chance: a tenth of the learning rate, and a fresh start."""
        if not warning.startswith("Worse than chance"):
            return None
        lr = self.model.project.training.optimizer["lr"]
        lower = max(lr / 10, 1e-7)

        def fix() -> None:
            self.model.edit(
                f"Learning rate {lower:g}", lambda doc: doc["training"]["optimizer"].update(lr=lower)
            )
            self.reset()

        return f"Learning rate {lower:g} and reset", fix

    def _show_run_message(self, text: str, fix: tuple | None = None) -> None:
        """Show `text` in the run panel (and its first line in the status bar); `fix` is a
        (button text, action) pair offered beside it, so no dead end is left without a way out."""
        self._fix = fix[1] if fix is not None else None
        self.outputPanel.show_run_message(text, fix[0] if fix is not None else None)
        self.show_message(text.splitlines()[0])

    def _on_fix_clicked(self) -> None:
        fix, self._fix = self._fix, None
        self.outputPanel.hide_run_message()
        if fix is not None:
            fix()

    def _send_epoch_budget(self) -> None:
        """The window's stop (Training tab, Stop after): off, training runs until paused."""
        self.training.send("epoch_budget", self.trainingPanel.epoch_budget)


def summary_text(snap) -> str:
    """The run's latest numbers in one line, for the summary under the map."""
    if snap.metric("train_reconstruction") is not None:  # the autoencoder: how well it rebuilds
        return _reconstruction_summary(snap)
    if snap.metric("d_loss") is not None:  # the GAN: both players, and the modes it covers
        return _game_summary(snap)
    if snap.train_loss is None:  # a family without a loss (the perceptron): its own numbers
        return _count_summary(snap)
    parts = [f"Train loss {snap.train_loss:.4f}"]
    if snap.val_loss is not None:
        parts.append(f"Validation loss {snap.val_loss:.4f}")
    if snap.test_loss is not None:
        parts.append(f"Test loss {snap.test_loss:.4f}")
    if snap.test_accuracy is not None:
        parts.append(f"Test accuracy {snap.test_accuracy:.1%}")
    elif snap.train_accuracy is not None:
        parts.append(f"Train accuracy {snap.train_accuracy:.1%}")
    return "   ·   ".join(parts)


def _count_summary(snap) -> str:
    parts = []
    for name, label in (("mistakes", "Mistakes"), ("errors", "Errors now")):
        value = snap.metric(name)
        if value is not None:
            parts.append(f"{label} {value:,.0f}")
    if snap.test_accuracy is not None:
        parts.append(f"Test accuracy {snap.test_accuracy:.1%}")
    elif snap.train_accuracy is not None:
        parts.append(f"Train accuracy {snap.train_accuracy:.1%}")
    return "   ·   ".join(parts)


def _game_summary(snap) -> str:
    parts = [f"Discriminator loss {snap.metric('d_loss'):.3f}", f"Generator loss {snap.metric('g_loss'):.3f}"]
    if snap.metric("modes_covered") is not None:
        parts.append(f"Modes covered {snap.metric('modes_covered'):.0f} of 8")
    return "   ·   ".join(parts)


def _reconstruction_summary(snap) -> str:
    parts = [f"Train reconstruction {snap.metric('train_reconstruction'):.4f}"]
    test, penalty = snap.metric("reconstruction"), snap.metric("penalty")
    if test is not None:
        parts.append(f"Test reconstruction {test:.4f}")
    if penalty:
        parts.append(f"Penalty {penalty:.4g}")
    return "   ·   ".join(parts)
