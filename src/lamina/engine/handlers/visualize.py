"""The visualize handler: a registered visualization of a saved run, with live steps."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from lamina.engine.handlers.context import STATE, CancelledError, Context, registry, run_of
from lamina.engine.protocol import Image, VisualizeRequest, VisualizeResult, jsonable


def visualize(request: VisualizeRequest, ctx: Context) -> VisualizeResult:
    """Runs the visualization of a saved run.

    Methods that improve an image step by step stream `Image` events (about 25 of
    them) and stop at the next step when cancelled. Curves go in ``meta["panels"]``
    (`CurvePanel.to_dict`); a map of a sky cutout (``meta["wcs"]``) gets its RA/Dec
    ticks in ``meta["sky_axes"]`` (`lamina.visualize.sky.sky_ticks`). With
    ``request.stretch``, a map's background (its input image) also comes drawn with
    that stretch in ``meta["background_stretched"]`` (`lamina.visualize.sky.preview_image`).
    """
    from lamina.visualize.runs import sample_facts, visualize_run
    from lamina.visualize.sky import check_stretch, require_astropy

    stretch = check_stretch(request.stretch)  # before any work: a bad name is refused now
    if stretch:
        require_astropy(f"the {stretch!r} stretch")
    kind = request.visualization
    entry = registry().get("visualization", kind)
    parameters = inspect.signature(entry.obj).parameters
    params = dict(request.params)
    run = run_of(request)
    on_step = None
    if "on_step" in parameters:
        steps = int(params.get("steps", 50) or 50)
        every = max(1, steps // 25)

        def on_step(step: int, image: Any) -> None:
            if ctx.cancelled:
                raise CancelledError(f"{kind} cancelled at step {step}")
            if step % every == 0 or step == steps - 1:
                ctx.emit(Image(step=int(step), steps=steps, image=np.asarray(image)))

    first = next(iter(parameters.values()), None)
    needs_model = first is not None and first.default is inspect.Parameter.empty
    res = visualize_run(
        run,
        kind,
        params,
        sample=request.sample,
        n_samples=int(request.n_samples),
        which=request.which,
        model=STATE.model(run, request.which) if needs_model else None,
        load_dataset=STATE.dataset,
        on_step=on_step,
        registry=registry(),
    )
    images = np.asarray(res.images)
    meta = dict(res.meta)
    if res.panels:  # curves travel as plain dicts (`CurvePanel.from_dict` reads them)
        meta["panels"] = [panel.to_dict() for panel in res.panels]
    if stretch and _is_image(meta.get("background")):
        from lamina.visualize.sky import preview_image

        meta["stretch"] = stretch
        meta["background_stretched"] = preview_image(np.asarray(meta["background"]), stretch)
    if meta.get("wcs"):  # a sky cutout: its RA/Dec ticks, for the app's image axes
        from lamina.visualize.sky import sky_ticks

        under = meta.get("background")
        shape = np.shape(under) if under is not None else images.shape[1:]
        meta["sky_axes"] = sky_ticks(meta["wcs"], shape) if len(shape) >= 2 else None
    if request.sample is not None and "input" in parameters and "input" not in params:
        try:
            model = STATE.model(run, request.which) if needs_model else None
            meta["sample"] = sample_facts(run, int(request.sample), model, STATE.dataset)
        except Exception as exc:  # noqa: BLE001 - the labels are extra: never fail for them
            meta["sample"] = {"index": int(request.sample), "note": str(exc)[:200]}
    return VisualizeResult(
        kind=res.kind,
        images=images if images.size else None,
        titles=list(res.titles),
        meta=jsonable(meta, small=100_000),
        run_dir=str(run.path),
    )


def _is_image(background: Any) -> bool:
    """True for an ``(H, W)`` or ``(H, W, C)`` image (not a 1-D signal, not None)."""
    if background is None:
        return False
    shape = np.shape(background)
    return len(shape) == 2 or (len(shape) == 3 and min(shape[:2]) > 1)
