"""Maxout: the maximum of several linear pieces."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, layers, tf
from lamina_builtin.layers._utils import check_positive_int


@keras.saving.register_keras_serializable(package="lamina")
class Maxout(layers.Layer):
    """Maxout layer (Goodfellow et al., 2013).

    Each of the `units` outputs is the maximum over `pieces` affine functions of the
    input: `y_j = max_k (x @ W[:, j, k] + b[j, k])`. A maxout unit learns a convex,
    piecewise-linear activation; with `pieces=2` it can represent ReLU or the
    absolute value. Acts on the last axis, like `Dense`.

    Input shape: `(batch, ..., input_dim)`. Output shape: `(batch, ..., units)`.

    Example:

    >>> layer = Maxout(units=4, pieces=3)
    >>> layer(np.zeros((2, 8), dtype="float32")).shape
    TensorShape([2, 4])
    >>> layer.kernel.shape
    TensorShape([8, 12])

    Args:
        units: Number of output units. Defaults to `8`.
        pieces: Number of linear pieces each unit takes the maximum of.
            Defaults to `2`.
        use_bias: Whether the pieces have a bias. Defaults to `True`.
        kernel_initializer: Initializer of the kernel, of shape
            `(input_dim, units * pieces)`. Defaults to `"glorot_uniform"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        kernel_regularizer: Regularizer of the kernel. Defaults to `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        units: int = 8,
        pieces: int = 2,
        use_bias: bool = True,
        kernel_initializer: str | dict[str, Any] = "glorot_uniform",
        bias_initializer: str | dict[str, Any] = "zeros",
        kernel_regularizer: str | dict[str, Any] | None = None,
        bias_regularizer: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
        self.pieces = check_positive_int(pieces, "pieces")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.input_spec = layers.InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        input_shape = tf.TensorShape(input_shape)
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                "Maxout needs a known size of the last input axis. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = layers.InputSpec(min_ndim=2, axes={-1: input_dim})
        self.kernel = self.add_weight(
            name="kernel",
            shape=(int(input_dim), self.units * self.pieces),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units * self.pieces,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                trainable=True,
            )
        else:
            self.bias = None
        super().build(input_shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        z = tf.tensordot(inputs, self.kernel, axes=[[-1], [0]])
        if self.bias is not None:
            z = z + self.bias
        shape = tf.concat([tf.shape(z)[:-1], [self.units, self.pieces]], axis=0)
        z = tf.reshape(z, shape)
        y = tf.reduce_max(z, axis=-1)
        y.set_shape(self.compute_output_shape(inputs.shape))
        return y

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        return tf.TensorShape(input_shape)[:-1].concatenate([self.units])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "pieces": self.pieces,
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer)
                if self.kernel_regularizer is not None
                else None,
                "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer)
                if self.bias_regularizer is not None
                else None,
            }
        )
        return config
