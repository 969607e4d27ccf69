"""What the data panel shows about a project's CSV file (rows, inputs, or why it cannot be used),
read once per version of the file: a 50 MB table takes seconds to parse, and the panel refreshes
on every edit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SpecError


@dataclass(frozen=True)
class CsvFacts:
    rows: int = 0
    inputs: int = 0
    error: str = ""  # one line; empty when the file can be used
    columns: tuple[str, ...] = ()  # the header's names, also when the target is wrong (to choose another)
    target: int = -1  # the target's column index; -1 when unknown
    task: str = ""  # "classification" | "regression" once the file loaded
    classes: int = 0

    def target_text(self) -> str:
        """ "Target: species (column 5 of 5), classification of 3 classes", or "" when unknown."""
        if not 0 <= self.target < len(self.columns):
            return ""
        text = f"Target: {self.columns[self.target]} (column {self.target + 1} of {len(self.columns)})"
        if self.task == "classification":
            return f"{text}, classification of {self.classes} classes"
        return f"{text}, regression" if self.task else text


_cache: dict[tuple, CsvFacts] = {}


def resolve(path: str, project_path: Path | None) -> str:
    """A relative data.path belongs to the project file's folder (where the project was saved)."""
    from engine.data.csv_data import resolve_data_path

    folder = Path(project_path).parent if project_path is not None else None
    return os.path.expanduser(resolve_data_path(path, folder))


def inspect_csv(path: str, target: str | None = None) -> CsvFacts:
    from engine.data.csv_data import csv_header, load_csv

    try:
        stat = os.stat(path)
        key = (path, target, stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None  # missing: load_csv names the problem, and nothing is cached
    if key in _cache:
        return _cache[key]
    try:
        columns = tuple(csv_header(path))
    except SpecError:
        columns = ()  # load_csv names the problem below
    index = (columns.index(target) if target in columns else -1) if target else len(columns) - 1
    try:
        table = load_csv(path, target)
    except SpecError as exc:
        facts = CsvFacts(error=f"Cannot use {os.path.basename(path)}: {exc.reason}", columns=columns)
    else:
        classes = len(table.class_names)
        facts = CsvFacts(len(table.x), table.x.shape[1], "", columns, index, table.task, classes)
    if key is not None:
        _cache.clear()  # one file at a time is all the panel shows
        _cache[key] = facts
    return facts
