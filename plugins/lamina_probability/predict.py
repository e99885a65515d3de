"""Predictions with uncertainty from a model whose output is a distribution.

`predict_distribution` runs the model ``passes`` times (several only when it has
Bayesian layers, whose weights are redrawn each pass), and summarises per input:
mean, standard deviation split into aleatoric (noise the model predicts: mean of the
per-pass variances) and epistemic (disagreement between weight draws: variance of
the per-pass means), quantiles, 68% and 95% central intervals and samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.keras import tf

__all__ = ["DistributionPrediction", "has_bayesian_layers", "predict_distribution"]

#: central interval level -> (lower quantile, upper quantile)
INTERVALS = {0.68: (0.16, 0.84), 0.95: (0.025, 0.975)}


@dataclass
class DistributionPrediction:
    """Per-input summary of a predictive distribution (arrays of shape ``(n, k)``).

    Attributes:
        mean: Predictive mean.
        stddev: Total predictive standard deviation, ``sqrt(aleatoric^2 + epistemic^2)``.
        aleatoric_std: Square root of the mean of the per-pass variances.
        epistemic_std: Standard deviation of the per-pass means (0 with one pass).
        quantiles: ``{q: array}`` for the requested quantiles.
        intervals: ``{0.68: (lower, upper), 0.95: (lower, upper)}`` central intervals.
        samples: ``(n_samples_total, n, k)`` draws from the predictive distribution.
        passes: Number of forward passes.
    """

    mean: np.ndarray
    stddev: np.ndarray
    aleatoric_std: np.ndarray
    epistemic_std: np.ndarray
    quantiles: dict[float, np.ndarray] = field(default_factory=dict)
    intervals: dict[float, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    samples: np.ndarray | None = None
    passes: int = 1


def has_bayesian_layers(model: Any) -> bool:
    """Returns True if the model has layers whose weights are random (Bayesian layers)."""
    from lamina_probability.bayesian import bayesian_layers

    if bayesian_layers(model):
        return True
    import tensorflow_probability as tfp

    random_kinds = (
        tfp.layers.DenseVariational,
        tfp.layers.DenseFlipout,
        tfp.layers.DenseReparameterization,
        tfp.layers.DenseLocalReparameterization,
        tfp.layers.Convolution2DFlipout,
        tfp.layers.Convolution2DReparameterization,
    )
    return any(
        isinstance(layer, random_kinds)
        for layer in model._flatten_layers(include_self=False, recursive=True)
    )


def _as_2d(a: Any, n: int) -> np.ndarray:
    a = np.asarray(a, dtype="float64")
    return a.reshape(n, -1)


def _moments(dist: Any, samples: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        mean = _as_2d(dist.mean(), n)
    except (NotImplementedError, TypeError, ValueError):
        mean = samples.mean(axis=0)
    try:
        var = _as_2d(dist.variance(), n)
    except (NotImplementedError, TypeError, ValueError):
        var = samples.var(axis=0)
    return mean, var


def predict_distribution(
    model: Any,
    x: Any,
    n_samples: int = 200,
    quantiles: tuple[float, ...] = (0.025, 0.16, 0.5, 0.84, 0.975),
    passes: int | None = None,
    seed: int | None = 0,
    batch_size: int = 1024,
) -> DistributionPrediction:
    """Predicts a distribution per input and summarises it.

    Example:
        >>> pred = predict_distribution(model, x_test, passes=50, seed=1)
        >>> lo, hi = pred.intervals[0.95]

    Args:
        model: A model ending in a probabilistic head (``model(x)`` is a distribution).
        x: Inputs.
        n_samples: Samples drawn per pass (quantiles and intervals come from the
            samples of all passes). Defaults to `200`.
        quantiles: Quantiles to report. Defaults to `(0.025, 0.16, 0.5, 0.84, 0.975)`.
        passes: Forward passes; ``None`` means 30 for a model with Bayesian layers and
            1 otherwise. Defaults to `None`.
        seed: Seed of all sampling (``tf.random.set_seed``), for reproducible results;
            ``None`` leaves the random state alone. Defaults to `0`.
        batch_size: Inputs per forward pass chunk. Defaults to `1024`.

    Returns:
        A `DistributionPrediction`.

    Raises:
        TypeError: If the model does not return a distribution.
    """
    if passes is None:
        passes = 30 if has_bayesian_layers(model) else 1
    if passes < 1 or n_samples < 1:
        raise ValueError(f"passes and n_samples must be >= 1. Received: {passes=}, {n_samples=}")
    if seed is not None:
        tf.random.set_seed(seed)
    x = np.asarray(x)
    n = len(x)
    means, variances, draws = [], [], []
    for _ in range(passes):
        pm, pv, ps = [], [], []
        for start in range(0, n, batch_size):
            chunk = x[start : start + batch_size]
            dist = model(chunk, training=False)
            if not hasattr(dist, "sample"):
                raise TypeError(
                    "predict_distribution needs a model ending in a probabilistic head; "
                    f"model(x) returned {type(dist).__name__}"
                )
            m = len(chunk)
            s = np.asarray(dist.sample(n_samples), dtype="float64").reshape(n_samples, m, -1)
            mean, var = _moments(dist, s, m)
            pm.append(mean)
            pv.append(var)
            ps.append(s)
        means.append(np.concatenate(pm))
        variances.append(np.concatenate(pv))
        draws.append(np.concatenate(ps, axis=1))
    means_a = np.stack(means)
    aleatoric_var = np.stack(variances).mean(axis=0)
    epistemic_var = means_a.var(axis=0) if passes > 1 else np.zeros_like(aleatoric_var)
    samples = np.concatenate(draws, axis=0)
    wanted = sorted(set(quantiles) | {q for pair in INTERVALS.values() for q in pair})
    qs = np.quantile(samples, wanted, axis=0)
    by_q = {float(q): qs[i] for i, q in enumerate(wanted)}
    return DistributionPrediction(
        mean=means_a.mean(axis=0),
        stddev=np.sqrt(aleatoric_var + epistemic_var),
        aleatoric_std=np.sqrt(aleatoric_var),
        epistemic_std=np.sqrt(epistemic_var),
        quantiles={float(q): by_q[float(q)] for q in quantiles},
        intervals={level: (by_q[lo], by_q[hi]) for level, (lo, hi) in INTERVALS.items()},
        samples=samples,
        passes=passes,
    )
