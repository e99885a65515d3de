"""``lamina check SPEC.json``: per-item shapes and parameter counts, or located errors."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parsers(sub: Any) -> None:
    """Adds ``check`` to the command line."""
    p = sub.add_parser("check", help="check a spec: per-item output shapes and parameter counts")
    p.add_argument("spec", help="a spec JSON file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--max-params",
        type=_positive_int,
        default=None,
        metavar="N",
        help="refuse models with more than N parameters "
        "(default: $LAMINA_MAX_PARAMS or 250,000,000)",
    )
    p.set_defaults(func=run_check)


def _positive_int(text: str) -> int:
    value = int(text.replace("_", ""))
    if value <= 0:
        raise ValueError(text)
    return value


def _shape(shape: list[int | None] | None) -> str:
    if shape is None:
        return "-"
    return "(" + ", ".join("None" if d is None else str(d) for d in [None, *shape]) + ")"


def run_check(args: argparse.Namespace) -> int:
    """Checks a spec file: each item's output shape and parameter count (``lamina check``)."""
    from rich.console import Console
    from rich.table import Table

    from lamina.build import check
    from lamina.spec import SpecError, load_spec

    try:
        spec = load_spec(args.spec)
    except SpecError as exc:
        if args.json:
            print(json.dumps({"ok": False, "problems": [vars(p) for p in exc.problems]}, indent=2))
            return 2
        raise
    report = check(spec, max_params=args.max_params)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0 if report.ok else 2
    table = Table(title=f"{spec.name}: input {_shape(report.input_shape)}")
    for col in ("#", "item", "layer name", "output shape", "params", "error"):
        table.add_column(col, overflow="fold")
    for item in report.items:
        error = item.error or ("" if item.checked else "not checked (an earlier item failed)")
        table.add_row(
            str(item.index),
            item.type,
            item.name,
            _shape(item.output_shape),
            f"{item.params:,}",
            error,
        )
    Console(width=160).print(table)
    if report.ok:
        print(f"total params: {report.total_params:,} (trainable {report.trainable_params:,})")
        return 0
    raise SpecError(report.problems, args.spec)
