"""Top-9: the dataset inputs (or patches) that activate one filter most."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.layers import (
    check_filter,
    feature_model,
    prepare_input,
    resolve_layer,
    to_display,
)
from lamina.visualize.result import Result
from lamina_builtin.visualizations.signals import as_curves

_PASS = {
    "BatchNormalization",
    "Dropout",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "LayerNormalization",
    "Add",
    "Concatenate",
    "Multiply",
    "Average",
    "Maximum",
    "InputLayer",
}


_WINDOWED = {
    "Conv1D",
    "Conv2D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "SeparableConv1D",
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "SumPooling1D",
    "SumPooling2D",
}


def _pair(v: Any, n: int) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


def receptive_field(model: Any, layer: Any) -> dict[str, Any] | None:
    """Returns the receptive field of a layer's units: size, jump and start per axis.

    The centre of unit ``i`` along an axis is at input pixel ``start + i * jump`` and it
    sees ``size`` pixels. Returns None if a layer on the way is not understood (then
    whole inputs are shown). Layers are walked in model order, so with parallel
    branches the field is an upper bound.
    """
    spatial = len(layer.output.shape) - 2
    size, jump, start = [1.0] * spatial, [1.0] * spatial, [0.0] * spatial
    in_sizes = [int(d) if d is not None else None for d in model.inputs[0].shape[1:-1]]
    for la in model.layers:
        cls = type(la).__name__
        if cls in _PASS:
            pass
        elif cls in _WINDOWED:
            k = _pair(getattr(la, "kernel_size", None) or la.pool_size, spatial)
            s = _pair(la.strides, spatial)
            d = _pair(getattr(la, "dilation_rate", 1), spatial)
            for a in range(spatial):
                ke = (k[a] - 1) * d[a] + 1
                if la.padding == "same" and in_sizes[a] is not None:
                    n_in = in_sizes[a]
                    n_out = -(-n_in // s[a])
                    pad = max((n_out - 1) * s[a] + ke - n_in, 0) // 2
                else:
                    pad = 0
                start[a] += ((ke - 1) / 2 - pad) * jump[a]
                size[a] += (ke - 1) * jump[a]
                jump[a] *= s[a]
            in_sizes = [int(v) if v is not None else None for v in la.output.shape[1:-1]]
        else:
            return None
        if la is layer:
            return {"size": size, "jump": jump, "start": start}
    return None


def top9(
    model: Any,
    data: Any,
    layer: str | int | None = None,
    filter: int = 0,
    k: int = 9,
    patches: bool = True,
    batch_size: int = 256,
    axis: Any = None,
) -> Result:
    """The `k` inputs of a dataset that activate one filter most (Zeiler & Fergus's top-9).

    For a feature-map layer a unit's activation is the maximum of the filter's map
    over positions; with `patches`, the receptive field of the strongest position is
    cut out of the input.

    Args:
        data: The dataset inputs, an array (N, ...) of the model's input shape.
        layer: Layer name or index; defaults to the last spatial layer.
        filter: The filter (channel) index. Defaults to `0`.
        k: How many inputs to show. Defaults to `9`.
        patches: Show receptive-field patches rather than whole inputs. Defaults to `True`.
        batch_size: Inputs per forward pass. Defaults to `256`.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    chosen = resolve_layer(model, layer, spatial=layer is None)
    check_filter(chosen, filter)
    x = prepare_input(model, data, name="data", batch=True)
    sub = feature_model(model, [chosen])
    scores = np.empty(len(x), dtype="float64")
    positions = np.zeros((len(x), max(0, len(chosen.output.shape) - 2)), dtype=int)
    for i in range(0, len(x), batch_size):
        act = np.asarray(sub(x[i : i + batch_size], training=False))[..., filter]
        flat = act.reshape(len(act), -1)
        arg = flat.argmax(axis=1)
        scores[i : i + len(act)] = flat[np.arange(len(act)), arg]
        if act.ndim > 1:
            positions[i : i + len(act)] = np.stack(np.unravel_index(arg, act.shape[1:]), axis=1)
    k = min(k, len(x))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    rf = receptive_field(model, chosen) if patches and positions.shape[1] else None
    images, boxes = [], []
    for idx in top:
        img = x[idx]
        if rf is not None:
            box, pads = [], []
            for a in range(positions.shape[1]):
                c = rf["start"][a] + positions[idx, a] * rf["jump"][a]
                lo = int(np.floor(c - rf["size"][a] / 2 + 0.5))
                hi = lo + int(rf["size"][a])
                clo, chi = max(lo, 0), min(hi, img.shape[a])
                box.append((clo, chi))
                pads.append((clo - lo, hi - chi))
            boxes.append(box)
            img = img[tuple(slice(lo, hi) for lo, hi in box)]
            # outside the input (zero padding of the network): shown blank
            img = np.pad(img, [*pads, (0, 0)], constant_values=np.nan)
        images.append(to_display(img))
    titles = [f"#{i} act {scores[i]:.3g}" for i in top]
    res = Result(
        "top9",
        np.stack(images).astype("float32"),
        titles,
        {
            "layer": chosen.name,
            "filter": filter,
            "indices": top.tolist(),
            "values": scores[top].tolist(),
            "positions": positions[top].tolist(),
            "boxes": boxes,
            "receptive_field": rf,
            "cmap": "gray",
            "suptitle": f"top-{k} inputs for {chosen.name}[{filter}]",
        },
    )
    return as_curves(res, x, axis)
