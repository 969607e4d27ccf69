"""What the window does with project files: new, open, save (atomic), autosave and crash recovery.

A mixin of MainWindow: it uses the window's `model`, `menu_state`, `show_message` and the dialog
hooks `confirm_discard` / `ask_restore` / `confirm_overwrite`, which tests replace to answer
without a modal loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from engine.errors import SpecError
from engine.spec.project import Project
from gui import files
from gui.recovery import RecoverySlot, orphans

DEFAULT_EXAMPLE = "spiral"
PROJECT_SUFFIX = ".layerlab.json"
PROJECT_FILTER = "Layerlab project (*.layerlab.json *.json);;All files (*)"


def default_project() -> Project:
    from engine.examples import example_path
    from engine.store import load_project

    return load_project(example_path(DEFAULT_EXAMPLE))


def with_project_suffix(path: str | Path) -> Path:
    """`csvproj` -> `csvproj.layerlab.json`; a name the user gave an extension keeps it."""
    path = Path(path)
    return path if path.suffix else path.with_name(path.name + PROJECT_SUFFIX)


class ProjectFiles:
    """File handling for the main window (mixed into MainWindow)."""

    _recovery: RecoverySlot | None = None  # this window's autosave, made on the first one

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
        self._restore_run_beside(path)  # gui/trained_state.py: the run saved with it, if any
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
        self.menu_state.add_recent(name, "example")
        return True

    def open_recent(self, entry: files.Recent) -> bool:
        if entry.kind == "lesson":
            return self.open_lesson(entry.target)
        if entry.kind == "example":
            return self.open_example(entry.target)
        if entry.kind == "csv":
            self.panelTabs.setCurrentWidget(self.dataPanel)
            return self.dataPanel.open_csv(entry.target)
        return self.open_project(entry.target)

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

            path, _ = QFileDialog.getSaveFileName(
                self, "Save project", self._suggested_path(), PROJECT_FILTER
            )
            if not path:
                return False
            files.remember_folder(Path(path).parent)
            chosen, path = Path(path), with_project_suffix(path)
            # The dialog asked about overwriting the name as typed, not the one with the suffix.
            if path != chosen and path.exists() and not self.confirm_overwrite(path):
                return False
        return self.save_to(Path(path))

    def _suggested_path(self) -> str:
        """The Save dialog's start: the project's own file, else its name in the usual folder."""
        if self.model.path is not None:
            return str(self.model.path)
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.model.project.name).strip("_")
        return str(Path(files.dialog_folder()) / f"{stem or 'project'}{PROJECT_SUFFIX}")

    def confirm_overwrite(self, path: Path) -> bool:
        answer = QMessageBox.question(self, "Replace file?", f"{path.name} already exists. Replace it?")
        return answer == QMessageBox.StandardButton.Yes

    def save_to(self, path: Path) -> bool:
        from engine.store import save_project

        try:
            save_project(self.model.project, path)
        except OSError as exc:
            self.show_message(f"Could not save {path}: {exc.strerror or exc}", 15000)
            return False
        self.model.mark_saved(Path(path))
        self.menu_state.add_recent(path)
        if self._recovery is not None:
            self._recovery.clear()
        self.show_message(f"Saved {path}")
        self._save_trained_run(Path(path))  # gui/trained_state.py
        return True

    def autosave(self) -> bool:
        """Write this window's recovery file while there are unsaved changes; True when written."""
        if not self.model.dirty:
            return False
        if self._recovery is None:
            self._recovery = RecoverySlot(files.state_dir())
        try:
            self._recovery.write(self.model.project, self.model.path)
        except OSError as exc:
            self.show_message(f"Autosave failed: {exc.strerror or exc}")
            return False
        return True

    def release_recovery(self) -> None:
        """The window closes on purpose (saved or discarded): its recovery file goes."""
        if self._recovery is not None:
            self._recovery.release()
            self._recovery = None

    def offer_recovery(self) -> None:
        """Offer the work of windows that did not close cleanly, newest first, until one is restored
        (gui.app calls this once the window is up, so the question is not hidden under the loading
        card). Files of windows still running are locked by them and never seen here."""
        for orphan in orphans(files.state_dir()):
            try:
                found = orphan.read()
            except OSError as exc:  # kept for the next start: it may read then
                orphan.release()
                self.show_message(f"Could not read an autosaved project: {exc.strerror or exc}")
                continue
            if found is None:
                orphan.discard()  # unreadable: offering it would only fail again
                continue
            project, source = found
            if not self.ask_restore(source or "an unsaved project"):
                orphan.discard()
                continue
            self.model.replace(project, Path(source) if source else None)
            self.model.undo_stack.resetClean()  # restored work is not on disk yet: keep it marked unsaved
            self.autosave()  # the work is this window's now, under its own lock
            orphan.discard()
            self.show_message("Restored the autosaved project")
            return  # any others wait for the next start

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
