"""File loaders: a happy path per format (files written to tmp_path) and every bad input."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from lamina.data import (
    DataError,
    load_csv,
    load_file,
    load_fits,
    load_hdf5,
    load_image_folder,
    load_numpy,
)
from lamina.data.splits import split_dataset

# --------------------------------------------------------------------------- CSV

CSV_TEXT = """# a comment line
mag_g,mag_r,parallax,kind
10.5,10.1,3.2,star
18.2,17.9,0.0,galaxy
11.0,10.4,1.5,star
19.1,18.0,0.1,quasar
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_happy_path_text_labels(tmp_path):
    path = _write(tmp_path, "stars.csv", CSV_TEXT)
    ds = load_csv(path, target="kind")
    assert ds.task == "classification"
    assert ds.x.shape == (4, 3) and ds.x.dtype == np.float32
    assert ds.feature_names == ["mag_g", "mag_r", "parallax"]
    assert ds.class_names == ["galaxy", "quasar", "star"]
    np.testing.assert_array_equal(ds.y, [2, 0, 2, 1])
    assert ds.source == str(path) and ds.name == "stars"
    # Default target: the last column; features chosen by name; regression target.
    assert load_csv(path).class_names == ["galaxy", "quasar", "star"]
    reg = load_csv(path, target="parallax", features="mag_g, mag_r")
    assert reg.task == "regression" and reg.y.shape == (4, 1) and reg.x.shape == (4, 2)


def test_csv_numeric_labels_and_delimiters(tmp_path):
    path = _write(tmp_path, "t.tsv", "a\tb\tlabel\n1\t2\t0\n3\t4\t1\n5\t6\t1\n")
    ds = load_csv(path)
    assert ds.task == "classification" and ds.class_names == ["0", "1"]
    semi = _write(tmp_path, "s.csv", "a;b;z\n1;2;0.5\n3;4;1.7\n")
    assert load_csv(semi).task == "regression"
    recon = load_csv(semi, target="", task="reconstruction")
    assert recon.x.shape == (2, 3) and recon.y.shape == (2, 3)


def test_csv_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(DataError, match=r"CSV file not found: .*nope\.csv") as info:
        load_csv(missing)
    assert str(missing) in str(info.value)


def test_csv_wrong_column_lists_available(tmp_path):
    path = _write(tmp_path, "stars.csv", CSV_TEXT)
    with pytest.raises(DataError) as info:
        load_csv(path, target="class")
    message = str(info.value)
    assert str(path) in message and "'class' not found" in message
    assert "available columns: mag_g, mag_r, parallax, kind" in message
    with pytest.raises(DataError, match="feature column 'flux' not found"):
        load_csv(path, target="kind", features=["mag_g", "flux"])


def test_csv_non_numeric_cell_names_line_and_column(tmp_path):
    path = _write(tmp_path, "bad.csv", "a,b,y\n1,2,0\n3,oops,1\n")
    with pytest.raises(DataError) as info:
        load_csv(path, target="y")
    message = str(info.value)
    assert str(path) in message
    assert "non-numeric value 'oops' at line 3, column 'b'" in message
    assert info.value.column == "b"


def test_csv_nan_and_empty_cells_name_lines_and_columns(tmp_path):
    path = _write(tmp_path, "nan.csv", "a,b,y\n1,2,0\n3,,1\nnan,4,0\n5,inf,1\n")
    with pytest.raises(DataError) as info:
        load_csv(path, target="y")
    message = str(info.value)
    assert str(path) in message and "3 missing/NaN/inf value(s) in 3 row(s)" in message
    assert "line 3 column 'b' (missing/NaN)" in message
    assert "line 4 column 'a' (missing/NaN)" in message
    assert "line 5 column 'b' (inf)" in message


def test_csv_ragged_and_empty_files(tmp_path):
    ragged = _write(tmp_path, "r.csv", "a,b\n1,2\n3\n")
    with pytest.raises(DataError, match=r"r\.csv: line 3 has 1 cells but the header has 2"):
        load_csv(ragged)
    empty = _write(tmp_path, "e.csv", "# only a comment\n")
    with pytest.raises(DataError, match=r"e\.csv: the file is empty"):
        load_csv(empty)
    header_only = _write(tmp_path, "h.csv", "a,b\n")
    with pytest.raises(DataError, match="no data rows"):
        load_csv(header_only)


