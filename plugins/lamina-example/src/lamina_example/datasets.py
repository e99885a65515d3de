"""The example dataset: synthetic star photometry, generated (nothing is downloaded)."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

#: Effective wavelengths of the SDSS u, g, r, i, z bands in metres.
BANDS = {"u": 354e-9, "g": 477e-9, "r": 623e-9, "i": 762e-9, "z": 913e-9}


def star_colours(n: int = 1000, noise: float = 0.02, seed: int = 0) -> Dataset:
    """Fluxes of stars in the u, g, r, i, z bands -> their temperature in thousands of K.

    Each star is a black body at 3,000-30,000 K seen at a random distance, so its
    fluxes span three decades; only the colours (flux ratios) tell the temperature.

    Args:
        n: Number of stars. Defaults to `1000`.
        noise: Relative noise of each flux. Defaults to `0.02`.
        seed: Random seed. Defaults to `0`.
    """
    if n < 1:
        raise ValueError(f"n must be a positive integer. Received: n={n}")
    if noise < 0:
        raise ValueError(f"noise must be non-negative. Received: noise={noise}")
    rng = np.random.default_rng(seed)
    temperature = rng.uniform(3_000.0, 30_000.0, n)
    brightness = 10.0 ** rng.uniform(0.0, 3.0, n)
    wavelength = np.array(list(BANDS.values()))
    planck = wavelength[None, :] ** -5 / np.expm1(
        1.4388e-2 / (wavelength[None, :] * temperature[:, None])
    )
    flux = brightness[:, None] * planck / planck.max(axis=1, keepdims=True)
    flux *= 1.0 + noise * rng.standard_normal(flux.shape)
    return Dataset(
        x=flux.astype(np.float32),
        y=(temperature / 1000.0).astype(np.float32),
        name="star_colours",
        task="regression",
        feature_names=list(BANDS),
        description="Black-body stars: u, g, r, i, z fluxes -> temperature (1000 K).",
        source="example.star_colours",
    )
