"""``lamina train``: train a spec on data and save the run in a project folder."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lamina.cli.common import parse_params, project_errors
from lamina.cli.progress import TrainingProgress, report_result

DEFAULT_PROJECT = "lamina-project"


def add_parsers(sub: Any) -> None:
    """Adds ``train`` to the command line."""
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
    p.add_argument(
        "--tensorboard-histograms",
        type=int,
        default=0,
        metavar="N",
        help="also write weight histograms into the run's TensorBoard records every N "
        "epochs (default 0: never)",
    )
    p.add_argument(
        "--continue-from",
        metavar="RUN",
        help="start from the final weights of an earlier run: a run id of --project "
        "or a run folder (the new run records what it continued from)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar, only epoch lines")
    p.set_defaults(func=run_train)


@project_errors
def run_train(args: argparse.Namespace) -> int:
    """Trains a spec file on data and saves the run in a project folder (``lamina train``)."""
    from lamina.cli import CommandError
    from lamina.cli.ctrl_c import CtrlCCancels
    from lamina.spec import load_spec
    from lamina.training import CancelToken, train

    if args.tensorboard_histograms < 0:
        raise CommandError(
            f"must be 0 (no histograms) or a number of epochs. "
            f"Received: {args.tensorboard_histograms}",
            location="--tensorboard-histograms",
            hint="e.g. --tensorboard-histograms 1 writes them every epoch",
        )
    spec = load_spec(args.spec)
    previous = continued_run(args.continue_from, args.project) if args.continue_from else None
    progress = TrainingProgress(show_bar=not args.no_progress)
    token = CancelToken()
    try:
        with CtrlCCancels(token) as ctrl_c:
            result = train(
                spec,
                data=args.data,
                project=args.project,
                on_event=progress,
                cancel=token,
                epochs=args.epochs,
                batch_size=args.batch_size,
                seed=args.seed,
                device=args.device,
                data_params=parse_params(args.data_param),
                batch_events=progress.show_bar,
                checkpoint_interval=args.checkpoint_every,
                mlflow=args.mlflow_uri or bool(args.mlflow),
                tensorboard_histograms=args.tensorboard_histograms,
                continue_from=previous,
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
    report_result(result)
    if result.status == "cancelled" and ctrl_c.pressed:
        _say_where_the_weights_are(result)
        return 130
    return 0 if result.status == "finished" else 1


def _say_where_the_weights_are(result: Any) -> None:
    """After Ctrl+C: which epochs the saved run's weights are from, and where."""
    from lamina.project.files import WEIGHTS_BEST, WEIGHTS_FINAL

    if result.path is None:
        print("stopped by Ctrl+C; nothing was saved (no --project)", file=sys.stderr)
        return
    epochs = int(result.info.get("epochs_run", 0))
    lines = [f"stopped by Ctrl+C after {epochs} epoch(s); the run is saved as cancelled"]
    if (result.path / WEIGHTS_FINAL).is_file():
        lines.append(f"the weights of epoch {epochs} are in {result.path / WEIGHTS_FINAL}")
    best = result.info.get("best_epoch")
    if best is not None and (result.path / WEIGHTS_BEST).is_file():
        lines.append(
            f"the best weights (epoch {int(best) + 1}) are in {result.path / WEIGHTS_BEST}"
        )
    print("\n".join(lines), file=sys.stderr)


def continued_run(run: str, project: str) -> Any:
    """The run ``--continue-from`` names: a run folder, or a run id of the project.

    Raises:
        CommandError: If there is no such run (located at ``--continue-from``, with the
            project's run ids as the hint).
    """
    from pathlib import Path

    from lamina.cli import CommandError
    from lamina.project import ProjectError, load_project, load_run

    try:
        if Path(run).is_dir() and (Path(run) / "run.json").is_file():
            return load_run(run)
        return load_project(project).run(run)
    except ProjectError:
        try:
            ids = [r.id for r in load_project(project).runs()]
        except ProjectError:
            ids = []
        hint = (
            f"runs of {project}: {', '.join(ids[-5:])}"
            if ids
            else f"{project} has no saved runs; name a run folder (project/runs/<id>)"
        )
        raise CommandError(
            f"no run {run!r} in the project {project} (and no run folder of that name)",
            location="--continue-from",
            hint=hint,
        ) from None
