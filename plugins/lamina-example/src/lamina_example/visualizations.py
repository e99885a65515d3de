"""The example plug-in's visualizations: an image (weight norms) and a curve."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize import Curve, CurvePanel, LineMarker, Result


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


def magnitude_response(model: Any, input: Any, span: float = 5.0, steps: int = 41) -> Result:
    """The prediction for one star made brighter and fainter, against the magnitude change.

    A star's colours (its flux ratios) do not depend on its distance, so a good model of
    its temperature gives the same answer at every magnitude: a flat curve.

    Args:
        input: One star's fluxes, shape `(n_bands,)`; `lamina viz --input` gives a
            sample index of the run's data or a `.npy` file.
        span: The largest magnitude change, brighter and fainter. Defaults to `5.0`.
        steps: Number of magnitude changes. Defaults to `41`.
    """
    star = np.asarray(input, dtype="float32").reshape(-1)
    change = np.linspace(-span, span, steps)  # magnitudes: + is fainter
    fluxes = star[None, :] * 10.0 ** (-0.4 * change[:, None])
    predicted = np.asarray(model.predict(fluxes.astype("float32"), verbose=0))[:, 0]
    panel = CurvePanel(
        [Curve(predicted, x=change, label="prediction")],
        title="one star, brighter (left) to fainter (right)",
        x_label="magnitude change",
        x_unit="mag",
        y_label="prediction",
        markers=[LineMarker(0.0, "as observed")],
    )
    return Result(
        "example.magnitude_response",
        np.zeros((0,)),
        meta={"change": change.tolist(), "predicted": predicted.tolist()},
        panels=[panel],
    )
