"""Rendering a :class:`~lamina.visualize.result.Result` to a PNG with matplotlib (Agg).

The renderer reads these ``meta`` keys:

- ``plot``: ``"images"`` (default), ``"histograms"`` or ``"matrix"``. A result with
  ``panels`` (`lamina.visualize.CurvePanel`) and no images is drawn as curves
  (`lamina.visualize.render_curves`).
- ``columns``: how many columns of curve panels (default: one column up to 4 panels).
- ``cmap``: colour map of grey images; ``colorbar``: draw one colour bar per image
  (for maps whose values mean something: heat maps, activations).
- ``symmetric``: centre the colour scale on zero (weights).
- ``background``: an image shown first and under every map (heat-map overlay).
- ``suptitle``: a title for the figure.
- ``stretch``: an intensity stretch of the input and the maps' background (astropy:
  linear, log, asinh, sqrt, zscale, percentile; `lamina.visualize.sky`).
- ``wcs``: a FITS header; the images are drawn on RA/Dec axes (WCSAxes).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from lamina.visualize.result import Result


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _rgb(img: np.ndarray) -> np.ndarray:
    lo, hi = float(np.nanmin(img)), float(np.nanmax(img))
    return (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)


def _grid(n: int) -> tuple[int, int]:
    cols = max(1, math.ceil(math.sqrt(n)))
    return math.ceil(n / cols), cols


def _images(result: Result, plt: Any, panel: float, stretch: str | None = None) -> Any:
    from lamina.visualize.sky import check_stretch, label_sky_axes, stretched, wcs_of

    meta = result.meta
    stretch = check_stretch(stretch or meta.get("stretch"))
    wcs = wcs_of(meta["wcs"]) if meta.get("wcs") else None
    imgs = result.image_list
    background = meta.get("background")
    panels: list[tuple[str, np.ndarray | None, np.ndarray | None]] = []
    if background is not None:
        panels.append((meta.get("background_title", "input"), np.asarray(background), None))
    for i, img in enumerate(imgs):
        title = result.titles[i] if i < len(result.titles) else ""
        panels.append((title, img, np.asarray(background) if background is not None else None))
    rows, cols = _grid(len(panels))
    colorbar = bool(meta.get("colorbar"))
    scale = 1.25 if colorbar else 1.0
    width = max(panel * cols * scale, 4.0)
    if wcs is not None:  # a sky cutout: RA/Dec axes, a little more room for the labels
        width, panel = width * 1.25, panel * 1.25
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width, panel * rows + 0.5),
        squeeze=False,
        subplot_kw={"projection": wcs} if wcs is not None else None,
    )
    # NaN (outside the input, blank sky pixels) is drawn in a colour of its own
    bad = meta.get("bad_color", "#4a90d9")
    cmap = plt.get_cmap(meta.get("cmap", "gray")).with_extremes(bad=bad)
    grey = plt.get_cmap("gray").with_extremes(bad=bad)
    for ax in axes.flat[len(panels) :] if wcs is not None else axes.flat:
        ax.axis("off")

    def shade(img: np.ndarray) -> tuple[np.ndarray, Any]:
        """A grey image with the chosen stretch (NaN kept, drawn in the "bad" colour)."""
        if stretch and img.ndim == 2:
            return stretched(img, stretch)
        return (_rgb(img) if img.ndim == 3 else img), None

    for ax, (title, shown, under) in zip(axes.flat, panels, strict=False):
        if shown is None:
            continue
        img = shown
        # FITS rows count upwards: a sky cutout is drawn with its first row at the bottom
        origin = "lower" if wcs is not None else "upper"
        if under is not None:
            data, norm = shade(under)
            ax.imshow(data, cmap=grey, norm=norm, origin=origin)
            top, bottom = (under.shape[0] - 0.5, -0.5)
            im = ax.imshow(
                img,
                cmap=cmap,
                alpha=0.55,
                origin=origin,
                extent=(-0.5, under.shape[1] - 0.5, *((bottom, top) if wcs else (top, bottom))),
            )
        elif img.ndim == 3:
            im = ax.imshow(_rgb(img), origin=origin)
        else:
            kwargs: dict[str, Any] = {}
            if meta.get("symmetric"):
                m = float(np.abs(img).max()) or 1.0
                kwargs = {"vmin": -m, "vmax": m}
            is_input = title == meta.get("background_title", "input")
            if is_input and stretch:
                img, kwargs["norm"] = shade(img)
            this_cmap = cmap if not is_input else grey
            im = ax.imshow(
                img,
                cmap=this_cmap,
                aspect="auto" if img.shape[0] < 3 else None,
                interpolation="nearest",
                origin=origin,
                **kwargs,
            )
        if title:
            ax.set_title(title, fontsize=8)
        if wcs is not None:
            label_sky_axes(ax)
        if colorbar and img.ndim == 2 and (under is not None or panels[0][2] is None):
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return fig


def _histograms(result: Result, plt: Any) -> Any:
    hists = result.meta["histograms"]
    rows, cols = _grid(max(1, len(hists)))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.6 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, h in zip(axes.flat, hists, strict=False):
        ax.axis("on")
        edges = np.asarray(h["edges"])
        ax.bar(edges[:-1], h["counts"], width=np.diff(edges), align="edge", color="tab:blue")
        ax.set_title(h["title"], fontsize=8)
        ax.tick_params(labelsize=7)
    return fig


def _matrix(result: Result, plt: Any) -> Any:
    m = np.asarray(result.images)
    labels = result.meta.get("labels") or [str(i) for i in range(m.shape[0])]
    size = max(3.2, 1.2 + 0.45 * m.shape[0])
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    im = ax.imshow(m, cmap=result.meta.get("cmap", "Blues"), vmin=0)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(m.shape[1]), labels, rotation=45, ha="right")
    ax.set_yticks(range(m.shape[0]), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if m.shape[0] <= 20:
        fmt = "{:.2f}" if result.meta.get("normalized") else "{:.0f}"
        top = float(m.max()) or 1.0
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(
                    j,
                    i,
                    fmt.format(m[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if m[i, j] > 0.6 * top else "black",
                )
    return fig


def render_figure(result: Result, panel: float = 1.8, stretch: str | None = None) -> Any:
    """Returns the matplotlib figure of a result (the caller closes it).

    Args:
        result: The visualization's result.
        panel: Size of one image panel in inches.
        stretch: An intensity stretch of the input and of the maps' background
            (`lamina.visualize.sky.STRETCHES`); defaults to ``meta["stretch"]`` or none.
    """
    plt = _pyplot()
    kind = result.meta.get("plot", "images")
    if result.panels and (kind == "curves" or not result.image_list):
        from lamina.visualize.render_curves import draw_panels

        fig = draw_panels(result.panels, plt, columns=result.meta.get("columns"))
    elif kind == "histograms":
        fig = _histograms(result, plt)
    elif kind == "matrix":
        fig = _matrix(result, plt)
    else:
        fig = _images(result, plt, panel, stretch)
    title = result.meta.get("suptitle") or result.kind
    width = fig.get_size_inches()[0]
    fig.suptitle(textwrap.fill(title, max(30, int(width * 11))), fontsize=10)
    fig.tight_layout()
    return fig


def save_png(
    result: Result,
    path: str | Path,
    panel: float = 1.8,
    dpi: int = 100,
    stretch: str | None = None,
) -> Path:
    """Renders a result to a PNG file and returns its path.

    Args:
        result: The visualization's result.
        path: Where to write the PNG (parent folders are created).
        panel: Size of one image panel in inches.
        dpi: Resolution.
        stretch: An intensity stretch for sky images (``"asinh"``, ``"zscale"``, ...:
            `lamina.visualize.sky.STRETCHES`); defaults to ``meta["stretch"]``.
    """
    plt = _pyplot()
    fig = render_figure(result, panel, stretch)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
