"""The stack's items against the catalogue: which entry each names, names of their layers."""

from __future__ import annotations

import re

from lamina.build.params import check_params
from lamina.registry import Entry, Registry
from lamina.spec import ItemSpec, ModelSpec, SpecProblem


def snake(name: str) -> str:
    """Returns `name` in snake case: ``"Conv2D"`` -> ``"conv2d"``, ``"MyNet"`` -> ``"my_net"``."""
    name = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", name)
    name = re.sub(r"(?<=[A-Z0-9])([A-Z][a-z])", r"_\1", name)
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


#: Names TensorFlow accepts as a root name scope (it names layers and the model so).
_SCOPE_NAME = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.\-]*")
_NAME_HINT = (
    "use ASCII letters, digits, '_', '-' and '.', starting with a letter or digit "
    "(TensorFlow uses it as a scope name)"
)


def name_problems(spec: ModelSpec) -> list[SpecProblem]:
    """Checks the model's and the layers' names: valid for TensorFlow, and no two alike."""
    problems = []
    if not _SCOPE_NAME.fullmatch(snake(spec.name) or "model"):  # the built model's name
        problems.append(SpecProblem("name", f"model name {spec.name!r} is not valid; {_NAME_HINT}"))
    seen: dict[str, int] = {}
    for i, item in enumerate(spec.layers):
        name = item_layer_name(i, item)
        if item.name is not None and not _SCOPE_NAME.fullmatch(name):
            problems.append(
                SpecProblem(f"layers[{i}].name", f"layer name {name!r} is not valid; {_NAME_HINT}")
            )
        elif name in seen:
            problems.append(
                SpecProblem(
                    f"layers[{i}].name",
                    f"layer name {name!r} is already the name of layers[{seen[name]}]; "
                    "give each layer its own name",
                )
            )
        seen.setdefault(name, i)
    return problems


def item_layer_name(index: int, item: ItemSpec) -> str:
    """Returns the Keras layer name of an item: its own `name` or ``<type>_<index>``."""
    return item.name or f"{snake(item.type)}_{index}"


def resolve_item(registry: Registry, item: ItemSpec) -> Entry | None:
    """Returns the layer or head entry an item names, or None."""
    return registry.find("layer", item.type) or registry.find("head", item.type)


def stack_problems(
    spec: ModelSpec, registry: Registry
) -> tuple[list[SpecProblem], list[Entry | None]]:
    """Checks the items without running them; returns the problems and each item's entry.

    An item must name a layer or head in the catalogue, a head must be the last item,
    and the parameters must fit the entry's schema.
    """
    problems: list[SpecProblem] = []
    entries: list[Entry | None] = []
    last = len(spec.layers) - 1
    if not spec.layers:
        problems.append(SpecProblem("layers", "the stack is empty: add at least one item"))
    for i, item in enumerate(spec.layers):
        path = f"layers[{i}]"
        entry = resolve_item(registry, item)
        entries.append(entry)
        if entry is None:
            message = registry.unknown_message("layer", item.type, kinds=("layer", "head"))
            problems.append(SpecProblem(f"{path}.type", message))
            continue
        if entry.kind == "head" and i != last:
            problems.append(
                SpecProblem(
                    f"{path}.type",
                    f"{entry.name} is an output head and must be the last item "
                    f"(it is item {i} of {last + 1})",
                )
            )
        problems += check_params(entry, item.params, path, registry)
    return name_problems(spec) + problems, entries
