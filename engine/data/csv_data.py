"""A user's CSV file as a dataset: numeric columns only, one of them the target, every fault named.

The file is read as a stream, row by row, and refused as soon as it passes a limit (rows, values),
so memory stays bounded by the limits rather than by the file. The first row is a header unless
every cell of it is a number. Values must fit float32 (the networks' precision). The target is
classification when its values are whole numbers in -1,000..1,000 with at most MAX_CLASSES distinct
values (labels such as 0/1, -1/+1 or 1..5), else regression. Errors name the line and column and
the kind of problem; a cell's content is shown only when it is short (it may be a secret).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from engine.data.base import MAX_ELEMENTS, MAX_SAMPLES, Generated, Info
from engine.errors import SpecError
from engine.spec.registry import Entry

MAX_BYTES = 50 * 1024 * 1024
MAX_CLASSES = 20
MAX_CLASS_VALUE = 1000  # whole-number targets beyond ±this are quantities (years, prices), not labels
FLOAT32_MAX = float(np.finfo(np.float32).max)
SHOWN_CELL = 6  # cells up to this long are quoted in errors ("abc", "1,5"); longer ones only described
BLOCK_ROWS = 4096  # rows parsed into one float64 block at a time
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}


def load_csv(path: str | None, target: str | None) -> Generated:
    """Read and check `path`; raise SpecError at data.path or data.target for anything unusable.

    `target` names the target column (one of the header's names); None: the last column."""
    path = _checked_path(path)
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = _rows(handle, _delimiter(handle))
            first = next(rows, None)
            if first is None:
                raise SpecError("data.path", f"{name} is empty")
            header, values = _read_table(first, rows, name)
    except UnicodeDecodeError:
        raise SpecError("data.path", f"{path} is not UTF-8 text; save it as UTF-8 CSV") from None
    except OSError as exc:
        raise SpecError("data.path", f"cannot read {path}: {exc.strerror or exc}") from None
    t = _target_column(header, target, name)
    x = np.delete(values, t, axis=1).astype(np.float32)
    inputs = tuple(h for i, h in enumerate(header) if i != t)
    return _with_target(x, values[:, t], header[t], inputs)


def csv_header(path: str | None) -> list[str]:
    """The column names of the CSV at `path` ("column 1", ... for a file without a header), read
    from its first row only: what a target can be chosen from. SpecError at data.path if unreadable."""
    path = _checked_path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = next(_rows(handle, _delimiter(handle)), None)
    except UnicodeDecodeError:
        raise SpecError("data.path", f"{path} is not UTF-8 text; save it as UTF-8 CSV") from None
    except OSError as exc:
        raise SpecError("data.path", f"cannot read {path}: {exc.strerror or exc}") from None
    if first is None:
        raise SpecError("data.path", f"{os.path.basename(path)} is empty")
    return _header(first)[0]


def _checked_path(path: str | None) -> str:
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
    return path


def _delimiter(handle) -> str:
    """Comma unless the first non-blank line clearly uses ; or tab (the handle is rewound)."""
    first = ""
    for line in handle:
        if line.strip():
            first = line
            break
    handle.seek(0)
    return max(",;\t", key=first.count)


def _rows(handle, delimiter: str):
    """(line number, cells) of every non-blank row, one at a time."""
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row
    except csv.Error as exc:
        raise SpecError("data.path", f"line {reader.line_num} is not valid CSV: {exc}") from None


def _read_table(first: tuple[int, list[str]], rows, name: str) -> tuple[list[str], np.ndarray]:
    """The header and every data row as float64, refusing a file the moment it passes a limit."""
    header, pending = _header(first)
    if len(header) < 2:
        raise SpecError(
            "data.path", f"{name} has one column; it needs at least one input column and a target"
        )
    width = len(header)
    max_rows = min(MAX_SAMPLES, MAX_ELEMENTS // width)
    blocks, block, filled, count = [], np.empty((BLOCK_ROWS, width)), 0, 0
    for line, row in pending:
        block[filled] = _parse_row(row, line, header)
        filled, count = filled + 1, count + 1
    for line, row in rows:
        if count >= max_rows:
            raise SpecError("data.path", _too_many(name, max_rows, width))
        if filled == BLOCK_ROWS:
            blocks.append(block)
            block, filled = np.empty((BLOCK_ROWS, width)), 0
        block[filled] = _parse_row(row, line, header)
        filled, count = filled + 1, count + 1
    if count < 2:
        found = "no data rows" if not count else "only one data row"
        raise SpecError("data.path", f"{name} has {found}; it needs at least two")
    blocks.append(block[:filled])
    return header, np.concatenate(blocks) if len(blocks) > 1 else blocks[0]


def _too_many(name: str, max_rows: int, width: int) -> str:
    if max_rows == MAX_SAMPLES:
        return f"{name} has more than {MAX_SAMPLES:,} rows; the limit is {MAX_SAMPLES:,} rows"
    return (
        f"{name} has more than {max_rows:,} rows of {width} columns; the limit is "
        f"{MAX_ELEMENTS:,} values (rows × columns)"
    )


def _header(first: tuple[int, list[str]]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The column names, and the first row again when it is data (a file without a header)."""
    cells = [cell.strip() for cell in first[1]]
    if all(_is_number(cell) for cell in cells):
        return [f"column {i + 1}" for i in range(len(cells))], [first]
    header = [cell or f"column {i + 1}" for i, cell in enumerate(cells)]
    for i, cell in enumerate(header):
        if cell in header[:i]:
            raise SpecError("data.path", f"the header names column {cell!r} twice; column names must differ")
    return header, []


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.lower() not in MISSING


def _parse_row(row: list[str], line: int, header: list[str]) -> np.ndarray:
    if len(row) != len(header):
        raise SpecError("data.path", f"line {line} has {len(row)} values but there are {len(header)} columns")
    try:
        values = np.array(row, dtype=np.float64)  # fast path; faults located below
    except ValueError:
        values = None
    if values is not None and np.isfinite(values).all() and np.abs(values).max() <= FLOAT32_MAX:
        return values
    for column, cell in zip(header, row, strict=True):
        _check_cell(cell.strip(), line, column)
    raise AssertionError("unreachable: a cell failed its checks but none was found")  # pragma: no cover


def _check_cell(cell: str, line: int, column: str) -> None:
    where = f"line {line}, column {column!r}"
    if cell.lower() in MISSING:
        raise SpecError("data.path", f"{where} is missing a value; fill or remove rows with missing values")
    try:
        value = float(cell)
    except ValueError:
        raise SpecError(
            "data.path", f"{where}: {_excerpt(cell)} is not a number; only numeric columns are supported"
        ) from None
    if not np.isfinite(value):
        raise SpecError("data.path", f"{where}: {_excerpt(cell)} is not a finite number")
    if abs(value) > FLOAT32_MAX:
        raise SpecError(
            "data.path", f"{where}: a value of magnitude {abs(value):.1e} is beyond float32's range (±3.4e38)"
        )


def _excerpt(cell: str) -> str:
    """A short cell quoted whole; a longer one only described, never echoed (it may be a secret)."""
    if len(cell) <= SHOWN_CELL:
        return repr(cell)
    return f"a {len(cell)}-character text"


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
    whole = np.all(distinct == np.round(distinct))
    small = distinct[0] >= -MAX_CLASS_VALUE and distinct[-1] <= MAX_CLASS_VALUE
    if len(distinct) <= MAX_CLASSES and whole and small:
        labels = np.searchsorted(distinct, y).astype(np.int64)
        names = tuple(str(int(v)) for v in distinct)
        return Generated(x, labels, "classification", names, inputs, target_name=column)
    return Generated(x, y.astype(np.float32), "regression", (), inputs, target_name=column)


def resolve_data_path(path: str | None, folder: str | os.PathLike | None) -> str | None:
    """A relative data.path belongs to the project file's `folder` (users move the two together):
    joined to it, absolute. Absolute and `~` paths, and paths without a folder, stay as they are."""
    if not path or folder is None or os.path.isabs(os.path.expanduser(path)):
        return path
    return os.path.normpath(os.path.join(os.path.abspath(folder), path))


def resolve_document_data_path(doc: object, folder: str | os.PathLike) -> object:
    """resolve_data_path on a project document as read from `folder` (before validation: anything
    that is not a path string is left for the validator to name)."""
    data = doc.get("data") if isinstance(doc, dict) else None
    if isinstance(data, dict) and isinstance(data.get("path"), str):
        data["path"] = resolve_data_path(data["path"], folder)
    return doc


def portable_data_path(path: str | None, folder: str | os.PathLike) -> str | None:
    """data.path as a project saved in `folder` should store it: relative (with /) when the file lies
    in that folder or below it, so the folder can move; anything else as it is."""
    if not path or not os.path.isabs(path):
        return path  # a relative path's base is not known here: keep what the user wrote
    try:
        relative = Path(os.path.normpath(path)).relative_to(Path(os.path.abspath(folder)))
    except ValueError:
        return path
    return relative.as_posix()


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
