"""Sky cutouts as data sets: the ``cutouts`` file source and the ``sky_cutouts`` example."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lamina.data import Dataset

from .sky_field import sky_cutouts

#: A tiny two-band field (48x48 pixels, 4 sources): the example of the file source.
SAMPLES = Path(__file__).resolve().parent / "samples"
EXAMPLE = {
    "images": f"{SAMPLES / 'field_g.fits'},{SAMPLES / 'field_r.fits'}",
    "catalog": str(SAMPLES / "field_catalogue.csv"),
    "size": 12,
}


def cutouts_file(
    images: str = "",
    catalog: str = "",
    size: int = 32,
    target: str = "label",
    ra: str = "ra",
    dec: str = "dec",
    x: str = "",
    y: str = "",
    task: str = "auto",
    nan_fill: float = 0.0,
    mask_channel: bool = False,
    max_nan: float = 0.5,
    on_problem: str = "skip",
) -> Dataset:
    """Cutouts of FITS images (bands as channels) at the positions of a catalogue.

    Needs astropy (``pip install "lamina[fits]"``). See
    `lamina.data.loaders.cutouts.load_cutouts`.

    Args:
        images: The FITS image, or comma-separated bands of the same field.
        catalog: A CSV file or FITS table with one row per source.
        size: Side of the square cutouts in pixels. Defaults to `32`.
        target: The label or value column ("" = none). Defaults to ``"label"``.
        ra: Right-ascension column in degrees (through the WCS). Defaults to ``"ra"``.
        dec: Declination column in degrees. Defaults to ``"dec"``.
        x: Pixel column (0-based), instead of RA/Dec. Defaults to ``""``.
        y: Pixel row column (0-based), with `x`. Defaults to ``""``.
        task: The task, or ``"auto"``. Defaults to `"auto"`.
        nan_fill: The value of blank (NaN, off-image) pixels. Defaults to `0.0`.
        mask_channel: Add a channel that is 1 on blank pixels. Defaults to `False`.
        max_nan: Largest blank fraction of a kept cutout. Defaults to `0.5`.
        on_problem: ``"skip"`` (warn with the row) or ``"error"``. Defaults to `"skip"`.
    """
    from lamina.data.loaders.cutouts import load_cutouts

    return load_cutouts(
        [p.strip() for p in str(images).split(",") if p.strip()],
        catalog,
        size=size,
        target=target or None,
        ra=ra,
        dec=dec,
        x=x,
        y=y,
        task=task,
        nan_fill=nan_fill,
        mask_channel=mask_channel,
        max_nan=max_nan,
        on_problem=on_problem,
    )


def register_sky_datasets(register: Callable[..., Any]) -> None:
    """Registers ``sky_cutouts`` (a generated field) and the ``cutouts`` file source."""
    has_astropy = importlib.util.find_spec("astropy") is not None
    register(
        sky_cutouts,
        name="sky_cutouts",
        category="images",
        summary="Cutouts of a synthetic two-band survey field: point-like vs extended sources.",
        params={"size": {"min": 4, "max": 128}, "seed": {"min": 0}},
        example={"params": {"size": 16}} if has_astropy else {},
    )
    register(
        cutouts_file,
        name="cutouts",
        category="files",
        summary="Cutouts of FITS images (bands as channels) at the positions of a catalogue.",
        params={
            "images": {"help": "A FITS image, or comma-separated bands of the same field."},
            "catalog": {"help": "A CSV file or FITS table of positions and labels."},
            "size": {"min": 2, "max": 4096},
            "max_nan": {"min": 0.0, "max": 1.0},
            "on_problem": {"type": "choice", "choices": ["skip", "error"]},
        },
        example={"params": EXAMPLE} if has_astropy else {},
    )
