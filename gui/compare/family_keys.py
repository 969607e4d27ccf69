"""The settings compare mode offers for a project: its family's own (engine/families/catalog.py)
and those of the mlp's keys (gui/compare/variants.py) that the family reads.

Qt-free. Every key comes from the engine's Family entry (its Params, the blocks it reads), so a
setting the family gains is offered without an edit here; only the titles are the window's words.
"""

from __future__ import annotations

import math

from gui.compare.variants import KEYS, CompareKey

# The window's words for settings whose names read badly as they are; the rest: "noise_dim" -> "noise dim".
TITLES = {
    "lr": "Learning rate",
    "init": "Initialiser",
    "d_steps": "D steps",
    "noise_dim": "Noise inputs",
    "beta": "Beta",
}
# Parts of the model block that carry an optimizer of their own (the GAN's two networks).
PART_TITLES = {"generator": "G learning rate", "discriminator": "D learning rate"}


def keys_for(project) -> tuple[CompareKey, ...]:
    """What a comparison of `project` can vary: its family's settings, then the shared keys it reads."""
    from engine.families import FAMILIES

    family = FAMILIES[project.model.family]
    if family.name == "mlp":
        return KEYS
    doc = project.to_dict()
    own = [_setting_key(param) for param in family.settings if _offered(param)]
    own += [_part_lr_key(part) for part in family.structured if _has_optimizer(doc, part)]
    return (*own, *(key for key in KEYS if reads(family, key.sets)))


def reads(family, path: str) -> bool:
    """Whether `family` reads key path `path` (a block it reads, and a key of it it reads)."""
    top, _, rest = path.partition(".")
    if top == "seed":
        return True
    if top not in family.keys:
        return False
    allowed = family.block_keys(top)
    return allowed is None or rest.split(".")[0] in allowed


def _offered(param) -> bool:
    # A string setting without a list of choices (the code's activation) is offered too: the
    # engine names a value it does not know.
    return param.kind in (bool, int, float, str)


def _setting_key(param) -> CompareKey:
    title = TITLES.get(param.name, param.name.replace("_", " ").capitalize())
    path = f"model.{param.name}"
    setter = lambda _doc, value, path=path: {path: value}  # noqa: E731 - one key path per value
    if param.kind is bool:
        return CompareKey(param.name, title, "bool", setter, example="off, on", sets=path)
    if param.kind is str:
        choices = (lambda names=param.choices: list(names)) if param.choices else None
        example = ", ".join(param.choices[:2]) if param.choices else str(param.default)
        return CompareKey(
            param.name, title, "choice" if choices else "text", setter, choices, example=example, sets=path
        )
    low = -math.inf if param.min is None else param.min
    return CompareKey(
        param.name,
        title,
        "int" if param.kind is int else "float",
        setter,
        low=low,
        example=_example(param),
        sets=path,
    )


def _example(param) -> str:
    """Two values around the default, inside the Param's range."""
    default = param.default
    if param.kind is int:
        values = [default, default * 2 if default else 1]
    else:
        values = [default, default / 10 if default else 0.1]
    if param.max is not None:
        values = [min(v, param.max) for v in values]
    return ", ".join(f"{v:g}" for v in dict.fromkeys(values))


def _part_lr_key(part: str) -> CompareKey:
    path = f"model.{part}.optimizer.lr"
    title = PART_TITLES.get(part, f"{part.capitalize()} learning rate")
    setter = lambda _doc, value, path=path: {path: value}  # noqa: E731
    return CompareKey(
        f"{part}_lr", title, "float", setter, low=0.0, example="0.002, 0.0005", sets=path, above=True
    )


def _has_optimizer(doc: dict, part: str) -> bool:
    return isinstance(doc["model"].get(part), dict) and "optimizer" in doc["model"][part]


def all_titles() -> list[str]:
    """Every key's title a comparison of any family may use (how labels.py splits run labels)."""
    from engine.families import FAMILIES

    titles = [key.title for key in KEYS] + list(PART_TITLES.values())
    for name in FAMILIES.names():
        titles += [_setting_key(param).title for param in FAMILIES[name].settings if _offered(param)]
    return list(dict.fromkeys(titles))
