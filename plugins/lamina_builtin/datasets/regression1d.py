"""1-D regression sets whose noise is known: for probabilistic (Gaussian, mixture) heads."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import check_non_negative, check_positive


def heteroscedastic(
    n: int = 500, noise: float = 0.05, growth: float = 0.3, seed: int = 0
) -> Dataset:
    """y = f(x) + noise whose standard deviation grows with x (x in [-1, 1]).

    f(x) = 0.5 sin(3x) + 0.3x and sigma(x) = noise + growth * (x + 1) / 2, so the noise
    grows from `noise` at x = -1 to `noise + growth` at x = 1. The true sigma of each
    sample is in ``extras["sigma"]`` and the true mean in ``extras["mean"]``.

    Args:
        n: Number of samples. Defaults to `500`.
        noise: Noise standard deviation at x = -1. Defaults to `0.05`.
        growth: How much the standard deviation grows from x = -1 to x = 1.
            Defaults to `0.3`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n)
    noise = check_non_negative("noise", noise)
    growth = check_non_negative("growth", growth)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    mean = 0.5 * np.sin(3 * x) + 0.3 * x
    sigma = noise + growth * (x + 1) / 2
    y = mean + sigma * rng.standard_normal(n)
    return Dataset(
        x=x[:, None].astype(np.float32),
        y=y[:, None].astype(np.float32),
        name="heteroscedastic",
        task="regression",
        feature_names=["x"],
        description="Noisy curve whose noise grows with x (true sigma in extras['sigma']).",
        source="heteroscedastic",
        extras={
            "sigma": sigma.astype(np.float32),
            "mean": mean.astype(np.float32),
            "per_sample": ["sigma", "mean"],
        },
    )


def bimodal(n: int = 500, noise: float = 0.05, seed: int = 0) -> Dataset:
    """y = +f(x) or -f(x) at random, plus noise: two modes for each x (mixture density heads).

    f(x) = 0.3 + x^2 on x in [-1, 1]; the branch (+1 or -1) of each sample is in
    ``extras["branch"]``, the noise standard deviation in ``extras["sigma"]``.

    Args:
        n: Number of samples. Defaults to `500`.
        noise: Standard deviation of the Gaussian noise. Defaults to `0.05`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    branch = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    rng.shuffle(branch)
    mean = branch * (0.3 + x**2)
    y = mean + noise * rng.standard_normal(n)
    return Dataset(
        x=x[:, None].astype(np.float32),
        y=y[:, None].astype(np.float32),
        name="bimodal",
        task="regression",
        feature_names=["x"],
        description="Two branches y = ±(0.3 + x²) plus noise.",
        source="bimodal",
        extras={
            "branch": branch.astype(np.float32),
            "mean": mean.astype(np.float32),
            "sigma": np.full(n, noise, dtype=np.float32),
            "per_sample": ["branch", "mean", "sigma"],
        },
    )
