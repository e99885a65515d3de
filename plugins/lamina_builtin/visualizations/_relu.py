"""Swapping the ReLUs of a model for ReLUs with another backward rule.

Guided backpropagation and the deconvnet differ from plain backpropagation only in
how the backward signal crosses a ReLU:

- backprop: ``g * (x > 0)`` (the forward mask);
- deconvnet: ``relu(g)`` (rectify the backward signal, ignore the forward mask);
- guided backprop: ``relu(g) * (x > 0)`` (both).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from lamina.keras import keras, tf


def is_relu(fn: Any) -> bool:
    """True if `fn` is a ReLU activation function."""
    return fn is tf.nn.relu or fn is keras.activations.relu or getattr(fn, "__name__", "") == "relu"


@tf.custom_gradient
def guided_relu(x: Any) -> Any:
    """ReLU whose gradient is ``relu(g) * (x > 0)`` (guided backpropagation)."""

    def grad(g: Any) -> Any:
        return tf.nn.relu(g) * tf.cast(x > 0, g.dtype)

    return tf.nn.relu(x), grad


@tf.custom_gradient
def deconv_relu(x: Any) -> Any:
    """ReLU whose gradient is ``relu(g)`` (the deconvnet's rectification)."""

    def grad(g: Any) -> Any:
        return tf.nn.relu(g)

    return tf.nn.relu(x), grad


def _guided(x: Any) -> Any:
    return guided_relu(x)


def _deconv(x: Any) -> Any:
    return deconv_relu(x)


_RULES = {"guided": _guided, "deconv": _deconv}


@contextlib.contextmanager
def swapped_relus(model: Any, rule: str) -> Iterator[int]:
    """Within the block, every ReLU of `model` (also inside blocks) uses `rule`'s gradient.

    Covers layers with a ReLU ``activation`` attribute (Conv2D, Dense, Activation,
    lamina's blocks) and ``ReLU`` layers. Yields the number of ReLUs swapped.
    """
    fn = _RULES[rule]
    saved: list[tuple[Any, str, Any]] = []
    for sub in [model, *model.submodules]:
        act = getattr(sub, "activation", None)
        if act is not None and is_relu(act):
            saved.append((sub, "activation", act))
            object.__setattr__(sub, "activation", fn)
        elif isinstance(sub, keras.layers.ReLU) and not sub.max_value and not sub.negative_slope:
            saved.append((sub, "call", None))
            object.__setattr__(sub, "call", lambda inputs, *a, **k: fn(inputs))
    try:
        yield len(saved)
    finally:
        for sub, attr, value in saved:
            if attr == "call":
                object.__delattr__(sub, "call")
            else:
                object.__setattr__(sub, attr, value)
