"""Compile settings: checking the loss, optimizer and metrics, and making them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lamina.build.params import check_params, convert_params
from lamina.build.stack import resolve_item
from lamina.registry import Entry, Registry
from lamina.spec import ModelSpec, SpecProblem

#: Metric names Keras resolves only when it compiles (not through ``keras.metrics.get``).
_COMPILE_TIME_METRICS = ("accuracy", "acc", "crossentropy", "ce")


def compile_problems(
    spec: ModelSpec, registry: Registry, entries: list[Entry | None]
) -> list[SpecProblem]:
    """Checks ``spec.compile`` against the catalogue; `entries` are the items' entries."""
    problems = _loss_problems(spec, registry, entries)
    opt = registry.find("optimizer", spec.compile.optimizer.type)
    if opt is None:
        problems.append(
            SpecProblem(
                "compile.optimizer.type",
                registry.unknown_message("optimizer", spec.compile.optimizer.type),
            )
        )
    else:
        problems += check_params(opt, spec.compile.optimizer.params, "compile.optimizer", registry)
    return problems + _metric_problems(spec)


def _loss_problems(
    spec: ModelSpec, registry: Registry, entries: list[Entry | None]
) -> list[SpecProblem]:
    loss = spec.compile.loss
    head = (
        entries[-1] if entries and entries[-1] is not None and entries[-1].kind == "head" else None
    )
    if loss is None:
        if head is None or not head.loss:
            return [
                SpecProblem(
                    "compile.loss",
                    "no loss: choose one (e.g. 'mean_squared_error' or "
                    "'sparse_categorical_crossentropy') or end the stack with a head",
                )
            ]
        return []
    entry = registry.find("loss", loss.type)
    if entry is None:
        return [SpecProblem("compile.loss.type", registry.unknown_message("loss", loss.type))]
    return check_params(entry, loss.params, "compile.loss", registry)


def _metric_problems(spec: ModelSpec) -> list[SpecProblem]:
    from lamina.keras import keras

    problems = []
    for i, metric in enumerate(spec.compile.metrics):
        if metric in _COMPILE_TIME_METRICS:
            continue
        try:
            known = callable(keras.metrics.get(metric))
        except ValueError:
            known = False
        if not known:
            problems.append(
                SpecProblem(
                    f"compile.metrics[{i}]",
                    f"unknown metric {metric!r}; e.g. 'accuracy', 'mae', 'mse', 'AUC', 'Precision'",
                )
            )
    return problems


def make_loss(spec: ModelSpec, registry: Registry) -> Any:
    """Returns the compiled loss: the spec's loss, or the head's default loss.

    A function loss given parameters becomes a `LaminaFunctionLoss`, which saves in a
    ``.keras`` file by its registered name and reloads from the catalogue.
    """
    loss = spec.compile.loss
    if loss is None:
        head = resolve_item(registry, spec.layers[-1])
        assert head is not None and head.loss
        loss_entry = registry.get("loss", head.loss)
        params: Mapping[str, Any] = {}
    else:
        loss_entry = registry.get("loss", loss.type)
        params = loss.params
    if isinstance(loss_entry.obj, type):
        return loss_entry.obj(**convert_params(loss_entry, params, registry))
    if params:  # a function with parameters: a loss that saves by name, not a partial
        from lamina.function_loss import LaminaFunctionLoss

        return LaminaFunctionLoss(loss_entry.name, params, registry=registry)
    return loss_entry.obj


def make_optimizer(spec: ModelSpec, registry: Registry) -> Any:
    """Returns a fresh optimizer built from ``spec.compile.optimizer``."""
    entry = registry.get("optimizer", spec.compile.optimizer.type)
    return entry.obj(**convert_params(entry, spec.compile.optimizer.params, registry))
