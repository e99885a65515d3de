"""File sources of the catalogue: thin wrappers over `lamina.data.loaders` with plain params.

The catalogue (and the app's forms) needs plain parameter types, so lists of column
names are comma-separated strings here and "" means "none" or "the default".
"""

from __future__ import annotations

from lamina.data import (
    Dataset,
    load_csv,
    load_fits,
    load_hdf5,
    load_image_folder,
    load_numpy,
)


def _or_none(value: str) -> str | None:
    return value.strip() or None


def csv_file(
    path: str, target: str = "", features: str = "", task: str = "auto", split_column: str = ""
) -> Dataset:
    """A table from a CSV file with a header row (one sample per row).

    Args:
        path: The CSV file.
        target: The target column ("" = the last column). Several columns,
            comma-separated, give multi-output regression.
        features: Comma-separated feature columns ("" = all but the target).
        task: ``"auto"`` guesses from the target column: text or few whole numbers give
            classification, other numbers regression. Defaults to `"auto"`.
        split_column: A column naming each row's part: train, validation (val) or test
            ("" = none; the split is then drawn at random).
    """
    return load_csv(
        path,
        target=_or_none(target),
        features=_or_none(features),
        task=task,
        split_column=_or_none(split_column),
    )


def numpy_file(
    path: str,
    y_path: str = "",
    x_key: str = "x",
    y_key: str = "y",
    task: str = "auto",
    split_key: str = "",
) -> Dataset:
    """Arrays from a .npy file (features; targets from `y_path`) or a .npz file (by key).

    Args:
        path: A ``.npy`` or ``.npz`` file.
        y_path: For a ``.npy`` file, an optional ``.npy`` file with the targets.
        x_key: The features' key in a ``.npz`` file. Defaults to `"x"`.
        y_key: The targets' key in a ``.npz`` file ("" = no targets). Defaults to `"y"`.
        task: The task, or ``"auto"`` to infer it. Defaults to `"auto"`.
        split_key: The ``.npz`` key of an array naming each sample's part: train,
            validation (val) or test ("" = none). A ``.npz`` file with ``x_train``,
            ``x_val``, ``x_test``... arrays (and no `x_key`) is split by those.
    """
    return load_numpy(
        path,
        y_path=_or_none(y_path),
        x_key=x_key,
        y_key=_or_none(y_key),
        task=task,
        split_key=_or_none(split_key),
    )


def hdf5_file(
    path: str, x_key: str = "x", y_key: str = "y", task: str = "auto", split_key: str = ""
) -> Dataset:
    """Arrays from datasets of an HDF5 file, chosen by key (e.g. ``images``, ``train/x``).

    Args:
        path: The ``.h5``/``.hdf5`` file.
        x_key: Key of the features. Defaults to `"x"`.
        y_key: Key of the targets ("" = no targets). Defaults to `"y"`.
        task: The task, or ``"auto"`` to infer it. Defaults to `"auto"`.
        split_key: Key of a dataset naming each sample's part: train, validation (val)
            or test ("" = none). A file with ``x_train``, ``x_val``, ``x_test``...
            datasets (and no `x_key`) is split by those.
    """
    return load_hdf5(
        path, x_key=x_key, y_key=_or_none(y_key), task=task, split_key=_or_none(split_key)
    )


def fits_file(
    path: str,
    hdu: str = "",
    kind: str = "auto",
    target: str = "",
    features: str = "",
    task: str = "auto",
    split_column: str = "",
) -> Dataset:
    """Images (a cube) or a table from a FITS file (needs ``pip install lamina[fits]``).

    Args:
        path: The FITS file.
        hdu: The HDU, by index or name ("" = the first with data).
        kind: ``"image"``, ``"table"`` or ``"auto"``. Defaults to `"auto"`.
        target: Table: the target column ("" = the last column). Images: a column
            of a table HDU with one label per image ("" = no labels).
        features: Table: comma-separated feature columns ("" = all but the target).
        task: The task, or ``"auto"``. Defaults to `"auto"`.
        split_column: Table: a column naming each row's part: train, validation (val)
            or test ("" = none).
    """
    return load_fits(
        path,
        hdu=_or_none(hdu),
        kind=kind,
        target=_or_none(target),
        features=_or_none(features),
        task=task,
        split_column=_or_none(split_column),
    )


def image_folder(path: str, size: int = 0, color: str = "auto") -> Dataset:
    """Images (PNG, JPEG, FITS, ...) in one sub-folder per class; the folders name the classes.

    Args:
        path: The folder holding the class sub-folders (or train/, validation/ and
            test/ folders, each holding the class sub-folders).
        size: Resize every image to size x size pixels (0 = keep; then all images
            must have the same size). Defaults to `0`.
        color: ``"grayscale"``, ``"rgb"`` or ``"auto"``. Defaults to `"auto"`.
    """
    return load_image_folder(path, size=size or None, color=color)
