"""Spec diffs: what changed between two specs, parameter by parameter."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lamina.spec import ModelSpec


@dataclass(frozen=True)
class Change:
    """One difference between two specs.

    Args:
        path: Where, as in spec errors: ``layers[2].params.units``, ``compile.optimizer``.
        before: The value in the first spec (`None` where the item is added).
        after: The value in the second spec (`None` where the item is removed).
        kind: ``"changed"``, ``"added"`` or ``"removed"``.
    """

    path: str
    before: Any
    after: Any
    kind: str = "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {_show(self.after)}"
        if self.kind == "removed":
            return f"- {self.path}: {_show(self.before)}"
        return f"~ {self.path}: {_show(self.before)} -> {_show(self.after)}"


_MISSING = object()


def _key(value: Any) -> str:
    return "<missing>" if value is _MISSING else repr(value)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = value


def flatten_spec(spec: ModelSpec | dict[str, Any]) -> dict[str, Any]:
    """Every leaf of a spec by its path: ``layers[1].type``, ``layers[1].params.units``.

    Args:
        spec: A `ModelSpec` or its dict.
    """
    data = spec.to_dict() if isinstance(spec, ModelSpec) else dict(spec)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "layers":
            for i, item in enumerate(value or []):
                _flatten(f"layers[{i}]", item, out)
        else:
            _flatten(key, value, out)
    return out


def _diff_values(path: str, a: Any, b: Any, out: list[Change]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append(Change(sub, a[k], None, "removed"))
            elif k not in a:
                out.append(Change(sub, None, b[k], "added"))
            else:
                _diff_values(sub, a[k], b[k], out)
    elif a != b:
        out.append(Change(path, a, b))


def _item_key(item: dict[str, Any]) -> str:
    return str(item.get("type"))


def spec_diff(a: ModelSpec | dict[str, Any], b: ModelSpec | dict[str, Any]) -> list[Change]:
    """The differences from spec `a` to spec `b`: item by item, parameter by parameter.

    Items are matched by type in order (as ``diff`` matches lines), so an inserted layer
    shows as one added item rather than as every later item changed. Paths use the index
    in `b` for added and changed items and the index in `a` for removed ones.

    Args:
        a: The first spec (a `ModelSpec` or its dict).
        b: The second spec.
    """
    da = a.to_dict() if isinstance(a, ModelSpec) else dict(a)
    db = b.to_dict() if isinstance(b, ModelSpec) else dict(b)
    out: list[Change] = []
    for key in list(da) + [k for k in db if k not in da]:
        if key == "layers":
            continue
        _diff_values(key, da.get(key), db.get(key), out)
    la, lb = list(da.get("layers") or []), list(db.get("layers") or [])
    matcher = difflib.SequenceMatcher(
        a=[_item_key(x) for x in la], b=[_item_key(x) for x in lb], autojunk=False
    )
    layer_changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                _diff_values(f"layers[{j}]", la[i], lb[j], layer_changes)
            continue
        for i in range(i1, i2):
            layer_changes.append(Change(f"layers[{i}]", la[i], None, "removed"))
        for j in range(j1, j2):
            layer_changes.append(Change(f"layers[{j}]", None, lb[j], "added"))
    # items first (the order a user reads a stack in), then compile and training
    return layer_changes + out


def differing_paths(flats: Sequence[Mapping[str, Any]]) -> list[str]:
    """The paths whose values differ between flattened specs (`flatten_spec`), in spec order."""
    paths: list[str] = []
    for flat in flats:
        paths += [p for p in flat if p not in paths]
    return [p for p in paths if len({_key(f.get(p, _MISSING)) for f in flats}) > 1]
