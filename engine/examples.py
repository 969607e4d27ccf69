"""The example projects shipped in resources/examples, found by name."""

from __future__ import annotations

import json
from pathlib import Path

from engine.errors import SpecError

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "examples"


def example_names() -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in EXAMPLES_DIR.glob("*.json"))


def example_path(name: str) -> Path:
    path = EXAMPLES_DIR / f"{name}.json"
    if not path.is_file():
        raise SpecError("example", f"no example called {name!r}; examples: {', '.join(example_names())}")
    return path


def example_expectation(name: str) -> dict[str, float]:
    """The quality an example promises within its default epochs, e.g. {"test_accuracy": 0.95}."""
    doc = json.loads(example_path(name).read_text())
    return doc.get("expect", {})


def promises(project) -> list[tuple[str, str, float]]:
    """(metric, ">=" or "<=", bound) for each metric the project's `expect` block states."""
    from engine.families import FAMILIES

    family = FAMILIES[project.model.family]
    return [
        (name, ">=" if family.metric(name).higher_is_better else "<=", bound)
        for name, bound in project.expect.items()
    ]


def promise_kept(op: str, value: float | None, bound: float) -> bool:
    return value is not None and (value >= bound if op == ">=" else value <= bound)
