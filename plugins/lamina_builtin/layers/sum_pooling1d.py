"""Sum pooling over one spatial axis."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras
from lamina_builtin.layers.base_sum_pooling import BaseSumPooling


@keras.saving.register_keras_serializable(package="lamina")
class SumPooling1D(BaseSumPooling):
    """Sum pooling for 1D temporal data.

    Sums the values over a window of `pool_size` steps, sliding by `strides`, channel by
    channel. It is average pooling without the division by the window size; with
    `padding="same"` the missing border values count as zeros.

    Input shape: `(batch, steps, channels)`. Output shape:
    `(batch, pooled_steps, channels)`.

    Example:

    >>> x = np.arange(6, dtype="float32").reshape((1, 6, 1))
    >>> SumPooling1D(pool_size=2)(x)[0, :, 0].numpy()
    array([1., 5., 9.], dtype=float32)

    Args:
        pool_size: An int or a list of 1 int: the window size. Defaults to `2`.
        strides: An int, a list of 1 int, or `None` to use `pool_size`.
            Defaults to `None`.
        padding: `"valid"` (no padding) or `"same"` (pad with zeros so that the output
            has `ceil(steps / strides)` steps), case-insensitive. Defaults to `"valid"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        pool_size: int | list[int] = 2,
        strides: int | list[int] | None = None,
        padding: str = "valid",
        **kwargs: Any,
    ) -> None:
        super().__init__(1, pool_size, strides, padding, square=False, sqrt=False, **kwargs)
