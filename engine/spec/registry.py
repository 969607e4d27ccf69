"""Name -> factory tables (activations, losses, optimizers, ...) and their typed parameters.

The torch-built choices are listed in ``engine.spec.catalog`` as plain data, each factory named
by a "module:attr" string imported on first use, so listing and validating choices never imports
torch. The GUI fills its lists from these tables and the spec validator checks names and
parameters against them, so nothing is listed twice.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.errors import SpecError


@dataclass(frozen=True)
class Param:
    """One tunable parameter of a registry entry: its type, default and allowed range."""

    name: str
    default: Any
    kind: type = float  # float, int, bool or str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    help: str = ""

    def check(self, value: Any, path: str) -> Any:
        """Return `value` converted to this parameter's kind, or raise SpecError."""
        if self.kind is bool:
            if not isinstance(value, bool):
                raise SpecError(path, f"must be true or false, got {value!r}")
            return value
        if self.kind is str:
            if not isinstance(value, str):
                raise SpecError(path, f"must be a string, got {value!r}")
            if self.choices is not None and value not in self.choices:
                raise SpecError(path, f"must be one of {', '.join(self.choices)}; got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(path, f"must be a number{self._range()}, got {value!r}")
        if self.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise SpecError(path, f"must be an integer{self._range()}, got {value!r}")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise SpecError(path, f"must be a finite number{self._range()}, got {value!r}")
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            noun = "an integer" if self.kind is int else "a number"
            raise SpecError(path, f"must be {noun}{self._range()}, got {value!r}")
        return value

    def _range(self) -> str:
        if self.min is not None and self.max is not None:
            lo, hi = (int(self.min), int(self.max)) if self.kind is int else (self.min, self.max)
            return f" in {lo}..{hi}"
        if self.min is not None:
            return f" >= {self.min:g}"
        if self.max is not None:
            return f" <= {self.max:g}"
        return ""


@dataclass(frozen=True)
class Entry:
    """One named choice: how to build it, how to show it, which parameters it takes."""

    name: str
    # The factory itself, or "module:attr" naming it: resolved by `factory` on first use, so a
    # table of torch-built choices can be listed and checked without importing torch.
    source: Callable[..., Any] | str
    label: str = ""
    help: str = ""
    params: tuple[Param, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def title(self) -> str:
        return self.label or self.name

    @cached_property
    def factory(self) -> Callable[..., Any]:
        """What builds this choice; a "module:attr" source is imported here, the first time."""
        if not isinstance(self.source, str):
            return self.source
        return resolve(self.source)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def check_params(self, given: Mapping[str, Any], path: str) -> dict[str, Any]:
        """Defaults overlaid with `given`, every value checked; unknown keys are errors."""
        known = {p.name: p for p in self.params}
        for key in given:
            if key not in known:
                valid = ", ".join(known) or "none"
                raise SpecError(f"{path}.{key}", f"unknown parameter of {self.name}; valid: {valid}")
        return {name: p.check(given.get(name, p.default), f"{path}.{name}") for name, p in known.items()}


class Registry(Mapping[str, Entry]):
    """An ordered, read-only table of entries of one kind ("activation", "optimizer", ...)."""

    def __init__(self, kind: str, entries: Iterable[Entry]):
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            if entry.name in self._entries:
                raise ValueError(f"duplicate {kind} {entry.name!r}")
            self._entries[entry.name] = entry

    def __getitem__(self, name: str) -> Entry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def names(self, tag: str | None = None) -> list[str]:
        return [n for n, e in self._entries.items() if tag is None or tag in e.tags]

    def lookup(self, name: Any, path: str, tag: str | None = None) -> Entry:
        """The entry called `name`, or a SpecError at `path` that lists the valid names."""
        valid = self.names(tag)
        if not isinstance(name, str) or name not in valid:
            raise SpecError(path, f"unknown {self.kind} {name!r}; valid: {', '.join(valid)}")
        return self._entries[name]


def resolve(reference: str) -> Any:
    """The object a "module:attr" string names, importing the module."""
    module, _, attr = reference.partition(":")
    if not attr:
        raise ValueError(f"{reference!r} is not a 'module:attr' reference")
    return getattr(importlib.import_module(module), attr)
