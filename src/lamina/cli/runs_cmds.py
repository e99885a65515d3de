"""``lamina runs``, ``lamina compare`` and ``lamina tensorboard``: a project's runs side by side."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from lamina.run_columns import COLUMNS


def add_parsers(sub: Any) -> None:
    """Adds ``runs`` and ``compare`` to the command line."""
    p = sub.add_parser("runs", help="table of a project's runs: what differs, how they did")
    p.add_argument("project", help="a project folder")
    p.add_argument("--sort", choices=COLUMNS, help="sort by this column (best first for best_val)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_runs)

    p = sub.add_parser(
        "compare", help="two or more runs: spec diff, metric table and overlaid curves (PNG)"
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run folders (PROJECT/runs/RUN_ID)")
    p.add_argument(
        "--out", default="compare.png", help="the PNG of overlaid curves (default compare.png)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_compare)

    p = sub.add_parser(
        "tensorboard", help="serve a project's runs in TensorBoard (127.0.0.1, a free port)"
    )
    p.add_argument("project", help="a project folder")
    p.add_argument("--port", type=int, help="the port (default: a free one)")
    p.set_defaults(func=run_tensorboard)


def _number(value: float | None, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}g}"


def _changed(row: Any) -> str:
    return ", ".join(f"{path}={value!r}" for path, value in row.changed.items()) or "-"


def _best(row: Any) -> str:
    name, value = row.headline_val()
    if value is None:
        return "-"
    return f"{name} {_number(value)} (epoch {row.best_epoch.get(name, '?')})"


def _test(row: Any) -> str:
    return ", ".join(f"{k} {_number(v)}" for k, v in row.test.items()) or "-"


def run_runs(args: argparse.Namespace) -> int:
    """Prints the run table of a project."""
    from rich.console import Console
    from rich.table import Table

    from lamina.compare import run_table

    rows = run_table(args.project, sort=args.sort)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return 0
    if not rows:
        print(f"{args.project}: no runs yet (train one with `lamina train SPEC --project ...`)")
        return 0
    table = Table(title=f"runs of {args.project} ({len(rows)})")
    for col in ("run", "date", "status", "spec", "changed", "best validation", "test", "epochs"):
        table.add_column(col, overflow="fold")
    table.add_column("seconds", justify="right")
    table.add_column("device")
    for row in rows:
        status = row.status + (f": {row.reason}" if row.reason and row.status != "finished" else "")
        table.add_row(
            row.run,
            row.date.replace("T", " ")[:19],
            status,
            row.spec_name or "-",
            _changed(row),
            _best(row),
            _test(row),
            str(row.epochs),
            _number(row.seconds, 3),
            row.device or "-",
        )
    Console(width=200).print(table)
    return 0


def run_compare(args: argparse.Namespace) -> int:
    """Prints the spec diff and metric table of runs and writes their curves as a PNG."""
    from rich.console import Console
    from rich.table import Table

    from lamina.cli import CommandError
    from lamina.compare import fill_changed, plot_curves, read_row, resolve_run_path, spec_diff

    if len(args.runs) < 2:
        raise CommandError("compare needs at least two runs (run folders: PROJECT/runs/RUN_ID)")
    rows = [read_row(resolve_run_path(text)) for text in args.runs]
    fill_changed(rows)
    first = rows[0]
    diffs = {}
    for row in rows[1:]:
        if first.spec is None or row.spec is None:
            missing = first if first.spec is None else row
            raise CommandError(f"{missing.path}: the run has no spec.json to compare")
        diffs[row.run] = spec_diff(first.spec, row.spec)
    out = plot_curves(rows, Path(args.out))
    if args.json:
        print(
            json.dumps(
                {
                    "runs": [r.to_dict() for r in rows],
                    "diff": {
                        run: [
                            {"path": c.path, "kind": c.kind, "before": c.before, "after": c.after}
                            for c in changes
                        ]
                        for run, changes in diffs.items()
                    },
                    "png": str(out),
                },
                indent=2,
            )
        )
        return 0
    for run, changes in diffs.items():
        print(f"spec: {first.run} -> {run}")
        if not changes:
            print("  (same spec)")
        for change in changes:
            print(f"  {change}")
    metrics = sorted({k for r in rows for k in r.best_val} | {k for r in rows for k in r.test})
    table = Table(title="metrics (validation: best epoch; test: final model)")
    table.add_column("run", overflow="fold")
    table.add_column("status")
    for name in metrics:
        table.add_column(name, justify="right")
    table.add_column("epochs", justify="right")
    for row in rows:
        cells = []
        for name in metrics:
            if name in row.best_val:
                cells.append(f"{_number(row.best_val[name])} (e{row.best_epoch[name]})")
            else:
                cells.append(_number(row.test.get(name)))
        table.add_row(row.run, row.status, *cells, str(row.epochs))
    Console(width=200).print(table)
    print(f"curves: {out}")
    return 0


def run_tensorboard(args: argparse.Namespace) -> int:
    """Starts TensorBoard on a project, prints its address and serves until Ctrl+C."""
    from lamina.cli import CommandError
    from lamina.project import load_project
    from lamina.records.tensorboard_server import start_tensorboard

    project = load_project(args.project)
    if args.port is not None and not 0 < args.port < 65536:
        raise CommandError(f"--port: {args.port} is not a port (1 to 65535)")
    server = start_tensorboard(project.path, port=args.port)
    print(f"TensorBoard serves {project.path} at {server.url} (Ctrl+C stops it)", flush=True)
    try:
        return int(server.process.wait() or 0)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
