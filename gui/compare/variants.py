"""Compare mode's variants: what a learner picks (a key and its values) as the session's overrides.

Qt-free. A key such as "activation" becomes one key path per layer that has one; values are read
and checked here, and every variant is validated by the engine (engine.race.variant_project) before
anything starts, so a bad value is one message naming it and no run is built.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import SpecError

MAX_VARIANTS = 8  # engine.session.compare.MAX_VARIANTS: the session refuses more


class VariantError(ValueError):
    """A choice in the dialog that cannot become variants; the text says which and why."""


@dataclass(frozen=True)
class CompareKey:
    """One thing a comparison can vary: its title, how values are read, and its key paths."""

    name: str
    title: str
    kind: str  # "choice" (names from a list), "text" (names the engine checks), "bool", "float" or "int"
    overrides: Callable[[dict, Any], dict]  # (project document, value) -> {key path: value}
    choices: Callable[[], list[str]] | None = None
    low: float = -math.inf  # smallest value accepted (the engine checks the rest)
    example: str = ""  # shown in an empty values field
    # The key path it sets (its first one): which families read it (gui/compare/family_keys.py).
    sets: str = ""
    above: bool = False  # `low` itself is refused too (a learning rate must be above 0)


def _optimizer(doc: dict, name: str) -> dict:
    # The whole optimizer block: an optimizer's own parameters (adam's beta1) are unknown to
    # another, so only the learning rate and weight decay, which every optimizer takes, carry over.
    opt = doc["training"]["optimizer"]
    block = {"name": name, "lr": opt.get("lr", 0.03)}
    if opt.get("weight_decay"):
        block["weight_decay"] = opt["weight_decay"]
    return {"training.optimizer": block}


def _schedule(doc: dict, name: str) -> dict:
    warmup = doc["training"].get("schedule", {}).get("warmup_epochs", 0.0)
    return {"training.schedule": {"name": name, "warmup_epochs": warmup}}


def _per_layer(field: str, has: Callable[[dict], bool], what: str) -> Callable[[dict, Any], dict]:
    def overrides(doc: dict, value: Any) -> dict:
        found = {
            f"network.layers.{i}.{field}": value
            for i, layer in enumerate(doc["network"]["layers"])
            if has(layer)
        }
        if not found:
            raise VariantError(f"the network has no {what}: add one in the Network panel first")
        return found

    return overrides


def _path(path: str) -> Callable[[dict, Any], dict]:
    return lambda _doc, value: {path: value}


def _registry(module: str, attr: str, tag: str | None = None) -> Callable[[], list[str]]:
    def names() -> list[str]:
        import importlib

        return list(getattr(importlib.import_module(module), attr).names(tag))

    return names


# In the order overrides are applied: the optimizer block before its learning rate.
KEYS: tuple[CompareKey, ...] = (
    CompareKey(
        "optimizer",
        "Optimizer",
        "choice",
        _optimizer,
        _registry("engine.spec.catalog.optimizers", "OPTIMIZERS"),
        sets="training.optimizer",
    ),
    CompareKey(
        "lr",
        "Learning rate",
        "float",
        _path("training.optimizer.lr"),
        low=0.0,
        example="0.3, 0.1, 0.03",
        sets="training.optimizer",
        above=True,
    ),
    CompareKey(
        "init",
        "Initialiser",
        "choice",
        _path("network.init"),
        _registry("engine.spec.catalog.initializers", "INITIALIZERS"),
        sets="network.init",
    ),
    CompareKey(
        "batch_size",
        "Batch size",
        "int",
        _path("training.batch_size"),
        low=1,
        example="1, 10, 100",
        sets="training.batch_size",
    ),
    CompareKey(
        "activation",
        "Activation",
        "choice",
        _per_layer("activation", lambda layer: "activation" in layer, "layer with an activation"),
        _registry("engine.spec.catalog.activations", "ACTIVATIONS", "hidden"),
        sets="network.layers",
    ),
    CompareKey(
        "l1", "L1", "float", _path("training.l1"), low=0.0, example="0, 0.001, 0.01", sets="training.l1"
    ),
    CompareKey(
        "l2", "L2", "float", _path("training.l2"), low=0.0, example="0, 0.001, 0.01", sets="training.l2"
    ),
    CompareKey(
        "dropout",
        "Dropout",
        "float",
        _per_layer("rate", lambda layer: layer.get("type") == "dropout", "dropout layer"),
        low=0.0,
        example="0, 0.2, 0.5",
        sets="network.layers",
    ),
    CompareKey(
        "schedule",
        "Schedule",
        "choice",
        _schedule,
        _registry("engine.schedules", "SCHEDULES"),
        sets="training.schedule",
    ),
    CompareKey("seed", "Seed", "int", _path("seed"), low=0, example="0, 1, 2", sets="seed"),
)
KEY_BY_NAME = {key.name: key for key in KEYS}


def optimizer_race() -> tuple[str, list[str]]:
    """The "Optimizer race" preset: every optimizer the engine has, on the project as it is."""
    return "optimizer", KEY_BY_NAME["optimizer"].choices()


def read_values(key_name: str, text: str, keys: Sequence[CompareKey] = KEYS) -> list:
    """The values typed for key `key_name` (one of `keys`, the mlp's by default): names of a
    choice key (each one it has), on/off, or numbers."""
    key = key_named(key_name, keys)
    if key.kind in ("float", "int"):
        return parse_values(key, text)
    names = [piece.strip() for piece in text.replace(";", ",").split(",") if piece.strip()]
    if not names:
        example = key.example or ", ".join(key.choices()[:3]) if key.choices else key.example
        raise VariantError(f"{key.title}: give at least one value, e.g. {example}")
    if key.kind == "bool":
        names = [_switch(key, name) for name in names]
    elif key.choices is not None:
        known = key.choices()
        for name in names:
            if name not in known:
                raise VariantError(f"{key.title}: {name!r} is not one of {', '.join(known)}")
    if len(set(names)) != len(names):
        raise VariantError(f"{key.title}: a value is given twice in {text.strip()!r}")
    return names


def key_named(name: str, keys: Sequence[CompareKey]) -> CompareKey:
    found = next((key for key in keys if key.name == name), None)
    if found is None:
        raise VariantError(f"{name!r} is not a setting this project's model reads")
    return found


def _switch(key: CompareKey, word: str) -> bool:
    value = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}.get(
        word.lower()
    )
    if value is None:
        raise VariantError(f"{key.title}: {word!r} is neither on nor off")
    return value


def parse_values(key: CompareKey, text: str) -> list:
    """'0.1, 0.03' -> [0.1, 0.03] for a number key; VariantError names the value that is not one."""
    pieces = [piece.strip() for piece in text.replace(";", ",").split(",")]
    if not any(pieces):
        raise VariantError(f"{key.title}: give at least one value, e.g. {key.example}")
    values: list = []
    for piece in pieces:
        if not piece:
            raise VariantError(f"{key.title}: an empty value in {text.strip()!r}")
        values.append(_number(key, piece))
    if len(set(values)) != len(values):
        raise VariantError(f"{key.title}: a value is given twice in {text.strip()!r}")
    return values


def _number(key: CompareKey, piece: str) -> int | float | str:
    if key.name == "batch_size" and piece.lower() == "all":
        return "all"
    try:
        value = float(piece)
    except ValueError:
        raise VariantError(f"{key.title}: {piece!r} is not a number") from None
    if not math.isfinite(value):
        raise VariantError(f"{key.title}: {piece!r} is not a finite number")
    if key.kind == "int":
        if value != int(value):
            raise VariantError(f"{key.title}: {piece!r} is not a whole number")
        value = int(value)
    if value < key.low or (key.above and value <= key.low):
        bound = f"above {key.low:g}" if key.above else f"at least {key.low:g}"
        raise VariantError(f"{key.title}: {piece!r} is out of range (must be {bound})")
    return value


def build_variants(project, picks: Sequence[tuple[str, Sequence]]) -> list[tuple[str, dict]]:
    """(label, overrides) for every combination of the picked keys' values, each validated.

    `picks` is (key name, values) per key; two keys make their product. VariantError when there
    is nothing to compare, more than MAX_VARIANTS, or a variant the engine refuses (named)."""
    from engine.race import variant_project
    from gui.compare.family_keys import keys_for  # it builds on this module's CompareKey

    keys = keys_for(project)
    picks = [(key_named(name, keys), list(values)) for name, values in picks if values]
    if not picks:
        raise VariantError("pick at least one value to compare")
    if len({key.name for key, _ in picks}) != len(picks):
        raise VariantError(f"{picks[0][0].title} is picked twice: give all its values in one row")
    count = math.prod(len(values) for _, values in picks)
    if count > MAX_VARIANTS:
        sizes = " × ".join(str(len(values)) for _, values in picks)
        raise VariantError(f"{sizes} = {count} variants; compare mode runs at most {MAX_VARIANTS}")
    order = {key.name: i for i, key in enumerate(keys)}
    picks.sort(key=lambda pick: order[pick[0].name])
    doc = project.to_dict()
    variants = []
    for combo in itertools.product(*(values for _, values in picks)):
        overrides: dict = {}
        for (key, _), value in zip(picks, combo, strict=True):
            overrides.update(key.overrides(doc, value))
        label = ", ".join(
            f"{key.title.lower()} {_shown(value)}" for (key, _), value in zip(picks, combo, strict=True)
        )
        try:
            variant_project(project, overrides)
        except SpecError as exc:
            raise VariantError(f"{label}: {exc.path}: {exc.reason}") from None
        variants.append((label, overrides))
    return variants


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def apply_overrides(doc: dict, overrides: dict) -> None:
    """Set each key path of `overrides` in the project document `doc` (a kept run's settings)."""
    import copy

    from engine.spec.overrides import apply_override

    for path, value in overrides.items():
        apply_override(doc, path, copy.deepcopy(value))
