"""Property-based: mutated project files either load or raise SpecError with a message, nothing else."""

from __future__ import annotations

import contextlib
import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import SpecError
from engine.examples import example_names, example_path
from engine.spec import Project

EXAMPLES = [json.loads(example_path(name).read_text()) for name in example_names()]

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["dense", "conv2d", "lstm", "relu", "adam", "all", "auto", "spiral", "csv"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)


def _paths(doc, prefix=()):
    """Every key path of a nested document (dict keys and list indexes)."""
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, (*prefix, i))


@st.composite
def mutated_projects(draw):
    doc = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add", "huge"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JSON_VALUES)
        elif action == "huge":
            parent[path[-1]] = draw(st.sampled_from([10**9, -(10**9), 1e308, 2**63, float("nan"), "9" * 400]))
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return doc


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_projects())
def test_mutated_projects_load_or_raise_spec_error(doc):
    try:
        project = Project.from_dict(doc)
    except SpecError as exc:
        assert exc.path is not None
        assert str(exc).strip()
        assert "\n" not in str(exc)
        return
    # What loads must round-trip through its own JSON form.
    assert Project.from_json(project.to_json()).to_dict() == project.to_dict()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_is_refused_with_spec_error(text):
    with contextlib.suppress(SpecError):  # anything but SpecError fails the test
        Project.from_json(text)
