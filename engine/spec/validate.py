"""Small checks shared by the spec loaders: each raises SpecError naming the key path."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from engine.errors import SpecError

_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list", dict: "an object", int: "an integer"}


def check_type(value: Any, kind: type, path: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise SpecError(path, f"must be {_TYPE_NAMES.get(kind, kind.__name__)}, got {_show(value)}")
    return value


def check_keys(value: Any, path: str, allowed: set[str]) -> dict:
    """`value` must be an object whose keys are all in `allowed`."""
    if not isinstance(value, dict):
        raise SpecError(path or "project", f"must be an object, got {_show(value)}")
    for key in value:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise SpecError(where, f"unknown key; valid keys: {', '.join(sorted(allowed))}")
    return value


def check_number(
    value: Any, path: str, kind: type, lo: float | None = None, hi: float | None = None, hint: str = ""
) -> Any:
    """An int or float within [lo, hi]; ints must be whole, floats finite."""
    noun = "an integer" if kind is int else "a number"
    span = f" in {_num(lo)}..{_num(hi)}" if lo is not None and hi is not None else ""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and kind is int and isinstance(value, float):
        ok = value.is_integer()
    if ok and isinstance(value, float):
        ok = math.isfinite(value)
    if ok:
        value = kind(value)
        ok = (lo is None or value >= lo) and (hi is None or value <= hi)
    if not ok:
        raise SpecError(path, f"must be {noun}{span}{hint}, got {_show(value)}")
    return value


def check_choice(value: Any, choices: Iterable[str], path: str) -> str:
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise SpecError(path, f"must be one of {', '.join(choices)}; got {_show(value)}")
    return value


def _num(x: float | None) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
