"""The model spec: the single, versioned, JSON-serialisable description of a model.

A spec names catalogue entries by their registered name and carries plain parameters::

    {
      "spec_version": 1,
      "name": "digits-mlp",
      "input": {"shape": [8, 8, 1]},
      "layers": [
        {"type": "Flatten"},
        {"type": "Dense", "params": {"units": 128, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}}
      ],
      "compile": {"loss": "sparse_categorical_crossentropy", "optimizer": "Adam",
                  "metrics": ["accuracy"]},
      "training": {"epochs": 20, "batch_size": 32}
    }

Errors point at the item and parameter: ``layers[3].params.kernel_size: ...``.
Older versions are migrated forward by small functions in
`lamina.spec_migrations.MIGRATIONS`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lamina.errors import LaminaError
from lamina.spec_migrations import MIGRATIONS

SPEC_VERSION: Final = 1


@dataclass(frozen=True)
class SpecProblem:
    """One located problem in a spec."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(LaminaError, ValueError):
    """A spec is invalid. `problems` lists every located problem; the message shows the first.

    Args:
        problems: The located problems.
        source: The file the spec came from, if any.
    """

    code = "spec"

    def __init__(self, problems: list[SpecProblem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        first = str(self.problems[0]) if self.problems else "invalid spec"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{first}{more}")
        self.location = self.problems[0].path if self.problems and self.problems[0].path else None


def format_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """Formats a location as ``layers[3].params.kernel_size``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Strict(BaseModel):
    """Unknown fields are errors; a spec is immutable (edits make a new one, see `copy_with`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Ref(_Strict):
    """A reference to a catalogue entry with parameters: ``{"type": name, "params": {...}}``.

    A plain string is accepted as shorthand for ``{"type": string}``.
    """

    type: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"type": value}
        return value


class InputSpec(_Strict):
    """The model input: shape without the batch axis, and dtype."""

    shape: list[int | None] = Field(min_length=1)
    dtype: Literal["float16", "float32", "float64", "int32", "int64"] = "float32"

    @model_validator(mode="before")
    @classmethod
    def _from_shape(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return {"shape": list(value)}
        return value

    @model_validator(mode="after")
    def _positive(self) -> InputSpec:
        for i, size in enumerate(self.shape):
            if size is not None and size <= 0:
                raise ValueError(f"shape[{i}] must be a positive int or null, got {size}")
        return self


class ItemSpec(_Strict):
    """One item of the stack: a layer, a block or a head."""

    type: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    name: str | None = None
    trainable: bool = True

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"type": value}
        return value


class CompileSpec(_Strict):
    """Loss, optimizer and metrics. A head sets the loss when `loss` is null."""

    loss: Ref | None = None
    optimizer: Ref = Field(default_factory=lambda: Ref(type="Adam"))
    metrics: list[str] = Field(default_factory=list)


class EarlyStoppingSpec(_Strict):
    """Stop when `monitor` has not improved for `patience` epochs."""

    monitor: str = "val_loss"
    patience: int = Field(default=5, ge=0)
    min_delta: float = Field(default=0.0, ge=0)
    restore_best_weights: bool = True


class ReduceLROnPlateauSpec(_Strict):
    """Multiply the learning rate by `factor` when `monitor` stalls for `patience` epochs."""

    monitor: str = "val_loss"
    factor: float = Field(default=0.5, gt=0, lt=1)
    patience: int = Field(default=3, ge=0)
    min_lr: float = Field(default=1e-6, ge=0)


class TrainingSpec(_Strict):
    """How to train: epochs, batches, splits, callbacks, device and seed."""

    epochs: int = Field(default=10, ge=1)
    batch_size: int = Field(default=32, ge=1)
    validation_split: float = Field(default=0.2, ge=0, lt=1)
    test_split: float = Field(default=0.1, ge=0, lt=1)
    shuffle: bool = True
    seed: int | None = Field(default=0, ge=0, le=2**32 - 1)
    standardize: bool = False
    augmentation: dict[str, Any] | None = None
    early_stopping: EarlyStoppingSpec | None = None
    reduce_lr_on_plateau: ReduceLROnPlateauSpec | None = None
    class_weight: Literal["balanced"] | dict[str, float] | None = None
    device: str = "auto"
    mixed_precision: bool = False
    steps_per_execution: int | None = Field(default=None, ge=1)


class ModelSpec(_Strict):
    """A whole model: input, stack of items, compile and training settings, data."""

    spec_version: Literal[1] = SPEC_VERSION
    name: str = "model"
    description: str = ""
    input: InputSpec
    layers: list[ItemSpec] = Field(default_factory=list)
    compile: CompileSpec = Field(default_factory=CompileSpec)
    training: TrainingSpec = Field(default_factory=TrainingSpec)
    data: Ref | None = None

    def to_dict(self) -> dict[str, Any]:
        """Returns the spec as plain JSON-serialisable data."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int = 2) -> str:
        """Returns the spec as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)

    def copy_with(self, **changes: Any) -> ModelSpec:
        """Returns a new spec with top-level fields replaced; validates only what changed.

        The fields not in `changes` are shared with this spec, not copied (specs are
        immutable). A value may be a model (an `ItemSpec`, a `TrainingSpec`, ...), taken as
        it is, or plain data, validated once.

        Example:
            >>> spec.copy_with(training={**spec.training.model_dump(), "epochs": 5})

        Raises:
            SpecError: Located at the changed field, e.g. ``layers[2].params``.
        """
        try:
            return ModelSpec.model_validate({**dict(self), **changes})
        except ValidationError as exc:
            raise SpecError(_problems_from(exc)) from None

    def with_layers(self, layers: Sequence[ItemSpec | Mapping[str, Any] | str]) -> ModelSpec:
        """Returns a new spec with this stack of items.

        `ItemSpec` items are taken as they are (an edit that keeps the other items passes
        them back unchanged), only dicts and names are validated.
        """
        return self.copy_with(layers=list(layers))

    def with_item(self, index: int, item: ItemSpec | Mapping[str, Any] | str) -> ModelSpec:
        """Returns a new spec with item `index` replaced; only that item is validated."""
        layers: list[ItemSpec | Mapping[str, Any] | str] = list(self.layers)
        layers[index] = item
        return self.with_layers(layers)


# -- migrations ----------------------------------------------------------------------


def spec_version_of(data: Mapping[str, Any]) -> int:
    """Returns the spec version of raw data (specs without a version are v0)."""
    if "spec_version" not in data:
        legacy = "version" in data or "stack" in data or "input_shape" in data
        return int(data.get("version", 0)) if legacy else SPEC_VERSION
    version = data["spec_version"]
    return version if isinstance(version, int) and not isinstance(version, bool) else -1


def migrate(data: Mapping[str, Any]) -> dict[str, Any]:
    """Migrates raw spec data to the current version.

    Returns a new top-level dict; the nested data of a current-version spec is shared
    with `data`, not copied (older versions are copied before they are migrated).

    Raises:
        SpecError: If the version is unknown or newer than this lamina.
    """
    version = spec_version_of(data)
    if version > SPEC_VERSION:
        raise SpecError(
            [
                SpecProblem(
                    "spec_version",
                    f"version {version} is newer than this lamina "
                    f"understands ({SPEC_VERSION}); upgrade lamina",
                )
            ]
        )
    if version < 0:
        raise SpecError(
            [SpecProblem("spec_version", f"expected an int, got {data.get('spec_version')!r}")]
        )
    out = dict(data) if version == SPEC_VERSION else copy.deepcopy(dict(data))
    while version < SPEC_VERSION:
        out = MIGRATIONS[version](out)
        version += 1
    return out


# -- parsing -------------------------------------------------------------------------


def _problems_from(exc: ValidationError) -> list[SpecProblem]:
    problems = []
    for err in exc.errors():
        loc = [
            p
            for p in err["loc"]
            if not (isinstance(p, str) and p.startswith(("function-", "literal[")))
        ]
        message = err["msg"]
        if err["type"] == "missing":
            message = "required field is missing"
        elif err["type"] == "extra_forbidden":
            message = "unknown field"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if "input" in err and err["type"] not in ("missing", "extra_forbidden"):
            message += f" (got {err['input']!r})"
        problems.append(SpecProblem(format_path(loc), message))
    return problems


def parse_spec(data: Any, source: str | None = None) -> ModelSpec:
    """Validates raw data (migrating older versions) and returns a `ModelSpec`.

    Args:
        data: A dict, a JSON string, or a `ModelSpec`.
        source: Where the data came from, for error messages.

    Raises:
        SpecError: With every located problem.
    """
    if isinstance(data, ModelSpec):
        return data
    if isinstance(data, str):
        data = _loads(data, source)
    if not isinstance(data, Mapping):
        raise SpecError(
            [SpecProblem("", f"a spec must be a JSON object, got {type(data).__name__}")], source
        )
    data = migrate(data)
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_problems_from(exc), source) from None


