"""2-D toy datasets in the style of the TensorFlow Playground (scaled to about [-1, 1])."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import balanced_labels, check_non_negative, check_positive

FEATURES = ["x1", "x2"]


def _finish(
    x: np.ndarray,
    y: np.ndarray,
    name: str,
    task: str,
    description: str,
    class_names: list[str] | None = None,
    extras: dict | None = None,
) -> Dataset:
    extras = dict(extras or {})
    extras.setdefault("per_sample", [])
    return Dataset(
        x=x.astype(np.float32),
        y=y,
        name=name,
        task=task,
        class_names=class_names,
        feature_names=list(FEATURES),
        description=description,
        source=name,
        extras=extras,
    )


def spirals(n: int = 500, noise: float = 0.05, turns: float = 1.75, seed: int = 0) -> Dataset:
    """Two interleaved spirals (the Playground's hardest classification set).

    Args:
        n: Number of points. Defaults to `500`.
        noise: Standard deviation of Gaussian noise added to the coordinates.
            Defaults to `0.05`.
        turns: How many turns each spiral makes. Defaults to `1.75`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 2)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    y = balanced_labels(n, 2, rng)
    s = rng.random(n)  # position along the arm, 0 (centre) to 1 (outside)
    t = turns * 2 * np.pi * s + np.pi * y
    x = np.stack([s * np.sin(t), s * np.cos(t)], axis=1)
    x += noise * rng.standard_normal((n, 2))
    return _finish(
        x, y, "spirals", "classification", "Two interleaved spirals.", ["spiral A", "spiral B"]
    )


def moons(n: int = 500, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles (as scikit-learn's make_moons).

    Args:
        n: Number of points. Defaults to `500`.
        noise: Standard deviation of Gaussian noise added to the coordinates.
            Defaults to `0.1`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 2)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    y = balanced_labels(n, 2, rng)
    t = rng.random(n) * np.pi
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(y[:, None] == 0, upper, lower)
    x = (x - np.array([0.5, 0.25])) / 1.5
    x += noise * rng.standard_normal((n, 2))
    return _finish(
        x, y, "moons", "classification", "Two interleaving half circles.", ["upper", "lower"]
    )


def circles(n: int = 500, noise: float = 0.05, seed: int = 0) -> Dataset:
    """A disc of points inside a ring (the Playground's 'circle' set).

    Args:
        n: Number of points. Defaults to `500`.
        noise: Standard deviation of Gaussian noise added to the coordinates.
            Defaults to `0.05`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 2)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    y = balanced_labels(n, 2, rng)
    r = np.where(y == 0, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    x += noise * rng.standard_normal((n, 2))
    return _finish(x, y, "circles", "classification", "A disc inside a ring.", ["inner", "outer"])


def xor(n: int = 500, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Four quadrants labelled by the sign of x1 * x2 (exclusive or).

    Args:
        n: Number of points. Defaults to `500`.
        noise: Standard deviation of Gaussian noise added to the coordinates.
            Defaults to `0.05`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 2)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    y = balanced_labels(n, 2, rng)
    magnitude = rng.uniform(0.05, 1.0, (n, 2))
    sign1 = rng.choice([-1.0, 1.0], n)
    sign2 = np.where(y == 1, sign1, -sign1)  # class 1: same signs (x1 * x2 > 0)
    x = magnitude * np.stack([sign1, sign2], axis=1)
    x += noise * rng.standard_normal((n, 2))
    return _finish(
        x,
        y,
        "xor",
        "classification",
        "Exclusive or of the signs.",
        ["opposite signs", "same signs"],
    )


def blobs(n: int = 500, centers: int = 3, spread: float = 0.15, seed: int = 0) -> Dataset:
    """Gaussian blobs, one class each, with centres on a circle of radius 0.6.

    Args:
        n: Number of points. Defaults to `500`.
        centers: Number of blobs (classes). Defaults to `3`.
        spread: Standard deviation of each blob. Defaults to `0.15`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 2)
    k = check_positive("centers", centers, 2)
    spread = check_non_negative("spread", spread)
    rng = np.random.default_rng(seed)
    y = balanced_labels(n, k, rng)
    angles = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(k) / k
    middle = 0.6 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    x = middle[y] + spread * rng.standard_normal((n, 2))
    return _finish(
        x,
        y,
        "blobs",
        "classification",
        f"{k} Gaussian blobs.",
        [f"blob {i}" for i in range(k)],
        extras={"centers": middle},
    )


def plane(n: int = 500, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Regression on a tilted plane: y = (x1 + x2) / 2 (the Playground's 'plane').

    Args:
        n: Number of points. Defaults to `500`.
        noise: Standard deviation of Gaussian noise added to the target. Defaults to `0.05`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = (x[:, 0] + x[:, 1]) / 2 + noise * rng.standard_normal(n)
    return _finish(x, y[:, None], "plane", "regression", "y = (x1 + x2) / 2 plus noise.")


#: Centres and signs of the bumps of the Playground's 'multi gaussian' set.
_BUMPS = np.array(
    [
        [-0.67, 0.42, 1.0],
        [0.0, 0.42, -1.0],
        [0.67, 0.42, 1.0],
        [-0.67, -0.42, -1.0],
        [0.0, -0.42, 1.0],
        [0.67, -0.42, -1.0],
    ]
)


def gaussian_surface(
    n: int = 500, noise: float = 0.05, width: float = 0.2, seed: int = 0
) -> Dataset:
    """Regression on six Gaussian bumps of alternating sign (the Playground's 'multi gaussian').

    Args:
        n: Number of points. Defaults to `500`.
        noise: Standard deviation of Gaussian noise added to the target. Defaults to `0.05`.
        width: Standard deviation of each bump. Defaults to `0.2`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    d2 = ((x[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=-1)
    clean = (_BUMPS[:, 2] * np.exp(-d2 / (2 * width**2))).sum(axis=1)
    y = clean + noise * rng.standard_normal(n)
    return _finish(
        x,
        y[:, None],
        "gaussian_surface",
        "regression",
        "Six Gaussian bumps of alternating sign plus noise.",
        extras={"clean": clean.astype(np.float32), "per_sample": ["clean"]},
    )
