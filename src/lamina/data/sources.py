"""`load_data`: a data source (a name, a file, a `Dataset`, arrays) -> a `Dataset`.

A data source is a `Dataset`, a registered dataset (``{"type": "galaxies",
"params": {"n": 300}}``, or just ``"galaxies"``), a file or folder path, or a pair of
arrays ``(x, y)``. Every problem is a `DataError` naming the source, raised before any
training starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.registry import Registry
from lamina.spec import ModelSpec, Ref

DataSource = Dataset | Ref | Mapping[str, Any] | str | Path | tuple


def _looks_like_path(text: str) -> bool:
    return any(sep in text for sep in ("/", "\\")) or Path(text).suffix != "" or Path(text).exists()


def load_data(
    source: DataSource | None,
    registry: Registry | None = None,
    params: Mapping[str, Any] | None = None,
    spec: ModelSpec | None = None,
) -> Dataset:
    """Returns the `Dataset` a source names (checked against `spec`'s input shape if given).

    Args:
        source: A `Dataset`; a registered dataset name, ``{"type", "params"}`` dict or
            `Ref`; a file or folder path; or a tuple ``(x, y)`` of arrays. None uses
            ``spec.data``.
        registry: The catalogue; defaults to the process-wide one.
        params: Extra parameters for a registered dataset or a file loader (they
            override the ref's own parameters).
        spec: If given, the data's sample shape must match ``spec.input.shape``.

    Raises:
        DataError: Naming the source: unknown dataset, unreadable file, bad
            parameters, or data that do not fit the model's input.
    """
    if source is None:
        if spec is None or spec.data is None:
            raise DataError(
                "no data: pass data=... (a dataset name, a file, or a Dataset) or set the "
                'spec\'s "data" field'
            )
        source = spec.data
    ds = _resolve(source, registry, dict(params or {}))
    if spec is not None:
        ds.validate(input_shape=tuple(spec.input.shape))
    return ds


def _resolve(source: Any, registry: Registry | None, params: dict[str, Any]) -> Dataset:
    if isinstance(source, Dataset):
        return source
    if isinstance(source, tuple) and len(source) == 2:
        x, y = source
        y_arr = None if y is None else np.asarray(y)
        task = "classification" if y_arr is not None and y_arr.dtype.kind in "iub" else "regression"
        return Dataset(x=np.asarray(x), y=y_arr, name="arrays", task=task, source="arrays")
    if isinstance(source, Path):
        return _from_file(source, params)
    if isinstance(source, Ref):
        return _from_registry(source.type, {**source.params, **params}, registry)
    if isinstance(source, Mapping):
        if "type" not in source:
            raise DataError(
                f'a data reference needs a "type" (a dataset name or file); got {dict(source)!r}'
            )
        return _resolve(
            Ref(type=source["type"], params=dict(source.get("params", {}))), registry, params
        )
    if isinstance(source, str):
        registry = registry or _registry()
        if registry.find("dataset", source) is None and _looks_like_path(source):
            return _from_file(Path(source), params)
        return _from_registry(source, params, registry)
    raise DataError(f"cannot use {type(source).__name__} as data; pass a Dataset, a name or a path")


def _registry() -> Registry:
    from lamina.plugins import get_registry

    return get_registry()


def _from_file(path: Path, params: dict[str, Any]) -> Dataset:
    from lamina.data.loaders import load_file

    if path.is_file() and path.suffix.lower() == ".json":
        raise DataError(
            "this is a JSON file, not data; pass the spec and --data separately", source=str(path)
        )
    try:
        return load_file(path, **params)
    except TypeError as exc:
        raise DataError(f"bad loader parameters {params!r}: {exc}", source=str(path)) from None


def _from_registry(name: str, params: dict[str, Any], registry: Registry | None) -> Dataset:
    registry = registry or _registry()
    entry = registry.find("dataset", name)
    if entry is None:
        if _looks_like_path(name):
            return _from_file(Path(name), params)
        raise DataError(
            registry.unknown_message("dataset", name) + " (or give a file path)", source=name
        )
    from lamina.build import check_params

    problems = check_params(entry, params, f"dataset {name!r}", registry) if entry.params else []
    if problems:
        raise DataError("; ".join(str(p) for p in problems), source=name)
    try:
        ds = entry.obj(**params)
    except DataError:
        raise
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"cannot make dataset {name!r} with {params!r}: {exc}", source=name
        ) from None
    if not isinstance(ds, Dataset):
        raise DataError(
            f"dataset {name!r} returned {type(ds).__name__}, not a Dataset", source=name
        )
    return ds
