"""NumPy files: ``.npy`` (one array) and ``.npz`` (named arrays). Pickles are never loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.named_arrays import read_named_arrays
from lamina.data.loaders.paths import check_file
from lamina.data.loaders.to_dataset import check_task, make_dataset


def _load_npy(p: Path) -> np.ndarray:
    try:
        return np.load(p, allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise DataError(
                "the array holds Python objects (a pickle); lamina never loads pickles "
                "because they can run code. Save plain numeric arrays instead.",
                source=str(p),
            ) from exc
        raise DataError(f"not a readable .npy file ({exc})", source=str(p)) from exc
    except OSError as exc:
        raise DataError(f"not a readable .npy file ({exc})", source=str(p)) from exc


def _npz_get(archive: np.lib.npyio.NpzFile, key: str, what: str, source: str) -> np.ndarray:
    if key not in archive.files:
        raise DataError(
            f"{what} key {key!r} not found; available keys: {', '.join(archive.files) or '(none)'}",
            source=source,
            key=key,
        )
    try:
        return archive[key]
    except ValueError as exc:
        raise DataError(
            f"array {key!r} holds Python objects (a pickle); lamina never loads pickles",
            source=source,
            key=key,
        ) from exc


def load_numpy(
    path: str | Path,
    y_path: str | Path | None = None,
    x_key: str = "x",
    y_key: str | None = "y",
    task: str = "auto",
    name: str | None = None,
    split_key: str | None = None,
) -> Dataset:
    """Reads features (and targets) from ``.npy`` or ``.npz`` files.

    A ``.npz`` file without `x_key` but with ``x_train`` (and ``y_train``), optional
    ``x_val``/``y_val`` (or ``x_validation``/``y_validation``) and ``x_test``/``y_test``
    (the Keras convention) is read as one dataset whose `Dataset.split` names those
    parts, in the order train, validation, test; `split_dataset` keeps them.

    Args:
        path: A ``.npy`` file holding the features, or a ``.npz`` file holding
            features and targets under `x_key` and `y_key`.
        y_path: For ``.npy`` features: an optional ``.npy`` file with the targets.
            Defaults to None.
        x_key: The features' key in a ``.npz`` file. Defaults to `"x"`.
        y_key: The targets' key in a ``.npz`` file; None or "" = no targets.
            Defaults to `"y"`.
        task: The task, or ``"auto"`` to infer it from the targets' shape and dtype
            (ints: classification or segmentation; floats: regression; no targets:
            reconstruction). Defaults to `"auto"`.
        name: Dataset name. Defaults to the file's stem.
        split_key: The ``.npz`` key of each sample's part (train/val/test). Defaults to `None`.

    Raises:
        DataError: Missing file, missing key (lists the available keys), pickled
            objects, mismatched lengths, parts whose samples differ in shape, unknown
            part names, NaN/inf.
    """
    p = check_file(path, "NumPy file")
    source = str(p)
    check_task(task, source)
    split: np.ndarray | None = None
    part_keys: list[str] | None = None
    if p.suffix.lower() == ".npz":
        try:
            archive = np.load(p, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(f"not a readable .npz file ({exc})", source=source) from exc
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DataError("expected a .npz archive but found a single array", source=source)
        with archive:
            files = list(archive.files)
            x, y, split, part_keys = read_named_arrays(
                files,
                lambda key: key in files,
                lambda key, what: _npz_get(archive, key, what, source),
                x_key=x_key,
                y_key=y_key,
                split_key=split_key,
                source=source,
            )
        source_y = source
    else:
        if split_key:
            raise DataError(
                f"split_key {split_key!r} needs a .npz archive; a .npy file holds one array",
                source=source,
                key=split_key,
            )
        x = _load_npy(p)
        y = None
        source_y = source
        if y_path:
            py = check_file(y_path, "NumPy targets file")
            y = _load_npy(py)
            source_y = f"{source} + {py}"
    if x.ndim == 0:
        raise DataError(f"the features are a single number, not an array {x!r}", source=source)
    description = f"Arrays read from {p.name}: x {tuple(x.shape)}" + (
        "" if y is None else f", y {tuple(y.shape)}"
    )
    if split is not None:
        description += f", split by {', '.join(part_keys) if part_keys else split_key}"
    return make_dataset(
        x,
        y,
        task=task,
        name=name or p.stem,
        source=source_y,
        description=description,
        split=split,
    )
