"""Training events: plain dataclasses streamed to an ``on_event(event)`` callable.

They carry only plain data (numbers, strings, dicts), so the engine can send them to
the app over a pipe and the app can turn them into Qt signals. No Qt, no TensorFlow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Event:
    """Base class of every training event."""

    @property
    def kind(self) -> str:
        """The event's class name, e.g. ``"EpochEnded"``."""
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        """Returns ``{"event": kind, **fields}`` (JSON-serialisable)."""
        return {"event": self.kind, **asdict(self)}


@dataclass
class RunStarted(Event):
    """Training begins: `epochs` planned, `steps_per_epoch` batches each.

    `data` holds the split's sizes and class counts (`Splits.summary`), `dataset` the
    whole dataset's `Dataset.summary` (shapes, dtypes, classes), `split_given` the
    parts the data named themselves.
    """

    run_id: str = ""
    epochs: int = 0
    steps_per_epoch: int | None = None
    device: str = "cpu"
    seed: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    split_given: list[str] = field(default_factory=list)


@dataclass
class EpochStarted(Event):
    """An epoch begins (`epoch` counts from 0)."""

    epoch: int = 0


@dataclass
class BatchEnded(Event):
    """A batch ended. Only sent when a listener asked for batch events (throttled)."""

    epoch: int = 0
    batch: int = 0
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class EpochEnded(Event):
    """An epoch ended; `metrics` holds training and ``val_*`` metrics and ``lr``."""

    epoch: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class EarlyStopped(Event):
    """Early stopping ended training at `epoch`; weights are those of `best_epoch`."""

    epoch: int = 0
    best_epoch: int = 0
    monitor: str = "val_loss"
    best: float | None = None


@dataclass
class CheckpointSaved(Event):
    """Weights were written to `path` (the best ones so far, or the final ones)."""

    path: str = ""
    epoch: int = 0
    which: str = "best"


@dataclass
class RunFinished(Event):
    """Training finished normally; `metrics` are the test metrics (if a test split)."""

    run_id: str = ""
    epochs_run: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    path: str | None = None


@dataclass
class RunFailed(Event):
    """Training failed; `reason` says why in one sentence."""

    run_id: str = ""
    reason: str = ""
    epoch: int | None = None


@dataclass
class RunCancelled(Event):
    """The user cancelled; the weights are those of `last_epoch` (-1: none completed)."""

    run_id: str = ""
    last_epoch: int = -1
    message: str = ""
