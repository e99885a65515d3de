"""What a registered object must be: a tf_keras class of the right base, or a callable.

The registry calls `check_object` before it makes an entry; a `TypeError` refuses the
entry and its message is recorded against the plug-in.
"""

from __future__ import annotations

import inspect
from typing import Any

from lamina.params import constructor_of


def check_object(kind: str, obj: Any) -> None:
    """Raises TypeError if `obj` cannot be an entry of `kind` (the message says why)."""
    from lamina.keras import KERAS_IMPORT_HINT, is_keras3_object, keras

    if is_keras3_object(obj):
        raise TypeError(
            f"{getattr(obj, '__name__', obj)!r} comes from Keras 3 (`import keras`), but "
            f"lamina uses tf_keras (Keras 2): write `{KERAS_IMPORT_HINT}` instead"
        )
    if kind == "layer":
        if not (isinstance(obj, type) and issubclass(obj, keras.layers.Layer)):
            raise TypeError(f"a layer must be a subclass of lamina.keras.layers.Layer, got {obj!r}")
        _check_get_config(obj, keras.layers.Layer)
    elif kind == "optimizer":
        if isinstance(obj, type) and not issubclass(obj, keras.optimizers.Optimizer):
            raise TypeError(
                f"an optimizer class must subclass lamina.keras.optimizers.Optimizer, got {obj!r}"
            )
        if not callable(obj):
            raise TypeError(f"an optimizer must be a class or a factory function, got {obj!r}")
    elif kind == "loss":
        if isinstance(obj, type):
            if not issubclass(obj, keras.losses.Loss):
                raise TypeError(f"a loss class must subclass lamina.keras.losses.Loss, got {obj!r}")
            _check_get_config(obj, keras.losses.Loss)
        elif not callable(obj):
            raise TypeError(f"a loss must be a function or a Loss class, got {obj!r}")
    elif not callable(obj):
        raise TypeError(f"a {kind} must be callable, got {obj!r}")


def _check_get_config(cls: type, base: type) -> None:
    own_init = any("__init__" in vars(k) for k in cls.__mro__[: cls.__mro__.index(base)])
    own_config = any("get_config" in vars(k) for k in cls.__mro__[: cls.__mro__.index(base)])
    if not own_init:
        return
    extra = [
        p
        for p in inspect.signature(constructor_of(cls)).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if extra and not own_config:
        raise TypeError(
            f"{cls.__name__} takes {[p.name for p in extra]} in __init__ but has no "
            "get_config(); add one returning them so saved models can be rebuilt"
        )
