"""Spec parameters against an entry's schema: checking them, and turning them into kwargs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lamina.registry import Entry, Registry
from lamina.schedules import schedule_problem
from lamina.spec import SpecProblem


def check_params(
    entry: Entry, params: Mapping[str, Any], path: str, registry: Registry
) -> list[SpecProblem]:
    """Checks spec parameters against an entry's schema; returns located problems."""
    checker = registry.value_checker()
    problems = []
    known = {p.name for p in entry.params}
    for name, value in params.items():
        param = entry.param(name)
        if param is None:
            problems.append(
                SpecProblem(
                    f"{path}.params.{name}",
                    f"unknown parameter for {entry.name}; "
                    f"parameters: {', '.join(sorted(known)) or 'none'}",
                )
            )
            continue
        if param.type == "learning_rate":
            problem = schedule_problem(value)
            if problem:
                problems.append(SpecProblem(f"{path}.params.{name}{problem[0]}", problem[1]))
            continue
        message = checker.check(param, value)
        if message:
            problems.append(SpecProblem(f"{path}.params.{name}", message))
    for param in entry.params:
        if param.required and param.name not in params:
            problems.append(
                SpecProblem(
                    f"{path}.params.{param.name}", f"required parameter of {entry.name} is missing"
                )
            )
    return problems


def convert_params(entry: Entry, params: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    """Turns spec parameters (plain JSON) into the keyword arguments of an entry."""
    from lamina.keras import keras

    out: dict[str, Any] = {}
    for name, value in params.items():
        param = entry.param(name)
        kind = param.type if param else "any"
        if value is None:
            out[name] = None
        elif kind == "regularizer":
            out[name] = make_regularizer(value)
        elif kind == "activation":
            act = registry.find("activation", value)
            module = getattr(act.obj, "__module__", "") if act else ""
            out[name] = value if (act is None or module.startswith("tf_keras")) else act.obj
        elif kind == "learning_rate" and isinstance(value, Mapping):
            problem = schedule_problem(value)
            if problem:
                raise ValueError(f"{name}{problem[0]}: {problem[1]}")
            schedule_cls = getattr(keras.optimizers.schedules, value["type"])
            out[name] = schedule_cls(**value.get("params", {}))
        elif kind in ("int_or_tuple", "shape") and isinstance(value, list):
            out[name] = tuple(value)
        else:
            out[name] = value
    return out


def make_regularizer(value: Any) -> Any:
    """Returns a Keras regularizer for ``"l1"``, ``"l2"``, ``"l1_l2"`` or ``{"l1": a, "l2": b}``.

    The string forms use Keras's default factor 0.01; the dict form is the elastic net
    ``a * sum|w| + b * sum w^2``.
    """
    from lamina.keras import keras

    if isinstance(value, str):
        return {
            "l1": keras.regularizers.L1(0.01),
            "l2": keras.regularizers.L2(0.01),
            "l1_l2": keras.regularizers.L1L2(l1=0.01, l2=0.01),
        }[value]
    return keras.regularizers.L1L2(l1=float(value.get("l1", 0.0)), l2=float(value.get("l2", 0.0)))
