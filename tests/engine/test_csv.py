"""The CSV loader: task detection, column handling, and one specific SpecError per kind of bad file."""

import numpy as np
import pytest

from engine.data import make_dataset
from engine.errors import SpecError


def write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def load(path, target=None, **spec):
    return make_dataset({"name": "csv", "path": path, "target": target, "train_fraction": 0.5, **spec}, 0)


def rows_of(d):
    """(inputs, labels) of train+test, sorted by the first input so they can be compared to the file."""
    x, y = np.concatenate([d.x_train, d.x_test]), np.concatenate([d.y_train, d.y_test])
    order = np.argsort(x[:, 0])
    return x[order], y[order]


def test_integer_target_is_classification_with_original_names(tmp_path):
    path = write(tmp_path, "a,b,label\n1,10,7\n2,20,3\n3,30,7\n4,40,3\n5,50,7\n6,60,3\n")
    d = load(path)
    assert d.task == "classification" and d.kind == "tabular" and d.n_classes == 2
    assert d.class_names == ("3", "7") and d.input_names == ("a", "b") and d.raw_shape == (2,)
    x, y = rows_of(d)
    np.testing.assert_array_equal(x, [[1, 10], [2, 20], [3, 30], [4, 40], [5, 50], [6, 60]])
    np.testing.assert_array_equal(y, [1, 0, 1, 0, 1, 0])  # 7 -> class 1, 3 -> class 0
    assert d.y_train.dtype == np.int64 and d.x_train.dtype == np.float32 and len(d.x_train) == 3


def test_fractional_target_is_regression(tmp_path):
    path = write(tmp_path, "x,y\n1,0.5\n2,1.5\n3,2.25\n4,-1\n")
    d = load(path)
    assert d.task == "regression" and d.n_classes == 0 and d.class_names == ()
    x, y = rows_of(d)
    np.testing.assert_allclose(y, [0.5, 1.5, 2.25, -1.0])
    assert y.dtype == np.float32


def test_many_distinct_integers_are_regression(tmp_path):
    lines = "".join(f"{i},{i * 3}\n" for i in range(21))
    assert load(write(tmp_path, "x,y\n" + lines)).task == "regression"
    lines20 = "".join(f"{i},{i * 3}\n" for i in range(20))
    assert load(write(tmp_path, "x,y\n" + lines20)).n_classes == 20


def test_target_by_name_keeps_the_other_columns_in_order(tmp_path):
    path = write(tmp_path, "a,kind,b\n1,0,5\n2,1,6\n3,0,7\n4,1,8\n")
    d = load(path, target="kind")
    assert d.input_names == ("a", "b")
    x, y = rows_of(d)
    np.testing.assert_array_equal(x, [[1, 5], [2, 6], [3, 7], [4, 8]])
    np.testing.assert_array_equal(y, [0, 1, 0, 1])


def test_headerless_semicolon_and_spaces(tmp_path):
    d = load(write(tmp_path, "1; 2;0\n3; 4;1\n5;6;0\n7 ;8;1\n"))
    assert d.input_names == ("column 1", "column 2") and d.task == "classification"
    x, _ = rows_of(d)
    np.testing.assert_array_equal(x[:, 1], [2, 4, 6, 8])


def test_samples_takes_a_subset_and_tabular_split(tmp_path):
    lines = "".join(f"{i},{i % 2}\n" for i in range(10))
    d = load(write(tmp_path, "x,y\n" + lines), samples=4)
    assert len(d.x_train) == 2 and len(d.x_test) == 2


BAD = [
    ("", "data.path", "is empty"),
    ("  \n\n", "data.path", "is empty"),
    ("a,b\n", "data.path", "has no data rows"),
    ("a,b\n1,0\n", "data.path", "has only one data row"),
    ("a\n1\n2\n", "data.path", "has one column"),
    ("a,b\n1,0\n2,abc\n3,1\n", "data.path", "line 3, column 'b': 'abc' is not a number"),
    ("a,b\n1,0\n,1\n3,1\n", "data.path", "line 3, column 'a' is missing a value"),
    ("a,b\n1,0\n2,NA\n3,1\n", "data.path", "line 3, column 'b' is missing a value"),
    ("a,b\n1,0\n2,inf\n3,1\n", "data.path", "line 3, column 'b': 'inf' is not a finite number"),
    ("a,b,c\n1,0,1\n2,1\n3,1,0\n", "data.path", "line 3 has 2 values but there are 3 columns"),
    ("a,a,c\n1,0,1\n2,1,0\n", "data.path", "names column 'a' twice"),
    ("a,b\n1,4\n2,4\n3,4\n", "data.target", "target column 'b' has a single value (4)"),
]


@pytest.mark.parametrize("text, path, words", BAD)
def test_bad_files_raise_specific_errors(tmp_path, text, path, words):
    with pytest.raises(SpecError) as info:
        load(write(tmp_path, text))
    assert info.value.path == path and words in info.value.reason


