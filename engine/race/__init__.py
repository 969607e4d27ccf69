"""A race: several variants of one project trained side by side from the same start (issue 9 §2).

`make_variants(project, [{key path: value}, ...])` builds one Trainer per variant (same batch
order; the same initial weights where shapes and initialiser allow); `step_together(trainers,
max_seconds)` advances the running ones together, batched on the numpy fast path; `parse_vary`
turns `--vary KEY=V1,V2,...` arguments into the product of their values. engine/race/command.py is
the `main.py race` command.

The names load on first use: the stepping module imports numba (~0.4 s), which `main.py --help`
and the other commands should not wait for.
"""

import importlib

_HOMES = {
    "MAX_VARIANTS": "engine.race.variants",
    "make_variants": "engine.race.variants",
    "parse_vary": "engine.race.variants",
    "variant_project": "engine.race.variants",
    "step_together": "engine.race.stepping",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'engine.race' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
