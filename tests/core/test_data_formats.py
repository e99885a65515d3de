"""The one table of data-file formats: `load_file`, the catalogue and the app agree on it."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.data.errors import DataError
from lamina.data.loaders import FORMATS, file_patterns, format_of, load_file


def test_every_format_is_a_file_source_of_the_catalogue():
    from lamina.plugins import get_registry

    registry = get_registry()
    for name in sorted(set(FORMATS.values())):
        entry = registry.find("dataset", name)
        assert entry is not None, f"format {name!r} is not a registered file source"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("stars.csv", "csv"),
        ("stars.TSV", "csv"),
        ("notes.txt", "csv"),
        ("a/b.npz", "numpy"),
        ("x.npy", "numpy"),
        ("cube.h5", "hdf5"),
        ("cube.he5", "hdf5"),
        ("image.FITS", "fits"),
        ("image.fts", "fits"),
        ("image.fits.gz", "fits"),
        ("table.csv.gz", None),
        ("sheet.xlsx", None),
        ("README", None),
    ],
)
def test_format_of(path, expected):
    assert format_of(path) == expected


def test_file_patterns_cover_every_suffix():
    patterns = file_patterns().split()
    assert patterns == [f"*{suffix}" for suffix in FORMATS]
    assert "*.txt" in patterns and "*.fits.gz" in patterns


def test_load_file_reads_every_suffix_of_the_table_with_its_loader(tmp_path):
    (tmp_path / "t.txt").write_text("a,b,kind\n1,2,x\n3,4,y\n")
    assert load_file(tmp_path / "t.txt", target="kind").class_names == ["x", "y"]
    with open(tmp_path / "arrays.npz", "wb") as handle:
        np.savez(handle, x=np.zeros((3, 2)), y=np.arange(3))
    assert load_file(tmp_path / "arrays.npz").n == 3
    (tmp_path / "sheet.xlsx").write_text("?")
    with pytest.raises(DataError) as err:
        load_file(tmp_path / "sheet.xlsx")
    assert str(err.value).endswith(
        "lamina reads .csv, .fits, .h5, .hdf5, .he5, .npy, .npz, .tsv, .txt and folders"
    )
