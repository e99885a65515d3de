"""Argument helpers shared by lamina's custom layers (private)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def normalize_tuple(value: Any, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """Turns an int or a sequence of `n` ints into a tuple of `n` positive ints.

    Args:
        value: An int, or a list/tuple of `n` ints.
        n: The expected length.
        name: The argument name used in the error message.
        allow_zero: Whether 0 is a valid value. Defaults to `False`.

    Raises:
        ValueError: If `value` is not an int or a sequence of `n` ints, or if a value
            is not positive.
    """
    if isinstance(value, bool):
        raise ValueError(f"`{name}` must be an int or a list of {n} ints. Received: {name}={value}")
    if isinstance(value, int):
        values: tuple[Any, ...] = (value,) * n
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == n:
        values = tuple(value)
    else:
        raise ValueError(
            f"`{name}` must be an int or a list of {n} ints. Received: {name}={value!r}"
        )
    low = 0 if allow_zero else 1
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            kind = "non-negative" if allow_zero else "positive"
            raise ValueError(f"`{name}` must contain only {kind} ints. Received: {name}={value!r}")
    return values


def check_positive_int(value: Any, name: str) -> int:
    """Returns `value` if it is a positive int, else raises a `ValueError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return value


def check_rate(value: Any, name: str) -> float:
    """Returns `value` as a float if it is in [0, 1), else raises a `ValueError`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"`{name}` must be a float in [0, 1). Received: {name}={value!r}")
    return float(value)


def normalize_padding(value: Any) -> str:
    """Returns `"valid"` or `"same"` (lower case), else raises a `ValueError`."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ("valid", "same"):
        raise ValueError(f'`padding` must be "valid" or "same". Received: padding={value!r}')
    return padding


def conv_output_length(length: int | None, window: int, padding: str, stride: int) -> int | None:
    """Length of one spatial axis after a pooling/convolution window.

    Args:
        length: The input length, or `None` if unknown.
        window: The window size.
        padding: `"valid"` or `"same"`.
        stride: The stride.
    """
    if length is None:
        return None
    if padding == "same":
        return -(-length // stride)
    return max(0, (length - window) // stride + 1)