def test_csv_missing_class_label(tmp_path):
    path = _write(tmp_path, "l.csv", "a,kind\n1,star\n2, \n")
    with pytest.raises(DataError, match=r"missing class label at line 3, column 'kind'"):
        load_csv(path, target="kind")


# --------------------------------------------------------------------------- NumPy


def test_numpy_npz_happy_path_and_keys(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, images=np.zeros((5, 4, 4, 1)), labels=np.array([0, 1, 2, 1, 0]))
    ds = load_numpy(path, x_key="images", y_key="labels")
    assert ds.task == "classification" and ds.x.shape == (5, 4, 4, 1) and ds.n_classes == 3
    with pytest.raises(DataError) as info:
        load_numpy(path)
    message = str(info.value)
    assert str(path) in message and "features key 'x' not found" in message
    assert "available keys: images, labels" in message
    with pytest.raises(
        DataError, match="targets key 'target' not found; available keys: images, labels"
    ):
        load_numpy(path, x_key="images", y_key="target")
    only_x = load_numpy(path, x_key="images", y_key=None)
    assert only_x.task == "reconstruction" and only_x.y.shape == only_x.x.shape


def test_numpy_npy_with_separate_targets(tmp_path):
    x_path, y_path = tmp_path / "x.npy", tmp_path / "y.npy"
    np.save(x_path, np.arange(12.0).reshape(6, 2))
    np.save(y_path, np.linspace(0, 1, 6))
    ds = load_numpy(x_path, y_path=y_path)
    assert ds.task == "regression" and ds.y.dtype == np.float32 and ds.x.shape == (6, 2)
    np.save(y_path, np.arange(5))
    with pytest.raises(DataError, match="x has 6 samples but y has 5"):
        load_numpy(x_path, y_path=y_path)
    with pytest.raises(DataError, match=r"NumPy targets file not found: .*missing\.npy"):
        load_numpy(x_path, y_path=tmp_path / "missing.npy")


def test_numpy_errors(tmp_path):
    with pytest.raises(DataError, match=r"NumPy file not found: .*none\.npz"):
        load_numpy(tmp_path / "none.npz")
    pickled = tmp_path / "obj.npy"
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match=r"obj\.npy: .*pickle"):
        load_numpy(pickled)
    nan = tmp_path / "nan.npz"
    x = np.zeros((3, 2))
    x[2, 1] = np.nan
    np.savez(nan, x=x, y=np.array([0, 1, 0]))
    with pytest.raises(DataError, match=r"nan\.npz: x has 1 NaN/inf value\(s\).*row 2 column 1"):
        load_numpy(nan)


# --------------------------------------------------------------------------- HDF5


def test_hdf5_happy_path_and_keys(tmp_path):
    import h5py

    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("train/images", data=np.ones((4, 3, 3, 1)))
        f.create_dataset("train/labels", data=np.array([b"cat", b"dog", b"cat", b"dog"]))
        f.create_dataset("meta", data=np.arange(3))
    ds = load_hdf5(path, x_key="train/images", y_key="train/labels")
    assert ds.task == "classification" and ds.class_names == ["cat", "dog"]
    np.testing.assert_array_equal(ds.y, [0, 1, 0, 1])
    with pytest.raises(DataError) as info:
        load_hdf5(path, x_key="x", y_key=None)
    message = str(info.value)
    assert str(path) in message and "features key 'x' not found" in message
    assert "available dataset keys: meta, train/images, train/labels" in message
    with pytest.raises(DataError, match="key 'train' is a group, not a dataset"):
        load_hdf5(path, x_key="train")


def test_hdf5_missing_and_not_hdf5(tmp_path):
    with pytest.raises(DataError, match=r"HDF5 file not found: .*none\.h5"):
        load_hdf5(tmp_path / "none.h5")
    fake = _write(tmp_path, "fake.h5", "not hdf5")
    with pytest.raises(DataError, match=r"fake\.h5: not a readable HDF5 file"):
        load_hdf5(fake)


# --------------------------------------------------------------------------- FITS


def _fits_table(path):
    from astropy.io import fits

    cols = fits.ColDefs(
        [
            fits.Column(name="FLUX", format="E", array=np.array([1.0, 2.0, 3.0, 4.0])),
            fits.Column(name="SIZE", format="E", array=np.array([0.1, 0.2, 0.3, 0.5])),
            fits.Column(name="CLASS", format="10A", array=np.array(["E", "S", "E", "S"])),
        ]
    )
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(cols, name="CAT")]).writeto(path)


