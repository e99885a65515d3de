"""Learned weights: convolution kernels and Dense weights as images."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.errors import VisualizationError
from lamina.visualize.layers import layer_names, resolve_layer
from lamina.visualize.result import Result
from lamina_builtin.visualizations.signals import as_curves


def _kernel_layers(model: Any) -> list[Any]:
    return [
        la
        for la in model.layers
        if hasattr(la, "kernel")
        and getattr(la, "kernel", None) is not None
        and len(la.kernel.shape) in (2, 3, 4)
    ]


def _flattened_shape(layer: Any) -> tuple[tuple[int, ...] | None, bool, str]:
    """For a Dense layer fed by ``Flatten`` (through dropout): the flattened shape,
    whether it is the model's input, and the name of the layer it came from."""
    try:
        src = layer.input._keras_history.layer
        while type(src).__name__ in ("Dropout", "GaussianNoise", "ActivityRegularization"):
            src = src.input._keras_history.layer
        if type(src).__name__ != "Flatten":
            return None, False, ""
        origin = src.input._keras_history.layer
        shape = tuple(int(d) for d in src.input.shape[1:])
        return shape, type(origin).__name__ == "InputLayer", origin.name
    except (AttributeError, TypeError, ValueError):
        return None, False, ""


def filters(
    model: Any,
    layer: str | int | None = None,
    mode: str = "auto",
    channel: int = 0,
    max_filters: int = 64,
    axis: Any = None,
) -> Result:
    """Learned kernels of a convolution layer (or Dense weights) as a grid of images.

    A first layer that sees 3 input channels is shown in colour; a deeper layer shows
    each filter summed over its input channels (``mode="sum"``) or one input channel
    (``mode="channel"``). A Dense layer fed by a flattened image shows each unit's
    weights as an image of the input's size; fed by a flattened feature map, each
    unit's weights on the map's positions (summed over channels). 1-D convolutions
    show each filter as an (input channels x kernel length) image.

    Args:
        layer: Layer name or index; defaults to the first layer with a kernel.
        mode: ``"auto"``, ``"colour"``, ``"sum"`` or ``"channel"``. Defaults to `"auto"`.
        channel: Input channel shown with ``mode="channel"``. Defaults to `0`.
        max_filters: Show at most this many filters. Defaults to `64`.
        axis: The axis of the 1-D input of a Conv1D layer (a
            `lamina.visualize.axis.SignalAxis` or its dict): its kernels are drawn as
            small curves against the offset along it. Defaults to `None` (pixels).
    """
    if layer is None:
        candidates = _kernel_layers(model)
        if not candidates:
            raise VisualizationError(
                f"no layer with a kernel in this model; layers: {layer_names(model)}"
            )
        chosen = candidates[0]
    else:
        chosen = resolve_layer(model, layer)
    kernel = getattr(chosen, "kernel", None)
    if kernel is None:
        names = [la.name for la in _kernel_layers(model)]
        raise VisualizationError(
            f"layer {chosen.name!r} has no kernel to show; layers with kernels: {names}"
        )
    if mode not in ("auto", "colour", "color", "sum", "channel"):
        raise VisualizationError(f"mode must be 'auto', 'colour', 'sum' or 'channel', got {mode!r}")
    w = np.asarray(kernel.numpy())
    meta: dict[str, Any] = {"layer": chosen.name, "cmap": "RdBu_r", "symmetric": True}
    if w.ndim == 4:  # (kh, kw, cin, cout)
        cin = w.shape[2]
        if channel < 0 or channel >= cin:
            raise VisualizationError(
                f"channel {channel} out of range: layer {chosen.name!r} has {cin} input "
                f"channels, valid range is 0..{cin - 1}"
            )
        w = np.moveaxis(w, 3, 0)[:max_filters]  # (cout, kh, kw, cin)
        if (mode in ("colour", "color") or mode == "auto") and cin == 3:
            images = w
            meta["mode"] = "colour"
        elif mode in ("colour", "color"):
            raise VisualizationError(
                f"mode 'colour' needs 3 input channels; layer {chosen.name!r} has {cin}"
            )
        elif mode == "channel":
            images = w[..., channel]
            meta["mode"] = f"channel {channel}"
        else:
            images = w.sum(axis=-1)
            meta["mode"] = "sum over input channels" if cin > 1 else "single channel"
    elif w.ndim == 3:  # Conv1D (k, cin, cout) -> (cout, cin, k)
        images = np.transpose(w, (2, 1, 0))[:max_filters]
        meta["mode"] = "input channels x kernel length"
        meta["kernel"] = w[..., :max_filters]
    else:  # Dense (in, units)
        units = w.shape[1]
        shape, fed_by_input, source = _flattened_shape(chosen)
        if shape is not None and int(np.prod(shape)) == w.shape[0] and len(shape) == 3:
            imgs = w.T.reshape((units, *shape))[:max_filters]
            if fed_by_input and shape[-1] in (1, 3):
                images = imgs[..., 0] if shape[-1] == 1 else imgs
                meta["mode"] = "dense weights as input images"
            else:
                images = imgs.sum(axis=-1)
                meta["mode"] = f"weights on {source}'s positions, summed over channels"
        else:
            images = w.T[:max_filters, None, :]
            meta["mode"] = "dense weights (one row per unit)"
    titles = [f"{chosen.name}[{i}]" for i in range(images.shape[0])]
    meta["suptitle"] = f"filters of {chosen.name} ({meta['mode']})"
    return as_curves(Result("filters", images.astype("float32"), titles, meta), None, axis)


def weight_histograms(model: Any, layers: list[str] | None = None, bins: int = 40) -> Result:
    """Histograms of the weights of every layer (or the named ones).

    Args:
        layers: Layer names; defaults to every layer with weights.
        bins: Number of histogram bins. Defaults to `40`.
    """
    chosen = (
        [resolve_layer(model, n) for n in layers]
        if layers
        else [la for la in model.layers if la.weights]
    )
    hists = []
    for la in chosen:
        for w in la.weights:
            values = np.asarray(w.numpy()).ravel()
            counts, edges = np.histogram(values, bins=bins)
            short = w.name.split("/")[-1].split(":")[0]
            hists.append(
                {
                    "title": f"{la.name}/{short} (std {values.std():.3g})",
                    "counts": counts.tolist(),
                    "edges": edges.tolist(),
                    "mean": float(values.mean()),
                    "std": float(values.std()),
                }
            )
    return Result(
        "weight_histograms",
        np.zeros((0,)),
        [h["title"] for h in hists],
        {"plot": "histograms", "histograms": hists, "suptitle": "weight histograms"},
    )
