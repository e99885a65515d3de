"""Positional encoding added to a sequence of vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.keras import keras, layers, tf
from lamina_builtin.layers._utils import check_positive_int

_KINDS = ("sinusoidal", "learned")


def sinusoidal_encoding(length: int, depth: int, base: float = 10000.0) -> np.ndarray:
    """The sinusoidal positional encoding of Vaswani et al. (2017).

    `PE[p, 2i] = sin(p / base**(2i / depth))` and
    `PE[p, 2i + 1] = cos(p / base**(2i / depth))`.

    Args:
        length: Number of positions.
        depth: Size of each encoding vector (may be odd).
        base: The base of the geometric progression of wavelengths.
            Defaults to `10000.0`.

    Returns:
        A float32 array of shape `(length, depth)`.
    """
    positions = np.arange(length, dtype="float64")[:, None]
    dims = np.arange(depth)
    rates = 1.0 / np.power(base, (2 * (dims // 2)) / depth)
    angles = positions * rates[None, :]
    encoding = np.where(dims % 2 == 0, np.sin(angles), np.cos(angles))
    return encoding.astype("float32")


@keras.saving.register_keras_serializable(package="lamina")
class PositionalEncoding(layers.Layer):
    """Adds a positional encoding to a sequence of vectors.

    Self-attention does not see the order of its inputs; adding to step `p` a vector
    that depends on `p` lets it. With `kind="sinusoidal"` the vectors are the fixed
    sines and cosines of Vaswani et al. (2017) (no weights); with `kind="learned"`
    they are a trainable `(max_length, d)` table, as in BERT.

    Input shape: `(batch, steps, d)` with `steps <= max_length`. Output shape: the
    same.

    Example:

    >>> x = np.zeros((2, 10, 16), dtype="float32")
    >>> y = PositionalEncoding(max_length=32)(x)
    >>> y.shape
    TensorShape([2, 10, 16])
    >>> float(y[0, 0, 1])  # cos(0)
    1.0

    Args:
        max_length: The largest number of steps. Defaults to `512`.
        kind: `"sinusoidal"` (fixed) or `"learned"` (trainable).
            Defaults to `"sinusoidal"`.
        base: The base of the wavelengths of the sinusoidal encoding; unused when
            `kind="learned"`. Defaults to `10000.0`.
        initializer: Initializer of the learned table; unused when
            `kind="sinusoidal"`. Defaults to `"glorot_uniform"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        max_length: int = 512,
        kind: str = "sinusoidal",
        base: float = 10000.0,
        initializer: str | dict[str, Any] = "glorot_uniform",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_length = check_positive_int(max_length, "max_length")
        if kind not in _KINDS:
            raise ValueError(f"`kind` must be one of {_KINDS}. Received: kind={kind!r}")
        self.kind = kind
        if isinstance(base, bool) or not isinstance(base, int | float) or base <= 1:
            raise ValueError(f"`base` must be a number greater than 1. Received: base={base!r}")
        self.base = float(base)
        self.initializer = keras.initializers.get(initializer)
        self.input_spec = layers.InputSpec(ndim=3)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        input_shape = tf.TensorShape(input_shape)
        steps, depth = input_shape[1], input_shape[2]
        if depth is None:
            raise ValueError(
                "PositionalEncoding needs a known size of the last input axis. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        if steps is not None and steps > self.max_length:
            raise ValueError(
                f"PositionalEncoding got {steps} steps but max_length={self.max_length}; "
                f"raise max_length. Received: input_shape={tuple(input_shape)}"
            )
        self.depth = int(depth)
        if self.kind == "learned":
            self.encoding = self.add_weight(
                name="encoding",
                shape=(self.max_length, self.depth),
                initializer=self.initializer,
                trainable=True,
            )
        else:
            self.encoding = tf.constant(sinusoidal_encoding(self.max_length, self.depth, self.base))
        super().build(input_shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        steps = tf.shape(inputs)[1]
        encoding = tf.cast(self.encoding[:steps], inputs.dtype)
        return inputs + encoding[tf.newaxis]

    def compute_mask(self, inputs: tf.Tensor, mask: tf.Tensor | None = None) -> tf.Tensor | None:
        return mask

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        return tf.TensorShape(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "max_length": self.max_length,
                "kind": self.kind,
                "base": self.base,
                "initializer": keras.initializers.serialize(self.initializer),
            }
        )
        return config
