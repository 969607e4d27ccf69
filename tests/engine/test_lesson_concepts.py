"""The course's concept names: all 34 named, every lesson's concepts among them, and shown by
`main.py lessons` beside the numbers (`--json` keeps the numbers, as issue 12 says)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine.errors import SpecError
from engine.lesson_concepts import CONCEPTS, concept_label, concept_name, concepts_line
from engine.lessons import all_lessons, lesson_from, lesson_path


def test_the_34_concepts_each_have_their_own_name():
    assert sorted(CONCEPTS) == list(range(1, 35))
    names = list(CONCEPTS.values())
    assert all(name.strip() == name and name for name in names)
    assert len(set(names)) == len(names)
    # A few against the issue's own list, so the table is not merely 34 strings in some order.
    assert concept_name(2) == "XOR needs a hidden layer"
    assert concept_name(8) == "Vanishing gradients"
    assert concept_name(19) == "Dropout"
    assert concept_name(28) == "Residual connections"
    assert "GAN" in concept_name(34) or "adversarial" in concept_name(34)
    assert concept_label(25) == "25: The update/weight ratio"
    assert concepts_line((17, 18)) == "17: L1 regularisation; 18: L2 regularisation and weight decay"


def test_every_lesson_names_its_concepts():
    for lesson in all_lessons():
        assert lesson.concept_names == tuple(CONCEPTS[c] for c in lesson.concepts), lesson.id
        assert all(lesson.concept_names), lesson.id


@pytest.mark.parametrize("concepts", [[35], [0], [True], ["8"], [], 8])
def test_a_concept_the_course_does_not_have_is_refused(concepts):
    path = lesson_path("xor_hidden_layer")
    raw = json.loads(path.read_text())["lesson"] | {"concepts": concepts}
    with pytest.raises(SpecError) as caught:
        lesson_from(raw, path)
    assert caught.value.path == "lesson.concepts" and "1 to 34" in caught.value.reason


def test_main_lessons_prints_each_lessons_concept_names():
    out = subprocess.run([sys.executable, "main.py", "lessons"], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    for lesson in all_lessons():
        row = next(i for i, line in enumerate(lines) if line.split()[:1] == [lesson.id])
        assert lesson.title in lines[row]
        assert lines[row + 1].strip().endswith(concepts_line(lesson.concepts)), lesson.id
    rows = subprocess.run(
        [sys.executable, "main.py", "lessons", "--json"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [json.loads(r)["concepts"] for r in rows] == [list(x.concepts) for x in all_lessons()]
