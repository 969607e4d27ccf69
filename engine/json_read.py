"""Reading JSON a user hands in (project files, `--set` values) with limits Python's json lacks.

`json.loads` accepts duplicate keys (the last one wins, silently), NaN and Infinity, integers that
cannot even be printed (over 4,300 digits) and nesting deep enough to end in a RecursionError.
Each of these is refused here with one SpecError naming the key path.
"""

from __future__ import annotations

import json
import math
from typing import Any

from engine.errors import SpecError

MAX_DEPTH = 64  # objects and lists inside each other; a real project needs about 6
MAX_INT_DIGITS = 100  # far beyond every range the spec checks, far below int-to-text's 4,300
_INT_LIMIT = 10**MAX_INT_DIGITS


class _Refused:
    """A literal the document may not contain, kept in place until the walk knows its key path."""

    def __init__(self, reason: str):
        self.reason = reason


class _Hooks:
    """The json.loads hooks: they see a literal but not where it is, so they mark it for the walk."""

    def __init__(self) -> None:
        self.duplicates: dict[int, tuple[dict, str]] = {}  # id -> (the object, kept alive; the key)

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            key = next(k for k, _ in pairs if k in seen or seen.add(k))
            self.duplicates[id(obj)] = (obj, key)
        return obj

    @staticmethod
    def integer(text: str) -> int | _Refused:
        digits = len(text.lstrip("-"))
        if digits > MAX_INT_DIGITS:
            return _Refused(f"is an integer of {digits:,} digits; numbers may have at most {MAX_INT_DIGITS}")
        return int(text)

    @staticmethod
    def real(text: str) -> float | _Refused:
        value = float(text)
        if not math.isfinite(value):
            short = text if len(text) <= 20 else text[:17] + "..."
            return _Refused(f"{short} is beyond the range of a number")
        return value

    @staticmethod
    def constant(text: str) -> _Refused:
        return _Refused(f"{text} is not a number JSON allows; use a finite number")


def parse_json(text: str, where: str = "", source: str = "project") -> Any:
    """The value of `text`; raises json.JSONDecodeError for bad syntax and SpecError for the limits.

    `where` is the key path the value will sit at (a `--set` target), prefixed to error paths;
    `source` (a file name) names a problem of the whole text.
    """
    hooks = _Hooks()
    try:
        value = json.loads(
            text,
            object_pairs_hook=hooks.pairs,
            parse_int=hooks.integer,
            parse_float=hooks.real,
            parse_constant=hooks.constant,
        )
    except RecursionError:
        # json's own parser gives up near 1,000 levels, before the walk below could count them.
        raise SpecError(where or source, _too_deep("about 1,000 or more")) from None
    check_tree(value, where, hooks.duplicates)
    return value


def check_tree(value: Any, where: str = "", duplicates: dict[int, tuple[dict, str]] | None = None) -> None:
    """Refuse nesting over MAX_DEPTH, unprintable integers and what the JSON hooks marked.

    Iterative on purpose: a recursive walk would itself hit the recursion limit it guards against.
    """
    duplicates = duplicates or {}
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, _Refused):
            raise SpecError(path or "project", node.reason)
        if isinstance(node, int) and not isinstance(node, bool) and abs(node) >= _INT_LIMIT:
            # repr() of an integer over 4,300 digits raises, so the message gives its size instead
            raise SpecError(
                path or "project",
                f"is an integer of about {int(node.bit_length() * 0.30103) + 1:,} digits; "
                f"numbers may have at most {MAX_INT_DIGITS}",
            )
        if not isinstance(node, (dict, list, tuple)):
            continue
        if depth >= MAX_DEPTH:
            deepest = depth + _depth(node)
            raise SpecError(_shorten(path) or "project", _too_deep(f"{deepest:,}"))
        if isinstance(node, dict):
            marked = duplicates.get(id(node))
            if marked is not None and marked[0] is node:
                raise SpecError(_join(path, marked[1]), "appears twice in one object; keep one of them")
            children = [(v, _join(path, k)) for k, v in node.items()]
        else:
            children = [(v, f"{path}[{i}]") for i, v in enumerate(node)]
        stack.extend((child, child_path, depth + 1) for child, child_path in reversed(children))


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _shorten(path: str) -> str:
    """A path hundreds of levels long, cut to its start: the message must stay one readable line."""
    return path if len(path) <= 60 else path[:57] + "..."


def _depth(value: Any) -> int:
    """How many objects and lists lie inside each other in `value`, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list, tuple)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _too_deep(levels: str) -> str:
    return f"objects and lists nested {levels} levels deep; at most {MAX_DEPTH} are allowed"
