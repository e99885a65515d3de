"""Sky images as astronomers view them: intensity stretches and world coordinates.

Stretches come from `astropy.visualization` (an optional extra: ``pip install
"lamina[fits]"``): ``linear`` (min to max), ``log``, ``asinh``, ``sqrt`` (each over the
99.5 % percentile interval), ``zscale`` (IRAF's zscale interval, linear) and
``percentile`` (the 1-99 % interval, linear). The renderer applies the stretch of
``meta["stretch"]`` (or ``save_png(..., stretch=...)``) to the input and to the
background of every map; NaN pixels stay NaN and are drawn in a colour of their own.
A result whose ``meta["wcs"]`` holds a FITS header (a cutout's WCS) is drawn on RA/Dec
axes (astropy's WCSAxes) with the map overlaid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.errors import VisualizationError

#: The stretch names `norm_for` knows.
STRETCHES = ("linear", "log", "asinh", "sqrt", "zscale", "percentile")

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


def label_sky_axes(ax: Any) -> None:
    """Names the axes of a WCSAxes panel ``RA`` and ``Dec`` (with sexagesimal ticks)."""
    ax.coords[0].set_axislabel("RA")
    ax.coords[1].set_axislabel("Dec")
    ax.coords[0].set_ticklabel(size=6)
    ax.coords[1].set_ticklabel(size=6)
