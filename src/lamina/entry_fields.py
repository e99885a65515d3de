"""The typed fields of a catalogue entry: what a plug-in declares beyond its class.

Some entries carry behaviour or facts that lamina reads besides the registered
object: a graph layer needs an adjacency input, a Bayesian layer wants to know the
size of the training set, a probabilistic head checks the targets and predicts a
distribution. A plug-in declares these as keyword arguments of ``register``::

    register(normal_head, name="Normal", loss="negative_log_likelihood",
             targets="real", check_targets=check, predict_distribution=predict)

Each field is described once, in `FIELDS`: its type, the kinds of entry that use it,
its default and who reads it. `check_fields` validates what a plug-in passes at
registration, and the hook reference (``docs/reference/hooks.md``) is generated from
the same table.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: What the builder passes to a layer: the previous output, plus graph inputs.
INPUT_MODES: tuple[str, ...] = ("x", "x_a", "x_a_e")


@dataclass(frozen=True)
class EntryField:
    """One typed field of `lamina.registry.Entry` that plug-ins set through ``register``.

    Args:
        name: The keyword argument of ``register`` and the attribute of the entry.
        annotation: The type or call signature, as shown in the hook reference.
        kinds: The entry kinds that use the field; others refuse it.
        default: The value when the plug-in does not give one.
        doc: What the field means and who reads it.
        positional: For a function field, the positional arguments lamina passes it;
            None for a value field.
        choices: The allowed values of a string field, if limited.
    """

    name: str
    annotation: str
    kinds: tuple[str, ...]
    default: Any
    doc: str
    positional: tuple[str, ...] | None = None
    choices: tuple[str, ...] = ()

    def problem(self, value: Any) -> str | None:
        """Returns why `value` does not fit this field, or None if it does."""
        received = f"Received: {self.name}={value!r}"
        if self.positional is not None:
            if not callable(value):
                return f"{self.name} must be a function {self.annotation}. {received}"
            return _signature_problem(self, value)
        if self.annotation == "bool":
            return None if isinstance(value, bool) else f"{self.name} must be a bool. {received}"
        if not isinstance(value, str) or not value:
            return f"{self.name} must be a non-empty string. {received}"
        if self.choices and value not in self.choices:
            allowed = ", ".join(repr(c) for c in self.choices)
            return f"{self.name} must be one of {allowed}. {received}"
        return None


def _signature_problem(field: EntryField, fn: Callable[..., Any]) -> str | None:
    """Returns a message if `fn` cannot be called with the field's positional arguments."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: trust them
        return None
    try:
        signature.bind(*(field.positional or ()))
    except TypeError:
        name = getattr(fn, "__name__", repr(fn))
        return (
            f"{field.name} must be a function {field.annotation}; "
            f"{name}{signature} cannot be called with {len(field.positional or ())} "
            "positional arguments"
        )
    return None


FIELDS: tuple[EntryField, ...] = (
    EntryField(
        name="inputs",
        annotation="str",
        kinds=("layer", "head"),
        default="x",
        choices=INPUT_MODES,
        doc=(
            'What the builder calls the layer with: ``"x"``, the previous output; '
            '``"x_a"``, ``[x, adjacency]`` (the model gets an ``adjacency`` input '
            '``(N, N)``); ``"x_a_e"``, ``[x, adjacency, edge_features]`` (and an '
            "``edge_features`` input ``(N, N, S)``). Graph layers are not exported as "
            "scripts."
        ),
    ),
    EntryField(
        name="stochastic",
        annotation="bool",
        kinds=("layer", "head"),
        default=False,
        doc=(
            "The layer samples on every call (e.g. a Bayesian layer): "
            "``lamina.testing.check_layer`` resets the random seed before each forward "
            "pass so that outputs can be compared."
        ),
    ),
    EntryField(
        name="before_fit",
        annotation="(model, n_train) -> None",
        kinds=("layer", "head"),
        default=None,
        positional=("model", "n_train"),
        doc=(
            "Called by the trainer before ``fit``, once per entry used in the spec, with "
            "the built model and the number of training samples (e.g. to set a Bayesian "
            "layer's KL weight to ``1 / n_train``)."
        ),
    ),
    EntryField(
        name="loss",
        annotation="str",
        kinds=("head",),
        default=None,
        doc=(
            "The registered name of the loss compiled when the spec's ``compile.loss`` "
            'is null (e.g. ``"negative_log_likelihood"``).'
        ),
    ),
    EntryField(
        name="targets",
        annotation="str",
        kinds=("head", "loss"),
        default=None,
        doc=(
            "For a head, the kind of targets it models (the probability plug-in uses "
            '``"real"``, ``"positive"``, ``"count"``, ``"binary"``, ``"class"``), read '
            "by its ``check_targets``. For a loss, what it expects as ``y_pred``: "
            '``"probabilities"`` when not given, or ``"distribution"`` (a TFP '
            "distribution); read by ``lamina.testing.check_entry``."
        ),
    ),
    EntryField(
        name="check_targets",
        annotation="(spec, y) -> None",
        kinds=("head",),
        default=None,
        positional=("spec", "y"),
        doc=(
            "Called by the trainer before ``fit`` when the spec ends with this head, "
            "with the `ModelSpec` and the training targets; raises a ``ValueError`` "
            "naming the item (``layers[i]``) if the targets do not fit. lamina reports it "
            "as a data error naming the data source."
        ),
    ),
    EntryField(
        name="predict_distribution",
        annotation="(model, x, **options) -> Any",
        kinds=("head",),
        default=None,
        positional=("model", "x"),
        doc=(
            "Called by ``lamina.predict_uncertainty`` and ``lamina predict --uncertainty`` "
            "with the model, the (standardised) inputs and the caller's options "
            "(``n_samples``, ``quantiles``, ``passes``, ``seed``); returns the prediction "
            "with its uncertainty."
        ),
    ),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
_BY_NAME: dict[str, EntryField] = {f.name: f for f in FIELDS}


def check_fields(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validates the typed fields given for an entry of `kind`.

    Args:
        kind: The entry's kind (``"layer"``, ``"head"``, ...).
        values: Field name -> value, as passed to ``register``; None means not given.

    Returns:
        The given fields (None values dropped), ready to pass to `Entry`.

    Raises:
        TypeError: If a value has the wrong type or a function the wrong signature.
        ValueError: If a field does not apply to `kind` or a value is not allowed.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        field = _BY_NAME[name]
        if kind not in field.kinds:
            raise ValueError(
                f"{name} does not apply to a {kind}; it is read for "
                f"{' and '.join(field.kinds)} entries"
            )
        problem = field.problem(value)
        if problem is not None:
            error = ValueError if field.choices and isinstance(value, str) else TypeError
            raise error(problem)
        out[name] = value
    return out


def move_legacy_meta(
    meta: Mapping[str, Any] | None, fields: dict[str, Any], where: str
) -> dict[str, Any]:
    """Moves typed fields given the old way, inside ``meta``, to `fields` (with a warning).

    Plug-ins written before the typed fields passed e.g. ``meta={"loss": ...}``; they
    keep working. Returns the rest of `meta`.
    """
    rest = dict(meta or {})
    for key in FIELD_NAMES:
        if key in rest and fields[key] is None:
            warnings.warn(
                f"{where}: meta[{key!r}] is deprecated; pass {key}=... to register()",
                DeprecationWarning,
                stacklevel=3,
            )
            fields[key] = rest.pop(key)
    return rest
