"""What the start page offers, as plain data: the bundled examples in their groups (playground
classics, model families) and each topic's first lessons. No widgets, so it is tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.lesson_concepts import CONCEPTS, concept_label
from engine.lessons import TOPICS, Lesson

CLASSICS = "Playground classics"
FAMILIES = "Model families"
# TF Playground's own order first (its four classification sets), then what Layerlab adds.
CLASSIC_ORDER = ("circle", "xor", "gauss", "spiral", "spiral3", "plane", "sine")
FAMILY_TITLES = {
    "perceptron": "Perceptron",
    "layers": "Convolution and recurrence",  # mlp projects with conv or sequence layers
    "autoencoder": "Autoencoders",
    "vae": "Variational autoencoder",
    "gan": "GAN",
}
LESSONS_PER_TOPIC = 2
# Words that say nothing about which concept a title names ("XOR needs a hidden layer").
STEM = 6
FILLER_WORDS = {"a", "an", "and", "as", "its", "of", "on", "or", "the", "to", "too"}


@dataclass(frozen=True)
class ExampleEntry:
    """One example as a start-page button: its name (what opens it), title and tooltip."""

    name: str
    title: str
    tip: str
    group: str  # CLASSICS or one of FAMILY_TITLES' values


def example_group(project) -> str:
    """Playground classics are dense networks on the playground's point sets and curves; every
    other family, and networks of conv or sequence layers, count as model families."""
    family = project.model.family
    if family == "mlp":
        dense = all(layer.get("type", "dense") == "dense" for layer in project.network.layers)
        return CLASSICS if dense else FAMILY_TITLES["layers"]
    return FAMILY_TITLES.get(family, family)


def example_entries(tips: dict[str, str] | None = None) -> list[ExampleEntry]:
    """Every bundled example, classics first (in CLASSIC_ORDER), then by family; `tips` are the
    menus' tooltips by name (the description when missing). An unreadable example is left out:
    File ▸ Open example still lists it, and opening it says why."""
    from engine.errors import SpecError
    from engine.examples import example_names, example_path
    from engine.store import load_project

    entries = []
    for name in example_names():
        try:
            project = load_project(example_path(name))
        except (SpecError, OSError):
            continue
        tip = (tips or {}).get(name) or project.description
        entries.append(ExampleEntry(name, project.name or name, tip, example_group(project)))
    groups = [CLASSICS, *FAMILY_TITLES.values()]

    def order(entry: ExampleEntry):
        group = groups.index(entry.group) if entry.group in groups else len(groups)
        classic = CLASSIC_ORDER.index(entry.name) if entry.name in CLASSIC_ORDER else len(CLASSIC_ORDER)
        return group, classic, entry.name

    return sorted(entries, key=order)


def first_lessons(
    lessons: list[Lesson], count: int = LESSONS_PER_TOPIC
) -> list[tuple[str, list[Lesson], list[Lesson]]]:
    """(topic, its first `count` lessons, the rest), per topic that has lessons, in the course's
    order (`lessons` are in it already)."""
    rows = []
    for topic in TOPICS:
        members = [lesson for lesson in lessons if lesson.topic == topic]
        if members:
            rows.append((topic, members[:count], members[count:]))
    return rows


def _words(text: str) -> set[str]:
    """The words of `text` that carry meaning, lower-case, cut to their first STEM letters (so
    "Convolutions" and "Convolutional", "weights" and "weight" are one word)."""
    found = re.findall(r"[a-z0-9]+", text.lower().replace("-", ""))
    return {w[:STEM] for w in found if w not in FILLER_WORDS}


def named_by_title(title: str, concept: int) -> bool:
    """Whether `title` says the concept already: at least half of the concept name's words are in it
    ("Dropout: train with half the units missing" names "Dropout")."""
    words = _words(CONCEPTS[concept])
    return bool(words) and 2 * len(words & _words(title)) >= len(words)


def concept_note(lesson: Lesson) -> str:
    """The grey line under a lesson's title on the start page: the concepts the title does not
    already name, so the card never says the same thing twice; "" when the title names them all."""
    rest = [c for c in lesson.concepts if not named_by_title(lesson.title, c)]
    if not rest:
        return ""
    noun = "concept" if len(rest) == 1 else "concepts"
    lead = f"Also {noun}" if len(rest) < len(lesson.concepts) else noun.capitalize()
    return f"{lead} {'; '.join(concept_label(c) for c in rest)}"
