"""Training: `train` a spec on data, with events, cancellation, devices and projects.

Data sources are read by `lamina.data.load_data`; predictions and test metrics of a
trained model come from `lamina.inference`.

Example:
    >>> import lamina
    >>> from lamina.training import train
    >>> result = train(spec, data="digits", project="my-project", epochs=5)
    >>> result.history["val_accuracy"][-1], result.metrics["accuracy"]
"""

from __future__ import annotations

from lamina.training.callbacks import CancelToken, EventCallback
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
from lamina.training.result import EpochContext, RunResult
from lamina.training.trainer import train

__all__ = [
    "BatchEnded",
    "CancelToken",
    "CheckpointSaved",
    "EarlyStopped",
    "EpochContext",
    "EpochEnded",
    "EpochStarted",
    "Event",
    "EventCallback",
    "RunCancelled",
    "RunFailed",
    "RunFinished",
    "RunResult",
    "RunStarted",
    "train",
]
