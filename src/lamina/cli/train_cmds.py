"""``lamina train | evaluate | predict | export | demo``: training runs from the command line."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_PROJECT = "lamina-project"
DEFAULT_DEMO = "lamina-demo"


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("train", help="train a spec on data and save the run in a project folder")
    p.add_argument("spec", help="a spec JSON file")
    p.add_argument(
        "--data",
        help="a dataset name (e.g. digits, galaxies) or a data file/folder; "
        'defaults to the spec\'s "data"',
    )
    p.add_argument(
        "--data-param",
        action="append",
        default=[],
        metavar="K=V",
        help="a dataset or loader parameter (repeatable), e.g. --data-param n=300",
    )
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="auto, cpu, gpu or gpu:N")
    p.add_argument(
        "--project", default=DEFAULT_PROJECT, help=f"project folder (default ./{DEFAULT_PROJECT})"
    )
    p.add_argument(
        "--checkpoint-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="write the best weights so far into the run at most this often while "
        "training (default 30; 0: every improvement)",
    )
    p.add_argument(
        "--mlflow",
        action="store_true",
        help="also log the run to MLflow (needs lamina[mlflow]; default store: "
        "PROJECT/mlflow.db, or $MLFLOW_TRACKING_URI)",
    )
    p.add_argument("--mlflow-uri", metavar="URI", help="MLflow tracking URI (implies --mlflow)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar, only epoch lines")
    p.set_defaults(func=run_train)

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

    p = sub.add_parser("demo", help="train LeNet on synthetic galaxy images (about a minute)")
    p.add_argument("--out", default=DEFAULT_DEMO, help=f"project folder (default ./{DEFAULT_DEMO})")
    p.add_argument(
        "--quick", action="store_true", help="a few-seconds version (tiny data, 1 epoch)"
    )
    p.set_defaults(func=run_demo)


def _project_errors(
    func: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Turns project and export errors into one-line CLI errors."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        from lamina.cli import CommandError
        from lamina.export import ExportError
        from lamina.project import ProjectError
        from lamina.training.devices import DeviceError

        try:
            return func(args)
        except (ProjectError, ExportError, DeviceError) as exc:
            raise CommandError(str(exc)) from None

    return wrapper


def parse_params(items: list[str]) -> dict[str, Any]:
    """Parses ``K=V`` strings; values are JSON when they parse (numbers, lists, true), else text."""
    from lamina.cli import CommandError

    out: dict[str, Any] = {}
    for text in items:
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise CommandError(f"--data-param expects K=V, got {text!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def _fmt_metrics(metrics: dict[str, Any]) -> str:
    return "  ".join(f"{k}={v:.4f}" for k, v in metrics.items() if isinstance(v, (int, float)))


class _Progress:
    """Prints per-epoch lines and (optionally) a rich progress bar over the batches."""

    def __init__(self, show_bar: bool) -> None:
        self.show_bar = show_bar and sys.stderr.isatty()
        self.progress: Any = None
        self.task: Any = None
        self.epochs = 0
        self.steps = 0
        self.running = False
        self.checkpoint: Any = None  # the last CheckpointSaved while training

    def __call__(self, event: Any) -> None:
        from lamina.training import events as ev

        if isinstance(event, ev.RunStarted):
            self.running = True
            self.epochs, self.steps = event.epochs, event.steps_per_epoch or 0
            from lamina.data.report import data_report

            for line in data_report(event.dataset, event.data, event.split_given):
                print(line)
            print(
                f"training on {event.device} (seed {event.seed}): {event.epochs} epoch(s) of "
                f"{self.steps} batches",
                flush=True,
            )
            if self.show_bar:
                from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

                self.progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    TimeRemainingColumn(),
                    transient=True,
                )
                self.progress.start()
        elif isinstance(event, ev.EpochStarted) and self.progress is not None:
            if self.task is not None:
                self.progress.remove_task(self.task)
            self.task = self.progress.add_task(
                f"epoch {event.epoch + 1}/{self.epochs}", total=self.steps
            )
        elif (
            isinstance(event, ev.BatchEnded) and self.progress is not None and self.task is not None
        ):
            self.progress.update(
                self.task,
                completed=event.batch + 1,
                description=f"epoch {event.epoch + 1}/{self.epochs} "
                f"loss={event.metrics.get('loss', float('nan')):.4f}",
            )
        elif isinstance(event, ev.EpochEnded):
            line = f"epoch {event.epoch + 1}/{self.epochs}  {_fmt_metrics(event.metrics)}  ({event.seconds:.1f}s)"  # noqa: E501
            if self.progress is not None:
                self.progress.console.print(line)
            else:
                print(line, flush=True)
        elif isinstance(event, ev.EarlyStopped):
            self._print(
                f"early stopping at epoch {event.epoch + 1}; best epoch {event.best_epoch + 1}"
            )
        elif isinstance(event, ev.CheckpointSaved) and self.running:
            self.checkpoint = event
            self._print(f"checkpoint: best weights so far (epoch {event.epoch + 1}) saved")
        elif isinstance(event, (ev.RunFinished, ev.RunFailed, ev.RunCancelled)):
            self.running = False
            self.stop()
            if isinstance(event, ev.RunFailed):
                print(f"run failed: {event.reason}", file=sys.stderr)
            elif isinstance(event, ev.RunCancelled):
                print(f"run cancelled: {event.message}", file=sys.stderr)

    def _print(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text)
        else:
            print(text, flush=True)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _report(result: Any) -> None:
    if result.metrics:
        shown = {k: v for k, v in result.metrics.items() if k != "n"}
        print(f"test ({result.metrics.get('n', '?')} samples): {_fmt_metrics(shown)}")
    if result.path is not None:
        print(f"run saved in {result.path}")


@_project_errors
def run_train(args: argparse.Namespace) -> int:
    from lamina.spec import load_spec
    from lamina.training import train

    spec = load_spec(args.spec)
    progress = _Progress(show_bar=not args.no_progress)
    try:
        result = train(
            spec,
            data=args.data,
            project=args.project,
            on_event=progress,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            device=args.device,
            data_params=parse_params(args.data_param),
            batch_events=progress.show_bar,
            checkpoint_interval=args.checkpoint_every,
            mlflow=args.mlflow_uri or bool(args.mlflow),
        )
    except KeyboardInterrupt:
        progress.stop()
        if progress.checkpoint is not None:
            print(
                f"the best weights so far (epoch {progress.checkpoint.epoch + 1}) are in "
                f"{progress.checkpoint.path}",
                file=sys.stderr,
            )
        raise
    finally:
        progress.stop()
    _report(result)
    return 0 if result.status == "finished" else 1


@_project_errors
def run_evaluate(args: argparse.Namespace) -> int:
    from lamina.cli import CommandError
    from lamina.data import load_data
    from lamina.data.splits import split_dataset
    from lamina.inference import evaluate
    from lamina.project import find_run

    run = find_run(args.run)
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
    print(_fmt_metrics({k: v for k, v in metrics.items() if k != "n"}))
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


@_project_errors
def run_predict(args: argparse.Namespace) -> int:
    import numpy as np

    from lamina.cli import CommandError
    from lamina.data.errors import DataError
    from lamina.inference import predict
    from lamina.project import find_run

    run = find_run(args.run)
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


@_project_errors
def run_export(args: argparse.Namespace) -> int:
    from lamina.export import export_keras, export_python, export_savedmodel
    from lamina.project import find_run
    from lamina.spec import load_spec

    source: Any
    if args.run.endswith(".json") and Path(args.run).is_file():
        source = load_spec(args.run)
    else:
        source = find_run(args.run)
    if args.python:
        path = export_python(source, args.python)
    elif args.keras:
        path = export_keras(source, args.keras)
    else:
        path = export_savedmodel(source, args.savedmodel)
    print(f"exported {path}")
    return 0


def demo_settings(quick: bool) -> dict[str, Any]:
    """The demo's data and training settings (quick: seconds, full: about a minute on 2 cores)."""
    if quick:
        return {"data": {"n": 120, "size": 32}, "epochs": 1, "input_shape": (32, 32, 1)}
    return {"data": {"n": 1800, "size": 64}, "epochs": 15, "input_shape": (64, 64, 1)}


