"""Lessons in the window: the browser (File ▸ Lessons…) grouped by topic, and the window's part of
opening one and showing its panel. A mixin of MainWindow, like gui/project_files.py.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.errors import SpecError
from engine.lesson_concepts import concept_label, concepts_line
from engine.lessons import TOPICS, Lesson, all_lessons, lesson_ids, lesson_path, read_lesson
from gui.panels.lesson_panel import LessonPanel

LESSON_ID = Qt.ItemDataRole.UserRole


def bundled_lessons() -> tuple[list[Lesson], list[str]]:
    """Every bundled lesson in the course's order, and a line for each file that cannot be read
    (one broken file must not hide the others from the browser)."""
    try:
        return all_lessons(), []
    except (ValueError, OSError):  # SpecError and JSON errors are ValueErrors
        pass
    lessons, problems = [], []
    for name in lesson_ids():
        try:
            lessons.append(read_lesson(lesson_path(name)))
        except (ValueError, OSError) as exc:
            problems.append(f"{name}: {exc}")
    lessons.sort(key=lambda x: (TOPICS.index(x.topic), x.concepts[0], x.id))  # all_lessons' order
    return lessons, problems


class LessonBrowserDialog(QDialog):
    """Every lesson by topic, with its concepts; `lessonChosen(id)` when one is opened."""

    lessonChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonBrowser")
        self.setWindowTitle("Lessons")
        self.resize(900, 820)  # every lesson and its concepts in view at once, and the preview
        self.tree = QTreeWidget()
        self.tree.setObjectName("lessonTree")
        self.tree.setHeaderLabels(["Lesson", "Concepts"])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.preview = QLabel()
        self.preview.setObjectName("lessonPreview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.RichText)  # a bold title; the lesson's text is escaped
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.preview.setMinimumHeight(96)
        self.preview.setStyleSheet("QLabel { padding: 8px; background: #f1f3f4; border-radius: 4px; }")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.openButton = buttons.addButton("Open lesson", QDialogButtonBox.ButtonRole.AcceptRole)
        self.openButton.setObjectName("lessonOpenButton")
        self.openButton.setDefault(True)
        buttons.accepted.connect(self._on_open_clicked)
        buttons.rejected.connect(self.close)
        intro = QLabel(
            "Each lesson opens a small project with a short explanation and one-click changes to try."
        )
        intro.setWordWrap(True)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.tree, 1)
        column.addWidget(self.preview)
        column.addWidget(buttons)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        self.tree.itemActivated.connect(lambda item, _col: self._open(item))
        self.refresh()

    def refresh(self) -> None:
        """Read the lesson files again (they are small) and list them under their topics."""
        self.tree.clear()
        lessons, self.problems = bundled_lessons()
        self._lessons = {lesson.id: lesson for lesson in lessons}
        bold = QFont()
        bold.setBold(True)
        for topic in TOPICS:
            members = [lesson for lesson in lessons if lesson.topic == topic]
            if not members:
                continue
            group = QTreeWidgetItem(self.tree, [topic])
            group.setFont(0, bold)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: not selectable, not openable
            for lesson in members:
                concepts = "\n".join(concept_label(c) for c in lesson.concepts)
                item = QTreeWidgetItem(group, [lesson.title, concepts])
                item.setData(0, LESSON_ID, lesson.id)
                item.setToolTip(0, lesson.text[0])
                item.setToolTip(1, concepts)
            group.setExpanded(True)
        first = self.lesson_items()[:1]
        if first:
            self.tree.setCurrentItem(first[0])
        else:
            self._on_current_changed(None, None)

    def select(self, lesson_id: str) -> bool:
        """Make `lesson_id` the current row (and preview it); False when it is not listed."""
        for item in self.lesson_items():
            if item.data(0, LESSON_ID) == lesson_id:
                self.tree.setCurrentItem(item)
                self.tree.scrollToItem(item)
                return True
        return False

    def lesson_items(self) -> list[QTreeWidgetItem]:
        """The lessons' rows, in the order shown."""
        root = self.tree.invisibleRootItem()
        groups = [root.child(i) for i in range(root.childCount())]
        return [g.child(j) for g in groups for j in range(g.childCount())]

    def _on_current_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        lesson = self._lessons.get(item.data(0, LESSON_ID)) if item is not None else None
        self.openButton.setEnabled(lesson is not None)
        if lesson is not None:
            title, text = html.escape(lesson.title), html.escape(" ".join(lesson.text))
            noun = "Concept" if len(lesson.concepts) == 1 else "Concepts"
            concepts = html.escape(concepts_line(lesson.concepts))
            self.preview.setText(
                f"<b>{title}</b> <span style='color:#5f6368'>({lesson.topic})</span>"
                f"<br><span style='color:#5f6368'>{noun} {concepts}</span><p>{text}</p>"
            )
        elif self.problems:
            self.preview.setText(
                "Some lessons could not be read:<br>" + "<br>".join(map(html.escape, self.problems))
            )
        else:
            self.preview.setText(
                "Choose a lesson to read what it is about." if self._lessons else "No lessons."
            )

    def _on_open_clicked(self) -> None:
        self._open(self.tree.currentItem())

    def _open(self, item: QTreeWidgetItem | None) -> None:
        lesson_id = item.data(0, LESSON_ID) if item is not None else None
        if lesson_id:
            self.lessonChosen.emit(lesson_id)


