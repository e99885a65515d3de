"""The example loss: log cosh of the relative error."""

from __future__ import annotations

from typing import Any

from lamina.keras import tf


def log_cosh_relative(y_true: Any, y_pred: Any, scale: float = 1.0) -> Any:
    """log cosh of the error relative to `scale + |y_true|` (robust for fluxes spanning decades).

    Args:
        scale: Added to `|y_true|` in the denominator. Defaults to `1.0`.
    """
    y_true = tf.cast(y_true, y_pred.dtype)
    error = (y_pred - y_true) / (scale + tf.abs(y_true))
    return tf.reduce_mean(tf.math.log(tf.cosh(error)), axis=-1)