@_project_errors
def run_demo(args: argparse.Namespace) -> int:
    import lamina
    from lamina.training import train

    settings = demo_settings(args.quick)
    spec = lamina.architecture(
        "lenet", input_shape=settings["input_shape"], n_classes=3, epochs=settings["epochs"]
    )
    spec = spec.copy_with(
        name="demo-lenet-galaxies",
        data={"type": "galaxies", "params": settings["data"]},
        training={**spec.training.model_dump(mode="json"), "standardize": True},
    )
    print(
        f"lamina demo: LeNet on {settings['data']['n']} synthetic galaxy images "
        f"({settings['data']['size']}x{settings['data']['size']}), {settings['epochs']} epoch(s)"
    )
    t0 = time.perf_counter()
    progress = _Progress(show_bar=True)
    try:
        result = train(spec, project=args.out, on_event=progress, batch_events=progress.show_bar)
    finally:
        progress.stop()
    val = result.history.get("val_accuracy", [float("nan")])
    print(
        f"validation accuracy reached: {val[-1]:.3f} (best {max(val):.3f}) in {time.perf_counter() - t0:.0f}s"  # noqa: E501
    )
    _report(result)
    if result.status == "finished" and result.path is not None:
        _demo_visualizations(result.path, steps=10 if args.quick else 60)
    return 0 if result.status == "finished" else 1


#: (kind, parameters) drawn into ``<run>/viz/`` by ``lamina demo``
DEMO_VISUALIZATIONS: list[tuple[str, dict[str, Any]]] = [
    ("filters", {"layer": 0}),
    ("deconvnet", {}),
    ("occlusion", {"stride": 4}),
    ("deep_dream", {}),
    ("training_curves", {}),
]


def _demo_visualizations(run_dir: Any, steps: int) -> None:
    """Writes the demo's pictures (filters, deconvnet, occlusion, deep dream) into the run."""
    from lamina.project import load_run
    from lamina.visualize import save_png
    from lamina.visualize.runs import visualize_run

    run = load_run(run_dir)
    model = run.model()
    out = Path(run_dir) / "viz"
    out.mkdir(exist_ok=True)
    for kind, params in DEMO_VISUALIZATIONS:
        extra = {"steps": steps} if kind == "deep_dream" else {}
        sample = None if kind in ("filters", "training_curves") else 0
        result = visualize_run(run, kind, {**params, **extra}, sample=sample, model=model)
        path = save_png(result, out / f"{kind}.png")
        print(f"{kind}: {path}")
