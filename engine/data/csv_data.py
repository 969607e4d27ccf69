"""A user's CSV file as a dataset: numeric columns only, one of them the target, every fault named.

The first row is a header unless every cell of it is a number. The target is classification when
its values are whole numbers with at most MAX_CLASSES distinct values, else regression.
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np

from engine.data.base import MAX_ELEMENTS, MAX_SAMPLES, Generated, Info
from engine.errors import SpecError
from engine.registry import Entry

MAX_BYTES = 50 * 1024 * 1024
MAX_CLASSES = 20
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}


def load_csv(path: str | None, target: str | None) -> Generated:
    """Read and check `path`; raise SpecError at data.path or data.target for anything unusable."""
    text = _read_text(path)
    name = os.path.basename(path)
    lines = [(n, row) for n, row in _rows(text) if any(cell.strip() for cell in row)]
    if not lines:
        raise SpecError("data.path", f"{name} is empty")
    header, body = _split_header(lines)
    if len(header) < 2:
        raise SpecError(
            "data.path", f"{name} has one column; it needs at least one input column and a target"
        )
    if len(body) < 2:
        found = "no data rows" if not body else "only one data row"
        raise SpecError("data.path", f"{name} has {found}; it needs at least two")
    if len(body) > MAX_SAMPLES or len(body) * len(header) > MAX_ELEMENTS:
        raise SpecError("data.path", f"{name} has {len(body):,} rows; the limit is {MAX_SAMPLES:,} rows")
    values = _numbers(header, body)
    t = _target_column(header, target, name)
    x = np.delete(values, t, axis=1).astype(np.float32)
    inputs = tuple(h for i, h in enumerate(header) if i != t)
    return _with_target(x, values[:, t], header[t], inputs)


def _read_text(path: str | None) -> str:
    if not path:
        raise SpecError("data.path", "choose a CSV file for the csv dataset")
    path = os.path.expanduser(path)
    if not os.path.exists(path):
        raise SpecError("data.path", f"no such file: {path}")
    if not os.path.isfile(path):
        raise SpecError("data.path", f"{path} is not a file")
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise SpecError("data.path", f"{path} is {size / 2**20:.1f} MB; CSV files are limited to 50 MB")
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SpecError("data.path", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError("data.path", f"{path} is not UTF-8 text; save it as UTF-8 CSV") from None


def _rows(text: str):
    first = text.lstrip().split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # comma unless the header clearly uses ; or tab
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise SpecError("data.path", f"line {reader.line_num} is not valid CSV: {exc}") from None


def _split_header(lines: list[tuple[int, list[str]]]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    first = [cell.strip() for cell in lines[0][1]]
    if all(_is_number(cell) for cell in first):
        return [f"column {i + 1}" for i in range(len(first))], lines
    header = [cell or f"column {i + 1}" for i, cell in enumerate(first)]
    for i, cell in enumerate(header):
        if cell in header[:i]:
            raise SpecError("data.path", f"the header names column {cell!r} twice; column names must differ")
    return header, lines[1:]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.lower() not in MISSING


def _numbers(header: list[str], body: list[tuple[int, list[str]]]) -> np.ndarray:
    for line, row in body:
        if len(row) != len(header):
            raise SpecError(
                "data.path", f"line {line} has {len(row)} values but there are {len(header)} columns"
            )
    try:
        values = np.array([row for _, row in body], dtype=np.float64)  # fast path; faults located below
        if np.isfinite(values).all():
            return values
    except ValueError:
        pass
    for line, row in body:
        for column, cell in zip(header, row, strict=False):  # short rows are reported elsewhere
            _check_cell(cell.strip(), line, column)
    raise AssertionError("unreachable: a cell failed to parse but none was found")  # pragma: no cover


def _check_cell(cell: str, line: int, column: str) -> None:
    where = f"line {line}, column {column!r}"
    if cell.lower() in MISSING:
        raise SpecError("data.path", f"{where} is missing a value; fill or remove rows with missing values")
    try:
        value = float(cell)
    except ValueError:
        raise SpecError(
            "data.path", f"{where}: {cell!r} is not a number; only numeric columns are supported"
        ) from None
    if not np.isfinite(value):
        raise SpecError("data.path", f"{where}: {cell!r} is not a finite number")


def _target_column(header: list[str], target: str | None, name: str) -> int:
    if target is None:
        return len(header) - 1
    if target not in header:
        raise SpecError("data.target", f"{name} has no column {target!r}; columns: {', '.join(header)}")
    return header.index(target)


def _with_target(x: np.ndarray, y: np.ndarray, column: str, inputs: tuple[str, ...]) -> Generated:
    distinct = np.unique(y)
    if len(distinct) < 2:
        raise SpecError(
            "data.target",
            f"target column {column!r} has a single value ({distinct[0]:g}); it needs at least two",
        )
    if len(distinct) <= MAX_CLASSES and np.all(distinct == np.round(distinct)):
        labels = np.searchsorted(distinct, y).astype(np.int64)
        names = tuple(str(int(v)) for v in distinct)
        return Generated(x, labels, "classification", names, inputs)
    return Generated(x, y.astype(np.float32), "regression", (), inputs)


def csv_dataset(spec: dict, rng: np.random.Generator) -> Generated:
    return load_csv(spec.get("path"), spec.get("target"))


INFO = {"csv": Info("tabular", None, 0.0, None, "", 1)}

ENTRIES = (
    Entry(
        "csv",
        csv_dataset,
        "CSV file",
        "Your own table: numeric columns, one of them the target (classification or regression)",
        (),
        frozenset({"classification", "regression", "tabular", "file"}),
    ),
)
