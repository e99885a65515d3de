"""Looking inside a network: visualizations return a `Result` that can be saved as a PNG.

Example:
    >>> from lamina.visualize import visualize
    >>> res = visualize("gradcam", model, input=image, class_index=1)
    >>> res.save_png("gradcam.png")

This package is Qt-free and imports TensorFlow only when a visualization runs.
"""

from __future__ import annotations

from typing import Any

from lamina.visualize.curves import Curve, CurvePanel, LineMarker
from lamina.visualize.errors import VisualizationError
from lamina.visualize.result import Result

__all__ = [
    "Curve",
    "CurvePanel",
    "LineMarker",
    "Result",
    "VisualizationError",
    "save_png",
    "visualize",
]


def save_png(result: Result, path: Any, **kwargs: Any) -> Any:
    """Renders a result to a PNG (see `lamina.visualize.render.save_png`)."""
    from lamina.visualize.render import save_png as _save

    return _save(result, path, **kwargs)


def visualize(kind: str, model: Any = None, registry: Any = None, **params: Any) -> Result:
    """Runs the registered visualization `kind` on `model`.

    Args:
        kind: The visualization's registered name (see
            ``lamina catalog --kind visualization``).
        model: The tf_keras model (None for those that take data only, such as
            ``training_curves`` and ``confusion_matrix``).
        registry: The catalogue; defaults to the process-wide one.
        **params: The visualization's parameters.
    """
    if registry is None:
        from lamina.plugins import get_registry

        registry = get_registry()
    entry = registry.get("visualization", kind)
    _check(entry, params, registry)
    return entry.obj(model, **params)


def _check(entry: Any, params: dict[str, Any], registry: Any) -> None:
    """Checks the plain parameters against the entry's schema (hidden ones pass)."""
    import inspect

    from lamina.build import check_params

    try:
        accepted = set(inspect.signature(entry.obj).parameters)
    except (TypeError, ValueError):
        accepted = set()
    schema = {p.name for p in entry.params}
    checked = {k: v for k, v in params.items() if k in schema or k not in accepted}
    problems = [
        p
        for p in check_params(entry, checked, f"visualization {entry.name!r}", registry)
        if not p.message.startswith("required")
    ]
    if problems:
        raise VisualizationError("; ".join(f"{p.path}: {p.message}" for p in problems))
