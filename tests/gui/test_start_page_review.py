"""The start page as a new user reads it (issue 12's review): Recent names examples by their titles,
a lesson card never says its title twice, and the status bar (the project behind's epoch and device)
is not shown on the page unless it has a message."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from engine.lesson_concepts import CONCEPTS
from engine.lessons import all_lessons
from gui import files
from gui.start_catalog import _words, concept_note, example_entries, named_by_title
from gui.start_page import hide_start_page, show_start_page, start_page_shown

LESSONS = {lesson.id: lesson for lesson in all_lessons()}


def test_a_cards_note_names_only_concepts_its_title_does_not():
    # "Dropout: train with half the units missing" says "Dropout": no grey line repeats it.
    assert concept_note(LESSONS["dropout"]) == ""
    assert concept_note(LESSONS["xor_hidden_layer"]) == ""
    # A title that does not name its concept gets it, numbered as the browser numbers it.
    assert concept_note(LESSONS["zero_init"]) == "Concept 10: Zero initialisation and symmetry"
    # Named in part: only the rest, said to be more.
    assert concept_note(LESSONS["vanishing_gradients"]) == (
        "Also concepts 11: Xavier and He initialisation; 28: Residual connections"
    )
    for lesson in LESSONS.values():
        note = concept_note(lesson)
        for number, name in CONCEPTS.items():
            if f"{number}: {name}" in note:  # nothing in a note is already in its title
                assert not named_by_title(lesson.title, number), (lesson.id, number)
    assert _words("Convolutions") == _words("convolutional")  # one word, plural or adjective


def test_recent_lists_examples_by_title_and_the_page_hides_the_status_bar(qtbot, window):
    for name in ("xor", "spiral3"):
        files.remember_recent(name, "example")
    titles = {entry.name: entry.title for entry in example_entries()}
    page = show_start_page(window)
    assert [b.title for b in page.recentButtons[:2]] == [
        f"{titles['spiral3']} (example)",
        f"{titles['xor']} (example)",
    ]
    assert titles["spiral3"] != "spiral3" and all("spiral3" not in b.title for b in page.recentButtons)
    menu = window.findChild(QWidget, "recentMenu")
    window.menu_state.refresh(files.recent_files())
    assert menu.actions()[0].text() == f"{titles['spiral3']} (example)"  # File ▸ Recent alike

    assert start_page_shown(window) and not window.statusBar().isVisible()
    window.show_message("Could not open nowhere.json", 8000)  # a message to give: it shows
    assert window.statusBar().isVisible()
    window.statusBar().clearMessage()
    assert not window.statusBar().isVisible()
    hide_start_page(window)
    assert window.statusBar().isVisible() and window.epochLabel.isVisible()
