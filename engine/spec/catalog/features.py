"""Derived input features of 2-D points (the playground's x1², x1·x2, sin x1, ...), one table for all.

Each entry's factory is a column function f(x1, x2) in engine.nn.features, imported on first use.
"""

from __future__ import annotations

from engine.spec.registry import Entry, Registry


def _feature(name: str, label: str, help: str) -> Entry:
    return Entry(name, f"engine.nn.features:{name}", label, help, (), frozenset({"points2d"}))


FEATURES = Registry(
    "feature",
    [
        _feature("x1", "x1", "the horizontal coordinate"),
        _feature("x2", "x2", "the vertical coordinate"),
        _feature("x1sq", "x1²", "a parabola across x1: with x2² it draws circles"),
        _feature("x2sq", "x2²", "a parabola across x2: with x1² it draws circles"),
        _feature("x1x2", "x1·x2", "the product: its sign alone solves XOR"),
        _feature("sin_x1", "sin(x1)", "a wave along x1: helps with spirals"),
        _feature("sin_x2", "sin(x2)", "a wave along x2: helps with spirals"),
    ],
)
