"""Sky images as astronomers view them: intensity stretches and world coordinates.

Stretches come from `astropy.visualization` (an optional extra: ``pip install
"lamina[fits]"``): ``linear`` (min to max), ``log``, ``asinh``, ``sqrt`` (each over the
99.5 % percentile interval), ``zscale`` (IRAF's zscale interval, linear) and
``percentile`` (the 1-99 % interval, linear). The renderer applies the stretch of
``meta["stretch"]`` (or ``save_png(..., stretch=...)``) to the input and to the
background of every map; NaN pixels stay NaN and are drawn in a colour of their own.
A result whose ``meta["wcs"]`` holds a FITS header (a cutout's WCS) is drawn on RA/Dec
axes (astropy's WCSAxes) with the map overlaid; `sky_ticks` gives the same RA/Dec ticks
as data (pixel, label) for the app, which draws them on its own image axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.errors import VisualizationError

#: The stretch names `norm_for` knows.
STRETCHES = ("linear", "log", "asinh", "sqrt", "zscale", "percentile")

#: The colour of blank (NaN) pixels in previews (RGB; the maps' default "bad" colour).
BLANK_RGB = (74, 144, 217)

#: The install command of the FITS extra.
FITS_EXTRA = 'pip install "lamina[fits]"'


def require_astropy(feature: str) -> None:
    """Raises one clear VisualizationError when astropy (the ``fits`` extra) is missing."""
    try:
        import astropy.visualization  # noqa: F401
    except ImportError as exc:
        raise VisualizationError(
            f"{feature} needs astropy, an optional extra: {FITS_EXTRA}",
            hint=None,
        ) from exc


def check_stretch(stretch: str | None) -> str | None:
    """Returns a valid stretch name (None stays None).

    Raises:
        VisualizationError: An unknown name (lists the valid ones).
    """
    if stretch in (None, ""):
        return None
    if stretch not in STRETCHES:
        raise VisualizationError(
            f"unknown stretch {stretch!r}; valid stretches: {', '.join(STRETCHES)}"
        )
    return str(stretch)


def norm_for(image: np.ndarray, stretch: str) -> Any:
    """Returns an `astropy.visualization.ImageNormalize` of `image` for `stretch`."""
    check_stretch(stretch)
    require_astropy(f"the {stretch!r} stretch")
    from astropy import visualization as v

    data = np.asarray(image, dtype="float64")
    if stretch == "zscale":
        interval, kind = v.ZScaleInterval(), v.LinearStretch()
    elif stretch == "percentile":
        interval, kind = v.PercentileInterval(98.0), v.LinearStretch()
    elif stretch == "linear":
        interval, kind = v.MinMaxInterval(), v.LinearStretch()
    else:
        interval = v.PercentileInterval(99.5)
        kind = {"log": v.LogStretch(), "asinh": v.AsinhStretch(), "sqrt": v.SqrtStretch()}[stretch]
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        finite = np.zeros(1)
    # no clipping inside the norm and invalid=None: both would turn NaN into a value (see
    # `stretched`, which clips the data and keeps NaN)
    return v.ImageNormalize(finite, interval=interval, stretch=kind, clip=False, invalid=None)


def stretched(image: np.ndarray, stretch: str) -> tuple[np.ndarray, Any]:
    """Returns `image` clipped to the stretch's interval (NaN kept) and its norm.

    Draw it with ``imshow(data, norm=norm)`` and a colour map whose "bad" colour marks
    blank pixels.
    """
    norm = norm_for(image, stretch)
    data = np.clip(np.asarray(image, dtype="float64"), norm.vmin, norm.vmax)
    return data, norm


def preview_image(image: np.ndarray, stretch: str) -> np.ndarray:
    """Returns one sample drawn with `stretch` as an ``(H, W, 3)`` uint8 RGB image.

    The bands of an ``(H, W, C)`` sample are averaged to one grey image (a pixel blank
    in any band stays blank); its grey level is ``round(255 * norm(clipped))``, where
    `norm` is the stretch's `astropy.visualization.ImageNormalize` (interval then
    stretch, e.g. asinh), so it reads as the stretch formula says; blank (NaN) pixels
    are drawn in `BLANK_RGB`. The app's Data view shows these for a ``stretch`` chosen
    in its preview.

    Raises:
        VisualizationError: An unknown stretch, or astropy missing (with the install
            command).
    """
    grey = np.asarray(image, dtype="float64")
    if grey.ndim == 3:
        grey = grey.mean(axis=-1)
    if grey.ndim != 2:
        raise VisualizationError(
            f"a stretch applies to images; this sample has shape {np.shape(image)}"
        )
    data, norm = stretched(grey, stretch)
    level = np.ma.getdata(norm(data)).astype("float64")
    blank = ~np.isfinite(level)
    level = np.round(255.0 * np.clip(np.where(blank, 0.0, level), 0.0, 1.0)).astype(np.uint8)
    rgb = np.repeat(level[..., None], 3, axis=-1)
    rgb[blank] = BLANK_RGB
    return rgb


def wcs_of(header: Any) -> Any:
    """Returns an `astropy.wcs.WCS` from a FITS header (text or `Header`), or None.

    Only a WCS with celestial axes (RA/Dec) is returned.
    """
    if header in (None, ""):
        return None
    require_astropy("drawing on RA/Dec axes")
    import warnings

    from astropy.io.fits import Header
    from astropy.wcs import WCS

    hdr = Header.fromstring(header) if isinstance(header, str) else header
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wcs = WCS(hdr)
    return wcs.celestial if wcs.has_celestial else None


def sky_ticks(header: Any, shape: tuple[int, ...], number: int = 4) -> dict[str, Any] | None:
    """Returns RA/Dec ticks of an image's bottom and left edges, as WCSAxes chooses them.

    The tick values and their labels come from astropy's
    `~astropy.visualization.wcsaxes.formatter_locator.AngleFormatterLocator` (RA in
    hours, Dec in degrees, sexagesimal); their pixel positions are where the image's
    bottom edge (row ``-0.5``) reaches each RA and its left edge (column ``-0.5``) each
    Dec, in astropy's pixel coordinates (the centre of the first pixel is 0, rows count
    upwards as in FITS). An app draws them as the axis ticks of the image.

    Args:
        header: A FITS header (text or `Header`) with a celestial WCS.
        shape: The image's ``(rows, columns, ...)``.
        number: About this many ticks per axis. Defaults to `4`.

    Returns:
        ``{"x_label": "RA", "y_label": "Dec", "x_ticks": [[pixel, label], ...],
        "y_ticks": [...]}``, or None without a celestial WCS.
    """
    wcs = wcs_of(header)
    if wcs is None:
        return None
    import astropy.units as u
    from astropy.visualization.wcsaxes.formatter_locator import AngleFormatterLocator

    rows, cols = int(shape[0]), int(shape[1])

    def edge(along: np.ndarray, horizontal: bool, unit: Any) -> list[list[Any]]:
        px = (
            (along, np.full_like(along, -0.5)) if horizontal else (np.full_like(along, -0.5), along)
        )
        world = np.asarray(wcs.pixel_to_world_values(*px))[0 if horizontal else 1]
        if horizontal:  # RA: unwrap at 0/360 so the edge's values are continuous
            world = np.degrees(np.unwrap(np.radians(world)))
        order = np.argsort(world)
        locator = AngleFormatterLocator(number=number, unit=u.deg, format_unit=unit)
        values, spacing = locator.locator(float(world.min()), float(world.max()))
        labels = locator.formatter(values % (360 * u.deg), spacing, format="ascii")
        where = np.interp(np.asarray(values.to_value(u.deg)), world[order], along[order])
        return [[float(p), str(t)] for p, t in zip(where, labels, strict=True)]

    return {
        "x_label": "RA",
        "y_label": "Dec",
        "x_ticks": edge(np.linspace(-0.5, cols - 0.5, 4 * cols + 1), True, u.hourangle),
        "y_ticks": edge(np.linspace(-0.5, rows - 0.5, 4 * rows + 1), False, u.deg),
    }


def label_sky_axes(ax: Any) -> None:
    """Names the axes of a WCSAxes panel ``RA`` and ``Dec`` (with sexagesimal ticks)."""
    ax.coords[0].set_axislabel("RA")
    ax.coords[1].set_axislabel("Dec")
    ax.coords[0].set_ticklabel(size=6)
    ax.coords[1].set_ticklabel(size=6)
