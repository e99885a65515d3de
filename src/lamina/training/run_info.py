"""What ``run.json`` records about a run before it trains: versions, device, seed, data."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lamina.data.dataset import Dataset
from lamina.spec import ModelSpec, Ref
from lamina.training.devices import DeviceChoice


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


def data_ref(data: Any, params: Mapping[str, Any] | None, spec: ModelSpec) -> dict[str, Any] | None:
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


def new_run_info(
    run_id: str,
    created: str,
    choice: DeviceChoice,
    seed: int | None,
    ds: Dataset,
    ref: dict[str, Any] | None,
    timings: dict[str, Any],
) -> dict[str, Any]:
    """The start of ``run.json``: a run that has not trained yet counts as failed."""
    return {
        "run_id": run_id,
        "created": created,
        "status": "failed",
        "reason": "",
        "device": choice.to_dict(),
        "seed": seed,
        "versions": versions(),
        "data": ds.summary(),
        "data_ref": ref,
        "timings": timings,
    }
