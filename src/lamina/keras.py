"""The one Keras of lamina.

Every part of lamina and every plug-in gets Keras from here::

    from lamina.keras import keras, layers

lamina uses Keras 2 (the ``tf_keras`` package) because TensorFlow Probability's
layers and spektral only work with it. ``import keras`` gives Keras 3, whose layers
cannot be mixed into a tf_keras model; ``is_keras3_object`` detects them so the
registry can refuse them with a clear message. A move to Keras 3 touches only this
module.
"""

from __future__ import annotations

from typing import Any

from lamina._env import prepare_environment

prepare_environment()

import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

tf.get_logger().setLevel("ERROR")

layers = keras.layers
losses = keras.losses
optimizers = keras.optimizers
activations = keras.activations
regularizers = keras.regularizers
callbacks = keras.callbacks
backend = keras.backend

KERAS_IMPORT_HINT = "from lamina.keras import keras, layers"

__all__ = [
    "KERAS_IMPORT_HINT",
    "activations",
    "backend",
    "callbacks",
    "is_keras3_object",
    "keras",
    "layers",
    "losses",
    "optimizers",
    "regularizers",
    "tf",
]


def is_keras3_object(obj: Any) -> bool:
    """Returns True if `obj` (a class or an instance) comes from Keras 3 (`import keras`).

    Args:
        obj: A class, an instance or a function.
    """
    if isinstance(obj, type):
        return any((k.__module__ or "").split(".")[0] == "keras" for k in obj.__mro__)
    module = getattr(obj, "__module__", None) or ""
    if module.split(".")[0] == "keras":
        return True
    return any((k.__module__ or "").split(".")[0] == "keras" for k in type(obj).__mro__)
