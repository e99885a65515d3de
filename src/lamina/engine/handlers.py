"""The engine's request handlers: request kind -> a function calling the lamina library.

Each handler takes the request's JSON payload and a `Context` (to stream events and
to see cancellation) and returns a JSON-safe dict. The engine child process calls them
for the app; the Python API can call them in-process with `handle`.

Example:
    >>> from lamina.engine.handlers import handle
    >>> handle("check", {"spec": spec_dict})["ok"]
    True
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lamina.engine.protocol import Reply, decode_array, decode_arrays, encode_array, jsonable

#: Kinds run on the engine's long-request worker (one at a time; they can be cancelled).
LONG_KINDS = frozenset({"train", "visualize", "predict", "export", "dataset_summary"})

#: Trainer event class -> protocol event type.
TRAINING_EVENT_TYPES = {
    "RunStarted": "run_started",
    "EpochStarted": "epoch_started",
    "BatchEnded": "batch_end",
    "EpochEnded": "epoch_end",
    "EarlyStopped": "early_stopped",
    "CheckpointSaved": "checkpoint_saved",
    "RunFinished": "finished",
    "RunFailed": "failed",
    "RunCancelled": "cancelled",
}

#: Exceptions whose message is meant for the user as it is (no type name, no traceback).
USER_ERRORS = frozenset(
    {
        "SpecError",
        "DataError",
        "ProjectError",
        "ExportError",
        "VisualizationError",
        "UnknownEntryError",
        "DeviceError",
        "RequestError",
        "CancelledError",
    }
)


class RequestError(ValueError):
    """A request's payload is missing a field or has a wrong one."""


class CancelledError(Exception):
    """The request was cancelled (by a `cancel` request)."""


class _Flag:
    """A minimal cancel flag (used when no trainer `CancelToken` was given)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class Context:
    """What a handler may use besides its payload.

    Args:
        emit: ``emit(type, data)`` sends an `Event` for this request.
        cancel: A cancel token (``.cancel()``, ``.cancelled``); a fresh one if None.
        request_id: The request's id (for logs).
    """

    def __init__(
        self,
        emit: Callable[[str, dict], None] | None = None,
        cancel: Any = None,
        request_id: int = 0,
    ) -> None:
        self.emit = emit or (lambda type_, data: None)
        self.cancel = cancel if cancel is not None else _Flag()
        self.request_id = request_id

    @property
    def cancelled(self) -> bool:
        return bool(self.cancel.cancelled)


class _State:
    """Things the engine keeps between requests: the check cache, recent models and data."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._check_cache: Any = None
        self.models: OrderedDict[tuple, Any] = OrderedDict()
        self.datasets: OrderedDict[str, Any] = OrderedDict()

    @property
    def check_cache(self) -> Any:
        if self._check_cache is None:
            from lamina.build import CheckCache

            self._check_cache = CheckCache()
        return self._check_cache

    @staticmethod
    def _remember(store: OrderedDict, key: Any, value: Any, size: int) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > size:
            store.popitem(last=False)

    def model(self, run: Any, which: str = "final") -> Any:
        path = run.weights_path(which)
        key = (str(path.resolve()), path.stat().st_mtime_ns)
        with self.lock:
            model = self.models.get(key)
        if model is None:
            model = run.model(which)
            with self.lock:
                self._remember(self.models, key, model, 2)
        return model

    def dataset(self, ref: Any) -> Any:
        from lamina.data.sources import load_data

        key = json.dumps(ref, sort_keys=True, default=str)
        with self.lock:
            ds = self.datasets.get(key)
        if ds is None:
            ds = load_data(ref)
            with self.lock:
                self._remember(self.datasets, key, ds, 2)
        return ds


STATE = _State()


# -- helpers ----------------------------------------------------------------------------


def _need(payload: dict, name: str, kind: str) -> Any:
    if name not in payload or payload[name] is None:
        raise RequestError(f"{kind}: the payload needs {name!r}")
    return payload[name]


def _plain(value: Any) -> Any:
    """JSON-safe data with arrays as (nested) lists: for metrics and histories."""

    def default(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return v.tolist()
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, Path):
            return str(v)
        return repr(v)

    return json.loads(json.dumps(value, default=default))


def _registry() -> Any:
    from lamina.plugins import get_registry

    return get_registry()


def _run_of(payload: dict, kind: str) -> Any:
    from lamina.project import find_run

    if payload.get("run_dir"):
        return find_run(payload["run_dir"])
    project = payload.get("project_dir") or payload.get("project")
    if project:
        return find_run(project, payload.get("run") or payload.get("run_id"))
    raise RequestError(f"{kind}: the payload needs 'run_dir' (or 'project_dir' and 'run')")


