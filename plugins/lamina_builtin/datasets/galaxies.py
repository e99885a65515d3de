"""Synthetic galaxy images: ellipticals, spirals and mergers (vectorised numpy)."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import balanced_labels, check_non_negative, check_positive

CLASS_NAMES = ["elliptical", "spiral", "merger"]

# Relative brightness in the three channels, ordered for display as RGB (like an
# (i, r, g) composite), before a random jitter.
_RED = np.array([1.0, 0.8, 0.55])
_BLUE = np.array([0.6, 0.8, 1.0])
_YELLOW = np.array([0.95, 0.9, 0.7])


_Made = tuple[list[tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]]


def _uniform(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """(n, 1, 1) uniform draws, ready to broadcast over images."""
    return rng.uniform(low, high, n).astype(np.float32)[:, None, None]


class _Frame:
    """Pixel coordinates of a batch of images relative to per-image centres and angles."""

    def __init__(self, grid: tuple[np.ndarray, np.ndarray], cx: np.ndarray, cy: np.ndarray):
        yy, xx = grid
        self.dx = xx[None] - cx
        self.dy = yy[None] - cy

    def rotated(self, angle: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns (u, v / q): coordinates along the major axis and de-projected minor axis."""
        c, s = np.cos(angle), np.sin(angle)
        u = self.dx * c + self.dy * s
        v = -self.dx * s + self.dy * c
        return u, v / q


def _sersic(r: np.ndarray, re: np.ndarray, index: np.ndarray, core: float = 1.5) -> np.ndarray:
    """Sersic profile, 1 at the centre, its cusp softened over `core` pixels."""
    b = 2.0 * index - 1.0 / 3.0
    soft = np.sqrt(r * r + core * core) - core
    return np.exp(-b * np.power(soft / re, 1.0 / index))


def _ellipticals(rng: np.random.Generator, grid: tuple, size: int, k: int) -> _Made:
    frame = _Frame(grid, *_centres(rng, size, k))
    angle = _uniform(rng, 0, np.pi, k)
    q = _uniform(rng, 0.45, 1.0, k)
    u, w = frame.rotated(angle, q)
    r = np.hypot(u, w)
    re = _uniform(rng, 0.1, 0.22, k) * size
    index = _uniform(rng, 1.5, 4.0, k)
    body = _sersic(r, re, index)
    return [(body, _RED)], {"axis_ratio": q, "angle": angle}


def _spirals(rng: np.random.Generator, grid: tuple, size: int, k: int) -> _Made:
    frame = _Frame(grid, *_centres(rng, size, k))
    angle = _uniform(rng, 0, np.pi, k)
    q = _uniform(rng, 0.5, 1.0, k)
    u, w = frame.rotated(angle, q)
    r = np.hypot(u, w) + 1e-3
    phi = np.arctan2(w, u)
    h = _uniform(rng, 0.08, 0.14, k) * size
    arms = rng.integers(2, 5, k).astype(np.float32)[:, None, None]
    pitch = np.deg2rad(_uniform(rng, 12, 30, k)) * rng.choice([-1.0, 1.0], k)[:, None, None]
    phase = _uniform(rng, 0, 2 * np.pi, k)
    sharp = _uniform(rng, 2.0, 4.0, k)
    contrast = _uniform(rng, 0.6, 0.95, k)
    pattern = (0.5 + 0.5 * np.cos(arms * (phi - np.log(r / h) / np.tan(pitch)) + phase)) ** sharp
    fade_in = 1.0 - np.exp(-((r / (0.6 * h)) ** 2))
    disk = np.exp(-r / h) * (1.0 - contrast * fade_in + contrast * fade_in * pattern * 1.6)
    bulge = _uniform(rng, 0.3, 1.0, k) * _sersic(r, 0.25 * h, np.float32(2.0))
    return [(disk, _BLUE), (bulge, _RED)], {"axis_ratio": q, "angle": angle}


def _mergers(rng: np.random.Generator, grid: tuple, size: int, k: int) -> _Made:
    cx, cy = _centres(rng, size, k)
    sep = _uniform(rng, 0.12, 0.3, k) * size
    direction = _uniform(rng, 0, 2 * np.pi, k)
    ratio = _uniform(rng, 0.35, 1.0, k)  # flux of the companion / primary
    share = ratio / (1 + ratio)
    ox, oy = sep * np.cos(direction), sep * np.sin(direction)
    parts = []
    for sign, weight, colour in ((-1.0, share, _YELLOW), (1.0, 1 - share, _BLUE)):
        frame = _Frame(grid, cx + sign * weight * ox, cy + sign * weight * oy)
        angle = _uniform(rng, 0, np.pi, k)
        q = _uniform(rng, 0.5, 1.0, k)
        u, w = frame.rotated(angle, q)
        r = np.hypot(u, w)
        re = _uniform(rng, 0.04, 0.09, k) * size
        amp = np.where(sign < 0, 1.0, ratio)
        body = amp * _sersic(r, re, _uniform(rng, 1.0, 2.5, k))
        # A curved tidal tail leaving the component, pointing away from its partner.
        rt = np.hypot(frame.dx, frame.dy) + 1e-3
        pt = np.arctan2(frame.dy, frame.dx)
        away = direction + (0.0 if sign > 0 else np.pi) + _uniform(rng, -0.6, 0.6, k)
        curl = _uniform(rng, 0.6, 1.6, k) * rng.choice([-1.0, 1.0], k)[:, None, None] / (0.1 * size)
        offset = (pt - away - curl * rt + np.pi) % (2 * np.pi) - np.pi
        length = _uniform(rng, 0.12, 0.25, k) * size
        strength = _uniform(rng, 0.12, 0.35, k) * amp
        tail = (
            strength
            * np.exp(-rt / length)
            * np.exp(-(offset**2) / (2 * 0.35**2))
            * (1.0 - np.exp(-((rt / (1.5 * re)) ** 2)))
        )
        parts.append((body + tail, colour))
    return parts, {"axis_ratio": np.ones_like(sep), "angle": direction}


