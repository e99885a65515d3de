"""The learning-rate schedules a spec may name, and the check of a schedule value.

A spec's ``learning_rate`` is a positive number or ``{"type": ..., "params": {...}}``
naming one of `SCHEDULES` (the ``keras.optimizers.schedules`` classes). Only these
names are ever looked up in Keras or written into an exported script.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

#: Schedule name -> (its parameters, the required ones), as in tf_keras.
SCHEDULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CosineDecay": (
        ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target", "warmup_steps"),
        ("initial_learning_rate", "decay_steps"),
    ),
    "CosineDecayRestarts": (
        ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha", "name"),
        ("initial_learning_rate", "first_decay_steps"),
    ),
    "ExponentialDecay": (
        ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name"),
        ("initial_learning_rate", "decay_steps", "decay_rate"),
    ),
    "InverseTimeDecay": (
        ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name"),
        ("initial_learning_rate", "decay_steps", "decay_rate"),
    ),
    "PiecewiseConstantDecay": (("boundaries", "values", "name"), ("boundaries", "values")),
    "PolynomialDecay": (
        ("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle", "name"),
        ("initial_learning_rate", "decay_steps"),
    ),
}


def starting_params(name: str, rate: float = 0.001) -> dict[str, Any]:
    """Parameters that make a working schedule `name` starting at `rate` (for editors).

    Example:
        >>> starting_params("ExponentialDecay", 0.01)
        {'initial_learning_rate': 0.01, 'decay_steps': 1000, 'decay_rate': 0.9}

    Raises:
        KeyError: If `name` is not one of `SCHEDULES`.
    """
    if name not in SCHEDULES:
        raise KeyError(name)
    if name == "PiecewiseConstantDecay":
        return {"boundaries": [1000, 2000], "values": [rate, rate / 10, rate / 100]}
    first = "first_decay_steps" if name == "CosineDecayRestarts" else "decay_steps"
    params: dict[str, Any] = {"initial_learning_rate": rate, first: 1000}
    if name in ("ExponentialDecay", "InverseTimeDecay"):
        params["decay_rate"] = 0.9
    return params


_BOOLS = ("staircase", "cycle")
_LISTS = ("boundaries", "values")


def schedule_problem(value: Any) -> tuple[str, str] | None:
    """Checks a ``learning_rate`` value; returns ``(sub-path, message)`` or None if it is fine.

    The sub-path is relative to the parameter: ``""``, ``".type"``, ``".params"`` or
    ``".params.<name>"``.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if value > 0 else ("", f"expected a positive number, got {value!r}")
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        return (
            "",
            "expected a positive number or a schedule {'type': ..., 'params': ...}, "
            f"got {value!r}",
        )
    unknown_keys = set(value) - {"type", "params"}
    if unknown_keys:
        return (f".{sorted(unknown_keys)[0]}", "a schedule has only 'type' and 'params'")
    kind = value["type"]
    if kind not in SCHEDULES:
        close = difflib.get_close_matches(kind, list(SCHEDULES), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return (
            ".type",
            f"unknown learning-rate schedule {kind!r}; {hint}schedules: {', '.join(SCHEDULES)}",
        )
    params = value.get("params", {})
    if not isinstance(params, Mapping):
        return (".params", f"expected an object of {kind} parameters, got {params!r}")
    names, required = SCHEDULES[kind]
    for name, param_value in params.items():
        if name not in names:
            known = ", ".join(names)
            return (f".params.{name}", f"unknown parameter of {kind}; parameters: {known}")
        message = _value_problem(name, param_value)
        if message:
            return (f".params.{name}", message)
    for name in required:
        if name not in params:
            return (f".params.{name}", f"required parameter of {kind} is missing")
    return None


def _value_problem(name: str, value: Any) -> str | None:
    if name == "name":
        return None if isinstance(value, str) else f"expected a string, got {value!r}"
    if name in _BOOLS:
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if name in _LISTS:
        ok = isinstance(value, list) and all(_is_number(v) for v in value)
        return None if ok else f"expected a list of numbers, got {value!r}"
    return None if _is_number(value) else f"expected a number, got {value!r}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
