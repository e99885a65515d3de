"""Training: `train` a spec on data, with events, cancellation, devices and projects.

Example:
    >>> import lamina
    >>> from lamina.training import train
    >>> result = train(spec, data="digits", project="my-project", epochs=5)
    >>> result.history["val_accuracy"][-1], result.metrics["accuracy"]
"""

from __future__ import annotations

from lamina.training.callbacks import CancelToken, EventCallback
from lamina.training.data_source import load_data
from lamina.training.evaluate import evaluate, predict, predict_uncertainty
from lamina.training.events import (
    BatchEnded,
    CheckpointSaved,
    EarlyStopped,
    EpochEnded,
    EpochStarted,
    Event,
    RunCancelled,
    RunFailed,
    RunFinished,
    RunStarted,
)
from lamina.training.trainer import RunResult, train

__all__ = [
    "BatchEnded",
    "CancelToken",
    "CheckpointSaved",
    "EarlyStopped",
    "EpochEnded",
    "EpochStarted",
    "Event",
    "EventCallback",
    "RunCancelled",
    "RunFailed",
    "RunFinished",
    "RunResult",
    "RunStarted",
    "evaluate",
    "load_data",
    "predict",
    "predict_uncertainty",
    "train",
]
