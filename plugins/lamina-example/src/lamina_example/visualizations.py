"""The example visualization: the norm of each layer's weights as a bar chart."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.result import Result


def weight_norms(model: Any, height: int = 64, bar_width: int = 8) -> Result:
    """The L2 norm of each layer's weights, one bar per layer (tallest = largest norm).

    A layer whose norm keeps growing during training is a candidate for regularization;
    a norm near zero marks a layer that learned little.

    Args:
        height: Height of the bar image in pixels. Defaults to `64`.
        bar_width: Width of each bar in pixels. Defaults to `8`.
    """
    names, norms = [], []
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            names.append(layer.name)
            norms.append(float(np.sqrt(sum(np.sum(np.square(w)) for w in weights))))
    image = np.zeros((height, max(1, len(norms)) * (bar_width + 2)), dtype="float32")
    top = max(norms, default=0.0) or 1.0
    for k, norm in enumerate(norms):
        bar = int(round(height * norm / top))
        image[height - bar :, k * (bar_width + 2) : k * (bar_width + 2) + bar_width] = 1.0
    return Result(
        "example.weight_norms",
        image,
        ["L2 norm per layer, left to right"],
        {"layers": names, "norms": norms, "cmap": "viridis", "suptitle": "weight norms"},
    )
