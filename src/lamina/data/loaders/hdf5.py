"""HDF5 files (h5py): features and targets are datasets inside the file, chosen by key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.loaders._common import check_file, check_task, make_dataset


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
) -> Dataset:
    """Reads features and targets from datasets of an HDF5 file.

    Args:
        path: The ``.h5``/``.hdf5`` file.
        x_key: Path of the features dataset inside the file (e.g. ``"images"`` or
            ``"train/x"``). Defaults to `"x"`.
        y_key: Path of the targets dataset; None or "" = no targets. Defaults to `"y"`.
        task: The task, or ``"auto"`` to infer it from the targets. Defaults to `"auto"`.
        name: Dataset name. Defaults to the file's stem.

    Raises:
        DataError: Missing file, not an HDF5 file, missing key (lists the dataset keys
            in the file), mismatched lengths, NaN/inf.
    """
    import h5py

    p = check_file(path, "HDF5 file")
    source = str(p)
    check_task(task, source)
    try:
        handle = h5py.File(p, "r")
    except OSError as exc:
        raise DataError(f"not a readable HDF5 file ({exc})", source=source) from exc
    with handle:
        x = _read(handle, x_key, "features", source)
        y = _read(handle, y_key, "targets", source) if y_key else None
    return make_dataset(
        x,
        y,
        task=task,
        name=name or p.stem,
        source=source,
        description=f"Arrays read from {p.name}: {x_key} {tuple(x.shape)}"
        + ("" if y is None else f", {y_key} {tuple(y.shape)}"),
        extras={"x_key": x_key, "y_key": y_key},
    )
