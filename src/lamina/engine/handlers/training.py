"""The training handler: runs `lamina.training.train` and streams its events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
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


def boundary_sender(ctx: Context, every: float = 0.1) -> Callable[[Any], None]:
    """Returns an epoch hook for `train` that streams the decision boundary.

    For a model of 2-D inputs the hook sends a `Boundary` event (the model's outputs
    on a grid over the data) at most every `every` seconds.
    """
    last = [0.0]
    cache: dict[str, Any] = {}

    def send(context: Any) -> None:
        from lamina.data.standardize import apply_standardizer

        now = time.monotonic()
        model, ds, st = context.model, context.dataset, context.standardizer
        if now - last[0] < every or ds.x.ndim != 2 or ds.x.shape[1] != 2:
            return
        if "grid" not in cache:
            lo, hi = ds.x.min(axis=0), ds.x.max(axis=0)
            pad = 0.1 * np.maximum(hi - lo, 1e-6)
            lo, hi = lo - pad, hi + pad
            res = 48
            gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], res), np.linspace(lo[1], hi[1], res))
            cache["grid"] = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
            cache["extent"] = [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]
            cache["res"] = res
        pts = cache["grid"]
        pts = apply_standardizer(pts, st)
        out = model(pts, training=False)
        out = np.asarray(out.mean() if hasattr(out, "mean") else out)
        res = cache["res"]
        grid = out.reshape(res, res, -1).astype(np.float16)
        ctx.emit(Boundary(grid=grid, extent=cache["extent"], epoch=int(context.epoch)))
        last[0] = time.monotonic()

    def safe(context: Any) -> None:
        try:
            send(context)
        except Exception as exc:  # noqa: BLE001 - a picture must not stop training
            ctx.emit(Log(text=f"decision boundary skipped: {exc}"))

    return safe


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
        epoch_hooks=[boundary_sender(ctx)] if request.boundary else (),
    )
    return TrainResult(
        status=result.status,
        reason=result.reason,
        run_id=result.run_id,
        run_dir=None if result.path is None else str(result.path),
        epochs_run=result.epochs_run,
        metrics=plain(result.metrics),
        history=plain(result.history),
    )
