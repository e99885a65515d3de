"""Loaded arrays -> a validated `Dataset`: the task (given or inferred) and class labels."""

from __future__ import annotations

import numpy as np

from lamina.data.dataset import TASKS, Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.labels import encode_labels, is_integral

#: Integer targets with at most this many distinct values are taken as class labels
#: when the task is "auto".
MAX_AUTO_CLASSES = 20

TASK_CHOICES = ("auto", *TASKS)


def check_task(task: str, source: str) -> str:
    """Returns `task`; raises DataError naming `source` if it is not a task or "auto"."""
    if task not in TASK_CHOICES:
        raise DataError(
            f"unknown task {task!r}; choose one of {', '.join(TASK_CHOICES)}", source=source
        )
    return task


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