def test_fits_table(tmp_path):
    path = tmp_path / "cat.fits"
    _fits_table(path)
    ds = load_fits(path, target="CLASS")
    assert ds.task == "classification" and ds.class_names == ["E", "S"]
    assert ds.x.shape == (4, 2) and ds.feature_names == ["FLUX", "SIZE"]
    reg = load_fits(path, target="SIZE", features="FLUX")
    assert reg.task == "regression" and reg.y.shape == (4, 1)
    with pytest.raises(DataError) as info:
        load_fits(path, target="TYPE")
    assert str(path) in str(info.value)
    assert "available columns: FLUX, SIZE, CLASS" in str(info.value)


def test_fits_cube_with_labels_and_image_list(tmp_path):
    from astropy.io import fits

    cube = np.random.default_rng(0).random((3, 6, 5)).astype(np.float32)
    labels = fits.BinTableHDU.from_columns(
        [fits.Column(name="LABEL", format="J", array=np.array([0, 1, 1]))]
    )
    path = tmp_path / "cube.fits"
    fits.HDUList([fits.PrimaryHDU(cube), labels]).writeto(path)
    ds = load_fits(path, target="LABEL")
    assert ds.x.shape == (3, 6, 5, 1) and ds.task == "classification"
    np.testing.assert_allclose(ds.x[..., 0], cube)
    unlabelled = load_fits(path, kind="image")
    assert unlabelled.task == "reconstruction"
    with pytest.raises(DataError, match="HDU 'NOPE' not found; HDUs in the file"):
        load_fits(path, hdu="NOPE")

    files = []
    for i, shape in enumerate([(4, 4), (4, 4), (5, 4)]):
        f = tmp_path / f"img{i}.fits"
        fits.PrimaryHDU(np.ones(shape, dtype=np.float32)).writeto(f)
        files.append(f)
    stacked = load_fits(files[:2], target=[0, 1])
    assert stacked.x.shape == (2, 4, 4, 1)
    with pytest.raises(DataError) as info:
        load_fits(files)
    assert str(files[2]) in str(info.value) and "differs" in str(info.value)


def test_fits_missing_file_and_missing_astropy(tmp_path, monkeypatch):
    with pytest.raises(DataError, match=r"FITS file not found: .*none\.fits"):
        load_fits(tmp_path / "none.fits")
    path = tmp_path / "cat.fits"
    _fits_table(path)
    monkeypatch.setitem(sys.modules, "astropy.io", None)
    monkeypatch.setitem(sys.modules, "astropy.io.fits", None)
    with pytest.raises(DataError) as info:
        load_fits(path)
    assert 'pip install "lamina[fits]"' in str(info.value) and str(path) in str(info.value)


# --------------------------------------------------------------------------- image folders


def _png(path, array, mode="L"):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, mode=mode).save(path)


def test_image_folder_happy_path(tmp_path):
    from astropy.io import fits

    root = tmp_path / "sky"
    _png(root / "spiral" / "a.png", np.full((6, 6), 255, np.uint8))
    _png(root / "spiral" / "b.png", np.zeros((6, 6), np.uint8))
    _png(root / "elliptical" / "c.jpg", np.full((6, 6), 128, np.uint8))
    fits.PrimaryHDU(np.full((6, 6), 0.25, np.float32)).writeto(root / "elliptical" / "d.fits")
    (root / "elliptical" / "notes.txt").write_text("ignored")
    ds = load_image_folder(root)
    assert ds.class_names == ["elliptical", "spiral"]
    assert ds.x.shape == (4, 6, 6, 1) and ds.x.dtype == np.float32
    np.testing.assert_array_equal(ds.y, [0, 0, 1, 1])
    assert ds.x[2].max() == pytest.approx(1.0) and ds.x[1].max() == pytest.approx(0.25)
    assert ds.extras["files"][1].endswith("d.fits")
    rgb = load_image_folder(root, color="rgb", size=4)
    assert rgb.x.shape == (4, 4, 4, 3)
    assert load_file(root).n == 4


