"""Parameter schemas of catalogue entries: derived from signatures, checked on use.

A schema is a tuple of :class:`Param`. It is derived from a class's ``__init__`` or a
function's signature (names, defaults, a type from the annotation or the default, help
text from the Google-style ``Args:`` section of the docstring) and can be overridden
per parameter by the plug-in that registers the entry.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

MISSING = "<required>"

#: Parameter types understood by the checker and by the app's form generator.
PARAM_TYPES = (
    "int",
    "float",
    "bool",
    "str",
    "choice",
    "int_or_tuple",
    "shape",
    "activation",
    "regularizer",
    "initializer",
    "learning_rate",
    "list",
    "dict",
    "any",
)


@dataclass(frozen=True)
class Param:
    """One parameter of a catalogue entry.

    Args:
        name: The keyword argument name.
        type: One of `PARAM_TYPES`.
        default: The default value, or `MISSING` when the parameter is required.
        help: One or two sentences shown in the app and in `lamina catalog`.
        choices: Allowed values for `"choice"` (and `"activation"`) parameters.
        min: Smallest allowed value for numbers (inclusive).
        max: Largest allowed value for numbers (inclusive).
        nullable: Whether `None` is allowed.
    """

    name: str
    type: str = "any"
    default: Any = MISSING
    help: str = ""
    choices: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    nullable: bool = False

    @property
    def required(self) -> bool:
        """True if the parameter has no default and must be given."""
        return isinstance(self.default, str) and self.default == MISSING

    def to_dict(self) -> dict[str, Any]:
        """Returns a JSON-serialisable description (used for the app's cached catalogue)."""
        data = asdict(self)
        data["default"] = _jsonable(self.default)
        data["choices"] = list(self.choices) if self.choices is not None else None
        data["required"] = self.required
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)


_NAME_TYPES = {
    "activation": "activation",
    "recurrent_activation": "activation",
    "kernel_regularizer": "regularizer",
    "bias_regularizer": "regularizer",
    "activity_regularizer": "regularizer",
    "recurrent_regularizer": "regularizer",
    "depthwise_regularizer": "regularizer",
    "pointwise_regularizer": "regularizer",
    "beta_regularizer": "regularizer",
    "gamma_regularizer": "regularizer",
    "embeddings_regularizer": "regularizer",
    "kernel_initializer": "initializer",
    "bias_initializer": "initializer",
    "recurrent_initializer": "initializer",
    "learning_rate": "learning_rate",
    "kernel_size": "int_or_tuple",
    "pool_size": "int_or_tuple",
    "strides": "int_or_tuple",
    "dilation_rate": "int_or_tuple",
    "size": "int_or_tuple",
    "target_shape": "shape",
    "padding": "choice",
}

#: types guessed from the name only when there is neither an annotation nor a default
_WEAK_NAME_TYPES = {
    "units": "int",
    "filters": "int",
    "num_heads": "int",
    "key_dim": "int",
    "input_dim": "int",
    "output_dim": "int",
    "rate": "float",
}

_NAME_CHOICES = {"padding": ("valid", "same", "causal")}

_ANNOTATION_TYPES = {
    int: "int",
    float: "float",
    bool: "bool",
    str: "str",
    list: "list",
    tuple: "int_or_tuple",
    dict: "dict",
}


def _type_from(name: str, annotation: Any, default: Any) -> tuple[str, bool]:
    """Guesses a parameter type and whether None is allowed."""
    if name in _NAME_TYPES:
        return _NAME_TYPES[name], default is None
    nullable = default is None
    if annotation is not inspect.Parameter.empty:
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        text = str(text)
        nullable = nullable or "None" in text or "Optional" in text
        for py_type, kind in _ANNOTATION_TYPES.items():
            if annotation is py_type:
                return kind, nullable
        for word, kind in (
            ("bool", "bool"),
            ("int", "int"),
            ("float", "float"),
            ("str", "str"),
            ("tuple", "int_or_tuple"),
            ("list", "list"),
            ("dict", "dict"),
        ):
            if re.match(rf"^{word}\b", text):
                return kind, nullable
    if isinstance(default, bool):
        return "bool", nullable
    if isinstance(default, int):
        return "int", nullable
    if isinstance(default, float):
        return "float", nullable
    if isinstance(default, str) and default != MISSING:
        return "str", nullable
    if isinstance(default, (tuple, list)):
        return "int_or_tuple" if all(isinstance(v, int) for v in default) else "list", nullable
    if isinstance(default, dict):
        return "dict", nullable
    if name in _WEAK_NAME_TYPES:
        return _WEAK_NAME_TYPES[name], default is None
    return "any", True


_ARGS_RE = re.compile(r"^\s{0,8}(Args|Arguments):\s*$")
_SECTION_RE = re.compile(r"^\s{0,8}[A-Z][A-Za-z ]+:\s*$")


