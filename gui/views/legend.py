"""The output view's colour key, as one line of rich text: which colour is which class (or value).

The map and the points share these colours (gui/views/colors.py), so the key explains both.
"""

from __future__ import annotations

import html

import numpy as np

from gui.views.colors import BLUE, NEUTRAL, ORANGE, class_color, diverging_colors

SCALE_STEPS = 9  # swatches in a regression's colour scale


def _swatch(color: str, width: int = 2) -> str:
    return f'<span style="background-color:{color}; color:{color};">{"&nbsp;" * width}</span>'


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


def shown_name(name: str) -> str:
    """A class name as the window prints it: a number with a true minus sign ("−1"), else as it is."""
    text = str(name)
    return text.replace("-", "−", 1) if text.lstrip("+-").isdigit() else text


def class_text(names, index: int) -> str:
    """A class as every view names it (one scheme, tests/gui/test_class_names.py): "class −1" or
    "class 3" where the data names its classes by numbers (the playground's −1/+1 on the plane),
    the name itself where it is a word ("setosa", "upper"), "class k" where it has no names."""
    names = tuple(names)
    if not 0 <= index < len(names):
        return f"class {index}"
    text = shown_name(names[index])
    return f"class {text}" if text.lstrip("+−").isdigit() else text


def class_colors(n_classes: int) -> list[str]:
    """The colour of each class, as the map and the points draw it."""
    return [ORANGE, BLUE] if n_classes == 2 else [class_color(k) for k in range(n_classes)]


def legend_html(dataset, head, levels: tuple[float, float] | None = None, painting: bool = False) -> str:
    """The key for `dataset` read through `head` (engine objects); "" when there is nothing to key.
    While `painting`, the map shows every painted point alike, not the run's split."""
    if dataset is None or dataset.kind not in ("points2d", "function1d"):
        return ""
    validation = len(getattr(dataset, "x_val", ())) > 0  # early stopping's split is drawn too
    if painting:
        points = "points: every painted point (training splits them into train and test)"
    elif dataset.kind == "points2d":
        points = (
            "points: train (white ring), "
            + ("validation (green square), " if validation else "")
            + "test (dark ring)"
        )
    else:
        points = f"{_swatch(BLUE)} train &nbsp; {_swatch(ORANGE)} test &nbsp; — the network's curve" + (
            " &nbsp; (validation: green squares)" if validation else ""
        )
    if dataset.kind == "function1d":
        return points
    if dataset.task == "regression" or head is None or not head.classification:
        lo, hi = levels if levels is not None else (-1.0, 1.0)
        colors = diverging_colors(np.linspace(lo, hi, SCALE_STEPS), (lo, hi))
        scale = "".join(_swatch(_hex(c), 1) for c in colors)
        return f"value {lo:.3g} {scale} {hi:.3g} &nbsp;·&nbsp; {points}"
    keys = [
        f"{_swatch(color)} {html.escape(class_text(dataset.class_names, k))}"
        for k, color in enumerate(class_colors(dataset.n_classes))
    ]
    return " &nbsp; ".join([*keys, f"{_swatch(NEUTRAL)} unsure"]) + f" &nbsp;·&nbsp; {points}"
