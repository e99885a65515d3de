"""Search spaces: which parameters of a spec vary, and over what (`SearchSpace`, `Param`).

A space is JSON: an object from a *path* in the spec to a range or a list of choices::

    {
      "layers[1].params.units": {"type": "int", "low": 16, "high": 256, "log": true},
      "compile.optimizer.params.learning_rate": {"low": 1e-4, "high": 1e-1, "log": true},
      "layers[2].params.rate": [0.0, 0.25, 0.5],
      "compile.optimizer.type": ["Adam", "SGD"],
      "training.batch_size": {"type": "int", "low": 16, "high": 128, "step": 16}
    }

A path is ``layers[I].params.NAME`` (an item's parameter, also an architecture
template's), ``ITEM_NAME.NAME`` (the item called so), ``compile.optimizer.type``,
``compile.optimizer.params.NAME``, ``training.FIELD``, or a bare parameter name such
as ``units`` when exactly one item holds it (the last item, the output, is left out when
another holds it). Each path is checked against the spec and the registry's parameter
schemas; every mistake is a `SearchError` located at ``space["PATH"]``.

Example:
    >>> space = SearchSpace.from_json({"units": [16, 64], "rate": [0.0, 0.5]}, spec)
    >>> space.apply(spec, {"layers[1].params.units": 64, "layers[2].params.rate": 0.5})
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamina.hpsearch.errors import SearchError
from lamina.hpsearch.space_paths import apply_values, read_space, resolve_path
from lamina.registry import Registry
from lamina.spec import ModelSpec, SpecError, load_spec


@dataclass(frozen=True)
class Param:
    """One varied parameter.

    Args:
        path: Where in the spec, e.g. ``layers[1].params.units``.
        kind: ``"int"``, ``"float"`` or ``"categorical"``.
        low: Smallest value of a range (inclusive).
        high: Largest value of a range (inclusive).
        step: Step of a range (`None`: continuous for floats, 1 for ints).
        log: Sample the range on a log scale.
        choices: The values of a categorical parameter.
    """

    path: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def to_json(self) -> Any:
        """The parameter as space JSON (a list for choices, else a range object)."""
        if self.kind == "categorical":
            return list(self.choices)
        out: dict[str, Any] = {"type": self.kind, "low": self.low, "high": self.high}
        if self.step is not None:
            out["step"] = self.step
        if self.log:
            out["log"] = True
        return out

    def grid_values(self) -> list[Any] | None:
        """Every value on a grid, or None for a continuous float range."""
        if self.kind == "categorical":
            return list(self.choices)
        assert self.low is not None and self.high is not None
        if self.kind == "int":
            step = int(self.step or 1)
            return list(range(int(self.low), int(self.high) + 1, step))
        if self.step is None:
            return None
        n = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
        return [round(self.low + i * self.step, 12) for i in range(n)]

    def distribution(self) -> Any:
        """The Optuna distribution of this parameter."""
        import optuna

        if self.kind == "categorical":
            return optuna.distributions.CategoricalDistribution(list(self.choices))
        if self.kind == "int":
            return optuna.distributions.IntDistribution(
                int(self.low or 0), int(self.high or 0), log=self.log, step=int(self.step or 1)
            )
        return optuna.distributions.FloatDistribution(
            float(self.low or 0), float(self.high or 0), log=self.log, step=self.step
        )

    def suggest(self, trial: Any) -> Any:
        """Asks an Optuna trial for this parameter's value."""
        if self.kind == "categorical":
            return trial.suggest_categorical(self.path, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(
                self.path,
                int(self.low or 0),
                int(self.high or 0),
                step=int(self.step or 1),
                log=self.log,
            )
        return trial.suggest_float(
            self.path, float(self.low or 0), float(self.high or 0), step=self.step, log=self.log
        )


@dataclass(frozen=True)
class SearchSpace:
    """The varied parameters of a search, each at a checked path of the spec.

    Attributes:
        params: The parameters, in the order given.
    """

    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def paths(self) -> list[str]:
        """The parameters' paths."""
        return [p.path for p in self.params]

    def to_json(self) -> dict[str, Any]:
        """The space as JSON (paths resolved: ``units`` is written ``layers[1].params.units``)."""
        return {p.path: p.to_json() for p in self.params}

    def grid(self) -> dict[str, list[Any]]:
        """Path -> values of the full grid.

        Raises:
            SearchError: If a float range has no step (with how many values a step would
                give, to help choose one).
        """
        out = {}
        for p in self.params:
            values = p.grid_values()
            if values is None:
                raise SearchError(
                    f"a grid needs a step or a list of values; this float range "
                    f"[{p.low}, {p.high}] is continuous (e.g. step {(p.high - p.low) / 4:g} "  # type: ignore[operator]
                    f"gives 5 values, step {(p.high - p.low) / 9:g} gives 10)",  # type: ignore[operator]
                    location=f'space["{p.path}"]',
                    hint="add a step, give a list, or use the sampler random or tpe",
                )
            out[p.path] = values
        return out

    def grid_size(self) -> int:
        """The number of points of the full grid."""
        return math.prod(len(v) for v in self.grid().values())

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Asks an Optuna trial for a value of every parameter: path -> value."""
        return {p.path: p.suggest(trial) for p in self.params}

    def apply(self, spec: ModelSpec, values: Mapping[str, Any]) -> ModelSpec:
        """Returns a new spec with `values` (path -> value) set; `spec` is unchanged."""
        return apply_values(spec, values)

    @classmethod
    def from_json(
        cls, obj: Any, spec: Any, registry: Registry | None = None, source: str = "space"
    ) -> SearchSpace:
        """Reads a space (a dict, JSON text or a file path) and checks it against `spec`.

        Raises:
            SearchError: Located at ``space["PATH"]`` (or the file) for each kind of mistake.
        """
        from lamina.plugins import get_registry

        registry = registry or get_registry()
        spec = load_spec(spec)
        data = read_space(obj)
        if not isinstance(data, Mapping) or not data:
            raise SearchError(
                "a search space is a JSON object {path: range or list of choices}, "
                f"got {type(data).__name__ if data else 'nothing'}",
                location=str(obj) if _is_path(obj) else source,
                hint='e.g. {"layers[1].params.units": {"type": "int", "low": 16, "high": 128}}',
            )
        params: list[Param] = []
        seen: dict[str, str] = {}
        for key, value in data.items():
            where = f'space["{key}"]'
            path, schema, kind_label = resolve_path(str(key), spec, registry, where)
            if path in seen:
                raise SearchError(f'the same parameter as space["{seen[path]}"]', location=where)
            seen[path] = str(key)
            params.append(_param(path, value, schema, kind_label, registry, where))
        space = cls(tuple(params))
        _check_default(space, spec, registry)
        return space


def _is_path(obj: Any) -> bool:
    return isinstance(obj, Path) or (isinstance(obj, str) and not obj.lstrip().startswith("{"))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _param(path: str, value: Any, schema: Any, owner: str, registry: Registry, where: str) -> Param:
    """Reads one entry of the space and checks it against its schema."""
    if isinstance(value, Mapping) and "choices" in value:
        value = value["choices"]
    if isinstance(value, (list, tuple)):
        return _choices(path, list(value), schema, owner, registry, where)
    if not isinstance(value, Mapping):
        raise SearchError(
            f"expected a list of choices or a range object, got {value!r}",
            location=where,
            hint='e.g. [16, 64] or {"low": 16, "high": 64}',
        )
    unknown = set(value) - {"type", "low", "high", "step", "log"}
    if unknown:
        raise SearchError(
            f"unknown key(s) {', '.join(sorted(map(repr, unknown)))}",
            location=where,
            hint="a range has type, low, high, step, log; choices are a list",
        )
    low: Any
    high: Any
    low, high, step, log = (
        value.get("low"),
        value.get("high"),
        value.get("step"),
        value.get("log", False),
    )
    for name, v in (("low", low), ("high", high)):
        if not _number(v):
            raise SearchError(f"{name} must be a number, got {v!r}", location=where)
    if step is not None and not (_number(step) and step > 0):
        raise SearchError(f"step must be a positive number, got {step!r}", location=where)
    if not isinstance(log, bool):
        raise SearchError(f"log must be true or false, got {log!r}", location=where)
    if not low < high:
        raise SearchError(f"low must be < high (got low={low}, high={high})", location=where)
    if log and low <= 0:
        raise SearchError(f"log needs low > 0 (got low={low})", location=where)
    if log and step is not None:
        raise SearchError("a log range cannot have a step", location=where)
    all_int = all(isinstance(v, int) for v in (low, high)) and (
        step is None or isinstance(step, int)
    )
    kind = value.get("type") or ("int" if all_int else "float")
    if kind not in ("int", "float"):
        raise SearchError(f"type must be 'int' or 'float', got {kind!r}", location=where)
    if kind == "int" and not all_int:
        raise SearchError("an int range needs whole-number low, high and step", location=where)
    expected = _schema_type(schema)
    param_name = path.rsplit(".", 1)[-1]
    if expected in ("int", "int_or_tuple") and kind == "float":
        what = "positive ints" if expected == "int_or_tuple" else "ints"
        raise SearchError(
            f"{param_name!r} of {owner} allows {what}, got a float range",
            location=where,
            hint='give whole-number bounds or "type": "int"',
        )
    if expected not in ("int", "float", "int_or_tuple", "learning_rate", None, "any"):
        raise SearchError(
            f"{param_name!r} of {owner} is not numeric ({expected}); give a list of choices",
            location=where,
        )
    if expected == "int_or_tuple" and low < 1:
        raise SearchError(
            f"{param_name!r} of {owner} allows positive ints, got low={low}", location=where
        )
    if hasattr(schema, "min") and schema.min is not None and low < schema.min:
        raise SearchError(
            f"{param_name!r} of {owner} must be >= {schema.min}, got low={low}", location=where
        )
    if hasattr(schema, "max") and schema.max is not None and high > schema.max:
        raise SearchError(
            f"{param_name!r} of {owner} must be <= {schema.max}, got high={high}", location=where
        )
    if step is not None and kind == "float" and (high - low) / step < 1 - 1e-9:
        raise SearchError(f"step {step} is larger than the range", location=where)
    return Param(path=path, kind=kind, low=low, high=high, step=step, log=log)


def _schema_type(schema: Any) -> str | None:
    if schema is None:
        return None
    if isinstance(schema, str):
        return schema
    if isinstance(schema, tuple):
        return "choice"
    return str(schema.type)


def _choices(
    path: str, values: list[Any], schema: Any, owner: str, registry: Registry, where: str
) -> Param:
    if not values:
        raise SearchError("the list of choices is empty", location=where)
    if len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
        raise SearchError(f"the choices {values!r} repeat a value", location=where)
    for v in values:
        if not (v is None or isinstance(v, (bool, int, float, str))):
            raise SearchError(
                f"a choice must be a number, string, true/false or null, got {v!r}", location=where
            )
    param_name = path.rsplit(".", 1)[-1]
    if isinstance(schema, tuple):  # compile.optimizer.type
        unknown = [v for v in values if v not in schema[1]]
        if unknown:
            raise SearchError(
                f"unknown optimizer(s) {', '.join(map(repr, unknown))}",
                location=where,
                hint=f"registered: {', '.join(schema[1])}",
            )
    elif isinstance(schema, str):  # a training field
        for v in values:
            bad = (
                (schema == "int" and (isinstance(v, bool) or not isinstance(v, int)))
                or (schema == "float" and not _number(v))
                or (schema == "bool" and not isinstance(v, bool))
            )
            if bad:
                raise SearchError(
                    f"training.{param_name} needs {schema} values, got {v!r}", location=where
                )
    elif schema is not None:
        checker = registry.value_checker()
        for v in values:
            problem = checker.check(schema, v)
            if problem:
                raise SearchError(f"{param_name!r} of {owner}: {problem}", location=where)
    kind = "categorical"
    return Param(path=path, kind=kind, choices=tuple(values))


def _check_default(space: SearchSpace, spec: ModelSpec, registry: Registry) -> None:
    """Applies the first value of every parameter: the spec must still be valid."""
    first = {}
    for p in space.params:
        first[p.path] = p.choices[0] if p.kind == "categorical" else p.low
    try:
        apply_values(spec, first)
    except SpecError as exc:
        raise SearchError(f"the space makes an invalid spec: {exc}", location="space") from None