class LessonWindow:
    """The window's lessons (mixed into MainWindow): File ▸ Lessons…, opening one, its panel's tab."""

    lessonBrowser: LessonBrowserDialog | None = None

    def _build_lesson_tab(self) -> None:
        self.lessonPanel = LessonPanel(self.model)
        self.lessonPanel.message.connect(self.show_message)
        self.panelTabs.addTab(self.lessonPanel, "Lesson")
        self.lessonPanel.lessonChanged.connect(self._on_lesson_changed)
        self._on_lesson_changed(self.lessonPanel.lesson.id if self.lessonPanel.lesson else "")

    def show_lessons(self) -> LessonBrowserDialog:
        """Show the lesson browser: non-modal, so the window (and tests) go on while it is open."""
        if self.lessonBrowser is None:
            self.lessonBrowser = LessonBrowserDialog(self)
            self.lessonBrowser.lessonChosen.connect(self._on_lesson_chosen)
        else:
            self.lessonBrowser.refresh()
        self.lessonBrowser.show()
        self.lessonBrowser.raise_()
        self.lessonBrowser.activateWindow()
        return self.lessonBrowser

    def open_lesson(self, lesson_id: str) -> bool:
        """Open a bundled lesson as an example opens: a fresh, unsaved project (Save asks where, so
        the bundled file is never overwritten); a file that cannot be read says why."""
        from engine.store import load_project

        if not self.maybe_discard("open a lesson"):
            return False
        try:
            project = load_project(lesson_path(lesson_id))
        except SpecError as exc:
            self.show_message(f"Could not open the lesson {lesson_id}: {exc}", 15000)
            return False
        self.model.replace(project, None)
        self.menu_state.add_recent(lesson_id, "lesson")
        if self.lessonPanel.lesson is not None:
            self.show_message(f"Opened the lesson “{self.lessonPanel.lesson.title}”")
        return True

    def _on_lesson_chosen(self, lesson_id: str) -> None:
        if self.open_lesson(lesson_id):
            self.lessonBrowser.hide()  # the lesson is in the window now: its panel says the rest

    def _on_lesson_changed(self, lesson_id: str) -> None:
        """The Lesson tab is there while the project has a lesson, and comes to the front when one opens."""
        tabs, index = self.panelTabs, self.panelTabs.indexOf(self.lessonPanel)
        if lesson_id:
            tabs.setTabVisible(index, True)
            tabs.setCurrentIndex(index)
            return
        if tabs.currentIndex() == index:
            builder = tabs.isTabVisible(tabs.indexOf(self.builderPanel))
            tabs.setCurrentWidget(self.builderPanel if builder else self.dataPanel)
        tabs.setTabVisible(index, False)
