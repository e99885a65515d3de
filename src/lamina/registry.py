"""The catalogue: every layer, loss, optimizer, head, template, dataset and visualization.

The registry is built once from the plug-in hooks (see :mod:`lamina.plugins`). Each
entry has a registered name, a category, the plug-in that supplied it, a summary and
docs, and a parameter schema. Registering something invalid never stops lamina: the
entry is refused and the problem is recorded against the plug-in.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lamina.entry_checks import check_object
from lamina.entry_fields import check_fields, move_legacy_meta
from lamina.errors import LaminaError
from lamina.params import (
    Param,
    ValueChecker,
    apply_overrides,
    derive_params,
    summary_of,
)

#: hook name -> entry kind
HOOK_KINDS: dict[str, str] = {
    "register_layers": "layer",
    "register_activations": "activation",
    "register_losses": "loss",
    "register_optimizers": "optimizer",
    "register_heads": "head",
    "register_architectures": "architecture",
    "register_datasets": "dataset",
    "register_visualizations": "visualization",
}
KINDS: tuple[str, ...] = tuple(HOOK_KINDS.values())

_NAME_RE = re.compile(r"^[A-Za-z_][\w.\-]*$")
_LAYER_SKIP = ("trainable", "name", "dtype", "dynamic", "input_dim", "input_shape")


def _skipped_params(kind: str, obj: Any) -> tuple[str, ...]:
    """Returns the arguments of an entry that are not user parameters."""
    if kind == "layer":
        return _LAYER_SKIP
    if isinstance(obj, type):
        return ("reduction", "name") if kind == "loss" else ()
    try:
        positional = [
            p.name
            for p in inspect.signature(obj).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return ()
    if kind == "loss":
        return tuple(positional[:2])
    if kind == "activation":
        return tuple(positional[:1])
    if kind == "visualization":
        return ("model",)
    return ()


class UnknownEntryError(LaminaError, KeyError):
    """Raised when a name is not in the catalogue; the message lists close matches."""

    code = "unknown_entry"

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Entry:
    """One catalogue entry.

    The fields from `inputs` on are the typed extension fields that plug-ins declare
    through ``register`` (see `lamina.entry_fields.FIELDS`, where each is documented).

    Args:
        kind: One of `KINDS`.
        name: The registered name used in specs and saved files.
        obj: The class or function.
        plugin: Name of the plug-in that registered it.
        category: Palette group.
        summary: One-line summary.
        doc: Full docstring.
        params: Parameter schema.
        example: Parameters and input shape for automatic tests.
        meta: Free-form metadata of the plug-in's own (plain values are shown in the
            catalogue); lamina itself reads none of it.
        aliases: Other names that resolve to this entry.
        inputs: What the builder calls a layer with: ``"x"``, ``"x_a"`` or ``"x_a_e"``.
        stochastic: The layer samples on every call.
        before_fit: ``fn(model, n_train)``, called by the trainer before ``fit``.
        loss: A head's default loss (a registered loss name).
        targets: A head's kind of targets, or what a loss expects as ``y_pred``.
        check_targets: A head's ``fn(spec, y)``, called before ``fit``.
        predict_distribution: A head's ``fn(model, x, **options)`` for predictions
            with uncertainty.
    """

    kind: str
    name: str
    obj: Any
    plugin: str
    category: str = ""
    summary: str = ""
    doc: str = ""
    params: tuple[Param, ...] = ()
    example: Mapping[str, Any] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    inputs: str = "x"
    stochastic: bool = False
    before_fit: Callable[[Any, int], None] | None = None
    loss: str | None = None
    targets: str | None = None
    check_targets: Callable[[Any, Any], None] | None = None
    predict_distribution: Callable[..., Any] | None = None

    def param(self, name: str) -> Param | None:
        """Returns the parameter called `name`, or None."""
        for p in self.params:
            if p.name == name:
                return p
        return None

    def to_dict(self) -> dict[str, Any]:
        """Returns JSON-serialisable metadata (no code), as cached for the app."""
        return {
            "kind": self.kind,
            "name": self.name,
            "plugin": self.plugin,
            "category": self.category,
            "summary": self.summary,
            "doc": self.doc,
            "params": [p.to_dict() for p in self.params],
            "aliases": list(self.aliases),
            "meta": self._plain_meta(),
        }

    def _plain_meta(self) -> dict[str, Any]:
        """Returns the plain values of `meta` and of the set value fields (no code)."""
        values = {
            "inputs": self.inputs if self.inputs != "x" else None,
            "stochastic": self.stochastic or None,
            "loss": self.loss,
            "targets": self.targets,
        }
        plain: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
        plain.update((k, v) for k, v in self.meta.items() if isinstance(v, (str, int, float, bool)))
        return plain


@dataclass
class PluginInfo:
    """A plug-in that was found, whether it loaded or not.

    Args:
        name: The plug-in's name (entry point name or file stem).
        source: Where it came from (module path or file).
        version: The version of the distribution that provides it, if known.
        loaded: Whether it was imported and registered with pluggy.
        problems: Reasons it failed or entries it registered were refused.
    """

    name: str
    source: str
    version: str = ""
    loaded: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if the plug-in loaded and had nothing refused."""
        return self.loaded and not self.problems


