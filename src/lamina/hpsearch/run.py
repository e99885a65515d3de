"""`run_search`: a search over a spec, each trial an ordinary lamina run in the project.

One worker asks the study for a trial, trains it (`lamina.hpsearch.trial`), tells the
result, and goes on until the study holds `SearchSettings.trials` counted trials
(complete, pruned or failed by their own error; trials interrupted by a kill or a stop
are retried and do not count). Several workers, in this process and others (``--workers``,
``lamina search worker``), share one study: Optuna numbers the trials, and a trial asked
once the budget is taken is dropped unrun, so the count is exact and no trial runs twice.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lamina.hpsearch.errors import SearchError
from lamina.hpsearch.events import SearchFinished, TrialFinished
from lamina.hpsearch.settings import SearchSettings
from lamina.hpsearch.space import SearchSpace
from lamina.hpsearch.storage import recover_interrupted, tag_new_trials
from lamina.hpsearch.study import budget, create_or_resume, load, space_of
from lamina.hpsearch.trial import TrialContext, run_trial
from lamina.spec import ModelSpec, load_spec

#: Environment variable that hands a storage URL to worker processes (not the command line,
#: where `ps` would show its password).
STORAGE_ENV = "LAMINA_SEARCH_STORAGE"


@dataclass
class SearchResult:
    """What a search returns.

    Attributes:
        name: The study's name.
        study: The Optuna study (its trials hold the runs' ids in ``user_attrs``).
        project: The project folder of this process's runs.
        stopped: True if ``stop`` ended the search before its budget.
    """

    name: str
    study: Any
    project: Any
    stopped: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """The trials table (see `lamina.hpsearch.results.trials_table`)."""
        from lamina.hpsearch.results import trials_table

        return trials_table(self.study)

    def best_trials(self) -> list[Any]:
        """The best trial (one objective) or the Pareto front (several)."""
        from lamina.hpsearch.results import best_trials

        return best_trials(self.study)

    def best_spec(self) -> ModelSpec:
        """The spec of the best trial (of the first on the Pareto front), as its run trained it."""
        from lamina.hpsearch.results import best_spec

        return best_spec(self.study, self.project)


def counted(study: Any) -> list[Any]:
    """The trials that use the budget: running, complete, pruned, failed by their own error."""
    from optuna.trial import TrialState

    out = []
    for t in study.get_trials(deepcopy=False):
        if t.state == TrialState.WAITING:
            continue
        if t.state == TrialState.FAIL and (
            t.user_attrs.get("interrupted") or t.user_attrs.get("surplus")
        ):
            continue
        out.append(t)
    return out


def limit_threads(workers: int) -> int | None:
    """Sizes TensorFlow's thread pools so `workers` processes share this machine's cores.

    Each process gets ``cores // workers`` threads for an operation (at least one) and one
    thread to run operations side by side. Must run before TensorFlow's first operation
    (a later call leaves the pools as they are). Returns the threads per operation, or
    None with one worker (TensorFlow's own choice).
    """
    if workers <= 1:
        return None
    intra = max(1, (os.cpu_count() or 1) // workers)
    os.environ["OMP_NUM_THREADS"] = str(intra)
    from lamina.keras import tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already ran an operation: its pools stay as they are
        return int(tf.config.threading.get_intra_op_parallelism_threads()) or None
    return intra


@contextmanager
def long_lived_objects_frozen() -> Iterator[None]:
    """Keeps Python's garbage collector off the objects that live as long as the process.

    Every lamina run starts with a full garbage collection (`lamina.train` frees the last
    model), which walks every object of the process: half a million once TensorFlow is
    loaded, over a second a trial on a busy machine, a cost a bare Optuna loop does not
    pay. Inside this block those objects (modules, the catalogue, TensorFlow's own) are
    moved out of the collector's sight (`gc.freeze`), once at the start and once more
    after the first trial (`settle`), which imports what training needs; later trials'
    objects are collected as usual, so nothing a trial leaves behind is kept. Everything
    is handed back to the collector (`gc.unfreeze`) at the end.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def settle(freeze: bool) -> None:
    """After a trial: frees its model and garbage; with `freeze`, hides what survives."""
    from lamina.training.tf_session import fresh_session

    fresh_session()
    if freeze:
        gc.freeze()


class TrialFailed(Exception):
    """Raised in the objective for a failed trial: Optuna records it as failed and goes on."""


def work(
    study: Any,
    ctx: TrialContext,
    target: int,
    stop: threading.Event | None = None,
    emit: Callable[[Any], None] = lambda event: None,
) -> bool:
    """Runs trials of `study` until it holds `target` counted trials; True if `stop` ended it."""
    import optuna

    recover_interrupted(study)
    tag_new_trials(study)
    state = {"stopped": False, "settled": False}

    def objective(trial: Any) -> Any:
        ahead = [t for t in counted(study) if t.number < trial.number]
        if len(ahead) >= target:  # the budget was taken (by another worker) meanwhile
            trial.set_user_attr("surplus", True)
            study.stop()
            raise TrialFailed("the search's budget was already reached")
        result, values, reason = run_trial(study, trial, ctx, stop, emit)
        settle(freeze=not state["settled"])  # the first trial's imports join the frozen
        state["settled"] = True
        if result == "complete":
            return values if len(values or []) > 1 else values[0]  # type: ignore[index]
        if result == "pruned":
            raise optuna.TrialPruned(reason)
        if result == "interrupted":
            state["stopped"] = True
            study.stop()
        raise TrialFailed(reason)

    def after_trial(study: Any, trial: Any) -> None:
        if (stop is not None and stop.is_set()) or len(counted(study)) >= target:
            state["stopped"] = state["stopped"] or (stop is not None and stop.is_set())
            study.stop()

    if stop is not None and stop.is_set():
        return True
    if len(counted(study)) >= target:
        return False
    with long_lived_objects_frozen():
        study.optimize(
            objective, catch=(TrialFailed,), callbacks=[after_trial], gc_after_trial=False
        )
    return state["stopped"]


def check_search(spec: ModelSpec, space: SearchSpace | None, settings: SearchSettings) -> None:
    """Checks what needs no storage: the objectives are logged, a grid is finite.

    Raises:
        SearchError: Located at ``search.objectives``, ``search.sampler`` or the space's entry.
    """
    from lamina.hpsearch.results import check_objectives
    from lamina.hpsearch.study import make_sampler

    check_objectives(settings, spec)
    make_sampler(settings, space)  # a grid over a continuous range is refused here


def _data_ref(data: Any, data_params: Any, spec: ModelSpec) -> Any:
    from lamina.training.run_info import data_ref

    return data_ref(data, data_params, spec)


def run_search(
    spec_or_build: Any,
    space: Any = None,
    settings: SearchSettings | None = None,
    *,
    project: Any,
    data: Any = None,
    data_params: dict[str, Any] | None = None,
    on_event: Callable[[Any], None] | None = None,
    stop: threading.Event | None = None,
    registry: Any = None,
) -> SearchResult:
    """Runs (or resumes) a search; each trial is a lamina run in `project`.

    Args:
        spec_or_build: A spec (`ModelSpec`, dict, JSON path) with a `space`, or a function
            ``build(hp) -> spec`` using ``hp.Int/Float/Choice/Boolean`` (no `space`).
        space: A `SearchSpace`, or its JSON (dict, text or file path).
        settings: `SearchSettings`; defaults to 20 TPE trials minimising ``val_loss``.
        project: The project folder (created if needed): the trials' runs, and the study
            unless `settings.storage` names a database.
        data: The data (as for `lamina.train`); defaults to the spec's ``data``.
        data_params: Extra parameters of the dataset or loader.
        on_event: Receives `TrialStarted`, `TrialEpoch`, `TrialFinished`, `SearchFinished`.
        stop: When set, the running trial ends within one batch; the study stays resumable.
        registry: The catalogue; defaults to the process-wide one.

    Raises:
        SearchError: A bad space, setting, storage or a study reused with another space.
    """
    from lamina.hpsearch.hp import HyperParameters
    from lamina.plugins import get_registry
    from lamina.project import open_project

    settings = settings or SearchSettings()
    registry = registry or get_registry()
    build = spec_or_build if callable(spec_or_build) else None
    if build is not None:
        if space is not None:
            raise SearchError("give a space or a build(hp) function, not both", location="space")
        spec = load_spec(build(HyperParameters()))
        search_space = None
    else:
        spec = load_spec(spec_or_build)
        if space is None:
            raise SearchError("a search needs a space: which parameters vary", location="space")
        search_space = (
            space
            if isinstance(space, SearchSpace)
            else SearchSpace.from_json(space, spec, registry)
        )
    check_search(spec, search_space, settings)
    ref = _data_ref(data, data_params, spec)
    if settings.workers > 1 and (ref is None or build is not None):
        raise SearchError(
            "other worker processes need data they can load themselves (a dataset name or "
            "a file) and a JSON space, not Python objects",
            location="search.workers",
            hint="pass data as a name or path, or use workers=1",
        )
    target = budget(settings, search_space)
    emit = on_event or (lambda event: None)
    study = create_or_resume(spec, search_space, settings, project, ref, offset=0)
    if not _is_project(project):
        open_project(project)
    offset = len(study.trials)
    if offset:
        from lamina.hpsearch.study import make_sampler

        study.sampler = make_sampler(settings, search_space, offset)
    limit_threads(settings.workers)
    procs = [_spawn_worker(settings, project, i) for i in range(1, settings.workers)]
    ctx = TrialContext(spec, search_space, settings, project, data, data_params, build, registry)
    stopped = False
    try:
        stopped = work(study, ctx, target, stop, emit)
    finally:
        if stop is not None and stop.is_set():
            for p in procs:
                p.terminate()
        for p in procs:
            p.wait()
    _finished(study, settings.name, stopped, emit)
    return SearchResult(settings.name, study, project, stopped)


def _is_project(project: Any) -> bool:
    from pathlib import Path

    return (Path(project) / "project.json").is_file()


def _finished(study: Any, name: str, stopped: bool, emit: Callable[[Any], None]) -> None:
    from optuna.trial import TrialState

    from lamina.hpsearch.results import best_trials

    trials = counted(study)
    emit(
        SearchFinished(
            name=name,
            complete=sum(t.state == TrialState.COMPLETE for t in trials),
            pruned=sum(t.state == TrialState.PRUNED for t in trials),
            failed=sum(t.state == TrialState.FAIL for t in trials),
            stopped=stopped,
            best=[t.number for t in best_trials(study)],
        )
    )


def _spawn_worker(settings: SearchSettings, project: Any, index: int) -> subprocess.Popen:
    env = dict(os.environ)
    if settings.storage is not None:
        env[STORAGE_ENV] = settings.storage
    cmd = [
        sys.executable,
        "-m",
        "lamina",
        "search",
        "worker",
        "--study",
        settings.name,
        "--project",
        str(project),
        "--threads-for",
        str(settings.workers),
        "--offset",
        str(index * 1000),
        "--quiet",
    ]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)


def run_worker(
    name: str,
    storage: str | None,
    project: Any,
    *,
    on_event: Callable[[Any], None] | None = None,
    stop: threading.Event | None = None,
    offset: int = 0,
    workers: int = 1,
) -> SearchResult:
    """Joins the existing study `name` and runs trials until its budget is reached.

    Args:
        name: The study's name.
        storage: Its storage URL, or None for `project`'s journal file.
        project: The project folder this worker saves its runs in (a shared folder or its own).
        on_event: Receives the trials' events.
        stop: Ends the running trial within one batch when set.
        offset: Added to the sampler's seed (workers with one seed propose different trials).
        workers: Worker processes sharing this machine (sizes TensorFlow's thread pools).
    """
    from lamina.project import open_project

    limit_threads(workers)
    study, record = load(name, storage, project, offset=offset)
    settings = record["settings"]
    settings_obj = SearchSettings.from_json(settings, storage=storage)
    spec = ModelSpec.model_validate(record["spec"])
    space = space_of(record)
    if space is None:
        raise SearchError(
            f"the search {name!r} was made with build(hp) in Python: workers cannot rebuild it",
            location="search.name",
        )
    if not _is_project(project):
        open_project(project)
    data = record["data"]
    ctx = TrialContext(spec, space, settings_obj, project, data, None, None, None)
    emit = on_event or (lambda event: None)
    stopped = work(study, ctx, budget(settings_obj, space), stop, emit)
    _finished(study, name, stopped, emit)
    return SearchResult(name, study, project, stopped)


__all__ = ["SearchResult", "TrialFinished", "run_search", "run_worker", "counted", "work"]