def parse_arg_docs(doc: str | None) -> dict[str, str]:
    """Returns ``{name: help}`` from the ``Args:`` section of a Google-style docstring.

    Args:
        doc: A docstring, or None.
    """
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    out: dict[str, str] = {}
    in_args = False
    current: str | None = None
    indent = None
    for line in lines:
        if _ARGS_RE.match(line):
            in_args, current, indent = True, None, None
            continue
        if not in_args:
            continue
        if _SECTION_RE.match(line) and not line.startswith(" " * ((indent or 4) + 1)):
            break
        if not line.strip():
            continue
        stripped = line.lstrip()
        this_indent = len(line) - len(stripped)
        match = re.match(r"^([*\w]+)\s*(\([^)]*\))?\s*:\s*(.*)$", stripped)
        if match and (indent is None or this_indent <= indent):
            indent = this_indent
            current = match.group(1).lstrip("*")
            out[current] = match.group(3).strip()
        elif current is not None:
            out[current] = (out[current] + " " + stripped).strip()
    return out


#: "Defaults to `2`." / "Defaults to ``"x"``." / "Defaults to None." in a parameter's help.
_STATED_RE = re.compile(
    r"Defaults\s+to\s+(?:(`+)(?P<quoted>.+?)\1|(?P<bare>None|True|False|-?\d[\d_.e+-]*)(?![\w`]))"
)
#: What `stated_default` returns when the help states no value.
NOT_STATED = object()


def stated_default(help: str, constants: Mapping[str, Any] | None = None) -> Any:
    """Returns the default a parameter's help states, or `NOT_STATED`.

    ``Defaults to `8`.`` states 8. Prose (``Defaults to the file's stem.``), a default
    that depends on other arguments (``Defaults to `True` when ...``) and an elided range
    (``(0.05, ..., 0.99)``) state none. A name in capitals is looked up in `constants`.

    Args:
        help: A parameter's help text (its entry of the ``Args:`` section).
        constants: Module constants a help may name, such as ``TARGET_SECONDS``.
    """
    match = _STATED_RE.search(help)
    if match is None or re.match(r"\s+(when|if|unless|for)\b", help[match.end() :]):
        return NOT_STATED
    literal = match["quoted"] if match["quoted"] is not None else match["bare"]
    if "..." in literal:
        return NOT_STATED
    try:
        return ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        known = constants or {}
        if literal.isidentifier() and literal.isupper() and literal in known:
            return known[literal]
        return NOT_STATED  # another argument, or prose in backquotes


def same_default(actual: Any, stated: Any) -> bool:
    """True if `actual` is the default `stated`: equal and of one kind (`True` is not `1`).

    Args:
        actual: The default of the signature or schema.
        stated: The default the help states.
    """
    if isinstance(actual, tuple | list) and isinstance(stated, tuple | list):
        return list(actual) == list(stated)
    if type(actual) is not type(stated) and not {type(actual), type(stated)} <= {int, float}:
        return False
    return bool(actual == stated)


def default_disagreements(
    params: tuple[Param, ...], constants: Mapping[str, Any] | None = None
) -> list[str]:
    """Returns a sentence for each parameter whose help states another default.

    The app's forms and ``lamina catalog`` show both, so they must agree.

    Args:
        params: A parameter schema (`derive_params`, after any overrides).
        constants: Module constants a help may name (see `stated_default`).
    """
    out = []
    for p in params:
        stated = stated_default(p.help, constants)
        if stated is NOT_STATED:
            continue
        says = f"{p.name}: the help says it defaults to {stated!r}"
        if p.required:
            out.append(f"{says}, but it is required")
        elif not same_default(p.default, stated):
            out.append(f"{says}, the default is {p.default!r}")
    return out


def summary_of(obj: Any) -> str:
    """Returns the first sentence-line of an object's docstring (or '')."""
    doc = inspect.getdoc(obj) or ""
    for line in doc.splitlines():
        if line.strip():
            return line.strip()
    return ""


def constructor_of(cls: Any) -> Any:
    """Returns the ``__init__`` of class `cls` (whose signature is its parameter schema)."""
    return cls.__init__


def derive_params(obj: Callable[..., Any], skip: tuple[str, ...] = ()) -> tuple[Param, ...]:
    """Derives a parameter schema from a class constructor or a function.

    Args:
        obj: A class (its ``__init__`` is read) or a function.
        skip: Parameter names to leave out.
    """
    target = constructor_of(obj) if isinstance(obj, type) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return ()
    docs = parse_arg_docs(inspect.getdoc(obj))
    if isinstance(obj, type):
        docs = {**parse_arg_docs(inspect.getdoc(constructor_of(obj))), **docs}
    params = []
    for name, p in signature.parameters.items():
        if name in ("self", "cls") or name in skip:
            continue
        if p.kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
            continue
        default = MISSING if p.default is inspect.Parameter.empty else p.default
        kind, nullable = _type_from(name, p.annotation, default)
        if isinstance(default, tuple):
            default = list(default)
        params.append(
            Param(
                name=name,
                type=kind,
                default=default,
                help=docs.get(name, ""),
                choices=_NAME_CHOICES.get(name),
                nullable=nullable,
            )
        )
    return tuple(params)


