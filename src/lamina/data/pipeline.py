"""tf.data input pipelines: shuffling, batching, augmentation on the fly, prefetch.

TensorFlow is imported inside the function, so importing this module is cheap.

A pipeline without augmentation only slices arrays held in memory: there is nothing for
tf.data's autotuner to tune, and on a small CPU machine its background thread costs
time and makes epochs irregular (on 2 cores, epochs of 140 ms took 175 or 300 ms at
random). Such pipelines switch autotuning off and prefetch a fixed two batches.
Augmentation maps keep ``AUTOTUNE``, where tuning their parallelism pays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.data.augment import Augmentation, augment_batch
from lamina.data.dataset import Dataset
from lamina.data.errors import DataError

PREFETCH_BATCHES = 2
"""Batches prepared ahead by a pipeline without augmentation."""


def make_tf_dataset(
    x: np.ndarray | Dataset,
    y: np.ndarray | None = None,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int = 0,
    augmentation: Augmentation | dict[str, Any] | None = None,
    repeat: bool = False,
) -> Any:
    """Builds a batched, prefetched ``tf.data.Dataset`` from arrays held in memory.

    Args:
        x: Features ``(n, ...)``, or a `Dataset` (its ``x`` and ``y`` are used).
        y: Targets ``(n, ...)``, or None for a dataset of inputs only.
        batch_size: Samples per batch (the last batch may be smaller). Defaults to `32`.
        shuffle: Shuffle all samples, in a new order every epoch. Defaults to `True`.
        seed: Seed of the shuffle and of the augmentation. Defaults to `0`.
        augmentation: Random image transformations applied to each batch on the fly
            (new ones every epoch). Only applied when `x` holds images
            ``(n, h, w, c)``; ignored otherwise. Defaults to None.
        repeat: Repeat forever (then pass ``steps_per_epoch`` to ``fit``).
            Defaults to `False`.

    Returns:
        A ``tf.data.Dataset`` yielding ``(x_batch, y_batch)`` or ``x_batch``.

    Example:
        >>> ds = make_tf_dataset(x_train, y_train, batch_size=64,
        ...                      augmentation=Augmentation(flip_horizontal=True))
        >>> model.fit(ds, epochs=5)
    """
    source = "arrays"
    if isinstance(x, Dataset):
        source = x.source
        if y is None:
            y = x.y
        x = x.x
    if isinstance(x, (list, tuple)):  # several model inputs (e.g. node features + adjacency)
        parts = tuple(_as_float32(np.asarray(p)) for p in x)
        if any(len(p) != len(parts[0]) for p in parts):
            raise DataError(
                f"the model inputs have different sample counts {[len(p) for p in parts]}",
                source=source,
            )
        return _batched(parts, y, batch_size, shuffle, seed, repeat, len(parts[0]), source)
    x = _as_float32(np.asarray(x))
    if y is not None:
        y = np.asarray(y)
        if y.dtype == np.float64:
            y = y.astype(np.float32)
        if len(y) != len(x):
            raise DataError(f"x has {len(x)} samples but y has {len(y)}", source=source)
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or batch_size < 1
    ):
        raise ValueError(
            f"`batch_size` must be a positive int. Received: batch_size={batch_size!r}"
        )
    aug = Augmentation.coerce(augmentation)
    if aug is not None and x.ndim != 4:
        aug = None

    from lamina.keras import tf

    data = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    if shuffle:
        data = data.shuffle(buffer_size=max(len(x), 1), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        data = data.repeat()
    data = data.batch(int(batch_size))
    if aug is not None:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        data = tf.data.Dataset.zip((data, seeds))
        if y is None:

            def _augment_x(xb: Any, s: Any) -> Any:
                return augment_batch(xb, None, aug, s)[0]

            data = data.map(_augment_x, num_parallel_calls=tf.data.AUTOTUNE)
        else:

            def _augment_xy(batch: Any, s: Any) -> Any:
                return augment_batch(batch[0], batch[1], aug, s)

            data = data.map(_augment_xy, num_parallel_calls=tf.data.AUTOTUNE)
        return data.prefetch(tf.data.AUTOTUNE)
    return _without_autotune(data.prefetch(PREFETCH_BATCHES))


def _without_autotune(data: Any) -> Any:
    """Switches tf.data's autotuner off for a pipeline that has nothing to tune."""
    from lamina.keras import tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return data.with_options(options)


def _as_float32(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) if x.dtype.kind == "f" and x.dtype != np.float32 else x


def _batched(
    x: Any, y: Any, batch_size: int, shuffle: bool, seed: int, repeat: bool, n: int, source: str
) -> Any:
    """Batches several inputs without augmentation."""
    from lamina.keras import tf

    if y is not None:
        y = _as_float32(np.asarray(y))
        if len(y) != n:
            raise DataError(f"x has {n} samples but y has {len(y)}", source=source)
    data = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    if shuffle:
        data = data.shuffle(buffer_size=max(n, 1), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        data = data.repeat()
    return _without_autotune(data.batch(int(batch_size)).prefetch(PREFETCH_BATCHES))
