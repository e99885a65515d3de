"""A Keras callback that turns Keras progress into lamina events, and a cancel token.

The callback does almost nothing per batch unless a listener asked for batch events
or a cancel token is given, so training through lamina costs the same as a bare
``model.fit``. It also stops on a NaN/inf loss (like ``TerminateOnNaN``) and records
why, so the trainer can send a `RunFailed` event with a clear reason.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from lamina.keras import keras
from lamina.training.events import BatchEnded, EpochEnded, EpochStarted, Event

EventSink = Callable[[Event], None]


class CancelToken:
    """A thread-safe flag: call `cancel()` from anywhere; training stops within one batch.

    Example:
        >>> token = CancelToken()
        >>> threading.Timer(5.0, token.cancel).start()
        >>> result = train(spec, data="digits", cancel=token)   # status "cancelled"
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._listeners: list[Callable[[], None]] = []

    def cancel(self) -> None:
        """Asks the training run to stop at the end of the current batch."""
        self._event.set()
        for listener in list(self._listeners):
            listener()

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Calls `listener()` (in the cancelling thread) when `cancel` is called."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        """Stops calling `listener` (nothing happens if it was not added)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    @property
    def tells_listeners(self) -> bool:
        """True if `cancelled` becomes true only through `cancel` (which tells the listeners).

        A subclass that computes `cancelled` otherwise (e.g. from a search's stop
        event) is only seen by asking it, after each call into TensorFlow.
        """
        return type(self).cancelled is CancelToken.cancelled

    @property
    def cancelled(self) -> bool:
        """True once `cancel` was called."""
        return self._event.is_set()

    def reset(self) -> None:
        """Clears the flag (to reuse the token for another run)."""
        self._event.clear()


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def current_learning_rate(model: Any) -> float | None:
    """Returns the optimizer's current learning rate (schedules evaluated), or None."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None
    try:
        lr = opt.learning_rate
        if isinstance(lr, keras.optimizers.schedules.LearningRateSchedule):
            return float(lr(opt.iterations))
        return float(keras.backend.get_value(lr))
    except Exception:  # noqa: BLE001 - a missing learning rate is not an error
        return None


class EventCallback(keras.callbacks.Callback):
    """Sends `EpochStarted`/`EpochEnded` (and, if asked, throttled `BatchEnded`) events.

    Args:
        on_event: Called with each event. Exceptions it raises stop the run.
        cancel: A `CancelToken` checked at the end of every batch.
        batch_events: Send `BatchEnded` events (at most one per `batch_interval`).
            Defaults to `False`.
        batch_interval: Least seconds between two `BatchEnded` events. Defaults to `0.2`.
        snapshot_weights: Keep the weights of the last completed epoch in memory, so that
            a cancelled run ends with the weights of a whole epoch. Defaults to `True`
            when `cancel` is given.
    """

    def __init__(
        self,
        on_event: EventSink | None = None,
        cancel: CancelToken | None = None,
        batch_events: bool = False,
        batch_interval: float = 0.2,
        snapshot_weights: bool | None = None,
    ) -> None:
        super().__init__()
        self.on_event = on_event
        self.cancel = cancel
        self.batch_events = bool(batch_events and on_event is not None)
        self.batch_interval = float(batch_interval)
        self.snapshot_weights = cancel is not None if snapshot_weights is None else snapshot_weights
        # Keras reads this: batch logs stay tensors (no per-batch device sync).
        self._supports_tf_logs = True
        self._batch_hooks = self.batch_events or cancel is not None
        self.history: dict[str, list[float]] = {}
        self.epoch_seconds: list[float] = []
        self.last_epoch = -1
        self.cancelled = False
        self.nan_reason: str | None = None
        self._epoch = 0
        self._t_epoch = 0.0
        self._t_batch = 0.0
        self._last_weights: list[Any] | None = None

    # Keras asks these to decide whether to call the batch hooks at all.
    def _implements_train_batch_hooks(self) -> bool:
        return self._batch_hooks

    def _implements_test_batch_hooks(self) -> bool:
        return False

    def _implements_predict_batch_hooks(self) -> bool:
        return False

    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Resets the history, timings and cancel state for a new fit."""
        self.history = {}
        self.epoch_seconds = []
        self.last_epoch = -1
        self.cancelled = False
        self.nan_reason = None
        self._last_weights = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Starts timing the epoch and sends `EpochStarted`."""
        self._epoch = epoch
        self._t_epoch = time.perf_counter()
        self._t_batch = self._t_epoch
        if self.on_event is not None:
            self._emit(EpochStarted(epoch=epoch))

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Stops on a cancel or a non-finite loss; else sends `BatchEnded` (throttled)."""
        if self.cancel is not None and self.cancel.cancelled:
            self.cancelled = True
            self.model.stop_training = True
            return
        if not self.batch_events:
            return
        now = time.perf_counter()
        if now - self._t_batch < self.batch_interval:
            return
        self._t_batch = now
        metrics = {k: _float(v) for k, v in (logs or {}).items()}
        loss = metrics.get("loss")
        if loss is not None and not math.isfinite(loss):
            self._stop_nan(f"the loss became {loss} at epoch {self._epoch + 1}, batch {batch + 1}")
            return
        self._emit(BatchEnded(epoch=self._epoch, batch=batch, metrics=metrics))

    def _stop_nan(self, where: str) -> None:
        self.nan_reason = (
            f"{where}: training diverged. Lower the learning rate, standardise the "
            "inputs, or check the data for extreme values."
        )
        self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Records the epoch's metrics and time, sends `EpochEnded`; stops on a non-finite loss."""
        if self.cancelled or self.nan_reason:
            return  # a partial epoch: not recorded
        seconds = time.perf_counter() - self._t_epoch
        metrics = {k: _float(v) for k, v in (logs or {}).items()}
        if "lr" not in metrics:
            lr = current_learning_rate(self.model)
            if lr is not None:
                metrics["lr"] = lr
        for key in ("loss", "val_loss"):
            value = metrics.get(key)
            if value is not None and not math.isfinite(value):
                self._stop_nan(f"the {key} became {value} at epoch {epoch + 1}")
                return
        for key, value in metrics.items():
            self.history.setdefault(key, []).append(value)
        self.epoch_seconds.append(seconds)
        self.last_epoch = epoch
        if self.snapshot_weights:
            self._last_weights = self.model.get_weights()
        self._emit(EpochEnded(epoch=epoch, metrics=metrics, seconds=seconds))

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Restores the weights of the last whole epoch if the fit was cancelled mid-epoch."""
        if self.cancelled and self._last_weights is not None:
            self.model.set_weights(self._last_weights)


class BestWeights(keras.callbacks.Callback):
    """Keeps the weights of the best epoch in memory and, if asked, checkpoints them.

    Args:
        monitor: The metric to watch. Falls back to ``loss`` when it is missing.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracy-like metrics).
        skip: Returns True for an epoch not to consider (a cancelled, partial one).
        on_checkpoint: Called with the best epoch while the model holds the best
            weights, to write them (a crash or kill then keeps them). Called at the end
            of an epoch when a better epoch is not yet written and `interval` seconds
            have passed since the last write. Defaults to None (memory only).
        interval: Least seconds between two `on_checkpoint` calls. Defaults to `30.0`.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        skip: Callable[[], bool] | None = None,
        on_checkpoint: Callable[[int], None] | None = None,
        interval: float = 30.0,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.skip = skip
        if mode == "auto":
            mode = (
                "max" if any(k in monitor for k in ("acc", "auc", "precision", "recall")) else "min"
            )
        self.mode = mode
        self.on_checkpoint = on_checkpoint
        self.interval = float(interval)
        self.best: float | None = None
        self.best_epoch = -1
        self.weights: list[Any] | None = None
        self.checkpoint_epoch = -1
        self._t_checkpoint = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Forgets the best epoch of an earlier fit."""
        self.best, self.best_epoch, self.weights = None, -1, None
        self.checkpoint_epoch = -1
        self._t_checkpoint = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Keeps the weights if this epoch is the best so far; checkpoints them when due."""
        if self.skip is not None and self.skip():
            return
        logs = logs or {}
        value = logs.get(self.monitor, logs.get("loss"))
        if value is None:
            return
        value = _float(value)
        if not math.isfinite(value):
            return
        better = (
            self.best is None
            or (self.mode == "min" and value < self.best)
            or (self.mode == "max" and value > self.best)
        )
        if better:
            self.best, self.best_epoch = value, epoch
            self.weights = self.model.get_weights()
        if (
            self.on_checkpoint is not None
            and self.best_epoch > self.checkpoint_epoch
            and time.monotonic() - self._t_checkpoint >= self.interval
        ):
            self._checkpoint(current_is_best=self.best_epoch == epoch)

    def _checkpoint(self, current_is_best: bool) -> None:
        """Calls `on_checkpoint` while the model holds the best weights."""
        if self.on_checkpoint is None:
            return
        current = None if current_is_best else self.model.get_weights()
        if current is not None:
            self.model.set_weights(self.weights)
        try:
            self.on_checkpoint(self.best_epoch)
        finally:
            if current is not None:
                self.model.set_weights(current)
        self.checkpoint_epoch = self.best_epoch
        self._t_checkpoint = time.monotonic()
