"""Synthetic 1-D galaxy spectra: a continuum, absorption lines and (maybe) emission lines."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import balanced_labels, check_non_negative, check_positive

#: Rest-frame wavelengths (Angstrom) of the emission lines, and their strength
#: relative to H-alpha (a random factor is applied on top for some of them).
EMISSION_LINES = {
    "[OII] 3727": (3727.0, 0.6),
    "H-beta 4861": (4861.0, 0.35),
    "[OIII] 4959": (4959.0, 0.25),
    "[OIII] 5007": (5007.0, 0.75),
    "H-alpha 6563": (6563.0, 1.0),
    "[NII] 6583": (6583.0, 0.3),
    "[SII] 6716": (6716.0, 0.15),
    "[SII] 6731": (6731.0, 0.12),
}

#: Rest-frame wavelengths (Angstrom) of absorption features present in every spectrum.
ABSORPTION_LINES = {
    "Ca K 3934": 3934.0,
    "Ca H 3968": 3968.0,
    "G band 4304": 4304.0,
    "Mg b 5175": 5175.0,
    "Na D 5893": 5893.0,
}

#: The named lines drawn as markers on spectra (rest-frame Angstrom; shifted by each
#: spectrum's redshift when drawn).
MARKED_LINES = {"Hβ": 4861.0, "[O III]": 5007.0, "Hα": 6563.0}

#: How the data set declares its x axis (see `lamina.visualize.axis`).
AXIS = {
    "name": "wavelength",
    "unit": "Å",
    "values": "wavelength",
    "signal": "flux",
    "lines": MARKED_LINES,
    "redshift": "redshift",
}

WAVELENGTH_RANGE = (3600.0, 9200.0)
TASKS = ("classification", "redshift")
EMISSION = ("halpha", "all")


def _binned_gaussians(
    edges: np.ndarray, centre: np.ndarray, sigma: np.ndarray, area: np.ndarray
) -> np.ndarray:
    """Gaussians of given area integrated over each pixel, divided by the pixel width.

    Args:
        edges: Pixel edges, shape (L + 1,).
        centre: (n,) line centres.
        sigma: (n,) widths.
        area: (n,) integrated fluxes.
    """
    from math import sqrt

    from scipy.special import erf

    z = (edges[None, :] - centre[:, None]) / (sigma[:, None] * sqrt(2.0))
    cumulative = 0.5 * (1.0 + erf(z))
    return area[:, None] * np.diff(cumulative, axis=1) / np.diff(edges)[None, :]


def spectra(
    n: int = 400,
    length: int = 256,
    task: str = "classification",
    noise: float = 0.05,
    line_strength: float = 1.0,
    max_redshift: float = 0.3,
    seed: int = 0,
    emission: str = "halpha",
) -> Dataset:
    """Synthetic galaxy spectra with or without emission lines, at random redshifts.

    Each spectrum is a continuum (a power law or a blackbody-like curve, normalised to
    median 1) with absorption lines (Ca H and K, G band, Mg b, Na D) and, for
    emission-line galaxies, H-alpha and [NII] (by default) or all of [OII], H-beta,
    [OIII], H-alpha, [NII] and [SII] (``emission="all"``), of random equivalent
    widths. Everything is shifted by a random redshift and observed
    on a linear grid from 3600 to 9200 Angstrom with Gaussian noise. The observed
    wavelengths are in ``extras["wavelength"]``, the redshifts in
    ``extras["redshift"]``; ``extras["axis"]`` declares the wavelength axis (in Å) and
    the lines Hα, Hβ and [O III] 5007 drawn on every plot of a spectrum.

    Args:
        n: Number of spectra. Defaults to `400`.
        length: Number of pixels of each spectrum. Defaults to `256`.
        task: ``"classification"``: emission lines or not (balanced);
            ``"redshift"``: regression of the redshift, all spectra with lines.
            Defaults to `"classification"`.
        noise: Standard deviation of the noise relative to the continuum level.
            Defaults to `0.05`.
        line_strength: Scale of the emission lines' equivalent widths.
            Defaults to `1.0`.
        max_redshift: Redshifts are uniform in [0, max_redshift]. Defaults to `0.3`.
        seed: Random seed. Defaults to `0`.
        emission: ``"halpha"``: only H-alpha (with its [NII] neighbour), the
            controlled case in which the class lives in one known line, so an
            attribution map (occlusion, saliency, Grad-CAM) must point at the
            redshifted H-alpha; ``"all"``: every emission line listed above ([OII],
            H-beta, [OIII], H-alpha, [NII], [SII]), more like real star-forming
            galaxies, where a model may rely on any of the lines (the attributions then
            peak on [OII] or [OIII] as often as on H-alpha). Defaults to `"halpha"`.
    """
    n = check_positive("n", n, 2)
    length = check_positive("length", length, 16)
    if task not in TASKS:
        raise ValueError(f"`task` must be one of {TASKS}. Received: task={task!r}")
    if emission not in EMISSION:
        raise ValueError(f"`emission` must be one of {EMISSION}. Received: emission={emission!r}")
    noise = check_non_negative("noise", noise)
    line_strength = check_non_negative("line_strength", line_strength)
    max_redshift = check_non_negative("max_redshift", max_redshift)
    rng = np.random.default_rng(seed)

    edges = np.linspace(*WAVELENGTH_RANGE, length + 1)
    wave = 0.5 * (edges[1:] + edges[:-1])
    z = rng.uniform(0.0, max_redshift, n)
    has_lines = balanced_labels(n, 2, rng) if task == "classification" else np.ones(n, np.int64)

    # Continuum: a power law or a blackbody-like curve, evaluated in the rest frame.
    rest = wave[None, :] / (1.0 + z[:, None])
    alpha = rng.uniform(-2.5, 1.0, n)[:, None]
    power = (rest / 5500.0) ** alpha
    temperature = rng.uniform(3500.0, 12000.0, n)[:, None]
    hc_over_k = 1.4388e8  # Angstrom * K
    black = (rest / 5500.0) ** -5 / np.expm1(hc_over_k / (rest * temperature))
    continuum = np.where(rng.random(n)[:, None] < 0.5, power, black)
    continuum /= np.median(continuum, axis=1, keepdims=True)

    sigma_rest = rng.uniform(3.0, 8.0, n)
    flux = continuum.copy()
    for rest_wave in ABSORPTION_LINES.values():
        centre = rest_wave * (1 + z)
        ew = rng.uniform(0.0, 12.0, n)
        level = _at(continuum, wave, centre)
        flux -= _binned_gaussians(edges, centre, 2 * sigma_rest * (1 + z), ew * level * (1 + z))
    flux = np.maximum(flux, 0.05 * continuum)

    halpha_ew = rng.uniform(3.0, 60.0, n) * line_strength * has_lines
    for name, (rest_wave, ratio) in EMISSION_LINES.items():
        if emission == "halpha" and not name.startswith(("H-alpha", "[NII]")):
            continue
        centre = rest_wave * (1 + z)
        ew = halpha_ew * ratio * rng.uniform(0.5, 1.5, n)
        level = _at(continuum, wave, centre)
        flux += _binned_gaussians(edges, centre, sigma_rest * (1 + z), ew * level * (1 + z))

    flux += noise * rng.standard_normal(flux.shape)
    x = flux[:, :, None].astype(np.float32)
    extras = {
        "wavelength": wave.astype(np.float32),
        "redshift": z.astype(np.float32),
        "halpha_ew": halpha_ew.astype(np.float32),
        "per_sample": ["redshift", "halpha_ew"],
        "axis": AXIS,
    }
    description = (
        f"{n} synthetic spectra of {length} pixels (3600-9200 Angstrom), "
        f"redshift 0-{max_redshift:g}"
    )
    if task == "classification":
        return Dataset(
            x=x,
            y=has_lines,
            name="spectra",
            task="classification",
            class_names=["no emission", "emission"],
            description=description + ": emission lines or not.",
            source="spectra",
            extras=extras,
        )
    return Dataset(
        x=x,
        y=z[:, None].astype(np.float32),
        name="spectra",
        task="regression",
        description=description + ": predict the redshift.",
        source="spectra",
        extras=extras,
    )


def _at(values: np.ndarray, wave: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Row-wise linear interpolation of (n, L) `values` at (n,) wavelengths (clamped)."""
    step = wave[1] - wave[0]
    pos = np.clip((where - wave[0]) / step, 0, len(wave) - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, len(wave) - 1)
    frac = pos - lo
    rows = np.arange(len(values))
    return values[rows, lo] * (1 - frac) + values[rows, hi] * frac
