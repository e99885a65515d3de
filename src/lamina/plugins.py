"""Finding and loading plug-ins, and building the registry from their hooks.

lamina's own plug-ins are registered in code, before any other (as pytest's
``default_plugins``), so an uninstalled checkout has the whole catalogue too:

1. ``builtin`` (layers, losses, optimizers, templates, datasets, visualizations) is
   always loaded: ``LAMINA_PLUGINS`` and ``LAMINA_DISABLE_PLUGINS`` do not apply to it;
2. ``probability`` (TensorFlow Probability heads and Bayesian layers) and ``graph``
   (spektral graph layers) are loaded too, but may be left out on purpose, e.g.
   ``LAMINA_DISABLE_PLUGINS=probability,graph`` to skip importing TFP and spektral.

Other plug-ins are found in three places, in this order:

1. the ``lamina`` entry-point group of installed distributions (an entry point that
   names one of lamina's own plug-in modules, left by an older install, is ignored);
2. the user plug-in folder, ``~/.lamina/plugins`` (``$LAMINA_HOME/plugins`` when
   ``LAMINA_HOME`` is set): every ``*.py`` file there is a plug-in;
3. extra folders listed in ``LAMINA_PLUGIN_PATH`` (separated by ``os.pathsep``).

``LAMINA_PLUGINS=probability,astro`` loads only the named plug-ins (and ``builtin``);
``LAMINA_DISABLE_PLUGINS=astro`` loads all but those.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.metadata
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from lamina import hookspecs
from lamina.paths import lamina_home
from lamina.registry import HOOK_KINDS, PluginInfo, Registry

ENTRY_POINT_GROUP = "lamina"
ENV_ONLY = "LAMINA_PLUGINS"
ENV_DISABLE = "LAMINA_DISABLE_PLUGINS"
ENV_PATH = "LAMINA_PLUGIN_PATH"

#: lamina's own plug-ins (name -> module), registered in code in this order.
BUILTIN_PLUGINS: dict[str, str] = {
    "builtin": "lamina_builtin.plugin",
    "probability": "lamina_probability.plugin",
    "graph": "lamina_graph.plugin",
}
#: Plug-ins that the environment variables cannot leave out.
ALWAYS_LOADED: frozenset[str] = frozenset({"builtin"})


def user_plugin_dirs() -> list[Path]:
    """Returns the folders searched for single-file plug-ins."""
    dirs = [lamina_home() / "plugins"]
    extra = os.environ.get(ENV_PATH, "")
    dirs += [Path(p) for p in extra.split(os.pathsep) if p.strip()]
    return dirs


@dataclass
class PluginCandidate:
    """A plug-in that was found but not yet imported.

    Args:
        name: The plug-in's name.
        source: Where it comes from, as shown by ``lamina plugins``.
        version: The providing distribution and its version, if known.
        load: Imports the plug-in and returns its module (or object).
    """

    name: str
    source: str
    version: str
    load: Callable[[], Any]

    def import_it(self) -> Any:
        """Imports the plug-in and returns its module (or object)."""
        return self.load()


def _env_names(var: str) -> set[str] | None:
    value = os.environ.get(var)
    if value is None:
        return None
    return {n.strip() for n in value.split(",") if n.strip()}


def builtin_candidates(names: Iterable[str] | None = None) -> list[PluginCandidate]:
    """Returns lamina's own plug-ins (all, or those in `names`), not yet imported."""
    from lamina import __version__

    return [
        PluginCandidate(
            name,
            f"built in ({module})",
            f"lamina {__version__}",
            functools.partial(importlib.import_module, module),
        )
        for name, module in BUILTIN_PLUGINS.items()
        if names is None or name in names
    ]


def _entry_point_candidates() -> list[PluginCandidate]:
    """Returns the ``lamina`` entry points, minus those naming lamina's own plug-ins."""
    own = set(BUILTIN_PLUGINS.values())
    found: list[PluginCandidate] = []
    eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    for ep in sorted(eps, key=lambda e: e.name):
        if ep.module in own or any(ep.name == c.name for c in found):
            continue
        dist = ep.dist
        version = f"{dist.name} {dist.version}" if dist is not None else ""
        found.append(PluginCandidate(ep.name, f"entry point {ep.value}", version, ep.load))
    return found


def discover(
    entry_points: bool = True, folders: Iterable[Path] | None = None, builtins: bool = True
) -> list[PluginCandidate]:
    """Finds plug-ins without importing them.

    Args:
        entry_points: Whether to look at the ``lamina`` entry-point group.
        folders: Folders of single-file plug-ins; defaults to `user_plugin_dirs()`.
        builtins: Whether to start with lamina's own plug-ins (`BUILTIN_PLUGINS`).
    """
    found = builtin_candidates() if builtins else []
    if entry_points:
        found += _entry_point_candidates()
    for folder in user_plugin_dirs() if folders is None else folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            load = functools.partial(_import_file, path)
            found.append(PluginCandidate(path.stem, str(path), "", load))
    return found


def _import_file(path: Path) -> ModuleType:
    module_name = f"lamina_user_plugin_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _short_error(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" (at {Path(last.filename).name}:{last.lineno})"
    return f"{type(exc).__name__}: {exc}{where}"


