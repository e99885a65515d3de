"""lamina's public Python API (re-exported by ``import lamina``).

TensorFlow is imported only when a function that needs it is called, so
``import lamina`` stays fast and never imports Qt.
"""

from __future__ import annotations

from pathlib import Path
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


def load_model(path: str | Path, compile: bool = False, unsafe: bool = False) -> Any:
    """Loads a ``.keras`` file, an HDF5 (``.h5``) file or a SavedModel folder.

    Loads the catalogue first, so every plug-in's custom layers, losses and
    activations are known to Keras (a plain ``keras.models.load_model`` in a fresh
    process would not know them). lamina's own projects never need this: use
    `lamina.load_run`, which rebuilds the model from its spec and weights.

    A file is data: a model holding a ``Lambda`` layer (Python code that Keras would
    run while loading) is refused, in every format, unless `unsafe` is True.

    Warning:
        ``unsafe=True`` runs whatever code the file holds, with your rights. Use it
        only for files you made yourself or whose author you trust.

    Args:
        path: The file or folder.
        compile: Whether to restore the training configuration.
        unsafe: Allow layers that run code stored in the file (Keras's
            ``safe_mode=False``). Defaults to `False`.

    Raises:
        UnsafeModelError: The model holds a ``Lambda`` layer and `unsafe` is False
            (a `LaminaError` naming the file and the layer).
    """
    from lamina.keras import keras
    from lamina.model_safety import UnsafeModelError, refuse_code_layers

    registry()
    if not unsafe:
        refuse_code_layers(path)
    try:
        return keras.models.load_model(str(path), compile=compile, safe_mode=not unsafe)
    except ValueError as exc:
        if unsafe or "arbitrary code execution" not in str(exc):
            raise
        raise UnsafeModelError(
            "loading it would run Python code stored in a Lambda layer",
            location=str(path),
            hint="only if you trust who wrote the file, load it with "
            "lamina.load_model(path, unsafe=True)",
        ) from None