def _run_dict(run: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": run.id, "run_dir": str(run.path), "status": run.status}
    if run.complete:
        info = run.info
        out.update(
            created=info.get("created"),
            epochs_run=info.get("epochs_run"),
            reason=info.get("reason", ""),
            device=(info.get("device") or {}).get("device"),
            data=(info.get("data") or {}).get("name"),
            metrics={
                k: v for k, v in run.metrics.items() if isinstance(v, (int, float)) and k != "n"
            },
        )
        try:
            out["spec_name"] = json.loads((run.path / "spec.json").read_text()).get("name")
        except (OSError, ValueError):
            out["spec_name"] = None
    return out


def _preview_indices(ds: Any, k: int) -> list[int]:
    """Up to `k` sample indices spread over the classes (classification) or the data."""
    n = len(ds)
    if n == 0:
        return []
    if ds.task == "classification" and ds.y is not None and ds.y.ndim == 1:
        chosen: list[int] = []
        classes = np.unique(ds.y)
        per_class = {c: list(np.flatnonzero(ds.y == c)) for c in classes}
        i = 0
        while len(chosen) < min(k, n):
            for c in classes:
                if i < len(per_class[c]) and len(chosen) < k:
                    chosen.append(int(per_class[c][i]))
            i += 1
        return chosen
    return [int(i) for i in np.linspace(0, n - 1, min(k, n)).round().astype(int)]


# -- handlers ---------------------------------------------------------------------------


def h_ping(payload: dict, ctx: Context) -> dict:
    from lamina.training.devices import list_devices
    from lamina.training.run_info import versions

    devices = [{"name": d.name, "description": d.description} for d in list_devices()]
    nice = os.nice(0) if hasattr(os, "nice") else 0
    return {
        "pid": os.getpid(),
        "versions": versions(),
        "python": sys.executable,
        "devices": devices,
        "nice": nice,
    }


def h_catalog(payload: dict, ctx: Context) -> dict:
    from lamina.engine.catalog_cache import save_catalog

    data = _registry().to_dict()
    try:
        save_catalog(data)
    except OSError as exc:  # a read-only home must not break the palette
        print(f"lamina engine: cannot write the catalogue cache: {exc}", file=sys.stderr)
    return data


def h_check(payload: dict, ctx: Context) -> dict:
    from lamina.build import check

    spec = _need(payload, "spec", "check")
    report = check(spec, compile=bool(payload.get("compile", True)), cache=STATE.check_cache)
    return _plain(report.to_dict())


def h_expand_architecture(payload: dict, ctx: Context) -> dict:
    from lamina.api import architecture

    name = _need(payload, "name", "expand_architecture")
    return architecture(name, **dict(payload.get("params") or {})).to_dict()


def h_dataset_summary(payload: dict, ctx: Context) -> dict:
    from lamina.data.sources import load_data

    data = _need(payload, "data", "dataset_summary")
    ds = load_data(data, params=payload.get("params"))
    k = int(payload.get("n_preview", 8))
    x = ds.x
    shape = ds.input_shape
    if len(shape) == 3:
        kind = "images"  # (h, w, c)
    elif len(shape) == 2:
        kind = "series"  # spectra (L, 1), sequences (T, F)
    elif shape == (2,):
        kind = "points"
    elif len(shape) == 1:
        kind = "rows"
    else:
        kind = "arrays"
    if kind == "points":  # the whole cloud (bounded) is the useful preview of a 2-D set
        idx = [int(i) for i in np.linspace(0, len(ds) - 1, min(len(ds), 2000)).astype(int)]
    else:
        idx = _preview_indices(ds, k)
    y = None if ds.y is None else ds.y[idx]
    return {
        "summary": _plain(ds.summary()),
        "preview": {
            "kind": kind,
            "indices": idx,
            "x": encode_array(x[idx]),
            "y": None if y is None else encode_array(y),
        },
        "class_names": ds.class_names,
        "feature_names": ds.feature_names,
    }


def _boundary_sender(ctx: Context, every: float = 0.1) -> Callable[[Any], None]:
    """Returns an epoch hook for `train` that sends the decision boundary of a model of
    2-D inputs as an Event "boundary" (a grid of outputs + its extent), at most every
    `every` seconds."""
    from lamina.data.standardize import apply_standardizer

    last = [0.0]
    cache: dict[str, Any] = {}

    def send(context: Any) -> None:
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
        ctx.emit(
            "boundary",
            {"grid": encode_array(grid), "extent": cache["extent"], "epoch": context.epoch},
        )
        last[0] = time.monotonic()

    def safe(context: Any) -> None:
        try:
            send(context)
        except Exception as exc:  # noqa: BLE001 - a picture must not stop training
            ctx.emit("log", {"text": f"decision boundary skipped: {exc}"})

    return safe


def h_train(payload: dict, ctx: Context) -> dict:
    from lamina.training import CancelToken, train

    spec = _need(payload, "spec", "train")
    token = ctx.cancel if isinstance(ctx.cancel, CancelToken) else CancelToken()
    if token is not ctx.cancel and ctx.cancelled:
        token.cancel()
    boundary = _boundary_sender(ctx) if payload.get("boundary", True) else None

    def on_event(event: Any) -> None:
        data = event.to_dict()
        kind = data.pop("event")
        ctx.emit(TRAINING_EVENT_TYPES.get(kind, kind.lower()), _plain(data))

    if token is not ctx.cancel:
        # the server's flag and the trainer's token: cancelling one cancels both
        watcher = threading.Thread(target=_forward_cancel, args=(ctx, token), daemon=True)
        watcher.start()
    data = payload.get("data")
    if isinstance(data, dict) and "x" in data and is_arrays(data):
        data = (decode_array(data["x"]), None if data.get("y") is None else decode_array(data["y"]))
    result = train(
        spec,
        data=data,
        project=payload.get("project_dir") or payload.get("project"),
        on_event=on_event,
        cancel=token,
        epochs=payload.get("epochs"),
        batch_size=payload.get("batch_size"),
        seed=payload.get("seed"),
        device=payload.get("device"),
        data_params=payload.get("data_params"),
        batch_events=bool(payload.get("batch_events", True)),
        run_label=payload.get("run_label"),
        epoch_hooks=[boundary] if boundary is not None else (),
    )
    return {
        "status": result.status,
        "reason": result.reason,
        "run_id": result.run_id,
        "run_dir": None if result.path is None else str(result.path),
        "epochs_run": result.epochs_run,
        "metrics": _plain(result.metrics),
        "history": _plain(result.history),
    }


def is_arrays(data: dict) -> bool:
    from lamina.engine.protocol import is_encoded_array

    return is_encoded_array(data.get("x"))


def _forward_cancel(ctx: Context, token: Any) -> None:
    while not token.cancelled:
        if ctx.cancelled:
            token.cancel()
            return
        time.sleep(0.02)


def _sample_inputs(run: Any, indices: list[int] | int) -> np.ndarray:
    """The run's data samples, standardised as the model saw them."""
    from lamina.visualize.runs import sample_inputs

    return sample_inputs(run, indices, STATE.dataset)


def h_visualize(payload: dict, ctx: Context) -> dict:
    from lamina.visualize.runs import visualize_run

    kind = payload.get("visualization") or _need(payload, "kind", "visualize")
    entry = _registry().get("visualization", kind)
    names = set(inspect.signature(entry.obj).parameters)
    params = decode_arrays(dict(payload.get("params") or {}))
    run = _run_of(payload, "visualize")
    on_step = None
    if "on_step" in names:
        steps = int(params.get("steps", 50) or 50)
        every = max(1, steps // 25)

        def on_step(step: int, image: Any) -> None:
            if ctx.cancelled:
                raise CancelledError(f"{kind} cancelled at step {step}")
            if step % every == 0 or step == steps - 1:
                ctx.emit("image", {"step": int(step), "steps": steps, "image": encode_array(image)})

    first = next(iter(inspect.signature(entry.obj).parameters.values()), None)
    needs_model = first is not None and first.default is inspect.Parameter.empty
    which = payload.get("which", "final")
    res = visualize_run(
        run,
        kind,
        params,
        sample=payload.get("sample"),
        n_samples=int(payload.get("n_samples", 256)),
        which=which,
        model=STATE.model(run, which) if needs_model else None,
        load_dataset=STATE.dataset,
        on_step=on_step,
        registry=_registry(),
    )
    images = np.asarray(res.images)
    return {
        "kind": res.kind,
        "images": encode_array(images) if images.size else None,
        "titles": list(res.titles),
        "meta": jsonable(res.meta, small=100_000),
        "run_dir": str(run.path),
    }


def h_predict(payload: dict, ctx: Context) -> dict:
    from lamina.data.standardize import apply_standardizer

    run = _run_of(payload, "predict")
    x = np.asarray(decode_array(_need(payload, "x", "predict")), dtype=np.float32)
    model = STATE.model(run, payload.get("which", "final"))
    if payload.get("standardize", True):
        x = apply_standardizer(x, run.standardizer())
    out = model.predict(x, batch_size=int(payload.get("batch_size", 256)), verbose=0)
    return {"outputs": encode_array(np.asarray(out))}


def h_save_project(payload: dict, ctx: Context) -> dict:
    from lamina.project import open_project

    path = _need(payload, "project_dir", "save_project")
    project = open_project(path, name=payload.get("name"), spec=payload.get("spec"))
    if payload.get("spec") is not None:
        project.set_spec(payload["spec"])
    if payload.get("name"):
        project.name = str(payload["name"])
    project.save()
    return {"project_dir": str(project.path), "name": project.name, "file": str(project.file)}


def h_load_project(payload: dict, ctx: Context) -> dict:
    from lamina.project import load_project

    project = load_project(_need(payload, "project_dir", "load_project"))
    return {
        "project_dir": str(project.path),
        "name": project.name,
        "created": project.created,
        "spec": None if project.spec is None else project.spec.to_dict(),
        "runs": [_run_dict(r) for r in project.runs(include_incomplete=True)],
    }


def h_list_runs(payload: dict, ctx: Context) -> dict:
    from lamina.project import load_project

    project = load_project(_need(payload, "project_dir", "list_runs"))
    return {"runs": [_run_dict(r) for r in project.runs(include_incomplete=True)]}


def h_export(payload: dict, ctx: Context) -> dict:
    from lamina import export

    run = _run_of(payload, "export")
    fmt = payload.get("format", "keras")
    path = _need(payload, "path", "export")
    if fmt == "python":
        written = export.export_python(run, path)
    elif fmt in ("keras", "savedmodel"):
        model = STATE.model(run, payload.get("which", "final"))
        fn = export.export_keras if fmt == "keras" else export.export_savedmodel
        written = fn(model, path)
    else:
        raise RequestError(
            f"export: unknown format {fmt!r}; expected 'keras', 'savedmodel' or 'python'"
        )
    return {"path": str(written), "format": fmt}


HANDLERS: dict[str, Callable[[dict, Context], dict]] = {
    "ping": h_ping,
    "catalog": h_catalog,
    "check": h_check,
    "expand_architecture": h_expand_architecture,
    "dataset_summary": h_dataset_summary,
    "train": h_train,
    "visualize": h_visualize,
    "predict": h_predict,
    "save_project": h_save_project,
    "load_project": h_load_project,
    "list_runs": h_list_runs,
    "export": h_export,
}


def known_kinds() -> list[str]:
    """The request kinds the engine understands (``cancel`` is handled by the server)."""
    return [*HANDLERS, "cancel"]


def handle(kind: str, payload: dict | None = None, ctx: Context | None = None) -> dict:
    """Runs the handler of `kind` in this process and returns its result.

    Raises:
        RequestError: If `kind` is unknown or the payload lacks a field; otherwise
            whatever the library raises (`SpecError`, `DataError`, ...).
    """
    fn = HANDLERS.get(kind)
    if fn is None:
        raise RequestError(f"unknown request kind {kind!r}; known: {', '.join(known_kinds())}")
    return fn(dict(payload or {}), ctx or Context())


def error_message(exc: BaseException, kind: str) -> str:
    """One clear message for the user; the traceback of unexpected errors goes to stderr."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & USER_ERRORS:
        return str(exc).strip().strip("'\"") if isinstance(exc, KeyError) else str(exc).strip()
    traceback.print_exception(exc, file=sys.stderr)
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return (
        f"{kind} failed: {type(exc).__name__}: {first}"
        if first
        else f"{kind} failed: {type(exc).__name__}"
    )


def run_request(
    request_id: int,
    kind: str,
    payload: dict,
    emit: Callable[[str, dict], None] | None = None,
    cancel: Any = None,
) -> Reply:
    """Runs one request and returns its `Reply` (never raises for a failing handler)."""
    ctx = Context(emit=emit, cancel=cancel, request_id=request_id)
    try:
        result = handle(kind, payload, ctx)
    except CancelledError as exc:
        return Reply(id=request_id, ok=True, result={"status": "cancelled", "reason": str(exc)})
    except Exception as exc:  # noqa: BLE001 - every failure becomes a Reply
        return Reply(id=request_id, ok=False, error=error_message(exc, kind))
    return Reply(id=request_id, ok=True, result=result)
