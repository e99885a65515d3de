"""Class labels from loaded values: integers 0..K-1 and the names of the classes."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_integral(values: np.ndarray) -> bool:
    """True if `values` are integers, or finite floats without a fractional part."""
    if values.dtype.kind in "iub":
        return True
    if values.dtype.kind != "f":
        return False
    finite = np.isfinite(values)
    return bool(finite.all() and np.all(values == np.round(values)))


def encode_labels(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Maps label values (strings or numbers) to ints 0..K-1; returns (labels, class_names).

    Numbers that already are 0..K-1 keep their value. Other values are sorted and
    numbered in that order.
    """
    values = np.asarray(values)
    if values.dtype.kind == "S":
        values = np.char.decode(values, "utf-8")
    if values.dtype.kind in "US":
        values = np.char.strip(values.astype(str))
    if values.dtype.kind == "O":
        values = values.astype(str)
    uniques, inverse = np.unique(values, return_inverse=True)
    inverse = inverse.reshape(values.shape)
    if uniques.dtype.kind in "iuf":
        names = [_number_name(u) for u in uniques]
        if uniques.dtype.kind in "iu" or is_integral(uniques):
            ints = uniques.astype(np.int64)
            if ints[0] == 0 and ints[-1] == len(ints) - 1:
                return values.astype(np.int64), names
        return inverse.astype(np.int64), names
    return inverse.astype(np.int64), [str(u) for u in uniques]


def _number_name(value: Any) -> str:
    f = float(value)
    return str(int(f)) if f == int(f) else repr(f)
