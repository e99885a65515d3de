"""`train`: a spec + data -> a trained model, history, test metrics and a saved run.

The one training path of lamina: the Python API, the CLI, the engine and the app all
call it. Progress goes out as events (`lamina.training.events`) through a plain
``on_event(event)`` callable; a `CancelToken` stops a run within one batch.

A run goes through these stages, each in a module named after it:

1. the spec with its overrides, and the data (`lamina.data.load_data`);
2. the model, built and checked against the data (`data_checks`);
3. the data prepared: split, standardised, targets shaped, batched (`prepare`);
4. the plug-ins' target checks and model preparations (`before_fit`);
5. the run folder (`run_folder`), the callbacks and the fit (`fitting`), with the
   run's TensorBoard and MLflow records (`records`);
6. the test metrics (`lamina.inference.evaluate`);
7. the final event and the run's files (`run_folder`).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.sources import load_data
from lamina.errors import LaminaError
from lamina.registry import Registry
from lamina.spec import ModelSpec, load_spec
from lamina.training.before_fit import plugin_preparations
from lamina.training.callbacks import CancelToken, current_learning_rate
from lamina.training.continuing import load_previous_weights
from lamina.training.data_checks import check_against_model
from lamina.training.devices import DeviceChoice
from lamina.training.events import Event, RunCancelled, RunFailed, RunFinished, RunStarted
from lamina.training.fitting import FitCallbacks, fit_model, make_callbacks
from lamina.training.prepare import PreparedData, prepare_data
from lamina.training.records import check_mlflow, record_callbacks, start_mlflow
from lamina.training.result import EpochContext, RunResult
from lamina.training.run_folder import existing_project, new_run_dir, save_run
from lamina.training.run_info import data_ref, new_run_info
from lamina.training.run_log import RunLog
from lamina.training.targets import model_output_size
from lamina.training.tf_session import fresh_session, run_scope


def train(
    spec: Any,
    data: Any = None,
    project: Any = None,
    on_event: Callable[[Event], None] | None = None,
    cancel: CancelToken | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    device: str | None = None,
    data_params: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
    batch_events: bool = False,
    run_label: str | None = None,
    epoch_hooks: Sequence[Callable[[EpochContext], None]] = (),
    checkpoint_interval: float = 30.0,
    mlflow: bool | str = False,
    tensorboard_histograms: int = 0,
    run_tags: Mapping[str, Any] | None = None,
    continue_from: Any = None,
) -> RunResult:
    """Trains a spec on data and returns the result (saving a run if `project` is given).

    The data are checked against the model (input shape, labels vs outputs) before
    any training; split into train/validation/test (``spec.training``); standardised
    with numbers fitted on the training part only (stored with the run); augmented on
    the fly; and fitted with early stopping (best weights restored), best-weights
    checkpointing, learning-rate reduction on plateaus and a stop on NaN losses.

    Example:
        >>> result = lamina.train(spec, data="digits", epochs=5, project="digits-project")
        >>> result.status, result.metrics["accuracy"]

    Args:
        spec: A `ModelSpec`, dict or JSON path.
        data: A `Dataset`, a registered dataset name or ``{"type", "params"}``, a file
            path, or ``(x, y)``. Defaults to ``spec.data``.
        project: A `Project` or a folder (created if needed) to save the run into.
        on_event: Called with every event (`RunStarted`, `EpochEnded`, ...).
        cancel: A `CancelToken`; cancelling stops within one batch and keeps the
            weights of the last completed epoch.
        epochs: Overrides ``spec.training.epochs``.
        batch_size: Overrides ``spec.training.batch_size``.
        seed: Overrides ``spec.training.seed``. The same seed gives the same history
            on CPU (op determinism is on during the run, and off again after it).
        device: Overrides ``spec.training.device`` (``"auto"``, ``"cpu"``, ``"gpu:0"``).
        data_params: Extra parameters for the dataset or file loader.
        registry: The catalogue; defaults to the process-wide one.
        batch_events: Send throttled `BatchEnded` events. Defaults to `False`.
        run_label: Appended to the run folder's name.
        epoch_hooks: Functions called with an `EpochContext` after every epoch (the
            engine uses one to stream the decision boundary of a 2-D model).
        checkpoint_interval: With a `project`, the best weights so far are written to
            the run folder while training, at most once per this many seconds
            (``weights.best.h5`` + ``checkpoint.json``), so a crash or a killed process
            keeps them. Defaults to `30.0`; `0` writes every improvement.
        mlflow: With a `project`, also log the run to MLflow (the ``mlflow`` extra):
            `True` uses ``$MLFLOW_TRACKING_URI`` or the project's own SQLite store, a
            string is a tracking URI. MLflow failing never fails the training. Defaults
            to `False`.
        tensorboard_histograms: With a `project`, also write weight histograms into
            the run's TensorBoard records every this many epochs (from the first).
            Defaults to `0` (never).
        run_tags: Extra top-level entries of the run's ``run.json`` (plain JSON values),
            e.g. ``{"search": {"name": "s1", "trial": 3}}`` for a search's trial. A dict
            value is stored by reference, so changes made to it during the run (a
            pruned trial's state) are written with the run.
        continue_from: A `Run` or run folder whose final weights the model starts
            from (continue training); the new run records it as ``continued_from``.
            Defaults to `None` (fresh weights).

    Raises:
        DataError: If the data cannot be loaded or do not fit the model.
        SpecError: If the spec does not build.
        DeviceError: If the device or mixed precision is not available.
    """
    from lamina.keras import tf
    from lamina.plugins import get_registry
    from lamina.training.determinism import seeded_run
    from lamina.training.devices import choose_device, precision_policy

    if checkpoint_interval < 0:
        raise SettingError(
            f"checkpoint_interval must be >= 0 seconds. Received: {checkpoint_interval!r}",
            location="checkpoint_interval",
            hint="0 saves at every improvement, N at most every N seconds",
        )
    if isinstance(tensorboard_histograms, bool) or not (
        isinstance(tensorboard_histograms, int) and tensorboard_histograms >= 0
    ):
        raise SettingError(
            f"must be a whole number of epochs, at least 0. Received: {tensorboard_histograms!r}",
            location="tensorboard_histograms",
            hint="0 writes no histograms, N writes them every N epochs",
        )
    check_mlflow(mlflow, project)
    run = _Run(id="", started=time.perf_counter())
    created = datetime.now(UTC).isoformat(timespec="seconds")
    spec = _with_overrides(
        load_spec(spec), epochs=epochs, batch_size=batch_size, seed=seed, device=device
    )
    ts = spec.training
    registry = registry or get_registry()
    emit = RunLog(on_event)
    ds = load_data(data, registry, params=data_params, spec=spec)
    choice = choose_device(ts.device, ts.mixed_precision)
    # A damaged project file is refused now; the project and its run folder are only
    # written once the spec has built and the data fit it (nothing saved is touched
    # by a run that cannot start).
    proj = existing_project(project)
    run.id = datetime.now().strftime("%Y%m%d-%H%M%S")
    fresh_session()
    run.info = new_run_info(
        run.id, created, choice, ts.seed, ds, data_ref(data, data_params, spec), run.timings
    )
    run.info.update(run_tags or {})
    try:
        with (
            run_scope(),
            seeded_run(ts.seed),
            precision_policy(choice.mixed_precision),
            tf.device(choice.device.tf_name),
        ):
            model = _build_checked(spec, registry, ds, run.timings)
            if continue_from is not None:
                run.info["continued_from"] = load_previous_weights(model, continue_from)
            prepared = prepare_data(spec, ds, model_output_size(model), seed=int(ts.seed or 0))
            run.info.update(prepared.info())
            plugin_preparations(spec, registry, model, prepared.targets(prepared.splits.train), ds)
            if project is not None:
                run.dir = new_run_dir(proj, project, spec, run_label)
                run.id = run.info["run_id"] = run.dir.name
                run.recorder = start_mlflow(
                    mlflow, run.dir, spec, run.id, str(ds.name), run_label, emit
                )
            run.fit = make_callbacks(
                spec,
                model,
                emit,
                cancel,
                batch_events=batch_events,
                has_validation=prepared.validation is not None,
                run_dir=run.dir,
                checkpoint_interval=checkpoint_interval,
                epoch_hooks=epoch_hooks,
                make_context=lambda epoch: EpochContext(model, ds, prepared.standardizer, epoch),
            )
            run.fit.callbacks += record_callbacks(
                run.dir, spec, run.id, run.recorder, tensorboard_histograms
            )
            emit(_run_started(run.id, spec, choice, prepared, ds))
            run.status, run.reason = fit_model(
                model, prepared, run.fit, emit, run.info, run.timings
            )
            if run.ran_epochs and prepared.splits.test is not None:
                run.metrics = _test_metrics(model, prepared, prepared.splits.test, ds, run.timings)
    except Exception as exc:
        _record_failure(run, exc, spec, emit)
        raise
    _finish(run, spec, model, emit)
    return RunResult(
        run_id=run.id,
        status=run.status,
        model=model,
        spec=spec,
        history=run.history,
        metrics=run.metrics,
        info=run.info,
        standardizer=prepared.standardizer,
        reason=run.reason,
        path=run.dir,
        splits=prepared.splits,
    )


class SettingError(LaminaError, ValueError):
    """A setting given to `train` is out of its range (a `ValueError` too, as before)."""

    code = "setting"


@dataclass
class _Run:
    """What `train` knows of the run so far (``info`` is what ``run.json`` will hold)."""

    id: str
    started: float
    info: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)
    dir: Path | None = None
    fit: FitCallbacks | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    status: str = "failed"
    reason: str = ""
    recorder: Any = None

    @property
    def history(self) -> dict[str, list[float]]:
        """Per-epoch metrics of the completed epochs."""
        return {} if self.fit is None else self.fit.events.history

    @property
    def ran_epochs(self) -> bool:
        """True if the fit did not fail and completed at least one epoch."""
        return self.status != "failed" and self.info.get("epochs_run", 0) > 0

    def seconds(self) -> float:
        """Seconds since `train` was called."""
        return time.perf_counter() - self.started


def _with_overrides(spec: ModelSpec, **overrides: Any) -> ModelSpec:
    """The spec with the given training settings replaced (None keeps the spec's)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return spec
    return spec.copy_with(training={**spec.training.model_dump(mode="json"), **given})


def _build_checked(spec: ModelSpec, registry: Registry, ds: Dataset, timings: dict) -> Any:
    """Builds the compiled model and checks that the data fit it."""
    from lamina.build import build_model

    t0 = time.perf_counter()
    model = build_model(spec, registry)
    timings["build_seconds"] = time.perf_counter() - t0
    check_against_model(ds, spec, model)
    return model


def _run_started(
    run_id: str, spec: ModelSpec, choice: DeviceChoice, data: PreparedData, ds: Dataset
) -> RunStarted:
    ts = spec.training
    splits = data.splits
    return RunStarted(
        run_id=run_id,
        epochs=ts.epochs,
        steps_per_epoch=int(np.ceil(len(splits.train) / ts.batch_size)),
        device=choice.device.name,
        seed=ts.seed,
        data=splits.summary(),
        dataset=ds.summary(),
        split_given=list(splits.given),
    )


def _test_metrics(
    model: Any, data: PreparedData, test: Dataset, ds: Dataset, timings: dict
) -> dict[str, Any]:
    """Metrics on the test part (inputs and targets prepared as the training part's were)."""
    from lamina.data.standardize import standardize_targets
    from lamina.inference import evaluate

    t0 = time.perf_counter()
    metrics = evaluate(
        model,
        data.inputs(test),
        standardize_targets(test.y, test.x, ds.task, data.standardizer),
        task=ds.task,
        class_names=ds.class_names,
        standardize=False,
    )
    timings["evaluate_seconds"] = time.perf_counter() - t0
    return metrics


def _record_failure(run: _Run, exc: Exception, spec: ModelSpec, emit: RunLog) -> None:
    """Sends `RunFailed` and writes what the run has (call inside the ``except``)."""
    reason = f"{type(exc).__name__}: {exc}"
    emit.log(traceback.format_exc())
    epoch = run.fit.events.last_epoch if run.fit is not None else None
    emit(RunFailed(run_id=run.id, reason=reason, epoch=epoch))
    run.info.update(status="failed", reason=reason)
    run.timings["total_seconds"] = run.seconds()
    if run.fit is not None and run.fit.best.checkpoint_epoch >= 0:
        run.info["best_epoch"] = run.fit.best.checkpoint_epoch  # its weights: weights.best.h5
    if run.dir is not None:
        try:
            save_run(run.dir, spec, run.info, run.history, run.metrics, emit, None, None)
        except LaminaError as error:  # e.g. the disk is still full: the first error tells
            emit.log(f"the failed run's record was not saved: {error}")
    if run.recorder is not None:
        run.recorder.finish(run.dir, "failed", None, run.metrics)


def _finish(run: _Run, spec: ModelSpec, model: Any, emit: RunLog) -> None:
    """Sends the run's last event and writes its files."""
    assert run.fit is not None
    events = run.fit.events
    run.info.update(status=run.status, reason=run.reason)
    if run.status == "cancelled":
        emit(RunCancelled(run_id=run.id, last_epoch=events.last_epoch, message=run.reason))
    elif run.status == "failed":
        emit(RunFailed(run_id=run.id, reason=run.reason, epoch=events.last_epoch))
    run.timings["total_seconds"] = run.seconds()
    if run.status == "finished":
        emit(
            RunFinished(
                run_id=run.id,
                epochs_run=run.info["epochs_run"],
                metrics={k: v for k, v in run.metrics.items() if isinstance(v, (int, float))},
                seconds=run.timings["total_seconds"],
                path=None if run.dir is None else str(run.dir),
            )
        )
    if run.dir is not None:
        run.info["final_lr"] = current_learning_rate(model)
        save_run(
            run.dir, spec, run.info, run.history, run.metrics, emit, model, run.fit.best.weights
        )
    if run.recorder is not None:
        run.recorder.finish(run.dir, run.status, model, run.metrics)
