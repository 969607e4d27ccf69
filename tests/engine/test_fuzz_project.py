"""Property-based: mutated project files either load or raise SpecError with a message, nothing else.

The text-level faults (deep nesting, huge arrays and integers, duplicate keys, NaN/Infinity) are
ones Python's json accepts or dies on; each must be refused with a line naming the key path.
"""

from __future__ import annotations

import contextlib
import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import SpecError
from engine.examples import example_names, example_path
from engine.spec.project import Project

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


DEEP_LIST: list = []
for _ in range(900):  # deeper than a recursive copy or walk can go
    DEEP_LIST = [DEEP_LIST]


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
            parent[path[-1]] = draw(
                st.sampled_from(
                    [
                        10**9,
                        -(10**9),
                        1e308,
                        2**63,
                        float("nan"),
                        "9" * 400,
                        10**5000,
                        DEEP_LIST,
                        [0] * 100_000,
                    ]
                )
            )
            break  # the last mutation: walking into a 900-level or 100,000-item value is not the point
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


# A fault written into the JSON text at one key path, and what the refusal must say (None: the
# document may load, or fail validation, but only with a SpecError).
TEXT_FAULTS = st.one_of(
    st.integers(65, 1500).map(lambda n: ("[" * n + "]" * n, "levels deep")),
    st.integers(65, 1500).map(lambda n: ('{"a": ' * n + "1" + "}" * n, "levels deep")),
    st.integers(1, 64).map(lambda n: ("[" * n + "]" * n, None)),
    st.integers(10_000, 300_000).map(lambda n: ("[" + ",".join(["0"] * n) + "]", None)),
    st.integers(10_000, 100_000).map(lambda n: ('["x1"' + ', "x1"' * n + "]", None)),
    st.integers(101, 20_000).map(lambda n: ("7" * n, "digits")),
    st.integers(101, 20_000).map(lambda n: ("-" + "7" * n, "digits")),
    st.sampled_from(["NaN", "Infinity", "-Infinity"]).map(lambda t: (t, "not a number JSON allows")),
    st.sampled_from(["1e999", "-1e400", "9" * 400 + ".0"]).map(lambda t: (t, "beyond the range")),
    st.just(('{"k": 1, "k": 2}', "appears twice")),
)

PLACEHOLDER = "__layerlab_fault__"


def _key_path(path) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


@st.composite
def faulty_texts(draw):
    doc = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    path = draw(st.sampled_from([p for p in _paths(doc) if p]))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    fault, expected = draw(TEXT_FAULTS)
    if draw(st.booleans()) and isinstance(parent, dict):  # a repeated key instead of a bad value
        pair = json.dumps({path[-1]: parent[path[-1]]})[1:-1]
        doubled = "{" + pair + ", " + json.dumps(parent)[1:]
        if len(path) == 1:
            return doubled, _key_path(path), "appears twice"
        grandparent = doc
        for key in path[:-2]:
            grandparent = grandparent[key]
        grandparent[path[-2]] = PLACEHOLDER
        return json.dumps(doc).replace(json.dumps(PLACEHOLDER), doubled), _key_path(path), "appears twice"
    parent[path[-1]] = PLACEHOLDER
    return json.dumps(doc).replace(json.dumps(PLACEHOLDER), fault), _key_path(path), expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(faulty_texts())
def test_text_faults_are_refused_with_one_line_naming_the_key_path(case):
    text, where, expected = case
    try:
        Project.from_json(text, source="p.json")
    except SpecError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) <= 702
        if expected is not None:
            assert expected in message, message
            shown = exc.path.removesuffix("...")
            assert where.startswith(shown) or shown.startswith(where) or exc.path == "p.json", message
        return
    assert expected is None, f"{where}: accepted a document that {expected!r} should refuse"
