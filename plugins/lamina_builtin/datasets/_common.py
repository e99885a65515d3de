"""Helpers shared by the built-in dataset generators."""

from __future__ import annotations

import numpy as np


def check_positive(name: str, value: int, minimum: int = 1) -> int:
    """Returns `value` as an int, or raises ValueError in the Keras style."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}. Received: {name}={value!r}")
    return int(value)


def check_non_negative(name: str, value: float) -> float:
    """Returns `value` as a float, or raises ValueError if it is negative or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) or value < 0:
        raise ValueError(f"`{name}` must be a number >= 0. Received: {name}={value!r}")
    return float(value)


def balanced_labels(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Returns `n` labels in 0..k-1, as equal in number as possible, in random order."""
    labels = np.arange(n, dtype=np.int64) % k
    rng.shuffle(labels)
    return labels
