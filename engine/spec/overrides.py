"""`--set PATH=VALUE`: change one key path of a project document before it is validated."""

from __future__ import annotations

import json
import re
from typing import Any

from engine.errors import SpecError
from engine.json_read import parse_json

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_assignment(text: str) -> tuple[str, Any]:
    """'training.optimizer.lr=0.1' -> ('training.optimizer.lr', 0.1); non-JSON values stay strings."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise SpecError("--set", f"expected PATH=VALUE, got {_short(text)}")
    try:  # the same limits as a project file: no NaN, duplicate keys, huge integers or deep nesting
        value = parse_json(raw, where=path.strip())
    except json.JSONDecodeError:
        value = raw
    return path.strip(), value


def _short(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def split_path(path: str) -> list[str | int]:
    """'network.layers[1].units' (or 'network.layers.1.units') -> ['network', 'layers', 1, 'units']."""
    keys: list[str | int] = []
    pos = 0
    for match in _TOKEN.finditer(path):
        between = path[pos : match.start()]
        if between not in ("", "."):
            raise SpecError("--set", f"cannot read key path {path!r}")
        name, index = match.groups()
        keys.append(int(index) if index is not None else int(name) if name.isdigit() else name)
        pos = match.end()
    if not keys or pos != len(path):
        raise SpecError("--set", f"cannot read key path {path!r}")
    return keys


def apply_override(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path` inside `doc`, creating objects on the way; lists must have the index."""
    keys = split_path(path)
    node: Any = doc
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(str(k) for k in keys[: depth + 1])
        if isinstance(key, int):
            if not isinstance(node, list) or not -len(node) <= key < len(node):
                raise SpecError(where, "no such list element to set")
        elif not isinstance(node, dict):
            raise SpecError(where, "its parent is not an object")
        if last:
            node[key] = value
        else:
            if isinstance(node, dict) and key not in node:
                node[key] = {}
            node = node[key]
