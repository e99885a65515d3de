"""Helpers shared by the file loaders: paths, task inference, labels, tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import TASKS, Dataset
from lamina.data.errors import DataError

#: Integer targets with at most this many distinct values are taken as class labels
#: when the task is "auto".
MAX_AUTO_CLASSES = 20

TASK_CHOICES = ("auto", *TASKS)


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

    if target is None:
        targets = [available[-1]] if task != "reconstruction" else []
    else:
        targets = parse_names(target) or []
    _check(targets, "target")
    feature_list = parse_names(features)
    if feature_list is None:
        feature_list = [c for c in available if c not in targets]
    _check(feature_list, "feature")
    overlap = sorted(set(feature_list) & set(targets))
    if overlap:
        raise DataError(f"column(s) {overlap} are both feature and target", source=source)
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
        extras={"target": targets},
    )


def _first_text_cell(values: np.ndarray) -> tuple[int, str]:
    for i, v in enumerate(values):
        text = v.decode() if isinstance(v, bytes) else str(v)
        if text.strip().lower() in ("", "na", "n/a", "nan", "null", "none"):
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
