"""``lamina viz KIND --run RUN ... --out FILE.png``: look inside a trained model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    """Adds ``viz`` to the command line."""
    p = sub.add_parser(
        "viz",
        help="run a visualization on a saved run and write a PNG",
        description="Kinds: see `lamina catalog --kind visualization` (filters, feature_maps, "
        "top9, deconvnet, guided_backprop, saliency, gradcam, occlusion, deep_dream, "
        "class_model, training_curves, weight_histograms, activation_histograms, ...).",
    )
    p.add_argument("kind", help="the visualization's registered name")
    p.add_argument("--run", required=True, help="a run folder, or a project (its latest run)")
    p.add_argument("--layer", help="layer name or index")
    p.add_argument("--filter", type=int, help="filter (channel) index")
    p.add_argument("--class", dest="class_index", type=int, help="class index")
    p.add_argument(
        "--input",
        help="a sample index of the run's data, or a .npy file holding one input (or a batch)",
    )
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="other parameters")
    p.add_argument("--which", choices=["final", "best"], default="final", help="which weights")
    p.add_argument("--out", required=True, help="the PNG to write")
    p.set_defaults(func=run_viz)


def _layer(value: str | None) -> Any:
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else value


def run_viz(args: argparse.Namespace) -> int:
    """Runs a visualization on a saved run and writes it as a PNG (``lamina viz``)."""
    from lamina.cli import CommandError
    from lamina.cli.common import note, parse_params
    from lamina.data.standardize import apply_standardizer
    from lamina.project import find_run
    from lamina.visualize import save_png
    from lamina.visualize.runs import visualize_run

    run = find_run(args.run, note=note)
    params = parse_params(args.param)
    for name, value in (
        ("layer", _layer(args.layer)),
        ("filter", args.filter),
        ("class_index", args.class_index),
    ):
        if value is not None:
            params[name] = value
    sample = None
    if args.input is not None:
        if args.input.isdigit():
            sample = int(args.input)
        else:
            path = Path(args.input)
            if not path.is_file():
                raise CommandError(f"--input {path}: file not found")
            if path.suffix != ".npy":
                raise CommandError(f"--input {path}: expected a sample index or a .npy file")
            import numpy as np

            x = np.load(path, allow_pickle=False).astype("float32")
            params["input"] = apply_standardizer(x, run.standardizer())
    result = visualize_run(run, args.kind, params, sample=sample, which=args.which)
    out = save_png(result, args.out)
    print(f"{args.kind}: wrote {out}")
    return 0
