"""The records stage of `train`: TensorBoard event files always, MLflow when asked.

A run saved in a project writes its TensorBoard records (`lamina.records.tensorboard`);
with ``mlflow`` it is also logged to MLflow (`lamina.records.mlflow`). A problem MLflow
has is reported once (the run log and stderr) and never fails the training.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lamina.errors import LaminaError
from lamina.spec import ModelSpec
from lamina.training.run_log import RunLog


def check_mlflow(mlflow: bool | str, project: Any) -> None:
    """Refuses MLflow logging before anything is written if it cannot work.

    Raises:
        LaminaError: If the ``mlflow`` extra is missing or no project is given.
    """
    if not mlflow:
        return
    from lamina.records.mlflow import require_mlflow

    require_mlflow()
    if project is None:
        raise LaminaError(
            "MLflow logging records a saved run: give a project",
            location="mlflow",
            hint="lamina train ... --project DIR --mlflow",
            code="usage",
        )


def start_mlflow(
    mlflow: bool | str,
    run_dir: Path,
    spec: ModelSpec,
    run_id: str,
    dataset_name: str,
    run_label: str | None,
    emit: RunLog,
) -> Any:
    """Starts the MLflow run of a lamina run; returns its recorder (None without MLflow)."""
    if not mlflow:
        return None
    from lamina import __version__
    from lamina.records.mlflow import MlflowRecorder

    def report(text: str) -> None:
        emit.log(text)
        logging.getLogger("lamina").warning(text)

    recorder = MlflowRecorder(
        run_dir.parent.parent, uri=mlflow if isinstance(mlflow, str) else None, report=report
    )
    tags = {"lamina.version": __version__, "lamina.run_id": run_id, "dataset": dataset_name}
    if run_label:
        tags["lamina.label"] = run_label
    recorder.start(spec, run_id, tags)
    return recorder


def record_callbacks(
    run_dir: Path | None,
    spec: ModelSpec,
    run_id: str,
    recorder: Any,
    histogram_freq: int,
) -> list:
    """The callbacks that write a saved run's records while it trains.

    Args:
        run_dir: The run folder (`None`: a run that is not saved writes no records).
        spec: The spec being trained.
        run_id: The run's id.
        recorder: The MLflow recorder, or `None`.
        histogram_freq: Write TensorBoard weight histograms every this many epochs
            (0: never).
    """
    if run_dir is None:
        return []
    from lamina.records.tensorboard import TensorBoardRecord

    callbacks: list[Any] = [TensorBoardRecord(run_dir, spec, run_id, histogram_freq)]
    if recorder is not None:
        from lamina.records.mlflow import mlflow_callback

        callbacks.append(mlflow_callback(recorder))
    return callbacks
