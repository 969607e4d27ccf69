"""The start page: shown when the window opens with nothing named, never a dialog; every lesson
topic, example and recent file one click away; gone as soon as anything is opened or played."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

import main
from engine.examples import example_names, example_path
from engine.lessons import TOPICS, all_lessons
from engine.store import load_project, save_project
from gui import files
from gui.app import bundled_target, open_first
from gui.start_catalog import CLASSICS, FAMILY_TITLES, concept_note, example_entries
from gui.start_page import show_start_page, start_page_shown
from tests.gui.helpers import new_run

LESSONS = all_lessons()


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def opened(qtbot, window, button) -> None:
    """Click `button` and wait for the run of what it opened."""
    ready = new_run(window)
    click(qtbot, button)
    qtbot.waitUntil(ready, timeout=30000)


def test_the_command_line_decides_and_a_window_made_directly_has_no_page(qtbot, window, tmp_path):
    assert window.findChild(QWidget, "startPage") is None  # tests and benchmarks see the views
    assert not start_page_shown(window) and window.toolbar.isVisible()
    assert bundled_target(["zero_init"]) == ("lesson", "zero_init")
    assert bundled_target(["xor"]) == ("example", "xor")
    assert bundled_target(["mine.json"]) is None and bundled_target([]) is None
    assert bundled_target(["../xor"]) is None and bundled_target(["xor", "zero_init"]) is None
    assert main._example_file("xor") == str(example_path("xor")) and main._example_file("train") is None
    ready = new_run(window)
    open_first(window, ["xor"], ("example", "xor"))
    qtbot.waitUntil(ready, timeout=30000)
    assert window.model.project.data.name == "xor" and window.findChild(QWidget, "startPage") is None
    ready = new_run(window)
    open_first(window, ["zero_init"], ("lesson", "zero_init"))
    qtbot.waitUntil(ready, timeout=30000)
    assert window.model.project.lesson["id"] == "zero_init"
    open_first(window, [str(tmp_path / "a.json")], None)  # MainWindow(path) opened the file itself
    assert window.findChild(QWidget, "startPage") is None
    open_first(window, [], None)  # `python main.py`: nothing named
    assert start_page_shown(window)


def test_the_page_offers_every_topic_and_example_and_steps_aside(qtbot, window):
    page = show_start_page(window)
    assert window.findChild(QWidget, "startPage") is page and page.isVisible()
    assert not page.isWindow() and window.findChild(QDialog) is None  # a page, never a modal dialog
    assert not window.toolbar.isVisible()  # Play would act on the project behind
    assert not window.boundaryView.isVisible()
    topics = [t for t in TOPICS if any(x.topic == t for x in LESSONS)]
    assert [card.topic for card in page.topicCards] == topics
    for card in page.topicCards:
        members = [x for x in LESSONS if x.topic == card.topic]
        assert list(card.buttons) == [x.id for x in members[:2]]  # the topic's first lessons
        for lesson in members[:2]:
            text = card.buttons[lesson.id].label.text()
            assert lesson.title.split(":")[0] in text and concept_note(lesson) in text
        assert (card.moreButton is not None) == (len(members) > 2)
    assert set(page.exampleButtons) == set(example_names())
    groups = {entry.name: entry.group for entry in example_entries()}
    assert {groups[n] for n in ("xor", "circle", "spiral", "gauss")} == {CLASSICS}
    assert groups["gan_ring"] == FAMILY_TITLES["gan"] and groups["perceptron"] == FAMILY_TITLES["perceptron"]
    assert groups["digits_cnn"] == FAMILY_TITLES["layers"]  # a CNN is no playground classic
    assert page.recentEmpty.isVisible() == (not files.recent_files())

    # "N more lessons…" opens the browser on the first lesson the card leaves out; the page stays.
    card = next(c for c in page.topicCards if c.moreButton is not None)
    hidden = [x for x in LESSONS if x.topic == card.topic][2]
    click(qtbot, card.moreButton)
    browser = window.findChild(QDialog, "lessonBrowser")
    try:
        assert browser.isVisible() and not browser.isModal()
        assert browser.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) == hidden.id
        assert start_page_shown(window)  # only opening something makes the page go
    finally:
        browser.close()

    # Continue leaves the project as it was; File ▸ Start page and Help ▸ Start page bring it back.
    assert window.model.project.name in page.continueButton.text()
    before = window.model.document()
    click(qtbot, page.continueButton)
    assert not start_page_shown(window) and window.toolbar.isVisible()
    assert window.model.document() == before and window.boundaryView.isVisible()
    for action in ("startPageAction", "helpStartPageAction"):
        window.findChild(QAction, action).trigger()
        assert start_page_shown(window) and window.findChild(QWidget, "startPage") is page
        click(qtbot, page.continueButton)

    # Play (Space) trains the project behind: the page makes way for its views.
    show_start_page(window)
    window.findChild(QAction, "playAction").trigger()
    try:
        assert window.running and not start_page_shown(window)
        qtbot.waitUntil(lambda: window.epoch > 0, timeout=30000)
        show_start_page(window)  # reopened while training: the unseen run pauses
        assert not window.running
    finally:
        window.pause()


def test_whatever_the_page_opens_replaces_it(qtbot, window, tmp_path, monkeypatch):
    page = show_start_page(window)
    lesson = LESSONS[0]
    opened(qtbot, window, page.lesson_buttons()[lesson.id])
    assert window.model.project.lesson["id"] == lesson.id
    assert not start_page_shown(window) and window.toolbar.isVisible()
    assert window.panelTabs.currentWidget() is window.lessonPanel

    show_start_page(window)
    opened(qtbot, window, page.exampleButtons["xor"])
    assert window.model.project.data.name == "xor" and not start_page_shown(window)
    assert files.recent_files()[0] == files.Recent("example", "xor")

    path = tmp_path / "mine.layerlab.json"
    save_project(load_project(example_path("circle")), path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    show_start_page(window)
    opened(qtbot, window, page.openButton)
    assert window.model.path == path and not start_page_shown(window)

    # What was opened is recent now: the page lists it, newest first, and a click opens it again.
    show_start_page(window)
    assert [b.title for b in page.recentButtons[:2]] == [path.name, "XOR (example)"]
    assert not page.recentEmpty.isVisible()
    opened(qtbot, window, page.recentButtons[1])
    assert window.model.project.data.name == "xor" and window.model.path is None

    show_start_page(window)
    opened(qtbot, window, page.newButton)
    assert not start_page_shown(window) and window.model.project.data.name == "spiral"


def test_an_opened_lesson_is_recent(qtbot, window):
    ready = new_run(window)
    assert window.open_lesson("zero_init")
    qtbot.waitUntil(ready, timeout=30000)
    assert files.recent_files()[0] == files.Recent("lesson", "zero_init")
    recent = window.findChild(QWidget, "recentMenu")
    titles = [a.text() for a in recent.actions()]
    assert titles[0] == f"{next(x.title for x in LESSONS if x.id == 'zero_init')} (lesson)"
    page = show_start_page(window)
    opened(qtbot, window, page.recentButtons[0])
    assert window.model.project.lesson["id"] == "zero_init"
