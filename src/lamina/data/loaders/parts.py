"""Data a file stores in parts: ``x_train``/``y_train``, ``x_val``/``y_val``, ``x_test``...

The Keras convention for arrays split before they were saved; the parts become one
`Dataset` whose `Dataset.split` names each sample's part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from lamina.data.errors import DataError

#: The name endings of a file's per-part arrays (``x_train``, ``y_val``...), per part.
PART_SUFFIXES = {"train": ("train",), "validation": ("val", "validation"), "test": ("test",)}


def read_part_arrays(
    keys: Sequence[str],
    read: Callable[[str, str], np.ndarray],
    *,
    want_y: bool,
    source: str,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, list[str]]:
    """Reads data stored in parts: ``x_train``/``y_train``, ``x_val``/``y_val``, ``x_test``...

    The validation part may also be named ``x_validation``/``y_validation``; only the
    training part is required. The parts are concatenated in the order train,
    validation, test.

    Args:
        keys: The names of the arrays in the file.
        read: ``read(key, what) -> array`` reading one array (``what`` is "features"
            or "targets", for messages).
        want_y: Read the ``y_...`` arrays too.
        source: The file, for messages.

    Returns:
        ``(x, y, split, used_keys)``; y is None unless `want_y`.

    Raises:
        DataError: A part with features but no targets (or the reverse), two names for
            one part, or parts whose samples differ in shape (names the keys and shapes).
    """
    found = _find_parts(keys, want_y, source)
    x_names = [x_name for _, x_name, _ in found]
    xs = _read_parts(x_names, "features", read, source)
    ys: list[np.ndarray] | None = None
    y_names = [y_name for _, _, y_name in found if y_name is not None]
    if want_y:
        ys = _read_parts(y_names, "targets", read, source)
        for x_name, y_name, x_part, y_part in zip(x_names, y_names, xs, ys, strict=True):
            if len(x_part) != len(y_part):
                raise DataError(
                    f"{x_name!r} has {len(x_part)} samples but {y_name!r} has {len(y_part)}",
                    source=source,
                    key=y_name,
                )
    sizes = [len(x_part) for x_part in xs]
    split = np.repeat(np.array([part for part, _, _ in found], dtype="<U10"), sizes)
    x = np.concatenate(xs)
    y = None if ys is None else np.concatenate(ys)
    return x, y, split, x_names + y_names


def _find_parts(
    keys: Sequence[str], want_y: bool, source: str
) -> list[tuple[str, str, str | None]]:
    """Returns ``(part, x_key, y_key or None)`` for each part the keys hold, in part order."""
    available = ", ".join(keys) or "(none)"
    found: list[tuple[str, str, str | None]] = []
    for part, suffixes in PART_SUFFIXES.items():
        x_names = [f"x_{s}" for s in suffixes if f"x_{s}" in keys]
        y_names = [f"y_{s}" for s in suffixes if f"y_{s}" in keys]
        for names in (x_names, y_names):
            if len(names) > 1:
                raise DataError(
                    f"both {names[0]!r} and {names[1]!r} found; keep one name for the {part} part",
                    source=source,
                    key=names[1],
                )
        if not x_names:
            if want_y and y_names:
                raise DataError(
                    f"targets {y_names[0]!r} found but no features 'x_{y_names[0][2:]}'; "
                    f"available keys: {available}",
                    source=source,
                    key=y_names[0],
                )
            continue
        y_name = None
        if want_y:
            y_name = f"y_{x_names[0][2:]}"
            if y_name not in keys:
                raise DataError(
                    f"targets key {y_name!r} not found for {x_names[0]!r}; available keys: "
                    f"{available} (pass y_key='' for no targets)",
                    source=source,
                    key=y_name,
                )
        found.append((part, x_names[0], y_name))
    return found


def _read_parts(
    names: list[str], what: str, read: Callable[[str, str], np.ndarray], source: str
) -> list[np.ndarray]:
    """Reads the arrays `names`; their samples must agree in shape and in kind (text/number)."""
    arrays = []
    for name in names:
        array = np.asarray(read(name, what))
        if array.ndim == 0:
            raise DataError(
                f"{what} {name!r} is a single number, not an array", source=source, key=name
            )
        arrays.append(array)
    first, first_name = arrays[0], names[0]
    for array, name in zip(arrays[1:], names[1:], strict=True):
        if array.shape[1:] != first.shape[1:]:
            raise DataError(
                f"one sample of {name!r} has shape {array.shape[1:]} but one of "
                f"{first_name!r} has {first.shape[1:]} (shapes {array.shape} and "
                f"{first.shape}); all parts must agree",
                source=source,
                key=name,
            )
        if (array.dtype.kind in "USO") != (first.dtype.kind in "USO"):
            raise DataError(
                f"{name!r} holds {array.dtype} but {first_name!r} holds {first.dtype}; "
                "all parts must hold texts or all numbers",
                source=source,
                key=name,
            )
    return arrays
