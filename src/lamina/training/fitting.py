"""The fit stage of `train`: its callbacks, ``model.fit``, and how the fit ended.

The callbacks send events and honour the cancel token (`EventCallback`), keep the
best weights and checkpoint them (`BestWeights`), stop early and lower the learning
rate on plateaus (the spec's settings), run the caller's epoch hooks, and choose how
many batches run per call into TensorFlow (`lamina.training.steps`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lamina.spec import ModelSpec
from lamina.training.callbacks import BestWeights, CancelToken, EventCallback
from lamina.training.events import EarlyStopped
from lamina.training.prepare import PreparedData
from lamina.training.result import EpochContext
from lamina.training.run_folder import save_checkpoint
from lamina.training.run_log import RunLog
from lamina.training.steps import (
    AutoStepsPerExecution,
    GraphCancel,
    call_target,
    prepare_functions,
)


@dataclass
class FitCallbacks:
    """The callbacks of one fit, and those whose state `train` reads after it.

    Attributes:
        callbacks: Every callback, in the order Keras calls them.
        events: Sends the events; knows the history, a cancel and a NaN stop.
        best: Keeps (and checkpoints) the best weights.
        early: Keras's ``EarlyStopping``, or None.
        steps: Chooses ``steps_per_execution`` (None when the spec fixes it).
    """

    callbacks: list[Any]
    events: EventCallback
    best: BestWeights
    early: Any
    steps: AutoStepsPerExecution | None = None


def make_callbacks(
    spec: ModelSpec,
    model: Any,
    emit: RunLog,
    cancel: CancelToken | None,
    *,
    batch_events: bool,
    has_validation: bool,
    run_dir: Path | None,
    checkpoint_interval: float,
    epoch_hooks: Sequence[Callable[[EpochContext], None]] = (),
    make_context: Callable[[int], EpochContext] | None = None,
) -> FitCallbacks:
    """Returns the callbacks `train` fits with.

    Args:
        spec: The spec being trained (early stopping, learning-rate reduction).
        model: The compiled model.
        emit: The run log, which receives the events.
        cancel: Stops the fit within one batch when cancelled.
        batch_events: Send throttled `BatchEnded` events.
        has_validation: A validation part exists (else ``val_`` monitors watch the
            training metric).
        run_dir: The run folder to checkpoint the best weights into, or None.
        checkpoint_interval: Least seconds between two checkpoints.
        epoch_hooks: Called with an `EpochContext` after every epoch.
        make_context: ``epoch -> EpochContext`` for the hooks.
    """
    from lamina.keras import keras

    ts = spec.training

    def monitor_of(name: str) -> str:
        return name if has_validation or not name.startswith("val_") else name[4:]

    on_checkpoint = None
    if run_dir is not None:

        def on_checkpoint(best_epoch: int) -> None:
            save_checkpoint(run_dir, spec, model, emit, best_epoch, best, events)

    events = EventCallback(on_event=emit, cancel=cancel, batch_events=batch_events)
    es = ts.early_stopping
    best = BestWeights(
        monitor=monitor_of(es.monitor if es else "val_loss"),
        skip=lambda: events.cancelled or bool(events.nan_reason),
        on_checkpoint=on_checkpoint,
        interval=checkpoint_interval,
    )
    steps = None
    if ts.steps_per_execution is None:
        steps = AutoStepsPerExecution(call_target(model, batch_events, cancel))
    callbacks: list[Any] = [cb for cb in (steps, events, best) if cb is not None]
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
    if epoch_hooks and make_context is not None:
        callbacks.append(_epoch_hook_callback(epoch_hooks, make_context))
    return FitCallbacks(callbacks=callbacks, events=events, best=best, early=early, steps=steps)


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


def fit_model(
    model: Any,
    data: PreparedData,
    fit: FitCallbacks,
    emit: RunLog,
    info: dict[str, Any],
    timings: dict[str, Any],
) -> tuple[str, str]:
    """Fits `model` and returns ``(status, reason)``: finished, cancelled or failed.

    Records the fit's timings, the epochs run, the best epoch and an early stop in
    `info` (``run.json``); sends `EarlyStopped` if the fit stopped early.
    """
    fixed = data.spec.training.steps_per_execution
    if fixed is None or fixed > 1:
        stop = prepare_functions(model, fixed or 1)
        cancel = fit.events.cancel
        if stop is not None and cancel is not None and cancel.tells_listeners:
            fit.callbacks.insert(0, GraphCancel(cancel, stop))
    t_fit = time.perf_counter()
    model.fit(
        data.train,
        validation_data=data.validation,
        epochs=data.spec.training.epochs,
        callbacks=fit.callbacks,
        verbose=0,
        class_weight=data.class_weight,
    )
    timings["fit_seconds"] = time.perf_counter() - t_fit
    timings["epoch_seconds"] = list(fit.events.epoch_seconds)
    status, reason = _ending(model, fit, emit, info)
    info["epochs_run"] = len(fit.events.epoch_seconds)
    info["steps_per_execution"] = fixed or _chosen(fit.steps)
    info["best_epoch"] = fit.best.best_epoch
    return status, reason


def _chosen(steps: AutoStepsPerExecution | None) -> dict[str, Any]:
    """What ``run.json`` records of the automatic choice: each change, with its reason.

    ``changes`` holds ``[seconds per batch measured, batches per call chosen]`` for
    every call after which the number changed; ``used`` the numbers in order.
    """
    changes: list[list[float]] = []
    current = 1
    for seconds, n in [] if steps is None else steps.choices:
        if n != current:
            changes.append([round(seconds, 6), n])
            current = n
    return {
        "auto": True,
        "target_seconds": None if steps is None else steps.target,
        "used": [1] + [int(n) for _, n in changes],
        "changes": changes,
    }


def _ending(model: Any, fit: FitCallbacks, emit: RunLog, info: dict[str, Any]) -> tuple[str, str]:
    """How the fit ended: ``(status, reason)``."""
    events, early = fit.events, fit.early
    if events.cancelled:
        model_weights = events._last_weights
        if model_weights is not None:
            model.set_weights(model_weights)
        last = events.last_epoch
        reason = (
            f"cancelled during epoch {last + 2}; the weights are those of epoch {last + 1}"
            if last >= 0
            else "cancelled before the first epoch ended; the weights are the initial ones"
        )
        return "cancelled", reason
    if events.nan_reason:
        return "failed", events.nan_reason
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
    return "finished", ""
