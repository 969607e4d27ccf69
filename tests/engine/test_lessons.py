"""The bundled lessons: each reads, each `try` change builds, each claim holds when trained headless
(a lesson whose claim fails is a failing test), and `main.py lessons` lists them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine.errors import SpecError
from engine.lesson_claims import check_claim, measure
from engine.lessons import (
    SENTENCES,
    TOPICS,
    all_lessons,
    lesson_from,
    lesson_ids,
    lesson_path,
    lesson_project,
)
from engine.spec.project import Project

LESSONS = {lesson.id: lesson for lesson in all_lessons()}


def test_every_lesson_reads_and_every_change_it_offers_builds():
    assert set(LESSONS) == set(lesson_ids()) and len(LESSONS) >= 28
    covered = set()
    for lesson in LESSONS.values():
        assert lesson.topic in TOPICS and SENTENCES[0] <= len(lesson.text) <= SENTENCES[1]
        assert lesson.watch and lesson.claim and lesson.checks
        project = lesson_project(lesson)
        assert project.lesson["id"] == lesson.id  # the window sees the block it opened
        assert Project.from_dict(project.to_dict()).lesson == project.lesson  # and saving keeps it
        for index in range(len(lesson.tries)):
            lesson_project(lesson, (index,))  # a SpecError here names the try's bad key
        covered |= set(lesson.concepts)
    assert {
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        20,
        21,
        23,
        24,
        25,
        26,
        27,
        28,
        29,
        30,
        31,
        32,
        33,
        34,
    } <= covered


def test_lessons_list_in_the_course_order_without_torch():
    code = (
        "import sys; from engine.lessons import all_lessons, lesson_project\n"
        "[lesson_project(x) for x in all_lessons()]\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    order = [TOPICS.index(lesson.topic) for lesson in all_lessons()]
    assert order == sorted(order)


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_the_lessons_claim_holds(lesson_id):
    outcomes = check_claim(LESSONS[lesson_id])
    failed = [o.said for o in outcomes if not o.held]
    assert not failed, f"{lesson_id}: {LESSONS[lesson_id].claim} -- but {failed}"


def test_a_claim_that_does_not_hold_is_reported_as_failed():
    lesson = LESSONS["xor_hidden_layer"]
    wrong = type(lesson)(
        **{**vars(lesson), "checks": ({"tries": [0], "measure": "test_accuracy", "at_least": 0.95},)}
    )
    (outcome,) = check_claim(wrong)
    assert not outcome.held and "test_accuracy" in outcome.said


def test_a_measure_that_is_no_metric_is_named():
    from engine.train import build_trainer

    trainer = build_trainer(lesson_project(LESSONS["perceptron_rule"]))
    with pytest.raises(SpecError, match="measure 'accuracy' is neither a perceptron metric"):
        measure(trainer, "accuracy")


@pytest.mark.parametrize(
    "change, where",
    [
        ({"topic": "Cooking"}, "lesson.topic"),
        ({"text": ["Too short."]}, "lesson.text"),
        ({"try": []}, "lesson.try"),
        ({"concepts": [99]}, "lesson.concepts"),
        ({"id": "other"}, "lesson.id"),
        ({"extra": 1}, "lesson.extra"),
    ],
)
def test_a_bad_lesson_block_is_refused_naming_the_key(change, where):
    path = lesson_path("xor_hidden_layer")
    raw = json.loads(path.read_text())["lesson"] | change
    with pytest.raises(SpecError) as caught:
        lesson_from(raw, path)
    assert caught.value.path == where


def test_main_lessons_lists_them_and_a_lesson_id_names_its_file():
    import main

    out = subprocess.run(
        [sys.executable, "main.py", "lessons", "--json"], capture_output=True, text=True, check=True
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [row["id"] for row in rows] == [lesson.id for lesson in all_lessons()]
    assert set(rows[0]) == {"id", "title", "concepts", "path"}
    assert main._lesson_file("vae_holes") == str(lesson_path("vae_holes"))
    assert main._lesson_file("train") is None and main._lesson_file("../x") is None
