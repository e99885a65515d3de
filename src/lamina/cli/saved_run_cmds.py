"""``lamina evaluate | predict | export``: use a saved run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lamina.cli.common import note, parse_params, project_errors
from lamina.cli.progress import format_metrics


def add_parsers(sub: Any) -> None:
    """Adds ``evaluate``, ``predict`` and ``export`` to the command line."""
    p = sub.add_parser(
        "evaluate", help="test metrics of a saved run (confusion matrix for classifiers)"
    )
    p.add_argument("run", help="a run folder, or a project folder (its latest run)")
    p.add_argument(
        "--data", help="evaluate on this data instead of the run's test split (all of it)"
    )
    p.add_argument("--data-param", action="append", default=[], metavar="K=V")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=run_evaluate)

    p = sub.add_parser("predict", help="predict inputs from a .npy file with a saved run")
    p.add_argument("run", help="a run folder, or a project folder (its latest run)")
    p.add_argument("--input", required=True, help="a .npy file of inputs (n, ...)")
    p.add_argument("--out", help="write the outputs to this .npy file (default: print them)")
    p.add_argument(
        "--uncertainty",
        action="store_true",
        help="for a probabilistic head: mean, std, quantiles, 68%%/95%% intervals and samples "
        "(aleatoric and epistemic parts for Bayesian layers), written to --out as .npz",
    )
    p.add_argument("--samples", type=int, default=200, help="samples per pass (--uncertainty)")
    p.add_argument("--passes", type=int, help="forward passes (default: 30 if Bayesian, else 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling (--uncertainty)")
    p.set_defaults(func=run_predict)

    p = sub.add_parser(
        "export", help="export a run as a .keras file, a SavedModel or a Python script"
    )
    p.add_argument(
        "run", help="a run folder, a project folder (its latest run), or a spec JSON (--python)"
    )
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--python", metavar="FILE", help="a stand-alone tf_keras script")
    group.add_argument("--keras", metavar="FILE", help="a .keras model file")
    group.add_argument("--savedmodel", metavar="DIR", help="a TensorFlow SavedModel folder")
    p.set_defaults(func=run_export)


@project_errors
def run_evaluate(args: argparse.Namespace) -> int:
    """Prints a saved run's test metrics and confusion matrix, if any (``lamina evaluate``)."""
    from lamina.cli import CommandError
    from lamina.data import load_data
    from lamina.data.splits import split_dataset
    from lamina.inference import evaluate
    from lamina.project import find_run

    run = find_run(args.run, note=note)
    spec = run.spec
    params = parse_params(args.data_param)
    if args.data:
        ds = load_data(args.data, params=params, spec=spec)
        part = ds
    else:
        ref = run.info.get("data_ref")
        if not ref:
            raise CommandError(
                f"{run.path}: the run does not say where its data came from; pass --data"
            )
        ds = load_data(ref, params=params, spec=spec)
        split = run.info.get("split") or {}
        parts = split_dataset(
            ds,
            validation=split.get("validation", 0.2),
            test=split.get("test", 0.1),
            seed=split.get("seed", 0),
            stratify=ds.task == "classification",
        )
        if parts.test is None:
            raise CommandError(
                f"{run.path}: the run had no test split; pass --data to evaluate on other data"
            )
        part = parts.test
    metrics = evaluate(run, part.x, part.y, task=ds.task, class_names=ds.class_names)
    if args.json:
        print(json.dumps(metrics, indent=2))
        return 0
    print(f"{run.path} on {part.name} ({metrics['n']} samples)")
    print(format_metrics({k: v for k, v in metrics.items() if k != "n"}))
    if "confusion_matrix" in metrics:
        from rich.console import Console
        from rich.table import Table

        names = metrics["class_names"]
        table = Table(title="confusion matrix (rows: true, columns: predicted)")
        table.add_column("")
        for name in names:
            table.add_column(name, justify="right")
        table.add_column("precision", justify="right")
        table.add_column("recall", justify="right")
        for name, row in zip(names, metrics["confusion_matrix"], strict=True):
            pc = metrics["per_class"][name]
            table.add_row(name, *map(str, row), f"{pc['precision']:.3f}", f"{pc['recall']:.3f}")
        Console(width=160).print(table)
    return 0


