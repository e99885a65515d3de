"""lamina.data.Dataset: coercion, summary, subset and validate's messages."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from lamina.data import DataError, Dataset


def _table(n: int = 6) -> Dataset:
    x = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    return Dataset(
        x=x,
        y=np.arange(n) % 3,
        name="t",
        task="classification",
        class_names=["a", "b", "c"],
        feature_names=["f0", "f1", "f2"],
        source="table.csv",
        extras={"sigma": np.arange(n, dtype=np.float32), "grid": np.zeros(4)},
    )


def test_x_becomes_float32_and_labels_int64():
    ds = _table()
    assert ds.x.dtype == np.float32
    assert ds.y.dtype == np.int64
    float_labels = Dataset(
        x=np.zeros((3, 1)), y=np.array([0.0, 2.0, 1.0]), name="f", task="classification"
    )
    assert float_labels.y.dtype == np.int64
    assert float_labels.n_classes == 3


def test_bad_construction_names_the_source():
    with pytest.raises(DataError, match=r"gen: x has 3 samples but y has 2"):
        Dataset(x=np.zeros((3, 2)), y=np.zeros(2), name="gen", task="regression")
    with pytest.raises(DataError, match=r"gen: unknown task"):
        Dataset(x=np.zeros((3, 2)), y=None, name="gen", task="clustering")
    with pytest.raises(DataError, match=r"file.npz: class labels must be whole numbers; row 1"):
        Dataset(
            x=np.zeros((3, 2)),
            y=np.array([0, 0.5, 1]),
            name="f",
            task="classification",
            source="file.npz",
        )
    with pytest.raises(DataError, match="numeric"):
        Dataset(x=np.array([["a"], ["b"]]), y=None, name="s", task="reconstruction")


def test_summary_is_json_serialisable():
    s = _table().summary()
    json.dumps(s)
    assert s["n"] == 6 and s["x_shape"] == [6, 3] and s["x_dtype"] == "float32"
    assert s["class_counts"] == {"a": 2, "b": 2, "c": 2}
    assert s["task"] == "classification" and s["source"] == "table.csv"
    assert s["y_shape"] == [6] and s["y_dtype"] == "int64"


def test_subset_slices_per_sample_extras_only():
    ds = _table()
    part = ds.subset([4, 1])
    np.testing.assert_array_equal(part.y, [1, 1])
    np.testing.assert_array_equal(part.extras["sigma"], [4, 1])
    assert part.extras["grid"].shape == (4,)  # not per sample
    explicit = Dataset(
        x=np.zeros((4, 1)),
        y=None,
        name="e",
        task="reconstruction",
        extras={"wave": np.arange(4), "z": np.arange(4), "per_sample": ["z"]},
    )
    sub = explicit.subset([0, 1])
    assert sub.extras["wave"].shape == (4,) and sub.extras["z"].shape == (2,)


def test_validate_reports_nan_rows_and_columns():
    ds = _table()
    ds.x[2, 1] = np.nan
    ds.x[4, 2] = np.inf
    with pytest.raises(DataError) as info:
        ds.validate()
    message = str(info.value)
    assert message.startswith("table.csv:")
    assert "row 2 column 'f1' (NaN)" in message and "row 4 column 'f2' (inf)" in message
    assert info.value.row == 2


def test_validate_nan_in_images_names_position():
    x = np.zeros((3, 4, 4, 1), dtype=np.float32)
    x[1, 2, 3, 0] = np.nan
    ds = Dataset(x=x, y=np.array([0, 1, 0]), name="img", task="classification")
    with pytest.raises(DataError, match=r"img: .*row 1 position \(2, 3, 0\)"):
        ds.validate()


def test_validate_input_shape():
    ds = Dataset(x=np.zeros((5, 8, 8)), y=None, name="d", task="reconstruction")
    ds.validate(input_shape=(8, 8))
    ds.validate(input_shape=(None, 8, 8))
    ds.validate(input_shape=(None, None))
    with pytest.raises(DataError) as info:
        ds.validate(input_shape=(8, 8, 1))
    assert "expects inputs of shape (8, 8, 1)" in str(info.value)
    assert "(8, 8)" in str(info.value) and "x[..., None]" in str(info.value)
    with pytest.raises(DataError, match=r"reshape x to \(n, 64\)"):
        ds.validate(input_shape=(64,))


def test_validate_labels_against_outputs():
    y = np.array([0, 1, 2, 3, 4, 5, 6, 12, 1])
    ds = Dataset(x=np.zeros((9, 2)), y=y, name="cls", task="classification", source="labels.csv")
    ds.validate(n_outputs=13)
    with pytest.raises(
        DataError, match=r"labels.csv: label 12 at row 7 but the model has 10 outputs"
    ):
        ds.validate(n_outputs=10)
    binary = Dataset(x=np.zeros((3, 2)), y=np.array([0, 1, 2]), name="b", task="classification")
    with pytest.raises(DataError, match="labels must be 0 or 1"):
        binary.validate(n_outputs=1)
    negative = Dataset(x=np.zeros((2, 2)), y=np.array([0, -1]), name="n", task="classification")
    with pytest.raises(DataError, match="label -1 at row 1 is negative"):
        negative.validate(n_outputs=2)


def test_validate_segmentation_labels_name_the_pixel():
    y = np.zeros((2, 4, 4, 1), dtype=np.int64)
    y[1, 3, 2, 0] = 5
    ds = Dataset(x=np.zeros((2, 4, 4, 1)), y=y, name="seg", task="segmentation")
    with pytest.raises(
        DataError, match=r"label 5 at row 1 position \(3, 2, 0\) but the model has 3"
    ):
        ds.validate(n_outputs=3)


def test_regression_targets_are_float32_and_checked_for_nan():
    ds = Dataset(
        x=np.zeros((3, 1)), y=np.array([[1.0], [np.nan], [2.0]]), name="r", task="regression"
    )
    assert ds.y.dtype == np.float32
    with pytest.raises(DataError, match=r"r: y has 1 NaN/inf value\(s\).*row 1"):
        ds.validate()


def test_importing_lamina_data_is_light():
    code = (
        "import sys, lamina.data, lamina.data.pipeline, lamina.data.augment;"
        "heavy = [m for m in ('tensorflow', 'tf_keras', 'PySide6', 'h5py', 'astropy', 'PIL') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
