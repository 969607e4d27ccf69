"""What the window says about a run: one status-bar line for why it stopped, a run-panel warning
when the network ends worse than guessing (engine.diagnostics.worse_than_chance) or starts far
from it (initial_loss_warning), the learning rate in the status bar (and, once, that a schedule
has brought it to about 0), and the run panel's fix button, so no dead end is left without a way out."""

from __future__ import annotations

import re

from engine.diagnostics import Chance, initial_loss_warning, worse_than_chance
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


RATE_FADED = 1e-3  # a rate below this share of its start no longer moves the weights visibly
_RAISE = {
    "cosine": "its period or min_fraction",
    "step": "its rate or every",
    "exponential": "its rate or every",
}


def rate_text(lr: float) -> str:
    """The status bar's learning rate."""
    return f"lr {lr:.3g}"


def rate_faded(lr: float, epoch: int, training) -> str | None:
    """The sentence for a schedule that has brought the rate to (about) 0, else None (`training`:
    the project's TrainingSpec; a warm-up's rate near 0 is its start, not its end)."""
    schedule, start = training.schedule, training.optimizer["lr"]
    if schedule["name"] == "constant" or epoch <= schedule.get("warmup_epochs", 0.0):
        return None
    if not lr < RATE_FADED * start:
        return None
    level = "0" if lr == 0 else f"{lr:.2g}"
    raise_what = _RAISE.get(schedule["name"], "its rate or every")
    # Short enough for the status bar beside its labels (~150 characters at the default size).
    return (
        f"Learning rate {level}: the {schedule['name']} schedule brought it down from {start:g}, so "
        f"the curves stay flat (the network is not frozen). To train on, raise {raise_what}."
    )


class RunMessages:
    """Mixin for MainWindow: the run panel's messages and fix button, and the window's stop."""

    _rate_faded_told = False  # the sentence about a rate brought to 0 is said once per fall
    _run_line: str | None = None  # the stop line last put in the status bar

    def _show_run_state(self, frame: RunFrame, running: bool, stopped: bool) -> None:
        """The run panel and status bar: why the run stopped, a warning when the network does
        no better than guessing or starts far from it, and the learning rate."""
        training = self.model.project.training
        line = stop_line(frame.status, frame.latest.epoch, frame.message, training) if stopped else None
        warning = None if running else chance_warning(frame.latest, self._chance, frame.latest.lr)
        start = self._start_warning(frame.latest) if not running else None
        self._show_rate(frame.latest, training)
        if frame.status == "diverged":
            self._show_run_message(f"Training diverged. {frame.message}", fix=("Reset", self.reset))
            self.playButton.setEnabled(False)
        elif frame.status == "early_stopping":
            self._show_run_message(frame.message.capitalize())
        elif warning is not None:
            self._show_run_message(warning, fix=self._lower_lr_fix(warning))
        elif start is not None:
            self._show_run_message(start)
        elif running:
            self.outputPanel.hide_run_message()
            self._fix = None
        if line is not None:
            self._run_line = line if warning is None else f"{line} {warning.split(':')[0]}."
            self.show_message(self._run_line, 20000)

    def _forget_run_line(self) -> None:
        """A new run: the last one's stop line (and its diagnosis) no longer describes what is shown."""
        if self._run_line and self.statusBar().currentMessage() == self._run_line:
            self.statusBar().clearMessage()
        self._run_line = None

    def _start_warning(self, snapshot) -> str | None:
        """Before the first epoch: a sentence when the loss is far from a classifier's even guess."""
        if snapshot is None or snapshot.epoch != 0 or self._chance is None or self.run_info is None:
            return None
        return initial_loss_warning(snapshot.train_loss, self.run_info.head)

    def _show_rate(self, snapshot, training) -> None:
        """The rate in the status bar; once, in words, when a schedule has brought it to about 0."""
        if snapshot is None or self.family == "perceptron":
            self.lrLabel.setText("")
            return
        self.lrLabel.setText(rate_text(snapshot.lr))
        faded = rate_faded(snapshot.lr, snapshot.epoch, training)
        self.lrLabel.setToolTip(faded or "The learning rate of the latest step")
        if faded is not None and not self._rate_faded_told:
            self.show_message(faded, 30000)
        self._rate_faded_told = faded is not None

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
