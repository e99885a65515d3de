"""Square-sum (and L2) pooling over one spatial axis."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras
from lamina_builtin.layers.base_sum_pooling import BaseSumPooling


@keras.saving.register_keras_serializable(package="lamina")
class SquareSumPooling1D(BaseSumPooling):
    """Square-sum pooling for 1D temporal data, optionally L2 pooling.

    Sums the squares of the values over a window of `pool_size` steps, sliding by
    `strides`, channel by channel: `y = sum(x**2)`. With `sqrt=True` it returns
    `sqrt(sum(x**2) + epsilon)`, the L2 norm of the window (L2 pooling). With
    `padding="same"` the missing border values count as zeros.

    Input shape: `(batch, steps, channels)`. Output shape:
    `(batch, pooled_steps, channels)`.

    Example:

    >>> x = np.array([[[1.0], [2.0], [3.0], [4.0]]], dtype="float32")
    >>> SquareSumPooling1D(pool_size=2)(x)[0, :, 0].numpy()
    array([ 5., 25.], dtype=float32)

    Args:
        pool_size: An int or a list of 1 int: the window size. Defaults to `2`.
        strides: An int, a list of 1 int, or `None` to use `pool_size`.
            Defaults to `None`.
        padding: `"valid"` or `"same"`, case-insensitive. Defaults to `"valid"`.
        sqrt: Whether to take the square root of the sum (L2 pooling).
            Defaults to `False`.
        epsilon: Added to the sum before the square root, so that its gradient stays
            finite when a window is all zeros. Used only if `sqrt`. Defaults to `1e-7`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        pool_size: int | list[int] = 2,
        strides: int | list[int] | None = None,
        padding: str = "valid",
        sqrt: bool = False,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            1, pool_size, strides, padding, square=True, sqrt=sqrt, epsilon=epsilon, **kwargs
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"sqrt": self.sqrt, "epsilon": self.epsilon})
        return config
