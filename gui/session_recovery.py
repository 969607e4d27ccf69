"""The window's link to its training process, and what happens when that process dies.

A training process can be killed (the out-of-memory killer, a user's `kill`, a crash in native
code). The relay then says the session ended; unless the window itself ended it, the window
says so in the run panel within a second, and the next Play, Step or Reset starts a new process.
Play and Step resume from the last weights the session sent (a Checkpoint, at every pause and
every CHECKPOINT_SECONDS while training), with the curves cut back to that epoch.
"""

from __future__ import annotations

from engine.session.child_exit import describe_exit
from engine.session.session import Checkpoint
from gui.session_client import SessionClient


class SessionRecovery:
    """Mixin for MainWindow: owns `self.training` and replaces it when its process dies."""

    def _start_training(self) -> SessionClient:
        self._checkpoint: Checkpoint | None = None
        self._session_lost = ""  # why the session ended, while no new one has been started
        self._closing = False
        return self._connect(SessionClient(self))

    def _connect(self, training: SessionClient) -> SessionClient:
        worker = training.worker
        worker.rebuilt.connect(self._on_rebuilt)
        worker.frameReady.connect(self._on_frame)
        worker.historyShown.connect(self._on_history_shown)
        worker.compareBuilt.connect(self._history_off)
        worker.compareBuilt.connect(self._on_compare_built)
        worker.failed.connect(self._compare_failed)
        worker.buildFailed.connect(self._on_build_failed)
        worker.failed.connect(self._on_failed)
        worker.exported.connect(self._on_exported)
        worker.stateSaved.connect(self._on_state_saved)
        worker.checkpoint.connect(self._on_checkpoint)
        worker.optimizerStepped.connect(self._on_optimizer_step)
        worker.sessionEnded.connect(self._on_session_ended)
        return training

    def _from_current_session(self) -> bool:
        """False for an event a replaced session's relay queued before it ended."""
        sender = self.sender()
        return sender is None or sender is self.training.worker

    @property
    def session_lost(self) -> str:
        return self._session_lost

    def _on_optimizer_step(self, payload) -> None:
        if self._from_current_session():
            self.backpropPanel.show_optimizer_step(payload)  # gui/views/backprop_panel.py

    def _on_checkpoint(self, checkpoint: Checkpoint) -> None:
        info = self.run_info
        if self._from_current_session() and info is not None and checkpoint.generation == info.generation:
            self._checkpoint = checkpoint

    def _on_session_ended(self) -> None:
        if self._closing or not self._from_current_session():
            return
        process = self.training.process
        process.join(0.5)  # the pipe closes as it dies; its exit code follows at once
        code = process.exitcode
        self._session_lost = (
            f"The training process {describe_exit(code)}."
            if code is not None
            else "The training process stopped answering."
        )
        self.view_pacer.cancel()
        self._set_running(False)
        self.rateLabel.setText("")
        if self._checkpoint is not None:
            where = f"continue from epoch {self._checkpoint.epoch:,}"
        else:
            where = "start again"
        # A button too: Play may be off (the project had not built), and no dead end is left.
        self._show_run_message(
            f"{self._session_lost} Press Play or Step to {where} in a new one, or Reset to start afresh.",
            fix=("Start a new training process", lambda: self._ensure_session(resume=True)),
        )

    def _ensure_session(self, resume: bool) -> None:
        """After the session died: start a new one on the project (from the last weights when
        `resume`), so the command that follows reaches a live session."""
        if not self._session_lost:
            return
        old = self.training
        old.stop(timeout_ms=1000)
        old.deleteLater()
        checkpoint = self._checkpoint if resume else None
        self.training = self._connect(SessionClient(self))
        self._session_lost = ""
        self._checkpoint = None
        self._resume_epoch = checkpoint.epoch if checkpoint is not None else None
        self.outputPanel.hide_run_message()
        self._fix = None
        self.training.speedChanged.emit(float(self.speedCombo.currentData()))
        self._send_epoch_budget()  # before the Play that follows: the new session stops as the old did
        self.training.loadRequested.emit(self.model.project)
        if checkpoint is not None:
            self.training.send("restore", (checkpoint.epoch, checkpoint.state))
        self.show_message("Started a new training process")
