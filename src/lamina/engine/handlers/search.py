"""The search handler: runs `lamina.hpsearch.run_search` and relays its events.

The space and settings are validated before the study is touched (a mistake is a located
`LaminaError`, which the engine turns into an `ErrorReply`); cancelling the request sets the
search's `stop` event, which ends the running trial within one batch and keeps the study
resumable.
"""

from __future__ import annotations

import threading
import time
from dataclasses import fields
from typing import Any

from lamina.engine.handlers.context import Context, RequestError
from lamina.engine.protocol import (
    Event,
    SearchFinished,
    SearchReport,
    SearchRequest,
    SearchStarted,
    SearchStudies,
    SearchStudiesRequest,
    TrialEpoch,
    TrialFinished,
    TrialStarted,
    plain,
)

#: Core search event class name -> protocol event class (the fields they share are copied).
SEARCH_EVENTS: dict[str, type[Event]] = {
    "TrialStarted": TrialStarted,
    "TrialEpoch": TrialEpoch,
    "TrialFinished": TrialFinished,
    "SearchFinished": SearchFinished,
}


def protocol_event(event: Any) -> Event | None:
    """The protocol event of a core search event (None for one the protocol does not carry)."""
    cls = SEARCH_EVENTS.get(type(event).__name__)
    if cls is None:
        return None
    return cls(
        **{f.name: plain(getattr(event, f.name)) for f in fields(cls) if hasattr(event, f.name)}
    )


def _forward_stop(ctx: Context, stop: threading.Event, done: threading.Event) -> None:
    while not done.is_set():
        if ctx.cancelled:
            stop.set()
            return
        time.sleep(0.02)


def search_settings(data: dict[str, Any]) -> Any:
    """`SearchSettings` from the request's plain dict (objectives as metric names).

    Raises:
        RequestError: For a field `SearchSettings` does not have.
        SearchError: For a bad value (located at the setting).
    """
    from lamina import hpsearch

    data = dict(data)
    known = {f.name for f in fields(hpsearch.SearchSettings)} | {"directions"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RequestError(
            f"search: unknown setting(s) {', '.join(map(repr, unknown))}",
            location="settings",
            hint=f"the settings are {', '.join(sorted(known))}",
        )
    directions = data.pop("directions", None)
    if "objectives" in data or directions is not None:
        data["objectives"] = hpsearch.objectives_of(data.pop("objectives", None), directions)
    return hpsearch.SearchSettings(**data)


def search(request: SearchRequest, ctx: Context) -> SearchReport:
    """Validates the space and settings, then runs the search, streaming its events."""
    from lamina import hpsearch
    from lamina.hpsearch.results import check_objectives
    from lamina.spec import load_spec

    if not request.project_dir:
        raise RequestError(
            "search: every trial is a run of a project, and no project was given",
            location="project_dir",
            hint="save the model as a project first",
        )
    spec = load_spec(request.spec)
    settings = search_settings(request.settings)
    space = hpsearch.SearchSpace.from_json(request.space, spec)
    check_objectives(settings, spec)
    ctx.emit(
        SearchStarted(
            study=settings.name,
            objectives=list(settings.metrics),
            directions=list(settings.directions),
            trials=int(settings.trials),
            params=list(space.paths),
        )
    )
    stop, done = threading.Event(), threading.Event()
    if ctx.cancelled:
        stop.set()
    threading.Thread(target=_forward_stop, args=(ctx, stop, done), daemon=True).start()

    def relay(event: Any) -> None:
        message = protocol_event(event)
        if message is not None:
            ctx.emit(message)

    try:
        result = hpsearch.run_search(
            spec,
            space,
            settings,
            project=request.project_dir,
            data=request.data,
            on_event=relay,
            stop=stop,
        )
    finally:
        done.set()
    return SearchReport(
        status="stopped" if result.stopped else "finished",
        study=settings.name,
        directions=list(settings.directions),
        objectives=list(settings.metrics),
        trials=plain(result.table()),
        best=[int(t.number) for t in result.best_trials()],
    )


def studies(request: SearchStudiesRequest, ctx: Context) -> SearchStudies:
    """The searches already in the request's project (or storage), with their trials."""
    from lamina.hpsearch.results import past_studies

    return SearchStudies(studies=plain(past_studies(request.storage, request.project_dir)))
