"""Helpers the views share: catalogue entries, spec paths, undoable spec edits, reply ids."""

from __future__ import annotations

from typing import Any


def catalog_entries(catalog: dict[str, Any] | None, kind: str) -> list[dict[str, Any]]:
    """Returns the catalogue entries of `kind` (from `catalog` or the on-disk cache)."""
    if catalog is None:
        from lamina.engine.catalog_cache import load_cached_catalog

        catalog = load_cached_catalog() or {}
    return [e for e in catalog.get("entries", []) if e.get("kind") == kind]


def entries_by_name(state: Any, catalog: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    """The entries of `kind` by name, from `catalog`, else the state's, else the cache."""
    if catalog is None:
        catalog = getattr(state, "catalog", None)
    return {e["name"]: e for e in catalog_entries(catalog, kind)}


def get_path(spec: dict[str, Any], path: str, default: Any = None) -> Any:
    """Returns ``spec[a][b]`` for ``path="a.b"``, or `default`."""
    node: Any = spec
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return default
        node = node[key]
    return node


def _set_path(spec: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    node = spec
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value


def edit_spec(state: Any, values: dict[str, Any], text: str, merge_key: str = "") -> str | None:
    """Applies `values` (dotted paths) to the spec as one undoable edit (`AppState.apply`).

    Returns None, or the spec problem that stopped the edit.
    """
    spec = state.spec.to_dict()
    if all(get_path(spec, p) == v for p, v in values.items()):
        return None
    for path, value in values.items():
        _set_path(spec, path, value)
    try:
        state.apply(spec, text, merge_key=merge_key)
    except ValueError as exc:  # SpecError
        return str(exc)
    return None


def request_id(value: Any) -> int | None:
    """The id of an engine message (Reply/Event), or None."""
    return getattr(value, "id", None)
