"""A whole U-Net as one layer."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, layers, tf
from lamina_builtin.layers._utils import check_positive_int, check_rate

_UPSAMPLING = ("transpose", "upsample")


@keras.saving.register_keras_serializable(package="lamina")
class UNet(layers.Layer):
    """A U-Net (Ronneberger et al., 2015) for image-to-image tasks, as one layer.

    The encoder has `depth` levels of two `kernel_size` convolutions (ReLU, optional
    batch normalization) followed by 2x2 max pooling; level `i` has
    `base_filters * 2**i` filters. A bottleneck of two convolutions with
    `base_filters * 2**depth` filters follows. Each decoder level doubles the height
    and width (a 2x2 transposed convolution, or nearest-neighbour upsampling then a
    2x2 convolution), concatenates the encoder's feature map of the same size (the
    skip connection) and applies two convolutions. A final 1x1 convolution gives
    `out_channels` channels with `out_activation`.

    The input height and width must be divisible by `2**depth`.

    Input shape: `(batch, rows, cols, channels)`. Output shape:
    `(batch, rows, cols, out_channels)`.

    Example:

    >>> unet = UNet(depth=2, base_filters=4, out_channels=1)
    >>> unet(np.zeros((1, 16, 16, 1), dtype="float32")).shape
    TensorShape([1, 16, 16, 1])

    Args:
        depth: Number of pooling (and upsampling) steps. Defaults to `2`.
        base_filters: Number of filters of the first level; doubled at each level.
            Defaults to `8`.
        out_channels: Number of output channels (1 for a binary mask, the number of
            classes for a softmax segmentation). Defaults to `1`.
        out_activation: Activation of the output (e.g. `"sigmoid"`, `"softmax"`,
            `"linear"`). Defaults to `"sigmoid"`.
        kernel_size: Size of the convolutions. Defaults to `3`.
        upsampling: `"transpose"` (2x2 transposed convolution with stride 2) or
            `"upsample"` (nearest-neighbour upsampling then a 2x2 convolution).
            Defaults to `"transpose"`.
        use_batch_norm: Whether to apply batch normalization after each
            convolution. Defaults to `False`.
        dropout: Dropout rate applied in the bottleneck, in `[0, 1)`.
            Defaults to `0.0`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        depth: int = 2,
        base_filters: int = 8,
        out_channels: int = 1,
        out_activation: str = "sigmoid",
        kernel_size: int = 3,
        upsampling: str = "transpose",
        use_batch_norm: bool = False,
        dropout: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.depth = check_positive_int(depth, "depth")
        self.base_filters = check_positive_int(base_filters, "base_filters")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.out_activation = keras.activations.get(out_activation)
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        if upsampling not in _UPSAMPLING:
            raise ValueError(
                f"`upsampling` must be one of {_UPSAMPLING}. Received: upsampling={upsampling!r}"
            )
        self.upsampling = upsampling
        self.use_batch_norm = bool(use_batch_norm)
        self.dropout = check_rate(dropout, "dropout")
        self.input_spec = layers.InputSpec(ndim=4)

        # Every conv of the net, in call order: 2 per encoder level, 2 in the
        # bottleneck, 2 per decoder level; with one BatchNormalization each.
        self.convs: list[layers.Conv2D] = []
        self.norms: list[layers.BatchNormalization] = []
        level_filters = [self.base_filters * 2**i for i in range(self.depth + 1)]
        names = [f"down{i}" for i in range(self.depth)] + ["bottom"]
        names += [f"up{i}" for i in reversed(range(self.depth))]
        filters = level_filters + level_filters[-2::-1]
        for name, n in zip(names, filters, strict=True):
            for j in (1, 2):
                self.convs.append(
                    layers.Conv2D(
                        n,
                        self.kernel_size,
                        padding="same",
                        use_bias=not self.use_batch_norm,
                        activation=None if self.use_batch_norm else "relu",
                        kernel_initializer="he_normal",
                        name=f"{name}_conv{j}",
                    )
                )
                if self.use_batch_norm:
                    self.norms.append(layers.BatchNormalization(name=f"{name}_bn{j}"))
        self.pool = layers.MaxPooling2D(2, name="pool")
        self.bottom_dropout = layers.Dropout(self.dropout, name="bottom_dropout")
        self.ups: list[layers.Layer] = []
        self.up_resamples: list[layers.Layer] = []
        for i in reversed(range(self.depth)):
            if self.upsampling == "transpose":
                self.ups.append(
                    layers.Conv2DTranspose(
                        level_filters[i], 2, strides=2, padding="same", name=f"up{i}_transpose"
                    )
                )
            else:
                self.up_resamples.append(layers.UpSampling2D(2, name=f"up{i}_upsample"))
                self.ups.append(
                    layers.Conv2D(level_filters[i], 2, padding="same", name=f"up{i}_upconv")
                )
        self.head = layers.Conv2D(self.out_channels, 1, activation=self.out_activation, name="head")

    def build(self, input_shape: Any) -> None:
        input_shape = tf.TensorShape(input_shape)
        rows, cols, channels = input_shape[1], input_shape[2], input_shape[3]
        factor = 2**self.depth
        if channels is None:
            raise ValueError(
                "UNet needs a known number of input channels (last axis). "
                f"Received: input_shape={tuple(input_shape)}"
            )
        if any(size is not None and size % factor for size in (rows, cols)):
            raise ValueError(
                f"UNet with depth={self.depth} needs an input height and width divisible by "
                f"2**depth = {factor}; resize or crop the images, or lower `depth`. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = layers.InputSpec(ndim=4, axes={-1: channels})
        # Build the sub-layers now, so that a reloaded layer has its weights.
        shape = input_shape
        k = 0
        skips = []
        for _ in range(self.depth):
            shape = self._build_conv_pair(k, shape)
            k += 2
            skips.append(shape)
            shape = self.pool.compute_output_shape(shape)
        shape = self._build_conv_pair(k, shape)
        k += 2
        for i, skip in enumerate(reversed(skips)):
            if self.upsampling == "upsample":
                shape = self.up_resamples[i].compute_output_shape(shape)
            self.ups[i].build(shape)
            shape = self.ups[i].compute_output_shape(shape)
            shape = skip[:-1].concatenate([shape[-1] + skip[-1]])
            shape = self._build_conv_pair(k, shape)
            k += 2
        self.head.build(shape)
        super().build(input_shape)

    def _build_conv_pair(self, k: int, shape: tf.TensorShape) -> tf.TensorShape:
        for j in (k, k + 1):
            self.convs[j].build(shape)
            shape = self.convs[j].compute_output_shape(shape)
            if self.use_batch_norm:
                self.norms[j].build(shape)
        return shape

    def _conv_pair(self, k: int, x: tf.Tensor, training: bool | None) -> tf.Tensor:
        for j in (k, k + 1):
            x = self.convs[j](x)
            if self.use_batch_norm:
                x = tf.nn.relu(self.norms[j](x, training=training))
        return x

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        x = inputs
        k = 0
        skips = []
        for _ in range(self.depth):
            x = self._conv_pair(k, x, training)
            k += 2
            skips.append(x)
            x = self.pool(x)
        x = self._conv_pair(k, x, training)
        k += 2
        x = self.bottom_dropout(x, training=training)
        for i, skip in enumerate(reversed(skips)):
            if self.upsampling == "upsample":
                x = self.up_resamples[i](x)
            x = self.ups[i](x)
            x = tf.concat([skip, x], axis=-1)
            x = self._conv_pair(k, x, training)
            k += 2
        return self.head(x)

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        return tf.TensorShape(input_shape)[:-1].concatenate([self.out_channels])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "depth": self.depth,
                "base_filters": self.base_filters,
                "out_channels": self.out_channels,
                "out_activation": keras.activations.serialize(self.out_activation),
                "kernel_size": self.kernel_size,
                "upsampling": self.upsampling,
                "use_batch_norm": self.use_batch_norm,
                "dropout": self.dropout,
            }
        )
        return config
