"""Residual block of a ResNet: two convolutions and a shortcut."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, layers, tf
from lamina_builtin.layers._utils import check_positive_int, normalize_tuple


@keras.saving.register_keras_serializable(package="lamina")
class ResidualBlock(layers.Layer):
    """A basic residual block (He et al., 2016).

    Two `kernel_size` convolutions, each followed by batch normalization, with a
    shortcut that adds the block's input to the result before the last activation::

        y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))

    The shortcut is the identity when the input already has `filters` channels and
    `strides` is 1; otherwise it is a 1x1 convolution with `strides` (and batch
    normalization), the "projection shortcut". The first convolution applies the
    strides, so `strides=2` halves the height and width.

    Input shape: `(batch, rows, cols, channels)`. Output shape:
    `(batch, ceil(rows / strides), ceil(cols / strides), filters)`.

    Example:

    >>> block = ResidualBlock(filters=8, strides=2)
    >>> block(np.zeros((2, 16, 16, 3), dtype="float32")).shape
    TensorShape([2, 8, 8, 8])

    Args:
        filters: Number of output channels. Defaults to `16`.
        kernel_size: An int or a list of 2 ints: size of both convolutions.
            Defaults to `3`.
        strides: An int or a list of 2 ints: strides of the first convolution and
            of the shortcut. Defaults to `1`.
        use_batch_norm: Whether to apply batch normalization after each convolution
            (the convolutions then have no bias). Defaults to `True`.
        activation: Activation after the first convolution and after the sum.
            Defaults to `"relu"`.
        kernel_initializer: Initializer of the convolution kernels.
            Defaults to `"he_normal"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        filters: int = 16,
        kernel_size: int | list[int] = 3,
        strides: int | list[int] = 1,
        use_batch_norm: bool = True,
        activation: str = "relu",
        kernel_initializer: str | dict[str, Any] = "he_normal",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.use_batch_norm = bool(use_batch_norm)
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.input_spec = layers.InputSpec(ndim=4)

        self.conv1 = layers.Conv2D(
            self.filters,
            self.kernel_size,
            strides=self.strides,
            padding="same",
            use_bias=not self.use_batch_norm,
            kernel_initializer=self._new_initializer(),
            name="conv1",
        )
        self.conv2 = layers.Conv2D(
            self.filters,
            self.kernel_size,
            padding="same",
            use_bias=not self.use_batch_norm,
            kernel_initializer=self._new_initializer(),
            name="conv2",
        )
        self.bn1 = layers.BatchNormalization(name="bn1") if self.use_batch_norm else None
        self.bn2 = layers.BatchNormalization(name="bn2") if self.use_batch_norm else None
        self.shortcut_conv: layers.Conv2D | None = None
        self.shortcut_bn: layers.BatchNormalization | None = None

    def _new_initializer(self) -> keras.initializers.Initializer:
        # One initializer instance per convolution: an unseeded instance reused by
        # several layers would give them identical kernels.
        return keras.initializers.get(keras.initializers.serialize(self.kernel_initializer))

    def build(self, input_shape: Any) -> None:
        input_shape = tf.TensorShape(input_shape)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "ResidualBlock needs a known number of input channels (last axis). "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = layers.InputSpec(ndim=4, axes={-1: channels})
        self.conv1.build(input_shape)
        mid_shape = self.conv1.compute_output_shape(input_shape)
        self.conv2.build(mid_shape)
        if self.bn1 is not None and self.bn2 is not None:
            self.bn1.build(mid_shape)
            self.bn2.build(mid_shape)
        if int(channels) != self.filters or self.strides != (1, 1):
            self.shortcut_conv = layers.Conv2D(
                self.filters,
                1,
                strides=self.strides,
                padding="same",
                use_bias=not self.use_batch_norm,
                kernel_initializer=self._new_initializer(),
                name="shortcut_conv",
            )
            self.shortcut_conv.build(input_shape)
            if self.use_batch_norm:
                self.shortcut_bn = layers.BatchNormalization(name="shortcut_bn")
                self.shortcut_bn.build(mid_shape)
        super().build(input_shape)

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        x = self.conv1(inputs)
        if self.bn1 is not None:
            x = self.bn1(x, training=training)
        x = self.activation(x)
        x = self.conv2(x)
        if self.bn2 is not None:
            x = self.bn2(x, training=training)
        shortcut = inputs
        if self.shortcut_conv is not None:
            shortcut = self.shortcut_conv(inputs)
            if self.shortcut_bn is not None:
                shortcut = self.shortcut_bn(shortcut, training=training)
        return self.activation(x + shortcut)

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        shape = tf.TensorShape(input_shape).as_list()
        spatial = [
            None if length is None else -(-length // stride)
            for length, stride in zip(shape[1:3], self.strides, strict=True)
        ]
        return tf.TensorShape([shape[0], *spatial, self.filters])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": list(self.kernel_size),
                "strides": list(self.strides),
                "use_batch_norm": self.use_batch_norm,
                "activation": keras.activations.serialize(self.activation),
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            }
        )
        return config
