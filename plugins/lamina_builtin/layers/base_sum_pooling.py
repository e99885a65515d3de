"""Private base class of the sum and square-sum pooling layers."""

from __future__ import annotations

import math
from typing import Any

from lamina.keras import layers, tf
from lamina_builtin.layers._utils import conv_output_length, normalize_padding, normalize_tuple


class BaseSumPooling(layers.Layer):
    """Sums (optionally squared) values over a sliding window, channel by channel.

    The sum is the window's average times its size, computed on an input padded with
    zeros for `"same"` padding, so that border windows sum over the zeros (average
    pooling alone divides border windows by fewer values). Only `channels_last` data
    is supported.

    Args:
        rank: 1 or 2, the number of spatial axes.
        pool_size: An int or a list of `rank` ints: the window size.
        strides: An int, a list of `rank` ints or `None` (the window size).
        padding: `"valid"` or `"same"` (case-insensitive).
        square: Whether to square the values before summing.
        sqrt: Whether to take the square root of the sum (L2 pooling when `square`).
        epsilon: Added to the sum before the square root, to keep its gradient finite.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        rank: int,
        pool_size: int | list[int] | tuple[int, ...],
        strides: int | list[int] | tuple[int, ...] | None,
        padding: str,
        square: bool = False,
        sqrt: bool = False,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rank = rank
        self.pool_size = normalize_tuple(pool_size, rank, "pool_size")
        self.strides = (
            self.pool_size if strides is None else normalize_tuple(strides, rank, "strides")
        )
        self.padding = normalize_padding(padding)
        self.square = bool(square)
        self.sqrt = bool(sqrt)
        if isinstance(epsilon, bool) or not isinstance(epsilon, int | float) or epsilon < 0:
            raise ValueError(
                f"`epsilon` must be a non-negative float. Received: epsilon={epsilon!r}"
            )
        self.epsilon = float(epsilon)
        self.input_spec = layers.InputSpec(ndim=rank + 2)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        x = tf.square(inputs) if self.square else inputs
        if self.padding == "same":
            # Pad with zeros as TensorFlow's "SAME" would, then pool with "VALID", so
            # that border windows sum over the zeros too.
            paddings = [[0, 0]]
            for axis, (window, stride) in enumerate(
                zip(self.pool_size, self.strides, strict=True), start=1
            ):
                length = tf.shape(x)[axis]
                out = (length + stride - 1) // stride
                total = tf.maximum((out - 1) * stride + window - length, 0)
                paddings.append([total // 2, total - total // 2])
            paddings.append([0, 0])
            x = tf.pad(x, paddings)
        y = tf.nn.avg_pool(x, ksize=self.pool_size, strides=self.strides, padding="VALID")
        y = y * tf.cast(math.prod(self.pool_size), y.dtype)
        if self.sqrt:
            y = tf.sqrt(y + tf.cast(self.epsilon, y.dtype))
        return y

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        shape = tf.TensorShape(input_shape).as_list()
        spatial = [
            conv_output_length(length, window, self.padding, stride)
            for length, window, stride in zip(
                shape[1:-1], self.pool_size, self.strides, strict=True
            )
        ]
        return tf.TensorShape([shape[0], *spatial, shape[-1]])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "pool_size": list(self.pool_size),
                "strides": list(self.strides),
                "padding": self.padding,
            }
        )
        return config
