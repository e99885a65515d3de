"""lamina's public Python API (re-exported by ``import lamina``).

TensorFlow is imported only when a function that needs it is called, so
``import lamina`` stays fast and never imports Qt.
"""

from __future__ import annotations

from typing import Any

from lamina.registry import Entry, PluginInfo, Registry
from lamina.spec import ModelSpec


def catalog(kind: str | None = None, category: str | None = None) -> list[Entry]:
    """Returns catalogue entries, optionally of one kind and category.

    Args:
        kind: ``"layer"``, ``"activation"``, ``"loss"``, ``"optimizer"``, ``"head"``,
            ``"architecture"``, ``"dataset"`` or ``"visualization"``.
        category: A palette group, e.g. ``"convolution"``.
    """
    return registry().entries(kind, category)


def registry(refresh: bool = False) -> Registry:
    """Returns the process-wide registry (built from the plug-ins on first use)."""
    from lamina.plugins import get_registry

    return get_registry(refresh=refresh)


def list_plugins() -> list[PluginInfo]:
    """Returns every plug-in found, with the reasons of those that failed."""
    return list(registry().plugins.values())


def architecture(name: str, **params: Any) -> ModelSpec:
    """Expands an architecture template into an editable spec.

    Example:
        >>> spec = lamina.architecture("lenet", n_classes=3)

    Args:
        name: The template's registered name (see ``lamina catalog --kind architecture``).
        **params: The template's parameters.
    """
    from lamina.build import check_params
    from lamina.spec import SpecError, parse_spec

    entry = registry().get("architecture", name)
    problems = check_params(entry, params, f"architecture {name!r}", registry())
    if problems:
        raise SpecError(problems)
    return parse_spec(entry.obj(**params), source=f"architecture {name!r}")


def load_model(path: str, compile: bool = False) -> Any:
    """Loads a ``.keras`` file or SavedModel written by lamina or tf_keras.

    Loads the catalogue first, so every plug-in's custom layers, losses and
    activations are known to Keras (a plain ``keras.models.load_model`` in a fresh
    process would not know them). lamina's own projects never need this: use
    `lamina.load_run`, which rebuilds the model from its spec and weights.

    Args:
        path: The file or folder.
        compile: Whether to restore the training configuration.
    """
    from lamina.keras import keras

    registry()
    return keras.models.load_model(path, compile=compile)
