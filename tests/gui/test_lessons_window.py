"""Lessons in the window: File ▸ Lessons… lists them by topic with their concepts' names, opening
one shows its panel, each "try this" button is one undoable edit, and an ordinary project hides the
panel again."""

from __future__ import annotations

import dataclasses
import html

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QPushButton

from engine.lesson_concepts import CONCEPTS, concept_label
from engine.lessons import TOPICS, Try, all_lessons, lesson_path
from engine.race.variants import variant_project
from engine.spec.overrides import split_path
from engine.spec.project import Project
from engine.store import load_project
from gui.panels.lesson_panel import LessonPanel
from gui.project_model import ProjectModel
from tests.gui.helpers import new_run, open_example

LESSONS = all_lessons()
pytestmark = pytest.mark.skipif(not LESSONS, reason="no bundled lessons")


def value_at(doc, path: str):
    node = doc
    for key in split_path(path):
        node = node[key]
    return node


def assert_applied(before: dict, after: dict, change: Try) -> None:
    """Each key path of `change` holds its value as the engine reads it (defaults filled in, old
    names such as a schedule's `gamma` written as today's), as `--set` would have left it."""
    expected = variant_project(Project.from_dict(before), change.overrides).to_dict()
    for key in change.overrides:
        assert value_at(after, key) == value_at(expected, key), key


def open_browser(window) -> QDialog:
    window.findChild(QAction, "lessonsAction").trigger()
    browser = window.findChild(QDialog, "lessonBrowser")
    assert browser is not None and browser.isVisible()
    assert not browser.isModal()  # a modal loop would block the window (and these tests)
    return browser


def open_from_browser(qtbot, window, lesson_id: str) -> None:
    browser = open_browser(window)
    try:
        item = next(i for i in browser.lesson_items() if i.data(0, Qt.ItemDataRole.UserRole) == lesson_id)
        browser.tree.setCurrentItem(item)
        ready = new_run(window)
        qtbot.mouseClick(browser.openButton, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(ready, timeout=30000)
        assert not browser.isVisible()  # the lesson is in the window now
    finally:
        browser.close()


def lesson_tab_shown(window) -> bool:
    return window.panelTabs.isTabVisible(window.panelTabs.indexOf(window.lessonPanel))


def test_an_ordinary_project_has_no_lesson_tab(window):
    assert window.model.project.lesson == {}
    assert not lesson_tab_shown(window)
    assert window.panelTabs.currentWidget() is window.builderPanel


def test_the_browser_lists_every_lesson_by_topic(window):
    browser = open_browser(window)
    try:
        root = browser.tree.invisibleRootItem()
        groups = [root.child(i) for i in range(root.childCount())]
        assert [g.text(0) for g in groups] == [t for t in TOPICS if any(x.topic == t for x in LESSONS)]
        for group in groups:
            rows = [group.child(j) for j in range(group.childCount())]
            expected = [x for x in LESSONS if x.topic == group.text(0)]
            assert [r.data(0, Qt.ItemDataRole.UserRole) for r in rows] == [x.id for x in expected]
            assert [r.text(0) for r in rows] == [x.title for x in expected]
            # Each concept by its number and name, one a line.
            assert [r.text(1) for r in rows] == ["\n".join(map(concept_label, x.concepts)) for x in expected]
            assert all(
                CONCEPTS[c] in r.text(1) for r, x in zip(rows, expected, strict=True) for c in x.concepts
            )
        assert [i.data(0, Qt.ItemDataRole.UserRole) for i in browser.lesson_items()] == [
            x.id for x in LESSONS
        ]
        assert LESSONS[0].title in browser.preview.text()  # the first lesson is chosen and previewed
        several = next(x for x in LESSONS if len(x.concepts) > 1)
        assert browser.select(several.id)
        assert all(html.escape(CONCEPTS[c]) in browser.preview.text() for c in several.concepts)
        assert not browser.select("no_such_lesson")
    finally:
        browser.close()


def test_opening_a_lesson_shows_its_panel(qtbot, window):
    lesson = LESSONS[-1]
    open_from_browser(qtbot, window, lesson.id)
    panel = window.lessonPanel
    assert window.model.project.lesson["id"] == lesson.id
    assert window.model.path is None  # Save asks where: the bundled file is never overwritten
    assert lesson_tab_shown(window) and window.panelTabs.currentWidget() is panel
    assert panel.titleLabel.text() == lesson.title
    assert all(concept_label(c) in panel.conceptsLabel.text() for c in lesson.concepts)
    assert all(sentence.split()[0] in panel.textLabel.text() for sentence in lesson.text)
    assert panel.watchLabel.text() == lesson.watch
    assert panel.claimLabel.text() == lesson.claim
    assert [b.objectName() for b in panel.tryButtons] == [f"lessonTry{i}" for i in range(len(lesson.tries))]
    assert all(t.label in b.label.text() for t, b in zip(lesson.tries, panel.tryButtons, strict=True))


def test_a_try_is_one_undoable_edit(qtbot, window):
    lesson = LESSONS[0]
    open_from_browser(qtbot, window, lesson.id)
    before = window.model.document()
    change = lesson.tries[0]
    qtbot.mouseClick(window.findChild(QPushButton, "lessonTry0"), Qt.MouseButton.LeftButton)
    after = window.model.document()
    assert_applied(before, after, change)
    assert window.model.undo_stack.count() == 1
    assert window.model.undo_stack.undoText() == change.label
    assert after["lesson"] == before["lesson"]  # still the lesson: its panel stays
    window.findChild(QAction, "undoAction").trigger()
    assert window.model.document() == before
    assert lesson_tab_shown(window)


def test_a_try_the_engine_refuses_changes_nothing(qtbot, window):
    open_from_browser(qtbot, window, LESSONS[0].id)
    panel = window.lessonPanel
    panel.lesson = dataclasses.replace(panel.lesson, tries=(Try("Bad", {"training.epochs": -1}),))
    before = window.model.document()
    assert not panel.apply_try(0)
    assert window.model.document() == before
    assert window.model.undo_stack.count() == 0
    message = window.statusBar().currentMessage()
    assert message.startswith("Could not apply “Bad”: training.epochs") and "\n" not in message


def test_an_ordinary_example_hides_the_lesson(qtbot, window):
    open_from_browser(qtbot, window, LESSONS[0].id)
    open_example(qtbot, window, "xor")
    assert window.model.project.lesson == {}
    assert not lesson_tab_shown(window)
    assert window.panelTabs.currentWidget() is not window.lessonPanel
    assert window.lessonPanel.lesson is None


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.id for x in LESSONS])
def test_every_try_of_every_lesson_applies_and_undoes(qtbot, lesson):
    model = ProjectModel(load_project(lesson_path(lesson.id)))
    panel = LessonPanel(model)
    qtbot.addWidget(panel)
    refused = []
    panel.message.connect(refused.append)
    model.editRejected.connect(lambda path, reason: refused.append(f"{path}: {reason}"))
    start = model.document()
    for index, change in enumerate(lesson.tries):
        assert panel.apply_try(index), refused
        assert model.undo_stack.undoText() == change.label
        assert_applied(start, model.document(), change)
        model.undo_stack.undo()
        assert model.document() == start
