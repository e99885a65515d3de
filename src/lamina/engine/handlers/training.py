"""The training handler: runs `lamina.training.train` and streams its events."""

from __future__ import annotations

import threading
import time
from dataclasses import fields
from typing import Any

import numpy as np

from lamina.engine.handlers.context import Context
from lamina.engine.protocol import (
    BatchEnd,
    Boundary,
    Cancelled,
    CheckpointSaved,
    EarlyStopped,
    EpochEnd,
    EpochStarted,
    Event,
    Failed,
    Finished,
    Log,
    RunStarted,
    TrainRequest,
    TrainResult,
    plain,
)

#: Trainer event class name -> protocol event class (same fields).
TRAINING_EVENTS: dict[str, type[Event]] = {
    "RunStarted": RunStarted,
    "EpochStarted": EpochStarted,
    "BatchEnded": BatchEnd,
    "EpochEnded": EpochEnd,
    "EarlyStopped": EarlyStopped,
    "CheckpointSaved": CheckpointSaved,
    "RunFinished": Finished,
    "RunFailed": Failed,
    "RunCancelled": Cancelled,
}


def protocol_event(event: Any) -> Event:
    """The protocol event of a trainer event (`lamina.training.events`), plain data only."""
    cls = TRAINING_EVENTS[type(event).__name__]
    return cls(**{f.name: plain(getattr(event, f.name)) for f in fields(event)})


#: At most this many data points travel with the first boundary of a run.
MAX_BOUNDARY_POINTS = 1000


class BoundarySender:
    """An epoch hook for `train` that streams the decision boundary of a 2-D model.

    For a model of 2-D inputs it sends a `Boundary` event (the model's outputs on a
    grid over the data) at most every `every` seconds; the first one carries the data
    points. `flush` sends the last epoch's boundary if the throttle skipped it, so the
    last picture is always the last epoch.
    """

    def __init__(self, ctx: Context, every: float = 0.1) -> None:
        self.ctx = ctx
        self.every = every
        self.last = 0.0
        self.sent_epoch = -1
        self.pending: Any = None
        self.cache: dict[str, Any] = {}

    def __call__(self, context: Any) -> None:
        """Sends the boundary after an epoch (unless one was sent very recently)."""
        ds = context.dataset
        if ds.x.ndim != 2 or ds.x.shape[1] != 2:
            return
        self.pending = context
        if time.monotonic() - self.last >= self.every:
            self._safe_send(context)

    def flush(self) -> None:
        """Sends the boundary of the last epoch seen, if it was not sent yet."""
        context = self.pending
        if context is not None and int(context.epoch) != self.sent_epoch:
            self._safe_send(context)

    def _safe_send(self, context: Any) -> None:
        try:
            self._send(context)
        except Exception as exc:  # noqa: BLE001 - a picture must not stop training
            self.ctx.emit(Log(text=f"decision boundary skipped: {exc}"))

    def _grid(self, x: np.ndarray) -> None:
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = 0.1 * np.maximum(hi - lo, 1e-6)
        lo, hi = lo - pad, hi + pad
        res = 48
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], res), np.linspace(lo[1], hi[1], res))
        self.cache["grid"] = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
        self.cache["extent"] = [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]
        self.cache["res"] = res

    def _send(self, context: Any) -> None:
        from lamina.data.standardize import apply_standardizer

        model, ds = context.model, context.dataset
        first = "grid" not in self.cache
        if first:
            self._grid(np.asarray(ds.x, dtype=np.float32))
        pts = apply_standardizer(self.cache["grid"], context.standardizer)
        out = model(pts, training=False)
        out = np.asarray(out.mean() if hasattr(out, "mean") else out)
        res = self.cache["res"]
        event = Boundary(
            grid=out.reshape(res, res, -1).astype(np.float16),
            extent=self.cache["extent"],
            epoch=int(context.epoch),
        )
        if first:
            step = max(1, len(ds.x) // MAX_BOUNDARY_POINTS)
            event.points = np.asarray(ds.x[::step], dtype=np.float32)
            if ds.y is not None:
                y = np.asarray(ds.y[::step])
                y = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))
                event.labels = y
            event.class_names = [str(n) for n in (getattr(ds, "class_names", None) or [])]
        self.ctx.emit(event)
        self.sent_epoch = int(context.epoch)
        self.last = time.monotonic()


def boundary_sender(ctx: Context, every: float = 0.1) -> BoundarySender:
    """Returns an epoch hook for `train` that streams the decision boundary."""
    return BoundarySender(ctx, every)


def _forward_cancel(ctx: Context, token: Any) -> None:
    while not token.cancelled:
        if ctx.cancelled:
            token.cancel()
            return
        time.sleep(0.02)


def train(request: TrainRequest, ctx: Context) -> TrainResult:
    """Trains the spec, streaming the trainer's events (and the decision boundary)."""
    from lamina.training import CancelToken
    from lamina.training import train as train_spec

    token = ctx.cancel if isinstance(ctx.cancel, CancelToken) else CancelToken()
    if token is not ctx.cancel:
        if ctx.cancelled:
            token.cancel()
        # the server's flag and the trainer's token: cancelling one cancels both
        threading.Thread(target=_forward_cancel, args=(ctx, token), daemon=True).start()
    data = request.data
    if isinstance(data, dict) and isinstance(data.get("x"), np.ndarray):
        data = (data["x"], data.get("y"))
    boundary = boundary_sender(ctx) if request.boundary else None
    result = train_spec(
        request.spec,
        data=data,
        project=request.project_dir,
        on_event=lambda event: ctx.emit(protocol_event(event)),
        cancel=token,
        epochs=request.epochs,
        batch_size=request.batch_size,
        seed=request.seed,
        device=request.device,
        data_params=request.data_params,
        batch_events=request.batch_events,
        run_label=request.run_label,
        continue_from=request.continue_from,
        epoch_hooks=[boundary] if boundary is not None else (),
    )
    if boundary is not None:
        boundary.flush()
    return TrainResult(
        status=result.status,
        reason=result.reason,
        run_id=result.run_id,
        run_dir=None if result.path is None else str(result.path),
        epochs_run=result.epochs_run,
        metrics=plain(result.metrics),
        history=plain(result.history),
    )
