"""Weight initialisers by name, from all-zeros (the symmetry lesson) to He and the playground's own.

Each entry's factory (in engine.nn.init, imported on first use) takes the scheme's parameters and
returns (weight function, bias value).
"""

from __future__ import annotations

from typing import Any

from engine.spec.registry import Entry, Param, Registry


def _scheme(name: str, label: str, help: str, params: tuple[Param, ...] = ()) -> Entry:
    return Entry(name, f"engine.nn.init:{name}", label, help, params)


INITIALIZERS = Registry(
    "initializer",
    [
        _scheme(
            "xavier_uniform",
            "Xavier (Glorot) uniform",
            "U(±√(6/(fan_in+fan_out))): keeps tanh/sigmoid signals steady",
        ),
        _scheme("xavier_normal", "Xavier (Glorot) normal", "N(0, 2/(fan_in+fan_out))"),
        _scheme("he_uniform", "He uniform", "U(±√(6/fan_in)): for ReLU, which halves the variance"),
        _scheme("he_normal", "He normal", "N(0, 2/fan_in): for ReLU"),
        _scheme("lecun_normal", "LeCun normal", "N(0, 1/fan_in)"),
        _scheme(
            "uniform",
            "Uniform",
            "U(-scale, scale) whatever the layer size",
            (Param("scale", 0.05, float, 0.0, 10.0, help="half-width of the interval"),),
        ),
        _scheme(
            "normal",
            "Normal",
            "N(0, std²) whatever the layer size: too small vanishes, too large explodes",
            (Param("std", 0.05, float, 0.0, 10.0, help="standard deviation"),),
        ),
        _scheme(
            "constant",
            "Constant",
            "every weight and bias the same value: units stay identical (symmetry)",
            (Param("value", 0.1, float, -10.0, 10.0),),
        ),
        _scheme("zeros", "Zeros", "all weights zero: no unit can differ from its neighbours, nothing learns"),
        _scheme("playground", "Playground", "U(-0.5, 0.5) weights and 0.1 biases, as TensorFlow Playground"),
    ],
)


def init_spec(value: Any) -> tuple[str, dict[str, Any]]:
    """`"he_normal"` or `{"name": "normal", "std": 0.1}` -> (name, params with defaults)."""
    if isinstance(value, dict):
        return value["name"], {k: v for k, v in value.items() if k != "name"}
    return value, INITIALIZERS[value].defaults()
