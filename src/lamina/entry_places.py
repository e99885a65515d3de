"""What one plug-in contributed, and where each entry appears in the app.

``lamina plugins --entries NAME`` prints this, so a plug-in author sees their entries
and the place of each in the desktop app without starting it.

Example:
    >>> from lamina.entry_places import plugin_entries
    >>> [(e.kind, e.name, e.places[0]) for e in plugin_entries("example")][:1]
    [('layer', 'example.AsinhStretch', 'palette: Layers > preprocessing')]

The core never imports the app: `PALETTE_GROUPS` repeats the app's palette groups
(``lamina_gui.widgets.palette.GROUPS``), and a test of the app checks that both agree.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from lamina.errors import LaminaError

#: the app's palette groups in order: (group title, entry kinds); layers of category
#: ``"block"`` count as kind ``"block"``
PALETTE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Layers", ("layer",)),
    ("Activations", ("activation",)),
    ("Heads", ("head",)),
    ("Architectures & blocks", ("architecture", "block")),
    ("Losses", ("loss",)),
    ("Optimizers", ("optimizer",)),
    ("Datasets", ("dataset",)),
    ("Visualizations", ("visualization",)),
)

#: kind -> the places of the app, besides the palette, where an entry of that kind is offered
VIEW_PLACES: dict[str, tuple[str, ...]] = {
    "layer": ("Compose view: the model stack (double-click or drag from the palette)",),
    "block": ("Compose view: the model stack (double-click or drag from the palette)",),
    "activation": ("Compose view: the `activation` drop-down of every layer's form",),
    "head": ("Compose view: the last item of the model stack",),
    "architecture": ("Compose view: double-click fills the model stack with its spec",),
    "loss": ("Compose view: compile panel, Loss list",),
    "optimizer": ("Compose view: compile panel, Optimizer list",),
    "dataset": ("Data view: the dataset list",),
    "visualization": ("Visualize view: the visualization list",),
}


class UnknownPluginError(LaminaError):
    """A plug-in name that no loaded or failed plug-in has."""

    code = "unknown_plugin"


@dataclass(frozen=True)
class EntryPlace:
    """One entry of a plug-in and where the app shows it.

    Args:
        kind: The entry's kind (``"layer"``, ``"loss"``, ...).
        name: Its registered name.
        category: Its palette category.
        summary: Its one-line summary.
        places: Where it appears in the app, the palette group first.
    """

    kind: str
    name: str
    category: str
    summary: str
    places: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Returns the entry as plain JSON values."""
        return {
            "kind": self.kind,
            "name": self.name,
            "category": self.category,
            "summary": self.summary,
            "places": list(self.places),
        }


def palette_group(kind: str, category: str) -> str:
    """Returns the title of the app's palette group that lists an entry.

    Args:
        kind: The entry's kind.
        category: The entry's category (a layer of category ``"block"`` is a block).
    """
    key = "block" if kind == "layer" and category == "block" else kind
    for title, kinds in PALETTE_GROUPS:
        if key in kinds:
            return title
    return key.capitalize() or "Other"


def app_places(kind: str, category: str) -> tuple[str, ...]:
    """Returns where the app shows an entry: its palette group, then the views offering it.

    Args:
        kind: The entry's kind.
        category: The entry's category.
    """
    group = palette_group(kind, category)
    if group == "Layers":  # the one group the palette splits by category
        group = f"Layers > {category or 'other'}"
    key = "block" if kind == "layer" and category == "block" else kind
    return (f"palette: {group}", *VIEW_PLACES.get(key, ()))


def plugin_entries(plugin: str, registry: Any = None) -> list[EntryPlace]:
    """Returns the entries one plug-in contributed, with where each appears in the app.

    Args:
        plugin: The plug-in's name, as ``lamina plugins`` lists it (e.g. ``"example"``).
        registry: The catalogue; defaults to the process-wide one.

    Raises:
        UnknownPluginError: If no plug-in of that name was found (the message lists the
            plug-ins there are).
    """
    if registry is None:
        from lamina.plugins import get_registry

        registry = get_registry()
    if plugin not in registry.plugins:
        known = sorted(registry.plugins)
        close = difflib.get_close_matches(plugin, known, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise UnknownPluginError(
            f"no plug-in named {plugin!r}",
            location="--entries",
            hint=f"{hint}plug-ins found: {', '.join(known)} (see `lamina plugins`)",
        )
    ours = [e for e in registry.entries() if e.plugin == plugin]
    ours.sort(key=lambda e: ([k for _, ks in PALETTE_GROUPS for k in ks] + [e.kind]).index(e.kind))
    return [
        EntryPlace(e.kind, e.name, e.category, e.summary, app_places(e.kind, e.category))
        for e in ours
    ]
