"""The catalogue cache, where the engine's users have always found it.

The cache itself lives in `lamina.catalog_cache` (outside the engine package, so the
command line reads it without importing the engine's protocol).
"""

from lamina.catalog_cache import (
    CACHE_FORMAT,
    cache_path,
    load_cache_file,
    load_cached_catalog,
    save_catalog,
    save_registry,
)

__all__ = [
    "CACHE_FORMAT",
    "cache_path",
    "load_cache_file",
    "load_cached_catalog",
    "save_catalog",
    "save_registry",
]
