"""The example layer: an asinh stretch with a learnable softening."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, layers, tf


@keras.saving.register_keras_serializable(package="lamina_example")
class AsinhStretch(layers.Layer):
    """Applies the astronomers' asinh stretch `asinh(x / softening)` with a learnable softening.

    Faint and bright pixels both stay visible, as in Lupton et al. (1999) colour images.

    Example:
        >>> layer = AsinhStretch(softening=0.1)

    Args:
        softening: Initial softening scale; must be positive. Defaults to `1.0`.
        trainable_softening: Whether the softening is learned. Defaults to `True`.
    """

    def __init__(self, softening: float = 1.0, trainable_softening: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        if softening <= 0:
            raise ValueError(f"softening must be positive. Received: softening={softening}")
        self.softening = float(softening)
        self.trainable_softening = bool(trainable_softening)

    def build(self, input_shape: Any) -> None:
        self.log_softening = self.add_weight(
            name="log_softening",
            shape=(),
            initializer=keras.initializers.Constant(float(tf.math.log(self.softening))),
            trainable=self.trainable_softening,
        )
        super().build(input_shape)

    def call(self, inputs: Any) -> Any:
        return tf.math.asinh(inputs / tf.exp(self.log_softening))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "softening": self.softening,
            "trainable_softening": self.trainable_softening,
        }
