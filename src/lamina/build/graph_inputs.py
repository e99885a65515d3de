"""Graph-input threading: the extra inputs (adjacency, edge features) graph layers take.

An entry declares what it takes in its ``inputs`` field: ``"x"`` (the previous output
only, the default) or ``"x_a"`` / ``"x_a_e"`` (also the adjacency, and the edge
features). The builder makes one model input per extra name and passes it to every
layer that asks for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lamina.registry import Entry
from lamina.spec import ModelSpec


def input_modes(entries: Iterable[Entry | None]) -> list[str]:
    """The sorted input modes of the items' entries (``"x"``, ``"x_a"``, ...)."""
    return sorted({e.inputs for e in entries if e is not None})


def make_extra_inputs(spec: ModelSpec, entries: list[Entry | None]) -> dict[str, Any]:
    """Creates the adjacency (``"a"``) / edge-feature (``"e"``) inputs the items need."""
    from lamina.keras import keras

    needs = {n for mode in input_modes(entries) for n in mode.split("_")[1:]}
    extra: dict[str, Any] = {}
    n_nodes = spec.input.shape[0]
    if "a" in needs:
        extra["a"] = keras.Input(shape=(n_nodes, n_nodes), name="adjacency")
    if "e" in needs:
        n_edge = int((spec.data.params.get("edge_features", 1) if spec.data else 1) or 1)
        extra["e"] = keras.Input(shape=(n_nodes, n_nodes, n_edge), name="edge_features")
    return extra


def apply_item(entry: Entry, layer_or_layers: Any, x: Any, extra_inputs: Mapping[str, Any]) -> Any:
    """Calls an item's layer (or a head's layers in turn) on `x` and the extra inputs it takes.

    Of a head's several layers only the first takes the extra inputs.
    """
    mode = entry.inputs
    layers = layer_or_layers if isinstance(layer_or_layers, (list, tuple)) else [layer_or_layers]
    for layer in layers:
        if mode == "x":
            x = layer(x)
        else:
            names = mode.split("_")
            x = layer([x] + [extra_inputs[n] for n in names[1:]])
            mode = "x"  # the head's later layers take the previous output only
    return x
