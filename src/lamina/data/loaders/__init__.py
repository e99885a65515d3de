"""File loaders: each reads a local file (or folder) into a `lamina.data.Dataset`.

Loaders never write to disk and never download. A problem with the file raises
`lamina.data.DataError` naming the file and, where relevant, the row, column or key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.arrays import load_numpy
from lamina.data.loaders.csv import load_csv
from lamina.data.loaders.fits import is_fits_path, load_fits
from lamina.data.loaders.hdf5 import load_hdf5
from lamina.data.loaders.image_folder import load_image_folder

__all__ = [
    "load_csv",
    "load_file",
    "load_fits",
    "load_hdf5",
    "load_image_folder",
    "load_numpy",
]

_BY_SUFFIX = {
    ".csv": load_csv,
    ".tsv": load_csv,
    ".txt": load_csv,
    ".npy": load_numpy,
    ".npz": load_numpy,
    ".h5": load_hdf5,
    ".hdf5": load_hdf5,
    ".he5": load_hdf5,
}


def load_file(path: str | Path, **kwargs: Any) -> Dataset:
    """Reads a file with the loader its name suggests (a folder: `load_image_folder`).

    Args:
        path: A ``.csv``/``.tsv``, ``.npy``/``.npz``, ``.h5``/``.hdf5``, FITS file, or a
            folder of class sub-folders.
        **kwargs: Passed to the loader.

    Raises:
        DataError: Missing path or an unknown file type (and the loader's own errors).
    """
    p = Path(path).expanduser()
    if p.is_dir():
        return load_image_folder(p, **kwargs)
    if not p.exists():
        raise DataError(f"file not found: {p}", source=str(p))
    if is_fits_path(p):
        return load_fits(p, **kwargs)
    loader = _BY_SUFFIX.get(p.suffix.lower())
    if loader is None:
        known = ", ".join(sorted({*_BY_SUFFIX, ".fits"}))
        raise DataError(
            f"unknown file type {p.suffix!r}; lamina reads {known} and folders", source=str(p)
        )
    return loader(p, **kwargs)
