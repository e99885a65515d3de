"""A cache of the catalogue's metadata, so the app's palette fills before the engine is up.

The engine (and the CLI, when the cache is stale) writes ``<lamina home>/catalog.json``
whenever it loads the catalogue; `load_cached_catalog` reads it without importing
TensorFlow (or the plug-ins). The file also holds the key of what the catalogue
depends on (`lamina.catalog_key`) and the look-up tables the CLI needs to answer
``lamina catalog NAME`` exactly as the live catalogue would.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

CACHE_FORMAT = "lamina-catalog-cache"


def cache_path() -> Path:
    """Returns ``lamina_home() / "catalog.json"``."""
    from lamina.paths import lamina_home

    return lamina_home() / "catalog.json"


def save_catalog(
    data: dict[str, Any],
    path: str | Path | None = None,
    key: dict[str, Any] | None = None,
    lookup: dict[str, Any] | None = None,
) -> Path:
    """Writes the catalogue (``Registry.to_dict()``) atomically and returns the path.

    Args:
        data: The catalogue's metadata.
        path: The file; defaults to `cache_path()`.
        key: What the catalogue depends on (`lamina.catalog_key.catalog_key`), taken
            when it was loaded; None marks the cache as stale for the CLI.
        lookup: ``Registry.lookup_tables()``, for the CLI.
    """
    import lamina
    from lamina.atomic import atomic_write_text

    path = Path(path) if path is not None else cache_path()
    wrapped = {
        "format": CACHE_FORMAT,
        "lamina": lamina.__version__,
        "saved": time.time(),
        "key": key,
        "lookup": lookup,
        "catalog": data,
    }
    return atomic_write_text(path, json.dumps(wrapped, default=str) + "\n")


def save_registry(registry: Any, key: dict[str, Any], path: str | Path | None = None) -> Path:
    """Writes a loaded `Registry` with its key (see `save_catalog`)."""
    return save_catalog(registry.to_dict(), path, key=key, lookup=registry.lookup_tables())


def load_cache_file(path: str | Path | None = None) -> dict[str, Any] | None:
    """Returns the whole cache file (format, key, look-up tables, catalogue), or None."""
    path = Path(path) if path is not None else cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    return data if isinstance(data.get("catalog"), dict) else None


def load_cached_catalog(path: str | Path | None = None) -> dict[str, Any] | None:
    """Returns the cached catalogue (as `save_catalog` got it), or None if absent or unreadable.

    Never imports TensorFlow. A cache from another lamina version is still returned
    (the engine's fresh catalogue replaces it once the engine is ready).
    """
    data = load_cache_file(path)
    return None if data is None else data["catalog"]


SCHEMA_FORMAT = "lamina-schema-cache"


def spec_schema_text() -> str:
    """The spec's JSON Schema as ``lamina schema`` prints it, cached next to the catalogue.

    The schema depends on lamina's own source only, so the cache is keyed by lamina's
    version and its source files (`lamina.catalog_key.catalog_key`'s ``sources``); a
    stale or unreadable cache is rewritten (which needs no TensorFlow either).
    """
    from lamina.atomic import atomic_write_text
    from lamina.catalog_key import catalog_key

    current = catalog_key()
    key = [current["lamina"], current["sources"]]
    path = cache_path().with_name("schema.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") == SCHEMA_FORMAT and data.get("key") == key:
            return str(data["text"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError, KeyError):
        pass
    from lamina.spec import json_schema

    text = json.dumps(json_schema(), indent=2)
    with contextlib.suppress(OSError):  # a read-only home: the schema is still printed
        atomic_write_text(path, json.dumps({"format": SCHEMA_FORMAT, "key": key, "text": text}))
    return text
