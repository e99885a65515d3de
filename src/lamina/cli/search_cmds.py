"""``lamina search``: hyperparameter search with Optuna, its results, and workers.

``lamina search SPEC --space SPACE.json ...`` runs (or resumes) a search; ``show``,
``best``, ``plots`` read a search; ``worker`` joins one from any machine;
``--slurm-template`` prints a Slurm job array that starts workers.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from lamina.cli.common import parse_params, project_errors

DEFAULT_PROJECT = "lamina-project"
ACTIONS = ("show", "best", "plots", "worker")
STORAGE_HELP = (
    "an Optuna storage URL, e.g. postgresql://USER:PASSWORD@HOST:5432/DB (default: "
    "$LAMINA_SEARCH_STORAGE, else the journal file PROJECT/search/studies.journal)"
)


#: The option of ``lamina search`` that sets each search setting (core errors are located
#: at the setting; the command line names its option too).
FLAGS = {
    "search.name": "--name",
    "search.trials": "--trials",
    "search.sampler": "--sampler",
    "search.pruner": "--pruner",
    "search.objectives": "--objective",
    "search.directions": "--direction",
    "search.seed": "--seed",
    "search.workers": "--workers",
    "search.epochs": "--epochs",
    "search.storage": "--storage",
    "project": "--project",
    "trial": "--trial",
    "space": "--space",
}


def with_flag(location: str | None, flags: dict[str, str] = FLAGS) -> str | None:
    """A core error's location with the command-line option that sets it.

    Example:
        >>> with_flag("search.sampler")
        '--sampler (search.sampler)'
        >>> with_flag('space["units"]') is None
        True
    """
    flag = flags.get(location or "")
    return None if flag is None else f"{flag} ({location})"


def flag_errors(
    flags: dict[str, str] = FLAGS,
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Re-raises a `SearchError` located at a setting with its option's name in front."""

    def decorate(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        @functools.wraps(func)
        def wrapper(args: argparse.Namespace) -> int:
            from lamina.hpsearch import SearchError

            try:
                return func(args)
            except SearchError as exc:
                located = with_flag(exc.location, flags)
                if located is None:
                    raise
                text = str(exc)
                prefix = f"{exc.location}: "
                message = text[len(prefix) :] if text.startswith(prefix) else text
                raise SearchError(message, location=located) from None

        return wrapper

    return decorate


def add_parsers(sub: Any) -> None:
    """Adds ``search`` (with its actions show, best, plots, worker) to the command line."""
    p = sub.add_parser(
        "search",
        help="hyperparameter search (Optuna): run, show, best, plots, worker",
        add_help=False,
        prefix_chars="\0",  # every argument goes to the search's own parsers
    )
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=run_search_command)


def _common(p: argparse.ArgumentParser, project_default: str | None = DEFAULT_PROJECT) -> None:
    p.add_argument("--project", default=project_default, help="project folder")
    p.add_argument("--name", default="search", help="the search's name (default 'search')")
    p.add_argument("--storage", default=os.environ.get("LAMINA_SEARCH_STORAGE"), help=STORAGE_HELP)


def run_parser() -> argparse.ArgumentParser:
    """The parser of ``lamina search SPEC``."""
    p = argparse.ArgumentParser(
        prog="lamina search",
        description="Search hyperparameters with Optuna; every trial is a run in the project. "
        "Actions: `lamina search show|best|plots|worker --help`. Run the same command again "
        "to resume a stopped or killed search.",
    )
    p.add_argument("spec", nargs="?", help="a spec JSON file")
    p.add_argument("--space", help="the search space JSON file: {path: range or choices}")
    p.add_argument("--data", help="a dataset name or a data file/folder (default: the spec's)")
    p.add_argument("--data-param", action="append", default=[], metavar="K=V")
    _common(p)
    p.add_argument("--trials", type=int, default=20, help="trials to finish (default 20)")
    p.add_argument("--sampler", default="tpe", help="tpe (default), random or grid")
    p.add_argument("--pruner", default="none", help="none (default), median, halving, hyperband")
    p.add_argument(
        "--objective",
        action="append",
        help="a logged metric (default val_loss); repeat for a Pareto front",
    )
    p.add_argument(
        "--direction",
        action="append",
        help="minimize, maximize or auto (default: auto, from the name)",
    )
    p.add_argument("--seed", type=int, help="seed of the sampler")
    p.add_argument("--workers", type=int, default=1, help="worker processes on this machine")
    p.add_argument("--epochs", type=int, help="epochs of every trial (default: the spec's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--prepare",
        action="store_true",
        help="only create (or check) the study, run no trial (`lamina search worker` will)",
    )
    p.add_argument(
        "--slurm-template",
        action="store_true",
        help="print a Slurm job-array script that starts workers",
    )
    return p


def action_parser(action: str) -> argparse.ArgumentParser:
    """The parser of ``lamina search ACTION``."""
    p = argparse.ArgumentParser(prog=f"lamina search {action}")
    if action == "worker":
        p.description = "Join a search and run its trials until its budget is reached."
        p.add_argument(
            "--storage", default=os.environ.get("LAMINA_SEARCH_STORAGE"), help=STORAGE_HELP
        )
        p.add_argument("--study", required=True, help="the search's name")
        p.add_argument("--project", required=True, help="project folder for this worker's runs")
        p.add_argument("--threads-for", type=int, default=1, help=argparse.SUPPRESS)
        p.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
        p.add_argument("--quiet", action="store_true", help="print nothing but errors")
        return p
    _common(p)
    if action == "show":
        p.description = "The trials table of a search (* marks the best trial or the Pareto front)."
        p.add_argument("--json", action="store_true", help="print the table as JSON")
    elif action == "best":
        p.description = "Print the best trial's spec (JSON)."
        p.add_argument("--apply", metavar="PROJECT", help="set it as this project's spec")
    elif action == "plots":
        p.description = "Write Optuna's plots of a search as PNG files."
        p.add_argument("--out", help="folder for the PNGs (default PROJECT/search/plots)")
    return p