def test_image_folder_mixed_sizes_and_colour(tmp_path):
    root = tmp_path / "imgs"
    _png(root / "a" / "1.png", np.zeros((6, 6), np.uint8))
    _png(root / "b" / "2.png", np.zeros((8, 6), np.uint8))
    with pytest.raises(DataError) as info:
        load_image_folder(root)
    message = str(info.value)
    assert message.startswith(str(root / "b" / "2.png")) and "8x6 differs from 6x6" in message
    assert load_image_folder(root, size=5).x.shape == (2, 5, 5, 1)
    _png(root / "b" / "2.png", np.zeros((6, 6, 3), np.uint8), mode="RGB")
    assert load_image_folder(root).x.shape == (2, 6, 6, 3)


def test_image_folder_errors(tmp_path):
    with pytest.raises(DataError, match=r"folder not found: .*nowhere"):
        load_image_folder(tmp_path / "nowhere")
    flat = tmp_path / "flat"
    _png(flat / "x.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(DataError, match=r"one sub-folder of images per class.*found 1 images"):
        load_image_folder(flat)
    broken = tmp_path / "broken"
    _png(broken / "a" / "ok.png", np.zeros((4, 4), np.uint8))
    (broken / "a" / "bad.png").write_bytes(b"not an image")
    with pytest.raises(DataError) as info:
        load_image_folder(broken)
    assert str(broken / "a" / "bad.png") in str(info.value) and "cannot read image" in str(
        info.value
    )
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    with pytest.raises(DataError, match="class folder 'a' holds no images"):
        load_image_folder(empty)


# --------------------------------------------------------------------------- dispatch


def test_load_file_dispatch_and_unknown_type(tmp_path):
    path = _write(tmp_path, "s.csv", CSV_TEXT)
    assert load_file(path, target="kind").task == "classification"
    np.save(tmp_path / "x.npy", np.zeros((2, 2)))
    assert load_file(tmp_path / "x.npy").x.shape == (2, 2)
    other = _write(tmp_path, "data.xlsx", "?")
    with pytest.raises(DataError, match=r"data\.xlsx: unknown file type '\.xlsx'"):
        load_file(other)
    with pytest.raises(DataError, match=r"file not found: .*ghost\.csv"):
        load_file(tmp_path / "ghost.csv")


def test_loaders_write_nothing(tmp_path):
    path = _write(tmp_path, "stars.csv", CSV_TEXT)
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 2)), y=np.array([0, 1]))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    load_csv(path, target="kind")
    load_numpy(tmp_path / "d.npz")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


# --------------------------------------------------------------------------- data that come split

SPLIT_CSV = """mag_g,mag_r,part,kind
10.5,10.1,train,star
18.2,17.9,Train,galaxy
11.0,10.4,val,star
19.1,18.0,TEST,galaxy
12.0,11.1,testing,star
"""


def test_csv_split_column(tmp_path):
    path = _write(tmp_path, "split.csv", SPLIT_CSV)
    ds = load_csv(path, target="kind", split_column="part")
    assert ds.split_counts() == {"train": 2, "validation": 1, "test": 2}
    assert ds.feature_names == ["mag_g", "mag_r"] and ds.x.shape == (5, 2)
    assert ds.class_names == ["galaxy", "star"]
    parts = split_dataset(ds)
    np.testing.assert_array_equal(parts.indices["test"], [3, 4])
    np.testing.assert_array_equal(parts.test.x, ds.x[[3, 4]])
    np.testing.assert_array_equal(parts.validation.x, ds.x[[2]])
    assert parts.given == ("train", "validation", "test")
    # Without a target the default is the last column that is not the split column.
    last = _write(tmp_path, "last.csv", "a,b,kind,part\n1,2,x,train\n3,4,y,test\n")
    ds = load_csv(last, split_column="part")
    assert ds.feature_names == ["a", "b"] and ds.class_names == ["x", "y"]
    assert ds.split.tolist() == ["train", "test"]
    # Without split_column the part column is an ordinary (here: non-numeric) column.
    with pytest.raises(DataError, match="non-numeric value 'train' at line 2, column 'part'"):
        load_csv(path, target="kind")


