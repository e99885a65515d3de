"""Results of a search: the trials table, the best trial (or Pareto front), its spec, plots."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lamina.hpsearch.errors import SearchError
from lamina.hpsearch.settings import SearchSettings
from lamina.spec import ModelSpec

STATES = {
    "COMPLETE": "complete",
    "PRUNED": "pruned",
    "FAIL": "failed",
    "RUNNING": "running",
    "WAITING": "waiting",
}
PLOTS = ("history", "importances", "parallel", "slice")


def logged_metrics(spec: ModelSpec) -> list[str]:
    """The metric names a run of `spec` logs per epoch, and ``test_`` names of its test metrics."""
    names = ["loss", *spec.compile.metrics]
    out = names + [f"val_{n}" for n in names] + [f"test_{n}" for n in names]
    return out


def check_objectives(settings: SearchSettings, spec: ModelSpec) -> None:
    """Refuses an objective the spec's runs do not log (located at ``search.objectives``)."""
    known = logged_metrics(spec)
    for o in settings.objectives:
        if o.metric not in known and o.metric != "lr":
            raise SearchError(
                f"the runs of this spec do not log {o.metric!r}",
                location="search.objectives",
                hint=f"choose one of {', '.join(known)} (metrics come from compile.metrics)",
            )


def trial_state(trial: Any) -> str:
    """``complete``, ``pruned``, ``failed``, ``interrupted``, ``running`` or ``waiting``."""
    if trial.user_attrs.get("interrupted"):
        return "interrupted"
    return STATES.get(trial.state.name, trial.state.name.lower())


def best_trials(study: Any) -> list[Any]:
    """The best trial (one objective) or the trials of the Pareto front (several); [] if none."""
    from optuna.trial import TrialState

    if not any(t.state == TrialState.COMPLETE for t in study.get_trials(deepcopy=False)):
        return []
    if len(study.directions) == 1:
        return [study.best_trial]
    return sorted(study.best_trials, key=lambda t: t.number)


def trials_table(study: Any) -> list[dict[str, Any]]:
    """One row per trial run (dropped surplus trials left out), best marked.

    Each row: ``trial``, ``params`` (path -> value), ``values`` (objective values or None),
    ``state``, ``epochs``, ``seconds``, ``run_id``, ``reason``, ``best`` (True for the best
    trial, or the Pareto front).
    """
    best = {t.number for t in best_trials(study)}
    rows = []
    for t in study.get_trials(deepcopy=False):
        if t.user_attrs.get("surplus"):
            continue
        seconds = (
            (t.datetime_complete - t.datetime_start).total_seconds()
            if t.datetime_complete and t.datetime_start
            else None
        )
        values = t.values if t.values is not None else None
        if values is None and t.intermediate_values:  # a pruned trial: its last report
            values = [t.intermediate_values[max(t.intermediate_values)]]
        rows.append(
            {
                "trial": t.number,
                "params": dict(t.params or t.system_attrs.get("fixed_params", {})),
                "values": None if values is None else [float(v) for v in values],
                "state": trial_state(t),
                "epochs": t.user_attrs.get("epochs"),
                "seconds": seconds,
                "run_id": t.user_attrs.get("run_id", ""),
                "reason": t.user_attrs.get("reason", ""),
                "best": t.number in best,
            }
        )
    return rows


def trial_spec(study: Any, number: int) -> ModelSpec:
    """The spec trial `number` trained (from the study: its base spec and the trial's values)."""
    from lamina.hpsearch.space import apply_values
    from lamina.hpsearch.study import stored

    record = stored(study) or {}
    trial = next((t for t in study.get_trials(deepcopy=False) if t.number == number), None)
    if trial is None:
        raise SearchError(f"the search has no trial {number}", location="trial")
    spec = ModelSpec.model_validate(record["spec"])
    if record.get("space") is None:
        raise SearchError(
            "this search was made with build(hp): open the trial's run for its spec",
            location="trial",
        )
    spec = apply_values(spec, trial.params)
    epochs = record["settings"].get("epochs")
    if epochs:
        spec = spec.copy_with(training={**spec.training.model_dump(mode="json"), "epochs": epochs})
    return spec


