"""Replies: one per request, typed by what was asked (`CheckReport` for a `CheckRequest`, ...).

A request that failed gets an `ErrorReply` (message, code, location, hint); one that was
cancelled before it finished (other than a training, which reports it in its
`TrainResult`) gets `RequestCancelled`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.engine.protocol.wire import Message, message


@dataclass
class Reply(Message):
    """Base of every reply; `id` is the request's."""

    FAMILY = "reply"


@message("error")
@dataclass
class ErrorReply(Reply):
    """The request failed: one clear `message` (no traceback).

    Args:
        message: What went wrong, already prefixed with its location.
        code: The `LaminaError.code` of a user's error (``"spec"``, ``"data"``, ...),
            ``"internal"`` for a bug in lamina, ``"engine"`` when the engine stopped,
            ``"protocol"`` for a request the engine could not read.
        location: Where (a spec path, a file), if known.
        hint: What to do about it, if known (already part of `message`).
    """

    message: str
    code: str = "internal"
    location: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        return self.message


@message("cancelled")
@dataclass
class RequestCancelled(Reply):
    """The request was cancelled (by a `CancelRequest`) before it finished."""

    reason: str = ""

    def __str__(self) -> str:
        return self.reason or "cancelled"


@message("cancel_ack")
@dataclass
class CancelAck(Reply):
    """The answer to a `CancelRequest`: whether request `target` was found running."""

    target: int
    found: bool


@message("engine_info")
@dataclass
class EngineInfo(Reply):
    """The engine's process, versions and devices (the answer to `PingRequest`)."""

    pid: int
    versions: dict[str, Any]
    python: str
    devices: list[dict[str, Any]]
    nice: int = 0


@message("catalog")
@dataclass
class Catalog(Reply):
    """The catalogue's metadata (``Registry.to_dict()``): entries and plug-ins, no code."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    plugins: list[dict[str, Any]] = field(default_factory=list)


@message("check_report")
@dataclass
class CheckReport(Reply):
    """What `lamina.build.check` found (``CheckReport.to_dict()``); `ok` if no problems."""

    ok: bool
    items: list[dict[str, Any]] = field(default_factory=list)
    input_shape: list[int | None] | None = None
    output_shape: list[int | None] | None = None
    total_params: int = 0
    trainable_params: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


@message("architecture")
@dataclass
class ExpandedArchitecture(Reply):
    """An architecture template expanded into a spec (its dict)."""

    spec: dict[str, Any]


@message("dataset_summary")
@dataclass
class DatasetSummary(Reply):
    """A dataset's summary (``Dataset.summary()``) and a preview of a few samples.

    `preview` holds ``kind`` (``"images"``, ``"series"``, ``"points"``, ``"rows"`` or
    ``"arrays"``), ``indices``, ``x`` and ``y`` (arrays); for images asked with a
    ``stretch``, also ``stretch`` and ``stretched`` (``(n, H, W, 3)`` uint8 RGB:
    `lamina.visualize.sky.preview_image`).
    """

    summary: dict[str, Any]
    preview: dict[str, Any]
    class_names: list[str] | None = None
    feature_names: list[str] | None = None


@message("train_result")
@dataclass
class TrainResult(Reply):
    """How a training ended: `status` ``"finished"``, ``"failed"`` or ``"cancelled"``."""

    status: str
    reason: str = ""
    run_id: str | None = None
    run_dir: str | None = None
    epochs_run: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[Any]] = field(default_factory=dict)


@message("visualization")
@dataclass
class VisualizeResult(Reply):
    """A visualization of a run: `images` (or None) with their `titles`, and `meta`."""

    kind: str
    images: np.ndarray | None = None
    titles: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    run_dir: str | None = None


@message("runs")
@dataclass
class RunList(Reply):
    """The runs of a project, oldest first (``id``, ``run_dir``, ``status``, metrics...)."""

    runs: list[dict[str, Any]] = field(default_factory=list)


@message("prediction")
@dataclass
class Prediction(Reply):
    """A model's outputs for the inputs of a `PredictRequest`."""

    outputs: np.ndarray


@message("exported")
@dataclass
class Exported(Reply):
    """Where a run's model was exported to, and in which format."""

    path: str
    format: str
