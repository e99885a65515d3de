"""Built-in datasets: offline generators (seeded) and file sources.

`register_builtin_datasets(register)` adds them all to the catalogue; the built-in
plug-in calls it from its ``register_datasets`` hook. Every generator takes a size
``n`` and a ``seed`` and returns a `lamina.data.Dataset`; every file source takes a
required ``path``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .bright_spot import bright_spot
from .cutouts import cutouts_file, register_sky_datasets
from .digits import digits
from .files import csv_file, fits_file, hdf5_file, image_folder, numpy_file
from .galaxies import galaxies
from .regression1d import bimodal, heteroscedastic
from .sequences import sequences
from .shapes_segmentation import shapes_segmentation
from .sky_field import sky_cutouts
from .spectra import spectra
from .toy2d import blobs, circles, gaussian_surface, moons, plane, spirals, xor

__all__ = [
    "BUILTIN_DATASETS",
    "SAMPLES",
    "FILE_SOURCES",
    "bimodal",
    "blobs",
    "bright_spot",
    "circles",
    "cutouts_file",
    "digits",
    "galaxies",
    "gaussian_surface",
    "heteroscedastic",
    "moons",
    "plane",
    "register_builtin_datasets",
    "sequences",
    "shapes_segmentation",
    "sky_cutouts",
    "spectra",
    "spirals",
    "xor",
]

_N = {"min": 2, "max": 1_000_000}
_SEED = {"min": 0}
_NOISE = {"min": 0.0, "max": 1.0}
_TASK_CHOICES = {
    "type": "choice",
    "choices": [
        "auto",
        "classification",
        "regression",
        "reconstruction",
        "segmentation",
        "forecast",
    ],
}
_PATH = {"help": "The file to read."}

#: Generators: (function, name, category, param overrides, example params).
BUILTIN_DATASETS: list[tuple[Callable[..., Any], str, str, dict, dict]] = [
    (
        spirals,
        "spirals",
        "toy 2-D",
        {"n": _N, "noise": _NOISE, "turns": {"min": 0.25, "max": 5.0}},
        {"n": 40},
    ),
    (moons, "moons", "toy 2-D", {"n": _N, "noise": _NOISE}, {"n": 40}),
    (circles, "circles", "toy 2-D", {"n": _N, "noise": _NOISE}, {"n": 40}),
    (xor, "xor", "toy 2-D", {"n": _N, "noise": _NOISE}, {"n": 40}),
    (
        blobs,
        "blobs",
        "toy 2-D",
        {"n": _N, "centers": {"min": 2, "max": 20}, "spread": _NOISE},
        {"n": 40},
    ),
    (plane, "plane", "toy 2-D", {"n": _N, "noise": _NOISE}, {"n": 40}),
    (
        gaussian_surface,
        "gaussian_surface",
        "toy 2-D",
        {"n": _N, "noise": _NOISE, "width": {"min": 0.01, "max": 1.0}},
        {"n": 40},
    ),
    (
        heteroscedastic,
        "heteroscedastic",
        "toy 1-D",
        {"n": _N, "noise": _NOISE, "growth": {"min": 0.0, "max": 2.0}},
        {"n": 40},
    ),
    (bimodal, "bimodal", "toy 1-D", {"n": _N, "noise": _NOISE}, {"n": 40}),
    (
        galaxies,
        "galaxies",
        "images",
        {
            "n": {"min": 3, "max": 100_000},
            "size": {"type": "int", "min": 16, "max": 512},
            "bands": {"type": "choice", "choices": [1, 3]},
            "noise": _NOISE,
            "psf_fwhm": {"min": 0.0, "max": 10.0},
        },
        {"n": 12, "size": 32},
    ),
    (
        bright_spot,
        "bright_spot",
        "images",
        {
            "n": {"min": 2, "max": 100_000},
            "size": {"type": "int", "min": 8, "max": 256},
            "kind": {"type": "choice", "choices": ["shape", "presence"]},
            "amplitude": {"min": 0.0, "max": 5.0},
            "noise": _NOISE,
        },
        {"n": 12, "size": 16},
    ),
    (
        shapes_segmentation,
        "shapes_segmentation",
        "images",
        {
            "n": _N,
            "size": {"type": "int", "min": 16, "max": 512},
            "max_shapes": {"min": 1, "max": 20},
            "noise": _NOISE,
        },
        {"n": 4, "size": 32},
    ),
    (digits, "digits", "images", {"n": {"min": 1, "max": 1797}}, {"n": 40}),
    (
        spectra,
        "spectra",
        "spectra",
        {
            "n": {"min": 2, "max": 100_000},
            "length": {"min": 16, "max": 8192},
            "task": {"type": "choice", "choices": ["classification", "redshift"]},
            "noise": _NOISE,
            "line_strength": {"min": 0.0, "max": 10.0},
            "max_redshift": {"min": 0.0, "max": 1.0},
            "emission": {"type": "choice", "choices": ["halpha", "all"]},
        },
        {"n": 12, "length": 64},
    ),
    (
        sequences,
        "sequences",
        "sequences",
        {
            "n": {"min": 2, "max": 1_000_000},
            "length": {"min": 2, "max": 10_000},
            "task": {"type": "choice", "choices": ["forecast", "classification"]},
            "horizon": {"min": 1, "max": 1000},
            "classes": {"min": 2, "max": 20},
            "noise": _NOISE,
        },
        {"n": 12, "length": 20},
    ),
]

#: Folder of the small sample files used as the file sources' examples.
SAMPLES = Path(__file__).resolve().parent / "samples"

#: File sources: (function, name, param overrides, example params).
FILE_SOURCES: list[tuple[Callable[..., Any], str, dict, dict]] = [
    (
        csv_file,
        "csv",
        {"path": _PATH, "task": _TASK_CHOICES},
        {"path": str(SAMPLES / "stars.csv"), "target": "kind"},
    ),
    (
        numpy_file,
        "numpy",
        {"path": _PATH, "task": _TASK_CHOICES},
        {"path": str(SAMPLES / "stars.npz")},
    ),
    (
        hdf5_file,
        "hdf5",
        {"path": _PATH, "task": _TASK_CHOICES},
        {"path": str(SAMPLES / "stars.h5")},
    ),
    (
        fits_file,
        "fits",
        {
            "path": _PATH,
            "kind": {"type": "choice", "choices": ["auto", "image", "table"]},
            "task": _TASK_CHOICES,
        },
        {"path": str(SAMPLES / "stars.fits"), "target": "KIND"},
    ),
    (
        image_folder,
        "image_folder",
        {
            "path": {"help": "The folder holding one sub-folder of images per class."},
            "size": {"type": "int", "min": 0, "max": 4096},
            "color": {"type": "choice", "choices": ["auto", "grayscale", "rgb"]},
        },
        {"path": str(SAMPLES / "shapes")},
    ),
]


def _example(name: str, params: dict) -> dict:
    """The example of a file source, or {} if its sample file or its extra is missing."""
    if not Path(params["path"]).exists():
        return {}
    if name == "fits" and importlib.util.find_spec("astropy") is None:
        return {}
    return {"params": params}


def _summary(fn: Callable[..., Any]) -> str:
    doc = (fn.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def register_builtin_datasets(register: Callable[..., Any]) -> None:
    """Registers every built-in dataset generator and file source.

    Args:
        register: The catalogue's callback, called as ``register(fn, name=...,
            category=..., summary=..., params=..., example=...)`` where
            ``fn(**params)`` returns a `lamina.data.Dataset`.
    """
    for fn, name, category, overrides, example in BUILTIN_DATASETS:
        register(
            fn,
            name=name,
            category=category,
            summary=_summary(fn),
            params={"seed": _SEED, **overrides},
            example={"params": example},
        )
    for fn, name, overrides, example in FILE_SOURCES:
        register(
            fn,
            name=name,
            category="files",
            summary=_summary(fn),
            params=overrides,
            example=_example(name, example),
        )
    register_sky_datasets(register)
