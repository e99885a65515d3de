"""The size guard: a model's parameters counted from their shapes, before any is allocated.

`check` and `build_model` make each item's layer under `size_guard`, which sees every
weight Keras is about to create (name, shape, dtype) and stops with `ModelTooLarge`
before allocating one that would take the model over the limit. The limit is
`DEFAULT_MAX_PARAMS` parameters unless raised with the ``LAMINA_MAX_PARAMS``
environment variable, the ``max_params`` argument of `lamina.check` or
``lamina check --max-params``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from lamina.errors import LaminaError

#: The environment variable that raises (or lowers) the limit.
ENV_MAX_PARAMS = "LAMINA_MAX_PARAMS"

#: Default limit: 250 million parameters, 1 GB of float32 weights (about 4 GB to train
#: with Adam: weights, gradients and two moments).
DEFAULT_MAX_PARAMS = 250_000_000

#: How much memory training takes per parameter, in multiples of the weight: the
#: weight, its gradient and an optimizer's two moments (Adam).
TRAINING_FACTOR = 4


class ModelTooLarge(Exception):  # noqa: N818 - raised and caught inside the build only
    """Raised inside `size_guard` before a weight that would exceed the budget is created.

    Args:
        params: The parameters of the item counted so far, this weight included.
        nbytes: Their size in bytes.
    """

    def __init__(self, params: int, nbytes: int) -> None:
        super().__init__(f"{params:,} parameters")
        self.params = params
        self.nbytes = nbytes


def max_params(value: int | None = None) -> int:
    """Returns the limit: `value` if given, else ``$LAMINA_MAX_PARAMS``, else the default.

    Raises:
        LaminaError: If the environment variable is not a positive whole number.
    """
    if value is not None:
        return int(value)
    text = os.environ.get(ENV_MAX_PARAMS, "").strip().replace("_", "")
    if not text:
        return DEFAULT_MAX_PARAMS
    try:
        limit = int(float(text)) if "e" in text.lower() else int(text)
    except ValueError:
        limit = 0
    if limit <= 0:
        raise LaminaError(
            f"expected a positive whole number of parameters, got {text!r}",
            location=ENV_MAX_PARAMS,
            hint=f"e.g. {ENV_MAX_PARAMS}=1000000000, or unset it for {DEFAULT_MAX_PARAMS:,}",
        )
    return limit


@contextlib.contextmanager
def size_guard(budget: int) -> Iterator[list[int]]:
    """Refuses to create weights beyond `budget` parameters inside the block.

    Yields ``[parameters, bytes]`` counted so far in the block (updated as weights are made).

    Raises:
        ModelTooLarge: Before creating the weight that would exceed `budget`.
    """
    import tensorflow as tf

    counted = [0, 0]  # parameters, bytes

    def creator(next_creator: Any, **kwargs: Any) -> Any:
        size = _size(kwargs)
        if size is not None:
            count, itemsize = size
            counted[0] += count
            counted[1] += count * itemsize
            if counted[0] > budget:
                raise ModelTooLarge(counted[0], counted[1])
        return next_creator(**kwargs)

    with tf.variable_creator_scope(creator):
        yield counted


def too_large_message(
    entry_name: str, item_params: int, nbytes: int, earlier: int, limit: int
) -> str:
    """Returns the located message of an item that takes the model over `limit`."""
    total = earlier + item_params
    text = (
        f"{entry_name} would have at least {item_params:,} parameters "
        f"({_human(nbytes)} of weights, about {_human(nbytes * TRAINING_FACTOR)} to train)"
    )
    if earlier:
        text += f"; with the items before it the model would have at least {total:,}"
    return (
        f"{text}, more than the limit of {limit:,} parameters; make the layer smaller "
        f"(or the input before it), or raise the limit with {ENV_MAX_PARAMS}=N "
        "or `lamina check --max-params N`"
    )


def _size(kwargs: dict[str, Any]) -> tuple[int, int] | None:
    """(elements, bytes per element) of the variable about to be created, if known."""
    import tensorflow as tf

    initial = kwargs.get("initial_value")
    shape = kwargs.get("shape")
    if shape is None:
        shape = getattr(initial, "shape", None)
    if shape is None:
        return None
    dims = tf.TensorShape(shape)
    if dims.rank is None or any(d is None for d in dims.as_list()):
        return None
    count = 1
    for d in dims.as_list():
        count *= int(d)
    dtype = kwargs.get("dtype") or getattr(initial, "dtype", None)  # else its value's
    try:
        itemsize = tf.as_dtype(dtype).size if dtype is not None else 4
    except TypeError:
        itemsize = 4
    return count, itemsize


def _human(nbytes: int) -> str:
    size = float(nbytes)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{size:,.1f} TB"
