"""The engine client's typed methods: one per request, each returning its typed reply.

`TypedRequests` needs `send` and `call` (`EngineClient` has them); it turns
``client.check(spec)`` into ``client.call(CheckRequest(spec))``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lamina.engine.protocol import (
    Catalog,
    CatalogRequest,
    CheckReport,
    CheckRequest,
    DatasetSummary,
    DatasetSummaryRequest,
    EngineInfo,
    Event,
    ExpandArchitectureRequest,
    ExpandedArchitecture,
    Exported,
    ExportRequest,
    ListRunsRequest,
    PingRequest,
    Prediction,
    PredictRequest,
    Reply,
    Request,
    RunList,
    SearchRequest,
    TrainRequest,
    VisualizeRequest,
    VisualizeResult,
)

R = TypeVar("R", bound=Reply)
OnReply = Callable[[Reply], None]
OnRequestEvent = Callable[[Event], None]


class TypedRequests:
    """Typed methods over `send` (returns the request id) and `call` (waits for the reply)."""

    def send(
        self,
        request: Request[Any],
        on_reply: OnReply | None = None,
        on_event: OnRequestEvent | None = None,
    ) -> int:
        """Sends a request and returns its id (see `EngineClient.send`)."""
        raise NotImplementedError

    def call(self, request: Request[R], timeout: float = 120) -> R:
        """Sends a request and waits for its reply (see `EngineClient.call`)."""
        raise NotImplementedError

    def ping(self, timeout: float = 120) -> EngineInfo:
        """The engine's process id, versions and devices."""
        return self.call(PingRequest(), timeout)

    def catalog(self, timeout: float = 120) -> Catalog:
        """The catalogue's metadata."""
        return self.call(CatalogRequest(), timeout)

    def check(self, spec: Any, compile: bool = True, timeout: float = 120) -> CheckReport:
        """Checks a spec (a `ModelSpec` or its dict)."""
        return self.call(CheckRequest(spec, compile), timeout)

    def expand_architecture(
        self, name: str, params: dict[str, Any] | None = None, timeout: float = 120
    ) -> ExpandedArchitecture:
        """The spec of architecture template `name`."""
        return self.call(ExpandArchitectureRequest(name, dict(params or {})), timeout)

    def dataset_summary(
        self,
        data: Any,
        params: dict[str, Any] | None = None,
        n_preview: int = 8,
        timeout: float = 120,
    ) -> DatasetSummary:
        """A dataset's summary and a preview of `n_preview` samples."""
        return self.call(DatasetSummaryRequest(data, params, n_preview), timeout)

    def train(
        self,
        spec: Any,
        on_event: OnRequestEvent | None = None,
        on_reply: OnReply | None = None,
        **options: Any,
    ) -> int:
        """Starts training `spec` and returns the request id at once.

        Its events go to `on_event`, its `TrainResult` to `on_reply`; `options` are
        `TrainRequest`'s fields (``project_dir``, ``epochs``, ...).
        """
        return self.send(TrainRequest(spec, **options), on_reply, on_event)

    def search(
        self,
        spec: Any,
        space: dict[str, Any],
        settings: dict[str, Any] | None = None,
        on_event: OnRequestEvent | None = None,
        on_reply: OnReply | None = None,
        **options: Any,
    ) -> int:
        """Starts (or resumes) a hyperparameter search and returns the request id at once.

        Its events (`TrialStarted`, `TrialFinished`, ...) go to `on_event`, its
        `SearchReport` (or a located `ErrorReply`) to `on_reply`; `options` are
        `SearchRequest`'s other fields (``project_dir``, ``data``). Cancel the request to
        stop it: the running trial ends within one batch and the study stays resumable.
        """
        request = SearchRequest(spec, dict(space), dict(settings or {}), **options)
        return self.send(request, on_reply, on_event)

    def visualize(
        self, visualization: str, timeout: float = 600, **options: Any
    ) -> VisualizeResult:
        """Runs a visualization of a saved run (`options` are `VisualizeRequest`'s)."""
        return self.call(VisualizeRequest(visualization, **options), timeout)

    def list_runs(self, project_dir: str, timeout: float = 120) -> RunList:
        """The runs of a project."""
        return self.call(ListRunsRequest(project_dir), timeout)

    def predict(self, x: Any, timeout: float = 600, **options: Any) -> Prediction:
        """A saved run's outputs for `x` (`options` are `PredictRequest`'s)."""
        return self.call(PredictRequest(x, **options), timeout)

    def export(self, path: str, timeout: float = 600, **options: Any) -> Exported:
        """Exports a saved run's model (`options` are `ExportRequest`'s)."""
        return self.call(ExportRequest(path, **options), timeout)
