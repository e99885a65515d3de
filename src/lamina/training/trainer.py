"""`train`: a spec + data -> a trained model, history, test metrics and a saved run.

The one training path of lamina: the Python API, the CLI, the engine and the app all
call it. Progress goes out as events (`lamina.training.events`) through a plain
``on_event(event)`` callable; a `CancelToken` stops a run within one batch.
"""

from __future__ import annotations

import gc
import importlib.metadata
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.errors import LaminaError
from lamina.registry import Registry
from lamina.spec import ModelSpec, Ref, load_spec
from lamina.training.callbacks import BestWeights, CancelToken, EventCallback, current_learning_rate
from lamina.training.events import (
    CheckpointSaved,
    EarlyStopped,
    Event,
    RunCancelled,
    RunFailed,
    RunFinished,
    RunStarted,
)


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
        return len(next(iter(self.history.values()), []))

    def predict(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Predicts raw inputs (the run's standardiser is applied)."""
        from lamina.training.evaluate import predict

        return predict(self, x, batch_size=batch_size)


def versions() -> dict[str, str | None]:
    """Versions of lamina, TensorFlow, tf_keras and TensorFlow Probability."""
    import lamina

    out: dict[str, str | None] = {"lamina": lamina.__version__}
    for dist in ("tensorflow", "tf_keras", "tensorflow-probability", "numpy"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _class_weight(
    setting: Any, y: np.ndarray | None, n_classes: int | None
) -> dict[int, float] | None:
    if setting is None or y is None or y.ndim != 1:
        return None
    if setting == "balanced":
        k = max(int(n_classes or 0), int(y.max()) + 1)
        counts = np.bincount(y.astype(np.int64), minlength=k).astype(np.float64)
        counts[counts == 0] = 1.0
        return {i: float(len(y) / (k * c)) for i, c in enumerate(counts)}
    try:
        return {int(k): float(v) for k, v in dict(setting).items()}
    except (TypeError, ValueError):
        raise DataError(f"class_weight keys must be class indices, got {setting!r}") from None


def _data_ref(
    data: Any, params: Mapping[str, Any] | None, spec: ModelSpec
) -> dict[str, Any] | None:
    """A JSON reference to the data, stored in run.json so `lamina evaluate` can reload it."""
    if data is None:
        return None if spec.data is None else spec.data.model_dump()
    if isinstance(data, Ref):
        return {"type": data.type, "params": {**data.params, **dict(params or {})}}
    if isinstance(data, Mapping) and "type" in data:
        return {
            "type": data["type"],
            "params": {**dict(data.get("params", {})), **dict(params or {})},
        }
    if isinstance(data, (str, Path)):
        text = str(data)
        if Path(text).exists():
            text = str(Path(text).resolve())
        return {"type": text, "params": dict(params or {})}
    return None


class _Emitter:
    """Forwards events to the listener and keeps the run log."""

    def __init__(self, on_event: Callable[[Event], None] | None) -> None:
        self.on_event = on_event
        self.lines: list[str] = []

    def log(self, text: str) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        self.lines.append(f"{stamp} {text}")

    def __call__(self, event: Event) -> None:
        self.log(_describe(event))
        if isinstance(event, RunStarted):
            from lamina.data.report import data_report

            for line in data_report(event.dataset, event.data, event.split_given):
                self.log(line)
        if self.on_event is not None:
            self.on_event(event)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _describe(event: Event) -> str:
    data = event.to_dict()
    kind = data.pop("event")
    if "metrics" in data and isinstance(data["metrics"], dict):
        metrics = data.pop("metrics")
        shown = " ".join(f"{k}={v:.4g}" for k, v in metrics.items() if isinstance(v, (int, float)))
        return (
            f"{kind} "
            + " ".join(f"{k}={v}" for k, v in data.items() if k not in _LONG)
            + f" {shown}"
        )
    return f"{kind} " + " ".join(f"{k}={v}" for k, v in data.items() if k not in _LONG)


#: Event fields the run log gives their own lines (`data_report`) or leaves out.
_LONG = ("data", "dataset", "split_given")


def _prepare_targets(
    spec: ModelSpec, ds: Dataset, y: np.ndarray | None, n_out: int | None
) -> np.ndarray | None:
    from lamina.training.data_source import uses_one_hot

    if y is None:
        return None
    if ds.task == "classification" and uses_one_hot(spec) and y.ndim == 1 and n_out:
        return np.eye(n_out, dtype=np.float32)[y.astype(np.int64)]
    return y


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

    Raises:
        DataError: If the data cannot be loaded or do not fit the model.
        SpecError: If the spec does not build.
        DeviceError: If the device or mixed precision is not available.
    """
    from lamina.data.augment import Augmentation
    from lamina.data.pipeline import make_tf_dataset
    from lamina.data.splits import split_dataset
    from lamina.data.standardize import Standardizer
    from lamina.keras import keras, tf
    from lamina.plugins import get_registry
    from lamina.training.data_source import check_against_model, load_data, model_output_size
    from lamina.training.determinism import seeded_run
    from lamina.training.devices import choose_device, precision_policy
    from lamina.training.evaluate import evaluate

    if checkpoint_interval < 0:
        raise ValueError(
            f"checkpoint_interval must be >= 0 seconds. Received: {checkpoint_interval!r}"
        )

    if mlflow:
        from lamina.records.mlflow import require_mlflow

        require_mlflow()
        if project is None:
            raise LaminaError(
                "MLflow logging records a saved run: give a project",
                location="mlflow",
                hint="lamina train ... --project DIR --mlflow",
                code="usage",
            )

    t_start = time.perf_counter()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    spec = load_spec(spec)
    overrides = {
        k: v
        for k, v in {
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": seed,
            "device": device,
        }.items()
        if v is not None
    }
    if overrides:
        spec = spec.copy_with(training={**spec.training.model_dump(mode="json"), **overrides})
    ts = spec.training
    registry = registry or get_registry()
    emit = _Emitter(on_event)

    ds = load_data(data, registry, params=data_params, spec=spec)
    choice = choose_device(ts.device, ts.mixed_precision)

    # A damaged project file is refused now; the project and its run folder are only
    # written once the spec has built and the data fit it (nothing saved is touched
    # by a run that cannot start).
    proj = _existing_project(project)
    run_dir: Path | None = None
    run_id = datetime.now().strftime("%Y%m%d-%H%M%S")

    keras.backend.clear_session()
    gc.collect()
    run_seed = ts.seed

    timings: dict[str, Any] = {}
    info: dict[str, Any] = {
        "run_id": run_id,
        "created": created,
        "status": "failed",
        "reason": "",
        "device": choice.to_dict(),
        "seed": run_seed,
        "versions": versions(),
        "data": ds.summary(),
        "data_ref": _data_ref(data, data_params, spec),
        "timings": timings,
    }
    model = None
    recorder: Any = None
    events_cb: EventCallback | None = None
    history: dict[str, list[float]] = {}
    metrics: dict[str, Any] = {}
    standardizer = None
    splits = None
    best_cb = None
    status = "failed"
    reason = ""
    try:
        with (
            seeded_run(run_seed),
            precision_policy(choice.mixed_precision),
            tf.device(choice.device.tf_name),
        ):
            t0 = time.perf_counter()
            model = _build(spec, registry)
            timings["build_seconds"] = time.perf_counter() - t0
            check_against_model(ds, spec, model)
            n_out = model_output_size(model)

            splits = split_dataset(
                ds,
                validation=ts.validation_split,
                test=ts.test_split,
                seed=int(run_seed or 0),
                stratify=ds.task == "classification",
            )
            info["split"] = {
                "validation": ts.validation_split,
                "test": ts.test_split,
                "seed": int(run_seed or 0),
                "sizes": {k: int(len(v)) for k, v in splits.indices.items()},
                "given": list(splits.given),
            }
            graph = "a" in ds.extras  # node features + adjacency (see lamina_graph)
            if ts.standardize and not graph:
                standardizer = Standardizer().fit(splits.train.x)
            info["standardizer"] = None if standardizer is None else standardizer.to_dict()

            def xs(part: Dataset) -> Any:
                if graph:
                    extra = [part.extras["e"]] if "e" in part.extras else []
                    return (part.x, part.extras["a"], *extra)
                return part.x if standardizer is None else standardizer.transform(part.x)

            def ys(part: Dataset) -> np.ndarray | None:
                y = part.y
                recon = ds.task == "reconstruction" and y is not None and y.shape == part.x.shape
                if standardizer is not None and recon:
                    y = standardizer.transform(y)
                return _prepare_targets(spec, ds, y, n_out)

            aug = Augmentation.from_dict(ts.augmentation) if ts.augmentation else None
            info["augmentation"] = None if aug is None else aug.to_dict()
            shuffle_seed = int(run_seed or 0)
            train_data = make_tf_dataset(
                xs(splits.train),
                ys(splits.train),
                batch_size=ts.batch_size,
                shuffle=ts.shuffle,
                seed=shuffle_seed,
                augmentation=aug,
            )
            val_data = None
            if splits.validation is not None:
                val_data = make_tf_dataset(
                    xs(splits.validation),
                    ys(splits.validation),
                    batch_size=ts.batch_size,
                    shuffle=False,
                )
            class_weight = None
            if ds.task == "classification":
                class_weight = _class_weight(ts.class_weight, splits.train.y, ds.n_classes or n_out)
            info["class_weight"] = class_weight

            _plugin_preparations(spec, registry, model, ys(splits.train), ds)
            if project is not None:
                run_dir = _new_run_dir(proj, project, spec, run_label)
                run_id = info["run_id"] = run_dir.name
                if mlflow:
                    from lamina.records.mlflow import MlflowRecorder

                    recorder = MlflowRecorder(
                        run_dir.parent.parent,
                        uri=mlflow if isinstance(mlflow, str) else None,
                        report=lambda text: _report(emit, text),
                    )
                    recorder.start(spec, run_id, _mlflow_tags(ds, run_id, run_label))
            on_checkpoint = None
            if run_dir is not None:

                def on_checkpoint(best_epoch: int) -> None:
                    from lamina.project import write_checkpoint

                    path = write_checkpoint(
                        run_dir,
                        spec,
                        model,
                        {
                            "best_epoch": best_epoch,
                            "monitor": best_cb.monitor,
                            "best": best_cb.best,
                            "epochs_done": events_cb.last_epoch + 1,
                            "saved": datetime.now(UTC).isoformat(timespec="seconds"),
                            "history": events_cb.history,
                        },
                    )
                    emit(CheckpointSaved(path=str(path), epoch=best_epoch, which="best"))

            callbacks, events_cb, best_cb, early = _callbacks(
                spec,
                model,
                emit,
                cancel,
                batch_events,
                val_data is not None,
                on_checkpoint,
                checkpoint_interval,
            )
            if epoch_hooks:
                callbacks.append(
                    _epoch_hook_callback(
                        epoch_hooks,
                        lambda epoch: EpochContext(model, ds, standardizer, epoch),
                    )
                )
            if run_dir is not None:
                from lamina.records.tensorboard import TensorBoardRecord

                callbacks.append(TensorBoardRecord(run_dir, spec, run_id))
                if recorder is not None:
                    from lamina.records.mlflow import mlflow_callback

                    callbacks.append(mlflow_callback(recorder))
            steps = int(np.ceil(len(splits.train) / ts.batch_size))
            emit(
                RunStarted(
                    run_id=run_id,
                    epochs=ts.epochs,
                    steps_per_epoch=steps,
                    device=choice.device.name,
                    seed=run_seed,
                    data=splits.summary(),
                    dataset=ds.summary(),
                    split_given=list(splits.given),
                )
            )
            t_fit = time.perf_counter()
            model.fit(
                train_data,
                validation_data=val_data,
                epochs=ts.epochs,
                callbacks=callbacks,
                verbose=0,
                class_weight=class_weight,
            )
            timings["fit_seconds"] = time.perf_counter() - t_fit
            timings["epoch_seconds"] = list(events_cb.epoch_seconds)
            history = events_cb.history
            if events_cb.cancelled:
                status = "cancelled"
                model_weights = events_cb._last_weights
                if model_weights is not None:
                    model.set_weights(model_weights)
                last = events_cb.last_epoch
                reason = (
                    f"cancelled during epoch {last + 2}; the weights are those of epoch {last + 1}"
                    if last >= 0
                    else "cancelled before the first epoch ended; the weights are the initial ones"
                )
            elif events_cb.nan_reason:
                status, reason = "failed", events_cb.nan_reason
            else:
                status = "finished"
                if early is not None and early.stopped_epoch > 0:
                    emit(
                        EarlyStopped(
                            epoch=int(early.stopped_epoch),
                            best_epoch=int(early.best_epoch),
                            monitor=early.monitor,
                            best=float(early.best),
                        )
                    )
                    info["early_stopped"] = {
                        "epoch": int(early.stopped_epoch),
                        "best_epoch": int(early.best_epoch),
                    }
            info["epochs_run"] = len(events_cb.epoch_seconds)
            info["best_epoch"] = best_cb.best_epoch
            if status != "failed" and splits.test is not None and info["epochs_run"] > 0:
                t0 = time.perf_counter()
                metrics = evaluate(
                    model,
                    xs(splits.test),
                    splits.test.y,
                    task=ds.task,
                    class_names=ds.class_names,
                    standardize=False,
                )
                timings["evaluate_seconds"] = time.perf_counter() - t0
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        emit.log(traceback.format_exc())
        emit(
            RunFailed(
                run_id=run_id, reason=reason, epoch=events_cb.last_epoch if events_cb else None
            )
        )
        info.update(status="failed", reason=reason)
        timings["total_seconds"] = time.perf_counter() - t_start
        if events_cb is not None and not history:
            history = events_cb.history
        if best_cb is not None and best_cb.checkpoint_epoch >= 0:
            info["best_epoch"] = best_cb.checkpoint_epoch  # its weights: weights.best.h5
        if run_dir is not None:
            _save(run_dir, spec, info, history, metrics, emit, None, None)
        if recorder is not None:
            recorder.finish(run_dir, "failed", None, metrics)
        raise
    info.update(status=status, reason=reason)
    if status == "cancelled":
        emit(RunCancelled(run_id=run_id, last_epoch=events_cb.last_epoch, message=reason))
    elif status == "failed":
        emit(RunFailed(run_id=run_id, reason=reason, epoch=events_cb.last_epoch))
    timings["total_seconds"] = time.perf_counter() - t_start
    if status == "finished":
        emit(
            RunFinished(
                run_id=run_id,
                epochs_run=info["epochs_run"],
                metrics=_flat(metrics),
                seconds=timings["total_seconds"],
                path=None if run_dir is None else str(run_dir),
            )
        )
    if run_dir is not None:
        info["final_lr"] = current_learning_rate(model)
        _save(
            run_dir, spec, info, history, metrics, emit, model, best_cb.weights if best_cb else None
        )
    if recorder is not None:
        recorder.finish(run_dir, status, model, metrics)
    return RunResult(
        run_id=run_id,
        status=status,
        model=model,
        spec=spec,
        history=history,
        metrics=metrics,
        info=info,
        standardizer=standardizer,
        reason=reason,
        path=run_dir,
        splits=splits,
    )


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


def _epoch_hook_callback(
    hooks: Sequence[Callable[[EpochContext], None]],
    make_context: Callable[[int], EpochContext],
) -> Any:
    from lamina.keras import keras

    class EpochHooks(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            context = make_context(epoch)
            for hook in hooks:
                hook(context)

    return EpochHooks()


def _existing_project(project: Any) -> Any:
    """The `Project` at `project` if there is one (a damaged file raises), else None."""
    from lamina.project import PROJECT_FILE, Project, load_project

    if project is None or isinstance(project, Project):
        return project
    return load_project(project) if (Path(project) / PROJECT_FILE).exists() else None


def _new_run_dir(proj: Any, project: Any, spec: ModelSpec, label: str | None) -> Path:
    """Creates the run folder (and the project, if `project` names a folder without one)."""
    from lamina.project import Project, open_project

    if not isinstance(project, Project):
        proj = open_project(project, spec=spec)  # sets the spec of a project without one
    return proj.new_run_dir(label or spec.name)


def _plugin_preparations(
    spec: ModelSpec, registry: Any, model: Any, y_train: Any, ds: Dataset
) -> None:
    """Runs the plug-in hooks declared in entry metadata before ``fit``.

    A head's ``meta["check_targets"](spec, y)`` validates the targets (e.g. counts must
    be non-negative) and raises a located ``ValueError``, reported as a `DataError`
    naming the data source; each layer's ``meta["before_fit"](model, n_train)`` prepares
    the model (e.g. a Bayesian layer's KL weight = 1 / n_train).
    """
    from lamina.build import resolve_item
    from lamina.data.errors import DataError
    from lamina.plugins import get_registry

    registry = registry or get_registry()
    entries = [resolve_item(registry, item) for item in spec.layers]
    last = entries[-1] if entries else None
    check_targets = last.meta.get("check_targets") if last is not None else None
    if callable(check_targets) and y_train is not None:
        try:
            check_targets(spec, y_train)
        except ValueError as exc:
            raise DataError(str(exc), source=ds.source or ds.name) from None
    seen: set[str] = set()
    for entry in entries:
        if entry is None or entry.name in seen:
            continue
        seen.add(entry.name)
        before_fit = entry.meta.get("before_fit")
        if callable(before_fit):
            before_fit(model, int(len(y_train) if y_train is not None else 0))


def _flat(metrics: Mapping[str, Any]) -> dict[str, float]:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float))}


def _build(spec: ModelSpec, registry: Registry) -> Any:
    from lamina.build import build_model

    return build_model(spec, registry)


def _callbacks(
    spec: ModelSpec,
    model: Any,
    emit: _Emitter,
    cancel: CancelToken | None,
    batch_events: bool,
    has_val: bool,
    on_checkpoint: Callable[[int], None] | None = None,
    checkpoint_interval: float = 30.0,
) -> tuple[list[Any], EventCallback, BestWeights, Any]:
    from lamina.keras import keras

    ts = spec.training

    def monitor_of(name: str) -> str:
        return name if has_val or not name.startswith("val_") else name[4:]

    events_cb = EventCallback(on_event=emit, cancel=cancel, batch_events=batch_events)
    es = ts.early_stopping
    best_cb = BestWeights(
        monitor=monitor_of(es.monitor if es else "val_loss"),
        skip=lambda: events_cb.cancelled or bool(events_cb.nan_reason),
        on_checkpoint=on_checkpoint,
        interval=checkpoint_interval,
    )
    callbacks: list[Any] = [events_cb, best_cb]
    early = None
    if es is not None:
        early = keras.callbacks.EarlyStopping(
            monitor=monitor_of(es.monitor),
            patience=es.patience,
            min_delta=es.min_delta,
            restore_best_weights=es.restore_best_weights,
        )
        callbacks.append(early)
    rl = ts.reduce_lr_on_plateau
    if rl is not None:
        lr = getattr(model.optimizer, "learning_rate", None)
        if isinstance(lr, keras.optimizers.schedules.LearningRateSchedule):
            emit.log("reduce_lr_on_plateau ignored: the optimizer uses a learning-rate schedule")
        else:
            callbacks.append(
                keras.callbacks.ReduceLROnPlateau(
                    monitor=monitor_of(rl.monitor),
                    factor=rl.factor,
                    patience=rl.patience,
                    min_lr=rl.min_lr,
                )
            )
    return callbacks, events_cb, best_cb, early


def _report(emit: _Emitter, text: str) -> None:
    """A problem the run survives: into the run log, and on stderr once."""
    import logging

    emit.log(text)
    logging.getLogger("lamina").warning(text)


def _mlflow_tags(ds: Any, run_id: str, run_label: str | None) -> dict[str, str]:
    from lamina import __version__

    tags = {"lamina.version": __version__, "lamina.run_id": run_id, "dataset": str(ds.name)}
    if run_label:
        tags["lamina.label"] = run_label
    return tags


def _save(
    run_dir: Path,
    spec: ModelSpec,
    info: dict[str, Any],
    history: dict[str, Any],
    metrics: dict[str, Any],
    emit: _Emitter,
    model: Any,
    best_weights: list[Any] | None,
) -> None:
    from lamina.project import write_run

    log = emit.text()
    written = write_run(
        run_dir,
        spec,
        info,
        history=history,
        metrics=metrics,
        log=log,
        model=model,
        best_weights=best_weights,
    )
    epoch = max(int(info.get("epochs_run", 0)) - 1, 0)
    for which, path in written.items():
        emit(
            CheckpointSaved(
                path=str(path),
                epoch=int(info.get("best_epoch", epoch)) if which == "best" else epoch,
                which=which,
            )
        )