def best_spec(study: Any, project: Any = None) -> ModelSpec:
    """The best trial's spec (the first of the Pareto front with several objectives).

    With a `project`, the spec is read from the trial's run when it is there (it holds what
    ``build(hp)`` returned too).

    Raises:
        SearchError: If no trial has completed yet.
    """
    best = best_trials(study)
    if not best:
        raise SearchError(
            f"no trial of {study.study_name!r} has completed yet", location="search.name"
        )
    run_id = best[0].user_attrs.get("run_id")
    if project is not None and run_id:
        from lamina.project import load_project

        try:
            return load_project(project).run(run_id).spec
        except Exception:  # noqa: BLE001 - the run is on another machine: rebuild from the study
            pass
    return trial_spec(study, best[0].number)


def format_table(rows: list[dict[str, Any]], metrics: list[str]) -> str:
    """The trials table as text (``*`` marks the best trial or the Pareto front)."""
    paths = sorted({p for r in rows for p in r["params"]})
    head = ["", "trial", *[_short(p) for p in paths], *metrics, "state", "epochs", "seconds"]
    lines = [head]
    for r in rows:
        values = r["values"] or [None] * len(metrics)
        lines.append(
            [
                "*" if r["best"] else "",
                str(r["trial"]),
                *[_fmt(r["params"].get(p)) for p in paths],
                *[_fmt(v) for v in values[: len(metrics)]],
                r["state"],
                "" if r["epochs"] is None else str(r["epochs"]),
                "" if r["seconds"] is None else f"{r['seconds']:.1f}",
            ]
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in lines
    )


def _short(path: str) -> str:
    return path.replace(".params.", ".").replace("compile.optimizer.", "opt.")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


def save_plots(study: Any, out_dir: str | Path, which: tuple[str, ...] = PLOTS) -> list[Path]:
    """Writes Optuna's matplotlib plots of the study as PNG files; returns their paths.

    ``history`` (optimisation history), ``importances`` (parameter importances; needs two
    complete trials), ``parallel`` (parallel coordinates), ``slice``. With several
    objectives each plot shows the first.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as ovm
    from optuna.trial import TrialState

    complete = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    if not complete:
        raise SearchError(
            f"no trial of {study.study_name!r} has completed yet", location="search.name"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from lamina.hpsearch.study import stored

    objectives = (stored(study) or {}).get("settings", {}).get("objectives") or []
    target = None
    name = objectives[0]["metric"] if objectives else "objective"
    if len(study.directions) > 1:
        target = lambda t: t.values[0]  # noqa: E731 - Optuna's plots take a function
    makers = {
        "history": lambda: ovm.plot_optimization_history(study, target=target, target_name=name),
        "importances": lambda: ovm.plot_param_importances(study, target=target, target_name=name),
        "parallel": lambda: ovm.plot_parallel_coordinate(study, target=target, target_name=name),
        "slice": lambda: ovm.plot_slice(study, target=target, target_name=name),
    }
    paths = []
    import warnings

    for key in which:
        if key == "importances" and (
            len(complete) < 2
            or len(study.best_trial.params if len(study.directions) == 1 else complete[0].params)
            < 2
        ):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ax = makers[key]()
        fig: Any = (ax.flat[0] if hasattr(ax, "flat") else ax).figure
        if key != "slice":  # the slice plot sizes itself to its panels and colour bar
            fig.set_size_inches(8, 5)
            fig.tight_layout()
        path = out / f"{study.study_name}-{key}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def past_studies(storage: str | None, project: Any) -> list[dict[str, Any]]:
    """The searches lamina made in a storage, each with its trials table and best trial(s).

    Each entry has ``study`` (its name), ``objectives``, ``directions``, ``params`` (the
    varied spec paths), ``trials`` (`trials_table`) and ``best`` (trial numbers). A project
    without a search gives ``[]``.

    Raises:
        SearchError: If the storage URL is malformed or unreachable (located at
            ``search.storage``, without its password).
    """
    import optuna

    from lamina.hpsearch.storage import journal_path, open_storage
    from lamina.hpsearch.study import stored

    if storage is None and (project is None or not journal_path(project).is_file()):
        return []
    store = open_storage(storage, project, create=False)
    out = []
    for summary in optuna.get_all_study_summaries(store, include_best_trial=False):
        study = optuna.load_study(study_name=summary.study_name, storage=store)
        record = stored(study)
        if record is None:
            continue
        rows = trials_table(study)
        params = list(record.get("space") or {}) or sorted({p for r in rows for p in r["params"]})
        objectives = record["settings"]["objectives"]
        out.append(
            {
                "study": summary.study_name,
                "objectives": [o["metric"] for o in objectives],
                "directions": [o["direction"] for o in objectives],
                "params": params,
                "trials": rows,
                "best": [int(t.number) for t in best_trials(study)],
            }
        )
    return out
