"""Handlers about the engine and the catalogue: ping, catalog, check, expand an architecture."""

from __future__ import annotations

import os
import sys

from lamina.engine.handlers.context import STATE, Context, registry
from lamina.engine.protocol import (
    Catalog,
    CatalogRequest,
    CheckReport,
    CheckRequest,
    EngineInfo,
    ExpandArchitectureRequest,
    ExpandedArchitecture,
    PingRequest,
    plain,
)


def ping(request: PingRequest, ctx: Context) -> EngineInfo:
    """The engine's process id, versions, Python, devices and niceness."""
    from lamina.training.devices import list_devices
    from lamina.training.run_info import versions

    devices = [{"name": d.name, "description": d.description} for d in list_devices()]
    return EngineInfo(
        pid=os.getpid(),
        versions=versions(),
        python=sys.executable,
        devices=devices,
        nice=os.nice(0) if hasattr(os, "nice") else 0,
    )


def catalog(request: CatalogRequest, ctx: Context) -> Catalog:
    """The catalogue's metadata; also written to the app's cache of it."""
    from lamina.catalog_cache import save_registry
    from lamina.catalog_key import catalog_key

    loaded = registry()
    data = loaded.to_dict()
    try:
        save_registry(loaded, catalog_key())
    except OSError as exc:  # a read-only home must not break the palette
        print(f"lamina engine: cannot write the catalogue cache: {exc}", file=sys.stderr)
    return Catalog(**data)


def check(request: CheckRequest, ctx: Context) -> CheckReport:
    """Checks the spec with the engine's cache of built prefixes."""
    from lamina.build import check as check_spec

    report = check_spec(request.spec, compile=request.compile, cache=STATE.check_cache)
    return CheckReport(**plain(report.to_dict()))


def expand_architecture(request: ExpandArchitectureRequest, ctx: Context) -> ExpandedArchitecture:
    """The spec of an architecture template."""
    from lamina.api import architecture

    return ExpandedArchitecture(spec=architecture(request.name, **request.params).to_dict())
