"""Gradient maps: saliency (vanilla and SmoothGrad) and guided backpropagation."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.keras import tf
from lamina.visualize.layers import (
    check_filter,
    class_score,
    feature_model,
    prepare_input,
    resolve_layer,
    scoring_model,
    to_display,
    to_tensor_output,
)
from lamina.visualize.result import Result
from lamina_builtin.visualizations._relu import swapped_relus
from lamina_builtin.visualizations.signals import as_curves


def _target(model: Any, x: Any, class_index: int | None, layer: Any, filter: int | None) -> Any:
    """Returns (score per sample, label) of a class of the output or a filter of a layer."""
    if layer is None:
        _, out = scoring_model(model)(x)
        score, used = class_score(out, class_index)
        return score, f"class {used}"
    act = feature_model(model, [layer])(x, training=False)
    act = act if filter is None else act[..., filter]
    axes = list(range(1, len(act.shape)))
    return tf.reduce_max(act, axis=axes) if axes else act, f"{layer.name}[{filter}]"


def _grad(
    model: Any, x: np.ndarray, class_index: int | None, layer: Any, filter: int | None
) -> tuple[np.ndarray, str]:
    xt = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        score, label = _target(model, xt, class_index, layer, filter)
        total = tf.reduce_sum(score)
    return np.asarray(tape.gradient(total, xt)), label


def saliency(
    model: Any,
    input: Any,
    class_index: int | None = None,
    smooth_samples: int = 0,
    noise: float = 0.15,
    seed: int = 0,
    axis: Any = None,
) -> Result:
    """Image-specific class saliency (Simonyan et al.): ``|dS_c / dI|``, max over channels.

    ``S_c`` is the score before the softmax when the model ends in a softmax Dense layer.

    With ``smooth_samples > 0`` this is SmoothGrad (Smilkov et al.): the gradient
    averaged over noisy copies of the input, which removes much of the speckle.

    Args:
        input: One input sample.
        class_index: The class; defaults to the predicted class.
        smooth_samples: Noisy copies for SmoothGrad (0 = vanilla gradient). Defaults to `0`.
        noise: SmoothGrad noise, as a fraction of the input's value range. Defaults to `0.15`.
        seed: Random seed of the SmoothGrad noise. Defaults to `0`.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    x = prepare_input(model, input)
    if class_index is None:
        out = to_tensor_output(model(x, training=False))
        _, class_index = class_score(out, None)
    if smooth_samples > 0:
        rng = np.random.default_rng(seed)
        sigma = noise * float(x.max() - x.min() or 1.0)
        batch = x + rng.normal(0, sigma, size=(smooth_samples, *x.shape[1:])).astype("float32")
        g, label = _grad(model, batch, class_index, None, None)
        g = np.abs(g).mean(axis=0)
        method = f"SmoothGrad (n={smooth_samples})"
    else:
        g, label = _grad(model, x, class_index, None, None)
        g = np.abs(g[0])
        method = "vanilla gradient"
    sal = g.max(axis=-1)
    res = Result(
        "saliency",
        stack_pair(to_display(x[0]), sal),
        ["input", f"saliency {label}"],
        {
            "class_index": class_index,
            "map": sal,
            "method": method,
            "peak": peak(sal),
            "cmap": "hot",
            "colorbar": True,
            "suptitle": f"saliency ({method}), {label}",
        },
    )
    return as_curves(res, x, axis)


def guided_backprop(
    model: Any,
    input: Any,
    class_index: int | None = None,
    layer: str | int | None = None,
    filter: int | None = None,
    axis: Any = None,
) -> Result:
    """Guided backpropagation (Springenberg et al.): gradients through "guided" ReLUs.

    Every ReLU passes back only positive gradients where its input was positive,
    giving sharp, image-like maps of what drove a class score or a filter.

    Args:
        input: One input sample.
        class_index: The class (when no layer is given); defaults to the predicted class.
        layer: Optional layer whose filter is explained instead of a class.
        filter: The filter of `layer` (its maximum over positions); all filters if None.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    x = prepare_input(model, input)
    chosen = resolve_layer(model, layer) if layer is not None else None
    if chosen is not None:
        check_filter(chosen, filter)
    with swapped_relus(model, "guided") as n:
        g, label = _grad(model, x, class_index, chosen, filter)
    g = g[0]
    img = to_display(g)
    res = Result(
        "guided_backprop",
        stack_pair(to_display(x[0]), img),
        ["input", f"guided backprop {label}"],
        {
            "map": g,
            "peak": peak(np.abs(g).sum(axis=-1)),
            "relus_swapped": n,
            "cmap": "gray",
            "suptitle": f"guided backpropagation, {label}",
        },
    )
    return as_curves(res, x, axis)


def stack_pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Stacks an input and a map, both scaled to [0, 1] (a colour input turns grey for a
    grey map)."""
    a, b = np.asarray(a), np.asarray(b)
    if b.ndim == 1:  # a map over time
        b = b[None]
    if a.ndim == 2 and b.ndim == 2 and a.shape != b.shape and a.shape[0] == b.shape[1]:
        a = a.T  # a 1-D signal (T, C) shown as (C, T)
    if a.ndim == 2 and b.ndim == 2 and a.shape != b.shape and a.shape[1] == b.shape[1]:
        b = np.broadcast_to(b.mean(axis=0, keepdims=True), a.shape)
    if a.ndim == 3 and b.ndim == 2:
        a = a.mean(axis=-1)
    if b.ndim == 3 and a.ndim == 2:
        b = b.mean(axis=-1)
    return np.stack([_norm(a), _norm(b)])


def _norm(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype="float32")
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


def peak(m: np.ndarray) -> list[int]:
    m = np.asarray(m)
    return [int(v) for v in np.unravel_index(int(np.argmax(m)), m.shape)]