def apply_overrides(
    params: tuple[Param, ...], overrides: Mapping[str, Mapping[str, Any] | None] | None
) -> tuple[Param, ...]:
    """Applies a plug-in's per-parameter overrides to a derived schema.

    Args:
        params: The derived schema.
        overrides: ``{name: {field: value}}``; ``{name: None}`` hides a parameter; a name
            not in the schema adds a parameter.

    Raises:
        ValueError: If an override names an unknown field.
    """
    if not overrides:
        return params
    known = {f for f in Param.__dataclass_fields__ if f != "name"}
    by_name = {p.name: p for p in params}
    order = [p.name for p in params]
    for name, change in overrides.items():
        if change is None:
            by_name.pop(name, None)
            continue
        unknown = set(change) - known
        if unknown:
            raise ValueError(
                f"params override for {name!r} has unknown fields {sorted(unknown)}; "
                f"allowed: {sorted(known)}"
            )
        fixed = dict(change)
        if "choices" in fixed and fixed["choices"] is not None:
            fixed["choices"] = tuple(fixed["choices"])
        if name in by_name:
            by_name[name] = replace(by_name[name], **fixed)
        else:
            by_name[name] = Param(name=name, **fixed)
            order.append(name)
    return tuple(by_name[n] for n in order if n in by_name)


@dataclass
class ValueChecker:
    """Checks parameter values against a schema.

    Args:
        activations: Names allowed for ``activation`` parameters.
    """

    activations: frozenset[str] = field(default_factory=frozenset)

    def check(self, param: Param, value: Any) -> str | None:
        """Returns an error message for `value`, or None if it is acceptable."""
        if value is None:
            if param.nullable or param.default is None:
                return None
            return "expected a value, got null"
        kind = param.type
        if kind == "bool":
            return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"expected an int, got {value!r}"
            return self._range(param, value)
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"expected a number, got {value!r}"
            return self._range(param, value)
        if kind == "str":
            return None if isinstance(value, str) else f"expected a string, got {value!r}"
        if kind == "choice":
            if param.choices is not None and value not in param.choices:
                allowed = ", ".join(repr(c) for c in param.choices)
                return f"expected one of {allowed}, got {value!r}"
            return None
        if kind == "int_or_tuple":
            values = value if isinstance(value, (list, tuple)) else [value]
            if not values or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values
            ):
                return f"expected a positive int or a list of positive ints, got {value!r}"
            return None
        if kind == "shape":
            if not isinstance(value, (list, tuple)) or not all(
                (isinstance(v, int) and (v > 0 or v == -1)) or v is None for v in value
            ):
                return f"expected a list of positive ints (or -1), got {value!r}"
            return None
        if kind == "activation":
            if not isinstance(value, str):
                return f"expected an activation name, got {value!r}"
            if self.activations and value not in self.activations:
                allowed = ", ".join(sorted(self.activations))
                return f"unknown activation {value!r}; choose one of: {allowed}"
            return None
        if kind == "regularizer":
            return _check_regularizer(value)
        if kind == "learning_rate":
            from lamina.schedules import schedule_problem

            problem = schedule_problem(value)
            if problem is None:
                return None
            where, message = problem
            return f"{where.lstrip('.')}: {message}" if where else message
        if kind == "list":
            return None if isinstance(value, (list, tuple)) else f"expected a list, got {value!r}"
        if kind == "dict":
            return None if isinstance(value, dict) else f"expected an object, got {value!r}"
        return None

    @staticmethod
    def _range(param: Param, value: float) -> str | None:
        if param.min is not None and value < param.min:
            return f"expected a value >= {param.min}, got {value!r}"
        if param.max is not None and value > param.max:
            return f"expected a value <= {param.max}, got {value!r}"
        return None


def _check_regularizer(value: Any) -> str | None:
    if isinstance(value, str):
        return (
            None
            if value in ("l1", "l2", "l1_l2")
            else (f"expected 'l1', 'l2', 'l1_l2' or {{'l1': a, 'l2': b}}, got {value!r}")
        )
    if isinstance(value, dict):
        unknown = set(value) - {"l1", "l2"}
        if unknown or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
            for v in value.values()
        ):
            return f"expected {{'l1': a, 'l2': b}} with non-negative numbers, got {value!r}"
        return None
    return f"expected 'l1', 'l2', 'l1_l2' or {{'l1': a, 'l2': b}}, got {value!r}"