def _centres(rng: np.random.Generator, size: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    middle = (size - 1) / 2.0
    jitter = 0.03 * size
    return (
        middle + _uniform(rng, -jitter, jitter, k),
        middle + _uniform(rng, -jitter, jitter, k),
    )


def _blur(images: np.ndarray, fwhm: float) -> np.ndarray:
    """Convolves (n, h, w, c) images with a circular Gaussian PSF (FFT, periodic edges)."""
    if fwhm <= 0:
        return images
    h, w = images.shape[1:3]
    sigma = fwhm / 2.3548
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    kernel = np.exp(-2 * (np.pi * sigma) ** 2 * (fx**2 + fy**2)).astype(np.float32)
    spectrum = np.fft.rfft2(images, axes=(1, 2))
    return np.fft.irfft2(spectrum * kernel[None, :, :, None], s=(h, w), axes=(1, 2)).astype(
        np.float32
    )


def galaxies(
    n: int = 600,
    size: int = 64,
    bands: int = 1,
    noise: float = 0.05,
    psf_fwhm: float = 2.0,
    seed: int = 0,
) -> Dataset:
    """Synthetic galaxy images in three classes: elliptical, spiral and merger.

    Ellipticals are smooth Sersic profiles with a random axis ratio and angle;
    spirals an exponential disk with 2-4 logarithmic arms and a bulge, seen at a
    random inclination; mergers two overlapping blobs with curved tidal tails. Each
    image is blurred by a Gaussian PSF, scaled to a random peak brightness in
    [0.7, 1] and given Gaussian sky noise. With ``bands=3`` the classes also differ
    in colour (ellipticals red, spiral disks blue). Values are roughly in [0, 1].

    Args:
        n: Number of images (classes balanced). Defaults to `600`.
        size: Width and height of the images in pixels. Defaults to `64`.
        bands: Number of channels: 1 (grey) or 3 (colour). Defaults to `1`.
        noise: Standard deviation of the sky noise. Defaults to `0.05`.
        psf_fwhm: Full width at half maximum of the Gaussian blur, in pixels
            (0 = none). Defaults to `2.0`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 3)
    size = check_positive("size", size, 16)
    bands = check_positive("bands", bands)
    if bands not in (1, 3):
        raise ValueError(f"`bands` must be 1 or 3. Received: bands={bands!r}")
    noise = check_non_negative("noise", noise)
    psf_fwhm = check_non_negative("psf_fwhm", psf_fwhm)
    rng = np.random.default_rng(seed)
    y = balanced_labels(n, 3, rng)
    grid = np.mgrid[0:size, 0:size].astype(np.float32)
    grid_pair = (grid[0], grid[1])
    x = np.zeros((n, size, size, bands), dtype=np.float32)
    axis_ratio = np.ones(n, dtype=np.float32)
    angle = np.zeros(n, dtype=np.float32)
    makers = (_ellipticals, _spirals, _mergers)
    for label, make in enumerate(makers):
        idx = np.flatnonzero(y == label)
        if not idx.size:
            continue
        parts, params = make(rng, grid_pair, size, len(idx))
        images = np.zeros((len(idx), size, size, bands), dtype=np.float32)
        for component, colour in parts:
            if bands == 1:
                images[..., 0] += component
            else:
                jitter = rng.uniform(0.85, 1.15, (len(idx), 1, 1, 3)).astype(np.float32)
                images += component[..., None] * (colour.astype(np.float32) * jitter)
        x[idx] = images
        axis_ratio[idx] = params["axis_ratio"].ravel()
        angle[idx] = params["angle"].ravel()
    x = _blur(x, psf_fwhm)
    peak = x.reshape(n, -1).max(axis=1)
    brightness = rng.uniform(0.7, 1.0, n).astype(np.float32)
    x *= (brightness / np.maximum(peak, 1e-6))[:, None, None, None]
    x += noise * rng.standard_normal(x.shape, dtype=np.float32)
    return Dataset(
        x=x,
        y=y,
        name="galaxies",
        task="classification",
        class_names=list(CLASS_NAMES),
        description=(
            f"{n} synthetic {size}x{size} galaxy images ({bands} band"
            f"{'s' if bands > 1 else ''}): elliptical, spiral, merger."
        ),
        source="galaxies",
        extras={
            "axis_ratio": axis_ratio,
            "angle": angle,
            "per_sample": ["axis_ratio", "angle"],
        },
    )
