"""Handlers about saved runs: list a project's runs, predict with a run, export a run."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from lamina.engine.handlers.context import STATE, Context, RequestError, run_of
from lamina.engine.protocol import (
    Exported,
    ExportRequest,
    ListRunsRequest,
    Prediction,
    PredictRequest,
    RunList,
)


def run_summary(run: Any) -> dict[str, Any]:
    """One line of a run list: id, folder, status and (if complete) its facts and metrics."""
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


def list_runs(request: ListRunsRequest, ctx: Context) -> RunList:
    """The project's runs, incomplete ones too."""
    from lamina.project import load_project

    project = load_project(request.project_dir)
    return RunList(runs=[run_summary(r) for r in project.runs(include_incomplete=True)])


def predict(request: PredictRequest, ctx: Context) -> Prediction:
    """The run's model's outputs for `x` (standardised as in training unless told not to)."""
    from lamina.data.standardize import apply_standardizer

    run = run_of(request)
    x = np.asarray(request.x, dtype=np.float32)
    model = STATE.model(run, request.which)
    if request.standardize:
        x = apply_standardizer(x, run.standardizer())
    out = model.predict(x, batch_size=int(request.batch_size), verbose=0)
    return Prediction(outputs=np.asarray(out))


def export(request: ExportRequest, ctx: Context) -> Exported:
    """Writes the run's model as ``.keras``, a SavedModel or a stand-alone Python script."""
    from lamina import export as exporting

    run = run_of(request)
    fmt = request.format
    if fmt == "python":
        written = exporting.export_python(run, request.path)
    elif fmt in ("keras", "savedmodel"):
        model = STATE.model(run, request.which)
        write = exporting.export_keras if fmt == "keras" else exporting.export_savedmodel
        written = write(model, request.path)
    else:
        raise RequestError(
            f"export: unknown format {fmt!r}; expected 'keras', 'savedmodel' or 'python'"
        )
    return Exported(path=str(written), format=fmt)
