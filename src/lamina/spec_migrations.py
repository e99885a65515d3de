"""Migrations of raw spec data from one spec version to the next.

Each function takes the raw data of one version and returns data of the next version;
`lamina.spec.migrate` chains them up to the current version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v0 (lamina 0.0 prototypes): flat keys, ``stack`` of ``{"layer", "config"}``."""
    out: dict[str, Any] = {"spec_version": 1, "name": data.get("name", "model")}
    if "input_shape" in data:
        out["input"] = {"shape": data["input_shape"], "dtype": data.get("dtype", "float32")}
    out["layers"] = [
        {"type": item.get("layer"), "params": item.get("config", {})}
        for item in data.get("stack", [])
    ]
    compile_: dict[str, Any] = {}
    if "loss" in data:
        compile_["loss"] = data["loss"]
    if "optimizer" in data:
        opt = data["optimizer"]
        compile_["optimizer"] = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}.get(opt, opt)
    if "metrics" in data:
        compile_["metrics"] = data["metrics"]
    out["compile"] = compile_
    training = {k: data[k] for k in ("epochs", "batch_size") if k in data}
    if training:
        out["training"] = training
    return out


#: version -> function migrating a spec of that version to the next one
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _v0_to_v1}
