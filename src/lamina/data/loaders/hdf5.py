"""HDF5 files (h5py): features and targets are datasets inside the file, chosen by key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.named_arrays import read_named_arrays
from lamina.data.loaders.paths import check_file
from lamina.data.loaders.to_dataset import check_task, make_dataset


def _dataset_keys(handle: Any) -> list[str]:
    import h5py

    keys: list[str] = []

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset):
            keys.append(name)

    handle.visititems(visit)
    return keys


def _read(handle: Any, key: str, what: str, source: str) -> np.ndarray:
    import h5py

    obj = handle.get(key)
    if not isinstance(obj, h5py.Dataset):
        keys = _dataset_keys(handle)
        kind = "is a group, not a dataset" if obj is not None else "not found"
        raise DataError(
            f"{what} key {key!r} {kind}; available dataset keys: {', '.join(keys) or '(none)'}",
            source=source,
            key=key,
        )
    data = obj[()]
    data = np.asarray(data)
    if data.dtype.kind == "O":
        try:
            data = np.array([v.decode() if isinstance(v, bytes) else str(v) for v in data.ravel()])
        except Exception as exc:  # noqa: BLE001
            raise DataError(
                f"cannot read {what} key {key!r}: {exc}", source=source, key=key
            ) from exc
    elif data.dtype.kind == "S":
        data = np.char.decode(data, "utf-8")
    return data


def load_hdf5(
    path: str | Path,
    x_key: str = "x",
    y_key: str | None = "y",
    task: str = "auto",
    name: str | None = None,
    split_key: str | None = None,
) -> Dataset:
    """Reads features and targets from datasets of an HDF5 file.

    A file without `x_key` but with the datasets ``x_train`` (and ``y_train``),
    optional ``x_val``/``y_val`` (or ``x_validation``/``y_validation``) and
    ``x_test``/``y_test`` at its root (the Keras convention) is read as one dataset
    whose `Dataset.split` names those parts, in the order train, validation, test;
    `split_dataset` keeps them.

    Args:
        path: The ``.h5``/``.hdf5`` file.
        x_key: Path of the features dataset inside the file (e.g. ``"images"`` or
            ``"train/x"``). Defaults to `"x"`.
        y_key: Path of the targets dataset; None or "" = no targets. Defaults to `"y"`.
        task: The task, or ``"auto"`` to infer it from the targets. Defaults to `"auto"`.
        name: Dataset name. Defaults to the file's stem.
        split_key: The dataset of each sample's part (train/val/test). Defaults to `None`.

    Raises:
        DataError: Missing file, not an HDF5 file, missing key (lists the dataset keys
            in the file), mismatched lengths, parts whose samples differ in shape,
            unknown part names, NaN/inf.
    """
    import h5py

    p = check_file(path, "HDF5 file")
    source = str(p)
    check_task(task, source)
    try:
        handle = h5py.File(p, "r")
    except OSError as exc:
        raise DataError(f"not a readable HDF5 file ({exc})", source=source) from exc
    split: np.ndarray | None = None
    with handle:
        root_keys = [k for k in handle if isinstance(handle[k], h5py.Dataset)]
        x, y, split, part_keys = read_named_arrays(
            root_keys,
            lambda key: handle.get(key) is not None,
            lambda key, what: _read(handle, key, what, source),
            x_key=x_key,
            y_key=y_key,
            split_key=split_key,
            source=source,
        )
    if part_keys:
        x_key = ",".join(k for k in part_keys if k.startswith("x_"))
        y_key = ",".join(k for k in part_keys if k.startswith("y_")) or None
    return make_dataset(
        x,
        y,
        task=task,
        name=name or p.stem,
        source=source,
        description=f"Arrays read from {p.name}: {x_key} {tuple(x.shape)}"
        + ("" if y is None else f", {y_key} {tuple(y.shape)}"),
        extras={"x_key": x_key, "y_key": y_key, "split_key": split_key},
        split=split,
    )
