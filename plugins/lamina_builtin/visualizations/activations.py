"""Activations of a layer for one input: feature maps and histograms."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.layers import (
    feature_model,
    prepare_input,
    resolve_layer,
    to_display,
    to_tensor_output,
)
from lamina.visualize.result import Result
from lamina_builtin.visualizations.signals import as_curves


def feature_maps(
    model: Any,
    input: Any,
    layer: str | int | None = None,
    max_maps: int = 64,
    axis: Any = None,
) -> Result:
    """Activations of a layer for one input, one image per channel.

    Args:
        input: One input sample (numpy array of the model's input shape).
        layer: Layer name or index; defaults to the last layer with a spatial output.
        max_maps: Show at most this many channels. Defaults to `64`.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    chosen = resolve_layer(model, layer, spatial=layer is None)
    x = prepare_input(model, input)
    act = np.asarray(feature_model(model, [chosen])(x, training=False))[0]
    if act.ndim == 3:  # (H, W, C) -> (C, H, W)
        images = np.moveaxis(act, -1, 0)[:max_maps]
    elif act.ndim == 2:  # 1-D (T, C) -> one strip per channel
        images = np.moveaxis(act, -1, 0)[:max_maps, None, :]
    else:  # a vector -> one strip
        images = act.reshape(1, 1, -1)
    titles = [f"{chosen.name}[{i}] max {images[i].max():.2g}" for i in range(images.shape[0])]
    res = Result(
        "feature_maps",
        images.astype("float32"),
        titles,
        {
            "layer": chosen.name,
            "cmap": "viridis",
            "input": to_display(x[0]),
            "suptitle": f"feature maps of {chosen.name}",
        },
    )
    return as_curves(res, x, axis)


def activation_histograms(
    model: Any, input: Any, layers: list[str] | None = None, bins: int = 40
) -> Result:
    """Histograms of the activations of each layer over a batch of inputs.

    Dead ReLUs show as a spike at zero; saturated units as spikes at the ends.

    Args:
        input: A batch of inputs (N, ...), or one sample.
        layers: Layer names; defaults to every layer except the input.
        bins: Number of histogram bins. Defaults to `40`.
    """
    x = np.asarray(input, dtype="float32")
    try:
        x = prepare_input(model, x, batch=True)
    except ValueError:
        x = prepare_input(model, x)
    chosen = (
        [resolve_layer(model, n) for n in layers]
        if layers
        else [la for la in model.layers if type(la).__name__ != "InputLayer"]
    )
    outs = feature_model(model, chosen)(x, training=False)
    if not isinstance(outs, (list, tuple)):
        outs = [outs]
    hists = []
    for la, out in zip(chosen, outs, strict=True):
        values = np.asarray(to_tensor_output(out)).ravel()
        counts, edges = np.histogram(values, bins=bins)
        zero = float(np.mean(values == 0))
        hists.append(
            {
                "title": f"{la.name} (zeros {zero:.0%})",
                "counts": counts.tolist(),
                "edges": edges.tolist(),
                "fraction_zero": zero,
            }
        )
    return Result(
        "activation_histograms",
        np.zeros((0,)),
        [h["title"] for h in hists],
        {"plot": "histograms", "histograms": hists, "suptitle": "activation histograms"},
    )
