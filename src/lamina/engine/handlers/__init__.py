"""The engine's request handlers: request type -> a function calling the lamina library.

Each handler takes its typed request and a `Context` (to stream events and to see
cancellation) and returns the request's typed reply. The engine child process calls
them for the app (through `run_request`); they also run in-process with `handle`.

Example:
    >>> from lamina.engine.handlers import handle
    >>> from lamina.engine.protocol import CheckRequest
    >>> handle(CheckRequest(spec_dict)).ok
    True
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from lamina.engine.handlers import catalog, data, runs, search, training, visualize
from lamina.engine.handlers.context import (
    STATE,
    CancelFlag,
    CancelledError,
    Context,
    Emit,
    RequestError,
)
from lamina.engine.protocol import (
    CatalogRequest,
    CheckRequest,
    DatasetSummaryRequest,
    ErrorReply,
    ExpandArchitectureRequest,
    ExportRequest,
    ListRunsRequest,
    PingRequest,
    PredictRequest,
    Reply,
    Request,
    RequestCancelled,
    SearchRequest,
    SearchStudiesRequest,
    TrainRequest,
    VisualizeRequest,
)
from lamina.errors import LaminaError

__all__ = [
    "HANDLERS",
    "STATE",
    "CancelFlag",
    "CancelledError",
    "Context",
    "RequestError",
    "error_reply",
    "handle",
    "run_request",
]

R = TypeVar("R", bound=Reply)

#: Request type -> its handler. ``CancelRequest`` is the server's own (it never waits).
HANDLERS: dict[type[Request[Any]], Callable[[Any, Context], Reply]] = {
    PingRequest: catalog.ping,
    CatalogRequest: catalog.catalog,
    CheckRequest: catalog.check,
    ExpandArchitectureRequest: catalog.expand_architecture,
    DatasetSummaryRequest: data.dataset_summary,
    TrainRequest: training.train,
    VisualizeRequest: visualize.visualize,
    ListRunsRequest: runs.list_runs,
    PredictRequest: runs.predict,
    ExportRequest: runs.export,
    SearchRequest: search.search,
    SearchStudiesRequest: search.studies,
}


def handle(request: Request[R], ctx: Context | None = None) -> R:
    """Runs the handler of `request` in this process and returns its reply.

    Raises:
        RequestError: If no handler serves this type of request; otherwise whatever
            the library raises (`SpecError`, `DataError`, ...).
    """
    fn = HANDLERS.get(type(request))
    if fn is None:
        raise RequestError(f"the engine does not serve {request.TAG or type(request).__name__}")
    return fn(request, ctx or Context(request_id=request.id))  # type: ignore[return-value]


def error_reply(exc: BaseException, request: Request[Any]) -> ErrorReply:
    """One clear message for the user; the traceback of unexpected errors goes to stderr.

    A `LaminaError` keeps its message, code, location and hint; anything else is a bug
    in lamina or a plug-in (``code="internal"``).
    """
    if isinstance(exc, LaminaError):
        return ErrorReply(
            id=request.id,
            message=str(exc).strip(),
            code=exc.code,
            location=exc.location,
            hint=exc.hint,
        )
    traceback.print_exception(exc, file=sys.stderr)
    lines = str(exc).strip().splitlines()
    first = f": {lines[0]}" if lines else ""
    return ErrorReply(id=request.id, message=f"{request.TAG} failed: {type(exc).__name__}{first}")


def run_request(request: Request[Any], emit: Emit | None = None, cancel: Any = None) -> Reply:
    """Runs one request and returns its reply (an `ErrorReply` if it failed; never raises)."""
    ctx = Context(emit=emit, cancel=cancel, request_id=request.id)
    try:
        reply: Reply = handle(request, ctx)
    except CancelledError as exc:
        reply = RequestCancelled(reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a reply
        return error_reply(exc, request)
    reply.id = request.id
    return reply