def test_csv_split_column_errors(tmp_path):
    path = _write(tmp_path, "split.csv", SPLIT_CSV)
    with pytest.raises(DataError) as info:
        load_csv(path, target="kind", split_column="fold")
    message = str(info.value)
    assert str(path) in message and "split column 'fold' not found" in message
    assert "available columns: mag_g, mag_r, part, kind" in message
    with pytest.raises(DataError, match="'part' is the split column; it cannot also be the target"):
        load_csv(path, target="part", split_column="part")
    with pytest.raises(DataError, match="'part' is the split column; it cannot also be a feature"):
        load_csv(path, target="kind", features="mag_g,part", split_column="part")
    bad = _write(tmp_path, "bad.csv", SPLIT_CSV.replace("TEST", "holdout"))
    with pytest.raises(
        DataError,
        match=r"bad\.csv: 1 split value\(s\) in column 'part' are not train, validation or "
        r"test: line 5 'holdout'",
    ) as info:
        load_csv(bad, target="kind", split_column="part")
    assert info.value.row == 3 and info.value.column == "part"
    empty = _write(tmp_path, "empty.csv", SPLIT_CSV.replace("val,", ","))
    with pytest.raises(
        DataError, match=r"empty\.csv: missing split value at line 4, column 'part'"
    ):
        load_csv(empty, target="kind", split_column="part")
    na = _write(tmp_path, "na.csv", SPLIT_CSV.replace("Train", "NA"))
    with pytest.raises(DataError, match="missing split value at line 3, column 'part'"):
        load_csv(na, target="kind", split_column="part")


def test_load_data_passes_split_column(tmp_path):
    from lamina.data import load_data

    path = _write(tmp_path, "split.csv", SPLIT_CSV)
    ds = load_data(str(path), params={"target": "kind", "split_column": "part"})
    assert ds.split_counts() == {"train": 2, "validation": 1, "test": 2}
    assert "part" not in ds.feature_names
    by_ref = load_data(
        {"type": "csv", "params": {"path": str(path), "target": "kind"}},
        params={"split_column": "part"},
    )
    assert by_ref.split_counts() == {"train": 2, "validation": 1, "test": 2}


def _keras_parts(rng):
    return {
        "x_train": rng.random((6, 3, 2)),
        "y_train": np.array([0, 1, 2, 0, 1, 2]),
        "x_val": rng.random((2, 3, 2)),
        "y_val": np.array([1, 2]),
        "x_test": rng.random((3, 3, 2)),
        "y_test": np.array([0, 0, 1]),
    }


def test_numpy_keras_parts(tmp_path):
    arrays = _keras_parts(np.random.default_rng(0))
    path = tmp_path / "parts.npz"
    np.savez(path, **arrays)
    ds = load_numpy(path)
    assert ds.split_counts() == {"train": 6, "validation": 2, "test": 3}
    assert ds.x.shape == (11, 3, 2) and ds.task == "classification" and ds.n_classes == 3
    np.testing.assert_allclose(ds.x[:6], arrays["x_train"].astype(np.float32))
    parts = split_dataset(ds)
    np.testing.assert_allclose(parts.test.x, arrays["x_test"].astype(np.float32))
    np.testing.assert_array_equal(parts.test.y, arrays["y_test"])
    np.testing.assert_allclose(parts.validation.x, arrays["x_val"].astype(np.float32))
    # "x_validation" names the validation part too; test alone is fine.
    named = tmp_path / "named.npz"
    np.savez(
        named,
        x_train=arrays["x_train"],
        y_train=arrays["y_train"],
        x_validation=arrays["x_val"],
        y_validation=arrays["y_val"],
    )
    assert load_numpy(named).split_counts() == {"train": 6, "validation": 2, "test": 0}
    no_y = load_numpy(named, y_key=None)
    assert no_y.task == "reconstruction" and no_y.split_counts()["validation"] == 2


