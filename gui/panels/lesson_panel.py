"""The lesson panel: what the open lesson teaches, what to watch, and its one-click "try this" changes.

It reads the project's `lesson` block (engine/lessons.py checks it). Each try is one ProjectModel
edit named after its label, so it is validated like any edit and Edit ▸ Undo takes it back.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from engine.errors import SpecError
from engine.lesson_concepts import concept_label
from engine.lessons import Lesson, lesson_from
from gui.project_model import ProjectModel
from gui.widgets.param_form import scrolling_column, tag

TITLE_STYLE = "font-size: 17px; font-weight: 600; color: #202124;"
HEADING_STYLE = "font-weight: 600; color: #3c4043; margin-top: 8px;"
WATCH_STYLE = "padding: 8px; background: #e8f0fe; border-radius: 4px;"
CLAIM_STYLE = "padding: 8px; background: #e6f4ea; border-radius: 4px;"
TRY_STYLE = "QLabel { font-weight: 600; }"
UNDO_HINT = "Each change is one edit: Edit ▸ Undo (Ctrl+Z) takes it back."


def read_block(raw: dict[str, Any]) -> Lesson | None:
    """The project's lesson block as a Lesson, or None when there is none; SpecError when unreadable."""
    if not raw:
        return None
    # lesson_from checks the id against a file name: a project saved elsewhere keeps its lesson's id.
    return lesson_from(raw, Path(f"{raw.get('id', '')}.json"))


def concepts_text(concepts: tuple[int, ...]) -> str:
    """`Concept 19: Dropout`, or one concept a line: the numbers are the course's (issue 12)."""
    if len(concepts) == 1:
        return f"Concept {concept_label(concepts[0])}"
    return "Concepts\n" + "\n".join(concept_label(c) for c in concepts)


def try_tip(overrides: dict[str, Any]) -> str:
    """The key paths a try sets, as `--set` would write them."""
    import json

    return "\n".join(f"{key} = {json.dumps(value)}" for key, value in overrides.items())


def paragraph_html(sentences: tuple[str, ...]) -> str:
    """The sentences as one escaped paragraph, spaced a little wider than a label's default."""
    return f"<p style='line-height: 125%'>{html.escape(' '.join(sentences))}</p>"


class TryButton(QPushButton):
    """A push button whose label wraps: a long "try this" label must not widen the panel past the
    tab (a plain QPushButton never wraps, and its width would clip every other line)."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(f"▶  {text}")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setStyleSheet(TRY_STYLE)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # the button gets clicks
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 7, 10, 7)
        row.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def sizeHint(self):
        return self.layout().sizeHint()

    def minimumSizeHint(self):
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.layout().totalHeightForWidth(width)


class LessonPanel(QWidget):
    """The open project's lesson; `lessonChanged(id)` says which one ("" when the project has none)."""

    message = Signal(str)
    lessonChanged = Signal(str)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.lesson: Lesson | None = None
        self._raw: dict[str, Any] = {}
        self.setObjectName("lessonPanel")
        self.titleLabel = self._label("lessonTitle", TITLE_STYLE)
        self.conceptsLabel = self._label("lessonConcepts", "color: #5f6368;")
        self.textLabel = self._label("lessonText")
        self.textLabel.setTextFormat(Qt.TextFormat.RichText)  # for the line spacing; the text is escaped
        self.watchLabel = self._label("lessonWatch", WATCH_STYLE)
        self.claimLabel = self._label("lessonClaim", CLAIM_STYLE)
        self._tries = QWidget()
        self._tries_column = QVBoxLayout(self._tries)
        self._tries_column.setContentsMargins(0, 0, 0, 0)
        self.tryButtons: list[TryButton] = []
        hint = self._label("lessonUndoHint", "color: #5f6368; font-size: 11px;")
        hint.setText(UNDO_HINT)
        scrolling_column(
            self,
            self.titleLabel,
            self.conceptsLabel,
            self.textLabel,
            self._heading("What to watch"),
            self.watchLabel,
            self._heading("Try this"),
            self._tries,
            hint,
            self._heading("What this lesson shows"),
            self.claimLabel,
        )
        self._adjusted = False
        model.adjusted.connect(self._on_model_adjusted)
        model.changed.connect(self._on_project_changed)
        self._on_project_changed(set())

    def _label(self, name: str, style: str = "") -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)  # lesson text is prose, never markup
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if style:
            label.setStyleSheet(f"QLabel {{ {style} }}")
        return tag(label, name)

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet(f"QLabel {{ {HEADING_STYLE} }}")
        return label

    # -- from the project -----------------------------------------------------------------------
    def _on_model_adjusted(self, _note: str) -> None:
        self._adjusted = True  # the edit's own note (e.g. a preset switch) says more than ours would

    def _on_project_changed(self, _sections: set) -> None:
        raw = self._model.project.lesson
        if raw == self._raw:
            return  # edits leave the block alone: only opening another project changes it
        self._raw = raw
        try:
            self.lesson = read_block(raw)
        except SpecError as exc:
            self.lesson = None
            self.message.emit(f"This project's lesson cannot be shown: {exc}")
        self._show(self.lesson)
        self.lessonChanged.emit(self.lesson.id if self.lesson else "")

    def _show(self, lesson: Lesson | None) -> None:
        self.titleLabel.setText(lesson.title if lesson else "")
        self.conceptsLabel.setText(concepts_text(lesson.concepts) if lesson else "")
        self.textLabel.setText(paragraph_html(lesson.text) if lesson else "")
        self.watchLabel.setText(lesson.watch if lesson else "")
        self.claimLabel.setText(lesson.claim if lesson else "")
        for button in self.tryButtons:
            button.deleteLater()
        self.tryButtons = []
        for index, item in enumerate(lesson.tries if lesson else ()):
            button = TryButton(item.label)
            tag(button, f"lessonTry{index}", item.label, try_tip(item.overrides))
            button.clicked.connect(lambda _=False, i=index: self.apply_try(i))
            self._tries_column.addWidget(button)
            self.tryButtons.append(button)

    # -- the tries --------------------------------------------------------------------------------
    def apply_try(self, index: int) -> bool:
        """Apply the lesson's try `index` as one undoable edit; a value the engine refuses changes
        nothing and says why in one line."""
        from engine.race.variants import variant_project

        item = self.lesson.tries[index]
        try:
            # variant_project sets each key path on the full document (defaults filled in) and
            # validates it, the way `--set` and races apply the same overrides.
            changed = variant_project(self._model.project, item.overrides).to_dict()
        except SpecError as exc:
            self.message.emit(f"Could not apply “{item.label}”: {exc}")
            return False

        def mutate(doc: dict[str, Any]) -> None:
            doc.clear()
            doc.update(changed)

        stack, before = self._model.undo_stack, self._model.undo_stack.index()
        self._adjusted = False
        if not self._model.edit(item.label, mutate):
            return False  # the window shows the engine's reason (editRejected)
        if stack.index() == before:
            self.message.emit(f"“{item.label}” is already applied.")
        elif not self._adjusted:
            self.message.emit(f"Applied “{item.label}”. Edit ▸ Undo (Ctrl+Z) takes it back.")
        return True
