"""Requests: one dataclass per thing the engine can do, each naming the reply it gets.

A request's `REPLY` is the `Reply` class that answers it (or an `ErrorReply`, or
`RequestCancelled`); `LONG` requests run one at a time on the engine's long worker and
can be cancelled. A spec travels as its dict: a `ModelSpec` is sent as ``to_dict()``.
Requests about a saved run name it by ``run_dir``, or by ``project_dir`` (and ``run``,
else the latest run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

from lamina.engine.protocol.replies import (
    CancelAck,
    Catalog,
    CheckReport,
    DatasetSummary,
    EngineInfo,
    ExpandedArchitecture,
    Exported,
    Prediction,
    Reply,
    RunList,
    TrainResult,
    VisualizeResult,
)
from lamina.engine.protocol.wire import Message, message

R = TypeVar("R", bound=Reply)

#: A model spec: a ``ModelSpec`` or its dict (it crosses the wire as the dict).
SpecLike = Any


@dataclass
class Request(Message, Generic[R]):
    """Base of every request; the client sets `id` when it sends it."""

    FAMILY = "request"
    #: The reply class that answers this request.
    REPLY: ClassVar[type[Reply]] = Reply
    #: Whether it runs on the long worker (one at a time, cancellable).
    LONG: ClassVar[bool] = False


@message("ping")
@dataclass
class PingRequest(Request[EngineInfo]):
    """Asks for the engine's process id, versions and devices."""

    REPLY = EngineInfo


@message("catalog")
@dataclass
class CatalogRequest(Request[Catalog]):
    """Asks for the catalogue's metadata (and refreshes the app's cache of it)."""

    REPLY = Catalog


@message("check")
@dataclass
class CheckRequest(Request[CheckReport]):
    """Checks a spec: shapes and parameter counts per item, and every problem."""

    REPLY = CheckReport
    spec: SpecLike
    compile: bool = True


@message("expand_architecture")
@dataclass
class ExpandArchitectureRequest(Request[ExpandedArchitecture]):
    """Expands the architecture template `name` with `params` into a spec."""

    REPLY = ExpandedArchitecture
    name: str
    params: dict[str, Any] = field(default_factory=dict)


@message("dataset_summary")
@dataclass
class DatasetSummaryRequest(Request[DatasetSummary]):
    """Loads the dataset `data` (a reference) and summarises it with `n_preview` samples.

    `stretch` (``"asinh"``, ``"zscale"``...: `lamina.visualize.sky.STRETCHES`) adds the
    preview images drawn with that intensity stretch (``preview["stretched"]``).
    """

    REPLY = DatasetSummary
    LONG = True
    data: Any
    params: dict[str, Any] | None = None
    n_preview: int = 8
    stretch: str | None = None


@message("train")
@dataclass
class TrainRequest(Request[TrainResult]):
    """Trains `spec` (on `data`, else the spec's data), streaming training events.

    Args:
        spec: The model spec.
        data: A dataset reference, or ``{"x": array, "y": array}``; defaults to the spec's.
        project_dir: The project to save the run in (none: not saved).
        boundary: Stream the decision boundary of a model of 2-D inputs (`Boundary`).
        continue_from: The folder of a saved run whose final weights to start from.
        epochs, batch_size, seed, device, data_params, batch_events, run_label: As for
            `lamina.training.train`.
    """

    REPLY = TrainResult
    LONG = True
    spec: SpecLike
    data: Any = None
    project_dir: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    seed: int | None = None
    device: str | None = None
    data_params: dict[str, Any] | None = None
    batch_events: bool = True
    run_label: str | None = None
    boundary: bool = True
    continue_from: str | None = None


@message("visualize")
@dataclass
class VisualizeRequest(Request[VisualizeResult]):
    """Runs the visualization `visualization` on a saved run; streams `Image` steps.

    `sample` picks the input among the run's data (for methods that take one);
    `params` are the visualization's parameters (an ``input`` array among them is used
    as the input). `stretch` (``"asinh"``, ``"zscale"``...: `lamina.visualize.sky.STRETCHES`)
    adds the maps' background drawn with that intensity stretch
    (``meta["background_stretched"]``).
    """

    REPLY = VisualizeResult
    LONG = True
    visualization: str
    run_dir: str | None = None
    project_dir: str | None = None
    run: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    sample: int | None = None
    n_samples: int = 256
    which: str = "final"
    stretch: str | None = None


@message("list_runs")
@dataclass
class ListRunsRequest(Request[RunList]):
    """Lists the runs of the project in `project_dir` (incomplete ones too)."""

    REPLY = RunList
    project_dir: str


@message("predict")
@dataclass
class PredictRequest(Request[Prediction]):
    """Predicts `x` with a saved run's model (standardised as in training)."""

    REPLY = Prediction
    LONG = True
    x: np.ndarray
    run_dir: str | None = None
    project_dir: str | None = None
    run: str | None = None
    which: str = "final"
    standardize: bool = True
    batch_size: int = 256


@message("export")
@dataclass
class ExportRequest(Request[Exported]):
    """Exports a saved run's model to `path` as ``"keras"``, ``"savedmodel"`` or ``"python"``."""

    REPLY = Exported
    LONG = True
    path: str
    format: str = "keras"
    run_dir: str | None = None
    project_dir: str | None = None
    run: str | None = None
    which: str = "final"


@message("cancel")
@dataclass
class CancelRequest(Request[CancelAck]):
    """Cancels request `target` (a training stops within a batch); handled at once."""

    REPLY = CancelAck
    target: int