def test_numpy_keras_parts_errors(tmp_path):
    arrays = _keras_parts(np.random.default_rng(0))
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, **{**arrays, "x_test": np.zeros((3, 4, 2))})
    with pytest.raises(DataError) as info:
        load_numpy(wrong)
    message = str(info.value)
    assert str(wrong) in message and "one sample of 'x_test' has shape (4, 2)" in message
    assert "'x_train' has (3, 2)" in message and info.value.key == "x_test"
    no_y = tmp_path / "no_y.npz"
    np.savez(no_y, x_train=arrays["x_train"], x_test=arrays["x_test"], y_train=arrays["y_train"])
    with pytest.raises(
        DataError, match=r"no_y\.npz: targets key 'y_test' not found for 'x_test'; available keys"
    ):
        load_numpy(no_y)
    short = tmp_path / "short.npz"
    np.savez(short, **{**arrays, "y_val": np.array([1])})
    with pytest.raises(DataError, match="'x_val' has 2 samples but 'y_val' has 1"):
        load_numpy(short)
    both = tmp_path / "both.npz"
    np.savez(both, **arrays, x_validation=arrays["x_val"], y_validation=arrays["y_val"])
    with pytest.raises(DataError, match="both 'x_val' and 'x_validation' found"):
        load_numpy(both)
    parts = tmp_path / "parts.npz"
    np.savez(parts, **arrays)
    with pytest.raises(DataError, match="split_key 'part' given, but the file holds x_train"):
        load_numpy(parts, split_key="part")
    np.save(tmp_path / "x.npy", arrays["x_train"])
    with pytest.raises(DataError, match=r"x\.npy: split_key 'part' needs a \.npz archive"):
        load_numpy(tmp_path / "x.npy", split_key="part")


def test_numpy_split_key(tmp_path):
    path = tmp_path / "d.npz"
    part = np.array(["train", "test", "valid", "train", "Testing"])
    np.savez(path, x=np.arange(10.0).reshape(5, 2), y=np.array([0, 1, 0, 1, 1]), part=part)
    ds = load_numpy(path, split_key="part")
    assert ds.split_counts() == {"train": 2, "validation": 1, "test": 2}
    parts = split_dataset(ds)
    np.testing.assert_array_equal(parts.indices["test"], [1, 4])
    np.testing.assert_array_equal(parts.test.x, ds.x[[1, 4]])
    with pytest.raises(
        DataError, match=r"d\.npz: split key 'fold' not found; available keys: x, y, part"
    ):
        load_numpy(path, split_key="fold")
    bad = tmp_path / "bad.npz"
    np.savez(
        bad, x=np.zeros((3, 2)), y=np.array([0, 1, 0]), part=np.array(["train", "dev", "test"])
    )
    with pytest.raises(
        DataError, match=r"bad\.npz: 1 split value\(s\) in split key 'part' .*row 1 'dev'"
    ):
        load_numpy(bad, split_key="part")
    short = tmp_path / "short.npz"
    np.savez(short, x=np.zeros((3, 2)), y=np.array([0, 1, 0]), part=np.array(["train", "test"]))
    with pytest.raises(DataError, match="split key 'part' has 2 part names but the data have 3"):
        load_numpy(short, split_key="part")


