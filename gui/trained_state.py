"""Saving a project keeps its trained run beside it; opening it shows that run and Play goes on.

A mixin of MainWindow (gui/project_files.py calls it). The session writes and reads the state
itself (engine/session/saved_runs.py) into `<name>.state/` beside the project file; the window
only says where, and reports what happened. A state that is missing, damaged or does not fit the
project leaves a fresh run and a message saying why.
"""

from __future__ import annotations

from pathlib import Path

from engine.session.saved_runs import trained_state_folder


class TrainedState:
    """Where the trained run of the project file goes, and the run restored from it on opening."""

    _state_to_restore: Path | None = None  # the folder to restore on the next load of the project

    def _restore_run_beside(self, project_path: str | Path) -> None:
        """The next load of the project opened from `project_path` restores its saved run, if any."""
        folder = trained_state_folder(project_path)
        self._state_to_restore = folder if folder.is_dir() else None

    def _load_project_run(self) -> None:
        """Build the project's run in the session: the saved one when it was just opened with one."""
        folder, self._state_to_restore = self._state_to_restore, None
        if folder is not None:
            self.training.send("load_saved", (self.model.project, str(folder)))
        else:
            self.training.loadRequested.emit(self.model.project)

    def _save_trained_run(self, project_path: Path) -> None:
        """Ask the session to write the trained run beside the project just saved at `project_path`."""
        if self.run_info is None or self.session_lost:
            return  # no run to keep (the project did not build, or the process died)
        self.training.send("save_state", str(trained_state_folder(project_path)))

    def _on_state_saved(self, folder: str, error: str) -> None:
        if not self._from_current_session():
            return
        if error:
            self.show_message(f"The project was saved, but not its trained run: {error}", 15000)
        else:
            self.show_message(f"Saved the project, and its trained run in {folder}")
