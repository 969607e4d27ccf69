"""A project saved from the window keeps its trained run beside it, and opening it goes on from there.

A mixin of engine.session.session.Session. The trained state (engine/train_state.py: weights,
optimizer state, schedule position, epoch, metrics log, data split; safetensors + JSON, never
pickle) goes into a folder beside the project file, `<name>.state/`, written atomically. The
session writes and reads it itself: the window never holds the optimizer's buffers.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import SpecError
from engine.session.frames import MAIN_RUN

STATE_SUFFIX = ".state"


def trained_state_folder(project_path: str | Path) -> Path:
    """Where the trained state of the project saved at `project_path` lives."""
    path = Path(project_path)
    return path.with_name(path.stem + STATE_SUFFIX)


class SavedRuns:
    """Session commands `save_state` and `load_saved`."""

    def save_state(self, folder) -> None:
        """Write the main run's state into `folder`; answers `state_saved` (folder, error or "")."""
        from engine.os_errors import describe_os_error
        from engine.train_state import write_state

        slot = self.runs.get(MAIN_RUN)
        if slot is None:
            self._send("state_saved", (str(folder), "there is no trained run to save"))
            return
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            write_state(slot.trainer, folder)
        except OSError as exc:
            error = describe_os_error(exc, str(folder))
            self._send("state_saved", (str(folder), f"{error.path}: {error.reason}"))
            return
        self._send("state_saved", (str(folder), ""))

    def load_saved(self, arg) -> None:
        """(project, folder): the project's run as saved in `folder`, or, when that cannot be
        read or does not fit, a fresh run with a `failed` message saying why."""
        from engine.train import build_trainer
        from engine.train_state import SavedState, apply_state

        project, folder = arg
        try:
            saved = SavedState(folder)
            trainer = build_trainer(project, dataset=saved.dataset())
            apply_state(trainer, saved)
        except SpecError as exc:
            self.load(project)
            self._send("failed", (exc.path, f"the trained run was not restored: {exc.reason}"))
            return
        self.running = False
        self.generation += 1
        self._frame_in_flight = False
        self.project, self.comparing = project, None
        self.runs = {MAIN_RUN: self._slot(MAIN_RUN, trainer)}
        self._started()
        self._send("rebuilt", self.runs[MAIN_RUN].info(self.generation, with_metrics=True))
        self.emit_frame()
