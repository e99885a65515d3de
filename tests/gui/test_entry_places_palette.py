"""`lamina plugins --entries` names the palette group the app really uses for each entry."""

from __future__ import annotations

from lamina_example import plugin as example_plugin
from lamina_gui.widgets.palette import GROUPS, Palette, group_of

from lamina.entry_places import PALETTE_GROUPS, plugin_entries


def test_the_core_repeats_the_palette_groups():
    assert PALETTE_GROUPS == GROUPS


def test_every_entry_is_in_the_palette_group_entries_names(lamina_registry_factory, qtbot):
    registry = lamina_registry_factory(("example", example_plugin))
    catalog = {"entries": [e.to_dict() for e in registry.entries()]}
    palette = Palette()
    qtbot.addWidget(palette)
    palette.set_catalog(catalog)
    for plugin in ("builtin", "example"):
        for place in plugin_entries(plugin, registry):
            shown = palette.find_item(place.name, kind=place.kind)
            assert shown is not None, place.name
            group = shown.parent()
            path = []
            while group is not None:
                path.insert(0, group.text(0))
                group = group.parent()
            assert place.places[0] == "palette: " + " > ".join(path), place
            assert group_of({"kind": place.kind, "category": place.category}) == path[0]
