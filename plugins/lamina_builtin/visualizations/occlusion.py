"""Occlusion sensitivity (Zeiler & Fergus): slide a grey patch and watch the output."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.keras import tf
from lamina.visualize.errors import VisualizationError
from lamina.visualize.layers import (
    check_filter,
    class_score,
    feature_model,
    prepare_input,
    resolve_layer,
    to_display,
    to_tensor_output,
)
from lamina.visualize.result import Result
from lamina_builtin.visualizations.gradients import peak
from lamina_builtin.visualizations.signals import as_curves


def _starts(n: int, patch: int, stride: int) -> list[int]:
    last = max(n - patch, 0)
    out = list(range(0, last + 1, stride))
    if out[-1] != last:
        out.append(last)
    return out


def occlusion(
    model: Any,
    input: Any,
    class_index: int | None = None,
    patch: int = 8,
    stride: int = 4,
    fill: float | None = None,
    layer: str | int | None = None,
    filter: int | None = None,
    batch_size: int = 256,
    axis: Any = None,
) -> Result:
    """Occlusion map: how much the class probability drops when each region is hidden.

    A ``patch x patch`` square (a segment of length `patch` for 1-D signals) filled
    with `fill` slides over the input with `stride`; every occluded copy is run in
    batches. Each pixel's value is the mean drop of the class score over the patches
    that cover it, so the map is high where the evidence for the class lies. With
    `layer`, the mean response of that layer (or of one filter) is mapped too.

    Args:
        input: One input sample.
        class_index: The class; defaults to the predicted class.
        patch: Side of the occluding square in pixels. Defaults to `8`.
        stride: Step between patch positions. Defaults to `4`.
        fill: Value of the occluding patch; defaults to the input's mean.
        layer: Optional layer whose mean response is also mapped.
        filter: Optional filter of `layer`.
        batch_size: Occluded copies per forward pass. Defaults to `256`.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    x = prepare_input(model, input)
    if patch < 1 or stride < 1:
        raise VisualizationError(f"patch and stride must be >= 1, got {patch} and {stride}")
    spatial = x.shape[1:-1]
    if len(spatial) not in (1, 2):
        raise VisualizationError(
            f"occlusion needs an image (H, W, C) or a signal (T, C); got input {x.shape[1:]}"
        )
    fill_value = float(x.mean()) if fill is None else float(fill)
    base = to_tensor_output(model(x, training=False))
    base_score, class_index = class_score(base, class_index)
    base_score = float(base_score[0])
    chosen = resolve_layer(model, layer) if layer is not None else None
    if chosen is not None:
        check_filter(chosen, filter)
    grids = [_starts(n, patch, stride) for n in spatial]
    positions = [(a, b) for a in grids[0] for b in (grids[1] if len(grids) > 1 else [0])]

    sub = feature_model(model, [chosen]) if chosen is not None else None
    scores, responses = [], []
    for i in range(0, len(positions), batch_size):
        chunk = positions[i : i + batch_size]
        batch = np.repeat(x, len(chunk), axis=0)
        for j, (r, c) in enumerate(chunk):
            if len(spatial) == 2:
                batch[j, r : r + patch, c : c + patch, :] = fill_value
            else:
                batch[j, r : r + patch, :] = fill_value
        s, _ = class_score(to_tensor_output(model(tf.constant(batch), training=False)), class_index)
        scores.append(np.asarray(s))
        if sub is not None:
            a = np.asarray(sub(batch, training=False))
            a = a if filter is None else a[..., filter]
            responses.append(a.reshape(len(chunk), -1).mean(axis=1))
    score = np.concatenate(scores)
    drop = np.zeros(spatial, dtype="float64")
    count = np.zeros(spatial, dtype="float64")
    resp_map = np.zeros(spatial, dtype="float64") if sub is not None else None
    resp = np.concatenate(responses) if sub is not None else None
    for j, (r, c) in enumerate(positions):
        region = (
            (slice(r, r + patch), slice(c, c + patch))
            if len(spatial) == 2
            else (slice(r, r + patch),)
        )
        drop[region] += base_score - score[j]
        count[region] += 1
        if resp_map is not None:
            resp_map[region] += resp[j]
    drop /= np.maximum(count, 1)
    images, titles = [drop], [f"drop of class {class_index} score"]
    meta: dict[str, Any] = {
        "class_index": class_index,
        "base_score": base_score,
        "map": drop,
        "peak": peak(drop),
        "positions": positions,
        "scores": score.tolist(),
        "patch": patch,
        "stride": stride,
        "fill": fill_value,
        "cmap": "jet",
        "colorbar": True,
        "background": to_display(x[0]),
        "suptitle": f"occlusion ({patch}px patch, stride {stride}), class {class_index}",
    }
    if resp_map is not None:
        resp_map /= np.maximum(count, 1)
        images.append(resp_map)
        titles.append(
            f"mean response of {chosen.name}" + (f"[{filter}]" if filter is not None else "")
        )
        meta["layer"] = chosen.name
        meta["response_map"] = resp_map
    imgs = np.stack(images).astype("float32")
    if len(spatial) == 1:
        imgs = imgs[:, None, :]
        meta["background"] = np.asarray(meta["background"]).reshape(1, -1)
    return as_curves(Result("occlusion", imgs, titles, meta), x, axis)
