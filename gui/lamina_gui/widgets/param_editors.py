"""Which editor shows a parameter: one entry per parameter type of the core.

The keys of `EDITORS` are the core's parameter types (`lamina.params.PARAM_TYPES`); a
test checks that every one of them has an editor here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lamina_gui.widgets.editors import (
    BoolEditor,
    ChoiceEditor,
    FloatEditor,
    IntEditor,
    IntOrTupleEditor,
    JsonEditor,
    Nullable,
    StrEditor,
)
from lamina_gui.widgets.setting_editors import (
    InitializerEditor,
    LearningRateEditor,
    RegularizerEditor,
)


def _fits(kind: str, value: Any) -> bool:
    """Whether an editor of `kind` can show `value`."""
    if value is None:
        return True
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("str", "initializer", "activation"):
        return isinstance(value, str)
    if kind == "int_or_tuple":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, list) and all(isinstance(v, int) for v in value)
        )
    return True


def _nullable_number(cls: type) -> Callable[[dict[str, Any], bool, list[str]], Any]:
    def make(param: dict[str, Any], nullable: bool, activations: list[str]) -> Any:
        editor = cls(param.get("min"), param.get("max"))
        return Nullable(editor) if nullable else editor

    return make


def _choice(param: dict[str, Any], nullable: bool, activations: list[str]) -> Any:
    if not param.get("choices"):
        return JsonEditor(nullable or not param.get("required"))
    return ChoiceEditor(list(param["choices"]), nullable)


def _activation(param: dict[str, Any], nullable: bool, activations: list[str]) -> Any:
    names = list(param.get("choices") or activations)
    return ChoiceEditor(names, nullable)


def _json(param: dict[str, Any], nullable: bool, activations: list[str]) -> Any:
    return JsonEditor(nullable or not param.get("required"))


#: parameter type of the core (`lamina.params.PARAM_TYPES`) -> what makes its editor
#: from the schema, whether null is allowed, and the catalogue's activation names
EDITORS: dict[str, Callable[[dict[str, Any], bool, list[str]], Any]] = {
    "int": _nullable_number(IntEditor),
    "float": _nullable_number(FloatEditor),
    "bool": lambda param, nullable, activations: BoolEditor(),
    "str": lambda param, nullable, activations: StrEditor(nullable),
    "choice": _choice,
    "int_or_tuple": lambda param, nullable, activations: IntOrTupleEditor(nullable),
    "activation": _activation,
    "regularizer": lambda param, nullable, activations: RegularizerEditor(),
    "initializer": lambda param, nullable, activations: InitializerEditor(),
    "learning_rate": lambda param, nullable, activations: LearningRateEditor(),
    "shape": _json,
    "list": _json,
    "dict": _json,
    "any": _json,
}


def make_editor(param: dict[str, Any], value: Any, activations: list[str]) -> Any:
    """Returns the editor for one parameter schema (``Param.to_dict()``), showing `value`.

    A value (or default) the type's editor cannot show, and a type this app does not
    know (from a newer core), get the JSON editor.
    """
    kind = str(param.get("type", "any"))
    nullable = bool(param.get("nullable"))
    default = None if param.get("required") else param.get("default")
    if not (_fits(kind, value) and _fits(kind, default)) or kind not in EDITORS:
        kind = "any"
    if kind == "activation":
        nullable = nullable or value is None
    editor = EDITORS[kind](param, nullable, activations)
    editor.set_value(value)
    return editor
