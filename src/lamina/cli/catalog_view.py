"""The catalogue as the CLI reads it: from the cache when it is up to date, else loaded.

``lamina catalog`` and ``lamina plugins`` need only the catalogue's metadata, which the
cache (`lamina.engine.catalog_cache`) holds. While its key (`lamina.catalog_key`)
matches this process, they answer from it without importing TensorFlow or any plug-in;
otherwise the catalogue is loaded (once, importing TensorFlow), the cache rewritten,
and a note on stderr says so. Both paths print the same: `CachedCatalog` answers the
few questions the commands ask exactly as `lamina.registry.Registry` does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lamina.registry import PluginInfo, unknown_text


@dataclass(frozen=True)
class CachedParam:
    """A parameter of a cached entry: what ``lamina catalog NAME`` shows."""

    name: str
    type: str
    required: bool
    help: str
    default_text: str


@dataclass(frozen=True)
class CachedEntry:
    """A catalogue entry read from the cache (metadata only, no code)."""

    data: Mapping[str, Any]
    params: tuple[CachedParam, ...]

    def __getattr__(self, name: str) -> Any:
        if name in ("kind", "name", "plugin", "category", "summary"):
            return self.data[name]
        raise AttributeError(name)

    def to_dict(self) -> dict[str, Any]:
        """The entry's metadata, as ``Entry.to_dict()`` gave it when the cache was written."""
        return dict(self.data)


class CachedCatalog:
    """The parts of `Registry` the CLI uses, answered from the cache file's contents."""

    def __init__(self, cache: Mapping[str, Any]) -> None:
        #: When the cache file was written: the drawn tables are cached with it.
        self.stamp = cache.get("saved")
        lookup = cache["lookup"]
        catalog = cache["catalog"]
        self.names: dict[str, list[str]] = lookup["names"]
        self.aliases: dict[str, dict[str, str]] = lookup["aliases"]
        reprs = lookup["default_reprs"]
        self._sorted = [self._entry(e, reprs[e["kind"]][e["name"]]) for e in catalog["entries"]]
        self._by_name = {(e.kind, e.name): e for e in self._sorted}
        self.plugins = {p["name"]: PluginInfo(**p) for p in catalog["plugins"]}

    @staticmethod
    def _entry(data: Mapping[str, Any], default_reprs: list[str]) -> CachedEntry:
        params = tuple(
            CachedParam(p["name"], p["type"], p["required"], p["help"], text)
            for p, text in zip(data["params"], default_reprs, strict=True)
        )
        return CachedEntry(data, params)

    def entries(self, kind: str | None = None, category: str | None = None) -> list[CachedEntry]:
        """Entries of a kind and/or category, in `Registry.entries` order."""
        return [
            e
            for e in self._sorted
            if (kind is None or e.kind == kind) and (category is None or e.category == category)
        ]

    def find(self, kind: str, name: str) -> CachedEntry | None:
        """The entry of `kind` called `name` (or one of its aliases), or None."""
        if kind not in self.names:
            return None
        name = self.aliases[kind].get(name, name)
        return self._by_name.get((kind, name))

    def unknown_message(self, kind: str, name: str, kinds: tuple[str, ...] = ()) -> str:
        """As `Registry.unknown_message`."""
        pool: list[str] = []
        for k in kinds or (kind,):
            pool += list(self.names[k]) + list(self.aliases[k])
        return unknown_text(kind, name, pool, list(self.plugins.values()))


def default_text(param: Any) -> str:
    """The default column of ``lamina catalog NAME`` for a live or a cached parameter."""
    if isinstance(param, CachedParam):
        return param.default_text
    return repr(param.default)


def cli_catalog() -> Any:
    """The catalogue for ``lamina catalog`` / ``lamina plugins``.

    The process's own registry if it has one already (a script or a test set it); else
    the cache if it is up to date; else the loaded catalogue, written to the cache.
    """
    from lamina.catalog_cache import load_cache_file, save_registry
    from lamina.catalog_key import catalog_key, stale_parts

    loaded = sys.modules.get("lamina.plugins")  # not imported: no registry yet (and fast)
    if loaded is not None and loaded._REGISTRY is not None:
        return loaded._REGISTRY
    key = catalog_key()
    cache = load_cache_file()
    changed = stale_parts(None if cache is None else cache.get("key"), key)
    if cache is not None and not changed:
        try:
            return CachedCatalog(cache)
        except (KeyError, TypeError, ValueError, AttributeError):
            changed = ["the cache file's contents"]
    print(
        f"lamina: loading the catalogue and rewriting its cache ({_reason(changed)}); "
        "the next commands answer from the cache",
        file=sys.stderr,
    )
    from lamina.plugins import get_registry

    registry = get_registry()
    try:
        save_registry(registry, key)
    except OSError as exc:
        print(f"lamina: cannot write the catalogue cache: {exc}", file=sys.stderr)
    return registry


def _reason(changed: Iterable[str]) -> str:
    parts = list(changed)
    if parts == ["no catalogue cache yet"]:
        return "no cache yet"
    return "changed: " + ", ".join(parts)


__all__ = ["CachedCatalog", "CachedEntry", "CachedParam", "cli_catalog", "default_text"]
