"""Hyperparameter search over the wire: `SearchRequest`, its events and its `SearchReport`.

The engine runs `lamina.hpsearch.run_search` for a `SearchRequest` and relays the search's
events (`TrialStarted`, `TrialEpoch`, `TrialFinished`, `SearchFinished`, same fields as the
core's) after a `SearchStarted` that names the study and its objectives. Cancelling the
request (`CancelRequest`) stops the running trial within one batch; the study stays in its
storage and the same request resumes it. A bad space, sampler, pruner or metric is an
`ErrorReply` with the location of the mistake (``space["layers[9].params.units"]``, ...).

No TensorFlow, no Qt: the app imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamina.engine.protocol.events import Event
from lamina.engine.protocol.replies import Reply
from lamina.engine.protocol.requests import Request, SpecLike
from lamina.engine.protocol.wire import message


@message("search_report")
@dataclass
class SearchReport(Reply):
    """How a search ended.

    Args:
        status: ``"finished"`` (the trials were run), ``"stopped"`` (cancelled; the study
            can be resumed) or ``"failed"``.
        study: The study's name.
        directions: ``"minimize"``/``"maximize"`` per objective.
        objectives: The objective metrics.
        trials: One row per trial (``trial``, ``state``, ``values``, ``params``,
            ``epochs``, ``seconds``, ``run_id``, ``reason``, ``best``), as
            `lamina.hpsearch.results.trials_table` gives them.
        best: The trial numbers of the best trial(s) (one, or the Pareto front).
        reason: Why it failed or stopped.
    """

    status: str
    study: str = ""
    directions: list[str] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    trials: list[dict[str, Any]] = field(default_factory=list)
    best: list[int] = field(default_factory=list)
    reason: str = ""


@message("search")
@dataclass
class SearchRequest(Request[SearchReport]):
    """Runs (or resumes) a hyperparameter search; streams the trials' events.

    Args:
        spec: The model spec every trial starts from.
        space: The search space as JSON (spec path -> range or choices).
        settings: `lamina.hpsearch.SearchSettings` fields (``name``, ``trials``,
            ``sampler``, ``pruner``, ``seed``, ``storage``, ``workers``, ``epochs``), with
            ``objectives`` as metric names and optional ``directions``.
        project_dir: The project whose runs the trials become (and whose folder holds
            the study by default).
        data: A dataset reference; defaults to the spec's.
    """

    REPLY = SearchReport
    LONG = True
    spec: SpecLike
    space: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)
    project_dir: str | None = None
    data: Any = None


@message("search_studies_report")
@dataclass
class SearchStudies(Reply):
    """The searches of a project (or a storage), for the app to show when it opens one.

    Args:
        studies: One entry per search: ``study``, ``objectives``, ``directions``,
            ``params``, ``trials`` (rows as in `SearchReport`), ``best`` (trial numbers);
            see `lamina.hpsearch.results.past_studies`.
    """

    studies: list[dict[str, Any]] = field(default_factory=list)


@message("search_studies")
@dataclass
class SearchStudiesRequest(Request[SearchStudies]):
    """Reads the searches already made in a project or a storage (nothing runs).

    Args:
        project_dir: The project (its journal file holds the searches by default).
        storage: A database URL instead of the project's journal file.
    """

    REPLY = SearchStudies
    project_dir: str | None = None
    storage: str | None = None


@message("search_started")
@dataclass
class SearchStarted(Event):
    """The space and settings were accepted; the study `study` runs (or resumes)."""

    study: str = ""
    objectives: list[str] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    trials: int = 0
    params: list[str] = field(default_factory=list)


@message("trial_started")
@dataclass
class TrialStarted(Event):
    """Trial `number` starts with `params` (spec path -> value)."""

    number: int = 0
    params: dict[str, Any] = field(default_factory=dict)


@message("trial_epoch")
@dataclass
class TrialEpoch(Event):
    """Trial `number` finished epoch `epoch` (from 0) with metrics `logs`."""

    number: int = 0
    epoch: int = 0
    logs: dict[str, Any] = field(default_factory=dict)


@message("trial_finished")
@dataclass
class TrialFinished(Event):
    """Trial `number` ended: `state` ``"complete"``, ``"pruned"`` or ``"failed"``.

    `values` are its objective values, `run_id` its run in the project, `reason` why it
    was pruned or failed.
    """

    number: int = 0
    state: str = ""
    values: list[float | None] | None = None
    run_id: str | None = None
    reason: str = ""
    seconds: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)
    epochs: int = 0


@message("search_finished")
@dataclass
class SearchFinished(Event):
    """The search ended (all trials run, or stopped); `best` are the best trial numbers.

    `complete`, `pruned` and `failed` count the study's trials in each state.
    """

    name: str = ""
    complete: int = 0
    pruned: int = 0
    failed: int = 0
    stopped: bool = False
    best: list[int] = field(default_factory=list)
