"""1-D signals (spectra, time series) drawn as curves against their axis.

Every built-in visualization takes an ``axis`` parameter (a `lamina.visualize.axis.
SignalAxis`, filled from the data set by ``lamina viz`` and the app) and, for a 1-D input
``(T, C)``, ends with `as_curves`: the arrays it computed stay in ``images`` and ``meta``,
and ``Result.panels`` gets the curves the renderer draws:

- attributions (saliency, SmoothGrad, guided backprop, deconvnet, Grad-CAM, occlusion):
  the input as a line with the map as a coloured band under it, on the same x axis;
- feature maps: one small panel per channel, stacked, at the input positions they cover;
- filters (Conv1D kernels): one small curve per filter against the offset from its centre;
- top-9: each of the strongest samples with its receptive field shaded;
- deep dream and class model: the synthesised signal (with the start signal).

Named lines of the axis (Hα, Hβ, [O III], shifted by the sample's redshift) are markers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.axis import SignalAxis
from lamina.visualize.curves import Curve, CurvePanel
from lamina.visualize.result import Result

ATTRIBUTIONS = {
    "saliency": "saliency",
    "guided_backprop": "guided backprop",
    "deconvnet": "deconvnet",
    "gradcam": "Grad-CAM",
    "occlusion": "score drop",
}


def is_signal(x: Any) -> bool:
    """True if `x` is a batch of 1-D signals ``(B, T, C)``."""
    return x is not None and np.ndim(x) == 3


def as_curves(result: Result, x: Any, axis: Any = None) -> Result:
    """Adds the curve panels of a 1-D result (returns it unchanged for images).

    Args:
        result: A built-in visualization's result.
        x: The batch the visualization ran on: ``(1, T, C)`` for one input, ``(N, T, C)``
            for ``data`` (top-9); None for the kinds without an input.
        axis: A `SignalAxis` or its dict; defaults to the index.
    """
    kind = result.kind
    if kind == "filters":
        kernel = result.meta.get("kernel")
        if kernel is None or np.ndim(kernel) != 3:
            return result
    elif kind == "class_model":
        if np.ndim(result.meta.get("image")) != 2:
            return result
    elif not is_signal(x):
        return result
    ax = SignalAxis.coerce(axis) or SignalAxis()
    build = _BUILDERS.get(kind)
    if build is None:
        return result
    result.panels = build(result, None if x is None else np.asarray(x), ax)
    result.meta["plot"] = "curves"
    result.meta["axis"] = ax.label
    return result


def _panel(
    ax: SignalAxis, curves: list[Curve], title: str = "", sample: int = 0, **kwargs: Any
) -> CurvePanel:
    return CurvePanel(
        curves,
        title=title,
        x_label=ax.name,
        x_unit=ax.unit,
        y_label=kwargs.pop("y_label", ax.signal or "input"),
        markers=ax.markers(sample),
        **kwargs,
    )


def _signal_curves(sig: np.ndarray, ax: SignalAxis, label: str) -> list[Curve]:
    """The channels of one ``(T, C)`` signal as lines."""
    xs = ax.positions(sig.shape[0])
    if sig.shape[-1] == 1:
        return [Curve(sig[:, 0], xs, label)]
    return [Curve(sig[:, c], xs, f"{label} ch {c}") for c in range(sig.shape[-1])]


def _reduce(m: Any) -> np.ndarray:
    """A map over the signal as ``(T,)``: channels summed, a ``(1, T)`` strip flattened."""
    m = np.asarray(m, dtype="float64")
    if m.ndim == 2 and m.shape[0] == 1:
        return m[0]
    if m.ndim == 2:
        return m.sum(axis=-1)
    return m.reshape(-1)


def _attribution(result: Result, x: np.ndarray, ax: SignalAxis) -> list[CurvePanel]:
    sig = x[0]
    label = ATTRIBUTIONS[result.kind]
    if result.kind == "saliency" and "SmoothGrad" in str(result.meta.get("method", "")):
        label = "SmoothGrad"
    curves = _signal_curves(sig, ax, ax.signal or "input")
    band = _reduce(result.meta["map"])
    curves.append(Curve(band, ax.positions(band.size, sig.shape[0]), label, kind="band"))
    if result.kind == "occlusion" and "response_map" in result.meta:
        resp = _reduce(result.meta["response_map"])
        name = f"mean response of {result.meta.get('layer')}"
        curves.append(Curve(resp, ax.positions(resp.size, sig.shape[0]), name, kind="band"))
    title = result.titles[-1] if result.titles else label
    return [_panel(ax, curves, title)]


def _feature_maps(result: Result, x: np.ndarray, ax: SignalAxis) -> list[CurvePanel]:
    sig = x[0]
    maps = np.asarray(result.images)
    panels = [_panel(ax, _signal_curves(sig, ax, ax.signal or "input"), "input")]
    for i in range(maps.shape[0]):
        values = maps[i].reshape(-1)
        title = result.titles[i] if i < len(result.titles) else f"channel {i}"
        xs = ax.positions(values.size, sig.shape[0])
        panels.append(_panel(ax, [Curve(values, xs)], title, y_label="activation"))
    result.meta.setdefault("columns", 1 if len(panels) <= 6 else 2)
    return panels


def _filters(result: Result, x: Any, ax: SignalAxis) -> list[CurvePanel]:
    kernel = np.asarray(result.meta["kernel"])  # (k, cin, cout)
    k, cin, cout = kernel.shape
    step = ax.step()
    offsets = (np.arange(k) - (k - 1) / 2) * step
    name = f"{ax.name} offset" if ax.values is not None else "offset"
    unit = ax.unit if ax.values is not None else "px"
    panels = []
    for f in range(min(cout, len(result.titles) or cout)):
        curves = [Curve(kernel[:, c, f], offsets, f"in {c}" if cin > 1 else "") for c in range(cin)]
        title = result.titles[f] if f < len(result.titles) else f"filter {f}"
        panels.append(CurvePanel(curves, title=title, x_label=name, x_unit=unit, y_label="weight"))
    return panels


def _top9(result: Result, x: np.ndarray, ax: SignalAxis) -> list[CurvePanel]:
    panels = []
    boxes = result.meta.get("boxes") or []
    for n, idx in enumerate(result.meta["indices"]):
        sig = x[idx]
        xs = ax.positions(sig.shape[0])
        spans = []
        if n < len(boxes) and boxes[n]:
            lo, hi = boxes[n][0]
            hi = max(int(hi) - 1, int(lo))
            spans.append((float(xs[int(lo)]), float(xs[hi]), "receptive field"))
        title = result.titles[n] if n < len(result.titles) else f"#{idx}"
        curves = _signal_curves(sig, ax, ax.signal or "input")
        panels.append(_panel(ax, curves, title, sample=int(idx), spans=spans))
    result.meta.setdefault("columns", 1 if len(panels) <= 3 else 3)
    return panels


def _deep_dream(result: Result, x: np.ndarray, ax: SignalAxis) -> list[CurvePanel]:
    dream = np.asarray(result.meta["image"])
    curves = _signal_curves(x[0], ax, "start") + _signal_curves(dream, ax, "dream")
    title = result.titles[-1] if result.titles else "deep dream"
    return [_panel(ax, curves, title)]


def _class_model(result: Result, x: Any, ax: SignalAxis) -> list[CurvePanel]:
    img = np.asarray(result.meta["image"])
    title = result.titles[0] if result.titles else "class model"
    return [_panel(ax, _signal_curves(img, ax, "class model"), title, y_label="input")]


_BUILDERS = {
    **dict.fromkeys(ATTRIBUTIONS, _attribution),
    "feature_maps": _feature_maps,
    "filters": _filters,
    "top9": _top9,
    "deep_dream": _deep_dream,
    "class_model": _class_model,
}
