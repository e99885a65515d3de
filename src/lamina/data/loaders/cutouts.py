"""Cutouts of a large sky image at catalogue positions: a training set from a survey field.

One FITS image (or several bands of the same field, same size and WCS) and a table of
positions (CSV or FITS table) with labels or targets become ``x (n, size, size, bands)``:
one `astropy.nddata.Cutout2D` per row and band, the bands stacked as channels.

Positions are sky coordinates (``ra``/``dec`` columns in degrees, through the image's
WCS) or pixels (``x``/``y`` columns, 0-based). A row whose cutout lies entirely off the
image, or whose cutout is more than `max_nan` blank (NaN pixels, or the part off the
image), is reported by its row number: skipped with a `CutoutWarning` (the default), or
refused with a `DataError` (``on_problem="error"``).

**Blank pixels** (NaN in the image, or off its edge) follow the data settings of the spec
(``data.params``): they are replaced by `nan_fill` (default 0, after which the run's
standardisation applies), and with ``mask_channel=True`` one more channel holds 1 where
a pixel was blank in any band and 0 elsewhere, so the network can tell "no data" from
"faint". Each cutout's own WCS header is kept in ``extras["wcs"]`` (drawn on RA/Dec axes
by the visualizations).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.labels import encode_labels
from lamina.data.loaders.paths import check_file
from lamina.data.loaders.to_dataset import check_task, infer_task

#: The install command of the FITS extra, quoted for shells that expand brackets.
FITS_EXTRA = 'pip install "lamina[fits]"'


class CutoutWarning(UserWarning):
    """A catalogue row whose cutout was skipped (off the image, or mostly blank)."""


def require_astropy(source: str, feature: str = "FITS files") -> None:
    """Raises one clear DataError when astropy (the ``fits`` extra) is missing."""
    try:
        import astropy  # noqa: F401
    except ImportError as exc:
        raise DataError(
            f"{feature} need astropy, an optional extra: {FITS_EXTRA}", source=source
        ) from exc


def _read_band(path: Path, hdu: int | str | None) -> tuple[np.ndarray, Any]:
    from astropy.io import fits
    from astropy.wcs import WCS

    source = str(path)
    try:
        with fits.open(path, memmap=False) as hdul:
            if hdu not in (None, ""):
                key = int(hdu) if str(hdu).isdigit() else str(hdu)
                chosen = hdul[key]
            else:
                chosen = next(
                    (
                        h
                        for h in hdul
                        if getattr(h, "data", None) is not None and getattr(h.data, "ndim", 0) == 2
                    ),
                    None,
                )
            if chosen is None or getattr(chosen.data, "ndim", 0) != 2:
                raise DataError("no 2-D image HDU in the file", source=source, key=str(hdu))
            data = np.asarray(chosen.data, dtype=np.float32)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wcs = WCS(chosen.header)
    except DataError:
        raise
    except (KeyError, IndexError) as exc:
        raise DataError(f"HDU {hdu!r} not found", source=source, key=str(hdu)) from exc
    except Exception as exc:  # noqa: BLE001 - astropy raises many types on a bad file
        raise DataError(f"not a readable FITS image ({exc})", source=source) from exc
    return data, wcs


def _read_catalog(path: Path) -> Any:
    from astropy.table import Table

    fmt = "ascii.csv" if path.suffix.lower() in (".csv", ".txt") else None
    try:
        return Table.read(path, format=fmt) if fmt else Table.read(path)
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"not a readable table ({exc})", source=str(path)) from exc


def _column(table: Any, name: str, source: str) -> np.ndarray:
    if name not in table.colnames:
        raise DataError(
            f"column {name!r} not found; columns: {', '.join(table.colnames)}",
            source=source,
            column=name,
        )
    return np.asarray(table[name])


def load_cutouts(
    images: str | Path | Sequence[str | Path],
    catalog: str | Path,
    size: int = 32,
    target: str | None = "label",
    ra: str = "ra",
    dec: str = "dec",
    x: str = "",
    y: str = "",
    task: str = "auto",
    hdu: int | str | None = None,
    nan_fill: float = 0.0,
    mask_channel: bool = False,
    max_nan: float = 0.5,
    on_problem: str = "skip",
    name: str | None = None,
) -> Dataset:
    """Cuts fixed-size stamps out of a FITS field at the positions of a catalogue.

    Args:
        images: One FITS image, or a list of bands of the same field (same shape).
        catalog: A CSV file or FITS table with one row per source.
        size: Side of the square cutouts in pixels. Defaults to `32`.
        target: The column of labels (classification) or values (regression);
            None or ``""``: no targets. Defaults to ``"label"``.
        ra: Right-ascension column (degrees). Defaults to ``"ra"``.
        dec: Declination column (degrees). Defaults to ``"dec"``.
        x: Pixel column (0-based) used instead of RA/Dec when given. Defaults to ``""``.
        y: Pixel row column (0-based), with `x`. Defaults to ``""``.
        task: ``"classification"``, ``"regression"`` or ``"auto"``. Defaults to `"auto"`.
        hdu: The image HDU (None: the first 2-D image). Defaults to `None`.
        nan_fill: The value blank pixels get. Defaults to `0.0`.
        mask_channel: Add a channel that is 1 where a pixel was blank. Defaults to `False`.
        max_nan: The largest blank fraction a cutout may have. Defaults to `0.5`.
        on_problem: ``"skip"`` (warn, naming the row) or ``"error"``. Defaults to `"skip"`.
        name: The data set's name. Defaults to the first image's stem.

    Raises:
        DataError: astropy missing (with the install command), a missing file, column
            or HDU, bands of different shapes, no usable WCS for RA/Dec, no cutout
            left, or (with ``on_problem="error"``) a row off the image or mostly blank.
    """
    paths = [Path(p) for p in ([images] if isinstance(images, str | Path) else images)]
    source = str(paths[0]) if paths else str(images)
    require_astropy(source, "cutouts from FITS images")
    from astropy.coordinates import SkyCoord
    from astropy.nddata import Cutout2D, NoOverlapError

    if on_problem not in ("skip", "error"):
        raise DataError(f"on_problem must be 'skip' or 'error', got {on_problem!r}", source=source)
    if int(size) < 2:
        raise DataError(f"size must be at least 2 pixels, got {size}", source=source)
    check_task(task, source)
    if not paths:
        raise DataError("no image given", source=source)
    bands = [_read_band(check_file(p, "FITS image"), hdu) for p in paths]
    shape = bands[0][0].shape
    for p, (data, _) in zip(paths, bands, strict=True):
        if data.shape != shape:
            raise DataError(
                f"band has shape {data.shape} but {paths[0].name} has {shape}: the bands "
                "must cover the same pixels",
                source=str(p),
            )
    cat_path = check_file(catalog, "catalogue")
    table = _read_catalog(cat_path)
    cat = str(cat_path)
    wcs = bands[0][1]
    if x or y:
        px, py = _column(table, x, cat).astype(float), _column(table, y, cat).astype(float)
        positions = list(zip(px, py, strict=True))
        sky = None
    else:
        ras, decs = _column(table, ra, cat).astype(float), _column(table, dec, cat).astype(float)
        if not wcs.has_celestial:
            raise DataError(
                "the image has no celestial WCS, so RA/Dec cannot be placed on it; give "
                "pixel columns with x= and y=",
                source=source,
            )
        sky = SkyCoord(ras, decs, unit="deg")
        positions = [sky[i] for i in range(len(sky))]
    labels = _column(table, target, cat) if target else None

    stamps, rows, headers, problems = [], [], [], []
    side = int(size)
    for row, pos in enumerate(positions):
        where = (
            f"pixel ({pos[0]:g}, {pos[1]:g})"
            if sky is None
            else f"RA {sky[row].ra.deg:.5f}, Dec {sky[row].dec.deg:.5f}"
        )
        cuts = []
        try:
            for data, band_wcs in bands:
                cuts.append(
                    Cutout2D(data, pos, side, wcs=band_wcs, mode="partial", fill_value=np.nan)
                )
        except NoOverlapError:
            problems.append((row, f"position {where} is off the image ({shape[1]}x{shape[0]})"))
            continue
        except ValueError as exc:
            problems.append((row, f"position {where}: {exc}"))
            continue
        cube = np.stack([c.data.astype(np.float32) for c in cuts], axis=-1)
        blank = ~np.isfinite(cube)
        fraction = float(blank.any(axis=-1).mean())
        if fraction > max_nan:
            problems.append(
                (row, f"cutout at {where} is {fraction:.0%} blank (more than {max_nan:.0%})")
            )
            continue
        filled = np.where(blank, np.float32(nan_fill), cube)
        if mask_channel:
            filled = np.concatenate([filled, blank.any(axis=-1, keepdims=True)], axis=-1)
        stamps.append(filled.astype(np.float32))
        rows.append(row)
        headers.append(cuts[0].wcs.to_header().tostring() if cuts[0].wcs is not None else "")
    for row, message in problems:
        if on_problem == "error":
            raise DataError(f"row {row}: {message}", source=cat, row=row)
        warnings.warn(f"{cat}: row {row}: {message}: skipped", CutoutWarning, stacklevel=2)
    if not stamps:
        raise DataError("no cutout is left (every row was off the image or blank)", source=cat)
    xs = np.stack(stamps)
    ys, class_names = None, None
    if labels is not None:
        picked = np.asarray(labels)[rows]
        kind = task if task != "auto" else infer_task(xs, picked)
        if kind == "classification":
            ys, class_names = encode_labels(picked)
        else:
            ys = picked.astype(np.float32)
        task = kind
    extras: dict[str, Any] = {
        "row": np.asarray(rows, dtype=np.int64),
        "wcs": headers,
        "bands": [p.name for p in paths] + (["blank mask"] if mask_channel else []),
        "skipped": [{"row": r, "message": m} for r, m in problems],
        "per_sample": ["row", "wcs"],
        "nan_policy": {"fill": float(nan_fill), "mask_channel": bool(mask_channel)},
    }
    return Dataset(
        x=xs,
        y=ys,
        name=name or paths[0].stem,
        task=task if ys is not None else "reconstruction",
        class_names=class_names,
        description=(
            f"{len(xs)} cutouts of {side}x{side} pixels from {len(paths)} band(s) at the "
            f"positions of {cat_path.name} ({len(problems)} row(s) skipped)"
        ),
        source=cat,
        extras=extras,
    )