@project_errors
def run_predict(args: argparse.Namespace) -> int:
    """Predicts the inputs of a ``.npy`` file with a saved run (``lamina predict``)."""
    import numpy as np

    from lamina.cli import CommandError
    from lamina.data.errors import DataError
    from lamina.inference import predict
    from lamina.project import find_run

    run = find_run(args.run, note=note)
    path = Path(args.input)
    if not path.is_file():
        raise CommandError(f"{path}: input file not found")
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read a .npy array: {exc}", source=str(path)) from None
    from lamina.data.dataset import Dataset

    Dataset(x=x, y=None, name=path.stem, task="regression", source=str(path)).validate(
        input_shape=tuple(run.spec.input.shape)
    )
    if args.uncertainty:
        return _predict_uncertainty(run, x, args)
    out = predict(run, x)
    if args.out:
        from lamina.atomic import atomic_write_with

        atomic_write_with(Path(args.out), lambda p: np.save(open(p, "wb"), out))  # noqa: SIM115
        print(f"wrote {out.shape} outputs to {args.out}")
    else:
        np.set_printoptions(precision=4, suppress=True, threshold=200)
        print(out)
    return 0


def _predict_uncertainty(run: Any, x: Any, args: argparse.Namespace) -> int:
    import numpy as np

    from lamina.cli import CommandError
    from lamina.inference import predict_uncertainty

    try:
        pred = predict_uncertainty(
            run, x, n_samples=args.samples, passes=args.passes, seed=args.seed
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    arrays = {
        "mean": pred.mean,
        "stddev": pred.stddev,
        "aleatoric_std": pred.aleatoric_std,
        "epistemic_std": pred.epistemic_std,
        "samples": pred.samples,
    }
    for q, values in pred.quantiles.items():
        arrays[f"quantile_{q:g}"] = values
    for level, (low, high) in pred.intervals.items():
        arrays[f"lower_{level:g}"], arrays[f"upper_{level:g}"] = low, high
    arrays = {k: v for k, v in arrays.items() if v is not None}
    if args.out:
        from lamina.atomic import atomic_write_with

        def write(path: Path) -> None:
            with open(path, "wb") as handle:
                np.savez(handle, **arrays)

        atomic_write_with(Path(args.out), write)
        print(f"wrote {', '.join(arrays)} to {args.out} ({pred.passes} pass(es))")
    rows = min(len(pred.mean), 10)
    low, high = pred.intervals.get(0.95, (pred.mean, pred.mean))
    print("input  mean      std       95% interval")
    for i in range(rows):
        mean, std = float(pred.mean[i].ravel()[0]), float(pred.stddev[i].ravel()[0])
        lo, hi = float(low[i].ravel()[0]), float(high[i].ravel()[0])
        print(f"{i:5d}  {mean:8.4f}  {std:8.4f}  [{lo:.4f}, {hi:.4f}]")
    return 0


@project_errors
def run_export(args: argparse.Namespace) -> int:
    """Exports a run or spec as a script, ``.keras`` file or SavedModel (``lamina export``)."""
    from lamina.export import export_keras, export_python, export_savedmodel
    from lamina.project import find_run
    from lamina.spec import load_spec

    source: Any
    if args.run.endswith(".json") and Path(args.run).is_file():
        source = load_spec(args.run)
    else:
        source = find_run(args.run, note=note)
    if args.python:
        path = export_python(source, args.python)
    elif args.keras:
        path = export_keras(source, args.keras)
    else:
        path = export_savedmodel(source, args.savedmodel)
    print(f"exported {path}")
    return 0