def _loads(text: str, source: str | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            [
                SpecProblem(
                    "", f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                )
            ],
            source,
        ) from None
    except RecursionError:
        raise SpecError(
            [SpecProblem("", "the JSON is nested too deeply to be a spec (thousands of levels)")],
            source,
        ) from None


def load_spec(source: str | Path | Mapping[str, Any] | ModelSpec) -> ModelSpec:
    """Loads a spec from a JSON file, a dict, or a `ModelSpec`.

    Args:
        source: A path to a ``.json`` file, a dict, or a spec.

    Raises:
        SpecError: If the file is missing, not JSON, or the spec is invalid.
    """
    if isinstance(source, (ModelSpec, Mapping)):
        return parse_spec(source)
    path = Path(source)
    if not path.is_file():
        raise SpecError([SpecProblem("", "file not found")], str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([SpecProblem("", f"cannot read: {exc}")], str(path)) from None
    return parse_spec(_loads(text, str(path)), source=str(path))


def save_spec(spec: ModelSpec, path: str | Path) -> Path:
    """Writes a spec as JSON, atomically (temporary file + rename)."""
    from lamina.atomic import atomic_write_text

    return atomic_write_text(Path(path), spec.to_json() + "\n")


def item(
    type: str, name: str | None = None, trainable: bool = True, **params: Any
) -> dict[str, Any]:
    """Returns a stack item: ``item("Dense", units=128, activation="relu")``.

    Args:
        type: The registered name of a layer, block or head.
        name: Optional layer name (defaults to ``<type>_<index>``).
        trainable: Whether the item's weights are trained.
        **params: The item's parameters.
    """
    data: dict[str, Any] = {"type": type, "params": params, "trainable": trainable}
    if name:
        data["name"] = name
    return data


def make_spec(
    input_shape: list[int | None] | tuple[int | None, ...],
    layers: list[Any],
    loss: str | dict[str, Any] | None = None,
    optimizer: str | dict[str, Any] = "Adam",
    metrics: list[str] | None = None,
    name: str = "model",
    **training: Any,
) -> ModelSpec:
    """Returns a validated spec from Keras-like arguments.

    Example:
        >>> spec = make_spec([8, 8, 1], ["Flatten", item("Dense", units=10, activation="softmax")],
        ...                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=5)

    Args:
        input_shape: The input shape without the batch axis.
        layers: Items: names, `item(...)` dicts or `ItemSpec`s.
        loss: A loss name or ``{"type", "params"}``; None to use the head's loss.
        optimizer: An optimizer name or ``{"type", "params"}``. Defaults to `"Adam"`.
        metrics: Keras metric names.
        name: The model's name.
        **training: Training settings (``epochs``, ``batch_size``, ...).
    """
    return parse_spec(
        {
            "name": name,
            "input": {"shape": list(input_shape)},
            "layers": [i.model_dump() if isinstance(i, ItemSpec) else i for i in layers],
            "compile": {"loss": loss, "optimizer": optimizer, "metrics": metrics or []},
            "training": training,
        }
    )


def json_schema() -> dict[str, Any]:
    """Returns the JSON Schema of the spec (for docs and editors)."""
    schema = ModelSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "lamina model spec"
    return schema