def test_hdf5_keras_parts_and_split_key(tmp_path):
    import h5py

    arrays = _keras_parts(np.random.default_rng(1))
    path = tmp_path / "parts.h5"
    with h5py.File(path, "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value)
    ds = load_hdf5(path)
    assert ds.split_counts() == {"train": 6, "validation": 2, "test": 3}
    parts = split_dataset(ds)
    np.testing.assert_allclose(parts.test.x, arrays["x_test"].astype(np.float32))
    np.testing.assert_array_equal(parts.test.y, arrays["y_test"])

    keyed = tmp_path / "keyed.h5"
    with h5py.File(keyed, "w") as f:
        f.create_dataset("x", data=np.arange(8.0).reshape(4, 2))
        f.create_dataset("y", data=np.array([0, 1, 0, 1]))
        f.create_dataset("part", data=np.array([b"train", b"TEST", b"val", b"train"]))
        f.create_dataset("fold", data=["test", "train", "train", "test"], dtype=h5py.string_dtype())
    ds = load_hdf5(keyed, split_key="part")
    assert ds.split_counts() == {"train": 2, "validation": 1, "test": 1}
    np.testing.assert_array_equal(split_dataset(ds).test.x, ds.x[[1]])
    other = load_hdf5(keyed, split_key="fold")
    np.testing.assert_array_equal(split_dataset(other).indices["test"], [0, 3])


def test_hdf5_split_errors(tmp_path):
    import h5py

    arrays = _keras_parts(np.random.default_rng(1))
    wrong = tmp_path / "wrong.h5"
    with h5py.File(wrong, "w") as f:
        for key, value in {**arrays, "y_val": np.zeros((2, 2), dtype=int)}.items():
            f.create_dataset(key, data=value)
    with pytest.raises(DataError) as info:
        load_hdf5(wrong)
    message = str(info.value)
    assert str(wrong) in message and "one sample of 'y_val' has shape (2,)" in message
    assert "'y_train' has ()" in message
    keyed = tmp_path / "keyed.h5"
    with h5py.File(keyed, "w") as f:
        f.create_dataset("x", data=np.zeros((3, 2)))
        f.create_dataset("y", data=np.array([0, 1, 0]))
        f.create_dataset("part", data=np.array([b"train", b"train", b"later"]))
    with pytest.raises(
        DataError,
        match=r"keyed\.h5: split key 'fold' not found; available dataset keys: part, x, y",
    ):
        load_hdf5(keyed, split_key="fold")
    with pytest.raises(
        DataError, match="split key 'part' are not train, validation or test: row 2 'later'"
    ):
        load_hdf5(keyed, split_key="part")


def test_fits_table_split_column(tmp_path):
    from astropy.io import fits

    cols = [
        fits.Column(name="FLUX", format="E", array=np.array([1.0, 2.0, 3.0, 4.0])),
        fits.Column(name="PART", format="5A", array=np.array(["train", "test", "val", "train"])),
        fits.Column(name="CLASS", format="10A", array=np.array(["E", "S", "E", "S"])),
    ]
    path = tmp_path / "cat.fits"
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(cols)]).writeto(path)
    ds = load_fits(path, target="CLASS", split_column="PART")
    assert ds.feature_names == ["FLUX"] and ds.split_counts() == {
        "train": 2,
        "validation": 1,
        "test": 1,
    }
    np.testing.assert_array_equal(split_dataset(ds).test.x, ds.x[[1]])
    with pytest.raises(
        DataError, match="split column 'FOLD' not found; available columns: FLUX, PART, CLASS"
    ):
        load_fits(path, target="CLASS", split_column="FOLD")


def _part_folder(root, layout):
    for folder, n in layout.items():
        for i in range(n):
            _png(root / folder / f"{i}.png", np.full((4, 4), 40 * i, np.uint8))


def test_image_folder_with_part_folders(tmp_path):
    root = tmp_path / "sky"
    _part_folder(
        root,
        {
            "Train/spiral": 3,
            "Train/elliptical": 2,
            "val/spiral": 1,
            "test/elliptical": 1,
            "test/irregular": 2,
        },
    )
    ds = load_image_folder(root)
    assert ds.class_names == ["elliptical", "irregular", "spiral"]
    assert ds.split_counts() == {"train": 5, "validation": 1, "test": 3}
    assert ds.x.shape == (9, 4, 4, 1)
    np.testing.assert_array_equal(ds.y, [0, 0, 2, 2, 2, 2, 0, 1, 1])
    parts = split_dataset(ds)
    np.testing.assert_array_equal(parts.indices["test"], [6, 7, 8])
    assert all("/test/" in f for f in parts.test.extras["files"])
    np.testing.assert_array_equal(parts.test.y, [0, 1, 1])
    # The normal layout is not split.
    plain = tmp_path / "plain"
    _part_folder(plain, {"spiral": 1, "elliptical": 1})
    assert load_image_folder(plain).split is None


def test_image_folder_part_folder_errors(tmp_path):
    mixed = tmp_path / "mixed"
    _part_folder(mixed, {"train/spiral": 1, "spiral": 1, "test/spiral": 1})
    with pytest.raises(DataError) as info:
        load_image_folder(mixed)
    message = str(info.value)
    assert message.startswith(str(mixed))
    assert "mixes part folders (test, train) and class folders (spiral)" in message
    flat = tmp_path / "flat"
    _part_folder(flat, {"train/a": 2, "test": 1})
    with pytest.raises(
        DataError,
        match=r"part folder 'test' must hold one sub-folder of images per class.*1 images",
    ):
        load_image_folder(flat)
    twice = tmp_path / "twice"
    _part_folder(twice, {"train/a": 1, "training/a": 1})
    with pytest.raises(DataError, match="folders 'train', 'training' all name the train part"):
        load_image_folder(twice)
    empty = tmp_path / "empty"
    _part_folder(empty, {"train/a": 1})
    (empty / "test" / "a").mkdir(parents=True)
    with pytest.raises(DataError, match="class folder 'test/a' holds no images"):
        load_image_folder(empty)
