"""Tables of named columns (CSV, FITS tables) -> a `Dataset`: choosing and parsing columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lamina.data.dataset import MISSING_CELLS, Dataset, normalize_split
from lamina.data.errors import DataError
from lamina.data.loaders.labels import encode_labels, is_integral
from lamina.data.loaders.to_dataset import MAX_AUTO_CLASSES, make_dataset

#: ``locate(row_index) -> str``: where a row is, for messages (e.g. "line 7").
Locate = Callable[[int], str]


def parse_names(value: str | Sequence[str] | None) -> list[str] | None:
    """Accepts None, a list of names, or a comma-separated string ('' = None)."""
    if value is None:
        return None
    if isinstance(value, str):
        names = [v.strip() for v in value.split(",") if v.strip()]
        return names or None
    return [str(v) for v in value]


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
    locate: Locate = locate_row or (lambda i: f"row {i}")
    if not columns:
        raise DataError("the table has no columns", source=source)
    split_column = split_column or None
    targets, feature_list = _choose_columns(columns, target, features, task, source, split_column)
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
            f"no feature columns left (target: {targets}); available columns: {', '.join(columns)}",
            source=source,
        )
    x = _feature_matrix(columns, feature_list, source, locate)
    y = None
    class_names = None
    if targets:
        task, y, class_names = _targets(columns, targets, task, source, locate)
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


def _choose_columns(
    columns: dict[str, np.ndarray],
    target: str | Sequence[str] | None,
    features: str | Sequence[str] | None,
    task: str,
    source: str,
    split_column: str | None,
) -> tuple[list[str], list[str]]:
    """Returns (target columns, feature columns); the split column is neither."""
    available = list(columns)

    def _check(names: list[str], what: str) -> None:
        for col in names:
            if col not in columns:
                raise DataError(
                    f"{what} column {col!r} not found; available columns: {', '.join(available)}",
                    source=source,
                    column=col,
                )

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
    return targets, feature_list


def _feature_matrix(
    columns: dict[str, np.ndarray], names: list[str], source: str, locate: Locate
) -> np.ndarray:
    """The feature columns as one float32 array ``(rows, features)``; numbers only, finite."""
    x_cols = []
    for col in names:
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
    _report_nonfinite(x, names, source, locate)
    return x


def _targets(
    columns: dict[str, np.ndarray], targets: list[str], task: str, source: str, locate: Locate
) -> tuple[str, np.ndarray, list[str] | None]:
    """Returns (task, y, class_names) from the target columns (task "auto" is decided here)."""
    target_values = [np.asarray(columns[t]) for t in targets]
    text = any(v.dtype.kind not in "biuf" for v in target_values)
    if task == "auto":
        if len(targets) > 1:
            task = "regression"
        elif text or (
            is_integral(target_values[0]) and len(np.unique(target_values[0])) <= MAX_AUTO_CLASSES
        ):
            task = "classification"
        else:
            task = "regression"
    if task == "classification":
        if len(targets) != 1:
            raise DataError(f"classification needs one target column, got {targets}", source=source)
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
        return task, y, class_names
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
    return task, y, None


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


def _report_nonfinite(array: np.ndarray, names: list[str], source: str, locate: Locate) -> None:
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
