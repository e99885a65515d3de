"""A synthetic survey field: two FITS bands with a valid WCS and a catalogue of sources.

`make_sky_field` writes ``field_g.fits`` and ``field_r.fits`` (the same 384x384 pixels,
a TAN projection around RA 150°, Dec +2.2°, 0.4"/pixel), with point-like sources (stars:
the PSF) and extended ones (galaxies: exponential discs, redder), noise, and a blank
(NaN) rectangle like a masked chip gap; and ``catalogue.csv`` with 200 rows (``ra``,
``dec`` in degrees, ``x``/``y`` pixels, ``label`` ``point`` or ``extended``). Three rows
fall off the image and three in the blank area, so that loading reports them by row.

Run ``python -m lamina_builtin.datasets.sky_field FOLDER`` to write the files; the
``sky_cutouts`` data set makes them in a temporary folder and cuts them out.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from lamina.data import Dataset

SIZE = 384
N_SOURCES = 200
BLANK = (slice(300, 360), slice(20, 100))  # rows, columns of the NaN rectangle
OFF_IMAGE = [(-40.0, 50.0), (SIZE + 30.0, 120.0), (200.0, SIZE + 60.0)]  # x, y


def _wcs() -> object:
    from astropy.wcs import WCS

    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [150.0, 2.2]
    w.wcs.crpix = [SIZE / 2 + 0.5, SIZE / 2 + 0.5]
    scale = 0.4 / 3600.0
    w.wcs.cdelt = [-scale, scale]
    w.wcs.cunit = ["deg", "deg"]
    return w


def _render(
    img: np.ndarray,
    x: float,
    y: float,
    flux: float,
    kind: str,
    rng: object,
    shape: tuple[float, float, float],
) -> None:
    r = 12
    x0, y0 = int(round(x)), int(round(y))
    ys, xs = np.mgrid[
        max(y0 - r, 0) : min(y0 + r + 1, SIZE), max(x0 - r, 0) : min(x0 + r + 1, SIZE)
    ]
    dx, dy = xs - x, ys - y
    if kind == "point":
        sigma = 1.3
        prof = np.exp(-0.5 * (dx**2 + dy**2) / sigma**2) / (2 * np.pi * sigma**2)
    else:
        scale, q, angle = shape
        c, s = np.cos(angle), np.sin(angle)
        u, v = c * dx + s * dy, (-s * dx + c * dy) / q
        prof = np.exp(-np.hypot(u, v) / scale)
        prof /= prof.sum() or 1.0
    img[ys, xs] += flux * prof


def make_sky_field(folder: str | Path, seed: int = 0) -> dict[str, Path]:
    """Writes the two bands and the catalogue into `folder`; returns their paths.

    Args:
        folder: Where to write (created if needed).
        seed: Random seed. Defaults to `0`.
    """
    from astropy.io import fits

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    wcs = _wcs()
    n_good = N_SOURCES - len(OFF_IMAGE) - 3
    margin = 16
    xs, ys = [], []
    while len(xs) < n_good:  # spread sources out, away from the blank area and edges
        x, y = rng.uniform(margin, SIZE - margin, 2)
        in_blank = 290 <= y <= 370 and 10 <= x <= 110
        if in_blank or any(np.hypot(x - a, y - b) < 14 for a, b in zip(xs, ys, strict=True)):
            continue
        xs.append(float(x))
        ys.append(float(y))
    kinds = np.array(["point", "extended"])[rng.permutation(np.arange(n_good) % 2)]
    g = np.zeros((SIZE, SIZE), np.float64)
    r_band = np.zeros((SIZE, SIZE), np.float64)
    for x, y, kind in zip(xs, ys, kinds, strict=True):
        flux = rng.uniform(150, 600)
        shape = (rng.uniform(1.8, 3.5), rng.uniform(0.4, 1.0), rng.uniform(0, np.pi))
        colour = rng.uniform(0.8, 1.2) if kind == "point" else rng.uniform(1.3, 1.9)
        _render(g, x, y, flux, kind, rng, shape)
        _render(r_band, x, y, flux * colour, kind, rng, shape)
    blank_x = [40.0, 60.0, 80.0]  # three sources inside the blank rectangle
    all_x = xs + blank_x + [p[0] for p in OFF_IMAGE]
    all_y = ys + [330.0, 330.0, 330.0] + [p[1] for p in OFF_IMAGE]
    labels = list(kinds) + ["point", "extended", "point"] + ["extended", "point", "extended"]
    paths = {}
    for band, img in (("g", g), ("r", r_band)):
        img = img + rng.normal(0.0, 1.0, img.shape) + 2.0  # sky level and noise
        img[BLANK] = np.nan
        header = wcs.to_header()
        header["FILTER"] = band
        header["BUNIT"] = "count"
        path = folder / f"field_{band}.fits"
        fits.PrimaryHDU(img.astype(np.float32), header=header).writeto(path, overwrite=True)
        paths[band] = path
    ra, dec = wcs.wcs_pix2world(np.array(all_x), np.array(all_y), 0)
    cat = folder / "catalogue.csv"
    with cat.open("w") as f:
        f.write("ra,dec,x,y,label\n")
        for a, d, x, y, lab in zip(ra, dec, all_x, all_y, labels, strict=True):
            f.write(f"{a:.7f},{d:.7f},{x:.2f},{y:.2f},{lab}\n")
    paths["catalogue"] = cat
    return paths


def sky_cutouts(size: int = 24, mask_channel: bool = False, seed: int = 0) -> Dataset:
    """Cutouts of a synthetic two-band survey field: point-like vs extended sources.

    Writes the field (`make_sky_field`) into a temporary folder and cuts ``size x size``
    stamps at the catalogue's RA/Dec through the WCS, g and r bands as channels; the
    rows off the image or in the blank area are skipped with a warning naming the row.
    Needs astropy (``pip install "lamina[fits]"``).

    Args:
        size: Side of the cutouts in pixels. Defaults to `24`.
        mask_channel: Add a channel marking blank pixels. Defaults to `False`.
        seed: Random seed of the field. Defaults to `0`.
    """
    from lamina.data.loaders.cutouts import load_cutouts, require_astropy

    require_astropy("sky_cutouts", "the synthetic sky field")
    folder = Path(tempfile.gettempdir()) / f"lamina-sky-field-{seed}"
    paths = make_sky_field(folder, seed=seed)
    ds = load_cutouts(
        [paths["g"], paths["r"]],
        paths["catalogue"],
        size=size,
        mask_channel=mask_channel,
        name="sky_cutouts",
    )
    ds.source = "sky_cutouts"
    return ds


if __name__ == "__main__":
    out = make_sky_field(sys.argv[1] if len(sys.argv) > 1 else "sky-field")
    print("\n".join(str(p) for p in out.values()))
