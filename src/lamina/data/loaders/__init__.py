"""File loaders: each reads a local file (or folder) into a `lamina.data.Dataset`.

Loaders never write to disk and never download. A problem with the file raises
`lamina.data.DataError` naming the file and, where relevant, the row, column or key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.arrays import load_numpy
from lamina.data.loaders.csv import load_csv
from lamina.data.loaders.fits import load_fits
from lamina.data.loaders.formats import FORMATS, file_patterns, format_of
from lamina.data.loaders.hdf5 import load_hdf5
from lamina.data.loaders.image_folder import load_image_folder

__all__ = [
    "FORMATS",
    "file_patterns",
    "format_of",
    "load_csv",
    "load_file",
    "load_fits",
    "load_hdf5",
    "load_image_folder",
    "load_numpy",
]

#: format (a value of `FORMATS`) -> its loader
_LOADERS: dict[str, Callable[..., Dataset]] = {
    "csv": load_csv,
    "numpy": load_numpy,
    "hdf5": load_hdf5,
    "fits": load_fits,
}


def load_file(path: str | Path, **kwargs: Any) -> Dataset:
    """Reads a file with the loader its name suggests (a folder: `load_image_folder`).

    Args:
        path: A ``.csv``/``.tsv``, ``.npy``/``.npz``, ``.h5``/``.hdf5``, FITS file, or a
            folder of class sub-folders (every suffix: `FORMATS`).
        **kwargs: Passed to the loader.

    Raises:
        DataError: Missing path or an unknown file type (and the loader's own errors).
    """
    p = Path(path).expanduser()
    if p.is_dir():
        return load_image_folder(p, **kwargs)
    if not p.exists():
        raise DataError(f"file not found: {p}", source=str(p))
    fmt = format_of(p)
    if fmt is None:
        raise DataError(
            f"unknown file type {p.suffix!r}; lamina reads {_known()} and folders", source=str(p)
        )
    return _LOADERS[fmt](p, **kwargs)


def _known() -> str:
    """The suffixes an unknown-type message lists (FITS files once, as ``.fits``)."""
    return ", ".join(sorted({*(s for s, f in FORMATS.items() if f != "fits"), ".fits"}))
