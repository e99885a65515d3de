"""Targets as the loss wants them: one-hot class vectors and class weights.

Used by `train` (fitting) and `lamina.inference.evaluate` (test metrics), so a model
is scored on targets shaped exactly as it was trained on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.data.errors import DataError
from lamina.spec import ModelSpec

#: Losses that want one-hot class vectors (names lower case, without underscores).
ONE_HOT_LOSSES = ("categoricalcrossentropy", "categoricalfocalcrossentropy", "categoricalhinge")


def uses_one_hot(spec: ModelSpec) -> bool:
    """True if the spec's loss wants one-hot class targets (categorical cross-entropy)."""
    loss = spec.compile.loss
    if loss is None:
        return False
    return loss.type.lower().replace("_", "") in ONE_HOT_LOSSES


def one_hot_targets(
    spec: ModelSpec | None, y: np.ndarray | None, n_out: int | None
) -> np.ndarray | None:
    """Returns `y` as one-hot float32 vectors of length `n_out` if the spec's loss wants them.

    Class labels ``(n,)`` become ``(n, n_out)``; anything else (no spec, a loss that
    takes labels, targets that are not 1-D, an unknown output size) is returned as is.

    Example:
        >>> one_hot_targets(spec, np.array([0, 2]), 3)  # categorical cross-entropy
        array([[1., 0., 0.], [0., 0., 1.]], dtype=float32)
    """
    if y is None or spec is None or not uses_one_hot(spec) or y.ndim != 1 or not n_out:
        return y
    return np.eye(n_out, dtype=np.float32)[y.astype(np.int64)]


def class_weights(
    setting: Any, y: np.ndarray | None, n_classes: int | None
) -> dict[int, float] | None:
    """Returns Keras's ``class_weight`` from the spec's setting, or None.

    Args:
        setting: ``"balanced"`` (``n / (k * count)`` per class), a mapping
            ``{class index: weight}``, or None.
        y: The training labels ``(n,)``, or one-hot rows ``(n, k)`` (their classes count).
        n_classes: The number of classes (at least the largest label + 1 is used).

    Raises:
        DataError: If the mapping's keys are not class indices, or the targets are
            neither labels nor one-hot rows (nothing to weigh).
    """
    if setting is None or y is None:
        return None
    if y.ndim == 2 and _is_one_hot(y):
        y = y.argmax(axis=1)
    if y.ndim != 1:
        raise DataError(
            f"class weights need class labels or one-hot rows; these targets have shape "
            f"{tuple(y.shape)}: remove training.class_weight, or give one label per sample",
            source="training.class_weight",
        )
    if setting == "balanced":
        k = max(int(n_classes or 0), int(y.max()) + 1)
        counts = np.bincount(y.astype(np.int64), minlength=k).astype(np.float64)
        counts[counts == 0] = 1.0
        return {i: float(len(y) / (k * c)) for i, c in enumerate(counts)}
    try:
        return {int(k): float(v) for k, v in dict(setting).items()}
    except (TypeError, ValueError):
        raise DataError(f"class_weight keys must be class indices, got {setting!r}") from None


def _is_one_hot(y: np.ndarray) -> bool:
    """True for rows with a single 1 and 0 elsewhere."""
    return bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all())


def model_output_size(model: Any) -> int | None:
    """Returns the last dimension of the model's (first) output, or None if unknown."""
    try:
        shape = model.output_shape
    except (AttributeError, RuntimeError):
        return None
    if isinstance(shape, list):
        shape = shape[0]
    if not shape or shape[-1] is None:
        return None
    return int(shape[-1])