def run_search_command(args: argparse.Namespace) -> int:
    """Dispatches ``lamina search`` to its action."""
    rest = list(args.args)
    if rest and rest[0] in ACTIONS:
        action = rest.pop(0)
        ns = action_parser(action).parse_args(rest)
        return {"show": _show, "best": _best, "plots": _plots, "worker": _worker}[action](ns)
    return _run(run_parser().parse_args(rest))


def _quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)


@project_errors
@flag_errors()
def _run(args: argparse.Namespace) -> int:
    if args.slurm_template:
        from lamina.hpsearch.slurm import slurm_template

        print(slurm_template(args.name, args.project))
        return 0
    from lamina.cli import CommandError
    from lamina.cli.search_progress import SearchProgress
    from lamina.hpsearch import SearchSettings, SearchSpace, objectives_of, run_search
    from lamina.hpsearch.run import check_search, counted
    from lamina.hpsearch.study import budget
    from lamina.spec import load_spec

    if not args.spec:
        raise CommandError(
            "give a spec JSON file", location="SPEC", hint="lamina search SPEC --space SPACE.json"
        )
    if not args.space:
        raise CommandError(
            "give the search space", location="--space", hint="a JSON file {path: range or choices}"
        )
    settings = SearchSettings(
        name=args.name,
        trials=args.trials,
        sampler=args.sampler,
        pruner=args.pruner,
        objectives=objectives_of(args.objective or ["val_loss"], args.direction),
        seed=args.seed,
        storage=args.storage,
        workers=args.workers,
        epochs=args.epochs,
    )
    spec = load_spec(args.spec)
    space = SearchSpace.from_json(args.space, spec)
    check_search(spec, space, settings)
    _quiet_optuna()
    progress: SearchProgress | None = None

    def on_event(event: Any) -> None:
        nonlocal progress
        if progress is None:
            return
        progress(event)

    from lamina.hpsearch.study import create_or_resume

    # Open (and check) the study first: a reused name with another space fails before anything runs.
    data_params = parse_params(args.data_param)
    from lamina.training.run_info import data_ref

    study = create_or_resume(
        spec, space, settings, args.project, data_ref(args.data, data_params, spec)
    )
    target = budget(settings, space)
    if args.prepare:
        print(f"search {settings.name!r} ready: {target} trials for `lamina search worker`")
        return 0
    done = len([t for t in counted(study) if t.state.name != "RUNNING"])
    if done:
        print(
            f"resuming {settings.name!r}: {done} of {target} trials already done", file=sys.stderr
        )
    progress = SearchProgress(target, done, settings.directions, show_bar=not args.no_progress)
    try:
        result = run_search(
            spec,
            space,
            settings,
            project=args.project,
            data=args.data,
            data_params=data_params,
            on_event=on_event,
        )
    finally:
        progress.stop()
    from lamina.hpsearch.results import best_trials

    best = best_trials(result.study)
    if best:
        b = best[0]
        values = ", ".join(f"{v:.4g}" for v in b.values)
        print(f"best trial {b.number}: {values}  run {b.user_attrs.get('run_id', '')}")
    return 0


@project_errors
@flag_errors()
def _show(args: argparse.Namespace) -> int:
    from lamina.hpsearch.results import format_table, trials_table
    from lamina.hpsearch.study import load

    _quiet_optuna()
    study, record = load(args.name, args.storage, args.project)
    rows = trials_table(study)
    metrics = [o["metric"] for o in record["settings"]["objectives"]]
    if args.json:
        print(
            json.dumps(
                {"name": args.name, "objectives": record["settings"]["objectives"], "trials": rows},
                indent=2,
            )
        )
    else:
        print(format_table(rows, metrics))
    return 0


@project_errors
@flag_errors()
def _best(args: argparse.Namespace) -> int:
    from lamina.hpsearch.results import best_spec
    from lamina.hpsearch.study import load
    from lamina.project import load_project

    _quiet_optuna()
    study, _ = load(args.name, args.storage, args.project)
    spec = best_spec(study, args.project)
    if args.apply:
        proj = load_project(args.apply)
        proj.set_spec(spec)
        print(f"the best trial's spec is now the spec of {proj.path}", file=sys.stderr)
    print(spec.to_json())
    return 0


@project_errors
@flag_errors()
def _plots(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lamina.hpsearch.results import save_plots
    from lamina.hpsearch.study import load

    _quiet_optuna()
    study, _ = load(args.name, args.storage, args.project)
    out = Path(args.out) if args.out else Path(args.project) / "search" / "plots"
    for path in save_plots(study, out):
        print(path)
    return 0


@project_errors
@flag_errors({**FLAGS, "search.name": "--study"})
def _worker(args: argparse.Namespace) -> int:
    from lamina.cli.search_progress import SearchProgress
    from lamina.hpsearch import run_worker

    _quiet_optuna()
    progress = None if args.quiet else SearchProgress(0, 0, ["minimize"], show_bar=False)
    run_worker(
        args.study,
        args.storage,
        args.project,
        on_event=progress,
        offset=args.offset,
        workers=args.threads_for,
    )
    return 0