def make_plugin_manager(
    candidates: Sequence[PluginCandidate] | None = None,
    extra: Iterable[tuple[str, Any]] = (),
) -> tuple[pluggy.PluginManager, dict[str, PluginInfo]]:
    """Creates a plug-in manager and registers every plug-in that imports cleanly.

    Args:
        candidates: Plug-ins to load; defaults to `discover()`, which starts with
            lamina's own plug-ins.
        extra: ``(name, module_or_object)`` pairs registered directly (used by tests
            and by `lamina.testing`).

    Returns:
        The manager, and a ``{name: PluginInfo}`` report covering failures too.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    only = _env_names(ENV_ONLY)
    disabled = _env_names(ENV_DISABLE) or set()
    for cand in discover() if candidates is None else candidates:
        left_out = (only is not None and cand.name not in only) or cand.name in disabled
        if left_out and cand.name not in ALWAYS_LOADED:
            continue
        if cand.name in infos:
            infos[cand.name].problems.append(
                f"a second plug-in named {cand.name!r} was ignored ({cand.source})"
            )
            continue
        info = PluginInfo(name=cand.name, source=cand.source, version=cand.version)
        infos[cand.name] = info
        try:
            plugin = cand.import_it()
        except BaseException as exc:  # noqa: BLE001 - any import failure is reported
            if isinstance(exc, KeyboardInterrupt):
                raise
            info.loaded = False
            info.problems.append(f"failed to import: {_short_error(exc)}")
            continue
        _register(pm, cand.name, plugin, info)
    for name, plugin in extra:
        info = PluginInfo(name=name, source=getattr(plugin, "__name__", repr(plugin)))
        infos[name] = info
        _register(pm, name, plugin, info)
    return pm, infos


def _register(pm: pluggy.PluginManager, name: str, plugin: Any, info: PluginInfo) -> None:
    unknown = _unknown_hooks(pm, plugin)
    if unknown:
        info.loaded = False
        info.problems.extend(unknown)
        return
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        info.loaded = False
        info.problems.append(f"invalid hook implementation: {exc}")


def _unknown_hooks(pm: pluggy.PluginManager, plugin: Any) -> list[str]:
    """Returns messages for functions marked as hooks that lamina does not define."""
    problems = []
    for attr in dir(plugin):
        try:
            opts = pm.parse_hookimpl_opts(plugin, attr)
        except Exception:  # noqa: BLE001 - odd attributes are not hooks
            continue
        if opts is None:
            continue
        if not hasattr(pm.hook, attr) or getattr(pm.hook, attr).spec is None:
            close = difflib.get_close_matches(attr, list(HOOK_KINDS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"unknown hook {attr!r}{hint}")
    return problems


def build_registry(
    pm: pluggy.PluginManager | None = None, infos: dict[str, PluginInfo] | None = None
) -> Registry:
    """Builds the catalogue by calling every plug-in's ``register_*`` hooks.

    A hook that raises is reported against its plug-in; other plug-ins (and the
    entries the failing one registered before raising) still load.

    Args:
        pm: A plug-in manager; defaults to `make_plugin_manager()`.
        infos: The load report that goes with `pm`.
    """
    if pm is None:
        pm, infos = make_plugin_manager()
    registry = Registry()
    registry.plugins = dict(infos or {})
    for hook_name, kind in HOOK_KINDS.items():
        caller = getattr(pm.hook, hook_name)
        for impl in caller.get_hookimpls():  # registration order: lamina's own plug-ins first
            plugin = impl.plugin_name
            registry.plugins.setdefault(plugin, PluginInfo(name=plugin, source="?"))
            register = registry.make_register(kind, plugin)
            try:
                impl.function(register=register)
            except Exception as exc:  # noqa: BLE001 - a broken plug-in must not stop lamina
                registry.plugins[plugin].problems.append(f"{hook_name} raised {_short_error(exc)}")
    _register_custom_objects(registry)
    return registry


def _register_custom_objects(registry: Registry) -> None:
    """Makes lamina's custom classes known to Keras so saved models reload."""
    from lamina.function_loss import REGISTERED_NAME, LaminaFunctionLoss
    from lamina.keras import keras

    objects = keras.utils.get_custom_objects()
    objects.setdefault(REGISTERED_NAME, LaminaFunctionLoss)  # function losses with parameters
    for kind in ("layer", "loss", "activation"):
        for entry in registry.entries(kind):
            module = getattr(entry.obj, "__module__", "") or ""
            if module.startswith("tf_keras"):
                continue
            objects.setdefault(entry.name, entry.obj)
            qualname = getattr(entry.obj, "__name__", None)
            if qualname:
                objects.setdefault(qualname, entry.obj)


_REGISTRY: Registry | None = None


def get_registry(refresh: bool = False) -> Registry:
    """Returns the process-wide registry, building it on first use.

    Args:
        refresh: Rebuild it (e.g. after installing a plug-in).
    """
    global _REGISTRY
    if _REGISTRY is None or refresh:
        _REGISTRY = build_registry()
    return _REGISTRY


def set_registry(registry: Registry | None) -> Registry | None:
    """Replaces the process-wide registry (used by `lamina.testing`); returns the old one."""
    global _REGISTRY
    old, _REGISTRY = _REGISTRY, registry
    return old
