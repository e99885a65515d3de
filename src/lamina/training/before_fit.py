"""What plug-ins do before ``fit``: check the targets, prepare the model."""

from __future__ import annotations

from typing import Any

from lamina.data.dataset import Dataset
from lamina.spec import ModelSpec


def plugin_preparations(
    spec: ModelSpec, registry: Any, model: Any, y_train: Any, ds: Dataset
) -> None:
    """Runs the plug-in hooks declared in entry metadata before ``fit``.

    A head's ``check_targets(spec, y)`` field validates the targets (e.g. counts must
    be non-negative) and raises a located ``ValueError``, reported as a `DataError`
    naming the data source; each layer's ``before_fit(model, n_train)`` field prepares
    the model (e.g. a Bayesian layer's KL weight = 1 / n_train).
    """
    from lamina.build import resolve_item
    from lamina.data.errors import DataError
    from lamina.plugins import get_registry

    registry = registry or get_registry()
    entries = [resolve_item(registry, item) for item in spec.layers]
    last = entries[-1] if entries else None
    check_targets = last.check_targets if last is not None else None
    if callable(check_targets) and y_train is not None:
        try:
            check_targets(spec, y_train)
        except ValueError as exc:
            raise DataError(str(exc), source=ds.source or ds.name) from None
    seen: set[str] = set()
    for entry in entries:
        if entry is None or entry.name in seen:
            continue
        seen.add(entry.name)
        before_fit = entry.before_fit
        if callable(before_fit):
            before_fit(model, int(len(y_train) if y_train is not None else 0))
