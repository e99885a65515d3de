"""What the catalogue depends on, read without importing a plug-in (or TensorFlow).

The catalogue cache (`lamina.engine.catalog_cache`) stores this key with the catalogue;
the CLI answers ``lamina catalog`` / ``lamina plugins`` from the cache only while the
key is unchanged. The key holds:

- the installed distributions and their versions (the ``*.dist-info`` / ``*.egg-info``
  folders on ``sys.path``, which is where ``importlib.metadata`` finds them, with their
  modification times, so a reinstall of the same version counts too) and ``sys.path``;
- the user plug-in folders (``$LAMINA_HOME/plugins`` and ``LAMINA_PLUGIN_PATH``): the
  names and modification times of their ``*.py`` files;
- ``LAMINA_PLUGIN_PATH``, ``LAMINA_PLUGINS`` and ``LAMINA_DISABLE_PLUGINS``;
- lamina's version and the modification times of lamina's and its own plug-ins' source
  files (a developer's edit counts as a new version).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

#: The environment variables that choose which plug-ins load.
PLUGIN_VARIABLES = ("LAMINA_PLUGIN_PATH", "LAMINA_PLUGINS", "LAMINA_DISABLE_PLUGINS")
#: lamina's own packages whose source files are part of the key.
OWN_PACKAGES = ("lamina", "lamina_builtin", "lamina_probability", "lamina_graph")

#: key part -> what a change of it means, for the "rebuilding" note
PART_NAMES = {
    "lamina": "lamina's version",
    "sources": "lamina's source files",
    "python": "the Python environment",
    "distributions": "the installed distributions",
    "plugin_files": "the user plug-in folders",
    "variables": "LAMINA_PLUGIN_PATH / LAMINA_PLUGINS / LAMINA_DISABLE_PLUGINS",
}


def catalog_key() -> dict[str, Any]:
    """Returns the key of the catalogue this process would load (plain JSON data)."""
    from lamina import __version__
    from lamina.paths import lamina_home

    folders = [lamina_home() / "plugins"]
    extra = os.environ.get("LAMINA_PLUGIN_PATH", "")
    folders += [Path(p) for p in extra.split(os.pathsep) if p.strip()]
    return {
        "lamina": __version__,
        "sources": _digest(_source_stamps()),
        "python": [sys.prefix, *sys.path[1:]],  # [0] is the script's or current folder
        "distributions": _digest(_distribution_stamps()),
        "plugin_files": _plugin_file_stamps(folders),
        "variables": {name: os.environ.get(name) for name in PLUGIN_VARIABLES},
    }


def stale_parts(stored: Any, current: dict[str, Any]) -> list[str]:
    """Returns what changed between a stored key and the current one (empty: up to date)."""
    if not isinstance(stored, dict):
        return ["no catalogue cache yet"]
    return [PART_NAMES[k] for k in current if stored.get(k) != current[k]]


def _digest(stamps: list[str]) -> str:
    return hashlib.sha1("\n".join(stamps).encode("utf-8", "replace")).hexdigest()


def _distribution_stamps() -> list[str]:
    """``name-version.dist-info mtime`` of every distribution on ``sys.path``."""
    stamps = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                for item in it:
                    if item.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")):
                        stamps.append(f"{entry}/{item.name} {item.stat().st_mtime_ns}")
        except OSError:
            continue
    return sorted(stamps)


def _plugin_file_stamps(folders: list[Path]) -> list[list[Any]]:
    """``[path, mtime]`` of every ``*.py`` file in the plug-in folders."""
    stamps: list[list[Any]] = []
    for folder in folders:
        try:
            with os.scandir(folder) as it:
                files = sorted((i.name, i.stat().st_mtime_ns) for i in it if i.name.endswith(".py"))
        except OSError:
            stamps.append([str(folder), None])
            continue
        stamps += [[str(folder / name), mtime] for name, mtime in files]
    return stamps


def _source_stamps() -> list[str]:
    """``path mtime`` of the source files of lamina and its own plug-ins."""
    stamps = []
    for package in OWN_PACKAGES:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            stamps.append(f"{package} missing")
            continue
        for root in spec.submodule_search_locations:
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                for name in files:
                    if name.endswith(".py"):
                        path = os.path.join(folder, name)
                        try:
                            stamps.append(f"{path} {os.stat(path).st_mtime_ns}")
                        except OSError:
                            continue
    return sorted(stamps)
