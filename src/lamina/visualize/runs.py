"""Running a visualization on a saved run: its model, its data and its history.

Shared by ``lamina viz``, the engine (the app) and scripts::

    from lamina.visualize.runs import visualize_run
    result = visualize_run(lamina.load_run("project/runs/<id>"), "gradcam", sample=3)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from lamina.data.standardize import apply_standardizer
from lamina.inference import unwrap
from lamina.visualize.axis import SignalAxis
from lamina.visualize.errors import VisualizationError
from lamina.visualize.result import Result


def sample_inputs(
    run: Any, indices: list[int] | int, load_dataset: Callable[[Any], Any] | None = None
) -> np.ndarray:
    """Returns samples of the run's data, standardised as the model saw them.

    Args:
        run: A `lamina.project.Run` (or the `RunResult` of `lamina.train`).
        indices: A sample index or a list of them.
        load_dataset: ``ref -> Dataset``; defaults to `lamina.data.load_data`.

    Raises:
        VisualizationError: If the run does not record its data or an index is out of range.
    """
    ds = run_dataset(run, load_dataset)
    wanted = [indices] if isinstance(indices, int) else list(indices)
    bad = [i for i in wanted if not 0 <= i < len(ds)]
    if bad:
        raise VisualizationError(
            f"sample {bad[0]} is out of range: the run's data has {len(ds)} samples "
            f"(0..{len(ds) - 1})"
        )
    x = apply_standardizer(ds.x[indices], unwrap(run).standardizer)
    return np.asarray(x, dtype=np.float32)


def run_dataset(run: Any, load_dataset: Callable[[Any], Any] | None = None) -> Any:
    """Returns the data set a run was trained on.

    Raises:
        VisualizationError: If the run does not record its data.
    """
    ref = run.info.get("data_ref")
    if not ref:
        raise VisualizationError("the run does not record its data; pass an input array")
    from lamina.data.sources import load_data

    return (load_dataset or load_data)(ref)


def run_axis(
    run: Any, samples: list[int], load_dataset: Callable[[Any], Any] | None = None
) -> SignalAxis | None:
    """Returns the signal axis the run's data set declares (None without one or without data).

    The y axis says "standardised" when the run standardises its inputs (the curves show
    what the model saw).

    Args:
        run: A `lamina.project.Run`.
        samples: The samples the visualization sees (their redshifts are kept).
        load_dataset: ``ref -> Dataset``; defaults to `lamina.data.load_data`.
    """
    if not run.info.get("data_ref"):
        return None
    axis = SignalAxis.of(run_dataset(run, load_dataset), samples)
    if axis is not None and getattr(unwrap(run), "standardizer", None) is not None:
        axis = replace(axis, signal=f"{axis.signal or 'input'} (standardised)")
    return axis


def visualize_run(
    run: Any,
    kind: str,
    params: dict[str, Any] | None = None,
    sample: int | None = None,
    n_samples: int = 256,
    which: str = "final",
    model: Any = None,
    load_dataset: Callable[[Any], Any] | None = None,
    on_step: Callable[[int, np.ndarray], None] | None = None,
    registry: Any = None,
) -> Result:
    """Runs visualization `kind` on a saved run, filling what it needs from the run.

    ``input`` comes from sample `sample` of the run's data, ``data`` from its first
    `n_samples` samples, ``history`` and ``labels`` from the run's record, and ``axis``
    (the x axis of 1-D signals, with named lines) from the data set's declaration
    (`lamina.visualize.axis.SignalAxis.of`). A ``stretch`` parameter (``"asinh"``,
    ``"zscale"``...) is kept in ``meta["stretch"]`` for the renderer, and a map of a sky
    cutout gets its WCS (``meta["wcs"]``), so it is drawn on RA/Dec axes.

    Args:
        run: A `lamina.project.Run`.
        kind: The visualization's registered name.
        params: Its parameters (plain values; arrays allowed for ``input``/``data``).
        sample: Index of the run's data sample to use as ``input``.
        n_samples: How many samples to pass as ``data`` (e.g. for ``top9``).
        which: ``"final"`` or ``"best"`` weights.
        model: An already loaded model of the run (skips rebuilding it).
        load_dataset: ``ref -> Dataset`` (lets the engine cache datasets).
        on_step: Progress callback for iterative methods (deep dream).
        registry: The catalogue; defaults to the process-wide one.
    """
    from lamina.visualize import visualize

    if registry is None:
        from lamina.plugins import get_registry

        registry = get_registry()
    entry = registry.get("visualization", kind)
    signature = inspect.signature(entry.obj)
    names = set(signature.parameters)
    params = dict(params or {})
    stretch = params.pop("stretch", None) if "stretch" not in names else None
    first = next(iter(signature.parameters.values()), None)
    needs_model = first is not None and first.default is inspect.Parameter.empty
    if needs_model and model is None:
        model = run.model(which)
    if "history" in names and params.get("history") is None:
        params["history"] = run.history
    if "labels" in names and params.get("labels") is None:
        params["labels"] = (run.info.get("data") or {}).get("class_names")
    if "input" in names and params.get("input") is None and sample is not None:
        params["input"] = sample_inputs(run, int(sample), load_dataset)
    if "data" in names and params.get("data") is None and model is not None:
        params["data"] = sample_inputs(run, list(range(n_samples)), load_dataset)[:n_samples]
    if "axis" in names and params.get("axis") is None:
        if "input" in names and sample is not None:
            samples = [int(sample)]
        elif "data" in names:
            samples = list(range(n_samples))
        else:
            samples = []
        params["axis"] = run_axis(run, samples, load_dataset)
    if "on_step" in names and on_step is not None:
        params["on_step"] = on_step
    result = visualize(kind, model, registry=registry, **params)
    if stretch:
        from lamina.visualize.sky import check_stretch

        result.meta["stretch"] = check_stretch(stretch)
    if sample is not None and result.image_list and run.info.get("data_ref"):
        _attach_wcs(result, run, int(sample), load_dataset)
    return result


def _attach_wcs(
    result: Result, run: Any, sample: int, load_dataset: Callable[[Any], Any] | None
) -> None:
    """Gives a map of a sky cutout the cutout's WCS (``meta["wcs"]``): RA/Dec axes.

    Only maps the size of the input (attributions over it) get it, and only when the
    data set keeps one FITS header per sample in ``extras["wcs"]``.
    """
    ds = run_dataset(run, load_dataset)
    headers = ds.extras.get("wcs")
    if headers is None or sample >= len(headers) or np.ndim(ds.x) != 4:
        return
    shape = tuple(ds.x.shape[1:3])
    if all(np.shape(img)[:2] == shape for img in result.image_list):
        result.meta["wcs"] = str(headers[sample])


def sample_facts(
    run: Any,
    index: int,
    model: Any = None,
    load_dataset: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """What a person needs to read a picture of one sample: its true and predicted class.

    Args:
        run: A `lamina.project.Run`.
        index: The sample's index in the run's data.
        model: The run's model (for the predicted class); None leaves it out.
        load_dataset: ``ref -> Dataset``; defaults to `lamina.data.load_data`.

    Returns:
        ``{"index"}`` plus ``"true"``, ``"predicted"`` and ``"confidence"`` where the
        data are classes with names.
    """
    from lamina.data.sources import load_data

    ds = (load_dataset or load_data)(run.info.get("data_ref"))
    names = [str(n) for n in (getattr(ds, "class_names", None) or [])]
    out: dict[str, Any] = {"index": int(index)}
    if not names or not 0 <= index < len(ds):
        return out
    if ds.y is not None:
        y = np.asarray(ds.y[index])
        k = int(y.argmax()) if y.ndim and y.size > 1 else int(y.reshape(-1)[0])
        if 0 <= k < len(names):
            out["true"] = names[k]
    if model is not None:
        x = sample_inputs(run, int(index), load_dataset)[None]
        pred = model(x, training=False)
        p = np.asarray(pred.mean() if hasattr(pred, "mean") else pred, dtype=float).reshape(-1)
        if p.size == 1 and len(names) == 2:
            k, conf = int(p[0] >= 0.5), float(p[0] if p[0] >= 0.5 else 1 - p[0])
        elif p.size == len(names):
            k, conf = int(p.argmax()), float(p.max())
        else:
            return out
        out["predicted"], out["confidence"] = names[k], conf
    return out
