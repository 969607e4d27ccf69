"""Lessons: bundled projects (resources/lessons/*.json) that carry a `lesson` block saying what
they teach. Plain data, no torch: the window's lesson browser and `main.py lessons` read them.

A lesson block:
    id        the name `python main.py ID` opens (the file's name without .json)
    title     one line
    topic     the browser's group (see TOPICS, in the course's order)
    concepts  the course's concept numbers it covers (1-34, issue 12; their names are
              engine/lesson_concepts.py's)
    text      3-6 plain sentences of explanation
    watch     what to look at while it trains: which view, which number
    try       1-3 one-click changes: {"label": ..., "set": {key path: value, ...}}
    claim     {"text": what the lesson claims, "checks": [...]}: each check trains the lesson's
              project (with `try` changes applied by index, `set` overrides and `epochs`) and
              states bounds on metrics (`expect`, as an example's) or names a measure of
              engine.lesson_claims with its bound. tests/engine/test_lessons.py runs them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import SpecError
from engine.lesson_concepts import CONCEPTS

LESSONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "lessons"
TOPICS = (
    "Foundations",
    "Activations and losses",
    "Optimisation",
    "Regularisation",
    "Deep networks",
    "Autoencoders",
    "Generative models",
)
BLOCK_KEYS = {"id", "title", "topic", "concepts", "text", "watch", "try", "claim"}
MAX_TRIES = 3
SENTENCES = (3, 6)


@dataclass(frozen=True)
class Try:
    label: str
    overrides: dict[str, Any]  # key path -> value, applied as one undoable edit


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    topic: str
    concepts: tuple[int, ...]
    text: tuple[str, ...]
    watch: str
    tries: tuple[Try, ...]
    claim: str
    checks: tuple[dict, ...]
    path: Path

    @property
    def concept_names(self) -> tuple[str, ...]:
        """The names of the concepts it covers, in its own order (lesson_from checked each number)."""
        return tuple(CONCEPTS[c] for c in self.concepts)

    def summary(self) -> dict[str, Any]:
        """The `lessons --json` line."""
        return {"id": self.id, "title": self.title, "concepts": list(self.concepts), "path": str(self.path)}


def lesson_ids() -> list[str]:
    return sorted(p.stem for p in LESSONS_DIR.glob("*.json"))


def lesson_path(lesson_id: str) -> Path:
    path = LESSONS_DIR / f"{lesson_id}.json"
    if not path.is_file():
        raise SpecError("lesson", f"no lesson called {lesson_id!r}; lessons: {', '.join(lesson_ids())}")
    return path


def find_lesson(name: str) -> Path | None:
    """The file of the bundled lesson called `name`, or None (a sub-command, a project file, a typo)."""
    path = LESSONS_DIR / f"{name}.json"
    return path if name.isidentifier() and path.is_file() else None


def all_lessons() -> list[Lesson]:
    """Every bundled lesson, in the course's order: by topic, then by first concept."""
    lessons = [read_lesson(lesson_path(name)) for name in lesson_ids()]
    return sorted(lessons, key=lambda x: (TOPICS.index(x.topic), x.concepts[0], x.id))


def read_lesson(path: str | Path) -> Lesson:
    """The lesson block of a lesson file, checked (SpecError names the key at fault)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad JSON or bad UTF-8
        raise SpecError(str(path), f"cannot be read as a lesson ({exc})") from None
    if not isinstance(doc, dict) or "lesson" not in doc:
        raise SpecError(str(path), "has no lesson block")
    return lesson_from(doc["lesson"], path)


def lesson_from(raw: Any, path: Path) -> Lesson:
    where = "lesson"
    if not isinstance(raw, dict):
        raise SpecError(where, "must be an object")
    unknown = sorted(set(raw) - BLOCK_KEYS)
    if unknown:
        raise SpecError(f"{where}.{unknown[0]}", f"unknown key; a lesson has {', '.join(sorted(BLOCK_KEYS))}")
    missing = sorted(BLOCK_KEYS - set(raw))
    if missing:
        raise SpecError(f"{where}.{missing[0]}", "is missing")
    if raw["id"] != path.stem:
        raise SpecError(f"{where}.id", f"is {raw['id']!r}, but the file is {path.name}: they must agree")
    if raw["topic"] not in TOPICS:
        raise SpecError(f"{where}.topic", f"{raw['topic']!r} is not one of {', '.join(TOPICS)}")
    concepts = raw["concepts"]
    # bool is an int to Python, but `true` is not a concept number.
    if (
        not isinstance(concepts, list)
        or not concepts
        or not all(isinstance(c, int) and not isinstance(c, bool) and c in CONCEPTS for c in concepts)
    ):
        raise SpecError(f"{where}.concepts", f"must list the course's concept numbers, 1 to {len(CONCEPTS)}")
    text = raw["text"]
    if not isinstance(text, list) or not SENTENCES[0] <= len(text) <= SENTENCES[1]:
        raise SpecError(f"{where}.text", f"must be {SENTENCES[0]} to {SENTENCES[1]} sentences")
    tries = raw["try"]
    if not isinstance(tries, list) or not 1 <= len(tries) <= MAX_TRIES:
        raise SpecError(f"{where}.try", f"must be 1 to {MAX_TRIES} one-click changes")
    for n, item in enumerate(tries):
        if not isinstance(item, dict) or set(item) != {"label", "set"} or not isinstance(item["set"], dict):
            raise SpecError(f"{where}.try[{n}]", 'must be {"label": ..., "set": {key path: value}}')
    claim = raw["claim"]
    if not isinstance(claim, dict) or not isinstance(claim.get("checks"), list) or not claim["checks"]:
        raise SpecError(f"{where}.claim", 'must be {"text": ..., "checks": [...]} with at least one check')
    return Lesson(
        id=raw["id"],
        title=str(raw["title"]),
        topic=raw["topic"],
        concepts=tuple(concepts),
        text=tuple(str(s) for s in text),
        watch=str(raw["watch"]),
        tries=tuple(Try(str(t["label"]), dict(t["set"])) for t in tries),
        claim=str(claim["text"]),
        checks=tuple(claim["checks"]),
        path=path,
    )


def lesson_project(lesson: Lesson, tries: tuple[int, ...] = (), extra: dict | None = None):
    """The lesson's project with some of its `try` changes (by index) and `extra` overrides applied."""
    from engine.race.variants import variant_project
    from engine.spec.project import Project

    project = Project.from_dict(json.loads(lesson.path.read_text(encoding="utf-8")))
    overrides: dict[str, Any] = {}
    for index in tries:
        overrides |= lesson.tries[index].overrides
    overrides |= extra or {}
    return variant_project(project, overrides) if overrides else project
