"""The data handler: a dataset's summary and a preview of a few samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.engine.handlers.context import Context
from lamina.engine.protocol import DatasetSummary, DatasetSummaryRequest, plain


def preview_kind(shape: tuple[int, ...]) -> str:
    """How samples of this shape are shown: images, series, points, rows or arrays."""
    if len(shape) == 3:
        return "images"  # (h, w, c)
    if len(shape) == 2:
        return "series"  # spectra (L, 1), sequences (T, F)
    if shape == (2,):
        return "points"
    if len(shape) == 1:
        return "rows"
    return "arrays"


def preview_indices(ds: Any, k: int) -> list[int]:
    """Up to `k` sample indices spread over the classes (classification) or the data."""
    n = len(ds)
    if n == 0:
        return []
    if ds.task == "classification" and ds.y is not None and ds.y.ndim == 1:
        chosen: list[int] = []
        classes = np.unique(ds.y)
        per_class = {c: list(np.flatnonzero(ds.y == c)) for c in classes}
        i = 0
        while len(chosen) < min(k, n):
            for c in classes:
                if i < len(per_class[c]) and len(chosen) < k:
                    chosen.append(int(per_class[c][i]))
            i += 1
        return chosen
    return [int(i) for i in np.linspace(0, n - 1, min(k, n)).round().astype(int)]


def dataset_summary(request: DatasetSummaryRequest, ctx: Context) -> DatasetSummary:
    """Loads the dataset and returns its summary with `n_preview` samples.

    Of a 2-D set the preview holds all of it, up to 2000 points: the whole cloud is
    the useful preview. With ``request.stretch``, images also come drawn with that
    intensity stretch (``preview["stretched"]``, `lamina.visualize.sky.preview_image`).
    """
    from lamina.data.sources import load_data

    ds = load_data(request.data, params=request.params)
    kind = preview_kind(tuple(ds.input_shape))
    if kind == "points":
        idx = [int(i) for i in np.linspace(0, len(ds) - 1, min(len(ds), 2000)).astype(int)]
    else:
        idx = preview_indices(ds, int(request.n_preview))
    summary = ds.summary()
    if kind == "series":  # the x axis (wavelength...) and named lines, for curves
        from lamina.visualize.axis import SignalAxis

        axis = SignalAxis.of(ds, idx)
        summary["axis"] = None if axis is None else axis.to_dict()
    preview: dict[str, Any] = {
        "kind": kind,
        "indices": idx,
        "x": ds.x[idx],
        "y": None if ds.y is None else ds.y[idx],
    }
    if request.stretch:
        from lamina.visualize.sky import check_stretch, preview_image

        stretch = check_stretch(request.stretch)
        if kind == "images" and stretch and idx:  # other kinds: nothing to stretch
            preview["stretch"] = stretch
            preview["stretched"] = np.stack([preview_image(ds.x[i], stretch) for i in idx])
    return DatasetSummary(
        summary=plain(summary),
        preview=preview,
        class_names=ds.class_names,
        feature_names=ds.feature_names,
    )
