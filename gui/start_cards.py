"""The start page's pieces: a wrapping card button, a topic's card of lessons, a two-column grid of
links, one-line labels, and the page's contents widget."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from engine.lesson_concepts import concepts_line
from engine.lessons import Lesson
from gui.panels.lesson_panel import TryButton
from gui.start_catalog import concept_note
from gui.widgets.param_form import tag

CARD_STYLE = "QFrame#topicCard { background: white; border: 1px solid #dadce0; border-radius: 6px; }"
LINK_STYLE = (
    "QPushButton { text-align: left; border: none; border-radius: 4px; background: transparent; }"
    "QPushButton:hover { background: #e8f0fe; }"
    "QPushButton:focus { background: #e8f0fe; }"
)
MORE_STYLE = (
    "QPushButton { text-align: left; border: none; color: #1a73e8; padding: 2px 10px; background: transparent; }"
    "QPushButton:hover { text-decoration: underline; }"
)
TOPIC_STYLE = "QLabel { font-size: 14px; font-weight: 600; color: #202124; padding: 2px 10px 0 10px; }"


class CardButton(TryButton):
    """A flat button of two wrapped lines: a bold title and a grey note under it (a lesson's
    concepts, an example's family); TryButton's wrapping, so long titles never widen the page."""

    def __init__(self, title: str, note: str = "", parent: QWidget | None = None):
        super().__init__(title, parent)
        self.title = title
        self.label.setTextFormat(Qt.TextFormat.RichText)  # both lines are escaped
        note_html = (
            f"<br><span style='color:#5f6368; font-size:11px; font-weight:normal'>{html.escape(note)}</span>"
            if note
            else ""
        )
        self.label.setText(
            f"<span style='color:#1a73e8; font-weight:600'>{html.escape(title)}</span>{note_html}"
        )
        self.label.setStyleSheet("")
        self.setStyleSheet(LINK_STYLE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)


class TopicCard(QFrame):
    """A topic's first lessons, each one click from opening; `lessonClicked(id)`, and
    `moreClicked(id)` (the first lesson not shown) for the rest in the lesson browser."""

    lessonClicked = Signal(str)
    moreClicked = Signal(str)

    def __init__(self, topic: str, lessons: list[Lesson], more: list[Lesson], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("topicCard")
        self.setStyleSheet(CARD_STYLE)
        self.topic = topic
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 8, 4, 6)
        column.setSpacing(2)
        heading = QLabel(topic)
        heading.setStyleSheet(TOPIC_STYLE)
        column.addWidget(heading)
        self.buttons: dict[str, CardButton] = {}
        for lesson in lessons:
            button = CardButton(lesson.title, concept_note(lesson))
            noun = "Concept" if len(lesson.concepts) == 1 else "Concepts"  # all of them, in the tooltip
            tip = f"{lesson.text[0]}\n{noun} {concepts_line(lesson.concepts)}"
            tag(button, f"startLesson_{lesson.id}", lesson.title, tip)
            button.clicked.connect(lambda _=False, i=lesson.id: self.lessonClicked.emit(i))
            column.addWidget(button)
            self.buttons[lesson.id] = button
        self.moreButton = None
        if more:
            noun = "lesson" if len(more) == 1 else "lessons"
            self.moreButton = QPushButton(f"{len(more)} more {noun} in the browser…")
            tag(self.moreButton, f"startMore_{topic.replace(' ', '_')}", f"More {topic} lessons")
            self.moreButton.setToolTip("\n".join(lesson.title for lesson in more))
            self.moreButton.setStyleSheet(MORE_STYLE)
            self.moreButton.setCursor(Qt.CursorShape.PointingHandCursor)
            self.moreButton.clicked.connect(lambda _=False, i=more[0].id: self.moreClicked.emit(i))
            column.addWidget(self.moreButton)
        column.addStretch(1)


class PageContent(QWidget):
    """The page's contents: as tall as their height for the width they get (QScrollArea asks the
    minimum first, and wrapped lines' minimum is their height at the narrowest width, which the
    layout then spread out as gaps between the lines)."""

    def minimumSizeHint(self) -> QSize:
        return QSize(self.layout().minimumSize().width(), 0)


class LinkGrid(QWidget):
    """Link buttons in two columns, so a group of any size stays within the side column."""

    COLUMNS = 2

    def __init__(self):
        super().__init__()
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(0)
        for c in range(self.COLUMNS):
            self._grid.setColumnStretch(c, 1)
        self._count = 0

    def add(self, button: QWidget) -> None:
        self._grid.addWidget(button, self._count // self.COLUMNS, self._count % self.COLUMNS)
        self._count += 1

    def clear(self) -> None:
        """Remove and delete every button; filling starts from the first cell again."""
        while self._grid.count():
            widget = self._grid.takeAt(0).widget()
            widget.hide()  # at once: deleteLater waits for the event loop
            widget.deleteLater()
        self._count = 0


def styled_label(text: str, style: str, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setStyleSheet(style)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    return label
