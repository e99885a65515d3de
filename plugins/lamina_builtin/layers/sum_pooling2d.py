"""Sum pooling over two spatial axes."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras
from lamina_builtin.layers.base_sum_pooling import BaseSumPooling


@keras.saving.register_keras_serializable(package="lamina")
class SumPooling2D(BaseSumPooling):
    """Sum pooling for 2D spatial data (images).

    Sums the values over a `pool_size` window, sliding by `strides`, channel by
    channel. It is average pooling without the division by the window area; with
    `padding="same"` the missing border values count as zeros.

    Input shape: `(batch, rows, cols, channels)`. Output shape:
    `(batch, pooled_rows, pooled_cols, channels)`.

    Example:

    >>> x = np.ones((1, 4, 4, 3), dtype="float32")
    >>> SumPooling2D(pool_size=2)(x).shape
    TensorShape([1, 2, 2, 3])
    >>> float(SumPooling2D(pool_size=2)(x)[0, 0, 0, 0])
    4.0

    Args:
        pool_size: An int or a list of 2 ints: the window size. Defaults to `2`.
        strides: An int, a list of 2 ints, or `None` to use `pool_size`.
            Defaults to `None`.
        padding: `"valid"` (no padding) or `"same"` (pad with zeros so that each
            spatial size becomes `ceil(size / stride)`), case-insensitive.
            Defaults to `"valid"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        pool_size: int | list[int] = 2,
        strides: int | list[int] | None = None,
        padding: str = "valid",
        **kwargs: Any,
    ) -> None:
        super().__init__(2, pool_size, strides, padding, square=False, sqrt=False, **kwargs)
