"""Helpers shared by the file loaders: paths, task inference, labels, tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import MISSING_CELLS, TASKS, Dataset, normalize_split
from lamina.data.errors import DataError

#: Integer targets with at most this many distinct values are taken as class labels
#: when the task is "auto".
MAX_AUTO_CLASSES = 20

TASK_CHOICES = ("auto", *TASKS)

#: The name endings of a file's per-part arrays (``x_train``, ``y_val``...), per part.
PART_SUFFIXES = {"train": ("train",), "validation": ("val", "validation"), "test": ("test",)}


def check_file(path: str | Path, what: str = "file") -> Path:
    """Returns `path` as a Path; raises DataError naming it if it is not an existing file."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"{what} not found: {p}", source=str(p))
    if not p.is_file():
        raise DataError(f"expected a {what}, got a folder: {p}", source=str(p))
    return p


def check_dir(path: str | Path) -> Path:
    """Returns `path` as a Path; raises DataError naming it if it is not a folder."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"folder not found: {p}", source=str(p))
    if not p.is_dir():
        raise DataError(f"expected a folder, got a file: {p}", source=str(p))
    return p


def check_task(task: str, source: str) -> str:
    if task not in TASK_CHOICES:
        raise DataError(
            f"unknown task {task!r}; choose one of {', '.join(TASK_CHOICES)}", source=source
        )
    return task


def parse_names(value: str | Sequence[str] | None) -> list[str] | None:
    """Accepts None, a list of names, or a comma-separated string ('' = None)."""
    if value is None:
        return None
    if isinstance(value, str):
        names = [v.strip() for v in value.split(",") if v.strip()]
        return names or None
    return [str(v) for v in value]


def is_integral(values: np.ndarray) -> bool:
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


def infer_task(x: np.ndarray, y: np.ndarray | None) -> str:
    """Guesses the task from the shapes and dtypes of features and targets."""
    if y is None:
        return "reconstruction"
    if y.dtype.kind in "USO":
        return "classification"
    images_like = y.ndim >= 3 and x.ndim >= 3 and y.shape[1:3] == x.shape[1:3]
    if y.dtype.kind in "iub":
        if images_like:
            return "segmentation"
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            return "classification"
        return "regression"
    if images_like:
        return "reconstruction"
    return "regression"


def make_dataset(
    x: np.ndarray,
    y: np.ndarray | None,
    *,
    task: str,
    name: str,
    source: str,
    description: str = "",
    feature_names: list[str] | None = None,
    class_names: list[str] | None = None,
    extras: dict | None = None,
    split: np.ndarray | None = None,
) -> Dataset:
    """Builds and validates a Dataset from loaded arrays (task "auto" is inferred)."""
    if x.dtype.kind not in "biuf":
        raise DataError(
            f"features must be numbers, got dtype {x.dtype} (shape {x.shape})", source=source
        )
    if y is not None and len(y) != len(x):
        raise DataError(
            f"x has {len(x)} samples but y has {len(y)} (shapes {x.shape} and {y.shape})",
            source=source,
        )
    if task == "auto":
        task = infer_task(x, y)
    if y is None and task == "reconstruction":
        y = x
    if y is not None and task == "classification":
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if class_names is None:
            if y.dtype.kind in "USO" or not is_integral(y) or (y.size and y.min() < 0):
                y, class_names = encode_labels(y)
            else:
                y = y.astype(np.int64)
                class_names = [str(i) for i in range(int(y.max()) + 1 if y.size else 0)]
    elif y is not None and y.dtype.kind in "USO":
        raise DataError(
            f"targets are text (dtype {y.dtype}) but the task is {task!r}; use "
            "task='classification' or numeric targets",
            source=source,
        )
    ds = Dataset(
        x=x,
        y=y,
        name=name,
        task=task,
        class_names=class_names,
        feature_names=feature_names,
        description=description,
        source=source,
        extras=extras or {},
        split=split,
    )
    ds.validate()
    return ds


def table_to_dataset(
    columns: dict[str, np.ndarray],
    *,
    target: str | Sequence[str] | None,
    features: str | Sequence[str] | None,
    task: str,
    name: str,
    source: str,
    description: str = "",
    locate_row: Any = None,
    split_column: str | None = None,
) -> Dataset:
    """Builds a Dataset from named columns (CSV, FITS tables).

    Args:
        columns: ``{name: values}``; values are numeric or text arrays.
        target: Target column name(s); None = the last column; "" or [] = no target.
        features: Feature column names; None = every column except the targets.
        task: A task or "auto".
        name: Dataset name.
        source: The file, for messages.
        description: Dataset description.
        locate_row: ``f(row_index) -> str`` describing a row for messages
            (e.g. "line 7"). Defaults to "row i".
        split_column: A column naming each row's part (train, validation, test); it
            is never a feature and cannot be the target. Defaults to None.
    """
    locate = locate_row or (lambda i: f"row {i}")
    available = list(columns)
    if not available:
        raise DataError("the table has no columns", source=source)

    def _check(names: list[str], what: str) -> None:
        for col in names:
            if col not in columns:
                raise DataError(
                    f"{what} column {col!r} not found; available columns: {', '.join(available)}",
                    source=source,
                    column=col,
                )

    split_column = split_column or None
    if split_column is not None:
        _check([split_column], "split")
    data_columns = [c for c in available if c != split_column]
    if target is None:
        targets = [data_columns[-1]] if task != "reconstruction" and data_columns else []
    else:
        targets = parse_names(target) or []
    _check(targets, "target")
    if split_column in targets:
        raise DataError(
            f"column {split_column!r} is the split column; it cannot also be the target",
            source=source,
            column=split_column,
        )
    feature_list = parse_names(features)
    if feature_list is None:
        feature_list = [c for c in data_columns if c not in targets]
    _check(feature_list, "feature")
    if split_column in feature_list:
        raise DataError(
            f"column {split_column!r} is the split column; it cannot also be a feature",
            source=source,
            column=split_column,
        )
    overlap = sorted(set(feature_list) & set(targets))
    if overlap:
        raise DataError(f"column(s) {overlap} are both feature and target", source=source)
    split = None
    if split_column is not None:
        split = normalize_split(
            columns[split_column],
            None,
            source,
            what=f"column {split_column!r}",
            locate=locate,
            column=split_column,
        )
    if not feature_list:
        raise DataError(
            f"no feature columns left (target: {targets}); available columns: "
            f"{', '.join(available)}",
            source=source,
        )
    x_cols = []
    for col in feature_list:
        values = np.asarray(columns[col])
        if values.dtype.kind not in "biuf":
            row, cell = _first_text_cell(values)
            raise DataError(
                f"non-numeric value {cell!r} at {locate(row)}, column {col!r}",
                source=source,
                row=row,
                column=col,
            )
        if values.ndim != 1:
            raise DataError(
                f"column {col!r} holds arrays of shape {values.shape[1:]}; only scalar "
                "columns can be features",
                source=source,
                column=col,
            )
        x_cols.append(values.astype(np.float32))
    x = np.stack(x_cols, axis=1)
    _report_nonfinite(x, feature_list, source, locate)

    y = None
    class_names = None
    if targets:
        target_values = [np.asarray(columns[t]) for t in targets]
        text = any(v.dtype.kind not in "biuf" for v in target_values)
        if task == "auto":
            if len(targets) > 1:
                task = "regression"
            elif text or (
                is_integral(target_values[0])
                and len(np.unique(target_values[0])) <= MAX_AUTO_CLASSES
            ):
                task = "classification"
            else:
                task = "regression"
        if task == "classification":
            if len(targets) != 1:
                raise DataError(
                    f"classification needs one target column, got {targets}", source=source
                )
            values = target_values[0]
            if values.dtype.kind not in "biuf":
                values = np.char.strip(values.astype(str))
                empty = np.flatnonzero(values == "")
                if empty.size:
                    raise DataError(
                        f"missing class label at {locate(int(empty[0]))}, column {targets[0]!r}",
                        source=source,
                        row=int(empty[0]),
                        column=targets[0],
                    )
            else:
                _report_nonfinite(values.astype(np.float64)[:, None], targets, source, locate)
            y, class_names = encode_labels(values)
        else:
            for t, values in zip(targets, target_values, strict=True):
                if values.dtype.kind not in "biuf":
                    row, cell = _first_text_cell(values)
                    raise DataError(
                        f"non-numeric value {cell!r} at {locate(row)}, target column {t!r} "
                        f"(task {task!r}; use task='classification' for class names)",
                        source=source,
                        row=row,
                        column=t,
                    )
            y = np.stack([v.astype(np.float32) for v in target_values], axis=1)
            _report_nonfinite(y, targets, source, locate)
    elif task == "auto":
        task = "reconstruction"
    return make_dataset(
        x,
        y,
        task=task,
        name=name,
        source=source,
        description=description,
        feature_names=feature_list,
        class_names=class_names,
        extras={"target": targets, "split_column": split_column},
        split=split,
    )


def _first_text_cell(values: np.ndarray) -> tuple[int, str]:
    for i, v in enumerate(values):
        text = v.decode() if isinstance(v, bytes) else str(v)
        if text.strip().lower() in MISSING_CELLS:
            continue
        try:
            float(text)
        except ValueError:
            return i, text
    return 0, str(values[0]) if len(values) else ""


def _report_nonfinite(array: np.ndarray, names: list[str], source: str, locate: Any) -> None:
    bad = ~np.isfinite(array)
    if not bad.any():
        return
    rows, cols = np.nonzero(bad)
    places = [
        f"{locate(int(r))} column {names[int(c)]!r} "
        f"({'missing/NaN' if np.isnan(array[r, c]) else 'inf'})"
        for r, c in zip(rows[:5], cols[:5], strict=True)
    ]
    bad_columns = sorted({names[int(c)] for c in cols})
    raise DataError(
        f"{len(rows)} missing/NaN/inf value(s) in {len(np.unique(rows))} row(s), "
        f"column(s) {bad_columns}: {'; '.join(places)}{'; ...' if len(rows) > 5 else ''}",
        source=source,
        row=int(rows[0]),
        column=names[int(cols[0])],
    )


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

    def _gather(names: list[str], what: str) -> list[np.ndarray]:
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

    x_names = [x_name for _, x_name, _ in found]
    xs = _gather(x_names, "features")
    ys: list[np.ndarray] | None = None
    y_names = [y_name for _, _, y_name in found if y_name is not None]
    if want_y:
        ys = _gather(y_names, "targets")
        for x_name, y_name, x, y in zip(x_names, y_names, xs, ys, strict=True):
            if len(x) != len(y):
                raise DataError(
                    f"{x_name!r} has {len(x)} samples but {y_name!r} has {len(y)}",
                    source=source,
                    key=y_name,
                )
    split = np.repeat(np.array([part for part, _, _ in found], dtype="<U10"), [len(x) for x in xs])
    x = np.concatenate(xs)
    y = None if ys is None else np.concatenate(ys)
    return x, y, split, x_names + y_names


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
