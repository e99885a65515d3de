"""Files of named arrays (.npz, HDF5): features, targets and each sample's part by key."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from lamina.data.dataset import normalize_split
from lamina.data.errors import DataError
from lamina.data.loaders.parts import read_part_arrays


def read_named_arrays(
    keys: Sequence[str],
    has: Callable[[str], bool],
    read: Callable[[str, str], np.ndarray],
    *,
    x_key: str,
    y_key: str | None,
    split_key: str | None,
    source: str,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, list[str] | None]:
    """Reads features, targets and the split from a file of named arrays (.npz, HDF5).

    A file without `x_key` but with ``x_train`` is read in parts (`read_part_arrays`);
    otherwise `x_key`, `y_key` and, if given, `split_key` are read.

    Args:
        keys: The names of the arrays at the file's top level.
        has: ``has(key)`` tells whether the file holds `key` (HDF5 keys may be paths).
        read: ``read(key, what) -> array``; raises a DataError naming a missing key.
        x_key: The features' key.
        y_key: The targets' key, or None/"" for no targets.
        split_key: The key of the per-sample part names, or None/"".
        source: The file, for messages.

    Returns:
        ``(x, y, split, part_keys)``: `part_keys` lists the ``x_train``... keys read,
        None when `x_key` was read.
    """
    if not has(x_key) and "x_train" in keys:
        if split_key:
            raise DataError(
                f"split_key {split_key!r} given, but the file holds x_train... arrays, "
                "which name the parts already; pass split_key=None",
                source=source,
                key=split_key,
            )
        return read_part_arrays(keys, read, want_y=bool(y_key), source=source)
    x = read(x_key, "features")
    if x.ndim == 0:
        raise DataError(f"the features are a single number, not an array {x!r}", source=source)
    y = read(y_key, "targets") if y_key else None
    split = None
    if split_key:
        what = f"split key {split_key!r}"
        split = normalize_split(read(split_key, "split"), len(x), source, what=what, key=split_key)
    return x, y, split, None
