"""A cache of the catalogue's metadata, so the app's palette fills before the engine is up.

The engine writes ``<lamina home>/catalog.json`` whenever it loads the catalogue;
`load_cached_catalog` reads it without importing TensorFlow (or the plug-ins).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

CACHE_FORMAT = "lamina-catalog-cache"


def cache_path() -> Path:
    """Returns ``lamina_home() / "catalog.json"``."""
    from lamina.paths import lamina_home

    return lamina_home() / "catalog.json"


def save_catalog(data: dict[str, Any], path: str | Path | None = None) -> Path:
    """Writes the catalogue (``Registry.to_dict()``) atomically and returns the path."""
    import lamina
    from lamina.atomic import atomic_write_text

    path = Path(path) if path is not None else cache_path()
    wrapped = {
        "format": CACHE_FORMAT,
        "lamina": lamina.__version__,
        "saved": time.time(),
        "catalog": data,
    }
    return atomic_write_text(path, json.dumps(wrapped, default=str) + "\n")


def load_cached_catalog(path: str | Path | None = None) -> dict[str, Any] | None:
    """Returns the cached catalogue (as `save_catalog` got it), or None if absent or unreadable.

    Never imports TensorFlow. A cache from another lamina version is still returned
    (the engine's fresh catalogue replaces it once the engine is ready).
    """
    path = Path(path) if path is not None else cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    catalog = data.get("catalog")
    return catalog if isinstance(catalog, dict) else None
