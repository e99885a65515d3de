"""Grad-CAM (Selvaraju et al.) and Grad-CAM++ (Chattopadhay et al.)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.keras import tf
from lamina.visualize.layers import (
    class_score,
    prepare_input,
    resolve_layer,
    scoring_model,
    to_display,
)
from lamina.visualize.result import Result
from lamina_builtin.visualizations.gradients import peak
from lamina_builtin.visualizations.signals import as_curves


def _resize(cam: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if cam.ndim == 1:  # 1-D signal
        return np.interp(np.linspace(0, len(cam) - 1, shape[0]), np.arange(len(cam)), cam)
    out = tf.image.resize(cam[None, ..., None], shape, method="bilinear")
    return np.asarray(out)[0, ..., 0]


def gradcam(
    model: Any,
    input: Any,
    class_index: int | None = None,
    layer: str | int | None = None,
    plus_plus: bool = False,
    axis: Any = None,
) -> Result:
    """Class activation map of a convolutional layer, weighted by the class's gradients.

    ``cam = relu(sum_k w_k A_k)`` with ``w_k`` the spatial mean of ``dS_c / dA_k``
    (Grad-CAM) or the Grad-CAM++ weights, upsampled to the input size. ``S_c`` is the
    score before the softmax when the model ends in a softmax Dense layer.

    Args:
        input: One input sample.
        class_index: The class; defaults to the predicted class.
        layer: A spatial layer (name or index); defaults to the last one.
        plus_plus: Use Grad-CAM++ weights (better for several instances of a class).
            Defaults to `False`.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    chosen = resolve_layer(model, layer, spatial=True)
    x = prepare_input(model, input)
    run = scoring_model(model, [chosen])
    with tf.GradientTape() as tape:
        acts, out = run(x)
        act = acts[0]
        score, class_index = class_score(out, class_index)
    grads = tape.gradient(score, act)
    a, g = np.asarray(act)[0], np.asarray(grads)[0]
    spatial = tuple(range(a.ndim - 1))
    if plus_plus:
        # Chattopadhay et al. eq. 19, for Y = exp(s) with g = ds/dA: d2Y = Y g^2 and
        # d3Y = Y g^3, so alpha = g^2 / (2 g^2 + sum(A) g^3) (Y cancels), and the weights
        # sum alpha relu(dY/dA) = Y alpha relu(g): Y scales every weight alike, dropped
        g2, g3 = g**2, g**3
        denom = 2 * g2 + a.sum(axis=spatial, keepdims=True) * g3
        alpha = g2 / np.where(denom != 0, denom, 1.0)
        weights = (alpha * np.maximum(g, 0)).sum(axis=spatial)
    else:
        weights = g.mean(axis=spatial)
    cam = np.maximum((a * weights).sum(axis=-1), 0)
    shape = x.shape[1:-1]
    full = _resize(cam, shape)
    if full.max() > 0:
        full = full / full.max()
    name = "Grad-CAM++" if plus_plus else "Grad-CAM"
    background = to_display(x[0])
    if full.ndim == 1:
        full, background = full[None, :], np.asarray(background).reshape(1, -1)
    res = Result(
        "gradcam",
        full[None].astype("float32"),
        [f"{name} class {class_index}"],
        {
            "layer": chosen.name,
            "class_index": class_index,
            "coarse": cam,
            "map": full,
            "peak": peak(full),
            "background": background,
            "cmap": "jet",
            "colorbar": True,
            "suptitle": f"{name} at {chosen.name}, class {class_index}",
        },
    )
    return as_curves(res, x, axis)
