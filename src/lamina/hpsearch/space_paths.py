"""Paths of a search space in a spec: read, resolved to a canonical path, and set.

``layers[I].params.NAME``, ``ITEM_NAME.NAME``, a bare ``NAME``, ``compile.optimizer.type``,
``compile.optimizer.params.NAME`` and ``training.FIELD`` (see `lamina.hpsearch.space`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lamina.hpsearch.errors import SearchError
from lamina.registry import Entry, Registry
from lamina.spec import ModelSpec

#: Kinds of catalogue entries an item of the stack can name.
ITEM_KINDS = ("layer", "head", "architecture")
#: Numeric fields of ``training`` a space may vary.
TRAINING_FIELDS = {
    "epochs": "int",
    "batch_size": "int",
    "validation_split": "float",
    "seed": "int",
    "shuffle": "bool",
    "standardize": "bool",
}
_ITEM = re.compile(r"^layers\[(-?\d+)\]\.params\.([A-Za-z_]\w*)$")
_NAMED = re.compile(r"^([A-Za-z0-9_.\-]+)\.([A-Za-z_]\w*)$")


def read_space(obj: Any) -> Any:
    """The space's JSON from a dict, JSON text, a file path or a `SearchSpace`."""
    if isinstance(obj, Path) or (isinstance(obj, str) and not obj.lstrip().startswith("{")):
        path = Path(obj)
        try:
            text = path.read_text()
        except OSError as exc:
            raise SearchError(
                f"cannot read the space file ({exc.strerror})", location=str(path)
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SearchError(
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                location=str(path),
            ) from None
    if isinstance(obj, str):
        try:
            return json.loads(obj)
        except json.JSONDecodeError as exc:
            raise SearchError(f"malformed JSON: {exc.msg}", location="space") from None
    if hasattr(obj, "to_json"):  # a SearchSpace
        return obj.to_json()
    return obj


def _item_entry(spec: ModelSpec, index: int, registry: Registry) -> Entry | None:
    name = spec.layers[index].type
    for kind in ITEM_KINDS:
        entry = registry.find(kind, name)
        if entry is not None:
            return entry
    return None


def _item_schema(
    spec: ModelSpec, index: int, name: str, registry: Registry, where: str
) -> tuple[str, Any, str]:
    n = len(spec.layers)
    if not -n <= index < n:
        raise SearchError(
            f"the spec has {n} items",
            location=where,
            hint=f"items are layers[0] to layers[{n - 1}]" if n else "add items to the spec",
        )
    index %= n
    entry = _item_entry(spec, index, registry)
    path = f"layers[{index}].params.{name}"
    if entry is None:
        raise SearchError(
            f"layers[{index}] names {spec.layers[index].type!r}, which is not in the catalogue",
            location=where,
        )
    param = entry.param(name)
    if param is None and entry.params:
        known = ", ".join(p.name for p in entry.params)
        raise SearchError(
            f"{entry.name} has no parameter {name!r}", location=where, hint=f"it has: {known}"
        )
    return path, param, entry.name


def resolve_path(key: str, spec: ModelSpec, registry: Registry, where: str) -> tuple[str, Any, str]:
    """The canonical path of `key`, the schema it obeys (a `Param`, a type or names), its owner."""
    m = _ITEM.match(key)
    if m:
        return _item_schema(spec, int(m.group(1)), m.group(2), registry, where)
    if key == "compile.optimizer.type":
        return key, ("optimizer", registry.names("optimizer")), "compile.optimizer"
    if key.startswith("compile.optimizer.params."):
        name = key.rsplit(".", 1)[1]
        entry = registry.find("optimizer", spec.compile.optimizer.type)
        param = entry.param(name) if entry is not None else None
        if entry is not None and param is None:
            known = ", ".join(p.name for p in entry.params)
            raise SearchError(
                f"{entry.name} has no parameter {name!r}", location=where, hint=f"it has: {known}"
            )
        return key, param, spec.compile.optimizer.type
    if key.startswith("training."):
        name = key.split(".", 1)[1]
        if name not in TRAINING_FIELDS:
            raise SearchError(
                f"training has no numeric setting {name!r}",
                location=where,
                hint=f"a search can vary: {', '.join('training.' + f for f in TRAINING_FIELDS)}",
            )
        return key, TRAINING_FIELDS[name], "training"
    m = _NAMED.match(key)
    if m and not key.startswith("compile."):
        item, name = m.groups()
        for i, it in enumerate(spec.layers):
            if it.name == item:
                return _item_schema(spec, i, name, registry, where)
        raise SearchError(
            f"no item of the spec is called {item!r}",
            location=where,
            hint="write layers[I].params.NAME, or name the item in the spec",
        )
    if re.fullmatch(r"[A-Za-z_]\w*", key):
        return _bare(key, spec, registry, where)
    raise SearchError(
        "not a path of the spec",
        location=where,
        hint="write layers[I].params.NAME, ITEM_NAME.NAME, compile.optimizer.type, "
        "compile.optimizer.params.NAME or training.FIELD",
    )


def _bare(name: str, spec: ModelSpec, registry: Registry, where: str) -> tuple[str, Any, str]:
    holders = [i for i, it in enumerate(spec.layers) if name in it.params]
    if not holders:
        holders = [
            i
            for i in range(len(spec.layers))
            if (e := _item_entry(spec, i, registry)) is not None and e.param(name) is not None
        ]
    if len(holders) > 1 and holders[-1] == len(spec.layers) - 1:
        holders = holders[:-1]  # the output item is fixed by the data
    if len(holders) == 1:
        return _item_schema(spec, holders[0], name, registry, where)
    if not holders:
        raise SearchError(f"no item of the spec has a parameter {name!r}", location=where)
    places = ", ".join(f"layers[{i}].params.{name}" for i in holders)
    raise SearchError(
        f"{len(holders)} items have a parameter {name!r}",
        location=where,
        hint=f"write one of {places}",
    )


def apply_values(spec: ModelSpec, values: Mapping[str, Any]) -> ModelSpec:
    """Returns a copy of `spec` with `values` (canonical path -> value) set.

    Raises:
        SpecError: If the result is not a valid spec (located at the changed field).
    """
    layers = [it.model_dump(mode="json") for it in spec.layers]
    compile_ = spec.compile.model_dump(mode="json")
    training = spec.training.model_dump(mode="json")
    changed: set[str] = set()
    for path, value in values.items():
        m = _ITEM.match(path)
        if m:
            layers[int(m.group(1))]["params"][m.group(2)] = value
            changed.add("layers")
        elif path == "compile.optimizer.type":
            compile_["optimizer"]["type"] = value
            changed.add("compile")
        elif path.startswith("compile.optimizer.params."):
            compile_["optimizer"].setdefault("params", {})[path.rsplit(".", 1)[1]] = value
            changed.add("compile")
        elif path.startswith("training."):
            training[path.split(".", 1)[1]] = value
            changed.add("training")
        else:
            raise SearchError(f"not a canonical path: {path!r}", location="space")
    new = {"layers": layers, "compile": compile_, "training": training}
    return spec.copy_with(**{k: new[k] for k in changed})