class Registry:
    """The catalogue built from plug-ins.

    Use :func:`lamina.plugins.build_registry` (or `lamina.catalog()`) to get one.
    """

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
        self._aliases: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        self.plugins: dict[str, PluginInfo] = {}
        self._checker: ValueChecker | None = None

    # -- registration -------------------------------------------------------------

    def make_register(self, kind: str, plugin: str) -> Callable[..., Entry | None]:
        """Returns the ``register`` callback handed to one plug-in for one hook.

        The callback's keyword arguments are documented in `lamina.hookspecs` and, for
        the typed fields (``inputs`` ... ``predict_distribution``), in
        `lamina.entry_fields.FIELDS`.
        """

        def register(
            obj: Any,
            name: str | None = None,
            *,
            category: str = "",
            summary: str | None = None,
            params: Mapping[str, Mapping[str, Any] | None] | None = None,
            example: Mapping[str, Any] | None = None,
            meta: Mapping[str, Any] | None = None,
            aliases: tuple[str, ...] | list[str] = (),
            doc: str | None = None,
            inputs: str | None = None,
            stochastic: bool | None = None,
            before_fit: Callable[[Any, int], None] | None = None,
            loss: str | None = None,
            targets: str | None = None,
            check_targets: Callable[[Any, Any], None] | None = None,
            predict_distribution: Callable[..., Any] | None = None,
        ) -> Entry | None:
            label = name or getattr(obj, "__name__", repr(obj))
            fields = {
                "inputs": inputs,
                "stochastic": stochastic,
                "before_fit": before_fit,
                "loss": loss,
                "targets": targets,
                "check_targets": check_targets,
                "predict_distribution": predict_distribution,
            }
            meta = move_legacy_meta(meta, fields, f"plug-in {plugin!r}, {kind} {label!r}")
            try:
                entry = self._make_entry(
                    kind,
                    plugin,
                    obj,
                    name,
                    category,
                    summary,
                    params,
                    example,
                    meta,
                    tuple(aliases),
                    doc,
                    check_fields(kind, fields),
                )
                self.add(entry)
            except (TypeError, ValueError) as exc:
                self._problem(plugin, f"{kind} {label!r} refused: {exc}")
                return None
            return entry

        return register

    def _problem(self, plugin: str, message: str) -> None:
        info = self.plugins.setdefault(plugin, PluginInfo(name=plugin, source="?"))
        info.problems.append(message)

    def _make_entry(
        self,
        kind: str,
        plugin: str,
        obj: Any,
        name: str | None,
        category: str,
        summary: str | None,
        params: Mapping[str, Mapping[str, Any] | None] | None,
        example: Mapping[str, Any] | None,
        meta: Mapping[str, Any] | None,
        aliases: tuple[str, ...],
        doc: str | None,
        fields: Mapping[str, Any],
    ) -> Entry:
        name = name or getattr(obj, "__name__", None)
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValueError(
                f"invalid name {name!r}: use letters, digits, '_', '.', '-' "
                "and start with a letter or '_'"
            )
        check_object(kind, obj)
        derived = derive_params(obj, skip=_skipped_params(kind, obj))
        schema = apply_overrides(derived, params)
        return Entry(
            kind=kind,
            name=name,
            obj=obj,
            plugin=plugin,
            category=category or "",
            summary=summary if summary is not None else summary_of(obj),
            doc=doc if doc is not None else (inspect.getdoc(obj) or ""),
            params=schema,
            example=dict(example or {}),
            meta=dict(meta or {}),
            aliases=aliases,
            **fields,
        )

    def add(self, entry: Entry) -> None:
        """Adds an entry.

        Raises:
            ValueError: If the name (or an alias) is already taken for this kind.
        """
        table = self._entries[entry.kind]
        for label in (entry.name, *entry.aliases):
            owner = self._owner(entry.kind, label)
            if owner is not None:
                raise ValueError(
                    f"duplicate name {label!r}: already registered by plug-in "
                    f"{owner.plugin!r}; register it under another name, e.g. "
                    f"'{entry.plugin}.{label}'"
                )
        table[entry.name] = entry
        self._checker = None
        for alias in entry.aliases:
            self._aliases[entry.kind][alias] = entry.name

    def _owner(self, kind: str, label: str) -> Entry | None:
        if label in self._entries[kind]:
            return self._entries[kind][label]
        if label in self._aliases[kind]:
            return self._entries[kind][self._aliases[kind][label]]
        return None

    # -- look-up -------------------------------------------------------------------

    def get(self, kind: str, name: str) -> Entry:
        """Returns the entry of `kind` called `name` (or one of its aliases).

        Raises:
            UnknownEntryError: With the closest registered names.
        """
        if kind not in self._entries:
            raise UnknownEntryError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
        entry = self._owner(kind, name)
        if entry is None:
            raise UnknownEntryError(self.unknown_message(kind, name))
        return entry

    def find(self, kind: str, name: str) -> Entry | None:
        """Returns the entry or None."""
        return self._owner(kind, name) if kind in self._entries else None

    def unknown_message(self, kind: str, name: str, kinds: tuple[str, ...] = ()) -> str:
        """Returns 'unknown <kind> X; did you mean ...' for an unknown name."""
        pool: list[str] = []
        for k in kinds or (kind,):
            pool += list(self._entries[k]) + list(self._aliases[k])
        return unknown_text(kind, name, pool, list(self.plugins.values()))

    def entries(self, kind: str | None = None, category: str | None = None) -> list[Entry]:
        """Returns entries, optionally of one kind and/or category, sorted by kind and name."""
        kinds = [kind] if kind else list(KINDS)
        out = []
        for k in kinds:
            for entry in self._entries[k].values():
                if category is None or entry.category == category:
                    out.append(entry)
        return sorted(out, key=lambda e: (KINDS.index(e.kind), e.category, e.name.lower()))

    def names(self, kind: str) -> list[str]:
        """Returns the registered names of a kind."""
        return sorted(self._entries[kind])

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return sum(len(t) for t in self._entries.values())

    def value_checker(self) -> ValueChecker:
        """Returns a checker that knows the registered activation names (built once)."""
        if self._checker is None:
            names = set(self._entries["activation"]) | set(self._aliases["activation"])
            self._checker = ValueChecker(activations=frozenset(names))
        return self._checker

    def lookup_tables(self) -> dict[str, Any]:
        """Returns what the CLI's cached catalogue needs to answer as this registry does.

        Per kind: the names in registration order, the aliases, and per entry the
        ``repr`` of each parameter's default (plain JSON data).
        """
        return {
            "names": {k: list(table) for k, table in self._entries.items()},
            "aliases": {k: dict(table) for k, table in self._aliases.items()},
            "default_reprs": {
                k: {n: [repr(p.default) for p in e.params] for n, e in table.items()}
                for k, table in self._entries.items()
            },
        }

    def to_dict(self) -> dict[str, Any]:
        """Returns the catalogue's metadata (no code) as JSON-serialisable data."""
        return {
            "entries": [e.to_dict() for e in self.entries()],
            "plugins": [
                {
                    "name": p.name,
                    "source": p.source,
                    "version": p.version,
                    "loaded": p.loaded,
                    "problems": list(p.problems),
                }
                for p in self.plugins.values()
            ],
        }


