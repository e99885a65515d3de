"""What `train` returns (`RunResult`) and what its epoch hooks see (`EpochContext`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.spec import ModelSpec


@dataclass
class RunResult:
    """What `train` returns.

    Attributes:
        run_id: The run's id (its folder name when saved in a project).
        status: ``"finished"``, ``"cancelled"`` or ``"failed"``.
        model: The trained tf_keras model.
        spec: The spec as trained (with overrides applied).
        history: Per-epoch metrics of the completed epochs.
        metrics: Test metrics (empty without a test split).
        info: What ``run.json`` holds (device, seed, versions, timings, data, ...).
        standardizer: The `Standardizer` fitted on the training part, or None.
        reason: Why the run failed or was cancelled.
        path: The run folder, if saved in a project.
        splits: The train/validation/test parts (standardised inputs are not stored).
    """

    run_id: str
    status: str
    model: Any
    spec: ModelSpec
    history: dict[str, list[float]] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    standardizer: Any = None
    reason: str = ""
    path: Path | None = None
    splits: Any = None

    @property
    def epochs_run(self) -> int:
        """The number of epochs in the history."""
        return len(next(iter(self.history.values()), []))

    def predict(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Predicts raw inputs (the run's standardiser is applied)."""
        from lamina.inference import predict

        return predict(self, x, batch_size=batch_size)


@dataclass
class EpochContext:
    """What an epoch hook of `train` sees after each epoch.

    Args:
        model: The model being trained.
        dataset: The whole dataset (before splitting).
        standardizer: The fitted `Standardizer`, or None.
        epoch: The epoch that just ended (0-based).
    """

    model: Any
    dataset: Dataset
    standardizer: Any
    epoch: int
