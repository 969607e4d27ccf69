"""A race's variants: one project changed at a few key paths, built as Trainers that start alike.

Every variant is built from the same seed, so it draws the same batch order (the Trainer's
`default_rng(seed + 1)`) and, where its layer shapes and initialiser are the base project's, it
is given the base project's initial weights. A variant that changes `seed` differs in both, one
that changes the initialiser (or the preset, which picks the playground's initialiser) or a
layer's shape keeps its own initial weights, drawn from the same seed.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import SpecError
from engine.spec.overrides import apply_override, parse_assignment, split_path
from engine.spec.project import Project

MAX_VARIANTS = 8


def parse_vary(items: Sequence[str]) -> list[dict[str, Any]]:
    """`--vary KEY=V1,V2,...` arguments -> the product of their values, one overrides mapping each.

    Each value is read as `--set` reads it (JSON, else a string); commas inside brackets, braces or
    quotes do not split, so `{"name": "elu", "alpha": 0.5}` is one value.
    """
    axes: list[list[tuple[str, Any]]] = []
    seen: set[str] = set()
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or not raw.strip():
            raise SpecError("--vary", f"expected KEY=V1,V2,..., got {item!r}")
        split_path(key)  # a key path that cannot be read fails here, named
        if key in seen:
            raise SpecError("--vary", f"{key} is varied twice; give all its values in one --vary")
        seen.add(key)
        values = [parse_assignment(f"{key}={piece}")[1] for piece in _split_values(raw, key)]
        axes.append([(key, value) for value in values])
    count = 1
    for axis in axes:
        count *= len(axis)
    if count > MAX_VARIANTS:
        sizes = " x ".join(str(len(axis)) for axis in axes)
        raise SpecError("--vary", f"{sizes} = {count} variants; a race runs at most {MAX_VARIANTS}")
    return [dict(combo) for combo in itertools.product(*axes)]


def _split_values(raw: str, key: str) -> list[str]:
    """Split on commas outside brackets, braces and double-quoted strings."""
    pieces, depth, quoted, start = [], 0, False, 0
    for pos, char in enumerate(raw):
        if quoted:
            quoted = char != '"' or raw[pos - 1] == "\\"
        elif char == '"':
            quoted = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(raw[start:pos])
            start = pos + 1
    pieces.append(raw[start:])
    if any(not piece.strip() for piece in pieces):
        raise SpecError("--vary", f"{key} has an empty value in {raw!r}")
    return [piece.strip() for piece in pieces]


def variant_project(project: Project, overrides: Mapping[str, Any]) -> Project:
    """`project` with each key path set, validated; SpecError names the key path at fault."""
    doc = project.to_dict()  # every default filled in, so a path to one (e.g. optimizer.lr) exists
    for key, value in overrides.items():
        apply_override(doc, key, copy.deepcopy(value))
    _keep_params_of_new_kinds(doc, overrides)
    if doc.get("model", {}).get("family") != project.model.family:
        _keep_settings_of_family(doc["model"], overrides)
    try:
        return Project.from_dict(doc)
    except SpecError as exc:
        raise _naming(exc, overrides) from None


def _keep_params_of_new_kinds(doc: dict, overrides: Mapping[str, Any]) -> None:
    """A variant that changes a layer's `type` (lstm against gru) drops the parameters the old kind
    had and the new one does not (an lstm's forget_bias), instead of failing on them; parameters
    the variant sets itself stay, for validation to judge."""
    from engine.spec.catalog.layers import LAYERS

    for key in overrides:
        keys = split_path(key)
        if len(keys) < 2 or keys[-1] != "type" or not isinstance(keys[-2], int):
            continue
        layer: Any = doc
        for part in keys[:-1]:
            layer = layer[part]
        entry = LAYERS.get(layer.get("type")) if isinstance(layer, dict) else None
        if entry is None:
            continue  # validation names the unknown kind
        prefix = key[: -len("type")]
        asked = {k[len(prefix) :] for k in overrides if k.startswith(prefix)}
        known = {"type", *(param.name for param in entry.params)}
        for name in [k for k in layer if k not in known and k not in asked]:
            del layer[name]


def _keep_settings_of_family(model: dict, overrides: Mapping[str, Any]) -> None:
    """A variant of another family (plain autoencoder against VAE) keeps the `model` settings that
    family reads too, and drops the others (the plain one's `variant`) instead of failing on them."""
    from engine.families import FAMILIES

    family = FAMILIES.get(model.get("family"))
    if family is None:
        return  # validation names the unknown family
    known = {"family", *(p.name for p in family.settings), *family.structured}
    asked = {path.split(".")[1].split("[")[0] for path in overrides if path.startswith("model.")}
    for key in [
        k for k in model if k not in known and k not in asked
    ]:  # asked-for keys stay: validation names them
        del model[key]


def _naming(exc: SpecError, overrides: Mapping[str, Any]) -> SpecError:
    """The error as is when it names a varied key path, else with the variant's overrides added."""
    if any(exc.path.startswith(key) or key.startswith(exc.path + ".") for key in overrides):
        return exc
    keys = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
    return SpecError(exc.path, f"{exc.reason} (in the variant {keys})")


def make_variants(project: Project, variants: Sequence[Mapping[str, Any]]) -> list:
    """One Trainer per overrides mapping ({key path: typed value}), all from `project`.

    At most MAX_VARIANTS. Each is validated and built (SpecError names the key path); all draw the
    same batch order and share the base project's initial weights where their layer shapes and
    initialiser allow (see the module docstring). None has taken a step; their status is "ready".
    """
    from engine.train import build_trainer

    if not variants:
        raise SpecError("variants", "a race needs at least one variant")
    if len(variants) > MAX_VARIANTS:
        raise SpecError("variants", f"{len(variants)} variants; a race runs at most {MAX_VARIANTS}")
    projects = [variant_project(project, overrides) for overrides in variants]
    base = build_trainer(project)
    initial = base.state_dict()  # before any step
    trainers = []
    for overrides, variant in zip(variants, projects, strict=True):
        same_data = _same_data(project, variant)
        try:
            trainer = build_trainer(variant, base.dataset if same_data else None)
        except SpecError as exc:
            raise _naming(exc, overrides) from None
        if _same_init(project, variant) and _same_shapes(initial, trainer.state_dict()):
            trainer.load_state_dict(initial)
        trainers.append(trainer)
    return trainers


def _same_data(a: Project, b: Project) -> bool:
    """Whether b's dataset is a's: the same recipe, seed and (for "auto" validation) early stopping."""
    return (
        a.seed == b.seed
        and vars(a.data) == vars(b.data)
        and a.training.early_stopping["enabled"] == b.training.early_stopping["enabled"]
    )


def _same_init(a: Project, b: Project) -> bool:
    """Whether b's initial weights are meant to be a's: same seed and the same initialiser."""

    def recipe(p: Project) -> Any:
        return "playground" if p.training.preset == "playground" else p.network.init

    return a.seed == b.seed and recipe(a) == recipe(b)


def _same_shapes(a: Mapping, b: Mapping) -> bool:
    return a.keys() == b.keys() and all(a[k].shape == b[k].shape for k in a)
