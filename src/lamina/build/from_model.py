"""``spec_of``: the spec of a model, the one it was built from or one read off its layers."""

from __future__ import annotations

from typing import Any

from lamina.build.builder import SPEC_ATTRIBUTE
from lamina.jsonutil import json_safe
from lamina.registry import Entry, Registry
from lamina.spec import ModelSpec, SpecError, SpecProblem, parse_spec

#: Keras regularizer classes whose config reads back as ``{"l1": a, "l2": b}``.
_REGULARIZERS = ("L1", "L2", "L1L2")


def spec_of(model: Any, registry: Registry | None = None) -> ModelSpec:
    """Returns the spec of a model: the one it was built from, or one read off its layers.

    Works for models built by `build_model` and for plain tf_keras Sequential (or
    single-path functional) models whose layers are in the catalogue.

    Raises:
        SpecError: If a layer is not in the catalogue.
    """
    from lamina.keras import keras
    from lamina.plugins import get_registry

    stored = getattr(model, SPEC_ATTRIBUTE, None)
    if stored is not None:
        return stored
    registry = registry or get_registry()
    by_class = {e.obj: e for e in registry.entries("layer")}
    items: list[dict[str, Any]] = []
    problems = []
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    for index, layer in enumerate(layers):
        entry = by_class.get(type(layer))
        if entry is None:
            problems.append(
                SpecProblem(f"layers[{index}]", f"{type(layer).__name__} is not in the catalogue")
            )
            continue
        items.append({"type": entry.name, "params": _params_of(entry, layer.get_config())})
    if problems:
        raise SpecError(problems)
    shape = list(model.input_shape[1:])
    compile_: dict[str, Any] = {}
    compile_["loss"] = _loss_of(getattr(model, "loss", None))
    if compile_["loss"] is None:
        del compile_["loss"]
    return parse_spec(
        {"name": model.name, "input": {"shape": shape}, "layers": items, "compile": compile_}
    )


def _loss_of(loss: Any) -> str | dict[str, Any] | None:
    """A compiled loss as a spec's loss: a name, a function loss with its parameters, or None.

    A catalogue function loss given parameters is compiled as a `LaminaFunctionLoss`; it
    reads back as ``{"type": registered name, "params": {...}}``.
    """
    from lamina.function_loss import LaminaFunctionLoss

    if isinstance(loss, str):
        return loss
    if isinstance(loss, LaminaFunctionLoss):
        return {"type": loss.loss_name, "params": dict(loss.params)}
    return None


def _params_of(entry: Entry, config: dict[str, Any]) -> dict[str, Any]:
    """The entry's parameters a layer's config sets to other values than the defaults."""
    params = {}
    for p in entry.params:
        if p.name not in config:
            continue
        value = _param_value(config[p.name])
        if value is _SKIP or value == _param_value(p.default):
            continue
        params[p.name] = value
    return params


_SKIP = object()


def _param_value(value: Any) -> Any:
    """A Keras config value as a spec parameter; `_SKIP` for configs a spec cannot hold.

    Regularizers read back as ``{"l1": a, "l2": b}`` (zero factors left out); other
    nested configs (initializers, constraints) are skipped.
    """
    if isinstance(value, dict):
        if value.get("class_name") not in _REGULARIZERS:
            return _SKIP
        cfg = value.get("config", {})
        return {k: float(f"{v:.7g}") for k, v in cfg.items() if k in ("l1", "l2") and v}
    return json_safe(value)
