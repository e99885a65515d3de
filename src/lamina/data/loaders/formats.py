"""The one table of data-file formats: which name endings lamina reads, with which loader.

The app's file dialog and `load_file` read this table, so they agree on every suffix.

Example:
    >>> from lamina.data.loaders import FORMATS, format_of
    >>> FORMATS[".npz"], format_of("cube.fits.gz")
    ('numpy', 'fits')
"""

from __future__ import annotations

from pathlib import Path

#: File name ending (lower case) -> format, named as the catalogue's file source
#: (``lamina.load_data({"type": "csv", ...})``): ``"csv"``, ``"numpy"``, ``"hdf5"``
#: or ``"fits"``. A folder of class sub-folders is the ``"image_folder"`` source.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".npy": "numpy",
    ".npz": "numpy",
    ".h5": "hdf5",
    ".hdf5": "hdf5",
    ".he5": "hdf5",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
    ".fits.gz": "fits",
    ".fit.gz": "fits",
    ".fts.gz": "fits",
}

#: The endings of FITS files (compressed ones included).
FITS_SUFFIXES = tuple(suffix for suffix, name in FORMATS.items() if name == "fits")


def format_of(path: str | Path) -> str | None:
    """Returns the format `path`'s name ends in (see `FORMATS`), or None if unknown."""
    text = str(path).lower()
    if text.endswith(FITS_SUFFIXES):
        return "fits"
    return FORMATS.get(Path(text).suffix)


def file_patterns() -> str:
    """The glob patterns of every known data file, e.g. for a file dialog's filter.

    Example:
        >>> f"Data files ({file_patterns()});;All (*)"  # a Qt file dialog's filter
    """
    return " ".join(f"*{suffix}" for suffix in FORMATS)
