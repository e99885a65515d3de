"""Events a request streams before its reply, and the engine's status.

The training events carry the same fields as `lamina.training.events` (whose module
imports TensorFlow through its package, so the app cannot use it): `RunStarted`,
`EpochStarted`, `BatchEnd`, `EpochEnd`, `EarlyStopped`, `CheckpointSaved`, `Finished`,
`Failed`, `Cancelled`. The engine adds `Boundary` (a 2-D model's decision regions),
`Log` (a line for the log) and `Image` (a step of a visualization).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.engine.protocol.wire import Message, message

#: Engine states (`EngineStatus.state`).
STATES = ("starting", "ready", "busy", "died", "restarting", "stopped")


@message("status")
@dataclass
class EngineStatus(Message):
    """The engine's state (see `STATES`); `message` says what happened."""

    FAMILY = "status"
    state: str
    message: str = ""


@dataclass
class Event(Message):
    """Base of every event; `id` is the request that streams it."""

    FAMILY = "event"


@message("run_started")
@dataclass
class RunStarted(Event):
    """Training begins (see `lamina.training.events.RunStarted`)."""

    run_id: str = ""
    epochs: int = 0
    steps_per_epoch: int | None = None
    device: str = "cpu"
    seed: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    split_given: list[str] = field(default_factory=list)


@message("epoch_started")
@dataclass
class EpochStarted(Event):
    """An epoch begins (`epoch` counts from 0)."""

    epoch: int = 0


@message("batch_end")
@dataclass
class BatchEnd(Event):
    """A batch ended (sent when the request asked for batch events; throttled)."""

    epoch: int = 0
    batch: int = 0
    metrics: dict[str, float] = field(default_factory=dict)


@message("epoch_end")
@dataclass
class EpochEnd(Event):
    """An epoch ended; `metrics` holds training and ``val_*`` metrics and ``lr``."""

    epoch: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


@message("early_stopped")
@dataclass
class EarlyStopped(Event):
    """Early stopping ended training at `epoch`; weights are those of `best_epoch`."""

    epoch: int = 0
    best_epoch: int = 0
    monitor: str = "val_loss"
    best: float | None = None


@message("checkpoint_saved")
@dataclass
class CheckpointSaved(Event):
    """Weights were written to `path` (``which``: the best so far, or the final ones)."""

    path: str = ""
    epoch: int = 0
    which: str = "best"


@message("finished")
@dataclass
class Finished(Event):
    """Training finished normally; `metrics` are the test metrics (if a test split)."""

    run_id: str = ""
    epochs_run: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    path: str | None = None


@message("failed")
@dataclass
class Failed(Event):
    """Training failed; `reason` says why in one sentence."""

    run_id: str = ""
    reason: str = ""
    epoch: int | None = None


@message("cancelled")
@dataclass
class Cancelled(Event):
    """Training was cancelled; the weights are those of `last_epoch` (-1: none)."""

    run_id: str = ""
    last_epoch: int = -1
    message: str = ""


@message("boundary")
@dataclass
class Boundary(Event):
    """The decision regions of a model of 2-D inputs after `epoch`.

    `grid` holds the model's outputs on a (res, res, outputs) grid over `extent`
    ``[x0, x1, y0, y1]`` (rows go up in y). The first boundary of a run also carries
    the data's `points` (n, 2), their `labels` (n,) and the `class_names`, to draw
    over it.
    """

    grid: np.ndarray
    extent: list[float]
    epoch: int = 0
    points: np.ndarray | None = None
    labels: np.ndarray | None = None
    class_names: list[str] | None = None


@message("log")
@dataclass
class Log(Event):
    """A line for the log."""

    text: str


@message("image")
@dataclass
class Image(Event):
    """A step of a visualization that improves an image (e.g. deep dream)."""

    step: int
    steps: int
    image: np.ndarray
