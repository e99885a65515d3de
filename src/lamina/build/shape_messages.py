"""Plain words for shape errors Keras reports in its own terms.

A kernel larger than its input makes Keras say "One of the dimensions in the output is
<= 0 due to downsampling in conv2d_0 ..."; `plain_shape_error` says instead which
parameter is too large for which input ("kernel size 80 is larger than the 64-pixel
input"), so the app can point at the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Fragments of TensorFlow/Keras messages about an output with no pixels left.
_EMPTY_OUTPUT = (
    "<= 0 due to downsampling",
    "Negative dimension size",
    "negative output size",
    "Computed output size would be negative",
)

#: Parameters that set how many input pixels an item covers, with their defaults.
_WINDOW_PARAMS = {"kernel_size": None, "pool_size": 2}


def _sizes(value: Any, n: int) -> list[int]:
    if isinstance(value, int):
        return [value] * n
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value):
        return list(value)
    return []


def _pixels(spatial: list[int]) -> str:
    return "×".join(str(d) for d in spatial) + "-pixel"


def plain_shape_error(
    entry: str, params: Mapping[str, Any], in_shape: list[int | None] | None, exc: BaseException
) -> tuple[str, str | None] | None:
    """Plain words for an item whose output would have no pixels.

    Args:
        entry: The item's catalogue name (``Conv2D``).
        params: The item's parameters as the user gave them.
        in_shape: The item's input shape without the batch axis (channels last).
        exc: What Keras raised.

    Returns:
        ``(message, parameter)`` with the parameter to point at (or None), or None if
        `exc` is not such an error.
    """
    text = str(exc)
    if not any(fragment in text for fragment in _EMPTY_OUTPUT) or not in_shape:
        return None
    spatial = [d for d in in_shape[:-1] if isinstance(d, int)]
    if not spatial:
        return None
    where = f"the {_pixels(spatial)} input it gets"
    for name, default in _WINDOW_PARAMS.items():
        value = params.get(name, default)
        sizes = _sizes(value, len(spatial))
        for size, dim in zip(sizes, spatial, strict=False):
            if size > dim:
                label = name.replace("_", " ")
                return (
                    f"{entry}: {label} {size} is larger than {where}; use a {label} of at "
                    f"most {dim}, or fewer down-sampling items before it",
                    name if name in params else None,
                )
    return (
        f"{entry}: {where} is too small for this item (its output would have no pixels); "
        "use a smaller kernel or stride, 'same' padding, or fewer down-sampling items before it",
        None,
    )
