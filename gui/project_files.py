"""What the window does with project files: new, open, save (atomic), autosave and crash recovery.

A mixin of MainWindow: it uses the window's `model`, `menu_state`, `show_message` and the dialog
hooks `confirm_discard` / `ask_restore`, which tests replace to answer without a modal loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from engine.errors import SpecError
from engine.spec import Project
from gui import files

DEFAULT_EXAMPLE = "spiral"


def default_project() -> Project:
    from engine.examples import example_path
    from engine.store import load_project

    return load_project(example_path(DEFAULT_EXAMPLE))


class ProjectFiles:
    """File handling for the main window (mixed into MainWindow)."""

    # -- files ----------------------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.model.path.name if self.model.path else self.model.project.name
        self.setWindowTitle(f"{name}{' •' if self.model.dirty else ''} — Layerlab")

    def maybe_discard(self, action: str) -> bool:
        """True when it is fine to drop the current project (saved, or the user agreed)."""
        if not self.model.dirty:
            return True
        answer = self.confirm_discard(action)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def open_project(self, path: str | Path) -> bool:
        """Open `path`; a bad file leaves the current project as it was and says why."""
        from engine.store import load_project

        if not self.maybe_discard("open another project"):
            return False
        try:
            project = load_project(path)
        except SpecError as exc:
            self.show_message(f"Could not open {Path(path).name}: {exc}", 15000)
            return False
        self.model.replace(project, Path(path))
        self.menu_state.add_recent(path)
        self.show_message(f"Opened {path}")
        return True

    def open_example(self, name: str) -> bool:
        from engine.examples import example_path
        from engine.store import load_project

        if not self.maybe_discard("open an example"):
            return False
        self.model.replace(load_project(example_path(name)), None)
        return True

    def new_project(self) -> bool:
        if not self.maybe_discard("start a new project"):
            return False
        self.model.replace(default_project(), None)
        return True

    def save(self) -> bool:
        if self.model.path is None:
            return self.save_as()
        return self.save_to(self.model.path)

    def save_as(self, path: str | Path | None = None) -> bool:
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(self, "Save project", "", "Layerlab project (*.json)")
            if not path:
                return False
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        from engine.store import save_project

        try:
            save_project(self.model.project, path)
        except OSError as exc:
            self.show_message(f"Could not save {path}: {exc.strerror or exc}", 15000)
            return False
        self.model.mark_saved(Path(path))
        self.menu_state.add_recent(path)
        files.clear_recovery()
        self.show_message(f"Saved {path}")
        return True

    def autosave(self) -> bool:
        """Write the recovery file while there are unsaved changes; True when one was written."""
        if not self.model.dirty:
            return False
        try:
            files.write_recovery(self.model.project, self.model.path)
        except OSError as exc:
            self.show_message(f"Autosave failed: {exc.strerror or exc}")
            return False
        return True

    def offer_recovery(self) -> None:
        """After a crash: ask whether to restore the autosaved project (gui.app calls this once the
        window is up, so the question is not hidden under the loading card)."""
        found = files.read_recovery()
        if found is None:
            return
        project, source = found
        if self.ask_restore(source or "an unsaved project"):
            self.model.replace(project, Path(source) if source else None)
            self.model.undo_stack.resetClean()  # restored work is not on disk yet: keep it marked unsaved
            self.show_message("Restored the autosaved project")
        else:
            files.clear_recovery()

    def _ask_discard(self, action: str) -> str:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText("The project has unsaved changes.")
        box.setInformativeText(f"Save them before you {action}?")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel"
        )

    def _ask_restore(self, source: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Restore unsaved work?",
            f"Layerlab did not close cleanly. Restore the autosaved copy of {source}?",
        )
        return answer == QMessageBox.StandardButton.Yes
