"""``lamina plugins``, ``lamina catalog`` and ``lamina schema``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from lamina.registry import KINDS


def add_parsers(sub: Any) -> None:
    """Adds ``plugins``, ``catalog`` and ``schema`` to the command line."""
    p = sub.add_parser("plugins", help="list loaded and failed plug-ins, with reasons")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--entries",
        metavar="NAME",
        help="list what plug-in NAME contributed (kind, name, summary) and where each "
        "entry appears in the app",
    )
    p.set_defaults(func=run_plugins)

    p = sub.add_parser("catalog", help="list catalogue entries")
    p.add_argument("--kind", choices=KINDS, help="only entries of this kind")
    p.add_argument("--category", help="only entries of this palette category")
    p.add_argument("--json", action="store_true", help="print JSON metadata")
    p.add_argument("name", nargs="?", help="show one entry with its parameters")
    p.set_defaults(func=run_catalog)

    p = sub.add_parser("schema", help="print the JSON Schema of the model spec")
    p.set_defaults(func=run_schema)


def run_plugins(args: argparse.Namespace) -> int:
    """Prints the loaded and failed plug-ins (``lamina plugins``)."""
    from lamina.cli.catalog_text import print_view
    from lamina.cli.catalog_view import cli_catalog

    if args.entries:
        return run_plugin_entries(args.entries, args.json)
    reg = cli_catalog()
    infos = list(reg.plugins.values())
    if args.json:
        print(json.dumps([vars(i) for i in infos], indent=2))
        return 0

    def draw() -> str:
        from rich.table import Table

        from lamina.cli.catalog_text import draw_table

        table = Table(title="lamina plug-ins")
        for col in ("plug-in", "status", "source", "version", "problems"):
            table.add_column(col, overflow="fold")
        for info in infos:
            status = "loaded" if info.ok else ("loaded with problems" if info.loaded else "FAILED")
            table.add_row(info.name, status, info.source, info.version, "\n".join(info.problems))
        return draw_table(table)

    print_view(reg, ["plugins"], draw)
    failed = [i for i in infos if not i.ok]
    if failed:
        print(f"{len(failed)} plug-in(s) with problems; all other entries loaded.")
    return 0


def run_plugin_entries(plugin: str, as_json: bool) -> int:
    """Prints one plug-in's entries and where the app shows them (``--entries NAME``)."""
    from rich.console import Console
    from rich.table import Table

    from lamina.api import registry
    from lamina.entry_places import plugin_entries

    reg = registry()
    entries = plugin_entries(plugin, reg)
    info = reg.plugins[plugin]
    if as_json:
        out = {**vars(info), "entries": [e.to_dict() for e in entries]}
        print(json.dumps(out, indent=2))
        return 0
    table = Table(title=f"plug-in {plugin}: {len(entries)} entries")
    for col in ("kind", "name", "summary", "in the app"):
        table.add_column(col, overflow="fold")
    for e in entries:
        table.add_row(e.kind, e.name, e.summary, "\n".join(e.places))
    Console(width=160).print(table)
    for problem in info.problems:
        print(f"problem: {problem}")
    if not info.loaded:
        print(f"plug-in {plugin} failed to load: none of its entries are in the catalogue.")
    return 0


def run_catalog(args: argparse.Namespace) -> int:
    """Prints catalogue entries, or one entry with its parameters (``lamina catalog``)."""
    from lamina.cli.catalog_text import print_view
    from lamina.cli.catalog_view import cli_catalog

    reg = cli_catalog()
    if args.name:
        return _show_entry(reg, args.name, args.kind, args.json)
    entries = reg.entries(args.kind, args.category)
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return 0

    def draw() -> str:
        from rich.table import Table

        from lamina.cli.catalog_text import draw_table

        table = Table(title=f"lamina catalogue ({len(entries)} entries)")
        for col in ("kind", "name", "category", "plug-in", "summary"):
            table.add_column(col, overflow="fold")
        for e in entries:
            table.add_row(e.kind, e.name, e.category, e.plugin, e.summary)
        return draw_table(table)

    print_view(reg, ["catalog", args.kind or "", args.category or ""], draw)
    return 0


def _show_entry(reg: Any, name: str, kind: str | None, as_json: bool) -> int:
    from rich.console import Console
    from rich.table import Table

    from lamina.cli import CommandError
    from lamina.cli.catalog_view import default_text

    matches = [e for k in ([kind] if kind else KINDS) if (e := reg.find(k, name))]
    if not matches:
        raise CommandError(
            reg.unknown_message(kind or "entry", name, kinds=(kind,) if kind else KINDS)
        )
    for entry in matches:
        if as_json:
            print(json.dumps(entry.to_dict(), indent=2))
            continue
        print(f"{entry.name}  ({entry.kind}, {entry.category or '-'}, from plug-in {entry.plugin})")
        print(f"  {entry.summary}")
        table = Table()
        for col in ("parameter", "type", "default", "help"):
            table.add_column(col, overflow="fold")
        for p in entry.params:
            default = "(required)" if p.required else default_text(p)
            table.add_row(p.name, p.type, default, p.help)
        Console(width=160).print(table)
    return 0


def run_schema(args: argparse.Namespace) -> int:
    """Prints the JSON Schema of the model spec (``lamina schema``)."""
    from lamina.catalog_cache import spec_schema_text

    print(spec_schema_text())
    return 0