def unknown_text(kind: str, name: str, pool: list[str], plugins: list[PluginInfo]) -> str:
    """Returns 'unknown <kind> X; did you mean ...' for a name not in `pool`.

    Args:
        kind: The kind asked for (or ``"entry"``).
        name: The unknown name.
        pool: The known names and aliases, in registration order.
        plugins: Every plug-in found; those that failed are named (one may provide `name`).
    """
    close = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
    lowered = [n for n in pool if n.lower() == str(name).lower()]
    hint = close or lowered
    text = f"unknown {kind} {name!r}"
    if hint:
        text += f"; did you mean {', '.join(repr(h) for h in dict.fromkeys(lowered + close))}?"
    else:
        text += f"; see `lamina catalog{f' --kind {kind}' if kind in KINDS else ''}`"
    note = _failed_plugins_note(str(name), plugins)
    return f"{text} {note}" if note and text.endswith("?") else f"{text}. {note}" if note else text


def _failed_plugins_note(name: str, plugins: list[PluginInfo]) -> str:
    """Says which plug-ins failed (and why): one of them may provide `name`."""
    failed = [p for p in plugins if not p.ok]
    owner = [p for p in failed if name.split(".")[0] == p.name]
    notes = [
        f"plug-in {p.name!r} {'failed to load' if not p.loaded else 'had problems'}: "
        + "; ".join(p.problems)
        for p in (owner or failed)[:3]
    ]
    return ". ".join(f"Note: {note}" for note in notes) + (
        " (see `lamina plugins`)" if notes else ""
    )
