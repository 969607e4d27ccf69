"""Compare mode's short run labels: each run's values alone, under one header naming the settings.

"optimizer adam, learning rate 0.03" eight times over repeats the settings' names in every entry,
and in the curves' column that repetition is what got clipped. When every run's label names the
same settings in the same order, the page says "optimizer · learning rate" once and "adam · 0.03"
for each run; any other labels (a branch, say) are shown whole.
"""

from __future__ import annotations

from gui.compare.family_keys import all_titles

SEPARATOR = " · "


def short_labels(labels: list[str]) -> tuple[str, list[str]]:
    """(header, one short label per run), or ("", `labels` unchanged) when they do not all read
    "<setting> <value>, <setting> <value>" over the same settings."""
    titles = sorted((title.lower() for title in all_titles()), key=len, reverse=True)  # longest first
    split = [_split(label, titles) for label in labels]
    if not split or any(parts is None for parts in split):
        return "", list(labels)
    if len({tuple(title for title, _ in parts) for parts in split}) != 1:
        return "", list(labels)
    header = SEPARATOR.join(title for title, _ in split[0])
    return header, [SEPARATOR.join(value for _, value in parts) for parts in split]


def _split(label: str, titles: list[str]) -> list[tuple[str, str]] | None:
    parts = []
    for piece in label.split(", "):
        title = next((t for t in titles if piece.startswith(f"{t} ") and len(piece) > len(t) + 1), None)
        if title is None:
            return None
        parts.append((title, piece[len(title) + 1 :]))
    return parts