def test_missing_target_column_lists_the_columns(tmp_path):
    with pytest.raises(SpecError) as info:
        load(write(tmp_path, "a,b,label\n1,2,0\n3,4,1\n"), target="class")
    assert info.value.path == "data.target"
    assert "no column 'class'" in info.value.reason and "columns: a, b, label" in info.value.reason


@pytest.mark.parametrize(
    "make_path, words",
    [
        (lambda tmp: None, "choose a CSV file"),
        (lambda tmp: str(tmp / "nope.csv"), "no such file"),
        (lambda tmp: str(tmp), "is not a file"),
    ],
)
def test_missing_path_file_or_folder(tmp_path, make_path, words):
    with pytest.raises(SpecError) as info:
        load(make_path(tmp_path))
    assert info.value.path == "data.path" and words in info.value.reason


def test_files_over_50_mb_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(51 * 2**20)  # sparse: costs no disk and must never be read
    with pytest.raises(SpecError) as info:
        load(str(path))
    assert info.value.path == "data.path" and "limited to 50 MB" in info.value.reason


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("größe,y\n1,0\n2,1\n".encode("latin-1"))
    with pytest.raises(SpecError) as info:
        load(str(path))
    assert info.value.path == "data.path" and "not UTF-8" in info.value.reason


def test_a_file_past_the_row_limit_is_refused_while_reading(tmp_path):
    """200,001 rows: refused naming the file and the limit, without holding the file's rows."""
    import tracemalloc

    from engine.data.base import MAX_SAMPLES

    path = tmp_path / "long.csv"
    path.write_text("x,y\n" + "1.5,0\n2.5,1\n" * ((MAX_SAMPLES + 2) // 2), encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(SpecError) as info:
            load(str(path))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.path == "data.path"
    assert info.value.reason == "long.csv has more than 200,000 rows; the limit is 200,000 rows"
    assert peak < 16 * 2**20, peak  # the rows kept are float64 blocks: 200,000 × 2 × 8 bytes = 3.2 MB


def test_a_file_far_past_the_limit_stops_at_the_limit(tmp_path):
    """A 40 MB file of 10M short rows (the 25M-row file passed 4 GB): memory bounded by the limit."""
    import tracemalloc

    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("1,0\n2,1\n" * 5_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(SpecError, match="has more than 200,000 rows"):
            load(str(path))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, peak


def test_wide_files_are_limited_by_values(tmp_path, monkeypatch):
    from engine.data import csv_data

    monkeypatch.setattr(csv_data, "MAX_ELEMENTS", 30)
    path = write(tmp_path, "a,b,c\n" + "1,2,0\n3,4,1\n" * 6)
    with pytest.raises(SpecError) as info:
        load(path)
    assert "more than 10 rows of 3 columns; the limit is 30 values (rows × columns)" in info.value.reason


@pytest.mark.parametrize("cell", ["1e39", "-3.5e38", "1e300"])
def test_values_beyond_float32_are_refused_with_line_and_column(tmp_path, cell):
    path = write(tmp_path, f"a,b\n1,0\n2,1\n{cell},0\n")
    with pytest.raises(SpecError) as info:
        load(path)
    assert info.value.path == "data.path"
    assert info.value.reason.startswith("line 4, column 'a': a value of magnitude ")
    assert "beyond float32's range (±3.4e38)" in info.value.reason


def test_a_target_of_huge_whole_numbers_is_refused_not_taken_as_classes(tmp_path):
    path = write(tmp_path, "x,y\n1,0\n2,1e300\n3,0\n4,1e300\n")
    with pytest.raises(SpecError, match="line 3, column 'y': .*beyond float32's range"):
        load(path)


def test_whole_numbers_beyond_a_small_range_are_regression(tmp_path):
    """Few distinct whole numbers far from small labels (years, prices) are quantities, not classes."""
    years = load(write(tmp_path, "x,y\n" + "".join(f"{i},{1990 + i % 5}\n" for i in range(20))))
    assert years.task == "regression"
    huge = load(write(tmp_path, "x,y\n1,1e30\n2,2e30\n3,1e30\n4,2e30\n"))
    assert huge.task == "regression"
    labels = load(write(tmp_path, "x,y\n1,-1\n2,1\n3,-1\n4,1000\n"))
    assert labels.task == "classification" and labels.class_names == ("-1", "1", "1000")


def test_a_long_cell_is_never_echoed(tmp_path):
    path = write(tmp_path, "a,key\n1,2\n2,sk-SECRET-1234\n3,4\n")
    with pytest.raises(SpecError) as info:
        load(path)
    message = str(info.value)
    assert "SECRET" not in message and "sk-" not in message
    assert info.value.reason == (
        "line 3, column 'key': a 14-character text is not a number; only numeric columns are supported"
    )


def test_a_short_cell_is_quoted_to_help_fix_it(tmp_path):
    with pytest.raises(SpecError, match=r"line 2, column 'b': '1,5' is not a number"):
        load(write(tmp_path, 'a;b\n1;"1,5"\n2;3\n'))
